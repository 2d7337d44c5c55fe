"""The tidy answers table, and the statistics computed from it with pandas."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from surveypaper.pipeline import dump_json
from surveypaper.project import ingest
from surveypaper.project import stats_from_responses as stats
from surveypaper.questionnaire import parse
from surveypaper.table import COLUMNS, answers_table, respondents_table, themes_table

ROOT = Path(__file__).resolve().parents[1]
EXPECTED_STATS = Path(__file__).parent / "data/stats_2008_expected.json"

QUESTIONNAIRE = parse(
    {
        "sections": [
            {
                "key": "s",
                "questions": [
                    {"key": "plan", "number": "1", "type": "yes_no", "text": "A plan?"},
                    {
                        "key": "freq",
                        "number": "2",
                        "type": "choice",
                        "choices": ["daily", "monthly"],
                        "text": "How often?",
                    },
                    {"key": "examples", "number": "3", "type": "text", "text": "Examples?"},
                ],
            }
        ]
    }
)


def _responses() -> dict:
    """Every kind of answer ingest gives: yes/no, choice, text (as a comment), a comment alone, a list."""
    return {
        "rounds": {
            "2008": [
                {
                    "state": "NOR",
                    "answers": {"plan": "no"},
                    "comments": {"freq": "We meet when needed"},
                    "themes": [],
                },
                {
                    "state": "ARG",
                    "answers": {"freq": "monthly", "plan": "yes"},
                    "comments": {"examples": "A <b>plan</b>", "plan": "Since 2004"},
                    "themes": ["diaspora"],
                },
            ],
            "2007": [{"state": "ARG", "answers": {"freq": ["monthly", "daily"]}, "comments": {}, "themes": []}],
        }
    }


def test_one_row_per_answer_sorted_by_round_state_and_questionnaire_order():
    table = answers_table(QUESTIONNAIRE, _responses())
    assert tuple(table.columns) == COLUMNS
    assert [tuple(row) for row in table.itertuples(index=False)] == [
        ("2007", "ARG", "freq", "daily", ""),  # a multi-choice answer: one row per choice, in the choices' order
        ("2007", "ARG", "freq", "monthly", ""),
        ("2008", "ARG", "plan", "yes", "Since 2004"),
        ("2008", "ARG", "freq", "monthly", ""),
        ("2008", "ARG", "examples", "", "A <b>plan</b>"),  # a text question: its answer is the comment
        ("2008", "NOR", "plan", "no", ""),
        ("2008", "NOR", "freq", "", "We meet when needed"),  # a comment without an answer
    ]


def test_respondents_and_themes_tables():
    responses = _responses()
    assert respondents_table(responses).values.tolist() == [["2007", "ARG"], ["2008", "ARG"], ["2008", "NOR"]]
    assert themes_table(responses).values.tolist() == [["2008", "ARG", "diaspora"]]


def test_empty_round_gives_an_empty_table_with_its_columns():
    table = answers_table(QUESTIONNAIRE, {"rounds": {"2008": [{"state": "ARG", "answers": {}, "comments": {}}]}})
    assert table.empty and tuple(table.columns) == COLUMNS


def test_stats_from_the_table_count_what_it_holds(tiny_raw):
    """The same figures whichever way they are read off the table: pandas' own crosstab agrees."""
    from surveypaper.questionnaire import load

    responses = ingest(tiny_raw)
    computed = stats(responses, tiny_raw / "questionnaire.yaml", tiny_raw / "themes.yaml")
    table = answers_table(load(tiny_raw / "questionnaire.yaml"), responses)
    crosstab = pd.crosstab([table["round"], table["question"]], table["answer"])
    for round_name, block in computed["rounds"].items():
        for key, entry in block["questions"].items():
            for choice, count in entry["counts"].items():
                expected = crosstab.loc[(round_name, key), choice] if (round_name, key) in crosstab.index else 0
                assert count == expected, (round_name, key, choice)


def test_shipped_stats_json_is_unchanged():
    """Every figure and list of the shipped stats.json is what the hand counting gave (new keys are additions)."""
    expected = json.loads(EXPECTED_STATS.read_text(encoding="utf-8"))
    computed = stats(ingest(ROOT / "raw"), ROOT / "raw/questionnaire.yaml", ROOT / "raw/themes.yaml")
    assert dump_json(_restricted(computed, expected)) == EXPECTED_STATS.read_text(encoding="utf-8")


def _restricted(value, shape):
    """``value`` with only the keys that ``shape`` has (recursively): what was there before."""
    if isinstance(shape, dict) and isinstance(value, dict):
        return {k: _restricted(value[k], shape[k]) for k in shape if k in value}
    return value


def test_the_stats_process_prepares_without_the_responses(tmp_path):
    """prepare_stats (run ahead, while the responses are read) parses the project files and warms
    pandas; the call that follows gives the same stats.json."""
    from surveypaper.pipeline import compute_stats, prepare_stats

    raw = ROOT / "raw"
    assert prepare_stats(raw / "questionnaire.yaml", raw / "themes.yaml", raw / "regions.yaml") is None
    (tmp_path / "responses.json").write_text(dump_json(ingest(raw)), encoding="utf-8")
    out = tmp_path / "stats.json"
    compute_stats(tmp_path / "responses.json", raw / "questionnaire.yaml", raw / "themes.yaml", out, prepared=None)
    expected = json.loads(EXPECTED_STATS.read_text(encoding="utf-8"))
    assert dump_json(_restricted(json.loads(out.read_text(encoding="utf-8")), expected)) == dump_json(expected)


def test_the_stats_step_runs_when_its_preparation_failed(tmp_path):
    """surveypaper.warm passes prepare_failed= to a step whose preparation raised."""
    from surveypaper import warm
    from surveypaper.steps import STATS

    raw = ROOT / "raw"
    (tmp_path / "responses.json").write_text(dump_json(ingest(raw)), encoding="utf-8")
    assert warm.prepare(STATS, tmp_path / "missing.yaml", raw / "themes.yaml", timeout=60) is False  # none waits
    warm.start(STATS)
    assert warm.prepare(STATS, tmp_path / "missing.yaml", raw / "themes.yaml", timeout=60)
    out = tmp_path / "stats.json"
    warm.call(
        STATS, tmp_path / "responses.json", raw / "questionnaire.yaml", raw / "themes.yaml", out, timeout=120, what="s"
    )
    assert json.loads(out.read_text(encoding="utf-8"))["rounds"]["2008"]["n"] == 53
