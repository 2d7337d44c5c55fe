"""Validation problems and the one-table report (frictionless style: file | where | value | expected)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input: where it is, what it holds, what was expected."""

    file: str
    where: str
    value: str
    expected: str
    suggestion: str = ""

    def line(self) -> str:
        """The problem as one readable line."""
        hint = f" (did you mean {self.suggestion!r}?)" if self.suggestion else ""
        return f"{self.file} | {self.where} | {self.value!r} | {self.expected}{hint}"


class ValidationFailed(Exception):
    """Raised with every problem of a run, never just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(format_report(self.problems))


def closest(value: str, candidates, cutoff: float = 0.6) -> str:
    """The candidate closest to value, or '' if none is close."""
    matches = difflib.get_close_matches(str(value), [str(c) for c in candidates], n=1, cutoff=cutoff)
    return matches[0] if matches else ""


def format_report(problems: list[Problem]) -> str:
    """All problems as one table, sorted by file and place."""
    if not problems:
        return "no problems"
    rows = [("file", "row or field", "value", "expected")]
    for p in problems:
        expected = p.expected + (f" (did you mean {p.suggestion!r}?)" if p.suggestion else "")
        rows.append((p.file, p.where, _show(p.value), expected))
    widths = [min(max(len(r[i]) for r in rows), 48) for i in range(3)]
    out = [f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the input:"]
    for i, r in enumerate(rows):
        out.append(" | ".join(r[j].ljust(widths[j]) for j in range(3)) + " | " + r[3])
        if i == 0:
            out.append("-+-".join("-" * w for w in widths) + "-+-" + "-" * 8)
    return "\n".join(out)


def _show(value: str) -> str:
    text = repr(value) if value != "" else "(empty)"
    return text if len(text) <= 48 else text[:45] + "..."


class RenderError(RuntimeError):
    """The paper could not be rendered (bad image reference, renderer warning, ...)."""
