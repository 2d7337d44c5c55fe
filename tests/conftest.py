"""Shared fixtures: a tiny raw/ folder for unit tests, and a full build in a tmp copy of the repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns("output", ".snakemake", ".git", "__pycache__", "*.egg-info", ".pytest_cache", ".venv")

TINY_QUESTIONNAIRE = """\
title: Tiny questionnaire
intro: For tests.
sections:
  - key: a
    title: Section A
    questions:
      - {key: plan, number: "1", type: yes_no, asked_in: ["2007", "2008"], short: Has a plan, text: Do you have a plan?}
      - {key: plan_intended, number: "1b", type: yes_no, asked_if: {plan: "no"}, short: Intends a plan, text: If not, do you intend one?}
      - {key: freq, number: "2", type: choice, choices: [daily, monthly], short: How often, text: How often?}
      - {key: examples, number: "3", type: text, short: Examples, text: Give examples.}
derived:
  - {key: plan_or_intended, short: Plan or intends one, any: [{plan: "yes"}, {plan_intended: "yes"}]}
"""
TINY_STATES = """\
ARG: {name: Argentina}
NLD: {name: Netherlands, article: the}
NOR: {name: Norway}
PHL: {name: Philippines, article: the}
"""
TINY_THEMES = """\
diaspora: ties with nationals abroad
"""


def write(path: Path, text: str) -> Path:
    """Write dedented text, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def tiny_raw(tmp_path: Path) -> Path:
    """A valid raw/ folder: 4 States, two rounds, YAML and CSV forms."""
    raw = tmp_path / "raw"
    write(raw / "questionnaire.yaml", TINY_QUESTIONNAIRE)
    write(raw / "states.yaml", TINY_STATES)
    write(raw / "themes.yaml", TINY_THEMES)
    write(
        raw / "responses/2008/ARG.yaml",
        """\
        state: ARG
        answers: {plan: yes, freq: monthly}
        comments: {examples: "We <b>do</b> things & more"}
        themes: [diaspora]
        """,
    )
    write(
        raw / "responses/2008/NLD.yaml",
        """\
        state: NLD
        answers:
          plan: NO
          plan_intended: yes
        """,
    )
    write(
        raw / "responses/2008/NOR.yaml",
        """\
        state: NOR
        answers:
          plan: no
          plan_intended: no
          freq: daily
        """,
    )
    write(
        raw / "responses/2007/responses.csv",
        "state,plan,plan_comment,themes\nARG,no,,diaspora\nNLD,no,,\nPHL,yes,Because,\n",
    )
    return raw


def run_snakemake(repo: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the workflow in a repository copy, with this interpreter's snakemake and the copy's own package."""
    path = os.pathsep.join(p for p in (str(Path(repo) / "workflow"), os.environ.get("PYTHONPATH", "")) if p)
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "1", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path, **(env or {})},
        timeout=900,
    )


def copy_repo(dest: Path) -> Path:
    """A copy of the repository without build products or git metadata."""
    shutil.copytree(ROOT, dest, ignore=IGNORE)
    return dest


def copy_built_repo(dest: Path, built_output: Path) -> Path:
    """A repository copy holding a complete build: the session build's output/ and Snakemake metadata."""
    repo = copy_repo(dest)
    shutil.copytree(built_output, repo / "output")
    shutil.copytree(built_output.parent / ".snakemake", repo / ".snakemake", ignore=shutil.ignore_patterns("locks"))
    return repo


@pytest.fixture(scope="session")
def built_paper(tmp_path_factory) -> Path:
    """The output/ folder of one full build of the shipped data, in a tmp copy of the repository."""
    repo = copy_repo(tmp_path_factory.mktemp("build") / "repo")
    result = run_snakemake(repo)
    assert result.returncode == 0, result.stderr[-4000:]
    return repo / "output"
