"""`paper form`: the questionnaire as a response workbook (.xlsx) a focal point fills in."""

from __future__ import annotations

import sys
from pathlib import Path


def add_arguments(parser) -> None:
    """Options of `paper form`."""
    parser.add_argument("-o", "--output", type=Path, required=True, help="the workbook to write (FILE.xlsx)")
    parser.add_argument("--round", help="the round whose questions it asks (default: the round paper.yaml reports)")
    parser.add_argument("--state", help="pre-fill it with this State's response in that round (ISO3 code)")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: here)")


def run(args) -> int:
    """0: written; 1: the round, the State or the data is not usable."""
    from surveypaper.errors import ValidationFailed

    if args.output.suffix.lower() != ".xlsx":
        print(f"paper form: {args.output}: the workbook must be an .xlsx file", file=sys.stderr)
        return 1
    try:
        path, what = make_form(args.root, args.output, round_name=args.round, state=args.state)
    except FormError as exc:
        print(f"paper form: {exc}", file=sys.stderr)
        return 1
    except ValidationFailed as exc:
        print(
            f"{exc}\n\npaper form: the data in raw/ does not validate, so it cannot pre-fill a workbook.",
            file=sys.stderr,
        )
        return 1
    print(f"paper form: wrote {path} ({what})", file=sys.stderr)
    return 0


class FormError(ValueError):
    """A workbook that cannot be made: an undeclared round, a State without a response in it."""


def make_form(root: Path, out: Path, round_name: str | None = None, state: str | None = None) -> tuple[Path, str]:
    """`paper form`: the workbook for ``round_name`` (default: the round paper.yaml reports),
    pre-filled with ``state``'s response in that round. Returns the path and what it holds."""
    from surveypaper import project
    from surveypaper.forms import write_form
    from surveypaper.rounds import reported_rounds

    paths = project.project_paths(root)
    raw = paths.raw
    questionnaire = project.load_questionnaire(raw / "questionnaire.yaml")
    if round_name is None:
        responses = raw / "responses"
        folders = sorted(p.name for p in responses.iterdir() if p.is_dir()) if responses.is_dir() else []
        round_name = reported_rounds(folders, project.load_paper(paths.templates / "paper.yaml"))[0]
    round_name = str(round_name or "")
    if not round_name or not questionnaire.declares(round_name):
        declared = ", ".join(questionnaire.rounds) or "none"
        raise FormError(f"round {round_name!r} is not a round of raw/questionnaire.yaml (its rounds: {declared})")
    response, name = None, ""
    if state:
        states = project.load_states(raw / "states.yaml")
        code = states.code(state)
        if code is None:
            raise FormError(f"{state!r} is not an ISO 3166-1 alpha-3 code")
        rounds = project.ingest(raw)["rounds"]
        response = next((r for r in rounds.get(round_name, []) if r["state"] == code), None)
        if response is None:
            raise FormError(f"{code} has no response in round {round_name} to pre-fill the workbook with")
        name = states[code].name
    path = write_form(out, questionnaire, round_name, response, name)
    return path, f"round {round_name}" + (f", pre-filled with {response['state']}'s response" if response else "")
