"""Numbers as the paper writes them: percentages rounded half up, and numbers written in words.

One place for both, so that the stats, `paper check` and the typed-figure lint agree: a
percentage is ``100 * k / n`` rounded half up (42/50 -> 84, 1/8 -> 13), and "fifty-three",
"a hundred" or "one hundred and ninety-three" are read as the ``words`` filter writes them
(num2words, British "and").
"""

from __future__ import annotations

import re

__all__ = ["NUMBER_WORDS", "parse_number", "pct_half_up"]


def pct_half_up(k: int, n: int) -> int | None:
    """k/n as a whole percent, rounded half up (42/50 -> 84, 1/8 -> 13); None when n is 0."""
    if n <= 0:
        return None
    return (200 * k + n) // (2 * n)


_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORD_VALUE = {w: i for i, w in enumerate(_UNITS)} | {w: 10 * i for i, w in enumerate(_TENS) if w}
_BELOW_100 = (
    rf"(?:{'|'.join(w for w in _TENS if w)})(?:[-\s](?:{'|'.join(_UNITS[1:10])}))?|"
    rf"{'|'.join(sorted(_UNITS[1:], key=len, reverse=True))}"
)
#: A number from one to 999 in words: "fifty-three", "a hundred", "one hundred and ninety-three".
NUMBER_WORDS = rf"(?:(?:(?:a|{'|'.join(_UNITS[1:10])})\s+)?hundred(?:\s+(?:and\s+)?(?:{_BELOW_100}))?|{_BELOW_100})"


def parse_number(text: str) -> int | None:
    """'53', 'fifty-three', 'Fifty three', 'a hundred', 'one hundred and ninety-three' -> int; else None."""
    t = " ".join(text.lower().replace("-", " ").split())
    if re.fullmatch(r"\d{1,3}(?:,\d{3})*", t):
        return int(t.replace(",", ""))
    words = [w for w in t.split() if w != "and"]
    if words[:2] == ["a", "hundred"]:
        words = words[1:]
    total = 0
    for word in words:
        if word == "hundred":
            if total >= 100:
                return None
            total = (total or 1) * 100
        elif word in _WORD_VALUE:
            total += _WORD_VALUE[word]
        else:
            return None
    return total if words else None
