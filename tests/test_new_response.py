"""A 54th response moves every figure, number-word, list, annex and chart that depends on it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import copy_repo, run_snakemake

NEW = """\
state: CAN
answers:
  migration_in_development: yes
  development_in_migration: yes
  national_plan: yes
  coordinating_unit: yes
  focal_points: yes
  focal_points_helpful: yes
  gfmd_focal_point_helpful: yes
  formal_consultations: yes
  formal_frequency: monthly
  informal_consultations: yes
  informal_frequency: daily
  resources: yes
  budget_line: yes
  io_role: yes
themes: [diaspora_ties, inward_labour_migration]
"""


def plain(text: str) -> str:
    return " ".join(re.sub(r"\*\*?", "", text).split())


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory, built_paper) -> tuple[Path, Path]:
    repo = copy_repo(tmp_path_factory.mktemp("new_response") / "repo")
    (repo / "raw/responses/2008/CAN.yaml").write_text(NEW, encoding="utf-8")
    result = run_snakemake(repo)
    assert result.returncode == 0, result.stderr[-3000:]
    return built_paper, repo / "output"


def test_counts_and_number_words_move(rebuilt):
    before, after = (plain((d / "working_paper.md").read_text(encoding="utf-8")) for d in rebuilt)
    assert "Fifty-three responses" in before and "Fifty-four responses" in after
    assert "26 out of 53" in before and "27 out of 54" in after
    assert "32 out of 53" in before and "33 out of 54" in after
    # 41/53 = 77% -> 42/54 = 78%; 38/52 = 73% -> 39/53 = 74%; 45/50 = 90% -> 46/51 = 90%
    assert "(77%)" in before and "(78%)" in after
    assert "Most States (74%)" in after
    assert "15 States" in before and "16 States" in after


def test_lists_and_annex_ii_move(rebuilt):
    before, after = ((d / "working_paper.md").read_text(encoding="utf-8") for d in rebuilt)
    assert "Canada" not in before
    annex_ii = after[after.index("ANNEX II") if "ANNEX II" in after else after.index("Annex II") :]
    assert "Canada" in annex_ii
    assert after.count("Canada") >= 5  # footnote 3, diaspora, inward labour, budget line, Annex II


def test_stats_and_charts_move(rebuilt):
    old, new = rebuilt
    s = json.loads((new / "stats.json").read_text(encoding="utf-8"))
    assert "CAN" in s["rounds"]["2008"]["respondents"] and s["rounds"]["2008"]["n"] == 54
    assert (old / "charts/national_plan.svg").read_bytes() != (new / "charts/national_plan.svg").read_bytes()
    manifest = {c["key"]: c for c in json.loads((new / "charts/charts.json").read_text(encoding="utf-8"))}
    assert "27" in manifest["national_plan"]["alt"] and "54" in manifest["national_plan"]["alt"]
    html = (new / "working_paper.html").read_text(encoding="utf-8")
    assert "Fifty-four" in html and "Canada" in html
