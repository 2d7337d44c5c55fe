"""Statistics: half-up percentages of those who answered, follow-ups, themes, sets, changes."""

import pytest
from surveypaper.project import ingest
from surveypaper.questionnaire import load
from surveypaper.states import load_themes
from surveypaper.stats import compute, pct_half_up


@pytest.mark.parametrize(
    "k, n, expected", [(42, 50, 84), (1, 8, 13), (26, 53, 49), (41, 53, 77), (1, 3, 33), (2, 3, 67), (0, 5, 0)]
)
def test_round_half_up(k, n, expected):
    assert pct_half_up(k, n) == expected


def test_no_answers_is_none_not_nan():
    assert pct_half_up(0, 0) is None


def test_tiny_round(tiny_raw):
    stats = compute(load(tiny_raw / "questionnaire.yaml"), load_themes(tiny_raw / "themes.yaml"), ingest(tiny_raw))
    r = stats["rounds"]["2008"]
    assert stats["current"] == "2008" and stats["previous"] == "2007"
    assert r["respondents"] == ["ARG", "NLD", "NOR"]
    plan = r["questions"]["plan"]
    assert plan["counts"] == {"yes": 1, "no": 2} and plan["pct"] == {"yes": 33, "no": 67}
    assert plan["states"]["no"] == ["NLD", "NOR"]
    follow = r["questions"]["plan_intended"]
    assert follow["applicable"] == 2 and follow["answered"] == 2 and follow["counts"]["yes"] == 1
    freq = r["questions"]["freq"]
    assert freq["answered"] == 2 and freq["blank"] == 1 and freq["states"]["blank"] == ["NLD"]
    assert r["themes"]["diaspora"] == ["ARG"]
    assert r["sets"]["plan_or_intended"] == ["ARG", "NLD"]
    assert stats["changes"]["questions"]["plan"] == {"answered_both": 2, "no_to_yes": ["ARG"], "yes_to_no": []}
    assert (
        "freq" not in stats["rounds"]["2007"]["questions"]
        or stats["rounds"]["2007"]["questions"]["freq"]["answered"] == 0
    )


def test_question_nobody_answered_says_no_answer(tiny_raw, tmp_path):
    """A question nobody answered: pct is None in stats, 'n/a' in prose, 'no answers' in its chart."""
    from surveypaper.charts import draw_charts
    from surveypaper.filters import pct, pct_words

    for name in ("ARG", "NOR"):
        path = tiny_raw / f"responses/2008/{name}.yaml"
        path.write_text(path.read_text().replace("freq: monthly", "").replace("freq: daily", ""))
    q = load(tiny_raw / "questionnaire.yaml")
    stats = compute(q, load_themes(tiny_raw / "themes.yaml"), ingest(tiny_raw))
    freq = stats["rounds"]["2008"]["questions"]["freq"]
    assert freq["answered"] == 0 and freq["blank"] == 3 and set(freq["pct"].values()) == {None}
    assert pct(freq["pct"]["daily"]) == "n/a" and pct_words(None) == "n/a"
    manifest = {c["key"]: c for c in draw_charts(stats, q.as_dict(), tmp_path)}
    svg = (tmp_path / "freq.svg").read_text(encoding="utf-8")
    assert "nan" not in svg.lower() and "nan" not in manifest["freq"]["alt"].lower()
    assert "no" in manifest["freq"]["alt"].lower() and "answer" in manifest["freq"]["alt"].lower()
