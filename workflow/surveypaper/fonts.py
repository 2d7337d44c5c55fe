"""The PDF's fonts: which ``@font-face`` rules a paper needs, where a packaged font lives, what is missing.

The print CSS (``templates/css/fonts.css``) declares the paper's faces. Those for one script only
(Arabic, CJK) carry a ``unicode-range``; WeasyPrint reads every ``@font-face`` file it is given,
whatever the text (19.5 MB for the CJK collection, 0.1-0.3 s), so :func:`faces_for_text` keeps
such a rule only when the paper has a character in its range: the paper in English never loads
them. A face may come from an installed Python package rather than from ``templates/fonts/``:
``url("package:noto_cjk_sans_otc/NotoSansCJK-Regular.ttc")`` names a font file inside the package
``noto_cjk_sans_otc`` (:func:`package_font`), the only kind of file outside the allowed folders
the PDF's URL fetcher loads.

When no font has a character, WeasyPrint draws a box (".notdef") and warns once per glyph.
:func:`notdef_characters` reads those warnings back, and :func:`missing_glyph_problems` turns
them into the usual problem table, one row per respondent's text that holds them.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

__all__ = [
    "FONT_SUFFIXES",
    "PACKAGE_SCHEME",
    "faces_for_text",
    "missing_glyph_problems",
    "notdef_characters",
    "package_font",
    "parse_unicode_range",
]

#: The URL scheme of a font file inside an installed Python package.
PACKAGE_SCHEME = "package"

#: What a ``package:`` URL may name: font files, nothing else.
FONT_SUFFIXES = frozenset({".ttf", ".otf", ".ttc", ".otc", ".woff", ".woff2"})

_FONT_FACE = re.compile(r"@font-face\s*\{[^{}]*\}", re.IGNORECASE)
_UNICODE_RANGE = re.compile(r"unicode-range\s*:\s*([^;}]*)", re.IGNORECASE)
_RANGE_ITEM = re.compile(r"^U\+([0-9A-F?]{1,6})(?:-([0-9A-F]{1,6}))?$", re.IGNORECASE)

#: WeasyPrint's warning for a glyph no font has (weasyprint/draw/text.py).
_NOTDEF = re.compile(r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(.+)" \(U\+([0-9A-F]+)\)')


def parse_unicode_range(value: str) -> list[tuple[int, int]]:
    """The code point intervals of a CSS ``unicode-range`` value (``U+0600-06FF, U+4??``)."""
    ranges = []
    for item in value.split(","):
        item = item.strip()
        m = _RANGE_ITEM.match(item)
        if not m:
            raise ValueError(f"not a unicode-range: {item!r}")
        start, end = m.group(1), m.group(2)
        if "?" in start:
            if end or not re.fullmatch(r"[0-9A-F]*\?+", start, re.IGNORECASE):
                raise ValueError(f"not a unicode-range: {item!r}")
            ranges.append((int(start.replace("?", "0"), 16), int(start.replace("?", "F"), 16)))
        else:
            ranges.append((int(start, 16), int(end or start, 16)))
    return ranges


def faces_for_text(css: str, text: str) -> str:
    """``css`` without the ``@font-face`` rules whose ``unicode-range`` no character of ``text`` is in.

    Rules without a ``unicode-range`` (the paper's own face) stay. What is dropped would not be
    used for this text anyway (WeasyPrint gives such a face only the characters of its range),
    only loaded.
    """
    used = {ord(c) for c in set(text) if ord(c) > 0x7F}

    def keep(m: re.Match) -> str:
        declared = _UNICODE_RANGE.search(m.group(0))
        if declared is None:
            return m.group(0)
        ranges = parse_unicode_range(declared.group(1))
        return m.group(0) if any(lo <= cp <= hi for cp in used for lo, hi in ranges) else ""

    return _FONT_FACE.sub(keep, css)


def package_font(url: str) -> Path | None:
    """The font file a ``package:<package>/<file>`` URL names, or None if it names none.

    Only a file with a font suffix, inside the installed package's own folder (``..`` and symlinks
    resolved), is a font: anything else is None, and the fetcher refuses it.
    """
    scheme, _, rest = url.partition(":")
    if scheme.lower() != PACKAGE_SCHEME or "/" not in rest:
        return None
    package, _, name = rest.partition("/")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", package) or Path(name).suffix.lower() not in FONT_SUFFIXES:
        return None
    try:
        spec = importlib.util.find_spec(package)  # a top-level package: found, not imported
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        root = Path(folder).resolve()
        path = (root / name).resolve()
        if path.is_relative_to(root) and path.is_file():
            return path
    return None


def notdef_characters(messages: list[str]) -> str:
    """The characters WeasyPrint drew as a box, in order of first appearance, from its warnings."""
    seen: dict[str, None] = {}
    for message in messages:
        m = _NOTDEF.search(message)
        if m:
            seen.setdefault(chr(int(m.group(2), 16)), None)
    return "".join(seen)


#: How to add a font, for the problem table.
HOW_TO_ADD = (
    "characters a font of the paper has: put a font file that has them in templates/fonts/, "
    "declare it in templates/css/fonts.css (an @font-face with a family of its own and a "
    "unicode-range) and add that family to the font-family lists of templates/css/print.css "
    '(docs/editing.md, "Fonts")'
)


def missing_glyph_problems(chars: str, responses: dict | None) -> list:
    """One problem per respondent's text holding any of ``chars`` (State and question), or one for the paper's own text.

    ``responses`` is the build's ``responses.json`` (each response with ``source``, ``state``
    and ``comments``); without it, or if no comment holds the characters (they are the
    templates'), the row names the templates.
    """
    from .errors import Problem

    missing = set(chars)
    problems, found = [], set()
    for responses_of_round in ((responses or {}).get("rounds") or {}).values():
        for response in responses_of_round:
            for key, text in sorted((response.get("comments") or {}).items()):
                here = "".join(dict.fromkeys(c for c in str(text) if c in missing))
                if here:
                    found.update(here)
                    file, _, row = str(response.get("source") or "raw/responses").partition(":")
                    problems.append(
                        Problem(
                            file=file,
                            where=f"{response.get('state')}, comments.{key}" + (f" (row {row})" if row else ""),
                            value=here,
                            expected=HOW_TO_ADD,
                        )
                    )
    rest = "".join(c for c in chars if c not in found)
    if rest:
        problems.append(Problem(file="templates/", where="the paper's own text", value=rest, expected=HOW_TO_ADD))
    return problems
