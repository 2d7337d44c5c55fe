"""`paper explain TEXT`: where a printed figure comes from.

    paper explain "Eighty-four percent"     # or "84%": the same value in figures
    paper explain "26 out of 53"            # a k out of n: the question behind both
    paper explain "84%" --json              # for tools

Each place the paper prints it: the heading it is under, the template expression, the value,
and where it comes from a question, k of n answering States, how many left it blank, the
question's wording and its States. Read from the templates and the data of the project (the last
build's statistics, or computed from raw/), so it agrees with `output/provenance.json`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

_K_OF_N = re.compile(r"^(.+?)\s+(?:out\s+of|of)\s+(.+)$", re.IGNORECASE)


def add_arguments(parser) -> None:
    """Options of `paper explain`."""
    parser.add_argument("text", help='a figure as printed: "Eighty-four percent", "84%%", "26 out of 53"')
    parser.add_argument("--json", action="store_true", help="print the matching provenance entries as JSON")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: here)")


def _norm(text: str) -> str:
    return " ".join(str(text).replace("*", "").split()).casefold().rstrip(".")


def forms(value) -> set[str]:
    """The ways the paper may print a number: 84, 84%, eighty-four, eighty-four percent."""
    from surveypaper.filters import words

    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return set()
    value = int(value) if float(value).is_integer() else float(value)
    figure = str(value)
    in_words = words(value)
    return {figure, f"{figure}%", f"{figure} percent", in_words, f"{in_words} percent"}


def _matches_value(entry: dict, text: str) -> bool:
    return _norm(entry["text"]) == text or text in {_norm(f) for f in forms(entry.get("value"))}


def find(items: list[dict], text: str) -> list[dict]:
    """The entries printing ``text`` (as printed, or the same value in figures or words).

    "K out of N" (or "K of N") finds the entries of the question whose k and n they are.
    """
    wanted = _norm(text)
    direct = [e for e in items if _matches_value(e, wanted)]
    m = _K_OF_N.match(wanted)
    if not m:
        return direct
    k_text, n_text = m.group(1), m.group(2)
    hits = [
        e
        for e in items
        if "k" in e and k_text in {_norm(f) for f in forms(e["k"])} and n_text in {_norm(f) for f in forms(e["n"])}
    ]
    return hits or direct


def describe(entry: dict, questions: dict) -> str:
    """One place the paper prints a value, for a reader."""
    lines = [f"“{entry['text']}” under “{entry['section']}”", f"  expression: {entry['expr']}"]
    lines.append(f"  value: {json.dumps(entry['value'], ensure_ascii=False)}")
    if "question" in entry:
        q = questions.get(entry["question"])
        label = f"Q{entry.get('number', '')} {entry['question']}".strip()
        if "k" in entry:
            lines.append(
                f"  {label} ({entry.get('round', '')}), answer “{entry['answer']}”: {entry['k']} of {entry['n']} "
                f"answering States; {entry['blank']} of the {entry['asked']} asked left it blank"
            )
        else:
            lines.append(f"  {label} ({entry.get('round', '')})")
        if q is not None:
            lines.append(f"  wording: {q.text}")
    if "states" in entry:
        states = entry["states"]
        lines.append(f"  States ({len(states)}): {', '.join(states) if states else 'none'}")
    return "\n".join(lines)


def run(args) -> int:
    """Print each place the paper prints TEXT; 1 if it prints it nowhere."""
    from surveypaper import project, provenance
    from surveypaper.errors import ValidationFailed
    from surveypaper.template_errors import TemplateProblem

    paths = project.project_paths(args.root)
    try:
        *_, items = provenance.project_provenance(paths)
    except (ValidationFailed, TemplateProblem) as exc:
        print(f"{exc}\n\nThe paper cannot be rendered: run `paper check`.", file=sys.stderr)
        return 1
    hits = find(items, args.text)
    if args.json:
        print(json.dumps(hits, indent=2, ensure_ascii=False))
        return 0 if hits else 1
    if not hits:
        print(f"“{args.text}” is not a computed value of the paper.", file=sys.stderr)
        return 1
    questions = project.load_questionnaire(paths.raw / "questionnaire.yaml").questions
    print("\n\n".join(describe(e, questions) for e in hits))
    return 0
