"""Survey rounds: their order, and which is the current one (one rule for the stats, the charts and the diff).

A round is named after its folder in ``raw/responses/`` (usually a year) and declared in
``raw/questionnaire.yaml`` (``rounds:``). Numeric names sort as numbers (``"999"`` before
``"2008"``), others after them, alphabetically. The round the paper reports and the one it
compares with are named in ``templates/paper.yaml`` (``round``, ``compare_with``); stats.json
records them as ``current`` and ``previous``, and the charts and the text follow it. Without them
(a paper.yaml that names none), the last round and the one before it.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["check_reported_rounds", "current_and_previous", "reported_rounds", "round_order"]


def round_order(names: Iterable[str]) -> list[str]:
    """The rounds, oldest first."""

    def key(name: str):
        return (0, int(name), name) if str(name).isdigit() else (1, 0, str(name))

    return sorted(set(names), key=key)


def current_and_previous(names: Iterable[str]) -> tuple[str | None, str | None]:
    """(the current round, the one before it); None where there is none."""
    ordered = round_order(names)
    return (ordered[-1] if ordered else None, ordered[-2] if len(ordered) > 1 else None)


def reported_rounds(names: Iterable[str], paper: dict | None = None) -> tuple[str | None, str | None]:
    """(the round the paper reports, the round it compares with): ``paper``'s ``round`` and
    ``compare_with`` (templates/paper.yaml), else :func:`current_and_previous`."""
    paper = paper or {}
    if paper.get("round") in (None, ""):
        return current_and_previous(names)
    previous = paper.get("compare_with")
    return str(paper["round"]), (str(previous) if previous not in (None, "") else None)


def check_reported_rounds(current, previous, names: Iterable[str], source: str = "templates/paper.yaml") -> list:
    """Problems with the rounds the paper names: each must be a round with responses, and not the same."""
    from .errors import Problem

    names = round_order(str(n) for n in names)
    expected = "a round with responses: " + (", ".join(names) or "none yet")
    problems = [
        Problem(source, field, value, expected)
        for field, value in (("round", current), ("compare_with", previous))
        if value is not None and value not in names
    ]
    if current is not None and current == previous:
        problems.append(Problem(source, "compare_with", previous, "a round other than the one reported"))
    return problems
