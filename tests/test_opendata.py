"""output/data/: the tidy responses, the figures, their Frictionless Data Package and the workbook."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from surveypaper import opendata
from surveypaper.pipeline import dump_json, write_data
from surveypaper.project import ingest, load_paper
from surveypaper.project import stats_from_responses as stats
from surveypaper.questionnaire import load

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """output/data/ for the shipped responses, written as the build's write_data writes it."""
    tmp = tmp_path_factory.mktemp("data")
    responses = ingest(ROOT / "raw")
    (tmp / "responses.json").write_text(dump_json(responses), encoding="utf-8")
    computed = stats(responses, ROOT / "raw/questionnaire.yaml", ROOT / "raw/themes.yaml")
    (tmp / "stats.json").write_text(dump_json(computed), encoding="utf-8")
    write_data(tmp / "responses.json", tmp / "stats.json", ROOT / "raw", ROOT / "templates", tmp / "data")
    return tmp / "data"


def rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_the_package_validates(data_dir):
    from frictionless import validate

    report = validate(data_dir / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_the_schema_comes_from_the_questionnaire(data_dir):
    questionnaire = load(ROOT / "raw/questionnaire.yaml")
    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    fields = {f["name"]: f for f in resources["responses"]["schema"]["fields"]}
    assert fields["question"]["constraints"]["enum"] == list(questionnaire.questions)
    assert set(fields["answer"]["constraints"]["enum"]) == {c for q in questionnaire.closed for c in q.choices}
    assert fields["region"]["constraints"]["enum"] == ["Africa", "Americas", "Asia", "Europe", "Oceania"]
    wording = {q["key"]: q["text"] for q in resources["questions"]["data"]}
    assert wording["national_plan"] == questionnaire.questions["national_plan"].text


def test_an_answer_outside_the_questionnaire_fails_validation(data_dir, tmp_path):
    """The enum constraints are real: a changed answer in the CSV is caught."""
    import shutil

    from frictionless import validate

    copy = shutil.copytree(data_dir, tmp_path / "data")
    text = (copy / "responses.csv").read_text(encoding="utf-8")
    (copy / "responses.csv").write_text(text.replace(",national_plan,yes,", ",national_plan,maybe,", 1))
    report = validate(copy / "datapackage.json")
    assert not report.valid
    assert [e[:2] for e in report.flatten(["fieldName", "type"])] == [["answer", "constraint-error"]]


def test_responses_csv_has_a_row_per_answer_given(data_dir):
    responses = ingest(ROOT / "raw")
    given = sum(len(set(r["answers"]) | set(r["comments"])) for found in responses["rounds"].values() for r in found)
    table = rows(data_dir / "responses.csv")
    assert len(table) == given
    assert list(table[0]) == list(opendata.RESPONSE_FIELDS)
    arg = [r for r in table if r["round"] == "2008" and r["state"] == "ARG"]
    assert {(r["region"], r["sub_region"]) for r in arg} == {("Americas", "South America")}
    assert {r["question"]: r["answer"] for r in arg}["national_plan"] == "yes"


def test_figures_csv_is_stats_json(data_dir):
    computed = stats(ingest(ROOT / "raw"), ROOT / "raw/questionnaire.yaml", ROOT / "raw/themes.yaml")
    figures = rows(data_dir / "figures.csv")
    for row in figures:
        entry = computed["rounds"][row["round"]]["questions"][row["question"]]
        assert int(row["count"]) == entry["counts"][row["answer"]]
        assert int(row["pct"]) == entry["pct"][row["answer"]]
        assert int(row["answered"]) == entry["answered"]
    n = sum(len(q["counts"]) for r in computed["rounds"].values() for q in r["questions"].values())
    assert len(figures) == n


def test_the_workbook_has_the_tables_after_a_sheet_that_explains_them(data_dir):
    from openpyxl import load_workbook

    book = load_workbook(data_dir / "working_paper_data.xlsx", read_only=True)
    assert book.sheetnames == ["About", "responses", "figures", "questions"]
    about = [cell for row in book["About"].iter_rows(values_only=True) for cell in row if cell]
    assert any("percentage" in str(c) for c in about) and "Sheet responses" in about
    sheet = list(book["figures"].iter_rows(values_only=True))
    assert sheet[0] == opendata.FIGURE_FIELDS and len(sheet) - 1 == len(rows(data_dir / "figures.csv"))
    assert isinstance(sheet[1][3], int | float)  # counts are numbers, not text
    assert book.properties.created.date().isoformat() == str(load_paper(ROOT / "templates/paper.yaml")["date"])


def test_the_workbook_is_the_same_bytes_each_time(data_dir, tmp_path):
    again = tmp_path / "again"
    write_data(
        data_dir.parent / "responses.json", data_dir.parent / "stats.json", ROOT / "raw", ROOT / "templates", again
    )
    for name in opendata.FILES:
        assert (again / name).read_bytes() == (data_dir / name).read_bytes(), name


def test_the_build_publishes_the_data_and_the_screen_html_links_it(built_paper):
    assert sorted(p.name for p in (built_paper / "data").iterdir()) == sorted(opendata.FILES)
    html = (built_paper / "working_paper.html").read_text(encoding="utf-8")
    assert "The data behind this paper" in html
    for name in opendata.FILES:
        assert f'href="data/{name}"' in html and (built_paper / "data" / name).exists()
    assert "data behind this paper" not in (built_paper / "working_paper.md").read_text(encoding="utf-8")
    assert "data/working_paper_data.xlsx" not in (built_paper / ".build/working_paper.print.html").read_text(
        encoding="utf-8"
    )
