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
IGNORE = shutil.ignore_patterns(
    "output", ".snakemake", ".git", "__pycache__", "*.egg-info", ".pytest_cache", ".venv", "node_modules"
)

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


#: Test modules every test of which builds the paper, renders a PDF or starts processes.
SLOW_MODULES = {
    "test_accessible_pdf",
    "test_determinism",
    "test_fidelity",
    "test_incremental",
    "test_inert_text",
    "test_new_response",
    "test_preview",
    "test_reliability",
    "test_warm",
}
#: Fixtures that build the paper or render a PDF: a test that uses one is slow.
SLOW_FIXTURES = {"built_paper", "pdf_bytes", "linked_charts", "two_commits"}


def pytest_collection_modifyitems(config, items):
    """Mark slow what builds: whole modules (SLOW_MODULES) and the tests that use a build (SLOW_FIXTURES)."""
    for item in items:
        if item.module.__name__ in SLOW_MODULES or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


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


def copy_project(dest: Path) -> Path:
    """What `paper check`, `paper vars` and the preview read: raw/, templates/ and workflow/config.yaml (no output/)."""
    for part in ("raw", "templates"):
        shutil.copytree(ROOT / part, dest / part)
    (dest / "workflow").mkdir(parents=True)
    shutil.copy(ROOT / "workflow/config.yaml", dest / "workflow/config.yaml")
    return dest


@pytest.fixture(scope="session")
def shipped_project(tmp_path_factory) -> Path:
    """The shipped project in a tmp copy (not to be changed): no output/ of the developer's, so the
    stats are computed from raw/ and a test reads what the sources say, not a stale build."""
    return copy_project(tmp_path_factory.mktemp("shipped") / "repo")


def snapshot(out: Path) -> dict[str, bytes]:
    """Every published file's bytes (the staging folder is not published)."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".build" not in p.relative_to(out).parts
    }


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
