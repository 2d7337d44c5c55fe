"""The print HTML as a PDF: WeasyPrint in a sandbox, and the layout made ahead of the charts.

- :func:`write_pdf` renders the print HTML (:func:`surveypaper.document.build_html`,
  ``variant="print"``) with WeasyPrint behind a fetcher that loads nothing but ``data:`` URLs and
  files inside the assets folder (and the folders it is given, such as the build's charts), turns
  renderer warnings into errors and replaces the PDF atomically;
- :func:`layout_pdf` lays the paper out ahead, while its charts are still being drawn, and
  :func:`write_pdf` given that layout puts the drawn charts in.

WeasyPrint is imported inside those two only, so importing this module stays cheap.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import compat_weasyprint
from .document import TEMPLATES_DIR, source_date_epoch
from .errors import RenderError
from .publish import atomic_file

__all__ = ["BlockedFetchError", "Layout", "MissingGlyphs", "RenderError", "layout_pdf", "write_pdf"]


class BlockedFetchError(RenderError):
    """The renderer was asked to load a resource outside the allowed assets."""


class MissingGlyphs(RenderError):
    """No font of the paper (nor of the system) has these characters: WeasyPrint drew boxes."""

    def __init__(self, chars: str, problems: list[str]):
        self.chars = chars
        super().__init__(f"no font has the characters {chars!r}: WeasyPrint reported:\n  " + "\n  ".join(problems))


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

    And one kind of file outside them: a font file inside an installed Python package, named by
    a ``package:<package>/<file>`` URL in the print CSS (:func:`surveypaper.fonts.package_font`).

    ``stand_ins`` maps files not drawn yet (the charts, see :func:`layout_pdf`) to their size in
    points: the fetcher answers for them with an empty SVG of that size, whether or not the file
    exists (an old chart may still be there while the new one is drawn).
    """
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    from .fonts import PACKAGE_SCHEME, package_font

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
            if scheme == PACKAGE_SCHEME:
                font = package_font(url)
                if font is None:
                    self._block(url, "not a font file of an installed package")
                return super().fetch(font.as_uri(), headers)
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
        from .fonts import notdef_characters

        chars = notdef_characters(problems)
        if chars:
            raise MissingGlyphs(chars, problems)
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
    and the same fonts and fetcher, so that every box laid out around it draws the chart
    (:mod:`surveypaper.compat_weasyprint`: WeasyPrint has no public way to do it).
    """
    from xml.etree import ElementTree

    from weasyprint.urls import fetch

    for url, image in layout.stand_ins.items():
        with fetch(fetcher, url) as response:
            tree = ElementTree.fromstring(response.read())
        drawn, why_not = compat_weasyprint.redrawn(image, tree, url)
        if drawn is None:
            return why_not
        probe = (96, 16)  # resolution and font size: the charts' sizes are in points, they change nothing
        if drawn.get_intrinsic_size(*probe) != image.get_intrinsic_size(*probe):
            return f"{Path(urlsplit(url).path).name} is not the size assumed"
        compat_weasyprint.swap(image, drawn)
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

    with _weasyprint_run(print_html, source_date) as collector:
        if layout is None:
            document = _laid_out(print_html, assets_dir, fetcher, fatal, {})
        else:
            document = layout.document
            collector.problems[:0] = layout.problems
        _raise_problems(collector.problems)
        with atomic_file(out_path) as fh:
            document.write_pdf(fh, **_PDF_OPTIONS)
            _raise_problems(collector.problems)  # a warning while writing: the old file stays
    return out_path
