"""Every HTML page the project writes is valid HTML, as the Nu HTML Checker (vnu) reads it.

The paper's screen HTML, its print HTML, the redline of `paper diff`, and any other page under
output/ (a site, once there is one). The checker is the `vnu-jar` npm package run with Java;
`.ci/run` installs both (the jar in `.ci/vnu/`, git-ignored). Where either is missing the test is
skipped with its reason; `VNU_JAR` points at another copy of the jar.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JAR = Path(os.environ.get("VNU_JAR") or ROOT / ".ci/vnu/node_modules/vnu-jar/build/dist/vnu.jar")


def checker() -> list[str]:
    """The command that runs the checker, or a skip saying what is missing."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("no Java runtime (`java`): the Nu HTML Checker needs one; .ci/run installs default-jre-headless")
    if not JAR.is_file():
        pytest.skip(
            f"no Nu HTML Checker at {JAR}: `npm install --prefix .ci/vnu vnu-jar` (as .ci/run does) or set VNU_JAR"
        )
    return [java, "-jar", str(JAR), "--errors-only", "--format", "gnu", "--filterpattern", PAGED_MEDIA_CSS]


# The print HTML's CSS is for WeasyPrint: paged media (running heads, footnotes, PDF bookmarks),
# which the checker's CSS validator does not know. Only those messages are left out.
PAGED_MEDIA_CSS = (
    r".*CSS: “(content|string-set|bookmark-level|bookmark-label|float|footnote|footnote-display)”.*"
    r"|.*CSS: Unknown pseudo-element or pseudo-class “::footnote-(call|marker)”.*"
)


def redline_page(output: Path) -> str:
    """A redline of the built paper against a draft with a word, a figure and a list changed."""
    from surveypaper import figure_changes, redline

    new_md = (output / "working_paper.md").read_text(encoding="utf-8")
    old_md = new_md.replace("Political commitment", "Commitment", 1)
    old_md = re.sub(r"\b53\b", "52", old_md, count=1)
    charts = {p.name: p.read_bytes() for p in (output / "charts").glob("*.svg")}
    red = redline.redline(old_md, new_md, charts, charts)
    import json

    stats = json.loads((output / "stats.json").read_text(encoding="utf-8"))
    report = figure_changes.compare_stats(stats, stats)
    return redline.redline_document(red, report, "OLD", "NEW", title="The working paper")


def test_every_html_the_project_writes_is_valid(built_paper, tmp_path):
    command = checker()
    pages = sorted(p for p in built_paper.rglob("*.html") if "diff" not in p.relative_to(built_paper).parts)
    assert built_paper / "working_paper.html" in pages
    assert built_paper / ".build" / "working_paper.print.html" in pages
    redline = tmp_path / "redline.html"
    redline.write_text(redline_page(built_paper), encoding="utf-8")
    pages.append(redline)
    result = subprocess.run([*command, *map(str, pages)], capture_output=True, text=True, timeout=600)
    errors = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode == 0 and not errors, "\n".join(errors)
