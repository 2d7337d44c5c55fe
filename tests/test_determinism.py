"""Same inputs, same bytes: two clean builds, in two places, under another time zone, locale and
hash seed, publish byte-identical files (Markdown, HTML, PDF, DOCX, JSON, SVG)."""

from __future__ import annotations

import difflib
import io
import os
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import copy_repo, run_snakemake

# The first build as a CI machine in Europe might run it; the second a day ahead (UTC+14), in
# another locale, with another hash seed (set and dict orders of str keys change with it).
FIRST = {"TZ": "UTC", "PYTHONHASHSEED": "0", "LC_ALL": "C", "LANG": "C"}
SECOND = {"TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "123", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
EXPECTED = {".md", ".html", ".pdf", ".docx", ".json", ".svg", ".csv", ".xlsx"}


def published(out: Path) -> dict[str, bytes]:
    """Every file in output/ but the staging folder (.build: logs and intermediate files)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".build" not in p.relative_to(out).parts
    }


def where_they_differ(name: str, a: bytes, b: bytes) -> str:
    """The first lines that differ (text), or the first differing byte offset (binary)."""
    if name.endswith(".pdf") or b"\0" in a[:1024]:
        at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        return f"{name}: {len(a)} vs {len(b)} bytes, first difference at byte {at}: {a[at : at + 60]!r} vs {b[at : at + 60]!r}"
    diff = difflib.unified_diff(
        a.decode("utf-8", "replace").splitlines(), b.decode("utf-8", "replace").splitlines(), lineterm="", n=0
    )
    return f"{name}:\n" + "\n".join(line[:200] for line in list(diff)[2:12])


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory) -> tuple[Path, Path]:
    """Two clean builds of the repository, in two copies at different paths, under FIRST and SECOND.

    They run side by side (one core each), the second started two seconds later so that any
    clock reading differs between them.
    """
    base = tmp_path_factory.mktemp("determinism")
    repos = [copy_repo(base / "first" / "repo"), copy_repo(base / "second" / "repo")]

    def build(repo: Path, env: dict, delay: float):
        time.sleep(delay)
        own_code = os.pathsep.join(filter(None, [str(repo / "workflow"), os.environ.get("PYTHONPATH")]))
        return run_snakemake(repo, env={**env, "PYTHONPATH": own_code})

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(build, repos, [FIRST, SECOND], [0, 2]))
    for repo, result in zip(repos, results, strict=False):
        assert result.returncode == 0, f"build in {repo} failed:\n{result.stderr[-3000:]}"
    return repos[0] / "output", repos[1] / "output"


def test_two_clean_builds_are_byte_identical(two_builds):
    first, second = (published(out) for out in two_builds)
    assert {Path(n).suffix for n in first} >= EXPECTED, sorted(first)
    assert sorted(first) == sorted(second)
    differ = [name for name in first if first[name] != second[name]]
    assert not differ, "not byte-identical:\n\n" + "\n\n".join(
        where_they_differ(n, first[n], second[n]) for n in differ
    )


def test_no_build_path_or_clock_in_the_outputs(two_builds):
    """Neither the repository's path nor today's date leaks into what is published."""
    today = time.strftime("%Y-%m-%d").encode()
    for out in two_builds:
        root = str(out.parent).encode()
        for name, data in published(out).items():
            if name.endswith(".docx"):  # a zip: look inside its parts
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    data = b"".join(z.read(n) for n in z.namelist())
            assert root not in data, f"{name} holds the build's path {root!r}"
            if not name.endswith(".pdf"):  # a PDF's streams are compressed: its identity is checked above
                assert today not in data, f"{name} holds today's date"
