"""Survey-tool exports: headers by printed number, wording or both, State columns by name or code (issue 12)."""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from conftest import ROOT, write
from surveypaper.errors import ValidationFailed
from surveypaper.headers import Column, Unmatched, match_header
from surveypaper.project import ingest
from surveypaper.questionnaire import load

QUESTIONNAIRE = load(ROOT / "raw/questionnaire.yaml")
Q1 = QUESTIONNAIRE.questions["migration_in_development"].text


@pytest.mark.parametrize(
    ("header", "kind", "key", "how"),
    [
        ("Q1", "answer", "migration_in_development", "by number"),
        ("1", "answer", "migration_in_development", "by number"),
        ("1.", "answer", "migration_in_development", "by number"),
        ("3 (b)", "answer", "national_plan_intended", "by number"),
        ("Q3b", "answer", "national_plan_intended", "by number"),
        ("3b", "answer", "national_plan_intended", "by number"),
        (f"1. {Q1}", "answer", "migration_in_development", "by number and wording"),
        ("1. Has your Government identif…", "answer", "migration_in_development", "by number and wording"),
        (Q1, "answer", "migration_in_development", "by wording"),
        ("Has development been identified as an issue", "answer", "development_in_migration", "by wording"),
        ("Q1 comment", "comment", "migration_in_development", "by number"),
        ("1. Has your Government identified migration - Comments", "comment", "migration_in_development", ""),
        ("Q3 (b) - Comments", "comment", "national_plan_intended", "by number"),
        ("Q6 - Other (please specify)", "comment", "focal_points", "by number"),
        ("national_plan", "answer", "national_plan", "by key"),
        ("national_plan_comment", "comment", "national_plan", "by key"),
        ("Country", "state", "", ""),
        ("state", "state", "", ""),
    ],
)
def test_headers_are_matched_as_tools_export_them(header, kind, key, how):
    col = match_header(header, QUESTIONNAIRE)
    assert isinstance(col, Column), col
    assert (col.kind, col.key) == (kind, key)
    assert how in col.how


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Q17", "no question is numbered 17"),
        ("3. If not, does your Government intend", "number is question 3's but its wording is not"),
        ("If not, does your Government intend", "starts more than one question"),  # 3 (b) and 14 (b)
        ("Timestamp", "no question has this number, wording or key"),
    ],
)
def test_headers_that_name_no_question_or_several(header, reason):
    col = match_header(header, QUESTIONNAIRE)
    assert isinstance(col, Unmatched) and reason in col.reason
    assert col.candidates  # the closest questions are named


# --- whole exports, read through ingest -------------------------------------------------------


@pytest.fixture
def raw(tmp_path):
    """The shipped questionnaire, States and themes; 2008 holds what a test writes."""
    raw = tmp_path / "raw"
    (raw / "responses/2008").mkdir(parents=True)
    for name in ("questionnaire.yaml", "states.yaml", "themes.yaml"):
        shutil.copy(ROOT / "raw" / name, raw / name)
    return raw


def csv_text(rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def problems_of(raw):
    with pytest.raises(ValidationFailed) as info:
        ingest(raw)
    return info.value.problems


YAMLS = {
    "CIV": "state: CIV\nanswers: {migration_in_development: yes, national_plan: no, national_plan_intended: yes}\n"
    'comments: {migration_in_development: "Through the PRSP, «co-development» & more"}\nthemes: [diaspora_ties]\n',
    "KOR": "state: KOR\nanswers: {migration_in_development: no, national_plan: yes}\n",
}
EXPORT = [
    [
        "Timestamp",
        "Email Address",
        "Country",
        f"1. {Q1}",
        "1. Has your Government identified migration - Comments",
        "Q3",
        "3 (b) If not, does your Government intend to develop such a plan…",
        "Themes",
    ],
    [
        "2008/07/01 10:00",
        "a@example.org",
        "Côte d'Ivoire",
        "Yes",
        "Through the PRSP, «co-development» & more",
        "No",
        "yes",
        "diaspora_ties",
    ],
    ["2008/07/02 11:00", "b@example.org", "Republic of Korea", "no", "", "YES", "", ""],
]


def test_an_export_reads_as_the_same_answers_as_yaml(raw):
    for code, text in YAMLS.items():
        write(raw / f"responses/2008/{code}.yaml", text)
    as_yaml = ingest(raw)["rounds"]["2008"]
    for code in YAMLS:
        (raw / f"responses/2008/{code}.yaml").unlink()
    write(raw / "responses/2008/survey.csv", csv_text(EXPORT))
    write(raw / "responses/2008/survey.csv.ignore", "# columns the survey tool adds\nTimestamp\nEmail Address\n")
    log: list[str] = []
    as_export = ingest(raw, log)["rounds"]["2008"]
    strip = [{k: v for k, v in r.items() if k != "source"} for r in as_export]
    assert strip == [{k: v for k, v in r.items() if k != "source"} for r in as_yaml]
    assert "raw/responses/2008/survey.csv: column A 'Timestamp' -> ignored (listed in the ignore file)" in log
    assert any(
        "column D '1. Has your" in line and "-> migration_in_development (by number and wording)" in line
        for line in log
    )
    assert any("column E" in line and "-> the comment on migration_in_development" in line for line in log)


def test_tool_columns_without_an_ignore_file_are_errors(raw):
    write(raw / "responses/2008/survey.csv", csv_text(EXPORT))
    probs = problems_of(raw)
    assert [(p.where, p.value) for p in probs] == [("column A", "Timestamp"), ("column B", "Email Address")]
    assert all("survey.csv.ignore" in p.expected and "closest:" in p.expected for p in probs)


def test_an_ignore_line_that_names_no_column_is_an_error(raw):
    write(raw / "responses/2008/survey.csv", csv_text(EXPORT))
    write(raw / "responses/2008/survey.csv.ignore", "Timestamp\nEmail Address\nRespondent ID\n")
    (p,) = problems_of(raw)
    assert (p.file, p.value) == ("raw/responses/2008/survey.csv.ignore", "Respondent ID")
    (raw / "responses/2008/survey.csv").unlink()
    (p,) = problems_of(raw)
    assert p.file.endswith("survey.csv.ignore") and "missing" in p.expected


def test_an_ambiguous_header_names_the_column_and_the_questions(raw):
    write(
        raw / "responses/2008/survey.csv", csv_text([["Country", "If not, does your Government intend"], ["CHL", "no"]])
    )
    (p,) = problems_of(raw)
    assert (p.where, p.value) == ("column B", "If not, does your Government intend")
    assert "more than one question" in p.expected and "3 (b)" in p.expected and "14 (b)" in p.expected


def test_unknown_country_names_are_errors(raw):
    rows = [["Country", "Q1"], ["Atlantis", "yes"], ["Ivory Coast", "yes"], ["chile", "no"], ["NO", "yes"]]
    write(raw / "responses/2008/survey.csv", csv_text(rows))
    (p,) = problems_of(raw)
    assert (p.where, p.value) == ("row 2, column A (Country)", "Atlantis") and "English name" in p.expected
    rows.pop(1)
    write(raw / "responses/2008/survey.csv", csv_text(rows))
    assert [r["state"] for r in ingest(raw)["rounds"]["2008"]] == ["CHL", "CIV", "NOR"]


def test_a_question_in_two_columns_is_an_error(raw):
    write(raw / "responses/2008/survey.csv", csv_text([["state", "Q1", "1."], ["CHL", "yes", "yes"]]))
    (p,) = problems_of(raw)
    assert p.where == "header" and "'1.'" in p.value and "'Q1'" in p.value


def test_a_bad_answer_names_its_column(raw):
    write(raw / "responses/2008/survey.csv", csv_text([["state", "Q1"], ["CHL", "Maybe"]]))
    (p,) = problems_of(raw)
    assert (p.where, p.value) == ("row 2, column B (Q1)", "Maybe")


def test_a_single_sheet_export_is_read_whatever_the_sheet_is_called(raw):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Form Responses 1"
    for row in (["Country", "Q1", "Q1 comment"], ["Chile", "Yes", "We do"]):
        wb.active.append(row)
    wb.save(raw / "responses/2008/export.xlsx")
    (resp,) = ingest(raw)["rounds"]["2008"]
    assert (resp["state"], resp["answers"], resp["comments"]) == (
        "CHL",
        {"migration_in_development": "yes"},
        {"migration_in_development": "We do"},
    )
