"""Whole builds (issue 12): responses arriving as a survey export and as workbooks give the same
stats.json bytes as their YAML; a State raw/states.yaml does not list is named wherever it belongs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_repo, run_snakemake
from helpers.intake import survey_export, workbook
from surveypaper import project
from surveypaper.states import load_states

EXPORTED = ["ARE", "CIV", "CZE", "GBR", "NLD", "PHL", "RUS", "TZA"]  # names with "the", accents, other spellings
WORKBOOKS = ["ARG", "AUS", "BFA", "ZAF", "HTI"]


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> Path:
    repo = copy_repo(tmp_path_factory.mktemp("intake") / "repo")
    raw = repo / "raw"
    data = project.ingest(raw)["rounds"]["2008"]
    q = project.load_questionnaire(raw / "questionnaire.yaml")
    states = load_states(raw / "states.yaml")
    by_state = {r["state"]: r for r in data}
    survey_export(
        raw / "responses/2008/survey.csv", [by_state[c] for c in EXPORTED], q, lambda c: states[c].short, "2008"
    )
    for code in WORKBOOKS:
        workbook(raw / f"responses/2008/{code}.xlsx", by_state[code], q, "2008")
    for code in EXPORTED + WORKBOOKS:
        (raw / f"responses/2008/{code}.yaml").unlink()
    result = run_snakemake(repo)
    assert result.returncode == 0, result.stderr[-4000:]
    return repo


def test_an_export_and_workbooks_build_the_same_stats_json(converted, built_paper):
    assert (converted / "output/stats.json").read_bytes() == (built_paper / "stats.json").read_bytes()
    log = (converted / "output/.build/logs/ingest_responses.log").read_text(encoding="utf-8")
    assert "survey.csv: column A 'Timestamp' -> ignored" in log
    assert "survey.csv: column B 'Country' -> the State" in log
    assert "-> national_plan_intended (by number and wording)" in log


NEW_STATE = """\
state: kor
answers:
  migration_in_development: yes
  development_in_migration: yes
  national_plan: no
  national_plan_intended: yes
  coordinating_unit: yes
  resources: yes
  budget_line: yes
themes: [diaspora_ties]
"""


@pytest.fixture(scope="module")
def new_state(tmp_path_factory) -> Path:
    repo = copy_repo(tmp_path_factory.mktemp("new_state") / "repo")
    assert "KOR" not in (repo / "raw/states.yaml").read_text(encoding="utf-8")
    (repo / "raw/responses/2008/kor.yaml").write_text(NEW_STATE, encoding="utf-8")
    result = run_snakemake(repo)
    assert result.returncode == 0, result.stderr[-4000:]
    return repo / "output"


def test_a_state_absent_from_states_yaml_is_named_in_annex_ii_and_its_lists(new_state):
    md = (new_state / "working_paper.md").read_text(encoding="utf-8")
    annex_ii = md[md.index("ANNEX II") : md.index("ANNEX III")]
    assert "- South Korea" in annex_ii
    assert "Fifty-four" in md
    # every list it joins, in its place by name: diaspora ties (a theme), a budget line or the intent (a set)
    assert "Mauritius, the Philippines, South Korea and Tanzania**) mentioned their efforts" in md
    assert "16 States (" in md and "Portugal, South Korea, Sri Lanka and Switzerland) responded" in md
    assert "KOR" not in md
    assert "South Korea" in (new_state / "working_paper.html").read_text(encoding="utf-8")
