"""Bad input and faults: one clear report, a non-zero exit, and the last good paper left byte for byte."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import copy_built_repo, run_snakemake, snapshot


@pytest.fixture(scope="module")
def good_repo(tmp_path_factory, built_paper) -> Path:
    """A repository copy holding a complete good build (copied from the session build)."""
    return copy_built_repo(tmp_path_factory.mktemp("reliable") / "repo", built_paper)


def test_noop_rebuild_publishes_nothing_new(good_repo):
    before = snapshot(good_repo / "output")
    result = run_snakemake(good_repo)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Nothing to be done" in result.stderr + result.stdout
    assert snapshot(good_repo / "output") == before


BAD_INPUTS = [
    # (file to write under raw/responses, content, text the report must contain)
    ("2008/ARG.yaml", "state: ARG\nanswers: {national_plan: Maybe}\n", "one of: yes, no"),
    ("2008/XXA.yaml", "state: XXA\n", "ISO 3166-1 alpha-3"),
    ("2008/extra.csv", "state,national_plan\nARG,yes\n", "one response per State"),
    ("2008/ARG.yaml", "state: ARG\nanswers:\n  resources: yes\n  resources: no\n", "duplicate key"),
    ("2008/notes.docx", "hello", "a .yaml, .yml, .csv or .xlsx response file"),
    ("2007/responses.csv", "state,national_plan\n", "at least one response row"),
]


@pytest.mark.parametrize("name, content, message", BAD_INPUTS, ids=[b[0] + ":" + b[2][:20] for b in BAD_INPUTS])
def test_bad_input_keeps_last_good_paper(good_repo, name, content, message):
    target = good_repo / "raw/responses" / name
    original = target.read_bytes() if target.exists() else None
    before = snapshot(good_repo / "output")
    try:
        target.write_text(content, encoding="utf-8")
        result = run_snakemake(good_repo)
        assert result.returncode != 0
        assert message in result.stderr
        assert "Traceback" not in result.stderr
        assert snapshot(good_repo / "output") == before
    finally:
        if original is None:
            target.unlink()
        else:
            target.write_bytes(original)


def test_bad_input_fails_again_on_the_next_run_and_is_read_once_fixed(good_repo):
    """A failed build is not forgotten: running again without a fix fails again, not 'Nothing to be done'."""
    before = snapshot(good_repo / "output")
    target = good_repo / "raw/responses/2008/CAN.yaml"
    try:
        target.write_text("state: CAN\nanswers: {national_plan: Maybe}\n", encoding="utf-8")
        for _ in range(2):
            result = run_snakemake(good_repo)
            assert result.returncode != 0, result.stderr[-2000:]
            assert "one of: yes, no" in result.stderr
            assert snapshot(good_repo / "output") == before
        target.write_text(
            (good_repo / "raw/responses/2008/ARG.yaml").read_text(encoding="utf-8").replace("state: ARG", "state: CAN"),
            encoding="utf-8",
        )
        result = run_snakemake(good_repo)
        assert result.returncode == 0, result.stderr[-2000:]
        assert "Canada" in (good_repo / "output/working_paper.md").read_text(encoding="utf-8")
    finally:
        target.unlink(missing_ok=True)
        assert run_snakemake(good_repo).returncode == 0


def test_killed_mid_pdf_keeps_last_good_paper_and_recovers(good_repo):
    before = snapshot(good_repo / "output")
    section = good_repo / "templates/sections/08_recommendations.md.j2"
    original = section.read_text(encoding="utf-8")
    section.write_text(original.replace("A set of questions", "A small set of questions"), encoding="utf-8")
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "snakemake", "--cores", "1"],
            cwd=good_repo,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + 300
        log, writing = [], []
        for line in proc.stdout:
            log.append(line)
            if line.rstrip().endswith("] render_pdf"):  # the build's line for the step (`[6/9] render_pdf`)
                # WeasyPrint writes the PDF into a temporary file beside it (publish.atomic_file):
                # kill the build as soon as that file exists, mid-PDF
                while not writing and proc.poll() is None and time.monotonic() < deadline:
                    writing = list((good_repo / "output/.build").glob(".working_paper.pdf.*.tmp"))
                    time.sleep(0.005)  # polling the file system, not waiting for something to happen
                os.killpg(proc.pid, signal.SIGKILL)
                break
            assert time.monotonic() < deadline, "".join(log)
        proc.wait(timeout=60)
        assert any(line.rstrip().endswith("] render_pdf") for line in log), "".join(log)
        assert writing, "the build ended before WeasyPrint wrote the PDF: nothing was killed mid-PDF"
        assert snapshot(good_repo / "output") == before
        result = run_snakemake(good_repo)  # no manual flag
        assert result.returncode == 0, result.stderr[-3000:]
        assert "A small set of questions" in (good_repo / "output/working_paper.md").read_text(encoding="utf-8")
    finally:
        section.write_text(original, encoding="utf-8")


def test_two_builds_at_once_are_refused_clearly(good_repo):
    (good_repo / "templates/sections/08_recommendations.md.j2").touch()
    first = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "1"],
        cwd=good_repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for line in first.stdout:
            if line.startswith("["):  # the first step has started (`[1/6] check_templates`)
                break
        second = run_snakemake(good_repo)
        assert second.returncode != 0
        assert "locked" in (second.stderr + second.stdout).lower()
    finally:
        first.wait(timeout=600)
    assert first.returncode == 0
