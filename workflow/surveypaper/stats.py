"""Every figure the paper prints, computed with pandas from the tidy answers table (the stats.json contract).

:func:`compute` builds the tables of :mod:`surveypaper.table` from ingest's output and computes,
for all rounds at once: the respondents; per closed question the States it applied to, those that
answered, the counts, the percentages of those who answered (rounded half up) and the States
behind each answer; the themes; the derived sets; and, from the previous round to the current
one, the States whose yes/no answer changed. Each is a handful of whole-table operations (merge,
group, crosstab), whatever the number of questions: the step is on the build's critical path.
"""

from __future__ import annotations

import statistics

import pandas as pd

from .numerals import pct_half_up
from .questionnaire import OTHER, Questionnaire, to_number
from .rounds import current_and_previous, round_order
from .table import answers_table, respondents_table, themes_table

KEYS = ["round", "question"]


def answers_wide(questionnaire: Questionnaire, table: pd.DataFrame, respondents: pd.DataFrame) -> pd.DataFrame:
    """(round, State) x single-answer closed question -> the answer; NaN where none (conditions read it)."""
    keys = [q.key for q in questionnaire.closed if q.type != "multi_choice"]
    given = table[(table["answer"] != "") & table["question"].isin(keys)]
    wide = given.pivot(index=["round", "state"], columns="question", values="answer")
    return wide.reindex(index=pd.MultiIndex.from_frame(respondents), columns=keys)


def holds(wide: pd.DataFrame, condition: dict) -> pd.Series:
    """Per (round, State): whether every ``{question: answer}`` of ``condition`` was answered so."""
    mask = pd.Series(True, index=wide.index)
    for key, value in condition.items():
        mask &= wide[key].eq(value) if key in wide else False
    return mask


def holds_any(wide: pd.DataFrame, conditions) -> pd.Series:
    """Per (round, State): whether any of ``conditions`` holds (a derived set)."""
    mask = pd.Series(False, index=wide.index)
    for condition in conditions:
        mask |= holds(wide, condition)
    return mask


def applicable(questionnaire: Questionnaire, respondents: pd.DataFrame, wide: pd.DataFrame) -> pd.DataFrame:
    """(round, state, question) for every question with figures put to each respondent: asked in that
    round, and its follow-up condition (``asked_if``) met."""
    asked = pd.DataFrame(
        [
            (name, q.key)
            for name in respondents["round"].unique()
            for q in with_stats(questionnaire)
            if q.asked_in_round(name)
        ],
        columns=KEYS,
        dtype=object,
    )
    rows = respondents.merge(asked, on="round")
    conditional = [q for q in with_stats(questionnaire) if q.asked_if]
    if conditional:  # one column per follow-up question: whether its condition holds for that State
        met = pd.DataFrame({q.key: holds(wide, q.asked_if) for q in conditional}).add_prefix("put:")
        rows = rows.join(met, on=["round", "state"])
        keep = pd.Series(True, index=rows.index)
        for q in conditional:
            keep &= ~rows["question"].eq(q.key) | rows[f"put:{q.key}"]
        rows = rows.loc[keep.to_numpy(), ["round", "state", "question"]]
    return rows[["round", "state", "question"]].reset_index(drop=True)  # without region columns


def _groups(frame: pd.DataFrame, by: str | list[str], column: str = "state") -> dict:
    """``column``'s values per group of ``by``, in the frame's order."""
    if frame.empty:
        return {}
    values = frame[column].to_numpy()
    return {key: values[idx].tolist() for key, idx in frame.groupby(by, sort=False).indices.items()}


def with_stats(questionnaire: Questionnaire) -> list:
    """The questions with figures in stats.json (every type but free text), in questionnaire order."""
    return [q for q in questionnaire.questions.values() if q.has_stats]


def question_stats(question, n_applicable: int, states: dict[str, list], blank: list[str], comments=None) -> dict:
    """One question in one round: the stats.json entry from the States behind each answer.

    ``states``: answer (as the tidy table writes it) -> the States (sorted) that gave it; ``blank``:
    the States it was put to that left it blank; ``n_applicable``: how many it was put to;
    ``comments``: State -> its comment on the question (the texts of the answers ``other``). The
    type's own figures come from :data:`TYPE_STATS`.
    """
    out = {"applicable": n_applicable, "blank": len(blank), **TYPE_STATS[question.type](question, states)}
    if "states" in out:
        out["states"]["blank"] = blank
    if question.other:
        out["other"] = {s: (comments or {}).get(s, "") for s in out["states"][OTHER]}
    return out


def closed_stats(question, states: dict[str, list]) -> dict:
    """Counts, percentages of the States that answered, and the States behind each answer.

    A multi-choice answer counts once for each choice in it, so percentages may add up past 100;
    "none of these" (``[]`` in the table) is an answer that counts in the denominator only.
    """
    answered = len({s for found in states.values() for s in found})
    states = {c: states.get(c, []) for c in question.options}
    counts = {c: len(s) for c, s in states.items()}
    return {
        "answered": answered,
        "counts": counts,
        "pct": {c: pct_half_up(k, answered) for c, k in counts.items()},
        "states": states,
    }


def scale_stats(question, states: dict[str, list]) -> dict:
    """A scale's counts per point (as :func:`closed_stats`) and the median answer."""
    answers = [point for point in question.choices for _ in states.get(point, [])]
    return {**closed_stats(question, states), "median": scale_median(question.choices, answers)}


def scale_median(points: tuple[str, ...], answers: list[str]):
    """The median of answers on an ordered scale; None without answers.

    Points that are all numbers give a number (the mean of the two middle answers when their
    count is even: 4.5); named points give the lower of the two middle points (a point of the scale).
    """
    if not answers:
        return None
    values = [to_number(p) for p in points]
    if all(v is not None for v in values):
        by_point = dict(zip(points, values, strict=True))
        return _number(statistics.median(by_point[a] for a in answers))
    return points[statistics.median_low(points.index(a) for a in answers)]


def number_stats(question, states: dict[str, list]) -> dict:
    """How many answered, the lowest, median and highest answer, and every answer by State."""
    by_state = {s: to_number(answer) for answer, found in states.items() for s in found}
    values = list(by_state.values())
    return {
        "answered": len(values),
        "min": min(values) if values else None,
        "median": _number(statistics.median(values)) if values else None,
        "max": max(values) if values else None,
        "values": dict(sorted(by_state.items())),
    }


def _number(value):
    """Integral values as int (the median of 3 and 5 is 4, not 4.0)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


#: The statistics of each question type (free text has none): each a pure function of the question
#: and the States behind each of its answers.
TYPE_STATS = {
    "yes_no": closed_stats,
    "choice": closed_stats,
    "multi_choice": closed_stats,
    "scale": scale_stats,
    "number": number_stats,
}


def compute(
    questionnaire: Questionnaire,
    themes: dict,
    responses: dict,
    regions=None,
    current: str | None = None,
    previous: str | None = None,
) -> dict:
    """stats.json: every round, and the changes from the round compared with to the one reported.

    ``current`` and ``previous`` are the rounds templates/paper.yaml names
    (:func:`surveypaper.rounds.reported_rounds`); by default the last round and the one before it.

    With ``regions`` (:class:`surveypaper.regions.Regions` of the respondents), each round also
    has its respondents by region and sub-region, and each question's counts by region.
    """
    respondents = respondents_table(responses)
    if regions is not None:
        respondents = respondents.assign(
            region=[regions.region(s) for s in respondents["state"]],
            sub_region=[regions.sub_region(s) for s in respondents["state"]],
        )
    return compute_tables(
        questionnaire,
        themes,
        answers_table(questionnaire, responses),
        respondents,
        themes_table(responses),
        regions.all if regions is not None else None,
        current,
        previous,
    )


def compute_tables(
    questionnaire: Questionnaire,
    themes: dict,
    table: pd.DataFrame,
    respondents: pd.DataFrame,
    theme_rows: pd.DataFrame,
    all_regions: list[str] | None = None,
    current: str | None = None,
    previous: str | None = None,
) -> dict:
    """stats.json from the tables of :mod:`surveypaper.table` (see :func:`compute`).

    ``respondents`` may carry ``region`` and ``sub_region`` columns; ``all_regions`` then lists
    every region (those without respondents get an empty list).
    """
    names = round_order(respondents["round"].unique())
    if current is None:
        current, previous = current_and_previous(names)
    wide = answers_wide(questionnaire, table, respondents[["round", "state"]])
    put = applicable(questionnaire, respondents, wide)
    # Each question put to a State, with its answer(s): NaN where it was left blank.
    given = table.loc[table["answer"] != "", ["round", "state", "question", "answer"]]
    rows = put.merge(given, on=["round", "state", "question"], how="left")
    answered = rows.dropna(subset=["answer"])
    by_answer = _groups(answered, [*KEYS, "answer"])
    blank = _groups(rows[rows["answer"].isna()], KEYS)
    n_put = put.groupby(KEYS, sort=False).size().to_dict()
    by_theme = _groups(theme_rows, ["round", "theme"])
    sets = {
        d.key: _groups(wide.index[holds_any(wide, d.any).to_numpy()].to_frame(index=False), "round")
        for d in questionnaire.derived
    }
    commented = table[table["comment"] != ""].drop_duplicates(["round", "state", "question"])
    comments = {
        key: dict(sorted(zip(commented["question"].to_numpy()[idx], commented["comment"].to_numpy()[idx], strict=True)))
        for key, idx in commented.groupby(["round", "state"], sort=True).indices.items()
    }

    def round_stats(name: str) -> dict:
        respondents_in = wide.xs(name, level="round").index.tolist()
        questions = {}
        for q in with_stats(questionnaire):
            if q.asked_in_round(name):
                states = {a: found for (r, key, a), found in by_answer.items() if r == name and key == q.key}
                said = {s: c.get(q.key, "") for (r, s), c in comments.items() if r == name} if q.other else None
                questions[q.key] = question_stats(
                    q, n_put.get((name, q.key), 0), states, blank.get((name, q.key), []), said
                )
        return {
            "n": len(respondents_in),
            "respondents": respondents_in,
            "questions": questions,
            "themes": {code: by_theme.get((name, code), []) for code in sorted(themes)},
            "sets": {key: by_round.get(name, []) for key, by_round in sets.items()},
            # Respondents' own words, by State and question: untrusted text, escaped wherever it is printed.
            "comments": {state: text for (r, state), text in comments.items() if r == name},
        }

    by_region: dict = {}
    if "region" in respondents:
        add_regions(by_region, questionnaire, respondents, answered, all_regions or [])
    result = {
        "current": current,
        "previous": previous,
        "rounds": {name: {**round_stats(name), **by_region.get(name, {})} for name in names},
        "changes": {},
    }
    if result["previous"]:
        result["changes"] = {
            "from": result["previous"],
            "to": result["current"],
            "questions": changes(questionnaire, wide, result["previous"], result["current"]),
        }
    return result


def changes(questionnaire: Questionnaire, wide: pd.DataFrame, before: str, after: str) -> dict:
    """Per yes/no question, the States answering it in both rounds that moved from no to yes or back."""
    keys = [q.key for q in questionnaire.closed if q.type == "yes_no"]
    old, new = wide.xs(before, level="round")[keys], wide.xs(after, level="round")[keys]
    both = old.index.intersection(new.index)  # sorted
    pairs = pd.concat({"a": old.loc[both].stack(), "b": new.loc[both].stack()}, axis=1).dropna()
    pairs.index.names = ["state", "question"]
    moved = pairs.assign(move=pairs["a"] + "_to_" + pairs["b"]).reset_index()
    by_move = _groups(moved, ["question", "move"])
    n_both = pairs.groupby(level="question", sort=False).size().to_dict()
    return {
        key: {
            "answered_both": n_both[key],
            "no_to_yes": sorted(by_move.get((key, "no_to_yes"), [])),
            "yes_to_no": sorted(by_move.get((key, "yes_to_no"), [])),
        }
        for key in keys
        if n_both.get(key)
    }


def add_regions(
    into: dict, questionnaire: Questionnaire, respondents: pd.DataFrame, answered: pd.DataFrame, all_regions: list
) -> None:
    """Per round: the respondents by region and by sub-region, and each closed question's counts by region.

    ``into`` gets ``{round: {"regions": {region: [States]}, "sub_regions": {...}, "by_region":
    {question: {region: {answer: count}}}}}``: every region of ``all_regions`` is listed, a
    sub-region only where a State responded.
    """
    by_region = _groups(respondents, ["round", "region"])
    by_sub = _groups(respondents, ["round", "sub_region"])
    with_region = answered.merge(respondents, on=["round", "state"])
    crosstab = pd.crosstab(
        [with_region["round"], with_region["question"], with_region["region"]], with_region["answer"]
    )
    counts: dict = {}
    for (round_name, key, region), row in zip(crosstab.index, crosstab.to_numpy().tolist(), strict=True):
        counts.setdefault(round_name, {}).setdefault(key, {})[region] = dict(zip(crosstab.columns, row, strict=True))
    for round_name in respondents["round"].unique():
        subs = sorted(s for r, s in by_sub if r == round_name)
        tables = counts.get(round_name, {})
        into[round_name] = {
            "regions": {region: by_region.get((round_name, region), []) for region in all_regions},
            "sub_regions": {sub: by_sub[(round_name, sub)] for sub in subs},
            "by_region": {
                q.key: {
                    region: {c: tables[q.key][region].get(c, 0) for c in q.options}
                    for region in sorted(tables.get(q.key, {}))
                }
                for q in questionnaire.closed
                if q.asked_in_round(round_name)
            },
        }
