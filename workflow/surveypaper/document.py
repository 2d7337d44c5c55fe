"""The paper as a complete HTML document: the Jinja layout around the rendered Markdown.

:func:`build_html` wraps a body (:func:`surveypaper.markdown_html.markdown_to_html`) in the Jinja
layout (``templates/layout/``) with the CSS of ``templates/css/`` inlined (:func:`read_css`) and the
metadata of ``templates/paper.yaml`` in ``<head>``; the redline document uses the same layout
environment (:func:`layout_env`) and CSS.

jinja2 is imported where it is used, so importing this module stays cheap.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from markupsafe import Markup

from .errors import RenderError
from .markdown_html import Variant, markdown_to_html

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "CSS_FILES",
    "REQUIRED_META",
    "TEMPLATES_DIR",
    "build_html",
    "charts_href",
    "layout_env",
    "paper_properties",
    "promote_title",
    "read_css",
    "source_date_epoch",
]

#: The repository's ``templates/`` folder (layout, CSS, fonts, paper.yaml).
TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"

#: CSS files inlined into each variant, in cascade order (fonts, variables, page rules, ...).
CSS_FILES: dict[str, tuple[str, ...]] = {
    "screen": ("base.css", "screen.css"),
    "print": ("fonts.css", "base.css", "print.css"),
}


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


def layout_env(templates_dir: Path) -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir / "layout")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def read_css(templates_dir: Path, variant: Variant) -> str:
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


def paper_properties(meta: dict) -> dict[str, str]:
    """The document properties of ``meta`` (the parsed ``paper.yaml``) as strings: the HTML's
    ``<head>``, the PDF's and the DOCX's properties, the running head."""
    missing = [k for k in REQUIRED_META if k not in meta]
    if missing:
        raise RenderError(f"paper.yaml lacks {', '.join(missing)}")
    keywords = meta["keywords"]
    if not isinstance(keywords, str):
        keywords = ", ".join(str(k) for k in keywords)
    return {
        "title": str(meta["title"]),
        "subtitle": str(meta.get("subtitle") or ""),
        "author": str(meta["author"]),
        "subject": " ".join(str(meta["subject"]).split()),
        "keywords": keywords,
        "date": _iso_date(meta["date"]),
        "lang": str(meta["lang"]),
        "running_head": str(meta["running_head"]),
    }


def build_html(
    md: str,
    meta: dict,
    charts_dir: Path | None,
    variant: Variant,
    templates_dir: Path = TEMPLATES_DIR,
    *,
    charts_href: str | None = None,
    data_links: dict[str, str] | None = None,
) -> str:
    """A complete HTML document of the paper for ``variant`` (``"screen"`` or ``"print"``).

    ``meta`` is the parsed ``templates/paper.yaml``. The screen variant is one self-contained
    file (CSS and charts inline, a table of contents, notes at the end); the print variant is
    meant for :func:`write_pdf` (footnotes inline, fonts loaded from ``templates/fonts/``
    relative to the assets folder given to :func:`write_pdf`). With ``charts_href`` (see
    :func:`charts_href`) the print variant links its charts rather than inlining them.
    ``data_links`` (the screen variant's, from :func:`surveypaper.pipeline.screen_html`): the
    files of the data behind the paper, as the layout's ``data`` (name -> relative link).
    """
    if variant not in ("screen", "print"):
        raise ValueError(f"unknown variant {variant!r}: expected 'screen' or 'print'")
    page = paper_properties(meta)
    templates_dir = Path(templates_dir)
    body = markdown_to_html(md, charts_dir, charts_href=charts_href, variants=(variant,))
    title_block, html_body = body.for_variant(variant)
    title_block = promote_title(title_block, page["title"])
    css = read_css(templates_dir, variant)
    if variant == "print":  # the faces of scripts the paper does not use are not even loaded
        from .fonts import faces_for_text

        css = faces_for_text(css, "".join((title_block, html_body, *page.values())))
    env = layout_env(templates_dir)
    template = env.get_template(f"{variant}.html.j2")
    return template.render(
        paper=page,
        css=Markup(css),
        title_block=Markup(title_block),
        body=Markup(html_body),
        toc=body.toc,
        has_notes=body.footnote_count > 0,
        data=data_links or {},
    )
