"""CI runs what the README tells a user to run: its test command, read from the README itself."""

from __future__ import annotations

import subprocess

from conftest import ROOT

MARKER = "# 2. install and run the tests"


def test_ci_runs_the_readme_test_command_as_written():
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    line = next(line for line in ci.splitlines() if line.startswith("readme_test="))
    # the same extraction CI does, run here: the README's line after the marker, nothing else
    extracted = subprocess.run(
        ["bash", "-c", f'{line}; printf %s "$readme_test"'], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[lines.index(MARKER) + 1] == extracted
    assert extracted.startswith("python3 -m venv .venv") and extracted.endswith("pytest")
    assert 'bash -euo pipefail -c "$readme_test"' in ci


def test_ci_runs_the_house_checks():
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    for check in (
        "ruff check .",
        "ruff format --check .",
        "snakefmt --check Snakefile workflow/rules/",
        "snakemake --lint",
    ):
        assert f"; {check}\n" in ci, check
    assert "fonts-" not in ci  # no font a user is not told to install
