"""What a template may print: never empty markup, a Python repr, or a unit applied to the wrong kind of value.

A template that prints `{{ survey.q.national_plan }}` (a question, not a figure) would put
`<question national_plan: 26 yes of 53>` in the paper; `{{ survey.n | pct }}` would print "53%";
`**{{ survey.themes.x | states }}**` with no State in the theme would print `****`. None of these
is an error to Python, so each is made one here:

- :class:`PrintGuard`, a Jinja extension, wraps every `{{ expression }}` of the editors' templates
  in a check (:func:`guard`) that knows the expression's text: a value that is not text or a
  number (a question, a round, a mapping, a list, `None`, `True`) or that prints nothing (an empty
  list of States) stops the render with the expression and what to write instead.
- The unit filters (`pct`, `pct_words`, `quantity`, `k_of_n`, `words`, `states`) check the kind of
  value they are given (:class:`Percent` tells a percentage from a count) and raise
  :class:`WrongKind`, which names the filter, the value and what it takes.

Both are :class:`PrintProblem`; :func:`surveypaper.template_errors.problem_from_exception` turns
them into the one `file:line: message` of every template error.
"""

from __future__ import annotations

import re

from jinja2 import Undefined
from jinja2.ext import Extension
from jinja2.lexer import Token

__all__ = [
    "GUARD_FILTER",
    "NothingToPrint",
    "Percent",
    "PrintGuard",
    "PrintProblem",
    "WrongKind",
    "describe",
    "guard",
]

#: The filter PrintGuard appends to every printed expression (not one editors write).
GUARD_FILTER = "_printable"


class PrintProblem(ValueError):
    """A template printed something it must not; ``expr`` is the expression's text when known."""

    def __init__(self, message: str, expr: str = "", filter_name: str = ""):
        super().__init__(message)
        self.message = message
        self.expr = expr
        self.filter_name = filter_name


class WrongKind(PrintProblem):
    """A filter was given a value of the wrong kind (a count to `| pct`, a question to `| words` ...)."""

    def __init__(self, filter_name: str, value, takes: str, instead: str = ""):
        self.value = value
        self.takes = takes
        self.instead = instead
        message = f"`| {filter_name}` takes {takes}, not {describe(value)}"
        if instead:
            message += f": {instead}"
        super().__init__(message, filter_name=filter_name)


class Percent(int):
    """A percentage (0-100) from the stats: what `| pct`, `| pct_words` and `| quantity` take.

    An int in every other respect, so that `survey.n | pct` (a count) can be told from
    `survey.q.national_plan.pct | pct` (a percentage).
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return int.__repr__(self)


def percent(value):
    """``value`` as a :class:`Percent` (None stays None: nobody answered)."""
    return None if value is None else Percent(value)


class NothingToPrint:
    """What a filter returns when it has nothing to print (an empty list of States, no `none=`).

    It is falsy and has no length; printing it (directly, or through another filter that makes it
    text) stops the render instead of printing "".
    """

    __slots__ = ("instead", "what")

    def __init__(self, what: str, instead: str):
        self.what = what
        self.instead = instead

    def __bool__(self) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def problem(self, expr: str = "") -> PrintProblem:
        shown = f"`{{{{ {expr} }}}}`" if expr else "this expression"
        subject = expr.split(" | ", 1)[0] if expr else "<list>"
        return PrintProblem(f"{shown} prints nothing: {self.what}. {self.instead.format(expr=subject)}", expr)

    def __str__(self) -> str:
        raise self.problem()

    __html__ = __str__

    def __repr__(self) -> str:
        return f"<nothing to print: {self.what}>"


EMPTY_STATES_HINT = 'Guard it with `{{% if {expr} %}}...{{% endif %}}`, or say what to print when no State qualifies: `| states(none="no State")`'


# --- what a value is, in an editor's words --------------------------------------------------------


def _kind_name(value) -> str:
    return type(value).__name__


def kind_of(value) -> str | None:
    """What the template context says a value is: its class's ``print_kind`` ('question', 'round', 'group', 'states')."""
    return getattr(type(value), "print_kind", None)


def describe(value) -> str:
    """A value as an editor would name it: 'a count (53)', 'the question `national_plan`', 'a list of 3 States'."""
    kind = kind_of(value)
    if value is None:
        return "nothing (None)"
    if isinstance(value, Undefined):
        return "an undefined name"
    if isinstance(value, NothingToPrint):
        return value.what
    if isinstance(value, bool):
        return f"a yes/no value ({value})"
    if isinstance(value, Percent):
        return f"a percentage ({int(value)})"
    if isinstance(value, int):
        return f"a count ({value})"
    if isinstance(value, float):
        return f"a number ({value:g})"
    if kind == "question":
        return f"the question `{value.key}`"
    if kind == "round":
        return f"the round {value.year}"
    if kind == "group":
        return f"the {value._what}"
    if kind == "states":
        return f"a list of {len(value)} State{'' if len(value) == 1 else 's'}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple, set, frozenset)):
        return f"a list of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"the text {shown!r}"
    if getattr(value, "name", None) is not None and getattr(value, "code", None) is not None:
        return f"the State {value.name}"
    return f"a {_kind_name(value)}"


def known_names(obj) -> list[str]:
    """The names an editor may write after `obj.` (context values, Bags, questions, States...)."""
    from jinja2.utils import missing

    if obj is None or obj is missing:
        return []
    known = getattr(obj, "known", None)
    if callable(known):
        try:
            return [str(k) for k in known()]
        except TypeError:
            pass
    if isinstance(obj, dict):
        return [str(k) for k in obj]
    if isinstance(obj, (list, tuple, str, int, float)):
        return []
    names = [k for k in getattr(obj, "__dict__", {}) if not k.startswith("_")]
    for klass in type(obj).__mro__:
        for k, v in vars(klass).items():
            if not k.startswith("_") and isinstance(v, property) and k not in names:
                names.append(k)
    for k in getattr(type(obj), "__dataclass_fields__", {}):
        if k not in names:
            names.append(k)
    return names


_attrs = known_names


def _names(names, limit: int = 8) -> str:
    names = list(names)
    shown = ", ".join(f"`{n}`" for n in names[:limit])
    return shown + (", ..." if len(names) > limit else "")


def unprintable(value, expr: str) -> PrintProblem | None:
    """Why ``value`` (the value of ``expr``) must not be printed, or None if it may."""
    kind = kind_of(value)
    shown = f"`{{{{ {expr} }}}}`"
    if isinstance(value, Percent):
        return PrintProblem(
            f"{shown} prints a percentage ({int(value)}) without its unit: write `{{{{ {expr} | pct }}}}` "
            f"({int(value)}%) or `{{{{ {expr} | pct_words }}}}`",
            expr,
        )
    if isinstance(value, float) and (value.is_integer() or len(repr(value).partition(".")[2]) > 2):
        return PrintProblem(
            f"{shown} prints a computed number as Python writes it ({value!r}): templates do no arithmetic; "
            "print a figure the data gives (`paper vars` lists them), such as a question's `.pct | pct`",
            expr,
        )
    if isinstance(value, (Undefined, str, int, float)) and not isinstance(value, bool):
        return None  # text and numbers from the data (4.5) print as themselves (an undefined name fails on its own)
    if isinstance(value, NothingToPrint):
        return value.problem(expr)
    if kind == "states":
        if value:
            return None
        return NothingToPrint("the list of States is empty", EMPTY_STATES_HINT).problem(expr)
    if value is None:
        return PrintProblem(
            f"{shown} prints `None`: there is no value. Guard it with `{{% if {expr} %}}...{{% endif %}}`", expr
        )
    if isinstance(value, bool):
        return PrintProblem(
            f"{shown} prints `{value}`, a yes/no value: "
            f"write the words in `{{% if {expr} %}}...{{% else %}}...{{% endif %}}`",
            expr,
        )
    if kind == "question":
        closed = hasattr(value, "pcts")
        attrs = ["yes", "no", "answered", "pct", "pct_no", "states_yes", "states_no"] if closed else _attrs(value)
        filters = " or a filter (`| k_of_n`, `| pct`, `| quantity`)" if closed else ""
        return PrintProblem(
            f"{shown} prints {describe(value)}, not a figure: write one of its attributes ({_names(attrs)}){filters}",
            expr,
        )
    if kind in ("round", "group"):
        return PrintProblem(
            f"{shown} prints {describe(value)}, not a value: name one of them ({_names(_attrs(value))})", expr
        )
    if isinstance(value, dict):
        return PrintProblem(
            f"{shown} prints {describe(value)} as Python text: name one of its keys ({_names(value)})", expr
        )
    if isinstance(value, (list, tuple, set, frozenset)) and type(value).__str__ is not object.__str__:
        # a list of the context that says how it prints ("networking, knowledge and partnerships")
        if value:
            return None
        return NothingToPrint("the list is empty", "Guard it with `{{% if {expr} %}}...{{% endif %}}`").problem(expr)
    if isinstance(value, (list, tuple, set, frozenset)):
        return PrintProblem(
            f"{shown} prints {describe(value)} as Python text: "
            f'print them with `{{% for x in {expr} %}}...{{% endfor %}}` or `| join(", ")`',
            expr,
        )
    if hasattr(value, "__html__") or type(value).__str__ is not object.__str__:
        return None  # Markup, a State, anything that defines how it prints
    return PrintProblem(
        f"{shown} prints {describe(value)} as Python text: write one of its attributes ({_names(_attrs(value))})", expr
    )


def guard(value, expr: str = ""):
    """The guard every printed expression passes through: ``value`` unchanged, or a :class:`PrintProblem`."""
    problem = unprintable(value, expr)
    if problem is not None:
        raise problem
    return value


# --- the Jinja extension --------------------------------------------------------------------------

_NO_SPACE_BEFORE = {"dot", "rparen", "rbracket", "comma", "colon"}
_NO_SPACE_AFTER = {"dot", "lparen", "lbracket"}


def expression_text(tokens: list[Token]) -> str:
    """The source text of an expression's tokens, spaced as editors write it: `q.pct | pct`."""
    out: list[str] = []
    depth = 0
    prev = None
    for tok in tokens:
        if tok.type == "string":
            text = '"' + str(tok.value).replace("\\", "\\\\").replace('"', '\\"') + '"'
        else:
            text = str(tok.value)
        if prev is not None:
            tight = (
                tok.type in _NO_SPACE_BEFORE
                or prev.type in _NO_SPACE_AFTER
                or (tok.type in ("lparen", "lbracket") and prev.type in ("name", "rparen", "rbracket", "string"))
                or (depth and "assign" in (tok.type, prev.type))
            )
            out.append("" if tight else " ")
        out.append(text)
        if tok.type in ("lparen", "lbracket"):
            depth += 1
        elif tok.type in ("rparen", "rbracket"):
            depth -= 1
        prev = tok
    return re.sub(r"\s+", " ", "".join(out)).strip()


class PrintGuard(Extension):
    """Rewrites `{{ expr }}` as `{{ (expr) | _printable("expr") }}` (see :func:`guard`)."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters[GUARD_FILTER] = guard

    def filter_stream(self, stream):
        pending: list[Token] | None = None
        for tok in stream:
            if tok.type == "variable_begin":
                pending = []
                yield tok
            elif pending is not None and tok.type == "variable_end" and not pending:
                pending = None  # `{{ }}`: Jinja's own syntax error
                yield tok
            elif pending is not None and tok.type == "variable_end":
                line = pending[0].lineno if pending else tok.lineno
                yield Token(line, "lparen", "(")
                yield from pending
                yield Token(line, "rparen", ")")
                yield Token(line, "pipe", "|")
                yield Token(line, "name", GUARD_FILTER)
                yield Token(line, "lparen", "(")
                yield Token(line, "string", expression_text(pending))
                yield Token(line, "rparen", ")")
                yield tok
                pending = None
            elif pending is not None:
                pending.append(tok)
            else:
                yield tok
