"""Every figure the paper prints, computed from the validated responses (the stats.json contract)."""

from __future__ import annotations

from .questionnaire import Questionnaire
from .rounds import current_and_previous, round_order


def pct_half_up(k: int, n: int) -> int | None:
    """k/n as a whole percent, rounded half up (42/50 -> 84, 1/8 -> 13); None when n is 0."""
    if n <= 0:
        return None
    return (200 * k + n) // (2 * n)


def question_stats(question, responses: list[dict]) -> dict:
    """Counts, percentages of those who answered, and the States behind each answer."""
    applicable = [r for r in responses if question.applies(r["answers"])]
    states = {
        c: sorted(r["state"] for r in applicable if r["answers"].get(question.key) == c) for c in question.choices
    }
    blank = sorted(r["state"] for r in applicable if question.key not in r["answers"])
    counts = {c: len(s) for c, s in states.items()}
    answered = sum(counts.values())
    return {
        "applicable": len(applicable),
        "answered": answered,
        "blank": len(blank),
        "counts": counts,
        "pct": {c: pct_half_up(k, answered) for c, k in counts.items()},
        "states": {**states, "blank": blank},
    }


def round_stats(questionnaire: Questionnaire, themes: dict, responses: list[dict], round_name: str) -> dict:
    """One round: respondents, closed questions asked in it, themes and derived sets."""
    questions = {q.key: question_stats(q, responses) for q in questionnaire.closed if q.asked_in_round(round_name)}
    return {
        "n": len(responses),
        "respondents": sorted(r["state"] for r in responses),
        "questions": questions,
        "themes": {code: sorted(r["state"] for r in responses if code in r["themes"]) for code in sorted(themes)},
        "sets": {
            d.key: sorted(r["state"] for r in responses if d.contains(r["answers"])) for d in questionnaire.derived
        },
        # Respondents' own words, by State and question: untrusted text, escaped wherever it is printed.
        "comments": {r["state"]: dict(sorted(r["comments"].items())) for r in responses if r["comments"]},
    }


def changes(questionnaire: Questionnaire, before: list[dict], after: list[dict]) -> dict:
    """Per yes/no question, the States answering in both rounds that moved from no to yes or back."""
    old = {r["state"]: r["answers"] for r in before}
    new = {r["state"]: r["answers"] for r in after}
    both = sorted(set(old) & set(new))
    out = {}
    for q in questionnaire.closed:
        if q.type != "yes_no":
            continue
        pairs = [(s, old[s].get(q.key), new[s].get(q.key)) for s in both]
        pairs = [p for p in pairs if p[1] and p[2]]
        if not pairs:
            continue
        out[q.key] = {
            "answered_both": len(pairs),
            "no_to_yes": [s for s, a, b in pairs if (a, b) == ("no", "yes")],
            "yes_to_no": [s for s, a, b in pairs if (a, b) == ("yes", "no")],
        }
    return out


def compute(questionnaire: Questionnaire, themes: dict, responses: dict) -> dict:
    """stats.json: every round, and the changes from the previous round to the current one."""
    rounds = responses["rounds"]
    names = round_order(rounds)
    current, previous = current_and_previous(names)
    result = {
        "current": current,
        "previous": previous,
        "rounds": {name: round_stats(questionnaire, themes, rounds[name], name) for name in names},
        "changes": {},
    }
    if result["previous"]:
        result["changes"] = {
            "from": result["previous"],
            "to": result["current"],
            "questions": changes(questionnaire, rounds[result["previous"]], rounds[result["current"]]),
        }
    return result
