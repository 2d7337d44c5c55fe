"""Survey rounds: their order, and which is the current one (one rule for the stats, the charts and the diff).

A round is named after its folder in ``raw/responses/`` (usually a year). Numeric names sort as
numbers (``"999"`` before ``"2008"``), others after them, alphabetically.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["current_and_previous", "round_order"]


def round_order(names: Iterable[str]) -> list[str]:
    """The rounds, oldest first."""

    def key(name: str):
        return (0, int(name), name) if str(name).isdigit() else (1, 0, str(name))

    return sorted(set(names), key=key)


def current_and_previous(names: Iterable[str]) -> tuple[str | None, str | None]:
    """(the current round, the one before it); None where there is none."""
    ordered = round_order(names)
    return (ordered[-1] if ordered else None, ordered[-2] if len(ordered) > 1 else None)
