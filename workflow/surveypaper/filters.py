"""The filters editors use in templates: number words, percentages, lists of States, quantity words."""

from __future__ import annotations

import re

from jinja2 import Undefined
from markupsafe import Markup

from .printing import EMPTY_STATES_HINT, NothingToPrint, Percent, WrongKind

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

    if isinstance(_defined(n), Percent):
        raise WrongKind("words", n, "a count", "write `| pct_words` for a percentage in words")
    if isinstance(n, bool) or not isinstance(n, (int, float)):
        instead = "write `| length | words` for how many States a list holds" if _is_list(n) else ""
        instead = instead or _question_hint(n)
        raise WrongKind("words", n, "a number (a count such as `survey.n` or `<list> | length`)", instead)
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
    if isinstance(text, NothingToPrint):
        return text  # the print guard reports it with the expression
    s = str(text)
    out = s[:1].upper() + s[1:]
    return Markup(out) if isinstance(text, Markup) else out


def pct(value) -> str:
    """A percentage in figures: 84 -> '84%'; no answers -> 'n/a'."""
    value = _pct_of(value, "pct")
    return "n/a" if value is None else f"{value}%"


def pct_words(value) -> str:
    """A percentage in words: 84 -> 'eighty-four percent'."""
    value = _pct_of(value, "pct_words")
    return "n/a" if value is None else f"{words(int(value))} percent"


def k_of_n(question) -> str:
    """'26 out of 53' for a question view (yes out of those who answered) or one of its answers (`q.top`)."""
    k = getattr(_defined(question), "count", None)
    if not ((hasattr(question, "yes") or k is not None) and hasattr(question, "answered")) or _is_list(question):
        raise WrongKind("k_of_n", question, "a question (`survey.q.<key>`) or one of its answers (`q.top`)")
    return f"{question.yes if k is None else k} out of {question.answered}"


def states(items, oxford: bool = False, none: str | None = None) -> Markup:
    """Names joined with commas and 'and': 'Colombia, Egypt and the Philippines'.

    An empty list prints `none` ("no State", say); without `none` it is an error, not "".
    """
    if isinstance(_defined(items), (str, bytes)) or not _is_list(items):
        raise WrongKind("states", items, "a list of States (`survey.q.<key>.states_yes`, `survey.themes.<code>` ...)")
    return join_and(items, oxford, none, what="the list of States is empty", hint=EMPTY_STATES_HINT)


def join_and(items, oxford: bool = False, none: str | None = None, *, what: str = "", hint: str = "") -> Markup:
    """Any list joined with commas and 'and' (a question's answers: `q.ranked[:3] | join_and`).

    An empty list prints `none`; without `none` it is an error, not "".
    """
    if isinstance(_defined(items), (str, bytes)) or not _is_list(items):
        raise WrongKind("join_and", items, "a list")
    names = [md_escape(getattr(s, "name", s)) for s in items]
    if not names:
        if none is not None:
            return md_escape(none)
        return NothingToPrint(
            what or "the list is empty",
            hint
            or 'Guard it with `{{% if {expr} %}}...{{% endif %}}`, or say what to print: `| join_and(none="none")`',
        )
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


def _defined(value):
    """An undefined name reports itself (with "did you mean") before a filter judges its kind."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    return value


def _is_list(value) -> bool:
    return isinstance(value, (list, tuple, set, frozenset))


def _question_hint(value) -> str:
    if hasattr(value, "pcts") and hasattr(value, "yes"):
        return "write one of its figures: `.yes`, `.answered`, `.pct`"
    return ""


def _pct_of(value, filter_name: str = "quantity"):
    """The percentage of a question (its share answering yes) or a Percent; None when nobody answered."""
    if hasattr(_defined(value), "pcts") and hasattr(value, "pct"):
        value = value.pct
    if value is None or isinstance(value, Percent):
        return value
    instead = ""
    if isinstance(value, int) and not isinstance(value, bool):
        instead = "a count is not a share; write a question's `.pct` (`survey.q.<key>.pct`) or the question itself"
    raise WrongKind(filter_name, value, "a percentage (`survey.q.<key>.pct`) or a question (`survey.q.<key>`)", instead)


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
