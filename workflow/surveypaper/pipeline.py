"""The steps of the workflow as plain functions: each is named after the Snakemake rule that calls it.

Most rules run in the Snakemake process itself (``run:`` blocks, with the profile's
``force-use-threads``). They pay no interpreter start-up and no import twice, and the project
files every step reads (questionnaire, States, themes, ``paper.yaml``) are parsed once per build
and per file version (:mod:`surveypaper.project`). Two steps run in processes of their own,
started ahead of them (:mod:`surveypaper.steps`): the charts (:func:`draw_charts`), so that they
are drawn on another core while the text is rendered, and the PDF (:func:`render_pdf`), because
WeasyPrint is the heaviest import, its layout can start before the charts are drawn
(:func:`layout_pdf`), and a runaway layout must be stoppable.

A step that finds a problem writes its one report to stderr and raises :class:`BuildStopped`,
which Snakemake prints as one more line (no traceback); nothing is published.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

from . import project
from .publish import write_atomic

NOTHING_PUBLISHED = "Nothing was published; output/ still holds the last good paper."


class BuildStopped(RuntimeError):
    """A step stopped the build after reporting why (on stderr)."""


_reported: set[str] | None = None  # lines already reported in this build (see start_build)
_reported_lock = threading.Lock()


def start_build() -> None:
    """A build starts in this process (the workflow's onstart): its steps report each problem once."""
    global _reported
    with _reported_lock:
        _reported = set()


def _stop(report: str, detail: str = "") -> BuildStopped:
    """Write ``report`` (and ``detail``) to stderr; the exception to raise after it.

    The steps of one build run in one process, and two of them may find the same problem (the
    render and the check both stop on a template error): a line already reported is not repeated,
    nor is the closing "Nothing was published".
    """
    with _reported_lock:
        seen = _reported if _reported is not None else set()
        lines = [line for line in report.splitlines() if not line.strip() or line not in seen]
        first = not seen
        if _reported is not None:
            _reported.update(line for line in report.splitlines() if line.strip())
    text = "\n".join(lines).strip("\n")
    if text:
        tail = f"{detail}\n" if detail else ""
        closing = f"\n{NOTHING_PUBLISHED}\n" if first else ""
        sys.stderr.write(f"\n{text}\n{tail}{closing}")
        sys.stderr.flush()
    return BuildStopped("the build stopped: see the report above")


def dump_json(data) -> str:
    """Stable JSON: sorted keys, fixed indentation, trailing newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def screen_html(markdown: str, templates_dir: Path, charts_dir: Path) -> str:
    """The self-contained screen HTML: CSS and charts inline."""
    from .document import build_html

    meta = project.load_paper(Path(templates_dir) / "paper.yaml")
    return build_html(markdown, meta, Path(charts_dir), "screen", templates_dir=templates_dir, data_links=DATA_LINKS)


#: The data behind the paper (output/data/, written by :func:`write_data`), as the screen HTML
#: beside it in output/ links them: the layout's ``data``.
DATA_LINKS = {
    "workbook": "data/working_paper_data.xlsx",
    "responses": "data/responses.csv",
    "figures": "data/figures.csv",
    "package": "data/datapackage.json",
}


def print_html(markdown: str, templates_dir: Path, charts_dir: Path, *, link_charts: bool = True) -> str:
    """The HTML WeasyPrint renders; with ``link_charts`` it needs no drawn chart yet."""
    from .document import build_html, charts_href

    meta = project.load_paper(Path(templates_dir) / "paper.yaml")
    href = charts_href(charts_dir, templates_dir) if link_charts else None
    return build_html(markdown, meta, Path(charts_dir), "print", templates_dir=templates_dir, charts_href=href)


def write_text(path: Path, text: str) -> None:
    """Write a build file atomically."""
    write_atomic(Path(path), text)


class TimeLimitExceeded(RuntimeError):
    """A step ran longer than its bound."""


def time_limit(seconds: int, what: str):
    """A context manager that stops the step with a clear error after `seconds` (POSIX alarm)."""
    import contextlib
    import signal

    @contextlib.contextmanager
    def bound():
        def expire(signum, frame):
            raise TimeLimitExceeded(f"{what} took longer than {seconds} s and was stopped")

        previous = signal.signal(signal.SIGALRM, expire)
        signal.alarm(int(seconds))
        try:
            yield
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)

    return bound()


# --- the rules' steps (called from the run: blocks of workflow/rules/*.smk) -----------------


def _read_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def ingest_responses(raw_dir: Path, out: Path, log: Path | None = None) -> None:
    """Validate raw/ and write the responses table; all problems in one report.

    ``log`` gets what each header of a table (a survey-tool export) was matched to."""
    from .errors import ValidationFailed

    lines: list[str] = []
    try:
        data = project.ingest(raw_dir, lines)
    except ValidationFailed as exc:
        raise _stop(str(exc)) from None
    finally:
        if log is not None:
            write_text(Path(log), "".join(f"{line}\n" for line in lines) or "no tables: no headers to match\n")
    write_text(out, dump_json(data))


def prepare_stats(questionnaire_path: Path, themes_path: Path, regions_path: Path | None = None) -> None:
    """The first part of :func:`compute_stats`, before the responses are read: the project files
    parsed (kept in this process for the call) and pandas' first-use imports done, by computing
    the statistics of one made-up response per round."""
    from .regions import load_regions, source_table
    from .stats import compute

    questionnaire = project.load_questionnaire(questionnaire_path)
    themes = project.load_themes(themes_path)
    code = next(iter(sorted(source_table())))
    answers = {q.key: q.choices[0] for q in questionnaire.closed if q.choices and not q.asked_if}
    response = {"state": code, "answers": answers, "comments": {}, "themes": list(themes)[:1]}
    path = Path(regions_path) if regions_path else Path(questionnaire_path).parent / "regions.yaml"
    compute(questionnaire, themes, {"rounds": {"1": [response], "2": [response]}}, load_regions(path, {code}))


def compute_stats(
    responses_json: Path,
    questionnaire_path: Path,
    themes_path: Path,
    out: Path,
    regions_path: Path | None = None,
    paper_path: Path | None = None,
    *,
    prepared=None,
    prepare_failed: str | None = None,
) -> None:
    """responses.json -> stats.json (in the process of :data:`surveypaper.steps.STATS`), for the
    rounds templates/paper.yaml (``paper_path``) names. What :func:`prepare_stats` did ahead stays
    in the process (``prepared`` holds nothing); had it failed (``prepare_failed``), the call does
    that work itself, and a real problem is reported here."""
    from .errors import ValidationFailed

    try:
        responses = _read_json(responses_json)
        stats = project.stats_from_responses(responses, questionnaire_path, themes_path, regions_path, paper_path)
    except ValidationFailed as exc:
        raise _stop(str(exc)) from None
    write_text(out, dump_json(stats))


def draw_charts(
    stats_json: Path,
    questionnaire_path: Path,
    out_dir: Path,
    fonts_dir: Path | None = None,
    png_dir: Path | None = None,
) -> None:
    """One SVG per closed question, and charts.json (the manifest); with ``png_dir``, a PNG of each there."""
    from . import charts

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if png_dir is not None:
        Path(png_dir).mkdir(parents=True, exist_ok=True)
    questionnaire = project.load_questionnaire(questionnaire_path).as_dict()
    fonts = Path(fonts_dir or charts.FONTS_DIR)
    manifest = charts.draw_charts(_read_json(stats_json), questionnaire, out_dir, fonts_dir=fonts, png_dir=png_dir)
    write_text(out_dir / "charts.json", dump_json(manifest))


def layout_pdf(print_html_path: Path, assets_dir: Path, allowed_dirs: list, charts: dict):
    """The first half of :func:`render_pdf`, ahead of it: the layout, knowing only the charts' sizes.

    ``charts`` maps each chart file to its size in points (:func:`chart_sizes`). Returns the
    :class:`~surveypaper.pdf.Layout` that :func:`render_pdf` is then given.
    """
    from . import pdf

    html = Path(print_html_path).read_text(encoding="utf-8")
    return pdf.layout_pdf(html, Path(assets_dir), charts=charts, allowed_dirs=[Path(d) for d in allowed_dirs])


def render_pdf(
    print_html_path: Path,
    pdf: Path,
    assets_dir: Path,
    allowed_dirs: list,
    log: Path | None = None,
    responses_json: Path | None = None,
    *,
    prepared=None,
    prepare_failed: str | None = None,
) -> None:
    """The PDF from the print HTML: project assets and ``allowed_dirs`` (the charts) only.

    ``prepared``, from :func:`layout_pdf`, is used if it still holds; ``log`` says whether it was,
    or that the layout made ahead failed (``prepare_failed``: the PDF is then laid out here).
    Characters no font has stop the build with one problem row per respondent's text holding
    them, found in ``responses_json`` (:func:`surveypaper.fonts.missing_glyph_problems`).
    """
    from .errors import RenderError, format_report
    from .pdf import MissingGlyphs, write_pdf

    html = Path(print_html_path).read_text(encoding="utf-8")
    try:
        write_pdf(
            html, Path(pdf), assets_dir=Path(assets_dir), allowed_dirs=[Path(d) for d in allowed_dirs], layout=prepared
        )
    except MissingGlyphs as exc:
        from .fonts import missing_glyph_problems

        responses = _read_json(responses_json) if responses_json and Path(responses_json).is_file() else None
        raise _stop(format_report(missing_glyph_problems(exc.chars, responses))) from None
    except RenderError as exc:
        raise _stop(f"render_pdf: {exc}") from None
    if log is not None:
        if prepare_failed is not None:
            how = f"made when called: the layout made ahead failed ({prepare_failed})"
        elif prepared is None:
            how = "made when called"
        else:
            how = f"made ahead, while the charts were drawn: {prepared.outcome}"
        write_text(Path(log), f"layout: {how}\n")


def check_templates(stats_json: Path, charts_dir: Path, raw_dir: Path, templates_dir: Path, log: Path) -> None:
    """`paper check` on the templates against the data and the drawn charts; findings stop the build."""
    from . import checks

    raw_dir, templates_dir = Path(raw_dir), Path(templates_dir)
    charts = project.read_chart_manifest(Path(charts_dir))
    context = project.template_context(_read_json(stats_json), raw_dir, templates_dir, charts)
    findings = checks.check_templates(templates_dir, context, raw_dir)
    if findings:
        report = "\n".join(str(f) for f in findings)
        write_text(log, report + "\n")
        raise _stop(report, f"\npaper check: {len(findings)} finding(s) in the templates (see docs/editing.md).")


def render_paper(
    stats_json: Path, raw_dir: Path, templates_dir: Path, charts_dir: Path, markdown_out: Path, print_out: Path
) -> dict[str, list[float]]:
    """The Markdown and the print HTML; the print HTML links the charts, which may not be drawn yet.

    Returns the charts' sizes (:func:`chart_sizes`): enough to lay the print HTML out.
    """
    from .template_errors import TemplateProblem

    stats_data = _read_json(stats_json)
    manifest = project.chart_manifest(stats_data, Path(raw_dir) / "questionnaire.yaml")
    try:
        markdown = project.markdown_from_stats(stats_data, raw_dir, templates_dir, manifest)
    except TemplateProblem as exc:  # one line for the editor: file, line, name, "did you mean"
        raise _stop(str(exc)) from None
    write_text(markdown_out, markdown)
    write_text(print_out, print_html(markdown, templates_dir, charts_dir, link_charts=True))
    return chart_sizes(manifest, charts_dir)


def chart_sizes(manifest: list[dict], charts_dir: Path) -> dict[str, list[float]]:
    """Each chart file of ``manifest`` in ``charts_dir`` -> its [width, height] in points, drawn or not."""
    return {str(Path(charts_dir) / Path(chart["file"]).name): chart["size_pt"] for chart in manifest}


def write_data(responses_json: Path, stats_json: Path, raw_dir: Path, templates_dir: Path, out_dir: Path) -> None:
    """output/data/: the responses and figures as CSV, their Data Package, and the workbook (no pandas)."""
    from . import opendata

    files = opendata.build(
        project.load_questionnaire(Path(raw_dir) / "questionnaire.yaml"),
        _read_json(responses_json),
        _read_json(stats_json),
        project.load_paper(Path(templates_dir) / "paper.yaml"),
    )
    opendata.write(Path(out_dir), files)


def render_html(
    markdown_path: Path,
    templates_dir: Path,
    charts_dir: Path,
    out: Path,
    stats_json: Path | None = None,
    raw_dir: Path | None = None,
    provenance_out: Path | None = None,
) -> None:
    """The self-contained screen HTML from the Markdown and the drawn charts.

    With ``stats_json``, ``raw_dir`` and ``provenance_out``, every computed value of the page
    carries its template expression (``data-expr``) and ``provenance_out`` lists them
    (:mod:`surveypaper.provenance`); the Markdown read is the check that the page says the same.
    """
    markdown = Path(markdown_path).read_text(encoding="utf-8")
    if stats_json is None or raw_dir is None or provenance_out is None:
        write_text(out, screen_html(markdown, templates_dir, charts_dir))
        return
    from . import provenance

    stats_data = _read_json(stats_json)
    manifest = project.chart_manifest(stats_data, Path(raw_dir) / "questionnaire.yaml")
    context = project.template_context(stats_data, raw_dir, templates_dir, project.safe_charts(manifest))
    marked, entries = provenance.render_marked(templates_dir, context, markdown)
    html = provenance.marks_to_spans(screen_html(marked, templates_dir, charts_dir), entries)
    items = provenance.entries_json(marked, entries)
    questions = project.load_questionnaire(Path(raw_dir) / "questionnaire.yaml").questions
    html = provenance.add_question_ids(html, questions)
    html = provenance.with_cards(html, items, provenance.anchors(html, manifest, questions))
    write_text(provenance_out, dump_json(items))
    write_text(out, html)


def docx(markdown: str, templates_dir: Path, charts_dir: Path, png_dir: Path | None) -> bytes:
    """The paper's ``.docx`` from its Markdown: ``templates/reference.docx``'s styles, the charts as PNG."""
    from .document import paper_properties
    from .docx import REFERENCE_DOC, markdown_to_docx

    templates_dir = Path(templates_dir)
    props = paper_properties(project.load_paper(templates_dir / "paper.yaml"))
    manifest = Path(charts_dir) / "charts.json"
    charts = _read_json(manifest) if manifest.is_file() else []
    sizes = {Path(c["file"]).stem: c["size_pt"] for c in charts}
    return markdown_to_docx(markdown, props, templates_dir / REFERENCE_DOC, png_dir, sizes)


def render_docx(markdown_path: Path, templates_dir: Path, charts_dir: Path, png_dir: Path, out: Path) -> None:
    """The Word document, beside the PDF: pandoc, run from the Markdown and the charts' PNG copies."""
    from .docx import DocxError

    markdown = Path(markdown_path).read_text(encoding="utf-8")
    try:
        data = docx(markdown, templates_dir, charts_dir, png_dir)
    except DocxError as exc:
        raise _stop(f"render_docx: {exc}") from None
    write_atomic(Path(out), data)


def forget_staging(build_dir: Path, keep: tuple[str, ...] = ("logs",)) -> None:
    """After a failed build, remove what it staged (``keep`` aside), so that the next run redoes every step.

    Snakemake deletes the outputs of the job that failed, and on the next run does not redo a job
    whose output is missing while the jobs after it are up to date; nor does it count as changed
    an input whose checksum it recorded when the failed job started. So a response file that
    failed validation would be left out silently by the next run ("Nothing to be done", exit 0).
    With nothing staged, the next run starts again from raw/ and reports the problem again.
    ``output/`` (the last good paper) is not touched.
    """
    import shutil

    build_dir = Path(build_dir)
    if not build_dir.is_dir():
        return
    for entry in build_dir.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def render_site(
    responses_json: Path,
    stats_json: Path,
    markdown: Path,
    charts_dir: Path,
    raw_dir: Path,
    templates_dir: Path,
    out_dir: Path,
):
    """The static site (surveypaper.site) into ``out_dir``: Jinja only, beside the PDF."""
    from .site import build_site, regions_of

    raw_dir, templates_dir, charts_dir = Path(raw_dir), Path(templates_dir), Path(charts_dir)
    manifest = project.read_chart_manifest(charts_dir)
    pages = build_site(
        _read_json(responses_json),
        Path(markdown).read_text(encoding="utf-8"),
        {c["key"]: charts_dir / Path(c["file"]).name for c in manifest},
        project.load_questionnaire(raw_dir / "questionnaire.yaml"),
        project.load_states(raw_dir / "states.yaml"),
        project.load_themes(raw_dir / "themes.yaml"),
        project.load_paper(templates_dir / "paper.yaml"),
        templates_dir,
        regions_of(_read_json(stats_json)),
    )
    for rel, text in pages.items():  # staging, a folder Snakemake removes if the step fails: no fsync needed
        path = Path(out_dir) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def publish_outputs(
    files: dict[str, Path], charts_dir: Path, out_dir: Path, dirs: dict[str, Path] | None = None
) -> None:
    """Move the complete staged deliverables into output/, each atomically (``dirs``: folders, e.g. data/)."""
    from .publish import publish

    publish(
        {name: Path(p) for name, p in files.items()},
        Path(charts_dir),
        Path(out_dir),
        {name: Path(p) for name, p in (dirs or {}).items()},
    )


def publish_profiles(batch_dirs: list, out_dir: Path) -> None:
    """Publish the profiles of every batch into ``out_dir`` (unchanged files untouched, stale ones removed)."""
    from .publish import publish_files

    publish_files({pdf.name: pdf for d in batch_dirs for pdf in sorted(Path(d).glob("*.pdf"))}, Path(out_dir))


def profile_batch(raw_dir: Path, templates_dir: Path, responses_json: Path, out_dir: Path, wildcards, log: Path):
    """One batch of State profiles, in a process of its own (``python -m surveypaper.profiles``).

    The rule's ``run:`` block is a thread of the Snakemake process (force-use-threads): it only
    waits here, so the batches render on every core, each importing WeasyPrint once. ``wildcards``
    give the batch and the number of batches; the PDFs are cached beside ``out_dir``, in ``cache/``.
    """
    import os
    import subprocess

    batch, batches = int(wildcards.batch), int(wildcards.batches)
    cache_dir = Path(out_dir).parent / "cache"
    package_root = str(Path(__file__).resolve().parents[1])  # this copy of surveypaper, first
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    args = ["--batch", str(batch), "--of", str(batches), "--responses", str(responses_json), "--raw", str(raw_dir)]
    args += ["--templates", str(templates_dir), "--out", str(out_dir), "--cache", str(cache_dir)]
    Path(log).parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w", encoding="utf-8") as fh:
        done = subprocess.run(
            [sys.executable, "-m", "surveypaper.profiles", *args], stdout=fh, stderr=subprocess.STDOUT, env=env
        )
    if done.returncode != 0:
        raise _stop(f"profile_batch {batch} of {batches}:\n" + Path(log).read_text(encoding="utf-8").strip())
