"""`paper vars`: every variable and filter a template may use, with its current value, one per line.

    survey.n = 53  # States that responded in 2008
    survey.q.national_plan.pct = 49  # percent yes of those who answered (| pct, | pct_words) -- Q3 National policy plan ...
    filter | words  # A whole number in English words: 53 -> 'fifty-three'.

Plain text, so `paper vars | grep national_plan` finds what an editor needs for a new sentence.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

MAX_VALUE = 90  # characters of a value shown before "..."

QUESTION_ATTRS = [
    ("yes", "States answering yes"),
    ("no", "States answering no"),
    ("answered", "States that answered (the denominator of .pct)"),
    ("applicable", "States the question was put to"),
    ("blank", "States it was put to that left it blank"),
    ("pct", "percent yes of those who answered (| pct, | pct_words)"),
    ("pct_no", "percent no of those who answered"),
    ("states_yes", "the States answering yes (| states, | length)"),
    ("states_no", "the States answering no (| states, | length)"),
    ("number", "the question's number in the questionnaire"),
    ("short", "the question's short label"),
]
# Multi-choice and scale questions (and choice questions with `other: true`): their answers ranked.
RANKED_ATTRS = [
    ("ranked", "every answer, most chosen first (| join_and; each has .count, .pct, .states)"),
    ("top", "the most chosen answer (.count, .pct, .states; | k_of_n, | cap)"),
    ("top_choices", "every answer sharing the highest count (| join_and)"),
]
SCALE_ATTRS = [
    ("median", "the median answer"),
    ("median_words", "the median in words"),
    ("median_label", "the label of the scale's end the median falls on, if any"),
]
NUMBER_ATTRS = [
    ("answered", "States that answered"),
    ("applicable", "States the question was put to"),
    ("blank", "States it was put to that left it blank"),
    ("min", "the lowest answer"),
    ("median", "the median answer"),
    ("median_words", "the median in words"),
    ("max", "the highest answer"),
    ("states", "the States that answered (| states, | length)"),
    ("min_states", "the States that gave the lowest answer"),
    ("max_states", "the States that gave the highest answer"),
    ("number", "the question's number in the questionnaire"),
    ("short", "the question's short label"),
]


def add_arguments(parser) -> None:
    """Options of `paper vars`."""
    parser.add_argument("pattern", nargs="?", default="", help="show only lines containing this text (any case)")
    parser.add_argument(
        "--root", type=Path, default=None, help="repository root (default: the project around the current folder)"
    )


def show(value) -> str:
    """A value as one short line: numbers as they are, lists of States with their count."""
    from surveypaper.context import ChoiceList, ChoiceResult, OtherTexts, StateList

    if isinstance(value, ChoiceList):
        text = ", ".join(f"{r} ({r.count})" for r in value) if value else "[0 answers]"
    elif isinstance(value, ChoiceResult):
        text = f"{value} ({value.count} of {value.answered})"
    elif isinstance(value, OtherTexts):
        text = f"[{len(value)} texts] " + "; ".join(f"{o.state.code}: {o.text}" for o in value)
    elif isinstance(value, StateList):
        text = f"[{len(value)} States] " + ", ".join(s.name for s in value) if value else "[0 States]"
    elif isinstance(value, (list, tuple)):
        text = f"[{len(value)} items]"
    elif value is None:
        text = "None"
    else:
        text = " ".join(str(value).split())
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


def _line(name: str, value, description: str) -> str:
    return f"{name} = {show(value)}  # {description}"


def round_lines(prefix: str, rnd, questionnaire, themes: dict) -> list[str]:
    """survey.* (or previous.*): year, n, respondents, every question, theme and derived set."""
    out = [
        _line(f"{prefix}.year", rnd.year, "the round's name"),
        _line(f"{prefix}.n", rnd.n, f"States that responded in {rnd.year}"),
        _line(f"{prefix}.respondents", rnd.respondents, f"the States that responded in {rnd.year}"),
    ]
    order = [k for k in questionnaire.questions if k in rnd.q] + [k for k in rnd.q if k not in questionnaire.questions]
    for key in order:
        q = rnd.q[key]
        question = questionnaire.questions.get(key)
        label = f"Q{q.number} {q.short}".strip() if question else key
        if question is not None and question.type == "number":
            out += _number_lines(f"{prefix}.q.{key}", q, label)
            continue
        choice = question is not None and question.type in ("choice", "multi_choice", "scale")
        summary = (
            ", ".join(f"{q.counts.get(c, 0)} {c}" for c in question.options) if choice else f"{q.yes} yes, {q.no} no"
        )
        out.append(
            _line(f"{prefix}.q.{key}", f"{summary} of {q.answered}", f"{label} (a question: use its attributes)")
        )
        for attr, doc in QUESTION_ATTRS:
            if choice and attr in ("yes", "no", "pct", "pct_no", "states_yes", "states_no"):
                continue
            out.append(_line(f"{prefix}.q.{key}.{attr}", getattr(q, attr), f"{doc} -- {label}"))
        if choice and (question.type != "choice" or question.other):
            for attr, doc in RANKED_ATTRS:
                out.append(_line(f"{prefix}.q.{key}.{attr}", getattr(q, attr), f"{doc} -- {label}"))
        if question is not None and question.other:
            doc = 'the texts of the answers "other", by State name (escaped; each has .state, .text)'
            out.append(_line(f"{prefix}.q.{key}.others", q.others, f"{doc} -- {label}"))
        if question is not None and question.type == "scale":
            for attr, doc in SCALE_ATTRS:
                out.append(_line(f"{prefix}.q.{key}.{attr}", getattr(q, attr), f"{doc} -- {label}"))
        if choice:
            for choice in question.options:
                out.append(
                    _line(
                        f'{prefix}.q.{key}.counts["{choice}"]',
                        q.counts.get(choice, 0),
                        f'States answering "{choice}" -- {label}',
                    )
                )
                out.append(
                    _line(
                        f'{prefix}.q.{key}.pcts["{choice}"]',
                        q.pcts.get(choice),
                        f'percent answering "{choice}" -- {label}',
                    )
                )
                out.append(
                    _line(
                        f'{prefix}.q.{key}.states["{choice}"]',
                        q.states.get(choice, []),
                        f'States answering "{choice}" -- {label}',
                    )
                )
    for code in rnd.themes:
        out.append(_line(f"{prefix}.themes.{code}", rnd.themes[code], f"theme: {themes.get(code, code)}"))
    derived = {d.key: d.short for d in questionnaire.derived}
    for key in rnd.sets:
        out.append(_line(f"{prefix}.sets.{key}", rnd.sets[key], f"derived set: {derived.get(key, key)}"))
    regions = rnd.regions
    out.append(
        _line(f"{prefix}.regions.all_represented", regions.all_represented, "every UN M49 region has a respondent")
    )
    out.append(
        _line(f"{prefix}.regions.represented", [g.name for g in regions.represented], "regions with respondents")
    )
    out.append(_line(f"{prefix}.regions.missing", [g.name for g in regions.missing], "regions without a respondent"))
    for group in regions:
        out.append(_line(f'{prefix}.regions["{group.short}"].n', group.n, f"States of {group.name}"))
        out.append(_line(f'{prefix}.regions["{group.short}"].states', group.states, f"the States of {group.name}"))
    for code in rnd.comments:  # respondents' own words, by State and question (printed escaped)
        for key in rnd.comments[code]:
            question = questionnaire.questions.get(key)
            label = f"Q{question.number} {question.short}".strip() if question else key
            out.append(
                _line(f"{prefix}.comments.{code}.{key}", rnd.comments[code][key], f"comment of {code} -- {label}")
            )
    return out


def _number_lines(name: str, q, label: str) -> list[str]:
    """A number question: its summary, then each attribute."""
    summary = f"{q.answered} answered, {q.min} to {q.max}, median {q.median}" if q.answered else "no answers"
    out = [_line(name, summary, f"{label} (a number question: use its attributes)")]
    out += [_line(f"{name}.{attr}", getattr(q, attr), f"{doc} -- {label}") for attr, doc in NUMBER_ATTRS]
    out += [_line(f'{name}.values["{code}"]', v, f"the answer of {code} -- {label}") for code, v in q.values.items()]
    return out


def filter_lines(env) -> list[str]:
    """Every filter: ours first (with their docstrings' first line), then Jinja's built-ins."""
    from surveypaper.filters import FILTERS

    def first_line(func) -> str:
        doc = (getattr(func, "__doc__", "") or "").strip()
        para = " ".join(doc.split("\n\n", 1)[0].split())  # the first paragraph, on one line
        m = re.match(r"(.+?[.!?])(?:\s|$)", para)
        return m.group(1) if m and not para.startswith(m.group(1) + " ->") else para

    out = [f"filter | {name}  # {first_line(func)}" for name, func in FILTERS.items()]
    out += [
        f"filter | {name}  # (Jinja) {first_line(func)}"
        for name, func in sorted(env.filters.items())
        if name not in FILTERS and not name.startswith("_")
    ]
    return out


def all_lines(root: Path) -> list[str]:
    """Every line of `paper vars` for the project at root."""
    from surveypaper import questionnaire as qmod
    from surveypaper.filters import QUANTITY_WORDS
    from surveypaper.project import project_context, project_paths
    from surveypaper.states import load_themes
    from surveypaper.templating import make_env

    paths = project_paths(root)
    ctx = project_context(paths)
    questionnaire = qmod.load(paths.raw / "questionnaire.yaml")
    themes = load_themes(paths.raw / "themes.yaml")

    out = [f"paper.{k} = {show(v)}  # templates/paper.yaml" for k, v in (ctx.get("paper") or {}).items()]
    survey, previous = ctx.get("survey"), ctx.get("previous")
    if survey is not None:
        out += round_lines("survey", survey, questionnaire, themes)
    if previous is not None:
        out += round_lines("previous", previous, questionnaire, themes)
    rounds = ctx.get("rounds") or {}
    out.append(
        _line("rounds", ", ".join(rounds), 'every round by name: rounds["2007"].n, rounds["2007"].q.<key>.yes ...')
    )
    for key in ctx.get("changes") or {}:
        ch = ctx["changes"][key]
        frm = previous.year if previous is not None else "the previous round"
        to = survey.year if survey is not None else "this round"
        out.append(
            _line(f"changes.{key}.answered_both", ch.answered_both, f"States that answered {key} in {frm} and {to}")
        )
        out.append(_line(f"changes.{key}.no_to_yes", ch.no_to_yes, f"answered no in {frm}, yes in {to}"))
        out.append(_line(f"changes.{key}.yes_to_no", ch.yes_to_no, f"answered yes in {frm}, no in {to}"))
    q = ctx.get("questionnaire") or {}
    out.append(_line("questionnaire.title", q.get("title", ""), "raw/questionnaire.yaml"))
    out.append(
        _line(
            "questionnaire.sections",
            [s.get("title") for s in q.get("sections", [])],
            "sections, each with .title and .questions (.number, .text, .type, .choices, .asked_if, .note)",
        )
    )
    charts = ctx.get("charts") or []
    out.append(
        _line(
            "charts",
            ", ".join(c.get("key", "") for c in charts) or "(none drawn yet)",
            "Annex III charts, each with .key, .title, .file, .alt",
        )
    )
    for word, (lo, hi) in QUANTITY_WORDS.items():
        span = f"{lo}%" if lo == hi else f"{lo}-{hi}%"
        out.append(f'quantity word "{word}" = {span}  # | quantity("{word}") keeps it where the share fits')
    out += filter_lines(make_env(paths.templates))
    return out


def run(args) -> int:
    """Print the lines (those containing PATTERN, if given); 1 if none match."""
    from surveypaper.errors import ValidationFailed

    try:
        lines = all_lines(args.root)
    except ValidationFailed as exc:
        print(f"{exc}\n\nThe data in raw/ does not validate.", file=sys.stderr)
        return 1
    pattern = args.pattern.lower()
    shown = [line for line in lines if pattern in line.lower()]
    try:
        sys.stdout.write("".join(line + "\n" for line in shown))
        sys.stdout.flush()
    except BrokenPipeError:  # `paper vars | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if not shown:
        print(f"paper vars: nothing matches {args.pattern!r}; `paper vars` alone lists everything", file=sys.stderr)
        return 1
    return 0
