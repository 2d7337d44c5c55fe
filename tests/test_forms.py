"""The response workbook (`paper form`): what it holds, the round trip, errors named by cell (issue 12)."""

from __future__ import annotations

import shutil

import pytest
from conftest import ROOT
from helpers.intake import workbook
from openpyxl import load_workbook
from surveypaper import project
from surveypaper.cli import main
from surveypaper.errors import ValidationFailed
from surveypaper.forms import SHEET

SHIPPED = project.ingest(ROOT / "raw")
QUESTIONNAIRE = project.load_questionnaire(ROOT / "raw/questionnaire.yaml")


@pytest.fixture
def raw(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "raw", raw)
    return raw


def response(code, round_name="2008"):
    return next(r for r in SHIPPED["rounds"][round_name] if r["state"] == code)


def row_of(ws, key):
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=6).value == key)


def strip(responses):
    return [{k: v for k, v in r.items() if k != "source"} for r in responses]


# ARG: choices, comments, themes; AUS: no to 3 and its follow-up; BFA and ZAF: blanks; CIV: a name in French
ROUND_TRIP = ["ARG", "AUS", "BFA", "ZAF", "CIV"]


def test_a_prefilled_workbook_reads_back_as_the_same_response(raw):
    for code in ROUND_TRIP:
        (raw / f"responses/2008/{code}.yaml").unlink()
        workbook(raw / f"responses/2008/{code}.xlsx", response(code), QUESTIONNAIRE, "2008")
    after = project.ingest(raw)["rounds"]["2008"]
    assert strip(after) == strip(SHIPPED["rounds"]["2008"])
    assert {r["source"] for r in after if r["state"] in ROUND_TRIP} == {
        f"raw/responses/2008/{c}.xlsx" for c in ROUND_TRIP
    }
    assert (
        response("AUS")["answers"]["national_plan"] == "no" and "national_plan_intended" in response("AUS")["answers"]
    )
    assert "io_role" not in response("BFA")["answers"]  # a blank stays blank


def test_the_workbook_has_dropdowns_conditions_and_locked_wording(tmp_path):
    path = workbook(tmp_path / "form.xlsx", response("ARG"), QUESTIONNAIRE, "2008")
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == ["Instructions", SHEET]
    ws = wb[SHEET]
    assert ws.protection.sheet
    r = row_of(ws, "national_plan_intended")
    assert ws.cell(row=r, column=1).value == "3 (b)"
    assert ws.cell(row=r, column=5).value == "Only if the answer to 3 is No"
    assert ws.cell(row=r, column=2).protection.locked  # the wording
    assert not ws.cell(row=r, column=3).protection.locked and not ws.cell(row=r, column=4).protection.locked
    freq = row_of(ws, "formal_frequency")
    assert ws.cell(row=freq, column=3).value == "monthly"  # pre-filled
    lists = {}
    for dv in ws.data_validations.dataValidation:
        sheet, cells = dv.formula1.split("!")
        first, last = cells.replace("$", "").split(":")
        lists[str(dv.sqref)] = [c.value for row in wb[sheet][first:last] for c in row]
    assert lists[f"C{r}"] == ["yes", "no"]
    assert lists[f"C{freq}"] == list(QUESTIONNAIRE.questions["formal_frequency"].choices)


def test_an_answer_outside_the_dropdown_names_workbook_sheet_and_cell(raw):
    (raw / "responses/2008/ARG.yaml").unlink()
    path = workbook(raw / "responses/2008/ARG.xlsx", response("ARG"), QUESTIONNAIRE, "2008")
    wb = load_workbook(path)
    ws = wb[SHEET]
    r = row_of(ws, "national_plan")
    ws.cell(row=r, column=3, value="Maybe")
    ws["B1"] = "Atlantis"
    wb.save(path)
    with pytest.raises(ValidationFailed) as info:
        project.ingest(raw)
    got = {(p.file, p.where, p.value) for p in info.value.problems}
    assert ("raw/responses/2008/ARG.xlsx", f"{SHEET}!C{r}", "Maybe") in got
    assert ("raw/responses/2008/ARG.xlsx", f"{SHEET}!B1", "Atlantis") in got


def test_a_blank_workbook_filled_by_name_is_a_response(raw):
    path = workbook(raw / "responses/2008/new.xlsx", None, QUESTIONNAIRE, "2008")
    wb = load_workbook(path)
    ws = wb[SHEET]
    ws["B1"] = "Chile"
    ws.cell(row=row_of(ws, "national_plan"), column=3, value="No")
    ws.cell(row=row_of(ws, "national_plan_intended"), column=3, value="Yes")
    ws.cell(row=row_of(ws, "national_plan"), column=4, value="  Under discussion ")
    wb.save(path)
    chl = next(r for r in project.ingest(raw)["rounds"]["2008"] if r["state"] == "CHL")
    assert chl["answers"] == {"national_plan": "no", "national_plan_intended": "yes"}
    assert chl["comments"] == {"national_plan": "Under discussion"}


def test_paper_form_command(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["form", "-o", str(tmp_path / "CHE.xlsx"), "--state", "che", "--round", "2008"]) == 0
    assert load_workbook(tmp_path / "CHE.xlsx")[SHEET]["B1"].value == "CHE"
    assert main(["form", "-o", str(tmp_path / "x.xlsx"), "--round", "2010"]) == 1
    assert "not a round of raw/questionnaire.yaml (its rounds: 2007, 2008)" in capsys.readouterr().err
    assert main(["form", "-o", str(tmp_path / "x.xlsx"), "--state", "CHL"]) == 1
    assert "CHL has no response in round 2008" in capsys.readouterr().err
    assert main(["form", "-o", str(tmp_path / "blank.xlsx")]) == 0  # the round paper.yaml reports
    assert load_workbook(tmp_path / "blank.xlsx")[SHEET]["B2"].value == "2008"


def test_the_newer_question_types_round_trip_through_the_workbook(tmp_path):
    """multi_choice (a list, none of these, other), scale, number and choice with other: read back the same."""
    from conftest import TINY_STATES, TINY_THEMES, write
    from test_question_types import TYPES_QUESTIONNAIRE, _parse

    raw = tmp_path / "raw"
    write(raw / "questionnaire.yaml", TYPES_QUESTIONNAIRE)
    write(raw / "states.yaml", TINY_STATES)
    write(raw / "themes.yaml", TINY_THEMES)
    write(
        raw / "responses/2008/ARG.yaml",
        "state: ARG\nanswers: {added_value: [knowledge, networking, other], agreement: 4, years: 3, channel: Other}\n"
        'comments: {added_value: "Peer review", channel: By fax}\n',
    )
    write(raw / "responses/2008/NLD.yaml", 'state: NLD\nanswers: {added_value: [], agreement: "5", years: 12.5}\n')
    before = project.ingest(raw)["rounds"]["2008"]
    questionnaire = _parse()
    for r in before:
        (raw / f"responses/2008/{r['state']}.yaml").unlink()
        workbook(raw / f"responses/2008/{r['state']}.xlsx", r, questionnaire, "2008")
    assert strip(project.ingest(raw)["rounds"]["2008"]) == strip(before)
    ws = load_workbook(raw / "responses/2008/ARG.xlsx")[SHEET]
    assert (
        ws.cell(row=row_of(ws, "added_value"), column=3).value == "networking; knowledge; other"
    )  # questionnaire order
