"""The questionnaire model: keys, types, choices and the conditions of follow-up questions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .yamlio import load_config

YES_NO = ("yes", "no")
CLOSED_TYPES = ("yes_no", "choice")


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

    @property
    def closed(self) -> bool:
        """True for questions with a fixed set of answers."""
        return self.type in CLOSED_TYPES

    def applies(self, answers: dict) -> bool:
        """Whether the question was put to a respondent with these answers."""
        return all(answers.get(k) == v for k, v in self.asked_if.items())

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
        return any(all(answers.get(k) == v for k, v in cond.items()) for cond in self.any)


@dataclass(frozen=True)
class Questionnaire:
    """The questionnaire: ordered sections of questions, and derived sets."""

    title: str
    intro: str
    sections: tuple[dict, ...]
    questions: dict[str, Question]
    derived: tuple[DerivedSet, ...] = ()

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
    return {
        "key": q.key,
        "number": q.number,
        "text": q.text,
        "type": q.type,
        "short": q.short,
        "choices": list(q.choices) if q.type == "choice" else list(YES_NO) if q.type == "yes_no" else [],
        "asked_if": dict(q.asked_if),
        "note": q.note,
    }


class QuestionnaireError(ValueError):
    """The questionnaire itself is malformed."""


def parse(data: dict, source: str = "questionnaire.yaml") -> Questionnaire:
    """Build and check a Questionnaire from its parsed YAML."""
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        raise QuestionnaireError(f"{source}: expected a mapping with a 'sections' list")
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
            qtype = str(raw.get("type", ""))
            if qtype not in ("yes_no", "choice", "text"):
                raise QuestionnaireError(f"{source}: {key}: type {qtype!r} is not yes_no, choice or text")
            choices = tuple(str(c) for c in raw.get("choices") or ())
            if qtype == "choice" and not choices:
                raise QuestionnaireError(f"{source}: {key}: a choice question needs choices")
            questions[key] = Question(
                key=key,
                number=str(raw.get("number", "")),
                text=" ".join(str(raw.get("text", "")).split()),
                type=qtype,
                section=str(s.get("key", "")),
                short=str(raw.get("short", "")),
                choices=YES_NO if qtype == "yes_no" else choices,
                asked_if={str(k): str(v) for k, v in (raw.get("asked_if") or {}).items()},
                asked_in=tuple(str(r) for r in raw.get("asked_in") or ()),
                note=" ".join(str(raw.get("note", "")).split()),
            )
            keys.append(key)
        sections.append({"key": str(s.get("key", "")), "title": str(s.get("title", "")), "keys": keys})
    for q in questions.values():
        for k, v in q.asked_if.items():
            if k not in questions or not questions[k].closed or v not in questions[k].choices:
                raise QuestionnaireError(f"{source}: {q.key}: asked_if {k}={v!r} names no closed question answer")
    derived = []
    for d in data.get("derived") or []:
        conds = tuple({str(k): str(v) for k, v in c.items()} for c in d.get("any") or ())
        for cond in conds:
            for k in cond:
                if k not in questions:
                    raise QuestionnaireError(f"{source}: derived {d.get('key')}: unknown question {k!r}")
        derived.append(DerivedSet(key=str(d["key"]), short=str(d.get("short", "")), any=conds))
    return Questionnaire(
        title=" ".join(str(data.get("title", "")).split()),
        intro=" ".join(str(data.get("intro", "")).split()),
        sections=tuple(sections),
        questions=questions,
        derived=tuple(derived),
    )


def load(path: Path) -> Questionnaire:
    """Read and check raw/questionnaire.yaml."""
    return parse(load_config(path), str(path))
