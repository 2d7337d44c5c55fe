"""The questionnaire model: keys, types, choices and the conditions of follow-up questions.

It is also the one place that reads a single raw answer (:meth:`Question.parse_answer`): a YAML
value or a table cell, for every question type. Ingest, tables, exports and the response workbook
all call it, so each type is validated alike whatever form a response comes in.

Types: ``yes_no``; ``choice`` (``choices``); ``multi_choice`` (``choices``; a list in YAML,
``;``-separated in a table; an empty list is an answer of "none of these"); ``scale`` (``choices``
ordered low to high, optional end ``labels``); ``number`` (optional ``min``/``max``); ``text``.
``other: true`` on ``choice`` or ``multi_choice`` allows the answer ``other``, whose text is the
response's comment on that question.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import closest
from .yamlio import load_config

YES_NO = ("yes", "no")
OTHER = "other"
#: Questions with a fixed set of answers, counted per answer (``counts``, ``pct``, ``states``).
CLOSED_TYPES = ("yes_no", "choice", "multi_choice", "scale")
#: Every type a question may have.
TYPES = (*CLOSED_TYPES, "number", "text")
#: Closed types whose answer is one value (those a follow-up question may depend on).
SINGLE_TYPES = ("yes_no", "choice", "scale")
#: Separates the choices of a multi-choice answer in a table cell.
LIST_SEPARATOR = ";"
#: A table cell holding an answer of "none of these" to a multi-choice question.
NONE_CHOSEN = "[]"
#: What stands for no answer in a YAML file or a table cell.
EMPTY = frozenset({"", "null", "~", "Null", "NULL"})
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class AnswerError(ValueError):
    """A raw answer the question does not accept: what was expected, and the closest allowed answer."""

    def __init__(self, expected: str, suggestion: str = ""):
        super().__init__(expected)
        self.expected = expected
        self.suggestion = suggestion


def number_text(value) -> str:
    """A number as a reader writes it: 12, 2.5 (no trailing .0, no exponent for ordinary sizes)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def to_number(text: str) -> int | float | None:
    """A number written as text (``12``, ``-3``, ``2.5``, ``1e3``), integral values as int; None if it is not one."""
    t = str(text).strip()
    if _INT.fullmatch(t):
        return int(t)
    if _FLOAT.fullmatch(t) and math.isfinite(float(t)):
        number = float(t)
        return int(number) if number.is_integer() else number
    return None


def answer_is(answer, value: str) -> bool:
    """Whether an answer is ``value`` (for a multi-choice answer: whether it includes ``value``)."""
    if isinstance(answer, list):
        return value in answer
    return answer == value


@dataclass(frozen=True)
class Question:
    """One question as put to respondents."""

    key: str
    number: str
    text: str
    type: str
    section: str
    short: str = ""
    choices: tuple[str, ...] = ()
    asked_if: dict = field(default_factory=dict)
    asked_in: tuple[str, ...] = ()
    note: str = ""
    other: bool = False
    labels: tuple[tuple[str, str], ...] = ()
    min: int | float | None = None
    max: int | float | None = None

    @property
    def closed(self) -> bool:
        """True for questions with a fixed set of answers (counted per answer)."""
        return self.type in CLOSED_TYPES

    @property
    def options(self) -> tuple[str, ...]:
        """Every answer a respondent may give: the choices, then ``other`` where it is allowed."""
        return (*self.choices, OTHER) if self.other else self.choices

    @property
    def has_stats(self) -> bool:
        """True for questions with figures in stats.json (every type but free text)."""
        return self.type != "text"

    def applies(self, answers: dict) -> bool:
        """Whether the question was put to a respondent with these answers."""
        return all(answer_is(answers.get(k), v) for k, v in self.asked_if.items())

    def needs_text(self, answer) -> bool:
        """Whether this answer needs its text in the response's comment (the answer ``other``)."""
        return self.other and answer_is(answer, OTHER)

    def parse_answer(self, value):
        """One raw answer (a YAML value or a table cell's text) as stored: the one place that reads answers.

        Returns None for no answer (an empty cell, ``null``, ``~``); a choice as the questionnaire
        spells it (matched ignoring case) for ``yes_no``, ``choice`` and ``scale``; a list of
        choices in questionnaire order for ``multi_choice`` (a YAML list, or ``a; b`` in a table,
        ``[]`` for none of these); an int or a float for ``number`` (``12`` stays an integer);
        the text for ``text``. Raises :class:`AnswerError` with what was expected.
        """
        if value is None:
            return None
        if self.type == "multi_choice":
            return self._parse_list(value)
        if isinstance(value, (list, tuple, dict)):
            what = "a list" if isinstance(value, (list, tuple)) else "a mapping"
            if self.type in ("text", "number"):
                raise AnswerError(
                    ("text" if self.type == "text" else "a number" + self._range_text()) + f", not {what}"
                )
            raise AnswerError(f"one answer, not {what}: " + self._one_of())
        text = str(value)
        if text in EMPTY:
            return None
        if self.type == "text":
            return text
        if self.type == "number":
            return self._parse_number(text)
        if self.type in ("choice", "yes_no", "scale") and LIST_SEPARATOR in text:
            raise AnswerError(f"one answer, not a list: {self._one_of()}")
        return self._choice(text)

    def _one_of(self) -> str:
        return "one of: " + ", ".join(self.options)

    def _choice(self, text: str) -> str:
        canonical = {c.casefold(): c for c in self.options}.get(text.strip().casefold())
        if canonical is not None and text.strip() == text:
            return canonical
        if text.strip().casefold() == OTHER and not self.other:
            raise AnswerError(f"{self._one_of()} ('other' is not allowed for question {self.number or self.key})")
        raise AnswerError(self._one_of(), closest(text.strip().casefold(), self.options))

    def _parse_list(self, value) -> list[str]:
        if isinstance(value, dict):
            raise AnswerError("a list of choices, each one of: " + ", ".join(self.options))
        if isinstance(value, (list, tuple)):
            items = ["" if v is None else str(v) for v in value]
        else:
            text = str(value).strip()
            if text in EMPTY:
                return None
            if text == NONE_CHOSEN:
                return []
            items = text.split(LIST_SEPARATOR)
        chosen = set()
        for item in items:
            item = item.strip()
            if item in EMPTY:
                raise AnswerError(f"a list of choices without empty items ({NONE_CHOSEN} for none of these)")
            chosen.add(self._choice(item))
        return [c for c in self.options if c in chosen]

    def _parse_number(self, text: str):
        number = to_number(text)
        if number is None:
            raise AnswerError("a number" + self._range_text())
        if (self.min is not None and number < self.min) or (self.max is not None and number > self.max):
            raise AnswerError("a number" + self._range_text())
        return number

    def range_text(self) -> str:
        """A number question's bounds as words ("from 0 to 50", "of at least 1"); empty without bounds."""
        return self._range_text().strip()

    def _range_text(self) -> str:
        if self.min is not None and self.max is not None:
            return f" from {number_text(self.min)} to {number_text(self.max)}"
        if self.min is not None:
            return f" of at least {number_text(self.min)}"
        if self.max is not None:
            return f" of at most {number_text(self.max)}"
        return ""

    def asked_in_round(self, round_name: str) -> bool:
        """Whether the question was asked in a round (no list: every round)."""
        return not self.asked_in or round_name in self.asked_in


@dataclass(frozen=True)
class DerivedSet:
    """A named set of States computed from answers: in the set if any condition holds."""

    key: str
    short: str
    any: tuple[dict, ...]

    def contains(self, answers: dict) -> bool:
        """Whether a respondent with these answers belongs to the set."""
        return any(all(answer_is(answers.get(k), v) for k, v in cond.items()) for cond in self.any)


@dataclass(frozen=True)
class Questionnaire:
    """The questionnaire: ordered sections of questions, and derived sets."""

    title: str
    intro: str
    sections: tuple[dict, ...]
    questions: dict[str, Question]
    derived: tuple[DerivedSet, ...] = ()
    rounds: tuple[str, ...] = ()  # the rounds it was sent in, oldest first (none declared: every folder is one)

    def declares(self, round_name: str) -> bool:
        """Whether ``round_name`` is one of the questionnaire's rounds (every name, when none are declared)."""
        return not self.rounds or str(round_name) in self.rounds

    @property
    def closed(self) -> list[Question]:
        """Closed questions, in questionnaire order."""
        return [q for q in self.questions.values() if q.closed]

    def as_dict(self) -> dict:
        """A plain structure for templates and charts."""
        return {
            "title": self.title,
            "intro": self.intro,
            "sections": [
                {
                    "key": s["key"],
                    "title": s["title"],
                    "questions": [_question_dict(self.questions[k]) for k in s["keys"]],
                }
                for s in self.sections
            ],
            "derived": [{"key": d.key, "short": d.short} for d in self.derived],
        }


def _question_dict(q: Question) -> dict:
    out = {
        "key": q.key,
        "number": q.number,
        "text": q.text,
        "type": q.type,
        "short": q.short,
        "choices": list(q.choices),
        "asked_if": dict(q.asked_if),
        "note": q.note,
    }
    out.update(other=q.other, labels=dict(q.labels), min=q.min, max=q.max, range=q.range_text())
    return out


class QuestionnaireError(ValueError):
    """The questionnaire itself is malformed."""


def parse(data: dict, source: str = "questionnaire.yaml") -> Questionnaire:
    """Build and check a Questionnaire from its parsed YAML."""
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        raise QuestionnaireError(f"{source}: expected a mapping with a 'sections' list")
    rounds = tuple(str(r) for r in data.get("rounds") or ())
    if len(set(rounds)) != len(rounds):
        raise QuestionnaireError(f"{source}: rounds {list(rounds)} names a round twice")
    questions: dict[str, Question] = {}
    sections = []
    for s in data["sections"]:
        keys = []
        for raw in s.get("questions") or []:
            key = str(raw.get("key", ""))
            if not key.isidentifier():
                raise QuestionnaireError(f"{source}: question key {key!r} is not a snake_case identifier")
            if key in questions:
                raise QuestionnaireError(f"{source}: question key {key!r} appears twice")
            questions[key] = _question(raw, key, str(s.get("key", "")), source)
            undeclared = [r for r in questions[key].asked_in if rounds and r not in rounds]
            if undeclared:
                raise QuestionnaireError(
                    f"{source}: {key}: asked_in {undeclared} is not one of the rounds {list(rounds)}"
                )
            keys.append(key)
        sections.append({"key": str(s.get("key", "")), "title": str(s.get("title", "")), "keys": keys})
    for q in questions.values():
        for k, v in q.asked_if.items():
            if k not in questions or questions[k].type not in SINGLE_TYPES or v not in questions[k].options:
                raise QuestionnaireError(
                    f"{source}: {q.key}: asked_if {k}={v!r} names no answer of a yes_no, choice or scale question"
                )
    derived = []
    for d in data.get("derived") or []:
        conds = tuple({str(k): str(v) for k, v in c.items()} for c in d.get("any") or ())
        for cond in conds:
            for k in cond:
                if k not in questions:
                    raise QuestionnaireError(f"{source}: derived {d.get('key')}: unknown question {k!r}")
                if questions[k].type not in SINGLE_TYPES:
                    raise QuestionnaireError(
                        f"{source}: derived {d.get('key')}: {k!r} is not a yes_no, choice or scale question"
                    )
        derived.append(DerivedSet(key=str(d["key"]), short=str(d.get("short", "")), any=conds))
    return Questionnaire(
        title=" ".join(str(data.get("title", "")).split()),
        intro=" ".join(str(data.get("intro", "")).split()),
        sections=tuple(sections),
        questions=questions,
        derived=tuple(derived),
        rounds=rounds,
    )


def _question(raw: dict, key: str, section: str, source: str) -> Question:
    """One question of the questionnaire, its type's fields checked."""
    qtype = str(raw.get("type", ""))
    if qtype not in TYPES:
        raise QuestionnaireError(f"{source}: {key}: type {qtype!r} is not one of {', '.join(TYPES)}")
    choices = tuple(str(c) for c in raw.get("choices") or ())
    if qtype in ("choice", "multi_choice", "scale") and not choices:
        raise QuestionnaireError(f"{source}: {key}: a {qtype} question needs choices")
    if len(set(c.casefold() for c in choices)) != len(choices):
        raise QuestionnaireError(f"{source}: {key}: a choice appears twice")
    if any(LIST_SEPARATOR in c for c in choices):
        raise QuestionnaireError(
            f"{source}: {key}: a choice contains {LIST_SEPARATOR!r}, which separates choices in tables"
        )
    other = raw.get("other", False)
    if other not in (True, False):
        raise QuestionnaireError(f"{source}: {key}: other is {other!r}, not true or false")
    if other and qtype not in ("choice", "multi_choice"):
        raise QuestionnaireError(f"{source}: {key}: other: true is for choice and multi_choice questions")
    if other and OTHER in (c.casefold() for c in choices):
        raise QuestionnaireError(f"{source}: {key}: with other: true, {OTHER!r} is not also one of the choices")
    labels = raw.get("labels") or {}
    if labels and (qtype != "scale" or not isinstance(labels, dict)):
        raise QuestionnaireError(f"{source}: {key}: labels are a mapping point -> label, for scale questions")
    labels = {str(k): " ".join(str(v).split()) for k, v in labels.items()}
    for point in labels:
        if point not in choices:
            raise QuestionnaireError(f"{source}: {key}: label for {point!r}, which is not one of the choices")
    bounds = {}
    for name in ("min", "max"):
        value = raw.get(name)
        if value is not None and qtype != "number":
            raise QuestionnaireError(f"{source}: {key}: {name} is for number questions")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise QuestionnaireError(f"{source}: {key}: {name} is {value!r}, not a number")
        bounds[name] = value
    if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
        raise QuestionnaireError(f"{source}: {key}: min is more than max")
    return Question(
        key=key,
        number=str(raw.get("number", "")),
        text=" ".join(str(raw.get("text", "")).split()),
        type=qtype,
        section=section,
        short=str(raw.get("short", "")),
        choices=YES_NO if qtype == "yes_no" else choices,
        asked_if={str(k): str(v) for k, v in (raw.get("asked_if") or {}).items()},
        asked_in=tuple(str(r) for r in raw.get("asked_in") or ()),
        note=" ".join(str(raw.get("note", "")).split()),
        other=bool(other),
        labels=tuple((c, labels[c]) for c in choices if c in labels),
        min=bounds["min"],
        max=bounds["max"],
    )


def load(path: Path) -> Questionnaire:
    """Read and check raw/questionnaire.yaml."""
    return parse(load_config(path), str(path))
