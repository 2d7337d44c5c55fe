"""XLSX responses: the sheet rule, merged cells, formulas without saved values, broken files."""

import pytest
from openpyxl import Workbook
from surveypaper.errors import ValidationFailed
from surveypaper.project import ingest


def workbook(path, rows, title="responses", hidden=False, merge=None, extra_sheet=None):
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    if extra_sheet:
        wb.create_sheet(extra_sheet)
    if hidden:
        wb.create_sheet("visible")
        ws.sheet_state = "hidden"
    wb.save(path)
    return path


def problems(raw):
    with pytest.raises(ValidationFailed) as info:
        ingest(raw)
    return info.value.problems


def test_xlsx_round_is_read(tiny_raw):
    (tiny_raw / "responses/2007/responses.csv").unlink()
    workbook(
        tiny_raw / "responses/2007/export.xlsx",
        [["state", "plan", "themes"], ["ARG", "Yes", "diaspora"], ["NLD", "no", None]],
    )
    data = ingest(tiny_raw)
    assert [(r["state"], r["answers"]["plan"], r["themes"]) for r in data["rounds"]["2007"]] == [
        ("ARG", "yes", ["diaspora"]),
        ("NLD", "no", []),
    ]


@pytest.mark.parametrize(
    "kwargs, where, expected",
    [
        ({"title": "Sheet1", "extra_sheet": "Notes"}, "sheet", "a sheet named 'responses'"),
        ({"hidden": True}, "sheet responses", "visible sheet"),
        ({"merge": "B2:B3"}, "cells B2:B3", "unmerge"),
    ],
)
def test_bad_workbooks(tiny_raw, kwargs, where, expected):
    workbook(tiny_raw / "responses/2007/export.xlsx", [["state", "plan"], ["PHL", "yes"], ["NOR", None]], **kwargs)
    probs = problems(tiny_raw)
    assert any(p.file.endswith("export.xlsx") and where in p.where and expected in p.expected for p in probs), probs


def test_formula_without_saved_value(tiny_raw):
    workbook(tiny_raw / "responses/2007/export.xlsx", [["state", "plan"], ["PHL", '=IF(1,"yes","no")']])
    probs = problems(tiny_raw)
    assert any(p.where == "B2" and "formula" in p.expected for p in probs), probs


def test_truncated_workbook(tiny_raw):
    path = workbook(tiny_raw / "responses/2007/export.xlsx", [["state", "plan"], ["PHL", "yes"]])
    path.write_bytes(path.read_bytes()[:200])
    probs = problems(tiny_raw)
    assert any(p.file.endswith("export.xlsx") and "readable .xlsx" in p.expected for p in probs), probs
