"""Where each printed figure comes from: the screen HTML's ``data-expr`` and ``provenance.json``.

The Markdown and the PDF are rendered with the plain environment (:func:`surveypaper.templating.make_env`).
For the screen HTML the same templates are rendered once more with :class:`ProvenanceExtension`:
at compile time it rewrites every ``{{ EXPR }}`` into ``{{ _prov((EXPR), "EXPR", (BASE)) }}``
(``BASE``: EXPR before its first filter), so that each printed value is wrapped in invisible
markers (private-use characters) that carry the index of its :class:`Entry`. The markers go
through Markdown untouched; :func:`marks_to_spans` turns them into
``<span class="computed" data-expr="EXPR">`` in the finished page (and drops them inside tags).
With the markers removed the marked Markdown is the plain one, byte for byte
(:func:`render_marked` checks it).

Values whose expression starts from the paper's own settings (``paper``, ``questionnaire``,
``charts``, ``loop``, a macro, or a loop variable over these) are text, not computed, and are
left unmarked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import pass_context
from jinja2.ext import Extension
from jinja2.lexer import Token
from markupsafe import Markup, escape

from .filters import md_escape
from .printing import expression_text, guard

__all__ = [
    "Entry",
    "ProvenanceExtension",
    "entries_json",
    "marks_to_spans",
    "render_marked",
    "strip_marks",
]

OPEN, SEP, CLOSE = "\ue000", "\ue001", "\ue002"
_DIGIT0 = 0xE010  # index digits as private-use characters: slugs and ids drop them like the markers
_MARK_CHARS = f"{OPEN}{SEP}{CLOSE}" + "".join(chr(_DIGIT0 + d) for d in range(10))
_MARK_RE = re.compile(f"[{_MARK_CHARS}]")
_OPEN_RE = re.compile(f"{OPEN}([{chr(_DIGIT0)}-{chr(_DIGIT0 + 9)}]+){SEP}")

#: Context names whose values are the paper's settings, not figures computed from the answers.
UNMARKED_ROOTS = frozenset({"paper", "questionnaire", "charts", "loop", "caller", "super", "range"})

_QUESTION_RE = re.compile(r"(?<![\w.])(\w+)\.q\.(\w+)(?:\.(\w+))?")


@dataclass
class Entry:
    """One printed computed value."""

    expr: str
    text: str
    value: Any
    info: dict = field(default_factory=dict)


def _encode(index: int) -> str:
    return "".join(chr(_DIGIT0 + int(d)) for d in str(index))


def _decode(digits: str) -> int:
    return int("".join(str(ord(c) - _DIGIT0) for c in digits))


def strip_marks(text: str) -> str:
    """``text`` without the provenance markers: the plain Markdown or HTML."""
    return _OPEN_RE.sub("", text).replace(CLOSE, "")


# -- compile time: {{ EXPR }} -> {{ _prov((EXPR), "EXPR", (BASE)) }} ----------------------------


def _base(tokens: list[Token]) -> list[Token]:
    """The tokens before the first filter at the top level (the value the filters format)."""
    depth = 0
    for i, tok in enumerate(tokens):
        if tok.type in ("lparen", "lbracket", "lbrace"):
            depth += 1
        elif tok.type in ("rparen", "rbracket", "rbrace"):
            depth -= 1
        elif tok.type == "pipe" and depth == 0:
            return tokens[:i]
    return tokens


class ProvenanceExtension(Extension):
    """Wraps every printed expression with ``_prov`` (see the module's docstring).

    It runs before :class:`surveypaper.printing.PrintGuard` (a lower priority), which then guards
    ``_prov``'s result; ``_prov`` guards the value itself first, so the checks are the same.
    """

    priority = 50

    def filter_stream(self, stream):
        unmarked = set(UNMARKED_ROOTS)
        pending: list[Token] = []
        in_var = False
        in_block: list[Token] | None = None
        for tok in stream:
            if in_var:
                if tok.type != "variable_end":
                    pending.append(tok)
                    continue
                in_var = False
                yield from self._wrapped(pending, tok.lineno, unmarked)
                yield tok
                continue
            if tok.type == "variable_begin":
                in_var, pending = True, []
                yield tok
                continue
            if tok.type == "block_begin":
                in_block = []
            elif tok.type == "block_end" and in_block is not None:
                _note_unmarked(in_block, unmarked)
                in_block = None
            elif in_block is not None:
                in_block.append(tok)
            yield tok

    @staticmethod
    def _wrapped(tokens: list[Token], lineno: int, unmarked: set[str]):
        if not tokens or tokens[0].type != "name" or tokens[0].value in unmarked:
            yield from tokens
            return
        base = _base(tokens)
        yield Token(lineno, "name", "_prov")
        yield Token(lineno, "lparen", "(")
        yield Token(lineno, "lparen", "(")
        yield from tokens
        yield Token(lineno, "rparen", ")")
        yield Token(lineno, "comma", ",")
        yield Token(lineno, "string", expression_text(tokens))
        yield Token(lineno, "comma", ",")
        yield Token(lineno, "lparen", "(")
        yield from base
        yield Token(lineno, "rparen", ")")
        yield Token(lineno, "rparen", ")")


def _note_unmarked(block: list[Token], unmarked: set[str]) -> None:
    """A macro's name, and the targets of a loop over unmarked values, are unmarked too."""
    if not block or block[0].type != "name":
        return
    if block[0].value == "macro" and len(block) > 1:
        unmarked.add(block[1].value)
    elif block[0].value == "for":
        names = []
        for i, tok in enumerate(block[1:], 1):
            if tok.type == "name" and tok.value == "in":
                if i + 1 < len(block) and block[i + 1].type == "name" and block[i + 1].value in unmarked:
                    unmarked.update(names)
                return
            if tok.type == "name":
                names.append(tok.value)


# -- render time: the values and what they come from -----------------------------------------


def _plain_value(value) -> Any:
    """``value`` as JSON: numbers and text as they are, lists of States as their names."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_plain_value(v) if isinstance(v, (int, float)) else str(getattr(v, "name", v)) for v in value]
    pct = getattr(value, "pcts", None)
    if isinstance(pct, dict):  # a question: its share answering yes
        return _plain_value(getattr(value, "pct", None))
    return str(value)


def _question_info(context, expr: str) -> dict:
    m = _QUESTION_RE.search(expr)
    if not m:
        return {}
    root, key, attr = m.groups()
    try:
        view = context.resolve(root).q[key]
    except Exception:
        return {}
    counts = getattr(view, "counts", None)
    if not isinstance(counts, dict):
        return {"question": key, "round": str(getattr(context.resolve(root), "year", root))}
    answer = attr if attr in counts else ("no" if attr in ("no", "pct_no", "states_no") else "yes")
    if answer not in counts and counts:
        answer = "yes" if "yes" in counts else next(iter(counts))
    return {
        "question": key,
        "round": str(getattr(context.resolve(root), "year", root)),
        "number": str(view.number),
        "answer": answer,
        "k": int(counts.get(answer, 0)),
        "n": int(view.answered),
        "blank": int(view.blank),
        "asked": int(view.applicable),
        "states": [s.name for s in view.states.get(answer, [])],
    }


class Recorder:
    """The entries of one render, in the order they were printed."""

    def __init__(self):
        self.entries: list[Entry] = []

    def make_global(self):
        @pass_context
        def _prov(context, value, expr: str, base=None):
            text = md_escape(guard(value, expr))
            if not str(text) or "\n" in text or OPEN in text:
                return text
            info = _question_info(context, expr)
            if "states" not in info and isinstance(base, list) and all(hasattr(s, "code") for s in base):
                info["states"] = [s.name for s in base]
            self.entries.append(Entry(expr, str(text), _plain_value(base), info))
            return Markup(f"{OPEN}{_encode(len(self.entries) - 1)}{SEP}{text}{CLOSE}")

        return _prov


def render_marked(templates_dir: Path, context: dict, plain_markdown: str) -> tuple[str, list[Entry]]:
    """The paper's Markdown with every computed value marked, and the values' entries.

    Raises RuntimeError if, markers removed, it is not ``plain_markdown`` (it must read the same).
    """
    from .templating import make_env, markdown_from_context

    env = make_env(Path(templates_dir))
    env.add_extension(ProvenanceExtension)
    recorder = Recorder()
    env.globals["_prov"] = recorder.make_global()
    marked = markdown_from_context(Path(templates_dir), context, env=env)
    if strip_marks(marked) != plain_markdown:
        raise RuntimeError("the marked Markdown differs from the paper's Markdown once unmarked")
    return marked, recorder.entries


# -- the finished page ---------------------------------------------------------------------------

_TAG_OR_TITLE = re.compile(r"<title>.*?</title>|<[^>]*>", re.DOTALL)


def marks_to_spans(html: str, entries: list[Entry]) -> str:
    """Each marked value as ``<span class="computed" data-expr=…>``; markers inside tags are dropped."""

    def span(m: re.Match) -> str:
        i = _decode(m.group(1))
        return f'<span class="computed" data-expr="{escape(entries[i].expr)}" data-prov="{i}" tabindex="0">'

    out = []
    pos = 0
    for m in _TAG_OR_TITLE.finditer(html):
        out.append(_OPEN_RE.sub(span, html[pos : m.start()]).replace(CLOSE, "</span>"))
        out.append(strip_marks(m.group(0)))
        pos = m.end()
    out.append(_OPEN_RE.sub(span, html[pos:]).replace(CLOSE, "</span>"))
    return "".join(out)


_UNESCAPE = re.compile(r"\\(.)")


def entries_json(marked_markdown: str, entries: list[Entry]) -> list[dict]:
    """provenance.json: each computed value in reading order, with the heading it is under."""
    order: list[tuple[int, str]] = []
    section = ""
    for line in marked_markdown.splitlines():
        heading = re.match(r"#{1,6}\s+(.*)", line)
        if heading:
            section = _UNESCAPE.sub(r"\1", strip_marks(heading.group(1))).strip()
        order.extend((_decode(m.group(1)), section) for m in _OPEN_RE.finditer(line))
    out = []
    for i, sec in order:
        e = entries[i]
        item = {
            "text": _UNESCAPE.sub(r"\1", strip_marks(e.text)),
            "expr": e.expr,
            "value": e.value,
            "section": sec,
            "index": i,
        }
        item.update(e.info)
        out.append(item)
    return out


def project_provenance(paths) -> tuple[str, str, list[Entry], list[dict]]:
    """(plain Markdown, marked Markdown, entries, provenance.json's list) of a project (:func:`surveypaper.project.project_paths`).

    The statistics are the last build's, or computed from raw/ (:func:`surveypaper.project.project_stats`).
    """
    from . import project

    stats = project.project_stats(paths)
    manifest = project.chart_manifest(stats, paths.raw / "questionnaire.yaml")
    context = project.template_context(stats, paths.raw, paths.templates, project.safe_charts(manifest))
    plain = project.markdown_from_stats(stats, paths.raw, paths.templates, manifest)
    marked, entries = render_marked(paths.templates, context, plain)
    return plain, marked, entries, entries_json(marked, entries)


# -- the card shown on hover or focus ------------------------------------------------------------


def anchors(html: str, manifest: list[dict], questions: dict) -> dict[str, dict[str, str]]:
    """Each question's places in the page: its wording in the questionnaire (an id added by
    :func:`add_question_ids`) and its chart's heading, found by the chart's title."""
    out: dict[str, dict[str, str]] = {}
    for chart in manifest:
        m = re.search(rf'<h\d id="([^"]+)"[^>]*>[^<]*{re.escape(str(escape(chart["title"])))}\s*</h\d>', html)
        if m:
            out.setdefault(chart["key"], {})["chart"] = m.group(1)
    for key in questions:
        if f'id="question-{key}"' in html:
            out.setdefault(key, {})["question"] = f"question-{key}"
    return out


def add_question_ids(html: str, questions: dict) -> str:
    """The paragraph that prints a question as ``**N.** wording`` gets ``id="question-<key>"``."""
    for key, q in questions.items():
        start = str(escape(" ".join(str(q.text).split())[:24]))
        pattern = rf"<p><strong>{re.escape(str(q.number))}\.</strong> {re.escape(start)}"
        html = re.sub(
            pattern, lambda m, key=key: m.group(0).replace("<p>", f'<p id="question-{key}">', 1), html, count=1
        )
    return html


def card_html(item: dict, links: dict[str, str] | None = None, max_states: int = 12) -> str:
    """The card of one computed value: what it is, k of n, blanks, the States, links (escaped HTML)."""
    links = links or {}
    parts = []
    if "question" in item:
        label = f"Q{item['number']}" if item.get("number") else item["question"]
        what = f"{label}, {item['answer']}" if "answer" in item else label
        parts.append(f'<p class="prov-what">{escape(what)} ({escape(item.get("round", ""))})</p>')
        if "k" in item:
            parts.append(
                f'<p class="prov-kn">{item["k"]} of {item["n"]} answering States; '
                f"{item['blank']} of the {item['asked']} asked left it blank</p>"
            )
    else:
        parts.append(f'<p class="prov-what">{escape(item["expr"])}</p>')
    states = item.get("states")
    if states is not None:
        shown = ", ".join(states[:max_states]) + (
            f" and {len(states) - max_states} more" if len(states) > max_states else ""
        )
        parts.append(f'<p class="prov-states">{len(states)} States: {escape(shown) if states else "none"}</p>')
    refs = []
    if links.get("question"):
        refs.append(f'<a href="#{escape(links["question"])}">the question (Annex I)</a>')
    if links.get("chart"):
        refs.append(f'<a href="#{escape(links["chart"])}">its chart (Annex III)</a>')
    if refs:
        parts.append(f'<p class="prov-links">{" · ".join(refs)}</p>')
    parts.append(f'<p class="prov-expr"><code>{escape(item["expr"])}</code></p>')
    return "".join(parts)


#: Shows the card of the computed value under the pointer or the focus; the switch marks them all.
CARD_SCRIPT = """(function(){var d=JSON.parse(document.getElementById("provenance-cards").textContent),
c=document.createElement("div"),b=document.getElementById("show-sources");c.id="prov-card";c.className="prov-card";
c.setAttribute("role","tooltip");c.hidden=true;document.body.appendChild(c);var cur=null;
function on(e){var s=e.target.closest&&e.target.closest(".computed");if(!s||s===cur)return;cur=s;
c.innerHTML=d[s.getAttribute("data-prov")]||"";var r=s.getBoundingClientRect();
c.style.left=(window.scrollX+r.left)+"px";c.style.top=(window.scrollY+r.bottom+4)+"px";
s.setAttribute("aria-describedby","prov-card");c.hidden=false}
function off(e){if(!cur||(e.relatedTarget&&(cur.contains(e.relatedTarget)||c.contains(e.relatedTarget))))return;
cur.removeAttribute("aria-describedby");cur=null;c.hidden=true}
document.addEventListener("mouseover",on);document.addEventListener("focusin",on);
document.addEventListener("mouseout",off);document.addEventListener("focusout",off);
document.addEventListener("keydown",function(e){if(e.key==="Escape"&&cur){off({});}});
b.hidden=false;b.addEventListener("click",function(){var v=document.body.classList.toggle("show-sources");
b.setAttribute("aria-pressed",v?"true":"false")})})();"""


def with_cards(html: str, items: list[dict], links: dict[str, dict[str, str]]) -> str:
    """The page with the cards' data, the "Show sources" switch and the script, before ``</body>``."""
    import json

    cards = {str(it["index"]): card_html(it, links.get(it.get("question", ""), {})) for it in items}
    data = json.dumps(cards, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    block = (
        '<button type="button" id="show-sources" class="show-sources-switch" aria-pressed="false" hidden>'
        "Show sources</button>\n"
        f'<script type="application/json" id="provenance-cards">{data}</script>\n'
        f"<script>{CARD_SCRIPT}</script>\n"
    )
    head, sep, tail = html.rpartition("</body>")
    return head + block + sep + tail if sep else html + block
