"""`paper build`: run the workflow at the repository root (same as `snakemake --cores all`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def add_arguments(parser) -> None:
    """Options of `paper build`."""
    parser.add_argument(
        "--root", type=Path, default=None, help="repository root (default: the project around the current folder)"
    )
    parser.add_argument("--cores", default="all", help="cores for Snakemake (default: all)")


def run(args) -> int:
    """Build; Snakemake's exit code is ours."""
    return subprocess.call([sys.executable, "-m", "snakemake", "--cores", str(args.cores)], cwd=args.root)
