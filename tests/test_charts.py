"""Annex III charts (surveypaper.charts): one deterministic SVG per closed question, alt text from the data."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from surveypaper.charts import alt_text, chart_manifest, closed_questions, draw_charts
from surveypaper.rounds import round_order

QUESTIONNAIRE = {
    "title": "Tiny",
    "sections": [
        {
            "key": "a",
            "title": "A",
            "questions": [
                {"key": "plan", "number": "1", "type": "yes_no", "short": "Has a national plan", "text": "?"},
                {
                    "key": "plan_intended",
                    "number": "1 (b)",
                    "type": "yes_no",
                    "short": "Intends a plan",
                    "asked_if": {"plan": "no"},
                    "text": "?",
                },
                {"key": "examples", "number": "2", "type": "text", "short": "Examples", "text": "?"},
            ],
        },
        {
            "key": "b",
            "title": "B",
            "questions": [
                {
                    "key": "freq",
                    "number": "3",
                    "type": "choice",
                    "short": "How often they meet",
                    "choices": ["monthly", "every 1-3 months", "less often"],
                    "text": "?",
                },
                {"key": "budget", "number": "4", "type": "yes_no", "short": "Budget line", "text": "?"},
                {"key": "only_2007", "number": "5", "type": "yes_no", "short": "Asked in 2007 only", "text": "?"},
            ],
        },
    ],
}


def yes_no(yes: int, no: int, blank: int = 0) -> dict:
    answered = yes + no
    pct = (
        {"yes": None, "no": None}
        if answered == 0
        else {"yes": int(yes * 100 / answered + 0.5), "no": int(no * 100 / answered + 0.5)}
    )
    return {
        "answered": answered,
        "blank": blank,
        "applicable": answered + blank,
        "counts": {"yes": yes, "no": no},
        "pct": pct,
        "states": {"yes": [], "no": []},
    }


def choice(counts: dict, blank: int = 0) -> dict:
    answered = sum(counts.values())
    return {
        "answered": answered,
        "blank": blank,
        "applicable": answered + blank,
        "counts": counts,
        "pct": {k: int(v * 100 / answered + 0.5) for k, v in counts.items()},
        "states": {},
    }


# "10" is the current round, "9" the previous one: round names sort as numbers, not text.
STATS = {
    "rounds": {
        "9": {
            "n": 45,
            "respondents": [],
            "questions": {
                "plan": yes_no(9, 36),
                "freq": choice({"monthly": 10, "every 1-3 months": 9, "less often": 11}),
                "budget": yes_no(0, 0, 4),
                "only_2007": yes_no(3, 4),
            },
        },
        "10": {
            "n": 53,
            "respondents": [],
            "questions": {
                "plan": yes_no(26, 27),
                "plan_intended": yes_no(10, 15, 2),
                "freq": choice({"monthly": 15, "every 1-3 months": 14, "less often": 12}),
                "budget": yes_no(0, 0, 3),
            },
        },
    },
    "changes": {},
}


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    out = tmp_path_factory.mktemp("charts")
    return out, draw_charts(copy.deepcopy(STATS), QUESTIONNAIRE, out)


def test_rounds_sort_as_numbers():
    assert round_order(STATS["rounds"]) == ["9", "10"]
    assert [q["key"] for q in closed_questions(QUESTIONNAIRE)] == [
        "plan",
        "plan_intended",
        "freq",
        "budget",
        "only_2007",
    ]


def test_one_chart_per_closed_question_of_the_current_round_in_questionnaire_order(drawn):
    out, manifest = drawn
    assert [c["key"] for c in manifest] == ["plan", "plan_intended", "freq", "budget"]
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{c['key']}.svg" for c in manifest)
    assert manifest[0] == {
        "key": "plan",
        "title": "Has a national plan",
        "file": "charts/plan.svg",
        "alt": "26 of 53 States (49%) answered yes, 27 (51%) no; in 9 9 of 45 (20%) yes.",
        "size_pt": [340.15748, 127.44],  # 120 mm wide; two rows of two bars
    }


def test_each_chart_is_the_size_the_manifest_says_before_it_is_drawn(drawn):
    """The PDF is laid out from these sizes while the charts are drawn (pdf.layout_pdf)."""
    out, manifest = drawn
    assert chart_manifest(copy.deepcopy(STATS), QUESTIONNAIRE) == manifest
    heights = set()
    for chart in manifest:
        root = ET.parse(out / f"{chart['key']}.svg").getroot()
        declared = [float(root.get(side).removesuffix("pt")) for side in ("width", "height")]
        assert declared == chart["size_pt"], chart["key"]
        heights.add(chart["size_pt"][1])
    assert len(heights) > 2  # rows with and without the previous round, with and without "no answer"


def test_alt_text_is_written_from_the_data(drawn):
    _, manifest = drawn
    alt = {c["key"]: c["alt"] for c in manifest}
    assert alt["plan_intended"] == "10 of 25 States (40%) answered yes, 15 (60%) no, 2 gave no answer."
    assert alt["freq"] == (
        "Of 41 States that answered in 10: 15 (37%) monthly, 14 (34%) every 1-3 months, 12 (29%) less often; "
        "in 9, of 30: 10 (33%) monthly, 9 (30%) every 1-3 months, 11 (37%) less often."
    )
    assert alt["budget"] == "No States answered this question in 10 (3 left it blank)."
    for text in alt.values():
        assert "nan" not in text.lower() and "None" not in text


def test_alt_text_example_from_the_brief():
    stats_2008, stats_2007 = yes_no(26, 27), yes_no(9, 36)
    q = {"key": "national_plan", "type": "yes_no"}
    assert alt_text(q, stats_2008, "2008", stats_2007, "2007") == (
        "26 of 53 States (49%) answered yes, 27 (51%) no; in 2007 9 of 45 (20%) yes."
    )


def test_svg_keeps_text_as_text_with_labels_counts_and_legend(drawn):
    out, _ = drawn
    svg = (out / "plan.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml")
    assert "<text" in svg and "Liberation Serif" in svg  # svg.fonttype none: no glyph paths
    assert '<use xlink:href="#DejaVu' not in svg
    for label in (
        "Q1. Has a national plan",
        "Yes",
        "No",
        "26 (49%)",
        "9 (20%)",
        "10 (n = 53)",
        "9 (n = 45)",
        "Number of States",
    ):
        assert label in svg, label
    # a question the previous round did not answer: no comparison, n in the label
    intended = (out / "plan_intended.svg").read_text(encoding="utf-8")
    assert "10, n = 25 States" in intended and "(n = " not in intended
    assert "No answer" in intended
    # choices are drawn over their labels
    freq = (out / "freq.svg").read_text(encoding="utf-8")
    assert "Every 1-3 months" in freq and "Less often" in freq
    assert len(svg) < 40_000


def test_a_question_nobody_answered_says_so(drawn):
    out, _ = drawn
    svg = (out / "budget.svg").read_text(encoding="utf-8")
    assert "No answers in 10" in svg
    assert "nan" not in svg.lower() and "None" not in svg
    assert "(n = " not in svg  # the previous round answered nothing either: no comparison


def test_charts_are_byte_identical_run_after_run(drawn, tmp_path):
    out, manifest = drawn
    again = draw_charts(copy.deepcopy(STATS), QUESTIONNAIRE, tmp_path)
    assert again == manifest
    for chart in manifest:
        name = Path(chart["file"]).name
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name
    svg = (out / "plan.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg  # no timestamp
    assert not re.search(r"Matplotlib v\d", svg)  # no creator stamp that changes with versions


def test_a_single_round_draws_without_comparison(tmp_path):
    stats = {"rounds": {"2008": copy.deepcopy(STATS["rounds"]["10"])}}
    manifest = draw_charts(stats, QUESTIONNAIRE, tmp_path)
    assert manifest[0]["alt"] == "26 of 53 States (49%) answered yes, 27 (51%) no."
    assert "(n = " not in (tmp_path / "plan.svg").read_text(encoding="utf-8")
