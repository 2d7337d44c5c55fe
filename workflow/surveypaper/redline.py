"""A word-level redline of two Markdown drafts of the paper, and the redline document.

Pure functions, no file or process I/O (``commands/diff.py`` does that):

- :func:`redline` takes two Markdown texts of the paper and returns the new paper as HTML with the
  old words that went in ``<del>`` and the new ones in ``<ins>``, each change numbered
  (``id="change-N"``). Both texts are rendered by the paper's own renderer (markdown-it, raw HTML
  off: every tag in the result comes from the renderer, every word is escaped). The two HTML
  documents are aligned block by block (paragraphs, headings, table rows, list items, notes;
  :mod:`surveypaper.html_units`) with :class:`difflib.SequenceMatcher`, changed blocks are paired
  by similarity, and paired blocks are compared word by word. The new document's tags are all
  kept, in order, so the result is well-formed; old tags survive only as whole, balanced
  fragments placed where they are valid.
- :func:`redline_document` wraps the result in ``templates/layout/redline.html.j2``, with the
  figures that moved (:mod:`surveypaper.figure_changes`).

Longer than most modules (about 600 lines) on purpose: the merger (:class:`_Merger`), the
pairing of blocks and the numbering of changes are one algorithm over one state (the stack of
open elements, the change being written); the tokens and blocks it works on are
:mod:`surveypaper.html_units`.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .figure_changes import answer_words, format_figure, group_figures, has_changes, list_title, question_title
from .html_units import (
    BLOCK,
    HEADINGS,
    ID_ATTR,
    PHRASING_ONLY,
    REQUIRED_PARENT,
    STRUCTURAL,
    VOID,
    Unit,
    is_junk,
    is_space,
    is_text,
    match_tags,
    split_units,
    tag_of,
    text_of,
    tokenize,
)
from .markdown_html import data_uri

__all__ = [
    "OLD_ATTR",
    "Change",
    "Redline",
    "group_changes",
    "redline",
    "redline_document",
    "redline_html",
    "screen_body_html",
]


#: Marks an element that only the old draft has (a deleted row, note or list item), kept whole.
OLD_ATTR = 'data-rl="del"'


def _old_tag(tok: str) -> str:
    """An old draft's open tag, kept in the redline: without its id (the new draft may reuse it)."""
    tok = ID_ATTR.sub("", tok)
    return tok[:-1].rstrip() + f" {OLD_ATTR}>"


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
    origin: str = "prose"  # "prose": an editor's edit; "data": it followed the data (figures, States, alt text)

    def as_dict(self) -> dict:
        return {
            k: getattr(self, k)
            for k in ("number", "anchor", "section", "section_id", "kind", "origin", "before", "old", "new", "after")
        }


@dataclass
class Redline:
    """The merged HTML (title block and body, notes included) and its numbered changes."""

    html: str
    changes: list[Change]
    inserted_words: int = 0
    deleted_words: int = 0

    @property
    def prose_changes(self) -> list[Change]:
        """The editors' edits: changes that did not follow the data."""
        return [c for c in self.changes if c.origin == "prose"]

    @property
    def data_changes(self) -> list[Change]:
        """Changes that followed the data: a figure, a list of States, a chart's alt text or drawing."""
        return [c for c in self.changes if c.origin == "data"]


# --- prose or data --------------------------------------------------------------------------------

_NUMBER_WORD = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)"
)
# What a figure or a list of States is made of, besides the States' names.
_DATA_WORDS = re.compile(
    rf"\b\d+(?:[.,]\d+)?\s*%?|\b{_NUMBER_WORD}(?:-{_NUMBER_WORD})?\b|\bper\s*cent\b|\bpercent\b|\bn/a\b"
    r"|\band\b|\bthe\b|\bout of\b|\bof\b|[,;:()%.\u2013\u2014-]",
    re.I,
)


def is_data_change(old: str, new: str, names: Iterable[str] = ()) -> bool:
    """Whether a change's words are only what the data prints: figures, number-words, percentages,
    quantity words and names of States ("26" -> "27", "Chile and Peru" -> "Chile, Peru and Spain").

    An editor's edit that only touches such words (typing a State's name, say) counts as data too:
    the count is a reader's guide, not a proof.
    """
    from .filters import QUANTITY_WORDS

    text = f"{old} {new}"
    if not text.strip():
        return False
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = re.sub(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", " ", text, flags=re.I)
    for word in sorted(QUANTITY_WORDS, key=len, reverse=True):
        text = re.sub(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", " ", text, flags=re.I)
    return not _DATA_WORDS.sub(" ", text).strip()


_WS = re.compile(r"\s+")
_NOISE = str.maketrans("", "", "\u21a9\ufe0e")  # the notes' back-link arrow


def _plain(toks: Iterable[str]) -> str:
    """Visible text of tokens, whitespace folded to single spaces (a space at either edge kept)."""
    return _WS.sub(" ", html.unescape("".join(t for t in toks if is_text(t))).translate(_NOISE))


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
            and all(is_space(t) for t in merged[-1][2])
        ):
            gap = merged.pop()
            prev = merged.pop()
            merged.append((True, prev[1] + gap[1] + seg[1], prev[2] + gap[2] + seg[2]))
        else:
            merged.append(seg)
    return merged


class _Merger:
    """Builds the redline: emits the new document's tokens, and the old words where they went."""

    def __init__(self, data_words: Iterable[str] = ()):
        self.data_words = list(data_words)  # the States' names: words that only the data prints
        self.in_alt = False  # inside a chart's alt text (new side)
        self.old_alt = 0  # inside a chart's alt text (old side, kept whole)
        self.out: list[str] = []
        self.stack: list[str] = []  # open elements of the emitted new document
        self.changes: list[Change] = []
        self.section, self.section_id = "", ""
        self.current: dict | None = None  # the change being written
        self.inserted_words = self.deleted_words = 0

    # -- the change being written --------------------------------------------------------------

    def begin(self, before: Iterable[str] = (), after: Iterable[str] = ()) -> None:
        """Start a change; ``before``/``after``: the unchanged tokens around it (for the summary)."""
        self.current = {
            "number": None,
            "old": [],
            "new": [],
            "before": list(before),
            "after": list(after),
            "alt": False,
        }

    def end(self) -> None:
        cur, self.current = self.current, None
        if cur is None or cur["number"] is None:
            return
        n = cur["number"]
        old, new = _join_pieces(cur["old"]), _join_pieces(cur["new"])
        data = cur["alt"] or is_data_change(old, new, self.data_words)
        self.changes.append(
            Change(
                number=n,
                anchor=f"change-{n}",
                section=self.section,
                section_id=self.section_id,
                old=_clip(old, CHANGE_SNIPPET_WORDS),
                new=_clip(new, CHANGE_SNIPPET_WORDS),
                before=_clip(_plain(cur["before"]), CONTEXT_WORDS, from_end=True),
                after=_clip(_plain(cur["after"]), CONTEXT_WORDS),
                origin="data" if data else "prose",
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
        tag = tag_of(tok)
        if tag is None:
            return
        if tok.startswith(ALT_OPEN):
            self.in_alt = True
        elif self.in_alt and tok == "</span>":
            self.in_alt = False
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
            self.current["alt"] = self.current["alt"] or self.in_alt or self.old_alt > 0
        count = len(words.split())
        if kind == "del":
            self.deleted_words += count
        else:
            self.inserted_words += count
        anchor = self._anchor()
        origin = f' class="{ORIGIN_MARK}{self.current["number"]}"' if self.current is not None else ""
        mark = f"<{kind}{anchor}{origin}>{raw}</{kind}>"
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
            if is_text(t):
                run.append(t)
                continue
            self._wrap("ins", run)
            run = []
            self.emit_new([t])
        self._wrap("ins", run)

    def emit_deleted(self, toks: list[str]) -> None:
        """Old tokens: words in <del>; a tag only as part of a whole element valid where it lands."""
        pairs = match_tags(toks)
        run: list[str] = []
        i = 0
        while i < len(toks):
            t = toks[i]
            tag = tag_of(t)
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
                    if is_text(x):
                        run.append(x)
                    elif (tg := tag_of(x)) and tg[0] in BLOCK and run and not is_space(run[-1]):
                        run.append(" ")
                i = end + 1
                continue
            self._wrap("del", run)
            run = []
            self.out.append(_old_tag(t))
            self.stack.append(name)
            alt = t.startswith(ALT_OPEN)
            self.old_alt += alt
            self.emit_deleted(toks[i + 1 : end])
            self.old_alt -= alt
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
            self.section = text_of(unit.toks)
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
        segs = _merge_segments(difflib.SequenceMatcher(is_junk, a, b, autojunk=False).get_opcodes(), a, b)
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


ALT_OPEN = '<span class="rl-alt"'
#: Stands in a mark's class until its change is known to be prose or data (see redline_html).
ORIGIN_MARK = "rl-origin-"


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


def _inline_charts(body: str, changes: list[Change], old_charts, new_charts) -> str:
    """Inline the charts as data: URIs; a redrawn chart shows the old drawing struck beside it."""

    def repl(m: re.Match) -> str:
        src, alt = m.group(1), m.group(2)
        name = _chart_name(html.unescape(src))
        if name is None or (name not in new_charts and name not in old_charts):
            return m.group(0)
        old, new = old_charts.get(name), new_charts.get(name)
        if new is None:  # only the old drawing exists
            return f'<img src="{data_uri(name, old)}" alt="{alt}">'
        img = f'<img src="{data_uri(name, new)}" alt="{alt}">'
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
                origin="data",
            )
        )
        return (
            f'<span class="rl-chart rl-data" id="change-{n}">'
            f'<del class="rl-chart-old"><img src="{data_uri(name, old)}" alt="The previous drawing of this chart"></del>'
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
    return text_of(tokenize(last.group(2))), (m.group(1) if m else "")


def redline_html(
    old_html: str,
    new_html: str,
    old_charts: Mapping[str, bytes] | None = None,
    new_charts: Mapping[str, bytes] | None = None,
    data_words: Iterable[str] = (),
) -> Redline:
    """Merge two HTML renderings of the paper (renderer output: well-formed, text escaped).

    Each change is tagged ``prose`` or ``data`` (:func:`is_data_change`; ``data_words`` are the
    States' names); the marks of a ``data`` change carry the class ``rl-data``.
    """
    old_charts, new_charts = old_charts or {}, new_charts or {}
    old_units = split_units(tokenize(_show_alt(old_html)))
    new_units = split_units(tokenize(_show_alt(new_html)))
    m = _Merger(data_words)
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
    origins = {c.number: c.origin for c in m.changes}
    body = re.sub(  # a mark of a change that followed the data: class="rl-data"; an edit's: no class
        rf' class="{ORIGIN_MARK}(\d+)"',
        lambda mm: ' class="rl-data"' if origins.get(int(mm.group(1))) == "data" else "",
        "".join(m.out),
    )
    body = _inline_charts(body, m.changes, old_charts, new_charts)
    # number the changes in reading order
    order = {a: k for k, a in enumerate(re.findall(r'id="(change-\d+)"', body))}
    m.changes.sort(key=lambda c: order.get(c.anchor, len(order)))
    renumber = {}
    for k, c in enumerate(m.changes, 1):
        renumber[c.anchor] = f"change-{k}"
        c.number, c.anchor = k, f"change-{k}"
    body = re.sub(r'id="(change-\d+)"', lambda mm: f'id="{renumber.get(mm.group(1), mm.group(1))}"', body)
    return Redline(body, m.changes, m.inserted_words, m.deleted_words)


def screen_body_html(md: str) -> str:
    """The paper's screen HTML body (title block, text, annexes, notes), charts left as links."""
    from .markdown_html import markdown_to_html

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
    data_words: Iterable[str] = (),
) -> Redline:
    """The word-level redline of two Markdown drafts of the paper (``data_words``: the States' names)."""
    return redline_html(screen_body_html(old_md), screen_body_html(new_md), old_charts, new_charts, data_words)


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
    prose_only: bool = False,
) -> str:
    """redline.html: the summary (changes, figures, lists of States) and the merged paper.

    A checkbox at the top shows only the prose edits (``prose_only``: checked when the page opens).

    ``css`` defaults to the paper's screen CSS (``templates/css/base.css`` and ``screen.css``);
    the redline's own styles are in the template.
    """
    from markupsafe import Markup

    from .document import TEMPLATES_DIR, layout_env, read_css

    templates_dir = Path(templates_dir or TEMPLATES_DIR)
    if css is None:
        css = read_css(templates_dir, "screen")  # the paper's own screen CSS
    env = layout_env(templates_dir)
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
        prose_changes=red.prose_changes,
        data_changes=red.data_changes,
        prose_only=prose_only,
        sections=group_changes(red.changes),
        figure_groups=group_figures(report["figures"]),
        inserted_words=red.inserted_words,
        deleted_words=red.deleted_words,
        body=Markup(red.html),
        css=Markup(css),
        differs=bool(red.changes) or has_changes(report),
    )


# ================================================================================================
# The redline as a Word document: the same merged HTML, each <ins>/<del> a Word tracked change

#: Who made the tracked changes, as Word shows it.
TRACK_AUTHOR = "paper diff"
_MARK = re.compile(r"<(/?)(ins|del)\b([^>]*)>")


def tracked_changes_html(body: str, date: str, author: str = TRACK_AUTHOR) -> str:
    """``body`` (the merged HTML of :func:`redline`) with each ``<ins>``/``<del>`` as pandoc's
    tracked change: a span of class ``insertion``/``deletion`` with ``author`` and ``date``
    (YYYY-MM-DD). A change's ``id="change-N"`` stays where it was (pandoc keeps it as a Word
    bookmark): the Word document has the HTML's changes, numbered alike."""
    stamp = f"{date[:10]}T00:00:00Z"
    who = html.escape(author, quote=True)

    def repl(m: re.Match) -> str:
        closing, kind, attrs = m.groups()
        if closing:
            return "</span>"
        ident = re.search(r'\sid="[^"]*"', attrs)
        cls = "insertion" if kind == "ins" else "deletion"
        return f'<span class="{cls}" author="{who}" date="{stamp}"{ident.group(0) if ident else ""}>'

    return _MARK.sub(repl, body)


def chart_images(charts: Mapping[str, bytes]) -> dict[str, bytes]:
    """The data: URI of each ``<name>.svg`` of ``charts`` -> ``<name>.png`` of ``charts``, where there is one.

    Word shows the redline's charts from their PNG copies (LibreOffice shows no SVG without one).
    """
    out = {}
    for name, data in charts.items():
        png = charts.get(name[: -len(".svg")] + ".png") if name.endswith(".svg") else None
        if png is not None:
            out[data_uri(name, data)] = png
    return out


def redline_docx(
    red: Redline,
    props: dict[str, str],
    reference: Path,
    images: Mapping[str, str] | None = None,
) -> bytes:
    """redline.docx: the new draft, every change of ``red`` a tracked change (notes and annexes too).

    ``props`` are the Word document's properties (title, author, subject, keywords, lang, date:
    the new draft's, which dates the changes; running_head); ``images`` maps a chart's data: URI
    to the PNG Word is given instead (:func:`chart_images`), handed to pandoc as files.
    """
    import tempfile

    from .docx import to_docx

    body = tracked_changes_html(red.html, props["date"])
    with tempfile.TemporaryDirectory(prefix="surveypaper-redline.") as tmp:
        for k, (uri, png) in enumerate(sorted((images or {}).items())):
            if uri in body:
                Path(tmp, f"chart-{k}.png").write_bytes(png)
                body = body.replace(uri, f"chart-{k}.png")
        page = f'<!DOCTYPE html>\n<html lang="{html.escape(props["lang"])}"><body>\n{body}\n</body></html>\n'
        return to_docx(page, props, reference, Path(tmp), source_format="html", filters=(REDLINE_FILTER,))


REDLINE_FILTER = Path(__file__).with_name("redline.lua")
