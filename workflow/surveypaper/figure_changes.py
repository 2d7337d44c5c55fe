"""Compare the figures of two drafts: every figure and list of States that moved between two ``stats.json``.

Pure functions, no file or process I/O (``commands/diff.py`` does that):
:func:`compare_stats` takes two ``stats.json`` dicts and returns every figure that changed
(question, answer, old k/n and % → new), every list of States that changed (answers, themes,
derived sets, round-to-round changes: +added, −removed) and the respondents added or removed.
:func:`figures_markdown` and :func:`summary_lines` format that report. The word-level redline of
the text is :mod:`surveypaper.redline`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .rounds import round_order

__all__ = [
    "Labels",
    "answer_words",
    "compare_stats",
    "figures_markdown",
    "format_figure",
    "group_figures",
    "has_changes",
    "list_title",
    "question_title",
    "summary_lines",
]


# ================================================================================================
# Figures and lists of States


@dataclass
class Labels:
    """What the report prints for codes and keys (all optional: a missing label prints the key).

    ``states``: ISO3 -> printed name ("the Netherlands"); ``state_sort``: ISO3 -> sort key (the
    name without its article); ``questions``: key -> (number, short label), in questionnaire
    order; ``choices``: key -> answers in questionnaire order; ``themes``: code -> meaning;
    ``sets``: derived-set key -> short label.
    """

    states: Mapping[str, str] = field(default_factory=dict)
    state_sort: Mapping[str, str] = field(default_factory=dict)
    questions: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    themes: Mapping[str, str] = field(default_factory=dict)
    sets: Mapping[str, str] = field(default_factory=dict)

    def name(self, code: str) -> str:
        return self.states.get(code, code)

    def sort_key(self, code: str) -> tuple[str, str]:
        return (self.state_sort.get(code, self.name(code)).casefold(), code)

    def named(self, codes: Iterable[str]) -> list[dict]:
        """[{code, name}] sorted as the paper sorts States."""
        return [{"code": c, "name": self.name(c)} for c in sorted(set(codes), key=self.sort_key)]

    def question_order(self, keys: Iterable[str]) -> list[str]:
        known = list(self.questions)
        rank = {k: i for i, k in enumerate(known)}
        return sorted(set(keys), key=lambda k: (rank.get(k, len(known)), k))

    def choice_order(self, key: str, answers: Iterable[str]) -> list[str]:
        known = list(self.choices.get(key, ()))
        rank = {a: i for i, a in enumerate(known)}
        # yes before no when the questionnaire is not known; "blank" (item non-response) last
        fallback = {"yes": -2, "no": -1, "blank": 10_000}
        return sorted(set(answers), key=lambda a: (rank.get(a, len(known) + fallback.get(a, 0)), a))


def _round_order(names: Iterable[str]) -> list[str]:
    """Newest round first."""
    return round_order(names)[::-1]


def _figure(k, n, pct) -> dict:
    return {"k": k, "n": n, "pct": pct}


def _list_entry(labels: Labels, base: dict, old: Iterable[str], new: Iterable[str]) -> dict | None:
    old, new = set(old or ()), set(new or ())
    if old == new:
        return None
    return {
        **base,
        "old_count": len(old),
        "new_count": len(new),
        "added": labels.named(new - old),
        "removed": labels.named(old - new),
    }


def _question_label(labels: Labels, key: str) -> tuple[str, str]:
    number, short = labels.questions.get(key, ("", ""))
    return str(number or ""), str(short or "")


def _compare_question(labels, rnd, key, oq, nq, figures, lists) -> None:
    number, short = _question_label(labels, key)
    base = {"round": rnd, "question": key, "number": number, "label": short}
    oq, nq = oq or {}, nq or {}
    o_counts, n_counts = oq.get("counts", {}), nq.get("counts", {})
    o_pct, n_pct = oq.get("pct", {}), nq.get("pct", {})
    for answer in labels.choice_order(key, [*o_counts, *n_counts]):
        old = _figure(o_counts[answer], oq.get("answered"), o_pct.get(answer)) if answer in o_counts else None
        new = _figure(n_counts[answer], nq.get("answered"), n_pct.get(answer)) if answer in n_counts else None
        if old != new:
            figures.append({**base, "answer": answer, "old": old, "new": new})
    # item non-response (the paper prints "3 gave no answer"): when the number of blanks moves
    if oq.get("blank", 0) != nq.get("blank", 0):
        figures.append(
            {
                **base,
                "answer": "blank",
                "old": _figure(oq["blank"], oq.get("applicable"), None) if "blank" in oq else None,
                "new": _figure(nq["blank"], nq.get("applicable"), None) if "blank" in nq else None,
            }
        )
    o_states, n_states = oq.get("states", {}), nq.get("states", {})
    for answer in labels.choice_order(key, [*o_states, *n_states]):
        entry = _list_entry(
            labels, {**base, "kind": "answer", "key": key, "answer": answer}, o_states.get(answer), n_states.get(answer)
        )
        if entry:
            lists.append(entry)


def compare_stats(old: dict, new: dict, labels: Labels | None = None) -> dict:
    """Every figure and list of States that differs between two ``stats.json`` dicts.

    Returns a JSON-ready dict: ``current`` (the current round on each side), ``rounds_added`` /
    ``rounds_removed``, ``respondents`` (per round: n old → new, States added and removed),
    ``figures`` (per round, question and answer: old and new ``{k, n, pct}``, ``None`` where the
    figure does not exist on that side) and ``lists`` (per list of States that changed: its
    ``kind`` — ``answer``, ``theme``, ``set`` or ``change`` —, its key, the States added and
    removed, by printed name). Newest round first; questions in questionnaire order.
    """
    labels = labels or Labels()
    o_rounds, n_rounds = old.get("rounds") or {}, new.get("rounds") or {}
    report: dict = {
        "current": {"old": old.get("current"), "new": new.get("current")},
        "rounds_added": [
            {"round": r, "n": n_rounds[r].get("n", len(n_rounds[r].get("respondents", [])))}
            for r in _round_order(set(n_rounds) - set(o_rounds))
        ],
        "rounds_removed": [
            {"round": r, "n": o_rounds[r].get("n", len(o_rounds[r].get("respondents", [])))}
            for r in _round_order(set(o_rounds) - set(n_rounds))
        ],
        "respondents": [],
        "figures": [],
        "lists": [],
    }
    figures, lists = report["figures"], report["lists"]
    for rnd in _round_order(set(o_rounds) & set(n_rounds)):
        o, n = o_rounds[rnd], n_rounds[rnd]
        o_resp, n_resp = o.get("respondents", []), n.get("respondents", [])
        if set(o_resp) != set(n_resp) or o.get("n") != n.get("n"):
            report["respondents"].append(
                {
                    "round": rnd,
                    "old_n": o.get("n", len(o_resp)),
                    "new_n": n.get("n", len(n_resp)),
                    "added": labels.named(set(n_resp) - set(o_resp)),
                    "removed": labels.named(set(o_resp) - set(n_resp)),
                }
            )
        oq, nq = o.get("questions", {}), n.get("questions", {})
        for key in labels.question_order([*oq, *nq]):
            _compare_question(labels, rnd, key, oq.get(key), nq.get(key), figures, lists)
        for kind, field_name, label_of in (("theme", "themes", labels.themes), ("set", "sets", labels.sets)):
            o_lists, n_lists = o.get(field_name, {}), n.get(field_name, {})
            for key in sorted(set(o_lists) | set(n_lists)):
                entry = _list_entry(
                    labels,
                    {"round": rnd, "kind": kind, "key": key, "answer": None, "label": label_of.get(key, "")},
                    o_lists.get(key),
                    n_lists.get(key),
                )
                if entry:
                    lists.append(entry)
    _compare_changes(labels, old.get("changes") or {}, new.get("changes") or {}, figures, lists)
    return report


def _compare_changes(labels, old: dict, new: dict, figures: list, lists: list) -> None:
    """Round-to-round changes (no → yes, yes → no) of the States that answered in both rounds."""
    span = f"{new.get('from') or old.get('from')}→{new.get('to') or old.get('to')}"
    oq, nq = old.get("questions", {}), new.get("questions", {})
    for key in labels.question_order([*oq, *nq]):
        o, n = oq.get(key) or {}, nq.get(key) or {}
        number, short = _question_label(labels, key)
        base = {"round": span, "question": key, "number": number, "label": short}
        if o.get("answered_both") != n.get("answered_both"):
            figures.append(
                {
                    **base,
                    "answer": "answered in both rounds",
                    "old": _figure(o["answered_both"], None, None) if "answered_both" in o else None,
                    "new": _figure(n["answered_both"], None, None) if "answered_both" in n else None,
                }
            )
        for move in ("no_to_yes", "yes_to_no"):
            entry = _list_entry(
                labels, {**base, "kind": "change", "key": key, "answer": move}, o.get(move), n.get(move)
            )
            if entry:
                lists.append(entry)


def has_changes(report: dict) -> bool:
    """Whether the report names any change at all."""
    return bool(
        report["rounds_added"]
        or report["rounds_removed"]
        or report["respondents"]
        or report["figures"]
        or report["lists"]
        or report["current"]["old"] != report["current"]["new"]
    )


def format_figure(fig: dict | None) -> str:
    """``26/53 (49%)``, ``3 of 12 asked`` for blanks, ``40`` for a bare count, ``—`` when absent."""
    if fig is None:
        return "—"
    k, n, pct = fig.get("k"), fig.get("n"), fig.get("pct")
    text = str(k) if n is None else f"{k}/{n}"
    if pct is not None:
        text += f" ({pct}%)"
    return text


_ANSWER_WORDS = {"no_to_yes": "no → yes", "yes_to_no": "yes → no", "blank": "left blank"}


def list_title(entry: dict) -> str:
    """How figures.md names a list of States: ``Q3 national_plan: yes``, ``theme diaspora``..."""
    kind, key = entry["kind"], entry["key"]
    answer = _ANSWER_WORDS.get(entry.get("answer"), entry.get("answer"))
    if kind == "answer":
        number = f"Q{entry['number']} " if entry.get("number") else ""
        return f"{number}{key}: {answer}"
    if kind == "change":
        number = f"Q{entry['number']} " if entry.get("number") else ""
        return f"{number}{key}, {entry['round']}: {answer}"
    return f"{kind} {key}"


def _names(items: list[dict]) -> str:
    return ", ".join(i["name"] for i in items)


def list_moves(entry: dict) -> str:
    """``+ Norway, Peru; − Chile`` (with the sizes of the list)."""
    parts = []
    if entry["added"]:
        parts.append("+ " + _names(entry["added"]))
    if entry["removed"]:
        parts.append("− " + _names(entry["removed"]))
    return "; ".join(parts)


def _md_cell(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def question_title(f: dict) -> str:
    """``Q3 National policy plan or strategy …`` (the key when the questionnaire gives no label)."""
    number = f"Q{f['number']} " if f.get("number") else ""
    return number + (f.get("label") or f["question"])


def group_figures(figures: list[dict]) -> list[dict]:
    """Figures by round, then by question: [{round, questions: [{question, number, label, rows}]}]."""
    rounds: list[dict] = []
    for f in figures:
        if not rounds or rounds[-1]["round"] != f["round"]:
            rounds.append({"round": f["round"], "questions": []})
        qs = rounds[-1]["questions"]
        if not qs or qs[-1]["question"] != f["question"]:
            qs.append({k: f.get(k) for k in ("question", "number", "label")} | {"rows": []})
        qs[-1]["rows"].append(f)
    return rounds


def answer_words(answer: str) -> str:
    return _ANSWER_WORDS.get(answer, answer)


def printed_in(provenance: list[dict]) -> dict[tuple[str, str], list[str]]:
    """(round, question) -> the headings under which the paper prints a value of it (provenance.json)."""
    out: dict[tuple[str, str], list[str]] = {}
    for e in provenance:
        if "question" in e and "round" in e:
            where = out.setdefault((str(e["round"]), str(e["question"])), [])
            if e["section"] not in where:
                where.append(e["section"])
    return out


def figures_markdown(report: dict, old_label: str = "OLD", new_label: str = "NEW", printed: dict | None = None) -> str:
    """figures.md: the respondents, the figures and the lists of States that changed.

    ``printed`` (:func:`printed_in` of the new paper's provenance.json) links each changed
    question to the sections that print it.
    """
    out = [f"# Figures that changed: {old_label} → {new_label}", ""]
    if not has_changes(report):
        out += ["No figure, list of States or respondent changed.", ""]
        return "\n".join(out)
    cur = report["current"]
    if cur["old"] != cur["new"]:
        out += [f"Current round: {cur['old']} → {cur['new']}.", ""]
    for r in report["rounds_added"]:
        out.append(f"- Round {r['round']} is new ({r['n']} respondents).")
    for r in report["rounds_removed"]:
        out.append(f"- Round {r['round']} is gone ({r['n']} respondents).")
    if report["rounds_added"] or report["rounds_removed"]:
        out.append("")
    if report["respondents"]:
        out += ["## Respondents", ""]
        for r in report["respondents"]:
            moves = list_moves(r)
            out.append(f"- {r['round']}: {r['old_n']} → {r['new_n']}" + (f"; {moves}" if moves else ""))
        out.append("")
    if report["figures"]:
        out += ["## Figures", "", "k/n (%): k States of the n that answered; blanks: of the n asked.", ""]
        for rnd in group_figures(report["figures"]):
            out += [f"### {rnd['round']}", "", "| Question | Answer | Old | New |", "|---|---|---|---|"]
            for q in rnd["questions"]:
                for i, f in enumerate(q["rows"]):
                    title = f"{question_title(q)} (`{q['question']}`)" if i == 0 else ""
                    out.append(
                        f"| {_md_cell(title)} | {_md_cell(answer_words(f['answer']))} | "
                        f"{format_figure(f['old'])} | {format_figure(f['new'])} |"
                    )
            out.append("")
            where = [
                f"- `{q['question']}`: printed in {' and '.join(printed[(str(rnd['round']), q['question'])])}"
                for q in rnd["questions"]
                if (str(rnd["round"]), q["question"]) in (printed or {})
            ]
            if where:
                out += [*where, ""]
    if report["lists"]:
        out += ["## Lists of States", ""]
        for e in report["lists"]:
            label = f" ({e['label']})" if e.get("label") else ""
            where = "" if e["kind"] == "change" else f"{e['round']}, "
            out.append(f"- **{where}{list_title(e)}**{label}, {e['old_count']} → {e['new_count']}: {list_moves(e)}")
        out.append("")
    return "\n".join(out)


def summary_lines(report: dict, text_changes: int | None = None, prose_changes: int | None = None) -> list[str]:
    """The terminal summary: counts, respondents, each changed figure (one line per question)
    and each changed list of States. With ``prose_changes``, the text changes are split into the
    editors' edits and those that followed the data."""
    lines = []
    if text_changes is not None:
        line = f"text: {text_changes} change{'s' if text_changes != 1 else ''}"
        if prose_changes is not None and text_changes:
            data = text_changes - prose_changes
            line += (
                f" ({prose_changes} prose edit{'s' if prose_changes != 1 else ''}, "
                f"{data} that followed the data: figures, lists of States, chart alt text)"
            )
        lines.append(line)
    for r in report["rounds_added"]:
        lines.append(f"round {r['round']}: new ({r['n']} respondents)")
    for r in report["rounds_removed"]:
        lines.append(f"round {r['round']}: gone ({r['n']} respondents)")
    for r in report["respondents"]:
        moves = list_moves(r)
        lines.append(f"respondents {r['round']}: {r['old_n']} → {r['new_n']}" + (f" ({moves})" if moves else ""))
    lines.append(f"figures: {len(report['figures'])} changed")
    for rnd in group_figures(report["figures"]):
        for q in rnd["questions"]:
            number = f"Q{q['number']} " if q.get("number") else ""
            moves = "; ".join(
                f"{answer_words(f['answer'])} {format_figure(f['old'])} → {format_figure(f['new'])}" for f in q["rows"]
            )
            lines.append(f"  {rnd['round']} {number}{q['question']}: {moves}")
    lines.append(f"lists of States: {len(report['lists'])} changed")
    for e in report["lists"]:
        where = "" if e["kind"] == "change" else f"{e['round']} "
        lines.append(f"  {where}{list_title(e)}: {list_moves(e)}")
    return lines
