"""The paper's Markdown as HTML fragments, in a screen and a print variant.

:func:`markdown_to_html` parses the paper's Markdown once (CommonMark, raw HTML off, tables,
footnotes) and renders it twice: a *screen* body whose footnotes are collected at the end and
linked both ways, and a *print* body whose footnotes sit at their call site as
``<span class="footnote">`` for WeasyPrint's ``float: footnote``. Headings get ids
(:func:`slugify`), a paragraph holding only a chart becomes a ``<figure>``, long lists of short
items are set in columns. The whole document around the fragments is :mod:`surveypaper.document`.

markdown-it is imported where it is used, so importing this module stays cheap.
"""

from __future__ import annotations

import base64
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, unquote, urlsplit

from .errors import RenderError

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = [
    "IMAGE_TYPES",
    "RenderedBody",
    "TocEntry",
    "Variant",
    "chart_name",
    "data_uri",
    "image_data_uri",
    "markdown_to_html",
    "slugify",
]

Variant = Literal["screen", "print"]

#: Image types an ``![alt](charts/x.svg)`` may point to, and their MIME types.
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


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


#: A bullet list of at least this many items, none longer than this many characters, is a list of
#: short names (the States): the HTML sets it in columns, the DOCX as a table (surveypaper.docx).
COMPACT_LIST_MIN_ITEMS = 12
COMPACT_LIST_MAX_CHARS = 32


def slugify(text: str) -> str:
    """A stable, ASCII, lower-case id for a heading: ``1. CONCEPTUAL FRAMEWORK`` → ``1-conceptual-framework``.

    The anchors plugin's own slug (GitHub's) keeps accents and runs ``2.1`` together (``21-...``);
    the paper's ids are ASCII, for URLs and PDF bookmarks, and ``2.1`` gives ``2-1-...``.
    """
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
    from mdit_py_plugins.anchors import anchors_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["table", "smartquotes"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=slugify)  # a repeat gets -1, -2, ...
    return md


def chart_name(src: str) -> str:
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


def image_data_uri(src: str, charts_dir: Path) -> str:
    """The ``data:`` URI of a chart referenced as ``charts/<name>`` (or ``<name>``)."""
    name = chart_name(src)
    root = charts_dir.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        raise RenderError(f"image {src!r} resolves outside {root}")
    if not path.is_file():
        raise RenderError(f"image {src!r}: {path} not found (charts not drawn yet?)")
    return data_uri(name, path.read_bytes())


def data_uri(name: str, data: bytes) -> str:
    """``data`` as a ``data:`` URI, its type from ``name``'s suffix (:data:`IMAGE_TYPES`)."""
    mime = IMAGE_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


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
        self._collect_toc()
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

    def _collect_toc(self) -> None:
        """The table of contents: every heading below the title, with the id the anchors plugin gave it."""
        self.toc: list[TocEntry] = [
            TocEntry(int(tok.tag[1]), tok.attrGet("id"), _inline_text(self.tokens[i + 1]))
            for i, tok in enumerate(self.tokens)
            if tok.type == "heading_open" and int(tok.tag[1]) >= 2
        ]

    # -- long lists of short items (a list of States) are set in columns ---------------------

    COMPACT_MIN_ITEMS = COMPACT_LIST_MIN_ITEMS
    COMPACT_MAX_CHARS = COMPACT_LIST_MAX_CHARS

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
            src = self.charts_href + quote(chart_name(src))
        elif self.charts_dir is not None:
            src = image_data_uri(src, self.charts_dir)
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
    ``-1`` etc. appended on repeats: mdit_py_plugins.anchors). Everything before the first ``##`` is the title block.
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
