"""What a change re-runs (issue 7): a template edit only the render steps, a new response what
depends on it, nothing at all when nothing changed; the text does not wait for the charts; the
Snakefile imports nothing heavy and the light steps run inside the Snakemake process.

Behaviour only: which jobs Snakemake plans (`-n --quiet rules`) and runs (its job list on
stderr), which files change, what gets imported. Timings live in benchmarks/.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_built_repo, copy_repo, run_snakemake

RENDER_STEPS = {
    "check_templates",
    "render_paper",
    "render_html",
    "render_pdf",
    "render_docx",
    "render_site",
    "publish_outputs",
    "all",
}
DATA_STEPS = {"ingest_responses", "compute_stats", "draw_charts", "write_data"}
SECTION = "templates/sections/08_recommendations.md.j2"
NEW_RESPONSE = "state: CAN\nanswers:\n  migration_in_development: yes\n  national_plan: yes\n"


@pytest.fixture(scope="module")
def repo(tmp_path_factory, built_paper) -> Path:
    """A repository copy holding a complete build (copied from the session build, metadata too)."""
    return copy_built_repo(tmp_path_factory.mktemp("incremental") / "repo", built_paper)


def planned(repo: Path, *targets: str) -> set[str]:
    """The rules a dry run would run (its "Job stats" table); empty when nothing is to be done."""
    result = run_snakemake(repo, *targets, "-n", "--quiet", "rules")
    assert result.returncode == 0, result.stderr[-3000:]
    text = result.stdout + result.stderr
    if "Nothing to be done" in text:
        return set()
    table = text.split("Job stats:", 1)[1].split("total", 1)[0]
    return {m.group(1) for m in re.finditer(r"^(\w+)\s+\d+\s*$", table, re.M)}


def ran(result: subprocess.CompletedProcess) -> set[str]:
    """The rules a real run executed: the build's one line per step (`[3/6] render_paper`), or Snakemake's job list."""
    text = result.stderr + result.stdout
    found = {a or b for a, b in re.findall(r"^\[\d+/\d+\] (\w+)$|^(?:local)?rule (\w+):", text, re.M)}
    # the default target `all` runs whenever a step does; the build's console does not list it as a step
    return found | {"all"} if found and re.search(r"^\[\d+/\d+\] ", text, re.M) else found


def build(repo: Path) -> subprocess.CompletedProcess:
    result = run_snakemake(repo)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def data_files(repo: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and mtimes of what the data steps wrote: responses, stats and every chart."""
    build_dir = repo / "output/.build"
    files = [build_dir / "responses.json", build_dir / "stats.json", *sorted((build_dir / "charts").iterdir())]
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in files if p.is_file()}


def test_nothing_changed_nothing_runs(repo):
    assert planned(repo) == set()
    result = build(repo)
    assert "Nothing to be done" in result.stderr + result.stdout
    assert ran(result) == set()


def test_a_template_edit_reruns_only_the_render_steps(repo):
    section = repo / SECTION
    original = section.read_text(encoding="utf-8")
    before = data_files(repo)
    try:
        section.write_text(original + "\nAn editor's new closing sentence.\n", encoding="utf-8")
        assert planned(repo) == RENDER_STEPS
        result = build(repo)
        assert ran(result) == RENDER_STEPS
        assert data_files(repo) == before  # stats and charts untouched, not even rewritten
        assert "An editor's new closing sentence." in (repo / "output/working_paper.md").read_text(encoding="utf-8")
    finally:
        section.write_text(original, encoding="utf-8")
        build(repo)
    assert planned(repo) == set()


def test_a_css_edit_reruns_only_the_render_steps(repo):
    css = repo / "templates/css/print.css"
    original = css.read_text(encoding="utf-8")
    try:
        css.write_text(original + "\n/* an edit */\n", encoding="utf-8")
        assert planned(repo) == RENDER_STEPS
    finally:
        css.write_text(original, encoding="utf-8")
        build(repo)


def test_a_new_response_reruns_what_depends_on_it(repo):
    new = repo / "raw/responses/2008/CAN.yaml"
    stats_before = (repo / "output/stats.json").read_bytes()
    try:
        new.write_text(NEW_RESPONSE, encoding="utf-8")
        assert planned(repo) == DATA_STEPS | RENDER_STEPS
        result = build(repo)
        assert ran(result) == DATA_STEPS | RENDER_STEPS
        assert (repo / "output/stats.json").read_bytes() != stats_before
        assert "Canada" in (repo / "output/working_paper.md").read_text(encoding="utf-8")
    finally:
        new.unlink(missing_ok=True)
        build(repo)
    assert (repo / "output/stats.json").read_bytes() == stats_before


def test_the_text_does_not_wait_for_the_charts(tmp_path, repo):
    fresh = copy_repo(tmp_path / "fresh")  # no build yet: everything is to be done
    text_only = planned(fresh, "output/.build/working_paper.md", "output/.build/working_paper.print.html")
    assert text_only == {"ingest_responses", "compute_stats", "render_paper"}
    assert "draw_charts" in planned(fresh, "output/.build/working_paper.pdf")
    assert "draw_charts" in planned(fresh, "output/.build/working_paper.html")
    # the DOCX is made beside the PDF, never before it
    assert "render_docx" not in planned(fresh, "output/.build/working_paper.pdf")
    assert "render_docx" in planned(fresh, "output/.build/published.stamp")


def test_restyling_the_word_reference_rerenders_the_docx_alone(repo):
    reference = repo / "templates/reference.docx"
    original = reference.read_bytes()
    try:
        reference.write_bytes(original + b"\0")  # a new version of the file (Snakemake looks at its mtime)
        assert planned(repo) == {"render_docx", "publish_outputs", "all"}
    finally:
        reference.write_bytes(original)
        build(repo)


def test_the_check_reads_the_drawn_charts_and_gates_publishing(tmp_path, repo):
    fresh = copy_repo(tmp_path / "fresh")
    assert "draw_charts" in planned(fresh, "output/.build/templates_checked.stamp")
    assert "check_templates" not in planned(fresh, "output/.build/working_paper.pdf")
    assert "check_templates" in planned(fresh, "output/.build/published.stamp")


def test_the_print_html_links_the_charts_the_pdf_and_screen_html_show(repo):
    build_dir = repo / "output/.build"
    print_html = (build_dir / "working_paper.print.html").read_text(encoding="utf-8")
    linked = re.findall(r'<img src="([^"]+)"', print_html)
    assert linked and all(src.startswith("../output/.build/charts/") and src.endswith(".svg") for src in linked)
    assert "data:image/svg" not in print_html
    assert str(repo) not in print_html  # relative links: the same on every checkout
    screen = (repo / "output/working_paper.html").read_text(encoding="utf-8")
    assert screen.count('src="data:image/svg+xml;base64,') == len(linked)  # self-contained

    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(repo / "output/working_paper.pdf").pages)
    assert text.count("Number of States") == len(linked)  # every chart drawn into the PDF


def test_the_pdf_is_laid_out_before_it_is_called_and_is_the_plain_render(built_paper, tmp_path):
    """render_paper hands the PDF's process the print HTML and the charts' sizes; render_pdf then
    only puts the drawn charts in. The PDF is byte for byte what a plain render gives."""
    from surveypaper.pdf import write_pdf

    build_dir = built_paper / ".build"
    log = (build_dir / "logs/render_pdf.log").read_text(encoding="utf-8")
    assert log == "layout: made ahead, while the charts were drawn: used\n"
    html = (build_dir / "working_paper.print.html").read_text(encoding="utf-8")
    plain = write_pdf(
        html, tmp_path / "plain.pdf", built_paper.parent / "templates", allowed_dirs=[build_dir / "charts"]
    )
    assert plain.read_bytes() == (built_paper / "working_paper.pdf").read_bytes()


def imported(result: subprocess.CompletedProcess) -> set[str]:
    """Modules `python -X importtime` reports for the Snakemake process itself."""
    return {m.group(1) for m in re.finditer(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", result.stderr, re.M)}


def snakemake_importtime(repo: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "snakemake", "--cores", "1"],
        cwd=repo,
        env={**os.environ, "SURVEYPAPER_CONSOLE": "snakemake"},  # Snakemake's whole console: "Building DAG" below
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_a_dry_run_lint_or_unlock_changes_nothing(repo):
    """Snakemake parses the Snakefile for them too: the stamp stays, no lock is claimed, yet the dry
    run still says that a deliverable deleted by hand will be published again."""
    owner = repo / ".snakemake/surveypaper-build.pid"
    stamp = repo / "output/.build/published.stamp"
    deliverable = repo / "output/working_paper.md"
    saved = deliverable.read_bytes()
    owner.unlink(missing_ok=True)
    deliverable.unlink()
    try:
        assert "publish_outputs" in planned(repo)
        for option in ("--lint", "--unlock"):
            run_snakemake(repo, option)
        assert stamp.exists() and not owner.exists()
    finally:
        deliverable.write_bytes(saved)
    assert planned(repo) == set()


def test_the_snakefile_imports_nothing_heavy(repo):
    modules = imported(snakemake_importtime(repo))  # a no-op: parsing, the DAG, nothing to run
    assert "surveypaper.locks" in modules  # the stale-lock recovery, stdlib only
    heavy = {"weasyprint", "matplotlib", "pandas", "ruamel.yaml", "surveypaper.pipeline", "surveypaper.pdf"}
    assert not heavy & modules


def test_light_steps_run_inside_the_snakemake_process(repo):
    section = repo / SECTION
    original = section.read_text(encoding="utf-8")
    try:
        section.write_text(original + "\nAnother sentence.\n", encoding="utf-8")
        result = snakemake_importtime(repo)
    finally:
        section.write_text(original, encoding="utf-8")
        build(repo)
    assert ran(result) == RENDER_STEPS
    modules = imported(result)
    # check and render ran here (run:, force-use-threads), not in a Snakemake spawned per job...
    assert {"surveypaper.checks", "surveypaper.document"} <= modules
    assert result.stderr.count("Building DAG of jobs") == 1
    # ...and WeasyPrint only in the PDF step's own process; no rule has params, so Snakemake
    # never imports pandas to hash them
    assert "weasyprint" not in modules and "pandas" not in modules


def test_pandas_stays_out_of_the_snakemake_process(repo):
    """A new response: the statistics are computed with pandas in their own process (started ahead);
    the data files are written in the Snakemake process without it."""
    new = repo / "raw/responses/2008/CAN.yaml"
    try:
        new.write_text(NEW_RESPONSE, encoding="utf-8")
        result = snakemake_importtime(repo)
    finally:
        new.unlink(missing_ok=True)
        build(repo)
    assert ran(result) == DATA_STEPS | RENDER_STEPS
    modules = imported(result)
    assert "surveypaper.opendata" in modules and "surveypaper.stats" not in modules
    assert "pandas" not in modules


def test_the_pdf_step_loads_linked_charts_from_the_charts_folder_only(tmp_path):
    """The print HTML links the charts; write_pdf loads them from the folder it is allowed, nothing beside it."""
    from surveypaper.document import TEMPLATES_DIR, charts_href
    from surveypaper.pdf import BlockedFetchError, write_pdf

    charts = tmp_path / "output/.build/charts"
    charts.mkdir(parents=True)
    (charts / "a.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10"/></svg>'
    )
    (tmp_path / "output/.build/secret.svg").write_text((charts / "a.svg").read_text())
    (charts / "escape.svg").symlink_to("/etc/passwd")
    href = charts_href(charts, TEMPLATES_DIR)
    assert href.startswith("../") and href.endswith("/output/.build/charts/")
    page = (
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><img src="{}" alt="a chart"></body></html>'
    )

    out = write_pdf(page.format(href + "a.svg"), tmp_path / "p.pdf", TEMPLATES_DIR, allowed_dirs=[charts])
    assert out.read_bytes().startswith(b"%PDF")
    for src in (href + "a.svg", href + "../secret.svg", href + "escape.svg"):
        allowed = [charts] if src != href + "a.svg" else []  # not allowed at all, or a way out of it
        with pytest.raises(BlockedFetchError, match="outside"):
            write_pdf(page.format(src), tmp_path / "q.pdf", TEMPLATES_DIR, allowed_dirs=allowed)
    assert not (tmp_path / "q.pdf").exists()
