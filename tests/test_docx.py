"""output/working_paper.docx, read back: Word's heading styles, footnotes, charts, Annex II's table,
the 2008 text, the document's properties and the running head; and the engine's rules on small
Markdown (pandoc and the Lua filter, no build)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT
from lxml import etree
from test_fidelity import THRESHOLD, fidelity, report, sentences_2008

docx = pytest.importorskip("docx")

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
EMU_PER_PT = 12700


def part(path_or_bytes, name: str) -> etree._Element:
    """One XML part of a .docx."""
    src = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    with zipfile.ZipFile(src) as z:
        return etree.fromstring(z.read(name))


def paragraph_text(p: etree._Element) -> str:
    """A paragraph's text as a reader sees it: runs' text, a line break or tab as a space."""
    out = []
    for el in p.iter(f"{{{W}}}t", f"{{{W}}}delText", f"{{{W}}}br", f"{{{W}}}tab"):
        out.append(el.text or "" if el.tag in (f"{{{W}}}t", f"{{{W}}}delText") else " ")
    return "".join(out)


def reader_text(path) -> str:
    """The body's and the footnotes' paragraphs, one a line (deleted text left out)."""
    lines = []
    for name in ("word/document.xml", "word/footnotes.xml"):
        root = part(path, name)
        for p in root.iter(f"{{{W}}}p"):
            for d in p.iter(f"{{{W}}}del"):
                d.getparent().remove(d)
            lines.append(paragraph_text(p))
    return "\n".join(lines)


def markdown_headings(md: str) -> list[tuple[int, str]]:
    """(Word heading level, text) of each heading of the Markdown: ``##`` is Heading 1."""
    out = []
    for m in re.finditer(r"^(#{2,6})\s+(.+?)\s*$", md, re.M):
        out.append((len(m.group(1)) - 1, re.sub(r"[*_]", "", m.group(2))))
    return out


@pytest.fixture(scope="module")
def paper(built_paper) -> Path:
    return built_paper / "working_paper.docx"


@pytest.fixture(scope="module")
def document(paper):
    return docx.Document(str(paper))


def test_every_heading_has_its_word_heading_style(built_paper, document):
    md = (built_paper / "working_paper.md").read_text(encoding="utf-8")
    expected = markdown_headings(md)
    found = [
        (int(p.style.name.split()[-1]), p.text.strip())
        for p in document.paragraphs
        if p.style.name.startswith("Heading ")
    ]
    assert len(expected) >= 30
    assert found == expected
    assert ("Title", "Policy and Institutional Coherence within Government") in [
        (p.style.name, p.text) for p in document.paragraphs
    ]


def test_the_footnotes_are_word_footnotes(built_paper, paper):
    md = (built_paper / "working_paper.md").read_text(encoding="utf-8")
    labels = re.findall(r"^\[\^([^\]]+)\]:", md, re.M)
    assert len(labels) == 7
    notes = [
        n for n in part(paper, "word/footnotes.xml").findall("w:footnote", NS) if n.get(f"{{{W}}}type") is None
    ]  # the separators have a type
    refs = part(paper, "word/document.xml").findall(".//w:footnoteReference", NS)
    assert len(notes) == len(refs) == 7
    assert {r.get(f"{{{W}}}id") for r in refs} == {n.get(f"{{{W}}}id") for n in notes}
    texts = [paragraph_text(n) for n in notes]
    assert "drafted by the Government of Sweden" in texts[0]
    assert "Argentina, Azerbaijan, Brazil" in "".join(texts)
    assert "Ibid." in texts[-1]


def test_the_sixteen_charts_are_print_resolution_pngs_at_their_size(built_paper, paper):
    doc = part(paper, "word/document.xml")
    rels = part(paper, "word/_rels/document.xml.rels")
    targets = {r.get("Id"): r.get("Target") for r in rels}
    manifest = (built_paper / "charts/charts.json").read_text(encoding="utf-8")
    import json

    charts = json.loads(manifest)
    drawings = doc.findall(".//w:drawing", NS)
    assert len(drawings) == len(charts) == 16
    with zipfile.ZipFile(paper) as z:
        for drawing, chart in zip(drawings, charts, strict=True):
            blip = drawing.find(".//a:blip", NS)
            media = z.read("word/" + targets[blip.get(f"{{{NS['r']}}}embed")])
            assert media[:8] == b"\x89PNG\r\n\x1a\n"
            width_px = struct.unpack(">I", media[16:20])[0]
            extent = drawing.find(".//wp:extent", NS)
            width_pt = int(extent.get("cx")) / EMU_PER_PT
            assert width_pt == pytest.approx(chart["size_pt"][0], abs=1)
            assert int(extent.get("cy")) / EMU_PER_PT == pytest.approx(chart["size_pt"][1], abs=1)
            assert width_px / (width_pt / 72) >= 290  # about 300 dpi: sharp in print
            assert drawing.find(".//wp:docPr", NS).get("descr") == chart["alt"]


def test_annex_ii_is_a_table_of_the_respondents(built_paper, document):
    md = (built_paper / "working_paper.md").read_text(encoding="utf-8")
    annex = md[md.index("## ANNEX II") : md.index("## ANNEX III")]
    states = re.findall(r"^- (.+)$", annex, re.M)
    assert len(states) == 53
    assert len(document.tables) == 1
    table = document.tables[0]
    assert len(table.columns) == 3
    columns = [[cell.text for cell in col.cells] for col in table.columns]
    assert [s for col in columns for s in col if s] == states  # down each column, as the PDF's columns
    heading = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert "ANNEX II: RESPONDING STATES" in heading


def test_the_docx_reproduces_the_2008_text(paper):
    sentences = sentences_2008()
    measure, missing = fidelity(sentences, reader_text(paper))
    message = report("working_paper.docx", measure, missing, len(sentences))
    print(message)
    assert measure >= THRESHOLD, message


def test_properties_running_head_and_page_numbers(document, paper):
    from surveypaper.project import load_paper

    meta = load_paper(ROOT / "templates/paper.yaml")
    core = document.core_properties
    assert core.title == meta["title"]
    assert core.author == meta["author"]
    assert core.subject == " ".join(meta["subject"].split())
    assert core.language == meta["lang"]
    assert core.keywords == ", ".join(meta["keywords"])
    assert core.created.date().isoformat() == str(meta["date"])
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert section.different_first_page_header_footer  # the title page has no running head
    assert paragraph_text(section.header.paragraphs[0]._p) == meta["running_head"]
    footer = etree.fromstring(etree.tostring(section.footer._element))
    instructions = " ".join(f.get(f"{{{W}}}instr") for f in footer.iter(f"{{{W}}}fldSimple"))
    assert "PAGE" in instructions and "NUMPAGES" in instructions
    lang = part(paper, "word/styles.xml").find(".//w:docDefaults//w:lang", NS)
    assert lang.get(f"{{{W}}}val") == meta["lang"]


def test_zip_entries_have_fixed_dates_and_modes(paper):
    with zipfile.ZipFile(paper) as z:
        infos = z.infolist()
    assert {i.date_time for i in infos} == {(2008, 10, 29, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


# --- the engine's rules, on small Markdown ---------------------------------------------------------

PROPS = {
    "title": "A Paper",
    "author": "An Author",
    "subject": "Its subject",
    "keywords": "a, b",
    "lang": "en-GB",
    "date": "2001-02-03",
    "running_head": "Head & shoulders",
}
SMALL = """\
FORUM
Place, date

A Paper

## 1. ONE

Some text.[^n]

[^n]: A note.

## TWO

A list of short names:

{items}

A short list:

- alpha
- beta

![Alt text](charts/x.svg)
"""


def small_docx(items: list[str]) -> bytes:
    from surveypaper.docx import markdown_to_docx

    md = SMALL.format(items="\n".join(f"- {i}" for i in items))
    return markdown_to_docx(md, PROPS, ROOT / "templates/reference.docx")


def test_title_block_lines_title_and_long_lists_of_short_names():
    names = [f"Name {i:02d}" for i in range(13)]
    data = small_docx(names)
    doc = docx.Document(io.BytesIO(data))
    styled = [(p.style.name, p.text) for p in doc.paragraphs if p.text.strip()]
    assert styled[:3] == [("Title Block", "FORUM\nPlace, date"), ("Title", "A Paper"), ("Heading 1", "1. ONE")]
    (table,) = doc.tables
    cols = [[c.text for c in col.cells] for col in table.columns]
    assert cols == [names[0:5], names[5:10], [*names[10:13], "", ""]]
    assert "alpha" in [p.text for p in doc.paragraphs]  # a short list stays a list
    assert doc.core_properties.title == "A Paper"
    assert paragraph_text(doc.sections[0].header.paragraphs[0]._p) == "Head & shoulders"
    # a chart not drawn: its alt text stands in its place, and nothing from the engine is left behind
    assert "surveypaper" not in part(data, "docProps/custom.xml").xpath("string(.)")


def test_a_list_with_a_long_item_stays_a_list():
    data = small_docx([f"Name {i:02d}" for i in range(12)] + ["x" * 40])
    assert docx.Document(io.BytesIO(data)).tables == []


def test_same_markdown_same_bytes():
    names = [f"Name {i:02d}" for i in range(13)]
    assert small_docx(names) == small_docx(names)


def test_docproperty_fields_simple_and_complex_show_the_property():
    from surveypaper.docx import fill_fields

    xml = f"""<w:hdr xmlns:w="{W}"><w:p>
      <w:fldSimple w:instr=" DOCPROPERTY running_head \\* MERGEFORMAT "><w:r><w:t>old</w:t></w:r></w:fldSimple>
    </w:p><w:p>
      <w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DOCPROPERTY </w:instrText></w:r>
      <w:r><w:instrText>"running_head"</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>
      <w:r><w:t>st</w:t></w:r><w:r><w:t>ale</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>
      <w:r><w:t> kept</w:t></w:r>
    </w:p><w:p><w:fldSimple w:instr=" PAGE "><w:r><w:t>7</w:t></w:r></w:fldSimple></w:p></w:hdr>"""
    root = etree.fromstring(xml)
    fill_fields(root, {"running_head": "New head"})
    assert [paragraph_text(p) for p in root.iter(f"{{{W}}}p")] == ["New head", "New head kept", "7"]
