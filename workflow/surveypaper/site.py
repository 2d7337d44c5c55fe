"""The static site: every respondent's answers, round by round, and the passages of the paper citing it.

Pure functions from the build's data (``responses.json``, the paper's Markdown, the drawn charts)
to pages, rendered with the Jinja templates of ``templates/site/`` (autoescaped: respondents'
text is always escaped). The engine knows the shape of a survey (rounds, questions, answers,
comments, themes, contacts), nothing about what it asks.

Pages: ``index.html``, ``states/<ISO3>.html``, ``themes/<code>.html``, ``questions/<key>.html``
and ``site.css``. A State's page holds only what is about that State (its answers, its words,
its themes, the passages naming it), so a new response elsewhere leaves it byte for byte the same
(and :func:`surveypaper.publish.publish_tree` leaves the published file untouched).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from .questionnaire import answer_is
from .states import State

SITE_TEMPLATES = "site"  # the folder of templates/ holding the site's templates and CSS
NOT_ASKED, NO_ANSWER = "not asked", "—"


@dataclass
class Passage:
    """A sentence of the paper: where it is (section title, anchor in the screen HTML) and its HTML."""

    section: str
    anchor: str
    html: Markup
    text: str  # plain text, for matching names


@dataclass
class Cell:
    """One answer of one State in one round, and whether it changed since its previous answer."""

    text: str
    changed: bool = False


@dataclass
class Row:
    """A question on a State's page: its answer in each round the State responded, and its comments."""

    question: object
    cells: list[Cell]
    comments: list[tuple[str, str]] = field(default_factory=list)  # (round, the respondent's words)


# --- the paper's passages ----------------------------------------------------------------------


def paper_passages(markdown: str) -> list[Passage]:
    """Every sentence of the paper (one per line in its Markdown), with its section and anchor.

    The anchors are the ids the paper's own parser gives its headings (those of the screen HTML);
    a footnote's sentences link to the note (``fn-<n>``).
    """
    from .markdown_html import _inline_text, _new_parser

    md = _new_parser()
    env: dict = {}
    tokens = md.parse(markdown, env)
    passages: list[Passage] = []
    section, anchor, in_body = "", "", False
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            anchor, section = tok.attrGet("id"), _inline_text(tokens[i + 1])
            in_body = in_body or tok.tag == "h2"
            continue
        if tok.type == "footnote_open":
            anchor, section = f"fn-{tok.meta['id'] + 1}", f"Note {tok.meta['id'] + 1}"
            continue
        if tok.type != "inline" or not in_body or (i and tokens[i - 1].type == "heading_open"):
            continue
        for line in tok.content.splitlines():
            line = _FOOTNOTE_REF.sub("", line).strip()
            if not line or line.startswith("!["):
                continue
            rendered = md.renderInline(line)
            passages.append(Passage(section, anchor, Markup(rendered), _plain(rendered)))
    return passages


_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")


def _plain(fragment: str) -> str:
    """The text of an HTML fragment, apostrophes and quotes straightened (for matching names)."""
    text = html.unescape(re.sub(r"<[^>]+>", "", fragment))
    return text.replace("\u2019", "'").replace("\u2018", "'")


def citations(passages: list[Passage], states: dict[str, State]) -> dict[str, list[Passage]]:
    """The passages naming each State (its name, or a list of States printed with it in it).

    One pattern of every name, longest first, so "Guinea" is not found inside "Papua New Guinea";
    a name followed by an "n" or "'s" counts ("Colombian", "Mexico's").
    """
    by_name = {_plain(s.short): code for code, s in states.items()}
    if not by_name:
        return {}
    names = sorted(by_name, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")(?:n|ns|'s)?\b")
    found: dict[str, list[Passage]] = {}
    for passage in passages:
        for code in dict.fromkeys(by_name[m.group(1)] for m in pattern.finditer(passage.text)):
            found.setdefault(code, []).append(passage)
    return found


def list_passages(passages: list[Passage], members: list[State]) -> list[Passage]:
    """The passages where this list of States is printed, as the paper prints lists (with or without an Oxford comma)."""
    if not members:
        return []
    from .filters import states as join

    shown = {_plain(str(join([s.name for s in members], oxford=ox)).replace("\\", "")) for ox in (False, True)}
    return [p for p in passages if any(s in p.text for s in shown)]


# --- the data of the pages ------------------------------------------------------------------


def by_state(responses: dict) -> dict[str, dict[str, dict]]:
    """``responses.json`` turned around: ISO3 -> round -> that State's response."""
    out: dict[str, dict[str, dict]] = {}
    for round_name in sorted(responses["rounds"]):
        for r in responses["rounds"][round_name]:
            out.setdefault(r["state"], {})[round_name] = r
    return out


def shown(answer) -> str:
    """An answer as a page prints it: a choice, the choices of a multi-choice answer, a number."""
    if answer is None or answer == "":
        return NO_ANSWER
    if isinstance(answer, list):
        return ", ".join(map(str, answer)) or "none of these"
    return str(answer)


def answer_rows(questionnaire, rounds: dict[str, dict]) -> list[Row]:
    """A State's answers to every question, one cell per round it responded in, oldest first."""
    rows = []
    for question in questionnaire.questions.values():
        answered = question.type != "text"
        cells, previous = [], None
        for round_name, response in rounds.items():
            if answered and not question.asked_in_round(round_name):
                cells.append(Cell(NOT_ASKED))
                continue
            answer = response["answers"].get(question.key) if answered else None
            cells.append(
                Cell(shown(answer), changed=answer is not None and previous is not None and answer != previous)
            )
            previous = answer if answer is not None else previous
        comments = [(rn, r["comments"][question.key]) for rn, r in rounds.items() if question.key in r["comments"]]
        if answered or comments:
            rows.append(Row(question, cells if answered else [], comments))
    return rows


def state_themes(rounds: dict[str, dict], themes: dict[str, str]) -> list[dict]:
    """The themes a State's responses carry, each with the rounds that carried it."""
    carried: dict[str, list[str]] = {}
    for round_name, response in rounds.items():
        for code in response["themes"]:
            carried.setdefault(code, []).append(round_name)
    return [{"code": c, "meaning": themes[c], "rounds": carried[c]} for c in themes if c in carried]


def latest_contact(rounds: dict[str, dict]) -> dict | None:
    """The contact of the State's latest response that has one (only published contacts are in the data)."""
    for response in reversed(list(rounds.values())):
        if response.get("contact"):
            return response["contact"]
    return None


def state_page(code: str, rounds: dict[str, dict], questionnaire, themes: dict[str, str]) -> dict:
    """What a State's page and its profile show (no figure about other States)."""
    return {
        "code": code,
        "rounds": list(rounds),
        "rows": answer_rows(questionnaire, rounds),
        "themes": state_themes(rounds, themes),
        "contact": latest_contact(rounds),
    }


def question_rounds(question, responses: dict, states: dict[str, State]) -> list[dict]:
    """Per round where the question was asked: each answer with its States, and each State's words on it."""
    out = []
    for round_name in sorted(responses["rounds"]):
        rows = responses["rounds"][round_name]
        if question.closed and not question.asked_in_round(round_name):
            continue
        answers = [
            {
                "answer": c,
                "states": sorted(states[r["state"]] for r in rows if answer_is(r["answers"].get(question.key), c)),
            }
            for c in (question.choices if question.closed else ())
        ]
        said = sorted((states[r["state"]], r["comments"][question.key]) for r in rows if question.key in r["comments"])
        if answers or said:
            out.append({"round": round_name, "answers": answers, "comments": said})
    return out


# --- rendering ------------------------------------------------------------------------------------


def regions_of(stats: dict) -> dict[str, str]:
    """Each respondent's region in the current round, where ``stats.json`` has regions (else none)."""
    current = stats.get("current")
    by_region = (stats.get("rounds", {}).get(current) or {}).get("regions") or {}
    return {code: region for region, codes in by_region.items() for code in codes}


def html_env(templates_dir: Path, folder: str = SITE_TEMPLATES):
    """A Jinja environment for HTML templates of ``templates/<folder>``: autoescaped, undefined names fail."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(templates_dir) / folder)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _inline_svg(path: Path) -> Markup:
    """A chart drawn by the build (trusted: our own matplotlib output), without its XML prologue."""
    text = Path(path).read_text(encoding="utf-8")
    start = text.find("<svg")
    svg = text[start:] if start >= 0 else ""
    # matplotlib's RDF <metadata> is not allowed in SVG inside HTML (the Nu HTML Checker rejects it)
    return Markup(re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S))


def build_site(
    responses: dict,
    markdown: str,
    charts: dict[str, Path],
    questionnaire,
    states: dict[str, State],
    themes: dict[str, str],
    paper: dict,
    templates_dir: Path,
    regions: dict[str, str] | None = None,
) -> dict[str, str]:
    """Every page of the site: relative path -> text. ``charts`` maps a question key to its drawn SVG;
    ``regions``, where the data has them, each State's region (a column of the index)."""
    env = html_env(templates_dir)
    current = max(responses["rounds"]) if responses["rounds"] else ""
    everyone = by_state(responses)
    passages = paper_passages(markdown)
    cited = citations(passages, states)
    questions = list(questionnaire.questions.values())
    theme_list = [{"code": c, "meaning": m} for c, m in themes.items()]
    common = {"paper": paper, "all_themes": theme_list, "all_questions": questions, "current": current}
    pages: dict[str, str] = {
        "site.css": (Path(templates_dir) / SITE_TEMPLATES / "site.css").read_text(encoding="utf-8")
    }

    page = env.get_template("state.html.j2")
    for code, rounds in everyone.items():
        data = state_page(code, rounds, questionnaire, themes)
        pages[f"states/{code}.html"] = page.render(
            common, root="../", state=states[code], page=data, passages=cited.get(code, [])
        )

    page = env.get_template("theme.html.j2")
    for theme in theme_list:
        members = []
        for code, rounds in everyone.items():
            carried = [rn for rn, r in rounds.items() if theme["code"] in r["themes"]]
            if carried:
                latest = rounds[carried[-1]]
                members.append({"state": states[code], "rounds": carried, "comments": latest["comments"]})
        members.sort(key=lambda m: m["state"])
        now = sorted(states[r["state"]] for r in responses["rounds"].get(current, []) if theme["code"] in r["themes"])
        pages[f"themes/{theme['code']}.html"] = page.render(
            common, root="../", theme=theme, members=members, passages=list_passages(passages, now), questions=questions
        )

    page = env.get_template("question.html.j2")
    for question in questions:
        chart = charts.get(question.key)
        pages[f"questions/{question.key}.html"] = page.render(
            common,
            root="../",
            question=question,
            rounds=question_rounds(question, responses, states),
            chart=_inline_svg(chart) if chart else None,
        )

    closed = [q for q in questionnaire.closed if q.asked_in_round(current)]
    rows = []
    for r in responses["rounds"].get(current, []):
        answers = r["answers"]
        rows.append(
            {
                "state": states[r["state"]],
                "themes": " ".join(r["themes"]),
                "answers": {q.key: shown(answers.get(q.key)) for q in closed},
                # what the filter matches: key=choice for each choice given
                "tokens": " ".join(
                    f"{q.key}={c}" for q in closed for c in q.choices if answer_is(answers.get(q.key), c)
                ),
                "region": (regions or {}).get(r["state"], ""),
            }
        )
    rows.sort(key=lambda row: row["state"])
    earlier = sorted(states[c] for c, rounds in everyone.items() if current not in rounds)
    pages["index.html"] = env.get_template("index.html.j2").render(
        common,
        root="",
        rows=rows,
        closed=closed,
        earlier=earlier,
        show_regions=any(row["region"] for row in rows),
    )
    return pages
