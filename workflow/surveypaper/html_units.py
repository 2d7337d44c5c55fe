"""The redline's view of the paper's HTML: tokens (tags, words, spaces) and the blocks compared whole.

The HTML is the paper renderer's own (:mod:`surveypaper.markdown_html`): well-formed, every ``<``
in text escaped, so a regular tokenizer is exact on it. :func:`split_units` cuts the token stream
into leaf blocks (paragraphs, headings, table rows, list items, notes, charts) and structural tags,
which :mod:`surveypaper.redline` aligns and merges.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "BLOCK",
    "FUNCTION_WORDS",
    "HEADINGS",
    "ID_ATTR",
    "PHRASING_ONLY",
    "REQUIRED_PARENT",
    "STRUCTURAL",
    "VOID",
    "Unit",
    "is_junk",
    "is_space",
    "is_text",
    "match_tags",
    "split_units",
    "tag_of",
    "text_of",
    "tokenize",
]

_TOKEN = re.compile(
    r"(<[^>]*>)"  # a tag (the renderer escapes every < in text)
    r"|(\s+)"  # whitespace
    r"|(&(?:#\d+|#x[0-9A-Fa-f]+|\w+);"  # an entity, or a word: hyphenated, with apostrophes,
    r"|\w+(?:[-'’.,]\w+)*%?)"  # decimal points or thousands separators, and a % sign
    r"|(.)",  # any other character (punctuation)
    re.DOTALL,
)
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9]*)")
ID_ATTR = re.compile(r'\s+id="[^"]*"')

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
BLOCK = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
# Compared as one unit even though block elements sit inside them (cells of a row, a chart's caption).
FORCED_LEAF = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "figure", "pre", "dt", "dd", "hr"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Where an element may stand (only what the renderer produces needs to be right).
REQUIRED_PARENT = {
    "li": {"ul", "ol"},
    "tr": {"table", "thead", "tbody", "tfoot"},
    "td": {"tr"},
    "th": {"tr"},
    "thead": {"table"},
    "tbody": {"table"},
    "tfoot": {"table"},
    "dt": {"dl"},
    "dd": {"dl"},
    "figcaption": {"figure"},
    "summary": {"details"},
}
STRUCTURAL = frozenset({"ul", "ol", "table", "thead", "tbody", "tfoot", "tr", "dl"})
PHRASING_ONLY = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "span",
        "a",
        "em",
        "strong",
        "sup",
        "sub",
        "code",
        "del",
        "ins",
        "s",
        "b",
        "i",
        "small",
        "label",
        "abbr",
        "cite",
        "q",
        "mark",
    }
)


def tokenize(text: str) -> list[str]:
    """HTML split into tags, whitespace runs, words (entities included) and single characters."""
    return [m.group(0) for m in _TOKEN.finditer(text)]


def tag_of(tok: str) -> tuple[str, bool] | None:
    """(name, is_closing) for a tag token, None for text."""
    if not tok.startswith("<"):
        return None
    m = _TAG.match(tok)
    if not m:
        return None
    return m.group(2).lower(), bool(m.group(1))


def is_text(tok: str) -> bool:
    return tag_of(tok) is None


def is_space(tok: str) -> bool:
    return tok.isspace()


#: Words that may not anchor a match on their own (they still match next to a real word), so that
#: "the Netherlands and Norway" → "the Netherlands, Norway and Peru" reads as "and" → "," and
#: "+ and Peru", not as "+ , Norway" and "Norway" → "Peru".
FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "with",
        ",",
        ";",
        ":",
    ]
)


def is_junk(tok: str) -> bool:
    return tok.isspace() or tok.lower() in FUNCTION_WORDS


def match_tags(toks: list[str]) -> dict[int, int]:
    """For each open tag whose close is in ``toks`` (properly nested), the index of its close."""
    stack: list[tuple[str, int]] = []
    pairs: dict[int, int] = {}
    for i, t in enumerate(toks):
        tag = tag_of(t)
        if tag is None:
            continue
        name, closing = tag
        if name in VOID and not closing:
            continue
        if not closing:
            stack.append((name, i))
            continue
        # pop to the matching open tag; anything opened after it and never closed is unmatched
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][0] == name:
                pairs[stack[depth][1]] = i
                del stack[depth:]
                break
        else:
            stack.clear()  # a close with no open: nothing before it can balance across it
    return pairs


def text_of(toks: Iterable[str]) -> str:
    """Visible text: tags dropped, entities decoded, whitespace folded."""
    return " ".join(html.unescape("".join(t for t in toks if is_text(t))).split())


@dataclass
class Unit:
    """A block compared as a whole: a leaf element (paragraph, heading, row, note, chart) or a
    structural tag on its own (``<ul>``, ``</table>``), with the whitespace after it."""

    toks: list[str]
    name: str  # the element's tag name; "" for loose text
    leaf: bool
    key: str = ""
    words: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.key = "".join(self.toks)
        self.words = [t for t in self.toks if is_text(t) and not is_space(t)]


def split_units(toks: list[str]) -> list[Unit]:
    """Cut a token stream into blocks: leaf elements whole, structural tags one by one."""
    pairs = match_tags(toks)
    units: list[Unit] = []
    i, n = 0, len(toks)
    loose: list[str] = []

    def flush_loose():
        if loose:
            if units and all(is_space(t) for t in loose):
                units[-1].toks.extend(loose)
                units[-1].__post_init__()
            else:
                units.append(Unit(list(loose), "", True))
            loose.clear()

    while i < n:
        t = toks[i]
        tag = tag_of(t)
        if tag is None or tag[0] not in BLOCK:
            loose.append(t)
            i += 1
            continue
        flush_loose()
        name, closing = tag
        end = pairs.get(i)
        if not closing and name in VOID:
            units.append(Unit([t], name, True))
            i += 1
            continue
        if not closing and end is not None:
            inner = toks[i + 1 : end]
            has_block = any((tg := tag_of(x)) is not None and tg[0] in BLOCK for x in inner)
            if name in FORCED_LEAF or not has_block:
                units.append(Unit(toks[i : end + 1], name, True))
                i = end + 1
                continue
        units.append(Unit([t], name, False))
        i += 1
    flush_loose()
    return units
