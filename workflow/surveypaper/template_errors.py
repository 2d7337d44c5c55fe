"""Template failures as one sentence an editor can act on: file, line, the name, the closest known names.

Editors are not programmers. When a template names something that does not exist
(`{{ survey.q.national_plnn.yes }}`), misspells a filter (`| pctt`) or breaks the Jinja syntax,
the build stops with one line such as

    templates/sections/04a_political_commitment.md.j2:12: `survey.q.national_plnn` is unknown:
    there is no `national_plnn` among the questions of 2008. Did you mean `national_plan`?

instead of a Python traceback. :func:`problem_from_exception` turns any exception raised while
rendering into a :class:`TemplateProblem`; :class:`EditorUndefined` (the environment's `undefined`)
remembers which object lacked which name, so the suggestions come from what that object holds:
the context's top-level names, `survey.q` / `survey.themes` / `survey.sets` keys (`Bag.known()`),
a question's attributes (`.yes`, `.pct`, ...) or the filter names.
"""

from __future__ import annotations

import contextlib
import difflib
import re
import traceback
from pathlib import Path

from jinja2 import TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import UndefinedError
from jinja2.utils import missing

from .compat_jinja import strict_undefined, what_is_undefined
from .printing import PrintProblem, known_names

__all__ = [
    "EditorUndefined",
    "TemplateProblem",
    "UnknownName",
    "closest_names",
    "known_names",
    "problem_from_exception",
]

# The tags that open a block closed by `{% end<tag> %}`.
BLOCK_TAGS = ("for", "if", "macro", "call", "filter", "set", "with", "block", "raw", "autoescape", "trans")

# Jinja's own tags, for "did you mean" on a misspelt `{% endfo %}`.
JINJA_TAGS = (
    "for",
    "endfor",
    "if",
    "elif",
    "else",
    "endif",
    "set",
    "endset",
    "include",
    "import",
    "from",
    "macro",
    "endmacro",
    "call",
    "endcall",
    "filter",
    "endfilter",
    "with",
    "endwith",
    "raw",
    "endraw",
    "block",
    "endblock",
    "extends",
    "autoescape",
    "endautoescape",
)


class TemplateProblem(Exception):
    """One template error: where (file relative to templates/, line), the offending name, what to do."""

    def __init__(
        self,
        file: str,
        line: int | None,
        message: str,
        name: str = "",
        suggestions: tuple[str, ...] | list[str] = (),
        templates_label: str = "templates",
    ):
        self.file = file
        self.line = line
        self.name = name
        self.message = message
        self.suggestions = tuple(suggestions)
        self.templates_label = templates_label
        super().__init__(str(self))

    @property
    def where(self) -> str:
        """`templates/sections/x.md.j2:12` (the path an editor opens, from the repository root)."""
        path = f"{self.templates_label}/{self.file}" if self.file and self.templates_label else (self.file or "?")
        return f"{path}:{self.line}" if self.line else path

    @property
    def hint(self) -> str:
        """'Did you mean `a` or `b`?' or ''."""
        if not self.suggestions:
            return ""
        names = [f"`{s}`" for s in self.suggestions]
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        return f"Did you mean {joined}?"

    @property
    def detail(self) -> str:
        """The message and the hint, without the place."""
        text = self.message
        if self.hint:
            text += ("" if text.endswith((".", "?", "!")) else ".") + f" {self.hint}"
        return text

    def __str__(self) -> str:
        return f"{self.where}: {self.detail}"


class UnknownName(UndefinedError):
    """A template used a name that does not exist; carries what lacked it (for suggestions)."""

    def __init__(self, message: str, name: str | None, obj, hint: str | None = None):
        super().__init__(message)
        self.name = name
        self.obj = obj
        self.hint = hint


def _unknown_name(undefined) -> None:
    raise UnknownName(*what_is_undefined(undefined))


#: StrictUndefined whose error remembers the missing name and the object that lacked it.
EditorUndefined = strict_undefined("EditorUndefined", _unknown_name)


# --- what an object holds ------------------------------------------------------------------------


def closest_names(name: str, candidates, n: int = 3) -> list[str]:
    """Up to n candidates close to name (case-insensitive), best first."""
    if not name:
        return []
    cands = sorted({str(c) for c in candidates})
    lower = {c.lower(): c for c in cands}
    hits = difflib.get_close_matches(name.lower(), list(lower), n=n, cutoff=0.6)
    if not hits:
        # A longer or shorter form: `national` -> `national_plan`, `plans` -> `national_plan`?
        hits = [c for c in lower if name.lower() in c or (len(c) > 3 and c in name.lower())][:n]
    return [lower[h] for h in hits]


def _describe(obj) -> str:
    """Where the name was looked for: 'among the questions of 2008', 'in question `x`', 'in a State'..."""
    what = getattr(obj, "_what", None)
    if isinstance(what, str):
        return f"among the {what}"
    kind = type(obj).__name__
    return {
        "QuestionView": f"in question `{getattr(obj, 'key', '')}`",
        "RoundView": f"in round {getattr(obj, 'year', '')}",
        "State": "in a State",
        "StateList": "in a list of States (use `| length`, `| states` or a loop)",
        "dict": "in this mapping",
        "list": "in a list",
    }.get(kind, f"in a {kind}")


# --- where in the templates ----------------------------------------------------------------------


def _template_frame(exc: BaseException, templates_dir: Path) -> tuple[str, int] | None:
    """(name relative to templates/, line) of the innermost template frame of exc's traceback."""
    root = Path(templates_dir).resolve()
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        fn = frame.filename
        if not fn or (fn.startswith("<") and fn != "<template>"):
            continue
        if fn == "<template>":
            found = ("<template>", frame.lineno)
            continue
        try:
            rel = Path(fn).resolve().relative_to(root)
        except (ValueError, OSError):
            continue
        found = (rel.as_posix(), frame.lineno)
    return found


def _source_line(templates_dir: Path, file: str, line: int | None, source: str | None = None) -> str:
    if not line:
        return ""
    try:
        text = source if source is not None else (Path(templates_dir) / file).read_text(encoding="utf-8")
    except OSError:
        return ""
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _question_type(context: dict | None, key: str) -> str | None:
    """The type (`text`, `yes_no`, `choice` ...) of question ``key`` in the context's questionnaire, or None."""
    questionnaire = (context or {}).get("questionnaire") or {}
    for section in questionnaire.get("sections", []) if isinstance(questionnaire, dict) else []:
        for question in section.get("questions", []):
            if question.get("key") == key:
                return str(question.get("type", ""))
    return None


def _source_text(templates_dir: Path, file: str, source: str | None) -> str:
    if source is not None:
        return source
    try:
        return (Path(templates_dir) / file).read_text(encoding="utf-8")
    except OSError:
        return ""


_TAG_RE = re.compile(r"\{%[-+]?\s*(\w+)(.*?)[-+]?%\}", re.S)


def _unclosed_block(source: str, tag: str) -> int | None:
    """The line where the innermost block `tag` left open in ``source`` starts (None if not found)."""
    stack: list[tuple[str, int]] = []
    for m in _TAG_RE.finditer(re.sub(r"\{#.*?#\}", lambda c: re.sub(r"[^\n]", " ", c.group(0)), source, flags=re.S)):
        name, rest = m.group(1), m.group(2)
        line = source.count("\n", 0, m.start()) + 1
        if name == "set" and "=" in rest:
            continue  # `{% set x = ... %}` is no block
        if name in BLOCK_TAGS:
            stack.append((name, line))
        elif name.startswith("end") and name[3:] in BLOCK_TAGS:
            for i in range(len(stack) - 1, -1, -1):
                if stack[i][0] == name[3:]:
                    del stack[i:]
                    break
    for name, line in reversed(stack):
        if name == tag:
            return line
    return None


def _dotted_path(line_text: str, name: str) -> str:
    """The expression ending with `name` on a template line: `survey.q.national_plnn`."""
    m = re.search(r"((?:[A-Za-z_]\w*\s*(?:\.\s*|\[\s*['\"]?)){0,8})" + re.escape(name) + r"\b", line_text)
    if not m:
        return name
    path = re.sub(r"\s+", "", m.group(1)) + name
    return re.sub(r"\[['\"]?(\w+)$", r".\1", path)


_PLAIN_TYPES = {
    "QuestionView": "a question",
    "RoundView": "a round",
    "StateList": "a list of States",
    "Bag": "a group of names",
    "State": "a State",
    "NoneType": "nothing (None)",
    "int": "a number",
    "Percent": "a percentage",
    "str": "text",
    "Markup": "text",
    "float": "a number",
}


def _failing_filter(exc: BaseException, env) -> str:
    """The name of the filter whose code raised ``exc`` (from the traceback), or ''."""
    filters = getattr(env, "filters", {}) or {}
    by_code = {getattr(f, "__code__", None): name for name, f in filters.items()}
    found = ""
    tb = exc.__traceback__
    while tb is not None:
        name = by_code.get(tb.tb_frame.f_code)
        if name:
            found = name
        tb = tb.tb_next
    return found


def _plain_type_error(text: str) -> str:
    """Python's TypeError message with the project's classes named as editors know them."""
    text = re.sub(r"object of type '(\w+)' has no len\(\)", r"\1 has no length", text)
    text = re.sub(r"type '(\w+)' doesn't define __round__ method", r"\1 cannot be rounded", text)
    return re.sub(r"'?\b(\w+)\b'?", lambda m: _PLAIN_TYPES.get(m.group(1), m.group(0)), text)


def _expression_on_line(line_text: str, filter_name: str) -> str:
    """The `{{ ... }}` on a template line that applies `filter_name` (any one if ''), as text."""
    exprs = [" ".join(m.group(1).split()) for m in re.finditer(r"\{\{-?\s*(.*?)\s*-?\}\}", line_text)]
    if filter_name:
        exprs = [e for e in exprs if re.search(r"\|\s*" + re.escape(filter_name) + r"\b", e)] or exprs
    return exprs[0] if exprs else ""


# --- the one message -----------------------------------------------------------------------------


def problem_from_exception(
    exc: BaseException, templates_dir: Path, env=None, context: dict | None = None
) -> TemplateProblem:
    """Turn an exception raised while rendering into one TemplateProblem (file, line, name, hint)."""
    templates_dir = Path(templates_dir)
    label = templates_dir.name or "templates"
    if isinstance(exc, TemplateProblem):
        return exc
    filters = sorted(env.filters) if env is not None else []

    if isinstance(exc, TemplateNotFound) and not isinstance(exc, TemplateSyntaxError):
        where = _template_frame(exc, templates_dir)
        missing_name = exc.name if isinstance(exc.name, str) else str(exc.name)
        known = env.list_templates() if env is not None and env.loader is not None else []
        file, line = where or (missing_name, None)
        return TemplateProblem(
            file,
            line,
            f"there is no template `{missing_name}` to include",
            missing_name,
            closest_names(missing_name, known),
            label,
        )

    if isinstance(exc, TemplateSyntaxError):
        file = exc.name or (Path(exc.filename).name if exc.filename else "?")
        if exc.filename:
            with contextlib.suppress(ValueError):
                file = Path(exc.filename).resolve().relative_to(templates_dir.resolve()).as_posix()
        msg = exc.message or "syntax error"
        m = re.match(r"No (filter|test) named '([^']+)'", msg)
        if m:
            kind, name = m.groups()
            pool = filters if kind == "filter" else (sorted(env.tests) if env is not None else [])
            return TemplateProblem(
                file,
                exc.lineno,
                f"there is no {kind} `{name}` (see `paper vars` for the filters)",
                name,
                closest_names(name, pool),
                label,
            )
        m = re.match(r"Encountered unknown tag '([^']+)'", msg)
        if m and m.group(1).startswith("end") and m.group(1)[3:] in BLOCK_TAGS:
            name = m.group(1)
            opener = name[3:]
            looking = msg.split("looking for the following tags:", 1)[1] if "looking for the following" in msg else ""
            closer = next((t for t in re.findall(r"'(\w+)'", looking) if t.startswith("end")), "")
            inside = f" (the block open here is closed by `{{% {closer} %}}`)" if closer and closer != name else ""
            return TemplateProblem(
                file,
                exc.lineno,
                f"`{{% {name} %}}` has no `{{% {opener} %}}` open to close{inside}: remove it, "
                f"or add the `{{% {opener} ... %}}` it should close",
                name,
                (),
                label,
            )
        m_end = re.match(
            r"Unexpected end of template\b.*?innermost block that needs to be closed is '(\w+)'", msg, re.S
        )
        if m_end:
            tag = m_end.group(1)
            opened = _unclosed_block(_source_text(templates_dir, file, getattr(exc, "source", None)), tag)
            return TemplateProblem(
                file,
                opened or exc.lineno,
                f"`{{% {tag} %}}` is never closed: add `{{% end{tag} %}}` where the block ends",
                tag,
                (),
                label,
            )
        if m:
            name = m.group(1)
            expected = re.findall(r"'(\w+)'", msg.split(".", 1)[1]) if "." in msg else []
            return TemplateProblem(
                file,
                exc.lineno,
                f"Jinja syntax error: unknown tag `{name}`",
                name,
                closest_names(name, expected or JINJA_TAGS),
                label,
            )
        return TemplateProblem(file, exc.lineno, f"Jinja syntax error: {msg}", "", (), label)

    where = _template_frame(exc, templates_dir)
    file, line = where or ("?", None)
    if isinstance(exc, (UnknownName, UndefinedError)):
        name = getattr(exc, "name", None)
        obj = getattr(exc, "obj", missing)
        if name is None:  # a plain UndefinedError: recover the name from its message
            m = re.search(r"has no attribute '([^']+)'|'([^']+)' is undefined", str(exc))
            name = (m.group(1) or m.group(2)) if m else ""
        name = str(name or "")
        if obj is missing:
            pool = list(context or {})
            if env is not None:
                pool += list(env.globals)
            path = name
            message = f"`{name}` is unknown: the templates have no variable of that name"
        else:
            pool = known_names(obj)
            path = _dotted_path(_source_line(templates_dir, file, line), name)
            message = f"`{path}` is unknown: there is no `{name}` {_describe(obj)}"
            kind = _question_type(context, name) if str(getattr(obj, "_what", "")).startswith("questions") else None
            if kind is not None and kind not in ("yes_no", "choice"):
                message = (
                    f"`{path}` is a {kind} question: it has no figures to print. Its answers are respondents' "
                    f"words, in `survey.comments.<ISO3>.{name}` (`paper vars comments` lists them)"
                )
                return TemplateProblem(file, line, message, name, (), label)
        return TemplateProblem(file, line, message, name, closest_names(name, pool), label)

    if isinstance(exc, PrintProblem):
        expr, message = exc.expr, exc.message
        if not expr:  # raised inside a filter: the expression is the one on the line that uses it
            expr = _expression_on_line(_source_line(templates_dir, file, line), exc.filter_name)
            if expr:
                message = f"`{{{{ {expr} }}}}`: {message}"
        return TemplateProblem(file, line, message, expr, (), label)

    text = str(exc) or type(exc).__name__
    if isinstance(exc, TypeError) and where is not None:
        filt = _failing_filter(exc, env)
        expr = _expression_on_line(_source_line(templates_dir, file, line), filt)
        shown = f"`{{{{ {expr} }}}}`" if expr else "an expression on this line"
        what = f"`| {filt}`" if filt else "a filter or an operator"
        return TemplateProblem(
            file,
            line,
            f"{shown} gives {what} the wrong kind of value ({_plain_type_error(text)}); "
            "`paper vars` shows what each name holds",
            expr,
            (),
            label,
        )
    m = re.search(r"unknown quantity word '([^']+)'", text)
    if m:
        from .filters import QUANTITY_WORDS

        word = m.group(1)
        return TemplateProblem(
            file,
            line,
            f"`{word}` is not a quantity word (known: {', '.join(QUANTITY_WORDS)})",
            word,
            closest_names(word, QUANTITY_WORDS),
            label,
        )
    m = re.search(r"'(\w+)' object has no attribute '(\w+)'", text)
    if m:
        kind, name = m.groups()
        return TemplateProblem(
            file, line, f"a {kind} has no `{name}` (is a filter applied to the wrong value?)", name, (), label
        )
    return TemplateProblem(file, line, f"{type(exc).__name__}: {text}", "", (), label)
