"""Regions: every responding State's UN M49 region and sub-region, from country_converter's table or raw/."""

from __future__ import annotations

from pathlib import Path

import pytest
from surveypaper.errors import ValidationFailed
from surveypaper.ingest import round_dirs
from surveypaper.project import ingest
from surveypaper.project import stats_from_responses as stats
from surveypaper.regions import load_regions, source_table

ROOT = Path(__file__).resolve().parents[1]


def test_every_responding_state_has_a_region_and_sub_region():
    responses = ingest(ROOT / "raw")
    codes = {r["state"] for found in responses["rounds"].values() for r in found}
    assert len(round_dirs(ROOT / "raw/responses")) == len(responses["rounds"])
    regions = load_regions(ROOT / "raw/regions.yaml", codes)
    assert set(regions.of_state) == codes
    assert all(region and sub for region, sub in regions.of_state.values())
    assert regions.all == ["Africa", "Americas", "Asia", "Europe", "Oceania"]  # UN M49's five
    assert regions.of_state["ARG"] == ("Americas", "South America")
    assert regions.of_state["CYP"] == ("Asia", "Western Asia")  # M49, not the EU
    assert regions.names["Americas"].name == "the Americas"  # raw/regions.yaml


def test_the_table_is_country_converters():
    table = source_table()
    assert table["NLD"] == ("Europe", "Western Europe") and table["TZA"] == ("Africa", "Eastern Africa")
    assert "ATA" not in table  # Antarctica is no M49 region


def test_raw_overrides_a_states_region(tmp_path):
    path = tmp_path / "regions.yaml"
    path.write_text("states:\n  CYP: {region: Europe, sub_region: Southern Europe}\n", encoding="utf-8")
    assert load_regions(path, {"CYP"}).of_state["CYP"] == ("Europe", "Southern Europe")


def test_unknown_region_and_state_without_one_are_reported_together(tmp_path):
    path = tmp_path / "regions.yaml"
    path.write_text("names:\n  Amercas: {article: the}\nstates:\n  NLD: Europe\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        load_regions(path, {"ATA", "NLD"})
    report = str(exc.value)
    assert "names.Amercas" in report and "Americas" in report  # did you mean
    assert "states.NLD" in report and "states.ATA" in report


def test_stats_count_respondents_by_region_and_answers_by_region():
    computed = stats(ingest(ROOT / "raw"), ROOT / "raw/questionnaire.yaml", ROOT / "raw/themes.yaml")
    r = computed["rounds"]["2008"]
    assert sum(len(s) for s in r["regions"].values()) == r["n"]
    assert sum(len(s) for s in r["sub_regions"].values()) == r["n"]
    plan = r["questions"]["national_plan"]
    by_region = r["by_region"]["national_plan"]
    assert sum(c["yes"] for c in by_region.values()) == plan["counts"]["yes"]
    assert by_region["Oceania"] == {"yes": 0, "no": 1}  # Australia


def _introduction(raw: Path) -> str:
    from surveypaper.project import markdown_from_stats as render_markdown

    computed = stats(ingest(raw), raw / "questionnaire.yaml", raw / "themes.yaml")
    markdown = render_markdown(computed, raw, ROOT / "templates")
    return next(line for line in markdown.splitlines() if "responses to the questionnaire were received" in line)


def test_all_regions_sentence_is_computed(tmp_path):
    """The introduction says "all regions" while every region has a respondent, and which ones when not."""
    import shutil

    assert _introduction(ROOT / "raw").endswith("representing States from all regions.")
    raw = shutil.copytree(ROOT / "raw", tmp_path / "raw")
    (raw / "responses/2008/AUS.yaml").unlink()  # Oceania's only respondent in 2008
    line = _introduction(raw)
    assert line.startswith("**Fifty-two**")
    assert line.endswith("representing States from four of the five regions (Africa, the Americas, Asia and Europe).")


def test_annex_ii_groups_by_region_only_when_the_templates_ask(tmp_path):
    import shutil

    from surveypaper.project import markdown_from_stats as render_markdown

    computed = stats(ingest(ROOT / "raw"), ROOT / "raw/questionnaire.yaml", ROOT / "raw/themes.yaml")
    annex = lambda md: md[md.index("ANNEX II") :]  # noqa: E731
    assert "**Africa**" not in annex(render_markdown(computed, ROOT / "raw", ROOT / "templates"))
    templates = shutil.copytree(ROOT / "templates", tmp_path / "templates")
    paper = templates / "paper.yaml"
    paper.write_text(paper.read_text().replace("annex_2_by_region: false", "annex_2_by_region: true"))
    grouped = annex(render_markdown(computed, ROOT / "raw", templates))
    n = {r: len(s) for r, s in computed["rounds"]["2008"]["regions"].items()}
    assert n["Oceania"] == 1 and "**Oceania** (one)\n\n- Australia" in grouped
    assert grouped.index("**Africa**") < grouped.index("**The Americas**") < grouped.index("**Europe**")
