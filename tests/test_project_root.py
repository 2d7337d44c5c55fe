"""Every `paper` command finds the project from any folder inside it, as git finds its root; outside, one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from surveypaper.cli import main
from surveypaper.project_root import NotAProject, find_root

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """raw/, templates/ and workflow/config.yaml: what check and vars read."""
    root = tmp_path_factory.mktemp("root") / "repo"
    for part in ("raw", "templates"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("fonts"))
    (root / "workflow").mkdir()
    shutil.copy(ROOT / "workflow/config.yaml", root / "workflow/config.yaml")
    return root


def test_find_root_from_a_sub_folder(project):
    assert find_root(project / "templates" / "sections") == project.resolve()
    assert find_root(project / "raw" / "responses" / "2008") == project.resolve()
    with pytest.raises(NotAProject):
        find_root(project / "templates", given=True)  # --root must be the root itself


@pytest.mark.parametrize("command", [["check"], ["vars", "survey.n"]])
def test_commands_work_from_a_sub_folder(project, monkeypatch, capsys, command):
    monkeypatch.chdir(project / "templates" / "sections")
    assert main(command) == 0
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    if command[0] == "vars":
        assert out.out.startswith("survey.n = 53")


@pytest.mark.parametrize("command", [["check"], ["vars"], ["preview", "--port", "0"], ["build"], ["diff", "HEAD", "."]])
def test_outside_a_project_one_line(tmp_path, monkeypatch, capsys, command):
    monkeypatch.chdir(tmp_path)
    assert main(command) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert "not inside a survey paper project" in err and str(tmp_path.resolve()) in err
