"""The filters editors use in templates: number words, percentages, lists of States, quantity words."""

from __future__ import annotations

import re

from markupsafe import Markup

# One table defines the vocabulary: each quantity word and the range of percentages it may describe.
QUANTITY_WORDS: dict[str, tuple[int, int]] = {
    "less than half": (0, 44),
    "approximately half": (45, 55),
    "just over half": (51, 62),
    "a majority": (51, 89),
    "most": (60, 94),
    "a vast majority": (85, 99),
    "all": (100, 100),
}
# The word chosen when the editor states no preference (or theirs does not fit), by range.
DEFAULT_QUANTITY = [
    ((0, 44), "less than half"),
    ((45, 50), "approximately half"),
    ((51, 62), "just over half"),
    ((63, 84), "a majority"),
    ((85, 99), "a vast majority"),
    ((100, 100), "all"),
]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")


def md_escape(value) -> Markup:
    """Make text inert in Markdown: backslash-escape punctuation Markdown reads, fold line breaks."""
    if isinstance(value, Markup):
        return value
    text = " ".join(str(value).split())
    return Markup(_MD_SPECIAL.sub(r"\\\1", text))


def words(n) -> str:
    """A whole number in English words: 53 -> 'fifty-three' (4.5 -> 'four and a half')."""
    from num2words import num2words

    if isinstance(n, float) and not n.is_integer():
        return number_words(n)
    return num2words(int(n), lang="en")


def number_words(value) -> str:
    """Any number in words: 7 -> 'seven', 4.5 -> 'four and a half', 2.25 -> 'two point two five'."""
    from num2words import num2words

    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return num2words(value, lang="en")
    if value > 0 and value * 2 == int(value * 2):
        whole = int(value)
        return f"{num2words(whole, lang='en')} and a half" if whole else "a half"
    return num2words(value, lang="en")


def cap(text):
    """Upper-case the first letter only (keeps 'the Netherlands' -> 'The Netherlands')."""
    s = str(text)
    out = s[:1].upper() + s[1:]
    return Markup(out) if isinstance(text, Markup) else out


def pct(value) -> str:
    """A percentage in figures: 84 -> '84%'; no answers -> 'n/a'."""
    value = _pct_of(value)
    return "n/a" if value is None else f"{value}%"


def pct_words(value) -> str:
    """A percentage in words: 84 -> 'eighty-four percent'."""
    value = _pct_of(value)
    return "n/a" if value is None else f"{words(value)} percent"


def k_of_n(question) -> str:
    """'26 out of 53' for a question view (yes out of those who answered) or one of its answers (`q.top`)."""
    k = getattr(question, "count", None)
    return f"{question.yes if k is None else k} out of {question.answered}"


def states(items, oxford: bool = False) -> Markup:
    """Names joined with commas and 'and': 'Colombia, Egypt and the Philippines'."""
    return join_and(items, oxford)


def join_and(items, oxford: bool = False) -> Markup:
    """Any list joined with commas and 'and' (a question's answers: `q.ranked[:3] | join_and`)."""
    names = [md_escape(getattr(s, "name", s)) for s in items]
    if len(names) == 1:
        return names[0]
    return Markup(joined(names, oxford))


def joined(names: list[str], oxford: bool = False) -> str:
    """Texts joined with commas and 'and', as they are (no escaping: the caller's job)."""
    if len(names) <= 2:
        return " and ".join(names)
    comma = "," if oxford else ""
    return ", ".join(names[:-1]) + f"{comma} and {names[-1]}"


# Words that take a bare plural noun directly ("most States"); the others need "of".
_BARE_NOUN = {"most", "all"}


def quantity(value, prefer: str | None = None, noun: str | None = None) -> str:
    """The quantity word for a share: the preferred word if the share fits its range, else the default.

    With `noun`, the phrase stays grammatical whichever word the data picks: "most States",
    "a majority of States", "a vast majority of the respondents", "most of the respondents".
    """
    word = _quantity_word(value, prefer)
    if noun is None:
        return word
    if word in _BARE_NOUN and not noun.startswith("the "):
        return f"{word} {noun}"
    return f"{word} of {noun}"


def _quantity_word(value, prefer: str | None) -> str:
    p = _pct_of(value)
    if p is None:
        return "none"
    if prefer is not None:
        key = prefer.strip().lower()
        if key not in QUANTITY_WORDS:
            raise ValueError(f"unknown quantity word {prefer!r}; known: {', '.join(QUANTITY_WORDS)}")
        lo, hi = QUANTITY_WORDS[key]
        if lo <= p <= hi:
            return key
    return next(word for (lo, hi), word in DEFAULT_QUANTITY if lo <= p <= hi)


def fits(word: str, percentage: int) -> bool:
    """Whether a quantity word may describe a percentage (for `paper check`)."""
    lo, hi = QUANTITY_WORDS[word.lower()]
    return lo <= percentage <= hi


def _pct_of(value):
    return getattr(value, "pct", value)


FILTERS = {
    "words": words,
    "cap": cap,
    "pct": pct,
    "pct_words": pct_words,
    "k_of_n": k_of_n,
    "states": states,
    "join_and": join_and,
    "quantity": quantity,
}
