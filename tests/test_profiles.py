"""State profiles (output/profiles/<ISO3>.pdf): a Snakemake fan-out of batch jobs, run locally and
through the cluster-generic executor with a local submit script (the jobs leave the Snakemake
process); one page per State, only published contacts; a new response renders its own profile
only. A small copy of the repository with a few States keeps it quick."""

from __future__ import annotations

import csv
import os
import re
import shutil
import stat
import sys
from pathlib import Path

import pytest
from conftest import copy_repo, run_snakemake

pypdf = pytest.importorskip("pypdf")

KEEP = {"ARG", "BGD", "NOR", "ZMB"}  # both rounds, 2007 only, both rounds, 2008 only
SUBMIT = """\
#!/bin/bash
# A stand-in for sbatch: runs the job script apart from Snakemake, in the background; prints a job id.
jobscript="${@: -1}"
echo "$jobscript" >> "$(dirname "$0")/submitted.log"
nohup bash "$jobscript" > "$jobscript.out" 2>&1 &
echo "$!"
"""
CONTACTS = "contact: {name: Ana Published, email: ana@example.org, publish: yes}\n"
SECRET = (
    "contact: {name: Nils Secret, email: nils.secret@example.no, phone: '+47 22 00 00 00'}\n"  # publish left out: no
)


def pdf_text(path: Path) -> tuple[int, str]:
    reader = pypdf.PdfReader(path)
    return len(reader.pages), " ".join(" ".join(p.extract_text() for p in reader.pages).split())


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """A repository copy with four States, two batches of profiles built by the local executor."""
    repo = copy_repo(tmp_path_factory.mktemp("profiles") / "repo")
    for path in (repo / "raw/responses/2008").glob("*.yaml"):
        if path.stem not in KEEP:
            path.unlink()
    table = repo / "raw/responses/2007/responses.csv"
    rows = list(csv.reader(table.open(encoding="utf-8")))
    with table.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([rows[0], *(r for r in rows[1:] if r[0] in KEEP)])
    for code, extra in (("ARG", CONTACTS), ("NOR", SECRET)):
        path = repo / f"raw/responses/2008/{code}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    result = run_snakemake(repo, "--cores", "2", "profiles", "--config", "profile_batches=2")
    assert result.returncode == 0, result.stderr[-4000:]
    return repo


def test_one_page_per_state_with_its_answers(small):
    out = small / "output/profiles"
    assert sorted(p.stem for p in out.glob("*.pdf")) == sorted(KEEP)
    pages, text = pdf_text(out / "ARG.pdf")
    assert pages == 1
    assert "Argentina" in text and "2007" in text and "2008" in text and "monthly" in text
    assert "South American Conference on Migration" in text
    pages, text = pdf_text(out / "BGD.pdf")
    assert pages == 1 and "Responded in 2007" in text and "2008" not in text


def test_only_published_contacts_are_printed(small):
    assert "ana@example.org" in pdf_text(small / "output/profiles/ARG.pdf")[1]
    for path in (small / "output").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"nils.secret" not in data and b"Nils Secret" not in data, path


def test_the_batches_render_in_processes_of_their_own(small):
    logs = [(small / f"output/.build/logs/profile_batch-{b}-of-2.log").read_text(encoding="utf-8") for b in (0, 1)]
    assert logs[0].startswith("rendered: 2 ARG NOR")  # every other State of the sorted four
    # each batch is a process of its own (the profile's force-use-threads runs run: blocks as
    # threads of the Snakemake process, where two batches would take turns on one GIL)
    processes = [re.search(r"^process: (\d+), parent (\d+)$", log, re.M).groups() for log in logs]
    assert processes[0][0] != processes[1][0]
    assert processes[0][1] == processes[1][1]  # both started by the one Snakemake process


def test_a_new_response_renders_only_its_own_profile(small):
    out = small / "output/profiles"
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
    with open(small / "raw/states.yaml", "a", encoding="utf-8") as fh:
        fh.write("KEN: {name: Kenya}\n")
    (small / "raw/responses/2008/KEN.yaml").write_text("state: KEN\nanswers: {national_plan: yes}\n", encoding="utf-8")
    result = run_snakemake(small, "--cores", "2", "profiles", "--config", "profile_batches=2")
    assert result.returncode == 0, result.stderr[-4000:]
    after = {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
    assert set(after) == set(before) | {"KEN.pdf"}
    assert all(after[name] == before[name] for name in before)  # not rewritten
    logs = [(small / f"output/.build/logs/profile_batch-{b}-of-2.log").read_text(encoding="utf-8") for b in (0, 1)]
    assert sum(line.startswith("rendered: 1 KEN") for log in logs for line in log.splitlines()) == 1
    assert "Kenya" in pdf_text(out / "KEN.pdf")[1]


def test_the_fan_out_runs_through_the_cluster_generic_executor(small, tmp_path):
    pytest.importorskip("snakemake_executor_plugin_cluster_generic")
    repo = tmp_path / "repo"
    shutil.copytree(small, repo, ignore=shutil.ignore_patterns("output", ".snakemake"))
    # the PDFs made above, as cached PDFs: the jobs copy them rather than import WeasyPrint again
    shutil.copytree(small / "output/.build/profiles/cache", repo / "output/.build/profiles/cache")
    submit = repo / "submit.sh"
    submit.write_text(SUBMIT, encoding="utf-8")
    submit.chmod(submit.stat().st_mode | stat.S_IXUSR)
    result = run_snakemake(
        repo,
        "profiles",
        "--executor",
        "cluster-generic",
        "--cluster-generic-submit-cmd",
        str(submit),
        "--jobs",
        "2",
        "--config",
        "profile_batches=2",
        env={"PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    submitted = (repo / "submitted.log").read_text(encoding="utf-8").split()
    # the two batches went through the submit script; the light steps stayed local
    assert sorted(Path(s).name.split(".")[1] for s in submitted) == ["profile_batch"] * 2
    made = sorted(p.name for p in (repo / "output/profiles").glob("*.pdf"))
    assert made == sorted(p.name for p in (small / "output/profiles").glob("*.pdf")) and len(made) >= len(KEEP)
    logs = [(repo / f"output/.build/logs/profile_batch-{b}-of-2.log").read_text(encoding="utf-8") for b in (0, 1)]
    assert all(re.search(r"^reused: [1-9]", log, re.M) for log in logs), logs
    # each batch ran under a Snakemake of its own, started by its job script (locally: one parent)
    parents = {re.search(r"^process: \d+, parent (\d+)$", log, re.M).group(1) for log in logs}
    assert len(parents) == 2
