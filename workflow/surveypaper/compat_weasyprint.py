"""Every reliance on WeasyPrint's internals, in one place; each has a fallback and a canary test.

The PDF laid out ahead (:func:`surveypaper.pdf.layout_pdf`) lays each chart out as an empty SVG of
its size, then puts the drawn chart into the image object WeasyPrint made for it. That object has
no public way to be made again: :func:`redrawn` builds a new ``SVGImage`` from the drawn chart with
the URL fetcher and the rendering context of the stand-in (``_url_fetcher``, ``_context``: private
attributes), and :func:`swap` copies its state into the stand-in, so that every box laid out
around it draws the chart. Fallback: when WeasyPrint made something else, or those attributes or
that constructor changed, :func:`redrawn` says why and the PDF is laid out again from the start
(the same bytes as a plain render, only slower). ``tests/test_compat.py`` fails when that happens.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PRIVATE_ATTRIBUTES", "redrawn", "swap"]

#: What a stand-in must carry for :func:`redrawn` to make the chart as WeasyPrint would.
PRIVATE_ATTRIBUTES = ("_url_fetcher", "_context")


def redrawn(image: Any, tree, url: str) -> tuple[Any | None, str | None]:
    """(a new image of ``tree`` made as ``image`` was, None) or (None, why it cannot be made)."""
    from weasyprint import __version__
    from weasyprint.images import SVGImage

    if type(image) is not SVGImage or not all(hasattr(image, a) for a in PRIVATE_ATTRIBUTES):
        return None, f"WeasyPrint {__version__} made a {type(image).__name__} of {url}"
    try:
        return SVGImage(tree, url, image._url_fetcher, image._context), None
    except TypeError as exc:  # the constructor's signature changed
        return None, f"WeasyPrint {__version__}'s SVGImage: {exc}"


def swap(image: Any, drawn: Any) -> None:
    """Make ``image`` (laid out already) draw what ``drawn`` draws."""
    image.__dict__.update(drawn.__dict__)
