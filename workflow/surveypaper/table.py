"""The tidy answers table: one row per round x State x question answered (per choice for multi-choice).

Built from ingest's output (``responses.json``: ``{"rounds": {name: [response, ...]}}``); the
statistics (:mod:`surveypaper.stats`) and the published data (``output/data/``) are computed from it.

Columns of :func:`answers_table`, in this order (:data:`COLUMNS`):

- ``round``: the round's folder name (``"2008"``);
- ``state``: the State's ISO 3166-1 alpha-3 code;
- ``question``: the question key of ``raw/questionnaire.yaml``;
- ``answer``: the answer as the questionnaire spells it; for a multi-choice answer, one row per
  choice, and one row ``[]`` for an answer of none of these; a number question's number as
  written (``12``, ``2.5``); empty for a text question or a comment given without an answer;
- ``comment``: the respondent's own words on that question (a text question's answer is its
  comment), empty if none.

A row exists for every question a State answered or commented on; a question left blank has no
row. Rows are sorted by round, State, then the questionnaire's order of questions (and a
multi-choice answer's choices in their order): the same responses give the same table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .questionnaire import NONE_CHOSEN, Questionnaire
from .rounds import round_order

if TYPE_CHECKING:  # pandas is imported by the functions that return DataFrames: answer_rows needs none
    import pandas as pd

COLUMNS = ("round", "state", "question", "answer", "comment")


def _choices(value) -> list[str]:
    """An answer as a list of chosen choices (a multi-choice answer is a list already; ``[]`` if empty)."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value] or [NONE_CHOSEN]
    return [str(value)]


def answer_rows(
    questionnaire: Questionnaire, round_name: str, response: dict, _order: dict | None = None
) -> list[tuple]:
    """One validated response as rows of the tidy table (see the module's docstring)."""
    order = _order if _order is not None else _ordering(questionnaire)
    answers, comments = response.get("answers") or {}, response.get("comments") or {}
    rows = []
    for key in sorted(set(answers) | set(comments), key=lambda k: (order.get(k, (len(order), {}))[0], k)):
        comment = comments.get(key, "")
        chosen = _choices(answers.get(key))
        if len(chosen) > 1:
            rank = order.get(key, (0, {}))[1]
            chosen.sort(key=lambda c: (rank.get(c, len(rank)), c))
        rows.extend((round_name, response["state"], key, answer, comment) for answer in chosen or [""])
    return rows


def _ordering(questionnaire: Questionnaire) -> dict[str, tuple[int, dict]]:
    """Question key -> (its place in the questionnaire, {choice: its place})."""
    return {
        key: (i, {c: j for j, c in enumerate(q.choices)}) for i, (key, q) in enumerate(questionnaire.questions.items())
    }


def answers_table(questionnaire: Questionnaire, responses: dict) -> pd.DataFrame:
    """Every answer of every round, one row each (the module's docstring says which rows and columns)."""
    import pandas as pd

    return pd.DataFrame(all_answer_rows(questionnaire, responses), columns=list(COLUMNS), dtype=object)


def all_answer_rows(questionnaire: Questionnaire, responses: dict) -> list[tuple]:
    """The rows of :func:`answers_table` as tuples (no pandas needed)."""
    order = _ordering(questionnaire)
    rows = [
        row
        for round_name in round_order(responses["rounds"])
        for response in sorted(responses["rounds"][round_name], key=lambda r: r["state"])
        for row in answer_rows(questionnaire, round_name, response, order)
    ]
    return rows


def respondents_table(responses: dict) -> pd.DataFrame:
    """One row per round x responding State (``round``, ``state``), a State with no answer included."""
    import pandas as pd

    rows = [
        (name, state)
        for name in round_order(responses["rounds"])
        for state in sorted(r["state"] for r in responses["rounds"][name])
    ]
    return pd.DataFrame(rows, columns=["round", "state"], dtype=object)


def themes_table(responses: dict) -> pd.DataFrame:
    """One row per round x State x theme code its response carries (``round``, ``state``, ``theme``)."""
    import pandas as pd

    rows = [
        (name, r["state"], code)
        for name in round_order(responses["rounds"])
        for r in sorted(responses["rounds"][name], key=lambda r: r["state"])
        for code in sorted(r.get("themes") or ())
    ]
    return pd.DataFrame(rows, columns=["round", "state", "theme"], dtype=object)
