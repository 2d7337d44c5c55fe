"""The filters editors use: number words, percentages, lists of States, quantity words."""

import pytest
from markupsafe import Markup
from surveypaper.filters import cap, fits, k_of_n, md_escape, pct, pct_words, quantity, states, words
from surveypaper.printing import NothingToPrint, Percent, PrintProblem, WrongKind
from surveypaper.states import State


def st(code, name, article=""):
    return State(sort_key=name.casefold(), code=code, short=name, article=article)


def test_words_and_capitals():
    assert words(53) == "fifty-three"
    assert cap(words(53)) == "Fifty-three"
    assert cap(pct_words(Percent(84))) == "Eighty-four percent"
    assert cap("the Netherlands") == "The Netherlands"


def test_percent_and_missing():
    assert pct(Percent(77)) == "77%"
    assert pct(None) == "n/a" and pct_words(None) == "n/a"


def test_k_of_n():
    class Q:
        yes, answered = 26, 53

    assert k_of_n(Q) == "26 out of 53"


def test_states_joined_with_articles():
    items = [st("COL", "Colombia"), st("EGY", "Egypt"), st("PHL", "Philippines", "the")]
    assert states(items) == "Colombia, Egypt and the Philippines"
    assert states(items, oxford=True) == "Colombia, Egypt, and the Philippines"
    assert states(items[:2]) == "Colombia and Egypt"
    assert states(items[:1]) == "Colombia"
    assert states([], none="no State") == "no State"


def test_states_sort_by_name_without_article():
    items = sorted([st("NLD", "Netherlands", "the"), st("MUS", "Mauritius"), st("ISR", "Israel")])
    assert [s.name for s in items] == ["Israel", "Mauritius", "the Netherlands"]


def test_names_are_escaped_for_markdown():
    assert states([st("XXX", "*Evil* <b>")]) == r"\*Evil\* \<b\>"
    assert md_escape("a\nb [x](y)") == Markup(r"a b \[x\](y)")


@pytest.mark.parametrize(
    "share, prefer, expected",
    [
        (49, "approximately half", "approximately half"),
        (60, "just over half", "just over half"),
        (77, "a majority", "a majority"),
        (67, "a majority", "a majority"),
        (73, "most", "most"),
        (90, "a vast majority", "a vast majority"),
        (45, "a vast majority", "approximately half"),  # the editor's word does not fit: the data wins
        (30, None, "less than half"),
        (100, None, "all"),
    ],
)
def test_quantity_words(share, prefer, expected):
    assert quantity(Percent(share), prefer) == expected


def test_quantity_rejects_unknown_word_and_fits():
    with pytest.raises(ValueError, match="unknown quantity word"):
        quantity(Percent(50), "loads")
    assert fits("a vast majority", 90) and not fits("a vast majority", 45)


@pytest.mark.parametrize(
    "share, prefer, noun, expected",
    [
        (73, "most", "States", "most States"),
        (55, "most", "States", "just over half of States"),  # the data picked another word: still grammatical
        (77, "a majority", "States", "a majority of States"),
        (90, "a vast majority", "the respondents", "a vast majority of the respondents"),
        (70, "a vast majority", "the respondents", "a majority of the respondents"),
        (100, None, "the respondents", "all of the respondents"),
        (100, None, "States", "all States"),
    ],
)
def test_quantity_phrase_stays_grammatical(share, prefer, noun, expected):
    assert quantity(Percent(share), prefer, noun=noun) == expected


# --- a unit applied to the wrong kind of value is an error, not a wrong figure ----------------------


@pytest.mark.parametrize(
    "call, value, says",
    [
        (pct, 53, "not a count (53)"),  # `survey.n | pct` would print "53%"
        (pct_words, 26, "not a count (26)"),
        (quantity, 40, "not a count (40)"),
        (words, Percent(49), "write `| pct_words`"),
        (words, "fifty", "a number (a count"),
        (k_of_n, 53, "a question"),
        (states, "Chile", "a list of States"),
        (states, 53, "a list of States"),
    ],
)
def test_unit_filters_reject_the_wrong_kind_of_value(call, value, says):
    with pytest.raises(WrongKind) as info:
        call(value)
    assert says in str(info.value)


def test_an_empty_list_of_states_prints_nothing_only_when_asked():
    empty = states([])
    assert isinstance(empty, NothingToPrint) and not empty
    assert isinstance(cap(empty), NothingToPrint)  # `| states | cap` still reports it
    with pytest.raises(PrintProblem, match="the list of States is empty"):
        str(empty)
    assert states([], none="none of them") == "none of them"
