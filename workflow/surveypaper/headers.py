"""Which question a table's column header names: by key, printed number, wording, or number and wording.

Survey tools export one column per question, headed as the question was printed: ``Q1``, ``1``,
``1.``, ``3 (b)``, ``Q3b``, the wording whole or its start ("1. Has your Government identified…"),
or both. Comment columns are headed the same way with a comment word (``Q1 comment``, ``1. … -
Comments``). This module decides, for each header, what it is (the State column, the themes, a
question's answer or comment, a column to ignore) from the questionnaire model alone, so any
question type the questionnaire gains is matched the same way. The rules are in
docs/headers.md.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

STATE_HEADERS = ("state", "country")
THEMES_HEADERS = ("themes",)
#: How many words of a question's wording a header must give at least, when it gives no number.
MIN_WORDING_WORDS = 3

_NUMBER = re.compile(
    r"^(?:q(?:uestion)?\s*\.?\s*(?:no\.?\s*)?)?"  # Q, Q., Question, Question no.
    r"(\d+)"  # the number
    r"(?:\s*\(\s*([a-z])\s*\)|([a-z])(?![a-z]))?"  # (b), or b straight after the number
    r"(?=$|[\s.:)\-–—,]|[^\w])",
    re.IGNORECASE,
)
_COMMENT = re.compile(
    r"(?:^|[\s\-–—:,(\[/_]+)(?:comments?|remarks?|notes?|explanation|please\s+explain|"
    r"other\s*\(?\s*please\s+specify\s*\)?|please\s+specify)\s*[)\]]?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Column:
    """What a header was matched to. ``kind`` is state, themes, answer, comment or ignored."""

    header: str
    kind: str
    key: str = ""
    how: str = ""

    def describe(self) -> str:
        """One line of the matching log."""
        target = {"state": "the State", "themes": "the themes", "ignored": "ignored"}.get(self.kind)
        if target is None:
            target = f"{'the comment on ' if self.kind == 'comment' else ''}{self.key}"
        return f"{self.header!r} -> {target}" + (f" ({self.how})" if self.how else "")


@dataclass(frozen=True)
class Unmatched:
    """A header that names no question, or more than one."""

    header: str
    reason: str
    candidates: tuple[str, ...] = ()


def normal_number(text: str) -> str:
    """A printed question number in one spelling: ``3 (b)``, ``3b``, ``Q3(b)`` -> ``3b``."""
    return re.sub(r"[^0-9a-z]", "", str(text).casefold())


def words(text: str) -> list[str]:
    """The words of a text, for comparing wordings: case, accents, quotes and punctuation dropped."""
    text = unicodedata.normalize("NFKD", str(text)).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.findall(r"[0-9a-z]+", text)


def split_number(header: str) -> tuple[str, str]:
    """(the printed number a header starts with, in :func:`normal_number`'s spelling, the rest)."""
    text = header.strip()
    m = _NUMBER.match(text)
    if not m:
        return "", text
    number = m.group(1) + (m.group(2) or m.group(3) or "").casefold()
    rest = text[m.end() :].lstrip(" .:)-–—,\t")
    return number, rest


def label(question) -> str:
    """A question as an error names it: its number and the start of its wording."""
    start = " ".join(question.text.split()[:8])
    return f"{question.number} {start}…" if question.number else start


def match_header(header: str, questionnaire, ignored=()) -> Column | Unmatched:
    """What one header names. ``ignored`` are the headers the export's ignore file lists."""
    raw = " ".join(str(header).split())
    folded = raw.casefold()
    if raw in ignored or folded in {str(h).strip().casefold() for h in ignored}:
        return Column(raw, "ignored", how="listed in the ignore file")
    questions = questionnaire.questions
    if folded in STATE_HEADERS:
        return Column(raw, "state")
    if folded in THEMES_HEADERS:
        return Column(raw, "themes")
    if raw in questions:
        return Column(raw, "answer", raw, "by key")
    if raw.endswith("_comment") and raw[: -len("_comment")] in questions:
        return Column(raw, "comment", raw[: -len("_comment")], "by key")
    found = _question_of(raw, questions.values())
    if not isinstance(found, Unmatched):
        return Column(raw, "answer", *found)
    m = _COMMENT.search(raw)
    if m and raw[: m.start()].strip():  # "Q1 comment", "1. Has your Government… - Comments"
        as_comment = _question_of(raw[: m.start()].strip(), questions.values())
        if not isinstance(as_comment, Unmatched):
            return Column(raw, "comment", *as_comment)
        found = as_comment
    return Unmatched(raw, found.reason, found.candidates)


def _question_of(text: str, questions) -> tuple[str, str] | Unmatched:
    questions = list(questions)
    number, rest = split_number(text)
    wording = words(rest)
    by_number = [q for q in questions if number and normal_number(q.number) == number]
    by_wording = _by_wording(wording, questions) if wording else []
    if number and not by_number:
        return Unmatched(text, f"no question is numbered {number}", _closest(text, questions))
    if by_number and not wording:
        if len(by_number) > 1:
            return Unmatched(text, f"{len(by_number)} questions are numbered {number}", tuple(map(label, by_number)))
        return by_number[0].key, "by number"
    if by_number:
        if by_number[0] in by_wording:
            return by_number[0].key, "by number and wording"
        return Unmatched(
            text,
            f"its number is question {by_number[0].number}'s but its wording is not",
            tuple(map(label, [by_number[0], *by_wording[:2]])),
        )
    if len(wording) < MIN_WORDING_WORDS and not by_wording:
        return Unmatched(text, "no question has this number, wording or key", _closest(text, questions))
    if len(by_wording) == 1:
        return by_wording[0].key, "by wording"
    if len(by_wording) > 1:
        return Unmatched(text, "its wording starts more than one question", tuple(map(label, by_wording)))
    return Unmatched(text, "no question has this number, wording or key", _closest(text, questions))


def _by_wording(wording: list[str], questions) -> list:
    """The questions whose wording or short label starts with (or is) ``wording``; a last word cut
    short by the tool ("identif…") counts."""
    hits = []
    for q in questions:
        for text in (q.text, q.short):
            qwords = words(text)
            if not qwords:
                continue
            if qwords == wording or (len(wording) >= MIN_WORDING_WORDS and _starts(qwords, wording)):
                hits.append(q)
                break
    return hits


def _starts(qwords: list[str], wording: list[str]) -> bool:
    head, last = wording[:-1], wording[-1]
    return qwords[: len(head)] == head and len(qwords) > len(head) and qwords[len(head)].startswith(last)


def _closest(text: str, questions, n: int = 2) -> tuple[str, ...]:
    """The questions nearest a header, by number and wording, for an error message."""
    scored = []
    target = " ".join(words(text))
    for q in questions:
        candidate = " ".join(words(f"{q.number} {q.text}"))[: max(len(target), 1) + 10]
        ratio = difflib.SequenceMatcher(None, target, candidate).ratio()
        scored.append((ratio, label(q)))
    scored.sort(key=lambda s: -s[0])
    return tuple(lab for ratio, lab in scored[:n])


def match_columns(header: list[str], questionnaire, ignored=()) -> tuple[list[Column | Unmatched], list[str]]:
    """Every header matched, and the problems of the whole header row (a question named twice, no State column)."""
    found = [match_header(h, questionnaire, ignored) for h in header]
    issues = []
    seen: dict[tuple[str, str], str] = {}
    for col in found:
        if isinstance(col, Column) and col.kind in ("answer", "comment", "state", "themes"):
            slot = (col.kind, col.key)
            if slot in seen:
                what = {"state": "the State", "themes": "the themes"}.get(col.kind, f"{col.kind} {col.key}")
                issues.append(f"{col.header!r} and {seen[slot]!r} both name {what}")
            seen[slot] = col.header
    return found, issues
