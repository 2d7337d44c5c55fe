"""Read every response of every round (YAML files, survey-tool tables, response workbooks) and validate them all at once.

Longer than most modules (about 600 lines): the three forms a response comes in are read here so
that one validation (:func:`_fill`) and one problem table serve them all; what a table's header
names is decided in :mod:`surveypaper.headers`, a workbook's layout in :mod:`surveypaper.forms`.

Rules (also in README "Adding a response"):
- `raw/responses/<round>/<ISO3>.yaml` is one State's response; `*.csv` and `*.xlsx` are tables with
  a State column (codes or names) and a column per question, headed as docs/headers.md says; an
  `*.xlsx` with a `Questionnaire` sheet is a response workbook (`paper form`).
- A folder that is not a round of raw/questionnaire.yaml is one error.
- Files whose names start with `.` or `~$` (.DS_Store, Office lock files) are ignored; any other
  extension is an error (an export's `.ignore` list aside).
- Answers are matched to the questionnaire's choices ignoring case (`NO` is `no`), nothing else:
  ` yes`, `Oui`, `1` are errors. An empty cell, an omitted key, `null` or `~` is no answer.
- A follow-up question answered where it does not apply, a question not asked in that round, an
  unknown key, State or theme, and a State answering twice in a round are errors.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .contacts import check_contact
from .errors import Problem, ValidationFailed, closest
from .questionnaire import EMPTY, LIST_SEPARATOR, NONE_CHOSEN, OTHER, AnswerError, Questionnaire
from .states import State, States, suggest_code
from .yamlio import YamlError, load_verbatim

MAX_FILE_BYTES = 2_000_000
MAX_TEXT_CHARS = 20_000
# What people type for "no answer": told to leave the key out instead.
NO_ANSWER = {"n/a", "na", "n.a", "none", "-", "--", "?", "not applicable", "no answer", "unknown", "nil"}
YAML_KEYS = {"state", "answers", "comments", "themes", "contact"}
IGNORED_PREFIXES = (".", "~$")
IGNORE_SUFFIX = ".ignore"  # survey.csv.ignore: the columns of survey.csv that are not answers
INVISIBLE = {"\u200b", "\ufeff", "\u2060", "\u00ad"}


@dataclass
class Response:
    """One State's validated response in one round."""

    state: str
    source: str
    answers: dict[str, str | list[str] | int | float] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)
    contact: dict | None = None  # only a contact the respondent agreed to publish (surveypaper.contacts)

    def as_dict(self) -> dict:
        """A plain, sorted structure for JSON."""
        data = {
            "state": self.state,
            "source": self.source,
            "answers": dict(sorted(self.answers.items())),
            "comments": dict(sorted(self.comments.items())),
            "themes": sorted(self.themes),
        }
        if self.contact:
            data["contact"] = self.contact
        return data


@dataclass
class Context:
    """What validation checks against."""

    questionnaire: Questionnaire
    states: States
    themes: dict[str, str]
    round: str = ""
    log: list[str] = field(default_factory=list)  # what each table header was matched to


def response_files(round_dir: Path) -> list[Path]:
    """The files of a round that hold responses, in name order (ignored litter left out)."""
    return sorted(p for p in Path(round_dir).iterdir() if p.is_file() and not p.name.startswith(IGNORED_PREFIXES))


def round_dirs(responses_dir: Path) -> list[Path]:
    """The round folders, oldest first (sorted by name)."""
    return sorted(p for p in Path(responses_dir).iterdir() if p.is_dir() and not p.name.startswith("."))


def load_round(round_dir: Path, ctx: Context, root: Path | None = None) -> tuple[list[Response], list[Problem]]:
    """Read and validate one round; returns the responses and every problem found."""
    problems: list[Problem] = []
    responses: list[Response] = []
    files = response_files(round_dir)
    if not files:
        problems.append(
            Problem(_rel(round_dir, root), "folder", "", "at least one response file (.yaml, .csv or .xlsx)")
        )
    for path in files:
        name = _rel(path, root)
        suffix = path.suffix.lower()
        if suffix == IGNORE_SUFFIX:
            export = path.with_name(path.name[: -len(IGNORE_SUFFIX)])
            if not export.is_file() or export.suffix.lower() not in (".csv", ".xlsx"):
                problems.append(
                    Problem(name, "file", path.name, f"an ignore list beside its export ({export.name} is missing)")
                )
            continue
        if suffix not in (".yaml", ".yml", ".csv", ".xlsx"):
            problems.append(Problem(name, "file", path.suffix, "a .yaml, .yml, .csv or .xlsx response file"))
            continue
        size = path.stat().st_size
        if size == 0:
            problems.append(Problem(name, "file", "", "a non-empty file"))
            continue
        if size > MAX_FILE_BYTES:
            problems.append(Problem(name, "file", f"{size} bytes", f"at most {MAX_FILE_BYTES} bytes"))
            continue
        if suffix in (".yaml", ".yml"):
            found, probs = _read_yaml(path, name, ctx)
        else:
            table, probs, form = _read_csv(path, name) if suffix == ".csv" else _read_xlsx(path, name)
            found = []
            if not probs and form:
                found, probs = _form_response(table, name, ctx)
            elif not probs:
                found, probs = _table_responses(table, path, name, ctx, root)
        responses.extend(found)
        problems.extend(probs)
    seen: dict[str, str] = {}
    for r in responses:
        if r.state in seen:
            problems.append(
                Problem(
                    r.source, "state", r.state, f"one response per State in round {ctx.round} (also in {seen[r.state]})"
                )
            )
        else:
            seen[r.state] = r.source
    return sorted(responses, key=lambda r: r.state), problems


def load_all(
    raw_dir: Path,
    questionnaire: Questionnaire,
    states: Mapping[str, State],
    themes: dict[str, str],
    log: list[str] | None = None,
) -> dict:
    """Every round under raw/responses, validated; raises ValidationFailed with all problems.

    ``log``, if given, receives a line per table column: what its header was matched to.
    """
    raw_dir = Path(raw_dir)
    states = states if isinstance(states, States) else States(states)
    root = raw_dir.parent
    problems: list[Problem] = []
    rounds = {}
    dirs = round_dirs(raw_dir / "responses")
    if not dirs:
        problems.append(Problem(_rel(raw_dir / "responses", root), "folder", "", "one folder per round, e.g. 2008/"))
    for d in dirs:
        if not questionnaire.declares(d.name):
            declared = ", ".join(questionnaire.rounds)
            problems.append(
                Problem(
                    _rel(d, root),
                    "folder",
                    d.name,
                    f"a round of raw/questionnaire.yaml ({declared}): declare it under 'rounds' or rename the folder",
                    closest(d.name, questionnaire.rounds),
                )
            )
            continue
        ctx = Context(questionnaire, states, themes, d.name, log if log is not None else [])
        found, probs = load_round(d, ctx, root)
        problems.extend(probs)
        rounds[d.name] = [r.as_dict() for r in found]
    if problems:
        raise ValidationFailed(problems)
    return {"rounds": rounds}


# --- YAML ------------------------------------------------------------------------------------


def _read_yaml(path: Path, name: str, ctx: Context) -> tuple[list[Response], list[Problem]]:
    try:
        data = load_verbatim(path)
    except YamlError as exc:
        where = f"line {exc.line}" if exc.line else "file"
        return [], [Problem(name, where, "", f"valid YAML: {exc.message}")]
    if data is None or data == "":
        return [], [Problem(name, "file", "", "a response: state, answers, comments, themes")]
    if not isinstance(data, dict):
        return [], [Problem(name, "file", type(data).__name__, "a mapping with state, answers, comments, themes")]
    problems = []
    for key in data:
        if key not in YAML_KEYS:
            problems.append(
                Problem(name, str(key), "", "one of state, answers, comments, themes, contact", closest(key, YAML_KEYS))
            )
    state, probs = _check_state(data.get("state"), name, "state", ctx)
    problems += probs
    if state and Path(path).stem.upper() != state and Path(path).stem != state:
        problems.append(Problem(name, "state", state, f"the file name {state}.yaml for State {state}"))
    answers = data.get("answers") or {}
    comments = data.get("comments") or {}
    themes = data.get("themes") or []
    if not isinstance(answers, dict):
        problems.append(Problem(name, "answers", str(answers), "a mapping question key -> answer"))
        answers = {}
    if not isinstance(comments, dict):
        problems.append(Problem(name, "comments", str(comments), "a mapping question key -> text"))
        comments = {}
    if isinstance(themes, str):
        themes = [t for t in re.split(r"[;,]\s*", themes) if t]
    if not isinstance(themes, list):
        problems.append(Problem(name, "themes", str(themes), "a list of theme codes"))
        themes = []
    resp = Response(state=state or "", source=name)
    problems += _fill(resp, answers, comments, themes, name, ctx, lambda k: f"answers.{k}", lambda k: f"comments.{k}")
    resp.contact, probs = check_contact(data.get("contact"), name)
    problems += probs
    if state and not (answers or comments or themes):
        problems.append(_no_answers(name, "answers"))
    return ([resp] if state else []), problems


def _no_answers(name: str, where: str) -> Problem:
    """A response without a single answer would count as a respondent all the same."""
    return Problem(
        name,
        where,
        "",
        "at least one answer, comment or theme: a response that says nothing still counts as a respondent "
        "(remove it if the State did not respond)",
    )


# --- tables ------------------------------------------------------------------------------------


def _read_csv(path: Path, name: str) -> tuple[list[tuple[int, dict]], list[Problem]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [_encoding_problem(raw, exc.start, name)], False
    try:
        table = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return [], [Problem(name, "file", "", f"a readable CSV table ({exc})")], False
    return table, [], False


def _encoding_problem(raw: bytes, start: int, name: str) -> Problem:
    """A table that is not UTF-8: the row of the first bad byte, what it looks like, how to save it."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw[:200].count(b"\x00") > 10:
        kind, where = "UTF-16", "file"
    else:
        kind = "Windows-1252" if _is_cp1252(raw) else ""
        row = raw[:start].count(b"\n") + 1
        where = f"row {row}"
    looks = f"the file is {kind}, not UTF-8: " if kind else ""
    return Problem(
        name,
        where,
        f"byte 0x{raw[start]:02X}" if start < len(raw) else "",
        f"UTF-8 text ({looks}save it as UTF-8, in Excel 'CSV UTF-8 (Comma delimited)')",
    )


def _is_cp1252(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def _read_xlsx(path: Path, name: str) -> tuple[list[list[str]], list[Problem], bool]:
    """The cells of an export's sheet, or of a response workbook's Questionnaire sheet (then True)."""
    import zipfile

    from openpyxl import load_workbook

    from .forms import SHEET, is_form

    try:
        values = load_workbook(path, read_only=False, data_only=True)
        formulas = load_workbook(path, read_only=False, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        return [], [Problem(name, "file", "", f"a readable .xlsx workbook ({type(exc).__name__})")], False
    form = is_form(values.sheetnames)
    sheet_name = SHEET if form else "responses"
    if sheet_name not in values.sheetnames and len(values.sheetnames) == 1:
        sheet_name = values.sheetnames[0]  # a survey tool's export: one sheet, whatever its name
    if sheet_name not in values.sheetnames:
        return (
            [],
            [
                Problem(
                    name,
                    "sheet",
                    ", ".join(values.sheetnames),
                    f"a sheet named {sheet_name!r} (or a workbook of one sheet)",
                    closest(sheet_name, values.sheetnames),
                )
            ],
            False,
        )
    ws, wf = values[sheet_name], formulas[sheet_name]
    if ws.sheet_state != "visible":
        return [], [Problem(name, f"sheet {sheet_name}", ws.sheet_state, "a visible sheet (unhide it)")], form
    at = f"{sheet_name}!" if form else ""
    problems = [
        Problem(name, f"cells {rng.coord}", "merged", "one value per cell (unmerge the cells)")
        for rng in ws.merged_cells.ranges
    ]
    table = []
    for row_v, row_f in zip(ws.iter_rows(), wf.iter_rows(), strict=False):
        cells = []
        for cv, cf in zip(row_v, row_f, strict=False):
            if cf.data_type == "f" and cv.value is None:
                problems.append(
                    Problem(
                        name,
                        at + cf.coordinate,
                        str(cf.value),
                        "a value (a formula without a saved result: open and save the file in a spreadsheet program)",
                    )
                )
            cells.append(_cell_text(cv.value))
        table.append(cells)
    while table and not any(table[-1]):
        table.pop()
    if problems:
        return [], problems, form
    return table, [], form


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_ignore_list(path: Path) -> list[str]:
    """The headers an export's ignore file lists: one a line; blank lines and ``#`` comments skipped."""
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [" ".join(line.split()) for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _table_responses(table: list[list[str]], path: Path, name: str, ctx: Context, root) -> tuple[list, list]:
    """A table's responses: its header matched to the questionnaire, then every row validated."""
    from .headers import Unmatched, match_columns

    if not table or not any(c.strip() for c in table[0]):
        return [], [Problem(name, "row 1", "", "a header row: the State column, then one column per question")]
    header = [" ".join(h.split()) for h in table[0]]
    ignore_path = path.with_name(path.name + IGNORE_SUFFIX)
    ignored = read_ignore_list(ignore_path)
    columns, clashes = match_columns(header, ctx.questionnaire, ignored)
    problems = [
        Problem(name, "header", clash, "each question, the State and the themes in one column") for clash in clashes
    ]
    problems += [
        Problem(name, "header", h, "each column once") for h in sorted({h for h in header if header.count(h) > 1})
    ]
    for i, col in enumerate(columns):
        where = f"column {_column_name(i)}"
        if isinstance(col, Unmatched):
            near = "; ".join(col.candidates)
            expected = (
                f"a question's number, wording or key ({col.reason}; closest: {near})"
                if near
                else f"a question's number, wording or key ({col.reason})"
            )
            problems.append(Problem(name, where, col.header, expected + f", or a line of {ignore_path.name}"))
        else:
            ctx.log.append(f"{name}: column {_column_name(i)} {col.describe()}")
    headers = {c.header.casefold() for c in columns}
    for line in ignored:
        if line.casefold() not in headers:
            problems.append(Problem(_rel(ignore_path, root), "line", line, f"a column header of {path.name}"))
    if not any(getattr(c, "kind", "") == "state" for c in columns):
        problems.append(
            Problem(
                name, "header", ", ".join(header[:4]), "a State column: 'state' or 'country'", closest("state", header)
            )
        )
    if problems:
        return [], problems
    responses = []
    for line, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # blank rows are skipped
        if len(cells) != len(header):
            problems.append(
                Problem(
                    name, f"row {line}", f"{len(cells)} cells", f"{len(header)} cells, one per column of the header"
                )
            )
            continue
        resp, probs = _row_response(columns, cells, line, name, ctx)
        problems += probs
        if resp is not None:
            responses.append(resp)
    if not responses and not problems:
        problems.append(Problem(name, "file", "header only", "at least one response row"))
    return responses, problems


def _form_response(rows: list[list[str]], name: str, ctx: Context) -> tuple[list[Response], list[Problem]]:
    """A filled response workbook (:mod:`surveypaper.forms`): validated as any response, each problem at its cell."""
    from .forms import read_form

    form = read_form(rows)
    state, problems = _check_table_state(form.state, name, form.state_cell, ctx)
    resp = Response(state=state or "", source=name)
    cells = form.cells
    problems += _fill(
        resp,
        form.answers,
        form.comments,
        form.themes,
        name,
        ctx,
        lambda k: cells.get(f"answer:{k}", k),
        lambda k: cells.get(f"comment:{k}", k),
        themes_where=cells.get("themes", "themes"),
    )
    return ([resp] if state else []), problems


def _column_name(i: int) -> str:
    """A column as a spreadsheet names it: 0 -> A, 26 -> AA (openpyxl's get_column_letter, without
    importing openpyxl for a CSV: its import costs a fifth of a second of the build)."""
    name, n = "", i + 1
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


def _column_label(i: int, header: str) -> str:
    """``B (plan)``, ``C (1. Has your Government…)``: the letter, and the header cut to a few words."""
    return f"{_column_name(i)} ({_short(header, 28)})"


def _row_response(columns, cells: list[str], line: int, name: str, ctx: Context) -> tuple[Response | None, list]:
    where = f"row {line}"
    answers, comments, themes, state_cell, state_where = {}, {}, [], "", where
    head: dict[str, str] = {}
    for i, (col, value) in enumerate(zip(columns, cells, strict=True)):
        if col.kind == "state":
            state_cell, state_where = value, f"{where}, column {_column_label(i, col.header)}"
        elif col.kind == "themes":
            themes = [t.strip() for t in value.split(";") if t.strip()]
        elif col.kind == "answer":
            answers[col.key] = value
            head[col.key] = _column_label(i, col.header)
        elif col.kind == "comment":
            comments[col.key] = value
            head[f"{col.key}_comment"] = _column_label(i, col.header)
    state, problems = _check_table_state(state_cell, name, state_where, ctx)
    resp = Response(state=state or "", source=f"{name}:{line}")
    problems += _fill(
        resp,
        answers,
        comments,
        themes,
        name,
        ctx,
        lambda k, w=where: f"{w}, column {head.get(k, k)}",
        lambda k, w=where: f"{w}, column {head.get(f'{k}_comment', k + '_comment')}",
    )
    return (resp if state else None), problems


def _check_table_state(value: str, name: str, where: str, ctx: Context) -> tuple[str | None, list[Problem]]:
    """A table's State cell: an alpha-3 or alpha-2 code or a country name, as survey tools export it."""
    from .states import resolve_name

    text = " ".join(str(value or "").split())
    if text in EMPTY:
        return None, [Problem(name, where, text, "a State: its ISO 3166-1 code or its English name")]
    code = ctx.states.code(text) or resolve_name(text)
    if code:
        return code, []
    return None, [
        Problem(name, where, text, "a State: its ISO 3166-1 code or its English name", suggest_code(text, ctx.states))
    ]


# --- shared checks ------------------------------------------------------------------------------


def _check_state(value, name: str, where: str, ctx: Context) -> tuple[str | None, list[Problem]]:
    text = "" if value is None else str(value)
    expected = "an ISO 3166-1 alpha-3 code"
    if text in EMPTY:
        return None, [Problem(name, where, text, expected)]
    code = ctx.states.code(text)
    if code:
        return code, []
    suggestion = suggest_code(text, ctx.states)
    real = _country_name(text)
    if real:  # a real country that raw/states.yaml lacks: say so, and name the suggested one
        expected += f" ({text.upper()} is {real}, which raw/states.yaml does not list: add it there if it responded)"
    if suggestion and suggestion != text.upper() and _country_name(suggestion):
        expected += f"; {suggestion} is {_country_name(suggestion)}"  # the suggestion is another country: named
    return None, [Problem(name, where, text, expected, suggestion)]


def _country_name(code: str) -> str:
    """The ISO 3166-1 name of an alpha-3 code ('' if it is none)."""
    import pycountry

    country = pycountry.countries.get(alpha_3=str(code).strip().upper()) if len(str(code).strip()) == 3 else None
    return getattr(country, "common_name", None) or getattr(country, "name", "") if country else ""


def _fill(
    resp: Response,
    answers: dict,
    comments: dict,
    themes: list,
    name: str,
    ctx: Context,
    a_where,
    c_where,
    themes_where: str = "themes",
) -> list[Problem]:
    q = ctx.questionnaire
    problems = []
    for key, value in answers.items():
        key = str(key)
        question = q.questions.get(key)
        if question is None:
            problems.append(
                Problem(
                    name,
                    a_where(key),
                    _value_text(value),
                    "a question key of raw/questionnaire.yaml",
                    closest(key, q.questions),
                )
            )
            continue
        try:
            answer = question.parse_answer(value)
        except AnswerError as exc:
            expected, suggestion = exc.expected, exc.suggestion
            if str(value).strip().casefold().rstrip(".") in NO_ANSWER:  # "N/A": say how no answer is written
                expected += "; for no answer leave the key out (in a table: leave the cell empty)"
                suggestion = ""
            problems.append(Problem(name, a_where(key), _value_text(value), expected, suggestion))
            continue
        if answer is None:
            continue
        if question.type == "text":
            comments.setdefault(key, answer)
            continue
        if not question.asked_in_round(ctx.round):
            problems.append(
                Problem(
                    name,
                    a_where(key),
                    _value_text(value),
                    f"no answer: question {question.number} was not asked in {ctx.round}",
                )
            )
            continue
        resp.answers[key] = answer
    for key, answer in list(resp.answers.items()):
        question = q.questions[key]
        if not question.applies(resp.answers):
            cond = ", ".join(f"{k} is {v}" for k, v in question.asked_if.items())
            problems.append(Problem(name, a_where(key), _value_text(answer), f"no answer: asked only where {cond}"))
    for key, value in comments.items():
        key = str(key)
        text = "" if value is None else str(value)
        if key not in q.questions:
            problems.append(
                Problem(
                    name,
                    c_where(key),
                    _short(text),
                    "a question key of raw/questionnaire.yaml",
                    closest(key, q.questions),
                )
            )
            continue
        if text in EMPTY:
            continue
        problems += _check_text(text, name, c_where(key))
        resp.comments[key] = unicodedata.normalize("NFC", text.strip())
    for key, answer in resp.answers.items():
        question = q.questions[key]
        if question.needs_text(answer) and not resp.comments.get(key):
            problems.append(
                Problem(
                    name, c_where(key), "", f"the text of the answer '{OTHER}' to question {question.number or key}"
                )
            )
    for code in themes:
        code = str(code)
        parts = [p.strip() for p in code.split(",") if p.strip()]
        if code not in ctx.themes and len(parts) > 1 and all(p in ctx.themes for p in parts):
            problems.append(
                Problem(name, themes_where, code, f"theme codes separated by ';', not ',': {'; '.join(parts)}")
            )
        elif code not in ctx.themes:
            problems.append(
                Problem(name, themes_where, code, "a theme code of raw/themes.yaml", closest(code, ctx.themes))
            )
        elif code not in resp.themes:
            resp.themes.append(code)
    return problems


def _value_text(value) -> str:
    """A raw answer as the problem table shows it: a YAML list as ``a; b``."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return f"{LIST_SEPARATOR} ".join("" if v is None else str(v) for v in value) or NONE_CHOSEN
    return str(value)


def _check_text(text: str, name: str, where: str) -> list[Problem]:
    if len(text) > MAX_TEXT_CHARS:
        return [Problem(name, where, _short(text), f"at most {MAX_TEXT_CHARS} characters (has {len(text)})")]
    for i, ch in enumerate(text):
        if ch in INVISIBLE or (unicodedata.category(ch) == "Cc" and ch not in "\n\t"):
            return [
                Problem(
                    name,
                    where,
                    f"U+{ord(ch):04X} at character {i + 1}",
                    "printable text (remove the control or invisible character)",
                )
            ]
    return []


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _rel(path: Path, root: Path | None) -> str:
    path = Path(path)
    if root is not None:
        try:
            return path.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()
