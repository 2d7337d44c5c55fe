"""Small pieces of the pipeline: time bounds, atomic writes, stale-lock recovery."""

import os
import time
from pathlib import Path

import pytest
from surveypaper.locks import claim
from surveypaper.pipeline import TimeLimitExceeded, time_limit
from surveypaper.publish import publish, write_atomic


def test_time_limit_stops_a_runaway_step():
    with (
        pytest.raises(TimeLimitExceeded, match="the PDF render took longer than 1 s"),
        time_limit(1, "the PDF render"),
    ):
        time.sleep(3)


def test_write_atomic_leaves_no_temp_files(tmp_path):
    target = tmp_path / "a.txt"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text() == "two" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def staged_files(folder: Path, files: dict[str, str]) -> Path:
    """A staging folder holding ``files`` (relative path -> text), its charts/ folder made."""
    (folder / "charts").mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_publish_removes_charts_no_longer_drawn(tmp_path):
    staged = staged_files(
        tmp_path / "build", {"charts/a.svg": "<svg/>", "charts/.snakemake_timestamp": "", "paper.md": "text"}
    )
    out = tmp_path / "out"
    (out / "charts").mkdir(parents=True)
    (out / "charts/old.svg").write_text("stale")
    publish({"paper.md": staged / "paper.md"}, staged / "charts", out)
    assert sorted(p.name for p in (out / "charts").iterdir()) == ["a.svg"]
    assert (out / "paper.md").read_text() == "text"


def test_republishing_leaves_unchanged_files_untouched(tmp_path):
    staged = staged_files(
        tmp_path / "build",
        {"charts/a.svg": "<svg/>", "charts/b.svg": "<svg>b</svg>", "paper.md": "text", "paper.pdf": "%PDF-1"},
    )
    files = {"paper.md": staged / "paper.md", "paper.pdf": staged / "paper.pdf"}
    out = tmp_path / "out"
    publish(files, staged / "charts", out)
    published = [out / "paper.md", out / "paper.pdf", out / "charts/a.svg", out / "charts/b.svg"]
    for path in published:  # an old mtime: a file rewritten now could not keep it by chance
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    (staged / "paper.md").write_text("text, edited")  # same size or not, new bytes
    (staged / "charts/b.svg").write_text("<svg>B</svg>")  # same size, new bytes
    written = publish(files, staged / "charts", out)
    assert sorted(written) == sorted([out / "paper.md", out / "charts/b.svg"])
    assert (out / "paper.md").read_text() == "text, edited" and (out / "charts/b.svg").read_text() == "<svg>B</svg>"
    untouched = {p.name: p.stat().st_mtime_ns for p in published if p.stat().st_mtime_ns == 1_000_000_000}
    assert sorted(untouched) == ["a.svg", "paper.pdf"]


def test_stale_lock_cleared_live_lock_kept(tmp_path):
    locks = tmp_path / ".snakemake/locks"
    locks.mkdir(parents=True)
    (locks / "0.input.lock").write_text("x")
    (tmp_path / ".snakemake/surveypaper-build.pid").write_text("999999999\n")  # a dead process
    assert claim(tmp_path, pid=os.getpid()) is True and not any(locks.iterdir())


def test_live_build_keeps_its_lock(tmp_path):
    import subprocess
    import sys

    locks = tmp_path / ".snakemake/locks"
    locks.mkdir(parents=True)
    (locks / "0.input.lock").write_text("x")
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "snakemake"])
    cmdline = Path(f"/proc/{live.pid}/cmdline")
    for _ in range(100):  # until the child has exec'd (before that it shows the parent's command line)
        if b"snakemake" in cmdline.read_bytes():
            break
        time.sleep(0.05)
    try:
        (tmp_path / ".snakemake/surveypaper-build.pid").write_text(f"{live.pid}\n")
        assert claim(tmp_path, pid=os.getpid()) is False
        assert (locks / "0.input.lock").exists()
    finally:
        live.kill()
        live.wait()
