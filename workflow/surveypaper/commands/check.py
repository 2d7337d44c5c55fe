"""`paper check`: lint the templates against the data; `file:line: message` per finding, exit 1 if any."""

from __future__ import annotations

import sys
from pathlib import Path


def add_arguments(parser) -> None:
    """Options of `paper check`."""
    parser.add_argument(
        "--root", type=Path, default=None, help="repository root (default: the project around the current folder)"
    )


def run(args) -> int:
    """0: clean; 1: findings (or data that does not validate)."""
    from surveypaper.checks import run_check
    from surveypaper.errors import ValidationFailed

    try:
        findings = run_check(args.root)
    except ValidationFailed as exc:
        print(
            f"{exc}\n\nThe data in raw/ does not validate, so the templates cannot be checked against it.",
            file=sys.stderr,
        )
        return 1
    for finding in findings:
        print(finding)
    if findings:
        print(f"paper check: {len(findings)} finding(s); see docs/editing.md", file=sys.stderr)
        return 1
    print("paper check: the templates agree with the data", file=sys.stderr)
    return 0
