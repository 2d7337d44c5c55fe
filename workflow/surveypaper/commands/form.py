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
    from surveypaper.forms import FormError, make_form

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
