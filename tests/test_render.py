"""The rendering layer: Markdown → screen/print HTML → PDF (surveypaper.markdown_html, .document, .pdf)."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from pathlib import Path

import pytest
from surveypaper import markdown_html, pdf
from surveypaper.document import TEMPLATES_DIR, build_html, charts_href, source_date_epoch
from surveypaper.errors import RenderError
from surveypaper.markdown_html import markdown_to_html
from surveypaper.pdf import BlockedFetchError, write_pdf

META = {
    "title": "The Title of the Session",
    "subtitle": "For the tests",
    "author": "Government of Testland",
    "subject": "What the tests check",
    "keywords": ["alpha", "beta"],
    "date": "2008-10-29",
    "lang": "en",
    "running_head": "Test Forum · Working Paper",
}

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50" viewBox="0 0 200 50">'
    '<rect width="120" height="20" fill="#1f4e79"/></svg>'
)

MD = """\
TEST FORUM ON THINGS
Somewhere, 29-30 October 2008

Working Paper[^drafting]

Session 1
The Title of the Session

## INTRODUCTION

First sentence with a note.[^first]
Second sentence <script>alert(1)</script> and <img src=x onerror=alert(1)>.
The same note again.[^first]

## 1. METHOD

### 1.1 Details

| a | b |
|---|---|
| 1 | 2 |

## 1. METHOD

![Two of three States (67%) answered yes.](charts/demo.svg)

[^drafting]: Drafted by the tests.

    N.B.: a second paragraph of the first note.

[^first]: The first note's text
    on two source lines.
"""


@pytest.fixture
def charts_dir(tmp_path: Path) -> Path:
    d = tmp_path / "charts"
    d.mkdir()
    (d / "demo.svg").write_text(SVG, encoding="utf-8")
    return d


@pytest.fixture
def body(charts_dir: Path) -> markdown_html.RenderedBody:
    return markdown_to_html(MD, charts_dir)


# --- Markdown → HTML --------------------------------------------------------------------------


def test_screen_footnotes_are_numbered_at_the_end_and_linked_both_ways(body):
    html = body.screen
    # calls, in order of first citation: the title block's note is 1, so the body's is 2
    assert 'href="#fn-2" id="fnref-2"' in html
    assert 'href="#fn-2" id="fnref-2-2"' in html  # the second call of the same note
    notes = html[html.index('<section class="footnotes"') :]
    assert '<li id="fn-1"' in notes and '<li id="fn-2"' in notes
    assert 'href="#fnref-2" class="footnote-backref"' in notes
    assert 'href="#fnref-2-2" class="footnote-backref"' in notes
    assert "The first note" in notes and "The first note" not in html[: html.index("<section")]
    assert body.footnote_count == 2
    # the title block's call links to note 1 at the end
    assert 'href="#fn-1" id="fnref-1"' in body.title_block


def test_print_footnotes_are_inlined_at_the_call(body):
    html = body.print
    m = re.search(r'sentence with a note\.<span class="footnote" id="fn-2">(.*?)</span></span>', html)
    assert m, html
    assert "The first note’s text on two source lines." in m.group(1)  # newlines become spaces
    assert "\n" not in m.group(1)
    assert '<sup class="footnote-ref footnote-repeat">2</sup>' in html  # no second copy
    assert html.count('class="footnote"') == 1
    assert "footnotes-list" not in html and "footnote-backref" not in html
    # the title block's note, with its two paragraphs as spans
    tb = body.title_block_print
    assert '<span class="footnote" id="fn-1"><span class="footnote-para">Drafted by the tests.</span>' in tb
    assert '<span class="footnote-para">N.B.: a second paragraph' in tb


def test_raw_html_in_markdown_is_escaped(body):
    for html in (body.screen, body.print):
        assert "<script" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_title_block_is_everything_before_the_first_h2(body):
    tb = body.title_block
    assert tb.startswith('<header class="title-block">')
    assert '<p class="tb-1"><span class="line">TEST FORUM ON THINGS</span>' in tb
    assert '<span class="line">Somewhere, 29-30 October 2008</span>' in tb
    assert "INTRODUCTION" not in tb
    assert "TEST FORUM" not in body.screen and "TEST FORUM" not in body.print
    assert body.screen.lstrip().startswith('<h2 id="introduction">')


def test_heading_ids_are_stable_slugs_and_unique(body):
    assert [(e.level, e.id) for e in body.toc] == [
        (2, "introduction"),
        (2, "1-method"),
        (3, "1-1-details"),
        (2, "1-method-1"),  # a repeat, numbered as mdit_py_plugins.anchors numbers them
    ]
    assert '<h3 id="1-1-details">1.1 Details</h3>' in body.screen
    assert markdown_html.slugify("ANNEX II: Réponses") == "annex-ii-reponses"


def test_lone_image_becomes_a_figure_with_the_svg_inlined(body):
    m = re.search(r'<figure class="chart">\s*<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]*)">', body.screen)
    assert m, body.screen
    assert base64.b64decode(m.group(1)).decode() == SVG
    assert m.group(2) == "Two of three States (67%) answered yes."
    assert '<figure class="chart">' in body.print


def test_tables_are_rendered(body):
    assert "<table>" in body.screen and "<td>1</td>" in body.screen


@pytest.mark.parametrize(
    "src",
    ["http://example.org/x.svg", "charts/../../etc/passwd", "/etc/passwd", "charts/missing.svg", "charts/x.gif"],
)
def test_images_other_than_existing_charts_are_refused(charts_dir, src):
    with pytest.raises(RenderError):
        markdown_to_html(f"## A\n\n![alt]({src})\n", charts_dir)


def test_long_lists_of_short_items_get_columns():
    states = "\n".join(f"- State {i}" for i in range(14))
    assert '<ul class="compact-list">' in markdown_to_html(f"## A\n\n{states}\n").screen
    assert "compact-list" not in markdown_to_html("## A\n\n- one\n- two\n").screen


# --- HTML documents ---------------------------------------------------------------------------


def test_screen_document_head_toc_and_inline_css(charts_dir):
    html = build_html(MD, META, charts_dir, "screen")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html
    assert "<title>The Title of the Session</title>" in html
    assert '<meta name="author" content="Government of Testland">' in html
    assert '<meta name="description" content="What the tests check">' in html
    assert '<meta name="keywords" content="alpha, beta">' in html
    assert '<meta name="dcterms.created" content="2008-10-29">' in html
    assert '<meta name="dcterms.modified" content="2008-10-29">' in html
    assert '<meta name="viewport"' in html
    nav = html[html.index('<nav class="toc"') : html.index("</nav>")]
    assert '<a href="#introduction">INTRODUCTION</a>' in nav
    assert '<a href="#1-1-details">1.1 Details</a>' in nav
    assert '<a href="#fn-notes">Notes</a>' in nav
    assert "max-width: 40em" in html  # the screen CSS is inline
    assert "<link" not in html and 'src="charts/' not in html  # self-contained


def test_the_title_line_of_the_title_block_is_the_h1(charts_dir):
    for variant in ("screen", "print"):
        html = build_html(MD, META, charts_dir, variant)
        assert html.count("<h1 ") == 1
        assert (
            '<p class="tb-3 before-title"><span class="line">Session 1</span></p>'
            '<h1 class="paper-title">The Title of the Session</h1>'
        ) in html
    # no line reads as the title: the block is left as it was
    html = build_html(MD, {**META, "title": "Something else"}, charts_dir, "screen")
    assert "<h1 " not in html and '<span class="line">The Title of the Session</span>' in html


def test_print_document_has_no_toc_and_print_css(charts_dir):
    html = build_html(MD, META, charts_dir, "print")
    assert '<nav class="toc"' not in html
    assert "float: footnote" in html and "@font-face" in html
    assert 'data-running-head="Test Forum · Working Paper"' in html


def test_metadata_is_escaped_and_missing_metadata_fails(charts_dir):
    html = build_html(MD, {**META, "title": "A <b>bold</b> & title"}, charts_dir, "screen")
    assert "<title>A &lt;b&gt;bold&lt;/b&gt; &amp; title</title>" in html
    with pytest.raises(RenderError, match="running_head"):
        build_html(MD, {k: v for k, v in META.items() if k != "running_head"}, charts_dir, "screen")
    with pytest.raises(ValueError):
        build_html(MD, META, charts_dir, "epub")


def test_the_date_is_the_papers_not_the_clock(charts_dir):
    import datetime as dt

    html = build_html(MD, {**META, "date": dt.date(2001, 2, 3)}, charts_dir, "print")
    assert '<meta name="dcterms.created" content="2001-02-03">' in html
    assert source_date_epoch("1970-01-02") == 86400


# --- PDF ----------------------------------------------------------------------------------------

LONG_MD = MD.replace(
    "## 1. METHOD\n\n### 1.1",
    "## 1. METHOD\n\n"
    + "\n\n".join(f"Paragraph {i} " + "lorem ipsum dolor sit amet " * 30 for i in range(12))
    + "\n\n### 1.1",
)


def _first_heading(node):
    node = node.get_object()
    if not isinstance(node, dict):
        return None
    if str(node.get("/S", "")).startswith("/H") and str(node["/S"])[2:].isdigit():
        return node["/S"]
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [kids]:
        if hasattr(kid, "get_object") and (found := _first_heading(kid)):
            return found
    return None


@pytest.fixture(scope="module")
def pdf_bytes(tmp_path_factory) -> bytes:
    tmp = tmp_path_factory.mktemp("pdf")
    charts = tmp / "charts"
    charts.mkdir()
    (charts / "demo.svg").write_text(SVG, encoding="utf-8")
    html = build_html(LONG_MD, META, charts, "print")
    out = write_pdf(html, tmp / "paper.pdf", TEMPLATES_DIR)
    assert out == tmp / "paper.pdf"
    # no temp file left beside it
    assert sorted(p.name for p in tmp.iterdir()) == ["charts", "paper.pdf"]
    return out.read_bytes()


def test_pdf_is_paged_tagged_and_carries_its_metadata(pdf_bytes):
    from pypdf import PdfReader

    assert pdf_bytes.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) > 1
    info = reader.metadata
    assert info.title == "The Title of the Session"
    assert info.author == "Government of Testland"
    assert info.subject == "What the tests check"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root
    assert _first_heading(root["/StructTreeRoot"]) == "/H1"  # PDF/UA: headings start at H1
    assert root["/MarkInfo"]["/Marked"]
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "INTRODUCTION" in titles and "1. METHOD" in titles
    assert info.creation_date.date().isoformat() == "2008-10-29"  # the paper's, not the clock's
    assert info.modification_date.date().isoformat() == "2008-10-29"
    assert "pdfuaid" in root["/Metadata"].get_data().decode()  # declared PDF/UA-1


def test_pdf_footnote_sits_on_the_page_that_calls_it(pdf_bytes):
    from pypdf import PdfReader

    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes)).pages]
    first = pages[0]
    assert "Drafted by the tests." in first  # the title block's note, at the foot of page 1
    assert "The first note’s text on two source lines." in first
    assert "Page 1 of" in first


def test_pdf_is_deterministic(pdf_bytes, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    charts = tmp_path / "charts"
    charts.mkdir()
    (charts / "demo.svg").write_text(SVG, encoding="utf-8")
    html = build_html(LONG_MD, META, charts, "print")
    again = write_pdf(html, tmp_path / "again.pdf", TEMPLATES_DIR).read_bytes()
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(pdf_bytes).hexdigest()


# --- the PDF renderer fetches nothing outside the assets ----------------------------------------

PAGE = '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><p>text</p>{}</body></html>'


@pytest.mark.parametrize(
    "snippet",
    [
        '<img src="file:///etc/passwd" alt="x">',
        '<img src="http://169.254.169.254/latest/meta-data/" alt="x">',
        '<img src="https://example.org/x.png" alt="x">',
        '<img src="../../../../../../etc/passwd" alt="x">',
        '<img src="fonts/../../pyproject.toml" alt="x">',
        '<link rel="stylesheet" href="http://example.org/x.css">',
        '<link rel="attachment" href="fonts/LICENSE-Liberation.txt">',
    ],
)
def test_blocked_fetch_fails_the_build_and_keeps_the_old_file(tmp_path, snippet):
    out = tmp_path / "paper.pdf"
    out.write_bytes(b"the last good paper")
    with pytest.raises(BlockedFetchError):
        write_pdf(PAGE.format(snippet), out, TEMPLATES_DIR)
    assert out.read_bytes() == b"the last good paper"
    assert [p.name for p in tmp_path.iterdir()] == ["paper.pdf"]


def test_symlink_out_of_the_assets_is_blocked(tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "escape.svg").symlink_to("/etc/passwd")
    with pytest.raises(BlockedFetchError, match="outside"):
        write_pdf(PAGE.format('<img src="escape.svg" alt="x">'), tmp_path / "p.pdf", assets)


def test_data_urls_are_allowed(tmp_path):
    svg = base64.b64encode(SVG.encode()).decode()
    out = write_pdf(
        PAGE.format(f'<img src="data:image/svg+xml;base64,{svg}" alt="a bar">'), tmp_path / "p.pdf", tmp_path
    )
    assert out.read_bytes().startswith(b"%PDF")


def test_renderer_errors_fail_the_build(tmp_path):
    svg = base64.b64encode(SVG.encode()).decode()
    # PDF/UA: an image without alt text is logged as an error by WeasyPrint; here it fails.
    with pytest.raises(RenderError, match="alt"):
        write_pdf(PAGE.format(f'<img src="data:image/svg+xml;base64,{svg}">'), tmp_path / "p.pdf", tmp_path)
    # So is a document without lang.
    with pytest.raises(RenderError, match="lang"):
        write_pdf(PAGE.replace(' lang="en"', "").format(""), tmp_path / "p.pdf", tmp_path)
    assert not (tmp_path / "p.pdf").exists()


# --- the PDF laid out while its charts are drawn (pdf.layout_pdf) -----------------------------

AHEAD_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><title>t</title>'
    "<style>@page {{ size: A5; }} p {{ font-size: 14pt; }}</style></head><body>"
    + "".join(f"<p>Paragraph {i} of the text that fills the pages before and after the charts.</p>" for i in range(40))
    + "{}<p>The end.</p></body></html>"
)


def chart_svg(width_pt: float, height_pt: float, colour: str = "#1f4e79") -> str:
    """A chart as matplotlib writes its size: in points, on the root element."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width_pt}pt" height="{height_pt}pt" '
        f'viewBox="0 0 {width_pt} {height_pt}"><rect width="{width_pt / 2}" height="{height_pt / 3}" fill="{colour}"/>'
        f'<text x="4" y="{height_pt - 4}" font-size="9">42 of 53 States</text></svg>'
    )


@pytest.fixture
def linked_charts(tmp_path):
    """(page linking two charts, the charts' folder, their assumed sizes); nothing drawn yet.

    The folder's name needs quoting in a URL: the stand-ins are found as WeasyPrint asked for them."""
    charts = tmp_path / "a checkout (é)/output/.build/charts"
    charts.mkdir(parents=True)
    href = charts_href(charts, TEMPLATES_DIR)
    imgs = "".join(f'<figure><img src="{href}{name}.svg" alt="chart {name}"></figure>' for name in ("a", "b"))
    sizes = {str(charts / "a.svg"): [340.15748, 127.44], str(charts / "b.svg"): [340.15748, 169.2]}
    return AHEAD_PAGE.format(imgs), charts, sizes


def draw(charts: Path, sizes: dict, colour: str = "#1f4e79") -> None:
    for path, (w, h) in sizes.items():
        Path(path).write_text(chart_svg(w, h, colour), encoding="utf-8")


def test_pdf_laid_out_before_its_charts_exist_is_the_pdf_a_plain_render_gives(linked_charts, tmp_path):
    page, charts, sizes = linked_charts
    layout = pdf.layout_pdf(page, TEMPLATES_DIR, charts=sizes, allowed_dirs=[charts])  # nothing drawn yet
    draw(charts, sizes)
    ahead = write_pdf(page, tmp_path / "ahead.pdf", TEMPLATES_DIR, allowed_dirs=[charts], layout=layout)
    assert layout.outcome == "used"
    plain = write_pdf(page, tmp_path / "plain.pdf", TEMPLATES_DIR, allowed_dirs=[charts])
    assert ahead.read_bytes() == plain.read_bytes()
    # and the charts drawn are the ones in it, not the empty stand-ins of the layout
    draw(charts, sizes, colour="#9dc3e6")
    other = write_pdf(page, tmp_path / "other.pdf", TEMPLATES_DIR, allowed_dirs=[charts])
    assert other.read_bytes() != plain.read_bytes()


@pytest.mark.parametrize(
    "change, outcome",
    [
        ("a taller chart", "not used: b.svg is not the size assumed"),
        ("an edited HTML", "not used: it was made for another HTML or other folders"),
    ],
)
def test_layout_made_ahead_that_no_longer_holds_is_done_again(linked_charts, tmp_path, change, outcome):
    page, charts, sizes = linked_charts
    layout = pdf.layout_pdf(page, TEMPLATES_DIR, charts=sizes, allowed_dirs=[charts])
    drawn = dict(sizes)
    if change == "a taller chart":
        drawn[str(charts / "b.svg")] = [340.15748, 300.0]  # one more row than the stats said
    else:
        page = page.replace("The end.", "The end, edited.")
    draw(charts, drawn)
    ahead = write_pdf(page, tmp_path / "ahead.pdf", TEMPLATES_DIR, allowed_dirs=[charts], layout=layout)
    assert layout.outcome == outcome
    plain = write_pdf(page, tmp_path / "plain.pdf", TEMPLATES_DIR, allowed_dirs=[charts])
    assert ahead.read_bytes() == plain.read_bytes()


def test_chart_missing_when_the_pdf_is_written_fails_as_a_plain_render_does(linked_charts, tmp_path):
    page, charts, sizes = linked_charts
    layout = pdf.layout_pdf(page, TEMPLATES_DIR, charts=sizes, allowed_dirs=[charts])
    draw(charts, {str(charts / "a.svg"): sizes[str(charts / "a.svg")]})  # b.svg never drawn
    out = tmp_path / "paper.pdf"
    out.write_bytes(b"the last good paper")
    with pytest.raises(BlockedFetchError, match="no such file"):
        write_pdf(page, out, TEMPLATES_DIR, allowed_dirs=[charts], layout=layout)
    assert layout.outcome.startswith("not used: ")
    assert out.read_bytes() == b"the last good paper"


def test_problems_found_while_laying_out_ahead_still_fail_the_pdf(linked_charts, tmp_path):
    page, charts, sizes = linked_charts
    page = page.replace(' alt="chart b"', "")  # PDF/UA: an image needs its alt text
    layout = pdf.layout_pdf(page, TEMPLATES_DIR, charts=sizes, allowed_dirs=[charts])
    draw(charts, sizes)
    with pytest.raises(RenderError, match="alt"):
        write_pdf(page, tmp_path / "p.pdf", TEMPLATES_DIR, allowed_dirs=[charts], layout=layout)
    assert not (tmp_path / "p.pdf").exists()


def test_a_failed_layout_made_ahead_is_logged(linked_charts, tmp_path):
    """The PDF's process tells the step that its layout made ahead failed: the step lays the paper
    out itself and its log says why (surveypaper.warm passes prepare_failed)."""
    from surveypaper.pipeline import render_pdf

    page, charts, sizes = linked_charts
    draw(charts, sizes)
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    log = tmp_path / "render_pdf.log"
    render_pdf(tmp_path / "p.html", tmp_path / "p.pdf", TEMPLATES_DIR, [charts], log, prepare_failed="OSError: boom")
    assert (tmp_path / "p.pdf").is_file()
    assert log.read_text(encoding="utf-8") == "layout: made when called: the layout made ahead failed (OSError: boom)\n"
