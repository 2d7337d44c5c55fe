-- The paper's Markdown, shaped for Word by pandoc (see surveypaper/docx.py, which passes the metadata).
--
-- * The title block (everything before the first heading) keeps its line breaks; the line that
--   reads the paper's title gets Word's "Title" style, the others "Title Block".
-- * A long list of short items (a list of States) becomes a table of three columns, filled down
--   each column as the HTML's CSS columns are: the same rule as surveypaper.render
--   (at least `surveypaper-list-min-items` items, none longer than `surveypaper-list-max-chars`).
-- * An image `charts/<name>.svg` is shown as <name>.png of the folder `surveypaper-images` (Word
--   and LibreOffice both show a PNG), at the size given by `surveypaper-image-sizes` (points), in
--   a "Figure" paragraph.
--
-- Nothing here knows what the paper is about: the engine's own rules, applied to any paper.

local utils = pandoc.utils

local function meta_string(meta, key)
  local value = meta[key]
  if value == nil then
    return nil
  end
  return utils.stringify(value)
end

local function lines_of(inlines)
  local lines, current = {}, pandoc.List()
  for _, el in ipairs(inlines) do
    if el.t == "SoftBreak" or el.t == "LineBreak" then
      lines[#lines + 1] = current
      current = pandoc.List()
    else
      current:insert(el)
    end
  end
  lines[#lines + 1] = current
  return lines
end

local function joined(lines)
  local out = pandoc.List()
  for i, line in ipairs(lines) do
    if i > 1 then
      out:insert(pandoc.LineBreak())
    end
    out:extend(line)
  end
  return out
end

local function styled(style, blocks)
  return pandoc.Div(blocks, pandoc.Attr("", {}, { ["custom-style"] = style }))
end

local function normalised(text)
  return (text:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
end

-- A title-block paragraph: its lines, the title's on its own in "Title".
local function title_block(para, title)
  local out, pending = pandoc.List(), {}
  local function flush()
    if #pending > 0 then
      out:insert(styled("Title Block", { pandoc.Para(joined(pending)) }))
      pending = {}
    end
  end
  for _, line in ipairs(lines_of(para.content)) do
    if title and normalised(utils.stringify(line)) == title then
      flush()
      out:insert(styled("Title", { pandoc.Para(line) }))
    else
      pending[#pending + 1] = line
    end
  end
  flush()
  return out
end

local function compact_items(list, min_items, max_chars)
  if #list.content < min_items then
    return nil
  end
  local items = {}
  for _, item in ipairs(list.content) do
    if #item ~= 1 or (item[1].t ~= "Plain" and item[1].t ~= "Para") then
      return nil
    end
    local text = utils.stringify(item[1])
    if utf8.len(text) > max_chars then
      return nil
    end
    items[#items + 1] = item[1].content
  end
  return items
end

local function columns_table(items, ncols)
  local nrows = math.ceil(#items / ncols)
  local rows = {}
  for r = 1, nrows do
    local row = {}
    for c = 1, ncols do
      local item = items[(c - 1) * nrows + r]
      row[c] = item and { pandoc.Plain(item) } or {}
    end
    rows[r] = row
  end
  local aligns, widths = {}, {}
  for c = 1, ncols do
    aligns[c] = pandoc.AlignDefault
    widths[c] = 1 / ncols
  end
  return utils.from_simple_table(pandoc.SimpleTable({}, aligns, widths, {}, rows))
end

-- pandoc runs sandboxed (it fetches nothing, from disk or the network): the images it may show
-- are read here, from the one folder it is given.
local function load_image(dir, name)
  local file = io.open(dir .. "/" .. name, "rb")
  if file then
    pandoc.mediabag.insert(name, "image/png", file:read("a"))
    file:close()
  end
end

function Pandoc(doc)
  local meta = doc.meta
  local title = meta_string(meta, "surveypaper-title")
  title = title and normalised(title)
  local images = meta_string(meta, "surveypaper-images")
  local min_items = tonumber(meta_string(meta, "surveypaper-list-min-items") or "12")
  local max_chars = tonumber(meta_string(meta, "surveypaper-list-max-chars") or "32")
  local sizes = {}
  if meta["surveypaper-image-sizes"] then
    for name, size in pairs(meta["surveypaper-image-sizes"]) do
      sizes[name] = utils.stringify(size)
    end
  end

  -- the title block: the blocks before the first heading
  local blocks, in_title = pandoc.List(), true
  for _, block in ipairs(doc.blocks) do
    if block.t == "Header" then
      in_title = false
    end
    if in_title and block.t == "Para" then
      blocks:extend(title_block(block, title))
    else
      blocks:insert(block)
    end
  end
  doc.blocks = blocks

  doc = doc:walk({
    BulletList = function(list)
      local items = compact_items(list, min_items, max_chars)
      if items then
        return columns_table(items, 3)
      end
    end,
    Image = function(img)
      local name = img.src:match("^charts/([^/]+)%.svg$")
      if name then
        img.src = name .. ".png" -- its file's name only: no build path in the document
        local size = sizes[name]
        if size then
          local w, h = size:match("^(%S+) (%S+)$")
          img.attributes.width = w .. "pt"
          img.attributes.height = h .. "pt"
        end
      end
      if images and img.src:match("^[%w._-]+%.png$") then
        load_image(images, img.src)
      end
      return img
    end,
    Para = function(para)
      if #para.content == 1 and para.content[1].t == "Image" then
        return styled("Figure", { para })
      end
    end,
  })
  -- the engine's own keys are not the paper's properties
  for key in pairs(meta) do
    if key:match("^surveypaper%-") then
      doc.meta[key] = nil
    end
  end
  return doc
end
