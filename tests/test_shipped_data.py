"""The shipped reconstruction reproduces every figure and list the 2008 paper prints.

The expected values come from tests/data/published_figures.yaml and country_lists.yaml (copies of
the analysis of the 2008 text), so this test reads the paper's numbers, not numbers typed here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from surveypaper.project import ingest, stats_from_responses
from surveypaper.states import load_states

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
PUBLISHED = YAML(typ="safe").load((DATA / "published_figures.yaml").read_text(encoding="utf-8"))
LISTS = {
    x["id"]: x for x in YAML(typ="safe").load((DATA / "country_lists.yaml").read_text(encoding="utf-8"))["state_lists"]
}
FIGURES = {f["id"]: f for f in PUBLISHED["figures"]}

# published figure id -> question key whose percentage yes the paper prints
PERCENTAGES = {
    "mig_in_dev_policy_pct_s2_1": "migration_in_development",
    "dev_in_mig_policy_pct_s2_1": "development_in_migration",
    "unit_or_department_pct": "coordinating_unit",
    "focal_points_established_pct": "focal_points",
    "focal_points_helpful_pct": "focal_points_helpful",
    "gfmd_focal_point_pct": "gfmd_focal_point_helpful",
    "formal_consultations_pct": "formal_consultations",
    "intl_org_role_pct": "io_role",
}
# printed list id -> theme code that carries it
THEME_LISTS = {
    "diaspora_ties": "diaspora_ties",
    "inward_labour_migration": "inward_labour_migration",
    "migrant_contributions_described": "migrant_contribution",
    "migrant_rights_abroad": "migrant_rights_abroad",
    "labour_migration_strategy_considers_origin_development": "origin_development_in_labour_migration",
    "obstacle_lack_of_capacity": "obstacle_capacity",
    "obstacle_no_comprehensive_migration_policy": "obstacle_no_migration_policy",
    "voluntary_return_funds": "voluntary_return_funds",
}


@pytest.fixture(scope="module")
def computed():
    return stats_from_responses(ingest(ROOT / "raw"), ROOT / "raw/questionnaire.yaml", ROOT / "raw/themes.yaml")


@pytest.fixture(scope="module")
def codes_by_name():
    states = load_states(ROOT / "raw/states.yaml")
    return {s.short.casefold(): code for code, s in states.items()}


def codes(names, codes_by_name):
    out = set()
    for name in names:
        key = name.casefold().removeprefix("the ").strip()
        assert key in codes_by_name, f"{name} is not in raw/states.yaml"
        out.add(codes_by_name[key])
    return out


def test_respondents(computed):
    assert computed["rounds"]["2008"]["n"] == FIGURES["total_responses"]["value"] == 53
    assert computed["rounds"]["2007"]["n"] == FIGURES["national_plan_count_2007"]["denominator"] == 45


@pytest.mark.parametrize("figure_id, key", sorted(PERCENTAGES.items()))
def test_printed_percentages(computed, figure_id, key):
    assert computed["rounds"]["2008"]["questions"][key]["pct"]["yes"] == FIGURES[figure_id]["value_pct"]


def test_informal_consultations_82(computed):
    assert computed["rounds"]["2008"]["questions"]["informal_consultations"]["pct"]["yes"] == 82


@pytest.mark.parametrize(
    "figure_id, key", [("national_plan_count", "national_plan"), ("resources_available_count", "resources")]
)
def test_printed_counts_k_of_n(computed, figure_id, key):
    q = computed["rounds"]["2008"]["questions"][key]
    assert (q["counts"]["yes"], q["answered"]) == (FIGURES[figure_id]["value"], FIGURES[figure_id]["denominator"])


def test_intentions_and_2007(computed):
    assert (
        computed["rounds"]["2008"]["questions"]["national_plan_intended"]["counts"]["yes"]
        == FIGURES["national_plan_intend_within_3y"]["value"]
    )
    q2007 = computed["rounds"]["2007"]["questions"]["national_plan"]
    assert (q2007["counts"]["yes"], q2007["answered"]) == (9, 45)
    resources_2007 = computed["rounds"]["2007"]["questions"]["resources"]["pct"]["yes"]
    assert 50 < resources_2007 <= 62  # "as was the case last year, just over half"


def test_footnote_2_movers(computed):
    moved = computed["changes"]["questions"]
    assert len(moved["migration_in_development"]["no_to_yes"]) == FIGURES["fn2_mig_in_dev_changed_no_to_yes"]["value"]
    assert len(moved["development_in_migration"]["no_to_yes"]) == FIGURES["fn2_dev_in_mig_changed_no_to_yes"]["value"]


def test_footnote_3_names_are_among_the_26(computed, codes_by_name):
    yes = set(computed["rounds"]["2008"]["questions"]["national_plan"]["states"]["yes"])
    printed = codes(LISTS["fn3_national_plan_or_strategy"]["names_in_order"], codes_by_name)
    assert printed <= yes and len(yes) == 26 and len(yes - printed) == 2


def test_budget_line_fifteen(computed, codes_by_name):
    listed = codes(LISTS["budget_line_15"]["names_in_order"], codes_by_name)
    assert set(computed["rounds"]["2008"]["sets"]["budget_line_or_intended"]) == listed
    assert len(listed) == FIGURES["budget_line_count"]["value"]


@pytest.mark.parametrize("list_id, theme", sorted(THEME_LISTS.items()))
def test_printed_lists_come_from_themes(computed, codes_by_name, list_id, theme):
    assert set(computed["rounds"]["2008"]["themes"][theme]) == codes(LISTS[list_id]["names_in_order"], codes_by_name)


def test_end_to_end_stats_json(built_paper, computed):
    """`snakemake` in a tmp copy writes output/stats.json with the contract's shape and these figures."""
    published = json.loads((built_paper / "stats.json").read_text(encoding="utf-8"))
    assert published["rounds"] == computed["rounds"]
    q = published["rounds"]["2008"]["questions"]["national_plan"]
    assert set(q) >= {"answered", "counts", "pct", "states"}
    assert q["states"]["yes"] == sorted(q["states"]["yes"])
    assert sorted(p.name for p in (built_paper / "charts").glob("*.svg"))
