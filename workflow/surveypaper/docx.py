"""The paper as a Word document: pandoc turns the build's Markdown into ``.docx``.

pandoc (shipped inside the ``pypandoc-binary`` wheel, no system install) reads the same Markdown
the HTML and the PDF come from, with ``templates/reference.docx`` as its reference document: the
styles, the page (A4), the running head and the page numbers come from there, so an editor can
restyle the paper in Word and save that file back. ``docx.lua`` (beside this module) shapes the
Markdown for Word: the title block, a long list of short names as a table, the charts as PNG.

Afterwards (:func:`finish`) python-docx sets the core properties from ``paper.yaml``, the header
and footer fields ``DOCPROPERTY <name>`` get the value of that property as their shown result,
and the zip is written again with fixed timestamps and attributes: the same inputs give the same
bytes. Headings are Word's Heading 1-3 (the Markdown's ``##`` to ``####``), footnotes Word's own.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

__all__ = [
    "FILTER",
    "REFERENCE_DOC",
    "DocxError",
    "finish",
    "markdown_to_docx",
    "new_reference_doc",
    "normalise_zip",
    "number_revisions",
    "pandoc",
    "to_docx",
]

#: The Lua filter that shapes the Markdown for Word.
FILTER = Path(__file__).with_name("docx.lua")
#: The reference document's name in ``templates/``.
REFERENCE_DOC = "reference.docx"
#: The build's Markdown is CommonMark (markdown-it) with footnotes, tables and typographic quotes.
MARKDOWN = "commonmark+footnotes+pipe_tables+smart-raw_html"  # raw HTML off, as markdown-it has it
#: Custom document properties: the header and footer fields ``DOCPROPERTY <name>`` show them.
CUSTOM_PROPERTIES = ("running_head",)


class DocxError(RuntimeError):
    """pandoc failed, or the reference document is not usable."""


def pandoc() -> str:
    """The pandoc executable of the ``pypandoc-binary`` wheel (or, without it, pandoc on PATH)."""
    import pypandoc

    return pypandoc.get_pandoc_path()


def _run_pandoc(args: list[str], *, stdin: bytes | None = None, env: dict | None = None) -> bytes:
    proc = subprocess.run([pandoc(), *args], input=stdin, capture_output=True, env=env, check=False)
    if proc.returncode != 0:
        raise DocxError(
            f"pandoc failed (exit status {proc.returncode}): {proc.stderr.decode(errors='replace').strip()}"
        )
    return proc.stdout


def markdown_to_docx(
    markdown: str,
    props: dict[str, str],
    reference: Path,
    images_dir: Path | None = None,
    image_sizes: dict[str, list[float]] | None = None,
) -> bytes:
    """The ``.docx`` of the paper's ``markdown``, finished (:func:`finish`).

    ``props`` are the paper's properties (:func:`surveypaper.document.paper_properties`);
    ``images_dir`` holds ``<name>.png`` for each chart ``charts/<name>.svg`` the Markdown shows,
    sized by ``image_sizes`` (name -> [width, height] in points).
    """
    return to_docx(markdown, props, reference, images_dir, image_sizes)


def to_docx(
    source: str,
    props: dict[str, str],
    reference: Path,
    images_dir: Path | None = None,
    image_sizes: dict[str, list[float]] | None = None,
    *,
    source_format: str = MARKDOWN,
    filters: tuple[Path, ...] = (),
) -> bytes:
    """:func:`markdown_to_docx` for any pandoc input: ``source`` in ``source_format`` (the
    redline gives HTML), ``filters`` run before :data:`FILTER`."""
    from .document import source_date_epoch
    from .markdown_html import COMPACT_LIST_MAX_CHARS, COMPACT_LIST_MIN_ITEMS

    reference = Path(reference)
    if not reference.is_file():
        raise DocxError(f"{reference}: the reference document is missing")
    meta = {
        "lang": props["lang"],
        **{key: props[key] for key in CUSTOM_PROPERTIES},
        "surveypaper-title": props["title"],
        "surveypaper-list-min-items": str(COMPACT_LIST_MIN_ITEMS),
        "surveypaper-list-max-chars": str(COMPACT_LIST_MAX_CHARS),
        "surveypaper-image-sizes": {
            name: f"{size[0]:g} {size[1]:g}" for name, size in sorted((image_sizes or {}).items())
        },
    }
    if images_dir is not None:
        meta["surveypaper-images"] = str(Path(images_dir).resolve())  # docx.lua reads them; not kept
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(source_date_epoch(props["date"]))}
    with tempfile.TemporaryDirectory(prefix="surveypaper-docx.") as tmp:
        meta_file = Path(tmp) / "meta.json"
        meta_file.write_text(json.dumps(meta), encoding="utf-8")
        # --sandbox: pandoc reads nothing but its arguments (no image from disk or the network;
        # respondents' text is never fetched); docx.lua hands it the charts
        args = [f"--from={source_format}", "--to=docx", "--output=-", "--shift-heading-level-by=-1", "--sandbox"]
        args += [f"--reference-doc={reference.resolve()}", f"--metadata-file={meta_file}"]
        args += [f"--lua-filter={f}" for f in (*filters, FILTER)]
        data = _run_pandoc(args, stdin=source.encode("utf-8"), env=env)
    return finish(data, props)


# --- after pandoc ------------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docproperty(instr: str) -> str | None:
    m = re.fullmatch(r'\s*DOCPROPERTY\s+"?([^"\\\s]+)"?.*', instr or "", flags=re.DOTALL)
    return m.group(1) if m else None


def _show(runs: list, value: str) -> None:
    """Make the runs of a field's result read ``value`` (the first keeps its formatting)."""
    texts = [t for r in runs for t in r.iter(f"{W}t")]
    if not texts:
        return
    texts[0].text = value
    texts[0].set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    for t in texts[1:]:
        t.text = ""


def fill_fields(part_element, values: dict[str, str]) -> None:
    """Give each ``DOCPROPERTY <name>`` field of a header or footer the result ``values[name]``.

    Word shows a field's last result until it is updated, and LibreOffice shows it as it is: the
    result is what the reader sees. Simple fields (``w:fldSimple``) and complex ones
    (``w:fldChar`` begin / ``w:instrText`` / separate / result / end) are both handled.
    """
    for fld in part_element.iter(f"{W}fldSimple"):
        name = _docproperty(fld.get(f"{W}instr"))
        if name in values:
            _show(list(fld.iter(f"{W}r")), values[name])
    for para in part_element.iter(f"{W}p"):
        state, name, result = None, None, []
        for run in para.iter(f"{W}r"):
            char = run.find(f"{W}fldChar")
            kind = char.get(f"{W}fldCharType") if char is not None else None
            if kind == "begin":
                state, name, result = "instr", "", []
            elif kind == "separate" and state == "instr":
                state = "result"
            elif kind == "end" and state is not None:
                field = _docproperty(name or "")
                if field in values:
                    _show(result, values[field])
                state = None
            elif state == "instr":
                name += "".join(t.text or "" for t in run.iter(f"{W}instrText"))
            elif state == "result":
                result.append(run)


def finish(data: bytes, props: dict[str, str]) -> bytes:
    """Core properties from ``props``, header and footer fields filled, the zip made reproducible."""
    import datetime as dt

    from docx import Document

    doc = Document(io.BytesIO(data))
    core = doc.core_properties
    core.title = props["title"]
    core.author = props["author"]
    core.subject = props["subject"]
    core.keywords = props["keywords"]
    core.language = props["lang"]
    core.last_modified_by = props["author"]
    core.revision = 1
    when = dt.datetime.fromisoformat(props["date"])
    core.created = core.modified = when
    values = {key: props[key] for key in CUSTOM_PROPERTIES}
    for section in doc.sections:
        for part in (
            section.header,
            section.first_page_header,
            section.even_page_header,
            section.footer,
            section.first_page_footer,
            section.even_page_footer,
        ):
            if not part.is_linked_to_previous:
                fill_fields(part._element, values)
    out = io.BytesIO()
    doc.save(out)
    return normalise_zip(out.getvalue(), props["date"], {name: number_revisions for name in REVISION_PARTS})


#: The parts that may hold tracked changes (the redline's).
REVISION_PARTS = ("word/document.xml", "word/footnotes.xml")
_REVISION_ID = re.compile(rb'(<w:(?:ins|del)\b[^>]*?\sw:id=")\d+(")')


def number_revisions(xml: bytes, start: int = 0) -> bytes:
    """Give each tracked change (``w:ins``, ``w:del``) of a part its own id, above the bookmarks'.

    pandoc counts insertions and deletions apart, so a deletion and the insertion beside it may
    share an id; Word wants one id per revision.
    """
    counter = iter(range(start + 100001, 2**31))
    return _REVISION_ID.sub(lambda m: m.group(1) + str(next(counter)).encode() + m.group(2), xml)


def normalise_zip(data: bytes, date: str, transforms: dict | None = None) -> bytes:
    """The same zip with every entry dated ``date`` (YYYY-MM-DD), deflated, mode 0644, in its order;
    ``transforms`` maps an entry's name to a function of its bytes."""
    day = tuple(int(x) for x in date[:10].split("-"))
    transforms = transforms or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dest:
        for k, item in enumerate(src.infolist()):
            info = zipfile.ZipInfo(item.filename, date_time=(*day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            payload = src.read(item.filename)
            if item.filename in transforms:
                payload = transforms[item.filename](payload, k * 100000)
            dest.writestr(info, payload, compresslevel=6)
    return out.getvalue()


# --- the reference document ----------------------------------------------------------------------


def new_reference_doc(path: Path) -> None:
    """Write a reference document for the paper: pandoc's own, with the paper's page and styles.

    A4 with the PDF's margins, Times New Roman (LibreOffice shows its metric twin Liberation
    Serif, the PDF's face) at 11 pt; a running head (the ``DOCPROPERTY running_head`` field) from
    the second page on; "Page N of M" in the footer; styles "Title", "Title Block" (the lines
    around the title) and "Figure" (a chart's paragraph). Run once to start ``templates/``'s
    copy (``python -m surveypaper.docx templates/reference.docx``); after that editors restyle it
    in Word.
    """
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    doc = Document(io.BytesIO(_run_pandoc(["--print-default-data-file", "reference.docx"])))
    styles = doc.styles
    black, grey = RGBColor(0, 0, 0), RGBColor(0x55, 0x55, 0x55)

    def font(style, size=None, *, bold=None, italic=None, color=black, face="Times New Roman"):
        f = style.font
        f.name = face
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), face)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        if size is not None:
            f.size = Pt(size)
        f.bold, f.italic = bold, italic
        f.color.rgb = color

    font(styles["Normal"], 11)
    for name in ("Body Text", "First Paragraph", "Compact"):
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY if name != "Compact" else None
    for name, size, italic in (("Heading 1", 12, False), ("Heading 2", 11, False), ("Heading 3", 11, True)):
        font(styles[name], size, bold=True, italic=italic)
        styles[name].paragraph_format.space_before = Pt(14 if name == "Heading 1" else 11)
        styles[name].paragraph_format.space_after = Pt(6)
        styles[name].paragraph_format.keep_with_next = True
    font(styles["Title"], 14, bold=True)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    block = styles.add_style("Title Block", WD_STYLE_TYPE.PARAGRAPH)
    block.base_style = styles["Normal"]
    block.next_paragraph_style = styles["Body Text"]
    font(block, 12, bold=True)
    block.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    block.paragraph_format.space_after = Pt(12)
    styles["Figure"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Figure"].paragraph_format.keep_together = True
    font(styles["Footnote Text"], 9)

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = Mm(24)
    section.bottom_margin = Mm(22)
    section.header_distance, section.footer_distance = Mm(12), Mm(10)
    section.different_first_page_header_footer = True

    def field(paragraph, instr: str, shown: str) -> None:
        fld = OxmlElement("w:fldSimple")
        fld.set(qn("w:instr"), instr)
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = shown
        run.append(text)
        fld.append(run)
        paragraph._p.append(fld)

    for name in ("Header", "Footer"):
        if name not in [s.name for s in styles]:
            styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH).base_style = styles["Normal"]
    head = section.header.paragraphs[0]
    head.style = styles["Header"]
    font(styles["Header"], 8.5, italic=True, color=grey)
    field(head, " DOCPROPERTY running_head \\* MERGEFORMAT ", "Running head")
    section.first_page_header.paragraphs[0].style = styles["Header"]
    font(styles["Footer"], 9)
    for footer in (section.footer, section.first_page_footer):
        para = footer.paragraphs[0]
        para.style = styles["Footer"]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.add_run("Page ")
        field(para, " PAGE ", "1")
        para.add_run(" of ")
        field(para, " NUMPAGES ", "1")

    out = io.BytesIO()
    doc.save(out)
    Path(path).write_bytes(normalise_zip(out.getvalue(), "2008-01-01"))


if __name__ == "__main__":
    import sys

    new_reference_doc(Path(sys.argv[1]))
