"""The response workbook: the questionnaire as an .xlsx a focal point fills in, and reading it back.

``write_form`` makes the workbook from the questionnaire model (``paper form``): an Instructions
sheet, and a Questionnaire sheet with the State, then one row per question asked in the round:
its number and wording (locked), the answer (a dropdown of the allowed answers where the question
has them), a cell for comments, and the follow-up condition in words. Pre-filled with a State's
response, it reads back as exactly that response.

``read_form`` gives what ingest validates, cell by cell, with each value's cell
(``Questionnaire!C7``) so that a problem names it. Rows are matched by the question key in a
hidden column, not by position or wording: inserting a row or retyping the wording does not
misplace an answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SHEET = "Questionnaire"
INSTRUCTIONS = "Instructions"
LISTS = "Lists"
STATE_CELL = "B1"
FIRST_ROW = 5  # the header row is 4
COLUMNS = {"number": "A", "question": "B", "answer": "C", "comments": "D", "asked_if": "E", "key": "F"}
THEMES_KEY = "themes"  # the key cell of the row that holds theme codes


@dataclass
class FormCells:
    """A filled workbook's contents, each with the cell it came from."""

    state: str = ""
    state_cell: str = f"{SHEET}!{STATE_CELL}"
    answers: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)  # "answer:<key>" / "comment:<key>" / "themes" -> cell


def is_form(sheetnames) -> bool:
    """Whether a workbook is a response workbook (it has the Questionnaire sheet)."""
    return SHEET in sheetnames


def condition_words(question, questions) -> str:
    """A follow-up's condition in words: 'Only if the answer to 3 is No'."""
    parts = []
    for key, value in question.asked_if.items():
        other = questions.get(key)
        number = other.number if other is not None and other.number else key
        shown = value.capitalize() if other is not None and other.type == "yes_no" else value
        parts.append(f"the answer to {number} is {shown}")
    return ("Only if " + " and ".join(parts)) if parts else ""


#: Question types answered by one of a fixed list: a dropdown offers it.
ONE_OF_TYPES = ("yes_no", "choice", "scale")


def allowed_answers(question) -> tuple[str, ...]:
    """The answers a dropdown offers: every answer a question answered by one of a list allows
    (its choices, and ``other`` where the questionnaire allows it); none for other types."""
    if question.type not in ONE_OF_TYPES:
        return ()
    return tuple(getattr(question, "options", None) or question.choices)


def answer_hint(question) -> str:
    """What goes in the answer cell, for the Instructions and the cell's input message."""
    options = tuple(getattr(question, "options", None) or question.choices)
    if question.type == "multi_choice":
        return "one or more of: " + "; ".join(options) + " (separated by ;)"
    if allowed_answers(question):
        return "one of: " + ", ".join(allowed_answers(question))
    if question.type == "number":
        return "a number"
    if question.closed:
        return "an answer"
    return "write your answer in the Comments cell"


def cell_value(answer):
    """A stored answer as the workbook holds it: a multi-choice list as ``a; b`` (``[]`` for none), else as is."""
    if isinstance(answer, list):
        return "; ".join(answer) if answer else "[]"
    return answer


def write_form(path: Path, questionnaire, round_name: str, response: dict | None = None, state_name: str = "") -> Path:
    """Write the response workbook for ``round_name``; ``response`` (a validated response) pre-fills it."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    response = response or {"state": "", "answers": {}, "comments": {}, "themes": []}
    questions = questionnaire.questions
    asked = [questions[k] for s in questionnaire.sections for k in s["keys"] if questions[k].asked_in_round(round_name)]
    wb = Workbook()
    info = wb.active
    info.title = INSTRUCTIONS
    ws = wb.create_sheet(SHEET)
    lists = wb.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    wb.active = 1

    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    open_cell = Protection(locked=False)
    shaded = PatternFill("solid", fgColor="FFF2CC")

    lines = [
        (questionnaire.title, True),
        (f"Round {round_name}", True),
        ("", False),
        (questionnaire.intro, False),
        ("", False),
        ("How to fill in this workbook", True),
        (f"1. On the sheet '{SHEET}', write your State in cell {STATE_CELL}: its name or its ISO 3166-1 code.", False),
        ("2. Answer each question in the column 'Answer': pick an answer from the cell's list.", False),
        ("3. Write any explanation or example in the column 'Comments' of the same row.", False),
        ("4. A follow-up question ('Only if …' in column E) is answered only where that condition holds.", False),
        ("5. Leave a cell empty for no answer. The questions' wording is locked: please do not change it.", False),
        (
            f"6. Save the workbook as .xlsx and return it; it is read into raw/responses/{round_name}/ as it is.",
            False,
        ),
        ("", False),
        ("The answers each question takes", True),
    ]
    lines += [(f"{q.number}  {answer_hint(q)}", False) for q in asked]
    for row, (text, strong) in enumerate(lines, start=1):
        cell = info.cell(row=row, column=1, value=text)
        cell.alignment = wrap
        if strong:
            cell.font = bold
    info.column_dimensions["A"].width = 110
    info.protection.sheet = True

    ws["A1"], ws["A2"] = "State", "Round"
    ws["A1"].font = ws["A2"].font = bold
    ws[STATE_CELL] = response.get("state") or None
    ws[STATE_CELL].protection = open_cell
    ws[STATE_CELL].fill = shaded
    ws["C1"] = state_name or None
    ws["B2"] = round_name
    for col, title in zip("ABCDEF", ("No.", "Question", "Answer", "Comments", "Asked", "key"), strict=True):
        ws[f"{col}4"] = title
        ws[f"{col}4"].font = bold
    widths = {"A": 8, "B": 70, "C": 16, "D": 60, "E": 28, "F": 12}
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    ws.column_dimensions[COLUMNS["key"]].hidden = True
    ws.freeze_panes = f"A{FIRST_ROW}"

    answers, comments = response.get("answers", {}), response.get("comments", {})
    row, list_col, section = FIRST_ROW, 0, None
    for q in asked:
        if q.section != section:
            section = q.section
            title = next((s["title"] for s in questionnaire.sections if s["key"] == section), "")
            if title:
                ws.cell(row=row, column=2, value=title).font = bold
                row += 1
        ws.cell(row=row, column=1, value=q.number)
        ws.cell(row=row, column=2, value=q.text + (f"\n{q.note}" if q.note else ""))
        ws.cell(row=row, column=5, value=condition_words(q, questions) or None)
        ws.cell(row=row, column=6, value=q.key)
        answer = ws.cell(row=row, column=3, value=cell_value(answers.get(q.key)))
        comment = ws.cell(row=row, column=4, value=comments.get(q.key))
        for cell in (answer, comment):
            cell.protection = open_cell
            cell.fill = shaded
        choices = allowed_answers(q)
        if choices:
            list_col += 1
            for i, choice in enumerate(choices, start=1):
                lists.cell(row=i, column=list_col, value=choice)
            letter = lists.cell(row=1, column=list_col).column_letter
            dv = DataValidation(
                type="list",
                formula1=f"{LISTS}!${letter}$1:${letter}${len(choices)}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Not an answer to this question",
                error=answer_hint(q),
                showInputMessage=True,
                prompt=answer_hint(q),
            )
            ws.add_data_validation(dv)
            dv.add(answer.coordinate)
        elif q.type == "text":
            answer.protection = Protection(locked=True)
            answer.fill = PatternFill(fill_type=None)
            answer.value = None
        for col in range(1, 7):
            ws.cell(row=row, column=col).alignment = wrap
        row += 1
    ws.cell(row=row + 1, column=2, value="Themes (for the secretariat: codes separated by ;)").font = bold
    themes = ws.cell(row=row + 1, column=4, value="; ".join(sorted(response.get("themes", []))) or None)
    themes.protection = open_cell
    ws.cell(row=row + 1, column=6, value=THEMES_KEY)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # columns may be widened
    ws.protection.formatRows = False
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def read_form(rows: list[list[str]]) -> FormCells:
    """A response workbook's Questionnaire sheet (its cells as text) -> what it says, cell by cell."""
    from openpyxl.utils import get_column_letter

    out = FormCells()
    col = {name: ord(letter) - ord("A") for name, letter in COLUMNS.items()}
    state_row, state_col = 0, 1
    if rows and len(rows[state_row]) > state_col:
        out.state = rows[state_row][state_col].strip()
    for r, cells in enumerate(rows[FIRST_ROW - 1 :], start=FIRST_ROW):
        cells = [*cells, *[""] * (6 - len(cells))]
        key = cells[col["key"]].strip()
        if not key:
            continue
        answer_cell = f"{SHEET}!{get_column_letter(col['answer'] + 1)}{r}"
        comment_cell = f"{SHEET}!{get_column_letter(col['comments'] + 1)}{r}"
        if key == THEMES_KEY:
            out.themes = [t.strip() for t in cells[col["comments"]].replace(",", ";").split(";") if t.strip()]
            out.cells["themes"] = comment_cell
            continue
        out.answers[key] = cells[col["answer"]]
        out.comments[key] = cells[col["comments"]]
        out.cells[f"answer:{key}"] = answer_cell
        out.cells[f"comment:{key}"] = comment_cell
    return out
