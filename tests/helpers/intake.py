"""Turn validated responses into what focal points and survey tools send: workbooks and exports (tests only)."""

from __future__ import annotations

import csv
from pathlib import Path

from surveypaper.forms import write_form


def question_order(questionnaire) -> list:
    return [questionnaire.questions[k] for s in questionnaire.sections for k in s["keys"]]


def survey_export(path: Path, responses: list[dict], questionnaire, country_name, round_name: str) -> Path:
    """A survey tool's CSV of ``responses``: a timestamp, country names, headers "N. wording", comment
    columns "N. start of wording… - Comments", yes/no capitalised as tools write them; and its ignore file."""
    questions = [q for q in question_order(questionnaire) if q.asked_in_round(round_name)]
    header = ["Timestamp", "Country"]
    for q in questions:
        header.append(f"{q.number}. {q.text}")
        if q.closed:
            header.append(f"{q.number}. {' '.join(q.text.split()[:6])}… - Comments")
    header.append("Themes")
    rows = [header]
    for i, r in enumerate(responses):
        row = [f"{round_name}/07/{i + 1:02d} 10:00", country_name(r["state"])]
        for q in questions:
            if q.closed:
                row += [r["answers"].get(q.key, "").capitalize(), r["comments"].get(q.key, "")]
            else:
                row.append(r["comments"].get(q.key, ""))
        row.append(";".join(r["themes"]))
        rows.append(row)
    with Path(path).open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    Path(f"{path}.ignore").write_text("# added by the survey tool\nTimestamp\n", encoding="utf-8")
    return Path(path)


def workbook(path: Path, response: dict, questionnaire, round_name: str) -> Path:
    """The response workbook `paper form --state` writes, pre-filled with ``response``."""
    return write_form(path, questionnaire, round_name, response)
