"""Compare two drafts of the paper: what moved in the figures, and a word-level redline of the text.

Pure functions, no file or process I/O (``commands/diff.py`` does that):

- :func:`compare_stats` takes two ``stats.json`` dicts and returns every figure that changed
  (question, answer, old k/n and % → new), every list of States that changed (answers, themes,
  derived sets, round-to-round changes: +added, −removed) and the respondents added or removed.
  :func:`figures_markdown` and :func:`summary_lines` format that report.
- :func:`redline` takes two Markdown texts of the paper and returns the new paper as HTML with the
  old words that went in ``<del>`` and the new ones in ``<ins>``, each change numbered
  (``id="change-N"``). Both texts are rendered by the paper's own renderer (markdown-it, raw HTML
  off: every tag in the result comes from the renderer, every word is escaped). The two HTML
  documents are aligned block by block (paragraphs, headings, table rows, list items, notes) with
  :class:`difflib.SequenceMatcher`, changed blocks are paired by similarity, and paired blocks are
  compared word by word. The new document's tags are all kept, in order, so the result is
  well-formed; old tags survive only as whole, balanced fragments placed where they are valid.
- :func:`redline_document` wraps the result in ``templates/layout/redline.html.j2``.
"""

from __future__ import annotations

import base64
import difflib
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Change",
    "Labels",
    "Redline",
    "compare_stats",
    "figures_markdown",
    "group_changes",
    "group_figures",
    "has_changes",
    "redline",
    "redline_document",
    "redline_html",
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
    return sorted(set(names), reverse=True)


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


def figures_markdown(report: dict, old_label: str = "OLD", new_label: str = "NEW") -> str:
    """figures.md: the respondents, the figures and the lists of States that changed."""
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
    if report["lists"]:
        out += ["## Lists of States", ""]
        for e in report["lists"]:
            label = f" ({e['label']})" if e.get("label") else ""
            where = "" if e["kind"] == "change" else f"{e['round']}, "
            out.append(f"- **{where}{list_title(e)}**{label}, {e['old_count']} → {e['new_count']}: {list_moves(e)}")
        out.append("")
    return "\n".join(out)


def summary_lines(report: dict, text_changes: int | None = None) -> list[str]:
    """The terminal summary: counts, respondents, each changed figure (one line per question)
    and each changed list of States."""
    lines = []
    if text_changes is not None:
        lines.append(f"text: {text_changes} change{'s' if text_changes != 1 else ''}")
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


# ================================================================================================
# Word-level redline of two Markdown texts

_TOKEN = re.compile(
    r"(<[^>]*>)"  # a tag (the renderer escapes every < in text)
    r"|(\s+)"  # whitespace
    r"|(&(?:#\d+|#x[0-9A-Fa-f]+|\w+);"  # an entity, or a word: hyphenated, with apostrophes,
    r"|\w+(?:[-'’.,]\w+)*%?)"  # decimal points or thousands separators, and a % sign
    r"|(.)",  # any other character (punctuation)
    re.DOTALL,
)
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9]*)")
_ID_ATTR = re.compile(r'\s+id="[^"]*"')

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
BLOCK = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
# Compared as one unit even though block elements sit inside them (cells of a row, a chart's caption).
FORCED_LEAF = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "figure", "pre", "dt", "dd", "hr"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Where an element may stand (only what the renderer produces needs to be right).
REQUIRED_PARENT = {
    "li": {"ul", "ol"},
    "tr": {"table", "thead", "tbody", "tfoot"},
    "td": {"tr"},
    "th": {"tr"},
    "thead": {"table"},
    "tbody": {"table"},
    "tfoot": {"table"},
    "dt": {"dl"},
    "dd": {"dl"},
    "figcaption": {"figure"},
    "summary": {"details"},
}
STRUCTURAL = frozenset({"ul", "ol", "table", "thead", "tbody", "tfoot", "tr", "dl"})
PHRASING_ONLY = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "span",
        "a",
        "em",
        "strong",
        "sup",
        "sub",
        "code",
        "del",
        "ins",
        "s",
        "b",
        "i",
        "small",
        "label",
        "abbr",
        "cite",
        "q",
        "mark",
    }
)


#: Marks an element that only the old draft has (a deleted row, note or list item), kept whole.
OLD_ATTR = 'data-rl="del"'


def _old_tag(tok: str) -> str:
    """An old draft's open tag, kept in the redline: without its id (the new draft may reuse it)."""
    tok = _ID_ATTR.sub("", tok)
    return tok[:-1].rstrip() + f" {OLD_ATTR}>"


def tokenize(text: str) -> list[str]:
    """HTML split into tags, whitespace runs, words (entities included) and single characters."""
    return [m.group(0) for m in _TOKEN.finditer(text)]


def _tag(tok: str) -> tuple[str, bool] | None:
    """(name, is_closing) for a tag token, None for text."""
    if not tok.startswith("<"):
        return None
    m = _TAG.match(tok)
    if not m:
        return None
    return m.group(2).lower(), bool(m.group(1))


def _is_text(tok: str) -> bool:
    return _tag(tok) is None


def _is_space(tok: str) -> bool:
    return tok.isspace()


#: Words that may not anchor a match on their own (they still match next to a real word), so that
#: "the Netherlands and Norway" → "the Netherlands, Norway and Peru" reads as "and" → "," and
#: "+ and Peru", not as "+ , Norway" and "Norway" → "Peru".
FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "with",
        ",",
        ";",
        ":",
    ]
)


def _is_junk(tok: str) -> bool:
    return tok.isspace() or tok.lower() in FUNCTION_WORDS


def _match_tags(toks: list[str]) -> dict[int, int]:
    """For each open tag whose close is in ``toks`` (properly nested), the index of its close."""
    stack: list[tuple[str, int]] = []
    pairs: dict[int, int] = {}
    for i, t in enumerate(toks):
        tag = _tag(t)
        if tag is None:
            continue
        name, closing = tag
        if name in VOID and not closing:
            continue
        if not closing:
            stack.append((name, i))
            continue
        # pop to the matching open tag; anything opened after it and never closed is unmatched
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][0] == name:
                pairs[stack[depth][1]] = i
                del stack[depth:]
                break
        else:
            stack.clear()  # a close with no open: nothing before it can balance across it
    return pairs


def _text_of(toks: Iterable[str]) -> str:
    """Visible text: tags dropped, entities decoded, whitespace folded."""
    return " ".join(html.unescape("".join(t for t in toks if _is_text(t))).split())


@dataclass
class Unit:
    """A block compared as a whole: a leaf element (paragraph, heading, row, note, chart) or a
    structural tag on its own (``<ul>``, ``</table>``), with the whitespace after it."""

    toks: list[str]
    name: str  # the element's tag name; "" for loose text
    leaf: bool
    key: str = ""
    words: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.key = "".join(self.toks)
        self.words = [t for t in self.toks if _is_text(t) and not _is_space(t)]


def split_units(toks: list[str]) -> list[Unit]:
    """Cut a token stream into blocks: leaf elements whole, structural tags one by one."""
    pairs = _match_tags(toks)
    units: list[Unit] = []
    i, n = 0, len(toks)
    loose: list[str] = []

    def flush_loose():
        if loose:
            if units and all(_is_space(t) for t in loose):
                units[-1].toks.extend(loose)
                units[-1].__post_init__()
            else:
                units.append(Unit(list(loose), "", True))
            loose.clear()

    while i < n:
        t = toks[i]
        tag = _tag(t)
        if tag is None or tag[0] not in BLOCK:
            loose.append(t)
            i += 1
            continue
        flush_loose()
        name, closing = tag
        end = pairs.get(i)
        if not closing and name in VOID:
            units.append(Unit([t], name, True))
            i += 1
            continue
        if not closing and end is not None:
            inner = toks[i + 1 : end]
            has_block = any((tg := _tag(x)) is not None and tg[0] in BLOCK for x in inner)
            if name in FORCED_LEAF or not has_block:
                units.append(Unit(toks[i : end + 1], name, True))
                i = end + 1
                continue
        units.append(Unit([t], name, False))
        i += 1
    flush_loose()
    return units


@dataclass
class Change:
    """One numbered change: where it is, what went and what came."""

    number: int
    anchor: str
    section: str
    section_id: str
    old: str
    new: str
    before: str = ""
    after: str = ""
    kind: str = "text"  # "text" or "chart"

    def as_dict(self) -> dict:
        return {
            k: getattr(self, k)
            for k in ("number", "anchor", "section", "section_id", "kind", "before", "old", "new", "after")
        }


@dataclass
class Redline:
    """The merged HTML (title block and body, notes included) and its numbered changes."""

    html: str
    changes: list[Change]
    inserted_words: int = 0
    deleted_words: int = 0


_WS = re.compile(r"\s+")
_NOISE = str.maketrans("", "", "\u21a9\ufe0e")  # the notes' back-link arrow


def _plain(toks: Iterable[str]) -> str:
    """Visible text of tokens, whitespace folded to single spaces (a space at either edge kept)."""
    return _WS.sub(" ", html.unescape("".join(t for t in toks if _is_text(t))).translate(_NOISE))


def _clip(text: str, limit: int, from_end: bool = False) -> str:
    """At most ``limit`` words, an ellipsis where words were cut, spaces at the edges kept."""
    words = text.split()
    if len(words) <= limit:
        return text
    if from_end:
        return "… " + " ".join(words[-limit:]) + (" " if text.endswith(" ") else "")
    return (" " if text.startswith(" ") else "") + " ".join(words[:limit]) + " …"


def _join_pieces(pieces: list[str]) -> str:
    """Runs of one change, which tags (cells, emphasis) separated: a space where none was."""
    text = ""
    for p in pieces:
        if text and not text[-1].isspace() and not p[:1].isspace():
            text += " "
        text += p
    return _WS.sub(" ", text)


CHANGE_SNIPPET_WORDS = 24
CONTEXT_WORDS = 5


def _merge_segments(ops, a: list[str], b: list[str]) -> list[tuple[bool, list[str], list[str]]]:
    """(changed, old tokens, new tokens) segments; changes separated only by spaces are one change."""
    segs: list[tuple[bool, list[str], list[str]]] = []
    for op, i1, i2, j1, j2 in ops:
        changed = op != "equal"
        old, new = a[i1:i2], b[j1:j2]
        if changed and segs and segs[-1][0]:
            segs[-1] = (True, segs[-1][1] + old, segs[-1][2] + new)
        else:
            segs.append((changed, list(old), list(new)))
    merged: list[tuple[bool, list[str], list[str]]] = []
    for seg in segs:
        if (
            seg[0]
            and len(merged) >= 2
            and merged[-2][0]
            and not merged[-1][0]
            and all(_is_space(t) for t in merged[-1][2])
        ):
            gap = merged.pop()
            prev = merged.pop()
            merged.append((True, prev[1] + gap[1] + seg[1], prev[2] + gap[2] + seg[2]))
        else:
            merged.append(seg)
    return merged


class _Merger:
    """Builds the redline: emits the new document's tokens, and the old words where they went."""

    def __init__(self):
        self.out: list[str] = []
        self.stack: list[str] = []  # open elements of the emitted new document
        self.changes: list[Change] = []
        self.section, self.section_id = "", ""
        self.current: dict | None = None  # the change being written
        self.inserted_words = self.deleted_words = 0

    # -- the change being written --------------------------------------------------------------

    def begin(self, before: Iterable[str] = (), after: Iterable[str] = ()) -> None:
        """Start a change; ``before``/``after``: the unchanged tokens around it (for the summary)."""
        self.current = {"number": None, "old": [], "new": [], "before": list(before), "after": list(after)}

    def end(self) -> None:
        cur, self.current = self.current, None
        if cur is None or cur["number"] is None:
            return
        n = cur["number"]
        self.changes.append(
            Change(
                number=n,
                anchor=f"change-{n}",
                section=self.section,
                section_id=self.section_id,
                old=_clip(_join_pieces(cur["old"]), CHANGE_SNIPPET_WORDS),
                new=_clip(_join_pieces(cur["new"]), CHANGE_SNIPPET_WORDS),
                before=_clip(_plain(cur["before"]), CONTEXT_WORDS, from_end=True),
                after=_clip(_plain(cur["after"]), CONTEXT_WORDS),
            )
        )

    def _anchor(self) -> str:
        """` id="change-N"` on the first mark of the current change."""
        if self.current is None or self.current["number"] is not None:
            return ""
        self.current["number"] = len(self.changes) + 1
        return f' id="change-{self.current["number"]}"'

    # -- emitting --------------------------------------------------------------------------------

    def _track(self, tok: str) -> None:
        tag = _tag(tok)
        if tag is None:
            return
        name, closing = tag
        if closing:
            if name in self.stack:
                while self.stack and self.stack.pop() != name:
                    pass
        elif name not in VOID:
            self.stack.append(name)

    def top(self) -> str:
        return self.stack[-1] if self.stack else ""

    def emit_new(self, toks: Iterable[str]) -> None:
        """Tokens of the new document, unchanged."""
        for t in toks:
            self.out.append(t)
            self._track(t)

    def _wrap(self, kind: str, text_toks: list[str]) -> None:
        """A run of old (del) or new (ins) words, wrapped so it is valid where it lands."""
        if not text_toks:
            return
        raw = "".join(text_toks)
        if raw.isspace():
            self.out.append(raw)
            return
        words = _plain(text_toks)
        if self.current is not None:
            self.current["old" if kind == "del" else "new"].append(words)
        count = len(words.split())
        if kind == "del":
            self.deleted_words += count
        else:
            self.inserted_words += count
        mark = f"<{kind}{self._anchor()}>{raw}</{kind}>"
        top = self.top()  # old words where the new structure allows no text: a wrapper of the old side
        if top in ("ul", "ol"):
            mark = f"<li {OLD_ATTR}>{mark}</li>"
        elif top in ("table", "thead", "tbody", "tfoot"):
            mark = f'<tr {OLD_ATTR}><td colspan="99">{mark}</td></tr>'
        elif top == "tr":
            mark = f"<td {OLD_ATTR}>{mark}</td>"
        elif top == "dl":
            mark = f"<dd {OLD_ATTR}>{mark}</dd>"
        self.out.append(mark)

    def emit_inserted(self, toks: list[str]) -> None:
        """New tokens: every tag kept, the words in <ins>."""
        run: list[str] = []
        for t in toks:
            if _is_text(t):
                run.append(t)
                continue
            self._wrap("ins", run)
            run = []
            self.emit_new([t])
        self._wrap("ins", run)

    def emit_deleted(self, toks: list[str]) -> None:
        """Old tokens: words in <del>; a tag only as part of a whole element valid where it lands."""
        pairs = _match_tags(toks)
        run: list[str] = []
        i = 0
        while i < len(toks):
            t = toks[i]
            tag = _tag(t)
            if tag is None:
                run.append(t)
                i += 1
                continue
            name, closing = tag
            if not closing and name in VOID:
                if name == "br" and self.top() not in STRUCTURAL:
                    self._wrap("del", run)
                    run = []
                    self.out.append(t)
                i += 1
                continue
            end = pairs.get(i) if not closing else None
            if end is None:  # half of an element: drop the tag, keep its words
                i += 1
                continue
            if not self._allowed(name):  # flatten: its words join the run, a block break is a space
                for x in toks[i + 1 : end]:
                    if _is_text(x):
                        run.append(x)
                    elif (tg := _tag(x)) and tg[0] in BLOCK and run and not _is_space(run[-1]):
                        run.append(" ")
                i = end + 1
                continue
            self._wrap("del", run)
            run = []
            self.out.append(_old_tag(t))
            self.stack.append(name)
            self.emit_deleted(toks[i + 1 : end])
            self.stack.pop()
            self.out.append(toks[end])
            i = end + 1
        self._wrap("del", run)

    def _allowed(self, child: str) -> bool:
        parent = self.top()
        if child in REQUIRED_PARENT:
            return parent in REQUIRED_PARENT[child]
        if parent in STRUCTURAL:
            return False
        if child in BLOCK and parent in PHRASING_ONLY:
            return False
        return child not in ("img",)

    # -- units -----------------------------------------------------------------------------------

    def see_heading(self, unit: Unit) -> None:
        if unit.name in HEADINGS:
            self.section = _text_of(unit.toks)
            m = re.search(r'\sid="([^"]*)"', unit.toks[0])
            self.section_id = m.group(1) if m else ""

    def unit_equal(self, unit: Unit) -> None:
        self.see_heading(unit)
        self.emit_new(unit.toks)

    def unit_inserted(self, units: list[Unit]) -> None:
        for u in units:
            self.see_heading(u)
        self.begin()
        for u in units:
            self.emit_inserted(u.toks)
        self.end()

    def unit_deleted(self, units: list[Unit]) -> None:
        self.begin()
        self.emit_deleted([t for u in units for t in u.toks])
        self.end()

    def unit_pair(self, old: Unit, new: Unit) -> None:
        self.see_heading(new)
        a, b = old.toks, new.toks
        segs = _merge_segments(difflib.SequenceMatcher(_is_junk, a, b, autojunk=False).get_opcodes(), a, b)
        for k, (changed, o, n) in enumerate(segs):
            if not changed:
                self.emit_new(n)
                continue
            self.begin(segs[k - 1][2] if k > 0 else (), segs[k + 1][2] if k + 1 < len(segs) else ())
            self.emit_deleted(o)
            self.emit_inserted(n)
            self.end()


def _pair_units(old: list[Unit], new: list[Unit], lo_a: int, hi_a: int, lo_b: int, hi_b: int, out: list) -> None:
    """Pair the most similar blocks of a changed region (same element, similar words), recursively.

    Appends ("del", i), ("ins", j) and ("pair", i, j) in document order.
    """
    if lo_a >= hi_a or lo_b >= hi_b or (hi_a - lo_a) * (hi_b - lo_b) > 40_000:
        out.extend(("del", i) for i in range(lo_a, hi_a))
        out.extend(("ins", j) for j in range(lo_b, hi_b))
        return
    best, best_i, best_j = 0.0, -1, -1
    for j in range(lo_b, hi_b):
        nb = new[j]
        sm = difflib.SequenceMatcher(None, autojunk=False)
        sm.set_seq2(nb.words or [nb.key])
        for i in range(lo_a, hi_a):
            oa = old[i]
            if oa.name != nb.name or oa.leaf != nb.leaf:
                continue
            if not oa.leaf:  # a structural tag pairs with its own kind
                score = 0.99
            else:
                sm.set_seq1(oa.words or [oa.key])
                if sm.real_quick_ratio() <= best or sm.quick_ratio() <= best:
                    continue
                score = sm.ratio()
            if score > best:
                best, best_i, best_j = score, i, j
    if best < 0.5:
        out.extend(("del", i) for i in range(lo_a, hi_a))
        out.extend(("ins", j) for j in range(lo_b, hi_b))
        return
    _pair_units(old, new, lo_a, best_i, lo_b, best_j, out)
    out.append(("pair", best_i, best_j))
    _pair_units(old, new, best_i + 1, hi_a, best_j + 1, hi_b, out)


_IMG = re.compile(r'<img src="([^"]*)" alt="([^"]*)">')


def _show_alt(body: str) -> str:
    """Make each chart's alt text visible (it carries the figures), so the redline compares it."""
    return _IMG.sub(lambda m: f'{m.group(0)}\n<span class="rl-alt">{m.group(2)}</span>', body)


def _chart_name(src: str) -> str | None:
    from urllib.parse import unquote

    parts = Path(unquote(src)).parts
    if len(parts) == 2 and parts[0] == "charts":
        return parts[1]
    if len(parts) == 1:
        return parts[0]
    return None


_MIME = {".svg": "image/svg+xml", ".png": "image/png"}


def _data_uri(name: str, data: bytes) -> str:
    mime = _MIME.get(Path(name).suffix.lower(), "application/octet-stream")
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _inline_charts(body: str, changes: list[Change], old_charts, new_charts) -> str:
    """Inline the charts as data: URIs; a redrawn chart shows the old drawing struck beside it."""

    def repl(m: re.Match) -> str:
        src, alt = m.group(1), m.group(2)
        name = _chart_name(html.unescape(src))
        if name is None or (name not in new_charts and name not in old_charts):
            return m.group(0)
        old, new = old_charts.get(name), new_charts.get(name)
        if new is None:  # only the old drawing exists
            return f'<img src="{_data_uri(name, old)}" alt="{alt}">'
        img = f'<img src="{_data_uri(name, new)}" alt="{alt}">'
        if old is None or old == new:
            return img
        n = len(changes) + 1
        section, section_id = _section_before(body, m.start())
        changes.append(
            Change(
                number=n,
                anchor=f"change-{n}",
                section=section,
                section_id=section_id,
                old="",
                new=f"chart redrawn ({name})",
                kind="chart",
            )
        )
        return (
            f'<span class="rl-chart" id="change-{n}">'
            f'<del class="rl-chart-old"><img src="{_data_uri(name, old)}" alt="The previous drawing of this chart"></del>'
            f'<ins class="rl-chart-new">{img}</ins></span>'
        )

    return _IMG.sub(repl, body)


_HEADING = re.compile(r"<h[1-6]([^>]*)>(.*?)</h[1-6]>", re.DOTALL)


def _section_before(body: str, pos: int) -> tuple[str, str]:
    """(text, id) of the last heading before ``pos``."""
    last = None
    for match in _HEADING.finditer(body, 0, pos):
        last = match
    if last is None:
        return "", ""
    m = re.search(r'\sid="([^"]*)"', last.group(1))
    return _text_of(tokenize(last.group(2))), (m.group(1) if m else "")


def redline_html(
    old_html: str,
    new_html: str,
    old_charts: Mapping[str, bytes] | None = None,
    new_charts: Mapping[str, bytes] | None = None,
) -> Redline:
    """Merge two HTML renderings of the paper (renderer output: well-formed, text escaped)."""
    old_charts, new_charts = old_charts or {}, new_charts or {}
    old_units = split_units(tokenize(_show_alt(old_html)))
    new_units = split_units(tokenize(_show_alt(new_html)))
    m = _Merger()
    sm = difflib.SequenceMatcher(None, [u.key for u in old_units], [u.key for u in new_units], autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            for u in new_units[j1:j2]:
                m.unit_equal(u)
            continue
        plan: list = []
        _pair_units(old_units, new_units, i1, i2, j1, j2, plan)
        k = 0
        while k < len(plan):
            step = plan[k]
            if step[0] == "pair":
                m.unit_pair(old_units[step[1]], new_units[step[2]])
                k += 1
                continue
            # a run of whole blocks gone or added: one change for the deleted run, one for the added
            dels, ins = [], []
            while k < len(plan) and plan[k][0] != "pair":
                (dels if plan[k][0] == "del" else ins).append(plan[k][1])
                k += 1
            if dels:
                m.unit_deleted([old_units[i] for i in dels])
            if ins:
                m.unit_inserted([new_units[j] for j in ins])
    body = _inline_charts("".join(m.out), m.changes, old_charts, new_charts)
    # number the changes in reading order
    order = {a: k for k, a in enumerate(re.findall(r'id="(change-\d+)"', body))}
    m.changes.sort(key=lambda c: order.get(c.anchor, len(order)))
    renumber = {}
    for k, c in enumerate(m.changes, 1):
        renumber[c.anchor] = f"change-{k}"
        c.number, c.anchor = k, f"change-{k}"
    body = re.sub(r'id="(change-\d+)"', lambda mm: f'id="{renumber.get(mm.group(1), mm.group(1))}"', body)
    return Redline(body, m.changes, m.inserted_words, m.deleted_words)


def render_markdown(md: str) -> str:
    """The paper's screen HTML body (title block, text, annexes, notes), charts left as links."""
    from .render import markdown_to_html

    body = markdown_to_html(md, None)
    return body.title_block + body.screen


def group_changes(changes: list[Change]) -> list[dict]:
    """Consecutive changes under one heading: [{section, section_id, changes}]."""
    groups: list[dict] = []
    for c in changes:
        if not groups or groups[-1]["section"] != c.section:
            groups.append({"section": c.section, "section_id": c.section_id, "changes": []})
        groups[-1]["changes"].append(c)
    return groups


def redline(
    old_md: str,
    new_md: str,
    old_charts: Mapping[str, bytes] | None = None,
    new_charts: Mapping[str, bytes] | None = None,
) -> Redline:
    """The word-level redline of two Markdown drafts of the paper."""
    return redline_html(render_markdown(old_md), render_markdown(new_md), old_charts, new_charts)


# ================================================================================================
# The redline document


def redline_document(
    red: Redline,
    report: dict,
    old_label: str,
    new_label: str,
    *,
    title: str = "",
    templates_dir: Path | None = None,
    css: str | None = None,
) -> str:
    """redline.html: the summary (changes, figures, lists of States) and the merged paper.

    ``css`` defaults to the paper's screen CSS (``templates/css/base.css`` and ``screen.css``);
    the redline's own styles are in the template.
    """
    from markupsafe import Markup

    from .render import TEMPLATES_DIR, _jinja_env, _read_css

    templates_dir = Path(templates_dir or TEMPLATES_DIR)
    if css is None:
        css = _read_css(templates_dir, "screen")  # the paper's own screen CSS
    env = _jinja_env(templates_dir)
    env.filters["figure"] = format_figure
    env.filters["list_title"] = list_title
    env.filters["answer_words"] = answer_words
    env.filters["question_title"] = question_title
    return env.get_template("redline.html.j2").render(
        title=title or "The working paper",
        old_label=old_label,
        new_label=new_label,
        report=report,
        changes=red.changes,
        sections=group_changes(red.changes),
        figure_groups=group_figures(report["figures"]),
        inserted_words=red.inserted_words,
        deleted_words=red.deleted_words,
        body=Markup(red.html),
        css=Markup(css),
        differs=bool(red.changes) or has_changes(report),
    )
