"""`paper check`: lint the templates against the data, one `file:line: message` per finding.

Rules (each finding names the template file, relative to the repository root, and its line):

- **template error** -- an unknown name, filter or tag stops the render: the one-line message of
  :mod:`surveypaper.template_errors` (with "did you mean").
- **typed figure** -- a survey figure typed by hand (a count of States, a percentage, "k out of n",
  a number-word about respondents): :func:`surveypaper.lint.find_typed_figures`.
- **quantity word** -- a quantity word ("a majority", "most", ...) beside a figure outside the
  word's range in :data:`surveypaper.filters.QUANTITY_WORDS`. Every line is *rendered* with the
  context, so a computed figure (`{{ q.pct | pct }}`) is checked by its actual value.
- **count and list** -- a stated count that differs from the number of States listed beside it,
  "15 States (A, B and C)" or "the following N States:" followed by a bulleted list, after rendering.
- **unsafe respondents' text** -- `| safe` (or `Markup`) applied to anything that reaches
  respondents' own words (`comments`): that text must stay escaped.
- **stray markup** -- a rendered line that would show the reader `****`, `()` or an image without
  alt text: an expression printed nothing (:func:`markup_findings`).
- **footnotes** -- in the whole paper: a label defined twice, called but never defined, or defined
  but never called (:func:`footnote_findings`).
- **a file left out** -- a Markdown template that the paper's entry template never includes.

Longer than most modules (about 580 lines): each rule is a small function over the rendered
lines, and they share the rendering with line markers below; split, they would pass it around.

Rendering line by line: every template is served to Jinja with an invisible marker at the start
of each of its lines, so each line of the rendered text knows the template line it came from
(loops, includes and macros included). The context is the build's
(:func:`surveypaper.project.project_context`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from .filters import DEFAULT_QUANTITY, QUANTITY_WORDS, fits
from .lint import Finding, find_typed_figures
from .numerals import NUMBER_WORDS, parse_number, pct_half_up
from .project import project_context, project_paths

__all__ = ["Finding", "check_templates", "run_check"]


# --- rendering with line markers -----------------------------------------------------------------

_JINJA_SPAN = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_MARK = re.compile("\x02(\\d+)\x03")


def _mark_source(source: str, name: str, registry: list[tuple[str, int]]) -> str:
    """Put a marker at the start of every line that does not begin inside a Jinja tag or comment."""
    spans = [m.span() for m in _JINJA_SPAN.finditer(source)]
    out, pos, line, si = [], 0, 1, 0
    for text in source.splitlines(keepends=True):
        while si < len(spans) and spans[si][1] <= pos:
            si += 1
        inside = si < len(spans) and spans[si][0] < pos < spans[si][1]
        if not inside:
            registry.append((name, line))
            out.append(f"\x02{len(registry) - 1}\x03")
        out.append(text)
        pos += len(text)
        line += 1
    return "".join(out)


def _marked_env(templates_dir: Path, registry: list[tuple[str, int]], lenient: bool = False):
    """The build's environment, serving marked sources; `lenient` prints unknown names as nothing."""
    from jinja2 import ChainableUndefined, FileSystemLoader

    from .templating import make_env

    class MarkedLoader(FileSystemLoader):
        def get_source(self, environment, template):
            source, filename, uptodate = super().get_source(environment, template)
            return _mark_source(source, template, registry), filename, uptodate

    env = make_env(templates_dir, loader=MarkedLoader(str(templates_dir)))
    if lenient:
        env.undefined = ChainableUndefined
    return env


@dataclass(frozen=True)
class RenderedLine:
    file: str  # relative to templates/
    line: int
    text: str


def _split_rendered(text: str, registry: list[tuple[str, int]]) -> list[RenderedLine]:
    """Each rendered line with the template line it came from."""
    lines: list[RenderedLine] = []
    current: tuple[str, int] | None = None
    for out_line in text.split("\n"):
        pieces = _MARK.split(out_line)  # text, id, text, id, text ...
        owner = None
        if pieces[0].strip() and current:
            owner = current
        for i in range(1, len(pieces), 2):
            current = registry[int(pieces[i])]
            if owner is None and pieces[i + 1].strip():
                owner = current
        owner = owner or current
        clean = _MARK.sub("", out_line)
        if owner is not None:
            lines.append(RenderedLine(owner[0], owner[1], clean))
    return lines


# --- numbers in rendered text --------------------------------------------------------------------

NUMBER = rf"(?:\d{{1,3}}(?:,\d{{3}})*|\b{NUMBER_WORDS}\b)"


def _plain(text: str) -> str:
    """Rendered Markdown as a reader sees it: no emphasis markers or backslash escapes, footnote labels out."""
    text = re.sub(r"\[\^[^\]\s]+\]:?", " ", text)
    text = re.sub(r"\\(.)", r"\1", text)
    return re.sub(r"\*+|(?<!\w)_+|_+(?!\w)", "", text)


# --- quantity words ------------------------------------------------------------------------------

_QWORDS = sorted(QUANTITY_WORDS, key=len, reverse=True)
COUNTED = r"(?:Member\s+States|States?|countries|respondents?|responses?|governments?|nations)"
BETWEEN = r"(?:(?:responding|other|participating|such|different|Member)\s+)"
_QWORD_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in _QWORDS) + r")(?![\w-])", re.I)
# "all" and "most" are quantity words only when they quantify States: "most States (75%)".
_NEEDS_NOUN = {"all", "most"}
_NOUN_AFTER = re.compile(rf"\s*(?:\(|(?:of\s+(?:the\s+)?)?(?:{BETWEEN})*{COUNTED}\b)", re.I)
_FIGURE = re.compile(
    rf"(?P<k>\d{{1,3}})\s+(?:{COUNTED}\s+)?out\s+of\s+(?:the\s+)?(?P<n>\d{{1,3}})"
    rf"|(?P<k2>\d{{1,3}})\s+of\s+(?:the\s+)?(?P<n2>\d{{1,3}})\b"
    rf"|(?P<p>\d{{1,3}})\s*(?:%|percent\b|per\s+cent\b)"
    rf"|(?P<pw>\b{NUMBER_WORDS})\s+(?:percent|per\s+cent)\b",
    re.I,
)
_WINDOW = 90  # a figure belongs to a quantity word when it follows within this many characters


def default_word(p: int) -> str:
    """The quantity word the `quantity` filter would choose for p%."""
    return next(word for (lo, hi), word in DEFAULT_QUANTITY if lo <= p <= hi)


def _figure_pct(m: re.Match) -> int | None:
    if m.group("k") is not None:
        k, n = int(m.group("k")), int(m.group("n"))
    elif m.group("k2") is not None:
        k, n = int(m.group("k2")), int(m.group("n2"))
    elif m.group("p") is not None:
        return int(m.group("p"))
    else:
        return parse_number(m.group("pw"))
    return pct_half_up(k, n) if n > 0 and k <= n else None


def quantity_findings(lines: list[RenderedLine]) -> list[Finding]:
    """A quantity word beside a figure outside the word's range."""
    out = []
    for rl in lines:
        text = _plain(rl.text)
        words = list(_QWORD_RE.finditer(text))
        for i, m in enumerate(words):
            word = m.group(1).lower()
            before = text[: m.start()].lower()
            if word in _NEEDS_NOUN and (
                re.search(r"\b(?:the|at|of|in|for)\s*$", before) or not _NOUN_AFTER.match(text, m.end())
            ):
                continue
            end = min(len(text), m.end() + _WINDOW, words[i + 1].start() if i + 1 < len(words) else len(text))
            window = text[m.end() : end]
            window = re.split(r"(?<!e\.g)(?<!i\.e)[.;:](?:\s|$)", window, maxsplit=1)[0]
            fig = _FIGURE.search(window)
            if not fig:
                continue
            if re.search(r"\d|\b" + NUMBER_WORDS + r"\b", window[: fig.start()], re.I):
                continue  # another number stands between: the figure is not this word's
            p = _figure_pct(fig)
            if p is None or p > 100 or fits(word, p):
                continue
            lo, hi = QUANTITY_WORDS[word]
            span = f"{lo}%" if lo == hi else f"{lo}-{hi}%"
            shown = " ".join(fig.group(0).split())
            shown = shown if shown == f"{p}%" else f"{shown} ({p}%)"
            out.append(
                Finding(
                    rl.file,
                    rl.line,
                    (
                        f'"{m.group(1)}" does not fit {shown}: "{word}" means {span}; '
                        f'write "{default_word(p)}" or let the data choose: {{{{ <question> | quantity("{word}") }}}}'
                    ),
                )
            )
    return out


# --- counts and lists ----------------------------------------------------------------------------

_COUNT_RE = re.compile(
    rf"(?P<num>\d{{1,3}}|\b{NUMBER_WORDS})\s+(?:{BETWEEN})*(?P<noun>{COUNTED})\b"
    rf"(?:\s*\((?P<plist>[^()]*)\)|(?P<colon>[^()]*:)\s*$)?",
    re.I,
)


def _count_states(text: str, names: list[str]) -> int | None:
    """How many States a list names ('Colombia, Egypt and the Philippines' -> 3); None if not a list of States."""
    rest, count = text, 0
    for name in names:  # longest first, so 'Guinea-Bissau' wins over 'Guinea'
        pattern = re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", re.I)
        rest, n = pattern.subn("\x00", rest)
        count += n
    leftover = re.sub(r"\x00|\band\b|\bthe\b|[,;\s]", "", rest, flags=re.I)
    return count if count and not leftover else None


def count_findings(lines: list[RenderedLine], state_names: list[str]) -> list[Finding]:
    """A stated number of States that differs from the States listed beside it."""
    names = sorted({n for n in state_names if n}, key=len, reverse=True)
    out = []
    for idx, rl in enumerate(lines):
        text = _plain(rl.text)
        for m in _COUNT_RE.finditer(text):
            stated = parse_number(m.group("num"))
            if stated is None or re.search(r"(?:\bof|out\s+of)\s+(?:the\s+)?$", text[: m.start()], re.I):
                continue
            if m.group("plist") is not None:
                listed = _count_states(m.group("plist"), names)
                what = f"({m.group('plist').strip()[:60]}{'...' if len(m.group('plist').strip()) > 60 else ''})"
            elif m.group("colon") is not None:
                bullets = []
                for nxt in lines[idx + 1 :]:
                    t = _plain(nxt.text).strip()
                    if not t:
                        if bullets:
                            break
                        continue
                    b = re.match(r"(?:[-*+]|\d+\.)\s+(.*)", t)
                    if not b:
                        break
                    bullets.append(b.group(1))
                listed = len(bullets) if bullets else None
                what = "in the list below"
            else:
                continue
            if listed is not None and listed != stated:
                out.append(
                    Finding(
                        rl.file,
                        rl.line,
                        (
                            f'"{" ".join(m.group("num").split())} {m.group("noun")}" but {listed} listed {what}: '
                            f"write the count as {{{{ <list> | length }}}} (or | length | words) of the same list"
                        ),
                    )
                )
    return out


# --- footnotes: each label defined once, called, and called only if defined -----------------------

_FN_DEF = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:")
_FN_REF = re.compile(r"(?<!\\)\[\^([^\]\s]+)\](?!:)")


def footnote_findings(lines: list[RenderedLine]) -> list[Finding]:
    """In the whole paper (its entry template rendered): a label defined twice, called but not defined, or never called.

    The Markdown keeps both notes of a label defined twice but the HTML and the PDF keep only one,
    and a call without a note prints `[^label]` as it is: each is an error, whichever output is read.
    """
    defs: dict[str, list[RenderedLine]] = {}
    refs: dict[str, list[RenderedLine]] = {}
    for rl in lines:
        text = re.sub(r"`[^`]*`", "", rl.text)
        m = _FN_DEF.match(text)
        if m:
            defs.setdefault(m.group(1), []).append(rl)
            text = text[m.end() :]
        for ref in _FN_REF.finditer(text):
            refs.setdefault(ref.group(1), []).append(rl)
    out = []
    for label, places in defs.items():
        first = places[0]
        for again in places[1:]:
            out.append(
                Finding(
                    again.file,
                    again.line,
                    f"footnote `[^{label}]` is defined twice (first at {first.file}:{first.line}): "
                    f"the HTML and the PDF would keep only one of the two notes; give this one another label",
                )
            )
        if label not in refs:
            out.append(
                Finding(
                    first.file,
                    first.line,
                    f"footnote `[^{label}]` is defined but never called: call it with `[^{label}]` in the text, "
                    f"or delete the note",
                )
            )
    for label, places in refs.items():
        if label in defs:
            continue
        from .template_errors import closest_names

        near = closest_names(label, [k for k in defs if k not in refs] or defs)
        hint = f" Did you mean `[^{near[0]}]`?" if near else ""
        for rl in places:
            out.append(
                Finding(
                    rl.file,
                    rl.line,
                    f"footnote `[^{label}]` is called but never defined, so the paper would print `[^{label}]`: "
                    f"add `[^{label}]: the note's text` at the end of the file.{hint}",
                )
            )
    return out


# --- nothing printed as literal markup: `****`, `()`, an image without alt text ------------------

_BLOCK_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|(?:[-*+]|\d+[.)])\s+|\[\^[^\]\s]+\]:\s*)*")
_THEMATIC_BREAK = re.compile(r"^\s*(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
_EXPR = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")


@functools.cache
def _inline_parser():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    md.disable("text_join")  # keep `\*` (an escaped, meant asterisk) apart from a stray `*`
    return md


def _empty_markup(text: str) -> str | None:
    """The markup a reader would see literally on a rendered line (`****`, `()`, `![](x)`), or None."""
    if _THEMATIC_BREAK.match(text) or text.lstrip().startswith("|"):
        return None
    body = _BLOCK_PREFIX.sub("", text, count=1)
    if not body.strip():
        return None
    tokens = _inline_parser().parseInline(body)
    for tok in tokens[0].children or []:
        if tok.type == "text":
            m = re.search(r"\*+|(?<!\w)_{2,}(?!\w)|\(\s*\)|\[\s*\]", tok.content)
            if m:
                return m.group(0)
        elif tok.type == "image" and not (tok.content or "").strip():
            return "![]"
        elif tok.type in ("strong_open", "em_open"):
            pass
    # emphasis that holds nothing but spaces: `** **` is text above; `**\ **` is not worth a rule
    return None


def markup_findings(lines: list[RenderedLine], templates_root: Path) -> list[Finding]:
    """A rendered line that shows the reader empty or stray markup: an expression printed nothing."""
    out = []
    for rl in lines:
        shown = _empty_markup(rl.text)
        if shown is None:
            continue
        source = _template_line(templates_root, rl.file, rl.line)
        wrapped = re.findall(r"[*_(\[!]\s*\{\{-?\s*(.*?)\s*-?\}\}\s*[*_)\]]", source)
        exprs = [" ".join(e.split()) for e in (wrapped or _EXPR.findall(source))]
        which = " or ".join(f"`{{{{ {e} }}}}`" for e in exprs) if exprs else "an expression on this line"
        out.append(
            Finding(
                rl.file,
                rl.line,
                f"the paper would show `{shown}` here: {which} printed nothing. Guard it with `{{% if ... %}}`, "
                f'or give the filter what to print when it is empty (`| states(none="no State")`)',
            )
        )
    return out


def _template_line(templates_root: Path, shown_file: str, line: int) -> str:
    """Line `line` of a template named as the findings name it (`templates/sections/x.md.j2`)."""
    rel = Path(shown_file).relative_to(Path(shown_file).parts[0]) if "/" in shown_file else Path(shown_file)
    try:
        lines = (Path(templates_root) / rel).read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    return lines[line - 1] if 0 < line <= len(lines) else ""


# --- every section in the paper -------------------------------------------------------------------


def unincluded_findings(env, sources: dict[str, str], entry: str, label: str) -> list[Finding]:
    """A Markdown template that the paper's entry template never reaches (include, import): it would vanish."""
    from jinja2 import nodes

    reached, todo = {entry}, [entry]
    while todo:
        name = todo.pop()
        try:
            tree = env.parse(sources.get(name, ""))
        except Exception:
            continue  # its syntax error is reported on its own
        for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
            target = node.template
            names = (
                [c.value for c in target.find_all(nodes.Const)]
                if not isinstance(target, nodes.Const)
                else [target.value]
            )
            for included in names:
                if isinstance(included, str) and included not in reached:
                    reached.add(included)
                    todo.append(included)
    out = []
    for name in sorted(sources):
        if name.endswith(".md.j2") and name not in reached:
            out.append(
                Finding(
                    f"{label}/{name}",
                    1,
                    f"this file is not in the paper: no template includes it. Add "
                    f'`{{% include "{name}" %}}` to {label}/{entry} where it belongs, or delete the file',
                )
            )
    return out


# --- respondents' text kept escaped --------------------------------------------------------------

# Respondents' words: their comments, and the texts of their answers "other" (`q.others`).
_RESPONDENT_TEXT = re.compile(r"comment|^others$", re.I)


def safe_findings(env, source: str, file: str) -> list[Finding]:
    """`| safe` or `Markup(...)` applied to anything that reaches respondents' `comments`."""
    from jinja2 import nodes

    try:
        tree = env.parse(source)
    except Exception:
        return []
    tainted: set[str] = set()

    def reaches(node) -> bool:
        if node is None:
            return False
        for n in [node, *node.find_all(nodes.Node)]:
            if isinstance(n, nodes.Name) and (n.name in tainted or _RESPONDENT_TEXT.search(n.name)):
                return True
            if isinstance(n, nodes.Getattr) and _RESPONDENT_TEXT.search(n.attr):
                return True
            if (
                isinstance(n, nodes.Getitem)
                and isinstance(n.arg, nodes.Const)
                and _RESPONDENT_TEXT.search(str(n.arg.value))
            ):
                return True
        return False

    def names(target) -> set[str]:
        return {n.name for n in [target, *target.find_all(nodes.Name)] if isinstance(n, nodes.Name)}

    changed = True
    while changed:  # names bound from respondents' text carry it: {% for c in comments %}, {% set x = ... %}
        before = len(tainted)
        for n in tree.find_all((nodes.For, nodes.Assign, nodes.AssignBlock, nodes.With)):
            if (
                (isinstance(n, nodes.For) and reaches(n.iter))
                or (isinstance(n, nodes.Assign) and reaches(n.node))
                or (isinstance(n, nodes.AssignBlock) and any(reaches(b) for b in n.body))
            ):
                tainted |= names(n.target)
            elif isinstance(n, nodes.With):
                for t, v in zip(n.targets, n.values, strict=False):
                    if reaches(v):
                        tainted |= names(t)
        changed = len(tainted) != before

    out = []
    for n in tree.find_all(nodes.Filter):
        if n.name == "safe" and reaches(n.node):
            out.append(
                Finding(file, n.lineno, "`| safe` on respondents' text: their words must stay escaped; remove `| safe`")
            )
    for n in tree.find_all(nodes.FilterBlock):
        if n.filter.name == "safe" and any(reaches(b) for b in n.body):
            out.append(
                Finding(file, n.lineno, "`{% filter safe %}` around respondents' text: their words must stay escaped")
            )
    for n in tree.find_all(nodes.Call):
        if isinstance(n.node, nodes.Name) and n.node.name.lower() == "markup" and any(reaches(a) for a in n.args):
            out.append(Finding(file, n.lineno, "`Markup(...)` on respondents' text: their words must stay escaped"))
    return out


# --- all rules -----------------------------------------------------------------------------------


def _state_names(context: dict) -> list[str]:
    names: set[str] = set()
    for rnd in (context.get("rounds") or {}).values():
        for s in rnd.respondents:
            names |= {s.name, s.short}
    survey = context.get("survey")
    if survey is not None:
        for s in survey.respondents:
            names |= {s.name, s.short}
    return sorted(names)


def _extra_state_names(raw_dir: Path) -> list[str]:
    try:
        from .states import load_states

        return [n for s in load_states(raw_dir / "states.yaml").values() for n in (s.name, s.short)]
    except Exception:
        return []


def check_templates(
    templates_dir: Path, context: dict, raw_dir: Path | None = None, entry: str = "paper.md.j2"
) -> list[Finding]:
    """Every finding in the Markdown templates under templates_dir, sorted by file and line."""
    from .template_errors import TemplateProblem
    from .templating import render_template

    templates_dir = Path(templates_dir)
    label = templates_dir.name
    registry: list[tuple[str, int]] = []
    env = _marked_env(templates_dir, registry)
    lenient = None  # built on the first template error, to check that file's other lines anyway
    found: list[Finding] = []

    sources = sorted(templates_dir.rglob("*.j2"))
    texts: dict[str, str] = {}
    for path in sources:
        name = path.relative_to(templates_dir).as_posix()
        text = texts[name] = path.read_text(encoding="utf-8")
        shown = f"{label}/{name}"
        found += find_typed_figures(text, shown)
        found += safe_findings(env, text, shown)
    if entry in texts:
        found += unincluded_findings(env, texts, entry, label)

    rendered: list[RenderedLine] = []
    paper: list[RenderedLine] = []  # the whole paper, as its entry template assembles it
    for path in sources:
        name = path.relative_to(templates_dir).as_posix()
        if not name.endswith(".md.j2"):
            continue  # layout/*.html.j2 wrap the HTML, with another context
        try:
            out = render_template(env, templates_dir, name, context)
        except TemplateProblem as problem:
            found.append(Finding(f"{label}/{problem.file}", problem.line or 0, problem.detail))
            lenient = lenient or _marked_env(templates_dir, registry, lenient=True)
            try:
                out = lenient.get_template(name).render(context)
            except Exception:
                continue
        lines = [RenderedLine(f"{label}/{r.file}", r.line, r.text) for r in _split_rendered(out, registry)]
        rendered += lines
        if name == entry:
            paper = lines

    names = _state_names(context) + (_extra_state_names(raw_dir) if raw_dir else [])
    found += quantity_findings(rendered)
    found += count_findings(rendered, names)
    found += markup_findings(rendered, templates_dir)
    found += footnote_findings(paper)
    unique = sorted(set(found), key=lambda f: (f.file, f.line, f.message))
    return unique


def run_check(root: Path | str = ".", stats: dict | None = None) -> list[Finding]:
    """`paper check`: the findings for the project at root."""
    paths = project_paths(root)
    context = project_context(paths, stats=stats)
    return check_templates(paths.templates, context, paths.raw)
