"""Any ISO State may respond; codes in any case; honest suggestions; declared rounds (issue 12)."""

from __future__ import annotations

import pytest
from conftest import write
from surveypaper import project
from surveypaper.errors import ValidationFailed
from surveypaper.project import ingest
from surveypaper.states import States, load_states, resolve_name, suggest_code


def problems_of(raw):
    with pytest.raises(ValidationFailed) as info:
        ingest(raw)
    return info.value.problems


# --- any State ------------------------------------------------------------------------------


def test_a_state_not_in_states_yaml_responds_under_its_common_name(tiny_raw):
    write(tiny_raw / "responses/2008/KOR.yaml", "state: KOR\nanswers: {plan: yes}\n")
    data = ingest(tiny_raw)
    assert "KOR" in [r["state"] for r in data["rounds"]["2008"]]
    states = load_states(tiny_raw / "states.yaml")
    assert states["KOR"].name == "South Korea"  # pycountry's common name, not 'Korea, Republic of'
    # an inverted name put back in reading order, its "The" the article (sorted under D)
    assert (states["COD"].short, states["COD"].article) == ("Democratic Republic of the Congo", "the")
    assert states["VGB"].name == "British Virgin Islands"
    assert states["NLD"].name == "the Netherlands"  # raw/states.yaml still decides how a listed one prints
    assert "KOR" not in list(states)  # iterating gives the listed States only


def test_codes_match_in_any_case(tiny_raw):
    write(tiny_raw / "responses/2008/chl.yaml", "state: chl\nanswers: {plan: yes}\n")
    write(tiny_raw / "responses/2007/responses.csv", "state,plan\narg,no\nNld,no\n")
    data = ingest(tiny_raw)
    assert "CHL" in [r["state"] for r in data["rounds"]["2008"]]
    assert [r["state"] for r in data["rounds"]["2007"]] == ["ARG", "NLD"]
    assert States()["chl"].code == "CHL"


@pytest.mark.parametrize(
    ("value", "suggestion"),
    [
        ("Chile", "CHL"),  # a name suggests its code
        ("Côte d'Ivoire", "CIV"),
        ("CL", "CHL"),  # an alpha-2 code its alpha-3 code
        ("ARGG", "ARG"),  # a letter too many: the listed code
        ("GER", ""),  # not ISO: no other country's code offered in its place
        ("XYZ", ""),
    ],
)
def test_an_unknown_state_is_suggested_only_what_it_means(tiny_raw, value, suggestion):
    write(tiny_raw / "responses/2008/PHL.yaml", f'state: "{value}"\nanswers: {{plan: yes}}\n')
    hit = [p for p in problems_of(tiny_raw) if p.file.endswith("PHL.yaml") and p.where == "state"]
    assert hit and hit[0].value == value and "alpha-3" in hit[0].expected
    assert hit[0].suggestion == suggestion


def test_a_valid_code_is_never_answered_with_another():
    for code in ("CHL", "PER", "chl", "DEU"):
        assert suggest_code(code, {"ARG", "HTI"}) == ""


def test_names_resolve_to_codes():
    assert resolve_name("Ivory Coast") == "CIV"
    assert resolve_name("Republic of Korea") == "KOR"
    assert resolve_name("chile") == "CHL"
    assert resolve_name("NO") == "NOR"
    assert resolve_name("Atlantis") is None


def test_states_yaml_keys_any_case_and_bad_keys(tmp_path):
    path = write(tmp_path / "states.yaml", "chl: {name: Chile}\nXYZ: {name: Nowhere}\n")
    with pytest.raises(ValidationFailed) as info:
        load_states(path)
    (bad,) = info.value.problems
    assert (bad.where, bad.suggestion) == ("XYZ", "")
    write(tmp_path / "states.yaml", "chl: {name: Chile}\n")
    assert load_states(path)["CHL"].short == "Chile"


# --- declared rounds --------------------------------------------------------------------------


def declare_rounds(raw, rounds='["2007", "2008"]'):
    q = raw / "questionnaire.yaml"
    q.write_text(q.read_text(encoding="utf-8").replace("intro:", f"rounds: {rounds}\nintro:", 1), encoding="utf-8")


def test_an_undeclared_folder_is_one_error_naming_the_rounds(tiny_raw):
    declare_rounds(tiny_raw)
    for state in ("ARG", "NLD", "NOR"):
        write(tiny_raw / f"responses/draft/{state}.yaml", f"state: {state}\nanswers: {{plan: yes, freq: daily}}\n")
    probs = problems_of(tiny_raw)
    assert len(probs) == 1, probs
    (p,) = probs
    assert p.file.endswith("responses/draft") and p.value == "draft"
    assert "2007, 2008" in p.expected


def test_a_question_asked_in_an_undeclared_round_is_a_questionnaire_error(tiny_raw):
    from surveypaper.questionnaire import QuestionnaireError, load

    declare_rounds(tiny_raw, '["2008"]')
    with pytest.raises(QuestionnaireError, match="asked_in"):
        load(tiny_raw / "questionnaire.yaml")


def test_paper_yaml_names_the_reported_round_and_a_new_round_changes_nothing(tiny_raw, tmp_path):
    declare_rounds(tiny_raw, '["2007", "2008", "2009"]')
    q = tiny_raw / "questionnaire.yaml"
    q.write_text(
        q.read_text(encoding="utf-8").replace('"2007", "2008"], short', '"2007", "2008", "2009"], short'),
        encoding="utf-8",
    )
    paper = write(tmp_path / "paper.yaml", 'title: T\nround: "2008"\ncompare_with: "2007"\n')
    q, th = tiny_raw / "questionnaire.yaml", tiny_raw / "themes.yaml"
    before = project.stats_from_responses(ingest(tiny_raw), q, th, paper_path=paper)
    write(tiny_raw / "responses/2009/ARG.yaml", "state: ARG\nanswers: {plan: no, plan_intended: yes}\n")
    after = project.stats_from_responses(ingest(tiny_raw), q, th, paper_path=paper)
    assert (after["current"], after["previous"]) == ("2008", "2007")
    assert after["rounds"]["2008"] == before["rounds"]["2008"] and after["changes"] == before["changes"]
    # an editor points paper.yaml at the new round
    paper.write_text('title: T\nround: "2009"\ncompare_with: "2008"\n', encoding="utf-8")
    moved = project.stats_from_responses(ingest(tiny_raw), q, th, paper_path=paper)
    assert (moved["current"], moved["changes"]["from"]) == ("2009", "2008")
    assert moved["changes"]["questions"]["plan"]["yes_to_no"] == ["ARG"]


def test_paper_yaml_naming_a_round_without_responses_is_an_error(tiny_raw, tmp_path):
    paper = write(tmp_path / "paper.yaml", 'round: "2010"\n')
    with pytest.raises(ValidationFailed) as info:
        project.stats_from_responses(
            ingest(tiny_raw), tiny_raw / "questionnaire.yaml", tiny_raw / "themes.yaml", paper_path=paper
        )
    (p,) = info.value.problems
    assert (p.where, p.value) == ("round", "2010") and "2007, 2008" in p.expected


def test_the_charts_follow_the_reported_round(tiny_raw, tmp_path):
    from surveypaper.charts import chart_manifest
    from surveypaper.questionnaire import load

    questionnaire = load(tiny_raw / "questionnaire.yaml").as_dict()

    def plan_alt(paper_text):
        paper = write(tmp_path / "paper.yaml", paper_text)
        stats = project.stats_from_responses(
            ingest(tiny_raw), tiny_raw / "questionnaire.yaml", tiny_raw / "themes.yaml", paper_path=paper
        )
        return next(c for c in chart_manifest(stats, questionnaire) if c["key"] == "plan")["alt"]

    compared = plan_alt('round: "2008"\ncompare_with: "2007"\n')
    alone = plan_alt('round: "2007"\n')
    assert "in 2007" in compared  # 2008's bars beside 2007's
    assert "in 2007" not in alone and alone != compared  # 2007's alone


def test_the_shipped_data_is_read_without_country_converter():
    """Reading the shipped responses (all alpha-3 codes) never imports country_converter or pandas."""
    import subprocess
    import sys

    from conftest import ROOT

    code = (
        "import sys; from surveypaper.project import ingest; ingest('raw'); "
        "print(sorted(m for m in ('country_converter', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
