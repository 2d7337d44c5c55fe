"""The data behind the paper, as open-data portals expect it: ``output/data/`` (a contract).

- ``responses.csv``: the tidy answers table (:mod:`surveypaper.table`) with each State's region;
- ``figures.csv``: every closed question's counts and percentages per answer and round;
- ``datapackage.json``: a Frictionless Data Package describing both, with Table Schemas made from
  ``raw/questionnaire.yaml`` (question keys, allowed answers as ``enum`` constraints) and the
  questionnaire itself (keys, numbers, wording) as an inline resource;
- ``working_paper_data.xlsx``: the same tables as sheets, after a first sheet that explains them.

Written by the default build beside the PDF, in the Snakemake process: no pandas (the rows come
from the same function as the DataFrame's, :func:`surveypaper.table.all_answer_rows`), the CSVs
by the csv module, the workbook by XlsxWriter. Same inputs, same bytes: the workbook's dates are
the paper's date (``templates/paper.yaml``) and its zip entries carry XlsxWriter's fixed time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

from .questionnaire import NONE_CHOSEN, Questionnaire
from .rounds import round_order
from .table import all_answer_rows

#: The files of output/data/, in the order the paper's link and the workbook's first sheet list them.
FILES = ("working_paper_data.xlsx", "responses.csv", "figures.csv", "datapackage.json")

RESPONSE_FIELDS = ("round", "state", "region", "sub_region", "question", "answer", "comment")
FIGURE_FIELDS = ("round", "question", "answer", "count", "pct", "answered")
QUESTION_FIELDS = ("key", "number", "section", "type", "short", "text", "choices", "asked_if")
#: Question types whose answers are one of their choices.
CHOICE_TYPES = ("yes_no", "choice", "multi_choice", "scale")


def response_rows(questionnaire: Questionnaire, responses: dict, stats: dict) -> list[dict]:
    """``responses.csv``: one row per round x State x question answered (per choice of a multi-choice
    answer), with the State's UN M49 region and sub-region as stats.json gives them."""
    where = {}
    for round_name, block in stats["rounds"].items():
        for kind in ("regions", "sub_regions"):
            for name, codes in (block.get(kind) or {}).items():
                for code in codes:
                    where[(round_name, code, kind)] = name
    return [
        {
            "round": r,
            "state": state,
            "region": where.get((r, state, "regions"), ""),
            "sub_region": where.get((r, state, "sub_regions"), ""),
            "question": key,
            "answer": answer,
            "comment": comment,
        }
        for r, state, key, answer, comment in all_answer_rows(questionnaire, responses)
    ]


def figure_rows(questionnaire: Questionnaire, stats: dict) -> list[dict]:
    """``figures.csv``: per round, question (questionnaire order) and answer (its choices' order)."""
    rows = []
    for round_name in round_order(stats["rounds"]):
        asked = stats["rounds"][round_name]["questions"]
        for key in questionnaire.questions:
            entry = asked.get(key)
            if not entry or "counts" not in entry:
                continue
            for answer, count in entry["counts"].items():
                rows.append(
                    {
                        "round": round_name,
                        "question": key,
                        "answer": answer,
                        "count": count,
                        "pct": entry["pct"].get(answer),
                        "answered": entry["answered"],
                    }
                )
    return rows


def question_rows(questionnaire: Questionnaire) -> list[dict]:
    """The questionnaire as rows: the package's inline ``questions`` resource and the workbook's sheet."""
    return [
        {
            "key": q.key,
            "number": q.number,
            "section": q.section,
            "type": q.type,
            "short": q.short,
            "text": q.text,
            "choices": "; ".join(q.options) if q.type in CHOICE_TYPES else "",
            "asked_if": "; ".join(f"{k} is {v}" for k, v in q.asked_if.items()),
        }
        for q in questionnaire.questions.values()
    ]


def _answers_enum(questionnaire: Questionnaire) -> list[str] | None:
    """Every allowed answer, if every answer is one of a question's choices (no number questions)."""
    questions = questionnaire.questions.values()
    if any(q.type == "number" or (q.closed and q.type not in CHOICE_TYPES) for q in questions):
        return None
    allowed = {c for q in questions if q.type in CHOICE_TYPES for c in q.options}
    if any(q.type == "multi_choice" for q in questions):
        allowed.add(NONE_CHOSEN)  # a multi-choice answer of none of these
    return sorted(allowed)


def _field(name: str, kind: str, description: str, **constraints) -> dict:
    field = {"name": name, "type": kind, "description": description}
    constraints = {k: v for k, v in constraints.items() if v is not None}
    if constraints:
        field["constraints"] = constraints
    return field


def schemas(questionnaire: Questionnaire, regions: list[str]) -> dict[str, dict]:
    """The Table Schemas of responses.csv, figures.csv and the questions, from the questionnaire."""
    keys = list(questionnaire.questions)
    closed = [q.key for q in questionnaire.closed]
    enum = _answers_enum(questionnaire)
    state = ("the State's ISO 3166-1 alpha-3 code", {"pattern": "[A-Z]{3}"})
    return {
        "responses": {
            "fields": [
                _field("round", "string", "the round of the questionnaire (the year it was put)", required=True),
                _field("state", "string", state[0], required=True, **state[1]),
                _field("region", "string", "the State's UN M49 region", enum=regions or None),
                _field("sub_region", "string", "the State's UN M49 sub-region (intermediate region where M49 has one)"),
                _field(
                    "question",
                    "string",
                    "the question's key (see the questions resource for its number and wording)",
                    required=True,
                    enum=keys,
                ),
                _field(
                    "answer",
                    "string",
                    "the answer as the questionnaire spells it; one row per choice of a multi-choice answer; "
                    "empty for a text question (its answer is the comment) or a comment without an answer",
                    enum=enum,
                ),
                _field("comment", "string", "the respondent's own words on this question, as given"),
            ],
            "missingValues": [""],
            "foreignKeys": [{"fields": "question", "reference": {"resource": "questions", "fields": "key"}}],
        },
        "figures": {
            "fields": [
                _field("round", "string", "the round of the questionnaire", required=True),
                _field("question", "string", "the closed question's key", required=True, enum=closed),
                _field("answer", "string", "one of the question's answers", required=True, enum=enum),
                _field("count", "integer", "States that gave this answer", required=True, minimum=0),
                _field(
                    "pct",
                    "integer",
                    "count as a percentage of answered, rounded half up to a whole percent "
                    "(empty where nobody answered)",
                    minimum=0,
                    maximum=100,
                ),
                _field("answered", "integer", "States that answered the question (the denominator)", minimum=0),
            ],
            "missingValues": [""],
            "primaryKey": ["round", "question", "answer"],
            "foreignKeys": [{"fields": "question", "reference": {"resource": "questions", "fields": "key"}}],
        },
        "questions": {
            "fields": [
                _field("key", "string", "the question's key", required=True, unique=True),
                _field("number", "string", "its number as printed in Annex I"),
                _field("section", "string", "the key of its section"),
                _field("type", "string", "the kind of answer it takes"),
                _field("short", "string", "a short label (charts, tables)"),
                _field("text", "string", "the question as put to governments"),
                _field("choices", "string", "its answers, separated by '; '"),
                _field("asked_if", "string", "where it was asked only after another answer: that condition"),
            ],
            "missingValues": [""],
            "primaryKey": ["key"],
        },
    }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "data"


def datapackage(questionnaire: Questionnaire, paper: dict, regions: list[str]) -> dict:
    """``datapackage.json``: a Frictionless (tabular) Data Package of responses.csv and figures.csv."""
    schema = schemas(questionnaire, regions)
    title = str(paper.get("title", "")).strip()

    def csv_resource(name: str, title: str, description: str) -> dict:
        return {
            "name": name,
            "path": f"{name}.csv",
            "profile": "tabular-data-resource",
            "title": title,
            "description": description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": schema[name],
        }

    return {
        "profile": "tabular-data-package",
        "name": _slug(f"{title} data"),
        "title": f"The data behind {title}" if title else "The data behind the paper",
        "description": " ".join(str(paper.get("subject", "")).split()),
        "created": f"{_date(paper).isoformat()}T00:00:00Z",
        "keywords": _keywords(paper.get("keywords")),
        "contributors": [{"title": str(paper["author"]), "role": "author"}] if paper.get("author") else [],
        "resources": [
            csv_resource(
                "responses",
                "Responses",
                "Every answer of every round: one row per round, State and question answered "
                "(per choice of a multi-choice answer).",
            ),
            csv_resource(
                "figures",
                "Figures",
                "Every closed question's counts and percentages per answer and round; a percentage is the "
                "share of the States that answered that question, rounded half up.",
            ),
            {
                "name": "questions",
                "profile": "tabular-data-resource",
                "title": "Questions",
                "description": "The questionnaire: each question's key, number and wording.",
                "data": question_rows(questionnaire),
                "schema": schema["questions"],
            },
        ],
    }


def _keywords(value) -> list[str]:
    if isinstance(value, str):
        return [k.strip() for k in value.split(",") if k.strip()]
    return [str(k) for k in value or []]


def _date(paper: dict) -> dt.date:
    value = paper.get("date")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)) if value else dt.date(1980, 1, 1)


def csv_text(rows: list[dict], fields) -> str:
    """UTF-8 CSV text, a header row then one line per row, "\\n" line ends."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in fields})
    return out.getvalue()


def workbook_bytes(package: dict, tables: dict[str, list[dict]], paper: dict) -> bytes:
    """``working_paper_data.xlsx``: an "About" sheet, then one sheet per table (same columns as the CSVs)."""
    import xlsxwriter

    stamp = dt.datetime.combine(_date(paper), dt.time(), tzinfo=dt.UTC)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_urls": False})
    book.set_properties(
        {"title": package["title"], "author": str(paper.get("author", "")), "created": stamp.replace(tzinfo=None)}
    )
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    about = book.add_worksheet("About")
    about.set_column(0, 0, 22)
    about.set_column(1, 1, 100, wrap)
    lines = [(package["title"], ""), ("", package["description"]), ("", "")]
    for resource in package["resources"]:
        lines.append((f"Sheet {resource['name']}", resource["description"]))
        lines.extend((f"  {f['name']}", f["description"]) for f in resource["schema"]["fields"])
        lines.append(("", ""))
    lines.append(("Files", "The same tables as CSV, described by datapackage.json (a Frictionless Data Package)."))
    for row, (label, text) in enumerate(lines):
        about.write_string(row, 0, label, bold if label and not label.startswith(" ") else None)
        about.write_string(row, 1, text)
    for resource in package["resources"]:
        fields = resource["schema"]["fields"]
        sheet = book.add_worksheet(resource["name"])
        sheet.freeze_panes(1, 0)
        for col, field in enumerate(fields):
            sheet.write_string(0, col, field["name"], bold)
        for row, record in enumerate(tables[resource["name"]], start=1):
            for col, field in enumerate(fields):
                value = record.get(field["name"])
                if value is None or value == "":
                    continue
                if field["type"] == "integer":
                    sheet.write_number(row, col, int(value))
                else:
                    sheet.write_string(row, col, str(value))
        sheet.autofilter(0, 0, max(len(tables[resource["name"]]), 1), len(fields) - 1)
    book.close()
    return buffer.getvalue()


def build(questionnaire: Questionnaire, responses: dict, stats: dict, paper: dict) -> dict[str, bytes]:
    """Every file of output/data/, by name."""
    regions = sorted({r for block in stats["rounds"].values() for r in block.get("regions") or {}})
    package = datapackage(questionnaire, paper, regions)
    tables = {
        "responses": response_rows(questionnaire, responses, stats),
        "figures": figure_rows(questionnaire, stats),
        "questions": question_rows(questionnaire),
    }
    return {
        "responses.csv": csv_text(tables["responses"], RESPONSE_FIELDS).encode("utf-8"),
        "figures.csv": csv_text(tables["figures"], FIGURE_FIELDS).encode("utf-8"),
        "datapackage.json": (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
        "working_paper_data.xlsx": workbook_bytes(package, tables, paper),
    }


def write(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write the files into ``out_dir`` (each atomically); files of an earlier build not in ``files`` go."""
    from .publish import write_atomic

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, payload in sorted(files.items()):
        write_atomic(out_dir / name, payload)
    for old in out_dir.iterdir():
        if old.is_file() and old.name not in files and not old.name.startswith("."):
            old.unlink()
