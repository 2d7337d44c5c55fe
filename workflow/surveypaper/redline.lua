-- The redline's merged HTML (surveypaper.drafts), shaped for Word by pandoc before docx.lua:
--
-- * the notes collected at the end (`<section class="footnotes">`, one `<li id="fn-N">` each) go
--   back to their calls (`<sup class="footnote-ref"><a href="#fn-N">`) as Word footnotes;
-- * a chart's alt text (`<span class="rl-alt">`, the redline compares it) goes under the chart;
-- * the title block (`<header class="title-block">`) is unwrapped and its lines
--   (`<span class="line">`) become line breaks, as in the Markdown.
--
-- The tracked changes themselves are pandoc's own: a Span of class "insertion" or "deletion"
-- with an author and a date is written as w:ins or w:del.

local function is_backref(el)
  return el.t == "Link" and (el.classes:includes("footnote-backref") or el.target:match("^#fnref%-"))
end

local function note_body(blocks)
  -- the back-link arrow (and the space before it) is the HTML's, not the note's
  return pandoc.Blocks(blocks):walk({
    Inlines = function(inlines)
      local out = pandoc.Inlines({})
      for _, el in ipairs(inlines) do
        if not is_backref(el) then
          out:insert(el)
        end
      end
      while #out > 0 and (out[#out].t == "Space" or out[#out].t == "SoftBreak") do
        out:remove(#out)
      end
      return out
    end,
  })
end

function Pandoc(doc)
  local notes = {}
  -- the notes section: an ordered list whose items pandoc wrapped in Divs with their ids
  local blocks = pandoc.Blocks({})
  for _, block in ipairs(doc.blocks) do
    if block.t == "Div" and block.classes:includes("title-block") then
      blocks:extend(block.content) -- its paragraphs are the title block docx.lua styles
    elseif block.t == "Div" and block.classes:includes("footnotes") then
      block:walk({
        Div = function(div)
          if div.identifier:match("^fn%-") then
            notes[div.identifier] = note_body(div.content)
          end
        end,
      })
    else
      blocks:insert(block)
    end
  end
  doc.blocks = blocks

  local function note_of(el)
    -- <sup class="footnote-ref"><a href="#fn-N">N</a></sup>
    if el.t ~= "Superscript" then
      return nil
    end
    for _, inner in ipairs(el.content) do
      local target = inner.t == "Link" and inner.target:match("^#(fn%-.+)$")
      if target and notes[target] then
        return target
      end
    end
    return nil
  end

  return doc:walk({
    Inlines = function(inlines)
      local out = pandoc.Inlines({})
      for _, el in ipairs(inlines) do
        local id = note_of(el)
        if id then
          out:insert(pandoc.Note(notes[id]))
        elseif el.t == "Span" and el.classes:includes("rl-alt") then
          -- a chart's alt text (it carries the figures): on a line of its own under the chart
          while #out > 0 and (out[#out].t == "Space" or out[#out].t == "SoftBreak") do
            out:remove(#out)
          end
          out:insert(pandoc.LineBreak())
          out:insert(el)
        elseif el.t == "Span" and el.classes:includes("line") then
          if #out > 0 then
            out:insert(pandoc.LineBreak())
          end
          out:extend(el.content)
        else
          out:insert(el)
        end
      end
      return out
    end,
  })
end
