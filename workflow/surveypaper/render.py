"""Markdown → HTML (screen and print variants) → PDF.

Pure functions, no Snakemake:

- :func:`markdown_to_html` parses the paper's Markdown once (CommonMark, raw HTML off, tables,
  footnotes) and renders it twice: a *screen* body whose footnotes are collected at the end and
  linked both ways, and a *print* body whose footnotes sit at their call site as
  ``<span class="footnote">`` for WeasyPrint's ``float: footnote``.
- :func:`build_html` wraps a body in the Jinja layout (``templates/layout/``) with the CSS of
  ``templates/css/`` inlined and the metadata of ``templates/paper.yaml`` in ``<head>``.
- :func:`write_pdf` renders the print HTML with WeasyPrint behind a fetcher that loads nothing
  but ``data:`` URLs and files inside the assets folder (and the folders it is given, such as the
  build's charts), turns renderer warnings into errors and replaces the PDF atomically;
  :func:`layout_pdf` lays the paper out ahead, while its charts are still being drawn.

WeasyPrint is imported inside those two only, so importing this module stays cheap.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import logging
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, unquote, urlsplit

from markupsafe import Markup

if TYPE_CHECKING:
    import jinja2
    from markdown_it import MarkdownIt

# jinja2 and markdown-it are imported where they are used: the PDF step's process imports this
# module for write_pdf and needs neither.

__all__ = [
    "TEMPLATES_DIR",
    "BlockedFetchError",
    "Layout",
    "RenderError",
    "RenderedBody",
    "TocEntry",
    "build_html",
    "layout_pdf",
    "markdown_to_html",
    "source_date_epoch",
    "write_pdf",
]

Variant = Literal["screen", "print"]

#: The repository's ``templates/`` folder (layout, CSS, fonts, paper.yaml).
TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"

#: CSS files inlined into each variant, in cascade order (fonts, variables, page rules, ...).
CSS_FILES: dict[str, tuple[str, ...]] = {
    "screen": ("base.css", "screen.css"),
    "print": ("fonts.css", "base.css", "print.css"),
}

#: Image types an ``![alt](charts/x.svg)`` may point to, and their MIME types.
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


class RenderError(RuntimeError):
    """The paper could not be rendered (bad image reference, renderer warning, ...)."""


class BlockedFetchError(RenderError):
    """The renderer was asked to load a resource outside the allowed assets."""


@dataclass(frozen=True)
class TocEntry:
    level: int  # 2 for ##, 3 for ###, ...
    id: str
    text: str


@dataclass(frozen=True)
class RenderedBody:
    """The paper's Markdown as HTML fragments.

    ``title_block`` is the ``<header class="title-block">`` (everything before the first ``##``)
    with screen footnote calls, ``title_block_print`` the same with footnotes inlined. ``screen``
    and ``print`` are the body after the title block; ``screen`` ends with the numbered notes.
    """

    title_block: str
    title_block_print: str
    screen: str
    print: str
    toc: list[TocEntry] = field(default_factory=list)
    footnote_count: int = 0

    def for_variant(self, variant: Variant) -> tuple[str, str]:
        """(title block, body) for ``variant``."""
        if variant == "screen":
            return self.title_block, self.screen
        if variant == "print":
            return self.title_block_print, self.print
        raise ValueError(f"unknown variant {variant!r}: expected 'screen' or 'print'")


# --------------------------------------------------------------------------------------------
# Markdown → HTML


def slugify(text: str) -> str:
    """A stable, ASCII, lower-case id for a heading: ``1. CONCEPTUAL FRAMEWORK`` → ``1-conceptual-framework``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "section"


def _inline_text(token) -> str:
    """Plain text of an inline token (what a TOC entry or a bookmark shows)."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()


def _new_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["table", "smartquotes"])
    md.use(footnote_plugin)
    return md


def _chart_name(src: str) -> str:
    """The file name of a chart referenced as ``charts/<name>`` (or ``<name>``); anything else is refused."""
    parts = Path(unquote(src)).parts
    if urlsplit(src).scheme or not parts or parts[0] in ("/", "\\"):
        raise RenderError(f"image {src!r}: only charts/<file> images are allowed")
    if parts[0] == "charts":
        parts = parts[1:]
    if len(parts) != 1 or parts[0] in (".", ".."):
        raise RenderError(f"image {src!r}: expected charts/<file>, with no sub-folders")
    suffix = Path(parts[0]).suffix.lower()
    if suffix not in IMAGE_TYPES:
        raise RenderError(f"image {src!r}: unsupported type {suffix!r} (use .svg or .png)")
    return parts[0]


def _image_data_uri(src: str, charts_dir: Path) -> str:
    """The ``data:`` URI of a chart referenced as ``charts/<name>`` (or ``<name>``)."""
    name = _chart_name(src)
    root = charts_dir.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        raise RenderError(f"image {src!r} resolves outside {root}")
    mime = IMAGE_TYPES[path.suffix.lower()]
    if not path.is_file():
        raise RenderError(f"image {src!r}: {path} not found (charts not drawn yet?)")
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


class _Renderer:
    """Renders one parsed token stream to the screen and print variants."""

    def __init__(self, md: MarkdownIt, tokens, env: dict, charts_dir: Path | None, charts_href: str | None = None):
        self.md = md
        self.tokens = tokens
        self.env = env
        self.charts_dir = charts_dir
        self.charts_href = charts_href
        self.variant: Variant = "screen"
        self.in_title_block = False
        self._assign_heading_ids()
        self._mark_compact_lists()
        self._footnote_html: dict[str, dict[int, str]] = {"screen": {}, "print": {}}

        # Our rules (footnotes replace the plugin's); each gets the renderer first, like a rule
        # registered with add_render_rule.
        for name, rule in (
            ("footnote_ref", self._footnote_ref),
            ("footnote_anchor", self._footnote_anchor),
            ("paragraph_open", self._paragraph_open),
            ("paragraph_close", self._paragraph_close),
            ("image", self._image),
            ("softbreak", self._softbreak),
        ):
            md.renderer.rules[name] = functools.partial(rule, md.renderer)

    # -- headings -----------------------------------------------------------------------------

    def _assign_heading_ids(self) -> None:
        self.toc: list[TocEntry] = []
        seen: dict[str, int] = {}
        for i, tok in enumerate(self.tokens):
            if tok.type != "heading_open":
                continue
            text = _inline_text(self.tokens[i + 1])
            base = slugify(text)
            seen[base] = seen.get(base, 0) + 1
            hid = base if seen[base] == 1 else f"{base}-{seen[base]}"
            tok.attrSet("id", hid)
            level = int(tok.tag[1])
            if level >= 2:
                self.toc.append(TocEntry(level, hid, text))

    # -- long lists of short items (a list of States) are set in columns ---------------------

    COMPACT_MIN_ITEMS = 12
    COMPACT_MAX_CHARS = 32

    def _mark_compact_lists(self) -> None:
        toks = self.tokens
        for i, tok in enumerate(toks):
            if tok.type != "bullet_list_open":
                continue
            depth, items, ok, j = 0, 0, True, i
            while j < len(toks):
                t = toks[j]
                if t.type in ("bullet_list_open", "ordered_list_open"):
                    depth += 1
                    ok = ok and depth == 1
                elif t.type in ("bullet_list_close", "ordered_list_close"):
                    depth -= 1
                    if depth == 0:
                        break
                elif t.type == "list_item_open":
                    items += 1
                elif t.type == "inline" and len(_inline_text(t)) > self.COMPACT_MAX_CHARS:
                    ok = False
                j += 1
            if ok and items >= self.COMPACT_MIN_ITEMS:
                tok.attrJoin("class", "compact-list")

    # -- figures: a paragraph holding only an image becomes a <figure> ------------------------

    def _lone_image(self, tokens, idx):
        inline = tokens[idx + 1] if idx + 1 < len(tokens) else None
        if inline is None or inline.type != "inline":
            return None
        kids = [c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())]
        if len(kids) == 1 and kids[0].type == "image":
            return kids[0]
        return None

    def _paragraph_open(self, renderer, tokens, idx, options, env):
        if tokens[idx].hidden:
            return ""
        if self._lone_image(tokens, idx) is not None:
            return '<figure class="chart">\n'
        if self.variant == "print" and env.get("_in_footnote"):
            return '<span class="footnote-para">'
        return renderer.renderToken(tokens, idx, options, env)

    def _paragraph_close(self, renderer, tokens, idx, options, env):
        if tokens[idx].hidden:
            return ""
        # the matching paragraph_open is two tokens back (open, inline, close)
        if idx >= 2 and tokens[idx - 2].type == "paragraph_open" and self._lone_image(tokens, idx - 2):
            return "</figure>\n"
        if self.variant == "print" and env.get("_in_footnote"):
            return "</span>"
        return renderer.renderToken(tokens, idx, options, env)

    def _image(self, renderer, tokens, idx, options, env):
        from markdown_it.common.utils import escapeHtml

        tok = tokens[idx]
        src = tok.attrGet("src") or ""
        alt = renderer.renderInlineAsText(tok.children or [], options, env)
        title = tok.attrGet("title")
        if self.variant == "print" and self.charts_href is not None:
            # linked, not inlined: the print HTML can be written before the charts are drawn
            src = self.charts_href + quote(_chart_name(src))
        elif self.charts_dir is not None:
            src = _image_data_uri(src, self.charts_dir)
        html = f'<img src="{escapeHtml(src)}" alt="{escapeHtml(alt)}">'
        if title:
            html += f"\n<figcaption>{escapeHtml(title)}</figcaption>"
        return html

    def _softbreak(self, renderer, tokens, idx, options, env):
        # In the title block a line break is meaningful (forum / place and date); elsewhere the
        # one-sentence-per-line convention makes it a space.
        return "<br>\n" if self.in_title_block else "\n"

    # -- footnotes ----------------------------------------------------------------------------

    @staticmethod
    def _number(meta) -> int:
        return meta["id"] + 1

    def _footnote_ref(self, renderer, tokens, idx, options, env):
        meta = tokens[idx].meta
        n = self._number(meta)
        sub = meta.get("subId", 0)
        if self.variant == "print":
            if sub == 0:
                return f'<span class="footnote" id="fn-{n}">{self._footnote_html["print"][n]}</span>'
            # a second call of the same note: its number, no second copy of the note
            return f'<sup class="footnote-ref footnote-repeat">{n}</sup>'
        ref_id = f"fnref-{n}" if sub == 0 else f"fnref-{n}-{sub + 1}"
        return (
            f'<sup class="footnote-ref"><a href="#fn-{n}" id="{ref_id}" role="doc-noteref" '
            f'aria-label="Note {n}">{n}</a></sup>'
        )

    def _footnote_anchor(self, renderer, tokens, idx, options, env):
        if self.variant == "print":
            return ""
        meta = tokens[idx].meta
        n = self._number(meta)
        sub = meta.get("subId", 0)
        ref_id = f"fnref-{n}" if sub == 0 else f"fnref-{n}-{sub + 1}"
        label = f"Back to the text of note {n}" + (f" (call {sub + 1})" if sub else "")
        return f' <a href="#{ref_id}" class="footnote-backref" role="doc-backlink" aria-label="{label}">↩\ufe0e</a>'

    def _render_footnote_bodies(self, variant: Variant) -> None:
        """Render each footnote's content for ``variant`` (needed before the text that calls it)."""
        self.variant = variant
        out = self._footnote_html[variant]
        toks = self.tokens
        i = 0
        while i < len(toks):
            if toks[i].type == "footnote_open":
                n = self._number(toks[i].meta)
                j = i + 1
                while toks[j].type != "footnote_close":
                    j += 1
                env = {**self.env, "_in_footnote": True}
                html = self.md.renderer.render(toks[i + 1 : j], self.md.options, env).strip()
                if variant == "print":
                    # WeasyPrint 70 keeps the newlines of a floated footnote as line breaks:
                    # the note's source lines (one sentence per line) become spaces.
                    html = re.sub(r"\s*\n\s*", " ", html)
                out[n] = html
                i = j
            i += 1

    # -- whole document -----------------------------------------------------------------------

    def _split(self):
        """(title-block tokens, body tokens, footnote-block tokens)."""
        toks = self.tokens
        first_h2 = next((i for i, t in enumerate(toks) if t.type == "heading_open" and t.tag == "h2"), None)
        fn_start = next((i for i, t in enumerate(toks) if t.type == "footnote_block_open"), len(toks))
        if first_h2 is None:
            first_h2 = fn_start
        return toks[:first_h2], toks[first_h2:fn_start], toks[fn_start:]

    def render(self, variant: Variant) -> tuple[str, str]:
        self._render_footnote_bodies(variant)
        self.variant = variant
        head, body, _ = self._split()
        r = self.md.renderer
        self.in_title_block = True
        title = r.render(head, self.md.options, dict(self.env)) if head else ""
        self.in_title_block = False
        html = r.render(body, self.md.options, dict(self.env))
        if variant == "screen" and self._footnote_html["screen"]:
            items = "\n".join(
                f'<li id="fn-{n}" class="footnote-item" role="doc-endnote">{content}</li>'
                for n, content in sorted(self._footnote_html["screen"].items())
            )
            html += (
                '<section class="footnotes" role="doc-endnotes" aria-labelledby="fn-notes">\n'
                '<h2 id="fn-notes" class="notes-heading">Notes</h2>\n'
                f'<ol class="footnotes-list">\n{items}\n</ol>\n</section>\n'
            )
        title_html = f'<header class="title-block">\n{_title_lines(title)}</header>\n' if title.strip() else ""
        return title_html, html


def _title_lines(html: str) -> str:
    """Number the title block's paragraphs and wrap each of their lines in a span (for the CSS)."""
    count = 0

    def para(m: re.Match) -> str:
        nonlocal count
        count += 1
        lines = m.group(1).split("<br>\n")
        inner = "".join(f'<span class="line">{line}</span>' for line in lines)
        return f'<p class="tb-{count}">{inner}</p>'

    return re.sub(r"<p>(.*?)</p>", para, html, flags=re.DOTALL)


def markdown_to_html(
    md: str,
    charts_dir: Path | None = None,
    *,
    charts_href: str | None = None,
    variants: tuple[Variant, ...] = ("screen", "print"),
) -> RenderedBody:
    """Render the paper's Markdown to HTML fragments for both variants (or only those in ``variants``).

    Raw HTML in ``md`` stays text (it is escaped). Headings get ids from their text (unique,
    ``-2`` etc. appended on repeats). Everything before the first ``##`` is the title block.
    A paragraph that holds only an image becomes a ``<figure>``; with ``charts_dir`` the image is
    inlined as a ``data:`` URI read from that folder (``charts/x.svg`` → ``charts_dir/x.svg``),
    without it the ``src`` is kept as written. With ``charts_href`` the print variant links the
    chart instead (``charts_href + "x.svg"``), so it needs no drawn chart. A variant left out of
    ``variants`` is empty.
    """
    for variant in variants:
        if variant not in ("screen", "print"):
            raise ValueError(f"unknown variant {variant!r}: expected 'screen' or 'print'")
    parser = _new_parser()
    env: dict[str, Any] = {}
    tokens = parser.parse(md, env)
    renderer = _Renderer(parser, tokens, env, Path(charts_dir) if charts_dir is not None else None, charts_href)
    title_screen, screen = renderer.render("screen") if "screen" in variants else ("", "")
    title_print, print_ = renderer.render("print") if "print" in variants else ("", "")
    return RenderedBody(
        title_block=title_screen,
        title_block_print=title_print,
        screen=screen,
        print=print_,
        toc=list(renderer.toc),
        footnote_count=max(len(notes) for notes in renderer._footnote_html.values()),
    )


# --------------------------------------------------------------------------------------------
# HTML document


def _iso_date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError as exc:
        raise RenderError(f"paper.yaml date {value!r}: expected YYYY-MM-DD") from exc


def source_date_epoch(date: Any) -> int:
    """Seconds since 1970 of midnight UTC of ``date`` (a date or YYYY-MM-DD)."""
    day = dt.date.fromisoformat(_iso_date(date))
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _jinja_env(templates_dir: Path) -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir / "layout")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _read_css(templates_dir: Path, variant: Variant) -> str:
    parts = []
    for name in CSS_FILES[variant]:
        path = templates_dir / "css" / name
        parts.append(f"/* {name} */\n" + path.read_text(encoding="utf-8").strip() + "\n")
    return "\n".join(parts)


def promote_title(title_block: str, title: str) -> str:
    """Make the title block's line that reads ``title`` the document's ``<h1>``.

    The title block is paragraphs of lines; the paper's title is one of them. As an ``<h1>`` it
    is the first heading of the tagged PDF (PDF/UA wants H1 before H2) and of the HTML outline.
    Without such a line the block is left as it is.
    """
    from markdown_it.common.utils import escapeHtml

    wanted = " ".join(escapeHtml(title).split())

    def split(m: re.Match) -> str:
        cls, inner = m.group(1), m.group(2)
        lines = re.findall(r'<span class="line">(.*?)</span>(?=<span class="line">|$)', inner, re.DOTALL)
        if "".join(f'<span class="line">{x}</span>' for x in lines) != inner:
            return m.group(0)  # not plain lines (a note inside, say): leave it
        for i, line in enumerate(lines):
            if " ".join(line.split()) == wanted:
                before = "".join(f'<span class="line">{x}</span>' for x in lines[:i])
                after = "".join(f'<span class="line">{x}</span>' for x in lines[i + 1 :])
                out = f'<p class="{cls} before-title">{before}</p>' if before else ""
                out += f'<h1 class="paper-title">{line}</h1>'
                out += f'<p class="{cls} after-title">{after}</p>' if after else ""
                return out
        return m.group(0)

    result, done = [], False
    for part in re.split(r'(<p class="tb-\d+">.*?</p>)', title_block, flags=re.DOTALL):
        m = re.fullmatch(r'<p class="(tb-\d+)">(.*)</p>', part, flags=re.DOTALL)
        if m and not done:
            new = split(m)
            done = new != part
            part = new
        result.append(part)
    return "".join(result)


def charts_href(charts_dir: Path, assets_dir: Path = TEMPLATES_DIR) -> str:
    """The URL prefix, relative to ``assets_dir`` (the PDF's base URL), of the charts in ``charts_dir``.

    ``output/.build/charts`` seen from ``templates/`` is ``../output/.build/charts/``: the same
    on every checkout, so the print HTML does not carry the machine's paths. :func:`write_pdf`
    loads such a chart only when ``charts_dir`` is one of its ``allowed_dirs``.
    """
    rel = os.path.relpath(Path(charts_dir).resolve(), Path(assets_dir).resolve())
    return "/".join(quote(part) for part in Path(rel).parts) + "/"


REQUIRED_META = ("title", "author", "subject", "keywords", "date", "lang", "running_head")


def build_html(
    md: str,
    meta: dict,
    charts_dir: Path | None,
    variant: Variant,
    templates_dir: Path = TEMPLATES_DIR,
    *,
    charts_href: str | None = None,
) -> str:
    """A complete HTML document of the paper for ``variant`` (``"screen"`` or ``"print"``).

    ``meta`` is the parsed ``templates/paper.yaml``. The screen variant is one self-contained
    file (CSS and charts inline, a table of contents, notes at the end); the print variant is
    meant for :func:`write_pdf` (footnotes inline, fonts loaded from ``templates/fonts/``
    relative to the assets folder given to :func:`write_pdf`). With ``charts_href`` (see
    :func:`charts_href`) the print variant links its charts rather than inlining them.
    """
    if variant not in ("screen", "print"):
        raise ValueError(f"unknown variant {variant!r}: expected 'screen' or 'print'")
    missing = [k for k in REQUIRED_META if k not in meta]
    if missing:
        raise RenderError(f"paper.yaml lacks {', '.join(missing)}")
    templates_dir = Path(templates_dir)
    body = markdown_to_html(md, charts_dir, charts_href=charts_href, variants=(variant,))
    title_block, html_body = body.for_variant(variant)
    title_block = promote_title(title_block, str(meta["title"]))
    keywords = meta["keywords"]
    if not isinstance(keywords, str):
        keywords = ", ".join(str(k) for k in keywords)
    page = {
        "title": str(meta["title"]),
        "subtitle": str(meta.get("subtitle") or ""),
        "author": str(meta["author"]),
        "subject": " ".join(str(meta["subject"]).split()),
        "keywords": keywords,
        "date": _iso_date(meta["date"]),
        "lang": str(meta["lang"]),
        "running_head": str(meta["running_head"]),
    }
    env = _jinja_env(templates_dir)
    template = env.get_template(f"{variant}.html.j2")
    return template.render(
        paper=page,
        css=Markup(_read_css(templates_dir, variant)),
        title_block=Markup(title_block),
        body=Markup(html_body),
        toc=body.toc,
        has_notes=body.footnote_count > 0,
    )


# --------------------------------------------------------------------------------------------
# PDF

# The one WeasyPrint warning tolerated: without the HarfBuzz-Subset library (Debian:
# libharfbuzz-subset0) fonts are subset with fontTools, which is slower but gives the same
# glyphs (and, with SOURCE_DATE_EPOCH set, the same bytes run after run). Narrow on purpose: the
# message must match from its start, and only as a warning.
_TOLERATED_WARNINGS = (re.compile(r'^Using fontTools instead of HarfBuzz-Subset for font "[^"]+"\. '),)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.problems: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno == logging.WARNING and any(p.match(message) for p in _TOLERATED_WARNINGS):
            return
        self.problems.append(f"{record.levelname}: {message}")


def _make_fetcher(assets_dir: Path, allowed_dirs=(), stand_ins: dict | None = None):
    """WeasyPrint's URL fetcher for the paper: ``data:`` URLs and files inside the allowed folders.

    ``stand_ins`` maps files not drawn yet (the charts, see :func:`layout_pdf`) to their size in
    points: the fetcher answers for them with an empty SVG of that size, whether or not the file
    exists (an old chart may still be there while the new one is drawn).
    """
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    root = Path(assets_dir).resolve()
    roots = [root, *(Path(d).resolve() for d in allowed_dirs)]
    stand_ins = {Path(p).resolve(): size for p, size in (stand_ins or {}).items()}

    class AssetsOnlyFetcher(URLFetcher):
        """Loads ``data:`` URLs and ``file:`` URLs of files inside ``roots``; nothing else."""

        def __init__(self) -> None:
            super().__init__(
                timeout=5,
                allowed_protocols={"data", "file"},
                allow_redirects=False,
                fail_on_errors=True,
            )
            self.root = root
            self.roots = roots
            self.stood_in: list[str] = []  # the URLs answered with a stand-in, as WeasyPrint asked

        def _block(self, url: str, why: str):
            shown = url if len(url) < 120 else url[:117] + "..."
            inside = " or ".join(str(r) for r in self.roots)
            raise FatalURLFetchingError(
                f"blocked fetch of {shown!r}: {why} (only data: URLs and files inside {inside} may be loaded)"
            )

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                self._block(url, f"scheme {scheme or '(none)'!r} is not allowed")
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                self._block(url, f"remote file host {parts.netloc!r}")
            path = Path(unquote(parts.path)).resolve()  # `..` and symlinks resolved before the check
            if not any(path.is_relative_to(r) for r in self.roots):
                self._block(url, "outside the allowed folders")
            if path in stand_ins:
                self.stood_in.append(url)
                return URLFetcherResponse(
                    url, body=_stand_in_svg(*stand_ins[path]), headers={"Content-Type": "image/svg+xml"}
                )
            if not path.is_file():
                self._block(url, "no such file")
            return super().fetch(path.as_uri(), headers)

    return AssetsOnlyFetcher(), FatalURLFetchingError


def _stand_in_svg(width_pt: float, height_pt: float) -> bytes:
    """An empty SVG of the given size: what the layout knows of a chart not drawn yet."""
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width_pt!r}pt" height="{height_pt!r}pt"/>'.encode()


def _meta_date(html: str) -> str | None:
    for name in ("dcterms.modified", "dcterms.created"):
        m = re.search(rf'<meta\s+name="{re.escape(name)}"\s+content="(\d{{4}}-\d{{2}}-\d{{2}})', html)
        if m:
            return m.group(1)
    return None


#: The options of every render: PDF/UA-1 (tagged), no attachments.
_PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True, "attachments": None}


@contextlib.contextmanager
def _weasyprint_run(print_html: str, source_date: Any):
    """For the duration: SOURCE_DATE_EPOCH set (unless the environment sets it) and WeasyPrint's
    warnings collected (the collector is yielded)."""
    epoch_date = source_date if source_date is not None else _meta_date(print_html)
    env_before = os.environ.get("SOURCE_DATE_EPOCH")
    if env_before is None:
        os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch(epoch_date) if epoch_date else 0)
    collector = _Collector()
    wp_logger = logging.getLogger("weasyprint")
    old_level = wp_logger.level
    wp_logger.addHandler(collector)
    if wp_logger.getEffectiveLevel() > logging.WARNING:
        wp_logger.setLevel(logging.WARNING)
    try:
        yield collector
    finally:
        wp_logger.removeHandler(collector)
        wp_logger.setLevel(old_level)
        if env_before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)


def _assets_folder(assets_dir: Path) -> Path:
    """``assets_dir`` resolved: the PDF's base URL and the root of what it may load."""
    assets_dir = Path(assets_dir).resolve()
    if not assets_dir.is_dir():
        raise RenderError(f"assets folder {assets_dir} does not exist")
    return assets_dir


def _raise_problems(problems: list[str]) -> None:
    if problems:
        raise RenderError("WeasyPrint reported:\n  " + "\n  ".join(problems))


def _laid_out(print_html: str, assets_dir: Path, fetcher, fatal, cache: dict):
    """WeasyPrint's layout of ``print_html`` (a Document), attachments refused."""
    from weasyprint import HTML

    html = HTML(string=print_html, base_url=assets_dir.as_uri() + "/", url_fetcher=fetcher)
    attachments = [
        el.tag
        for el in html.wrapper_element.etree_element.iter()
        if "attachment" in (el.get("rel") or "").lower().split()
    ]
    if attachments:
        raise BlockedFetchError(
            f"the HTML asks for {len(attachments)} attachment(s) "
            f"(<{attachments[0]} rel=attachment>): attachments are not allowed"
        )
    try:
        return html.render(cache=cache, **_PDF_OPTIONS)
    except fatal as exc:  # a BaseException: turn it into an ordinary, clear error
        raise BlockedFetchError(str(exc)) from None


@dataclass
class Layout:
    """A PDF laid out before its charts were drawn: see :func:`layout_pdf`."""

    print_html: str
    assets_dir: Path
    allowed_dirs: tuple[Path, ...]
    source_date: Any
    document: Any  # weasyprint.Document
    stand_ins: dict[str, Any]  # URL -> WeasyPrint's image made from the stand-in served for it
    problems: list[str]
    outcome: str = "not used yet"  # set by write_pdf: used, or why not


def layout_pdf(
    print_html: str,
    assets_dir: Path = TEMPLATES_DIR,
    *,
    charts: dict,
    source_date: Any = None,
    allowed_dirs=(),
) -> Layout:
    """Lay ``print_html`` out before its charts exist, knowing only their sizes.

    The layout of a page depends on an image's size, not on what it shows, and WeasyPrint only
    draws the images when it writes the PDF. So the PDF step can lay the paper out (about half of
    its time) while the charts are still being drawn: ``charts`` maps each chart file to its
    ``[width, height]`` in points (:func:`surveypaper.charts.chart_size_pt`), and each is laid
    out as an empty SVG of that size. :func:`write_pdf` given this layout puts the drawn charts
    in their place, after checking that each has the size assumed, and lays the paper out again
    from the start if any differs: the PDF is byte for byte the one a plain render gives.
    """
    assets_dir = _assets_folder(assets_dir)
    fetcher, fatal = _make_fetcher(assets_dir, allowed_dirs, stand_ins=charts)
    cache: dict = {}  # WeasyPrint's images by URL: the stand-ins among them
    with _weasyprint_run(print_html, source_date) as collector:
        document = _laid_out(print_html, assets_dir, fetcher, fatal, cache)
    return Layout(
        print_html=print_html,
        assets_dir=assets_dir,
        allowed_dirs=tuple(Path(d).resolve() for d in allowed_dirs),
        source_date=source_date,
        document=document,
        stand_ins={url: cache.get(url) for url in fetcher.stood_in},
        problems=list(collector.problems),
    )


def _put_charts_in(layout: Layout, fetcher) -> str | None:
    """Replace the stand-ins of ``layout`` by the drawn charts; why not, or None once done.

    Each stand-in is an SVG image WeasyPrint made during the layout (with its own fonts and
    fetcher): it is made again, in place, from the drawn chart, with WeasyPrint's own constructor
    and the same fonts and fetcher, so that every box laid out around it draws the chart.
    """
    from xml.etree import ElementTree

    from weasyprint import __version__
    from weasyprint.images import SVGImage
    from weasyprint.urls import fetch

    for url, image in layout.stand_ins.items():
        if type(image) is not SVGImage or not all(hasattr(image, a) for a in ("_url_fetcher", "_context")):
            return f"WeasyPrint {__version__} made a {type(image).__name__} of {url}"
        with fetch(fetcher, url) as response:
            tree = ElementTree.fromstring(response.read())
        drawn = SVGImage(tree, url, image._url_fetcher, image._context)
        probe = (96, 16)  # resolution and font size: the charts' sizes are in points, they change nothing
        if drawn.get_intrinsic_size(*probe) != image.get_intrinsic_size(*probe):
            return f"{Path(urlsplit(url).path).name} is not the size assumed"
        image.__dict__.update(drawn.__dict__)
    return None


def write_pdf(
    print_html: str,
    out_path: Path,
    assets_dir: Path = TEMPLATES_DIR,
    *,
    source_date: Any = None,
    allowed_dirs=(),
    layout: Layout | None = None,
) -> Path:
    """Render ``print_html`` (from :func:`build_html` ``variant="print"``) to a PDF at ``out_path``.

    Relative URLs resolve against ``assets_dir`` (normally ``templates/``, whose ``fonts/`` the
    print CSS loads), and only ``data:`` URLs and files inside it may be loaded: any other fetch
    raises :class:`BlockedFetchError`; ``allowed_dirs`` adds folders whose files may be loaded
    too (the build's charts, linked from the print HTML). Any WeasyPrint warning or error raises
    :class:`RenderError`. The PDF is PDF/UA-1, tagged, A4 (from the CSS), and deterministic:
    ``SOURCE_DATE_EPOCH`` comes from the environment, else ``source_date``, else the HTML's
    ``dcterms.modified``/``dcterms.created`` date. The file is written beside ``out_path`` and
    moved into place with ``os.replace``; on failure the old file is untouched.

    ``layout``, from :func:`layout_pdf` on the same HTML and folders, is used if it still holds
    (see there); its ``outcome`` then says whether it was, or why not (for the build's log).
    """
    out_path = Path(out_path)
    assets_dir = _assets_folder(assets_dir)
    fetcher, fatal = _make_fetcher(assets_dir, allowed_dirs)
    allowed = tuple(Path(d).resolve() for d in allowed_dirs)
    if layout is not None:
        if (layout.print_html, layout.assets_dir, layout.allowed_dirs, layout.source_date) != (
            print_html,
            assets_dir,
            allowed,
            source_date,
        ):
            why_not = "it was made for another HTML or other folders"
        else:
            try:
                why_not = _put_charts_in(layout, fetcher)
            except (Exception, fatal) as exc:  # a chart missing or unreadable: the render below reports it
                why_not = f"{type(exc).__name__}: {exc}"
        layout.outcome = "used" if why_not is None else f"not used: {why_not}"
        if why_not is not None:
            layout = None

    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    tmp = Path(tmp_name)
    try:
        with _weasyprint_run(print_html, source_date) as collector:
            if layout is None:
                document = _laid_out(print_html, assets_dir, fetcher, fatal, {})
            else:
                document = layout.document
                collector.problems[:0] = layout.problems
            _raise_problems(collector.problems)
            with os.fdopen(fd, "wb") as fh:
                fd = -1
                document.write_pdf(fh, **_PDF_OPTIONS)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; a published PDF is world-readable
            _raise_problems(collector.problems)
        os.replace(tmp, out_path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    return out_path
