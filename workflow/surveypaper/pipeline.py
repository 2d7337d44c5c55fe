"""The steps of the workflow as plain functions: what each Snakemake rule calls.

Most rules run in the Snakemake process itself (``run:`` blocks, with the profile's
``force-use-threads``): the ``*_step`` functions below. They pay no interpreter start-up and no
import twice, and the project files every step reads (questionnaire, States, themes,
``paper.yaml``) are parsed once per build and per file version (:func:`_cached`). Two steps run
in processes of their own, started ahead of them (:mod:`surveypaper.steps`): the charts, so that
they are drawn on another core while the text is rendered, and the PDF, because WeasyPrint is
the heaviest import, its layout can start before the charts are drawn (:func:`pdf_layout`), and
a runaway layout must be stoppable.

A step that finds a problem writes its one report to stderr and raises :class:`BuildStopped`,
which Snakemake prints as one more line (no traceback); nothing is published.
"""

from __future__ import annotations

import copy
import json
import sys
import threading
from pathlib import Path

from markupsafe import Markup

from .publish import write_atomic

NOTHING_PUBLISHED = "Nothing was published; output/ still holds the last good paper."


class BuildStopped(RuntimeError):
    """A step stopped the build after reporting why (on stderr)."""


def _stop(report: str, detail: str = "") -> BuildStopped:
    """Write ``report`` (and ``detail``) to stderr; the exception to raise after it."""
    tail = f"{detail}\n" if detail else "\n"
    sys.stderr.write(f"\n{report}\n{tail}{NOTHING_PUBLISHED}\n")
    sys.stderr.flush()
    return BuildStopped("the build stopped: see the report above")


# --- project files, parsed once per version ---------------------------------------------------

_cache: dict[tuple[str, str], tuple[tuple, object]] = {}
_cache_lock = threading.Lock()


def _cached(kind: str, path: Path, load):
    """``load(path)``, reused while the file is unchanged (same inode, size and mtime).

    One build reads questionnaire.yaml in ingest, stats, check and render; in one process that is
    one parse. An edit changes the mtime, so a long-lived process (the preview) reads it again.
    """
    path = Path(path)
    st = path.stat()
    version = (st.st_ino, st.st_size, st.st_mtime_ns)
    key = (kind, str(path.resolve()))
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    value = load(path)
    with _cache_lock:
        _cache[key] = (version, value)
    return value


def load_questionnaire(path: Path):
    """The questionnaire (immutable: shared between steps)."""
    from . import questionnaire as qmod

    return _cached("questionnaire", path, qmod.load)


def load_states(path: Path) -> dict:
    """raw/states.yaml (a fresh dict of immutable States)."""
    from .states import load_states as load

    return dict(_cached("states", path, load))


def load_themes(path: Path) -> dict:
    """raw/themes.yaml (a fresh dict)."""
    from .states import load_themes as load

    return dict(_cached("themes", path, load))


def load_paper(path: Path) -> dict:
    """templates/paper.yaml (a fresh copy: templates may not change the shared one)."""
    from .yamlio import load_config

    return copy.deepcopy(_cached("paper", path, lambda p: load_config(p) or {}))


def dump_json(data) -> str:
    """Stable JSON: sorted keys, fixed indentation, trailing newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def ingest(raw_dir: Path) -> dict:
    """Validate every response against the questionnaire, States and themes (raises ValidationFailed)."""
    from .ingest import load_all

    raw_dir = Path(raw_dir)
    q = load_questionnaire(raw_dir / "questionnaire.yaml")
    return load_all(raw_dir, q, load_states(raw_dir / "states.yaml"), load_themes(raw_dir / "themes.yaml"))


def stats(responses: dict, questionnaire_path: Path, themes_path: Path) -> dict:
    """stats.json from validated responses."""
    from .stats import compute

    return compute(load_questionnaire(questionnaire_path), load_themes(themes_path), responses)


def context(stats_data: dict, raw_dir: Path, templates_dir: Path, charts: list) -> dict:
    """The template context for this build."""
    from .context import build_context

    raw_dir, templates_dir = Path(raw_dir), Path(templates_dir)
    return build_context(
        stats_data,
        load_states(raw_dir / "states.yaml"),
        load_questionnaire(raw_dir / "questionnaire.yaml"),
        load_paper(templates_dir / "paper.yaml"),
        charts,
    )


def chart_manifest(stats_data: dict, questionnaire_path: Path) -> list[dict]:
    """What the text needs of the charts (key, title, file, alt, size), computed without drawing them."""
    from .charts import chart_manifest as manifest

    return manifest(stats_data, load_questionnaire(questionnaire_path).as_dict())


def render_markdown(stats_data: dict, raw_dir: Path, templates_dir: Path, manifest: list[dict] | None = None) -> str:
    """The paper's Markdown (raises TemplateProblem); ``manifest``, if given, is :func:`chart_manifest`'s."""
    from .templating import render_markdown as render

    raw_dir = Path(raw_dir)
    if manifest is None:
        manifest = chart_manifest(stats_data, raw_dir / "questionnaire.yaml")
    # chart paths are built from question keys: already safe in Markdown
    charts = [{**chart, "file": Markup(chart["file"])} for chart in manifest]
    return render(templates_dir, context(stats_data, raw_dir, templates_dir, charts))


def render_texts(
    stats_data: dict, raw_dir: Path, templates_dir: Path, charts_dir: Path, *, link_charts: bool = False
) -> dict[str, str]:
    """The Markdown, the screen HTML and the print HTML of the paper.

    The screen HTML inlines the charts of ``charts_dir``; the print HTML does too, or, with
    ``link_charts``, refers to them there (relative to ``templates_dir``, the PDF's base URL).
    """
    markdown = render_markdown(stats_data, raw_dir, templates_dir)
    return {
        "markdown": markdown,
        "html": screen_html(markdown, templates_dir, charts_dir),
        "print_html": print_html(markdown, templates_dir, charts_dir, link_charts=link_charts),
    }


def screen_html(markdown: str, templates_dir: Path, charts_dir: Path) -> str:
    """The self-contained screen HTML: CSS and charts inline."""
    from .render import build_html

    meta = load_paper(Path(templates_dir) / "paper.yaml")
    return build_html(markdown, meta, Path(charts_dir), "screen", templates_dir=templates_dir)


def print_html(markdown: str, templates_dir: Path, charts_dir: Path, *, link_charts: bool = True) -> str:
    """The HTML WeasyPrint renders; with ``link_charts`` it needs no drawn chart yet."""
    from .render import build_html, charts_href

    meta = load_paper(Path(templates_dir) / "paper.yaml")
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


def ingest_step(raw_dir: Path, out: Path) -> None:
    """Validate raw/ and write the responses table; all problems in one report."""
    from .errors import ValidationFailed

    try:
        data = ingest(raw_dir)
    except ValidationFailed as exc:
        raise _stop(str(exc)) from None
    write_text(out, dump_json(data))


def stats_step(responses_json: Path, questionnaire_path: Path, themes_path: Path, out: Path) -> None:
    """responses.json -> stats.json."""
    write_text(out, dump_json(stats(_read_json(responses_json), questionnaire_path, themes_path)))


def charts_step(stats_json: Path, questionnaire_path: Path, out_dir: Path, fonts_dir: Path | None = None) -> None:
    """One SVG per closed question, and charts.json (the manifest)."""
    from .charts import FONTS_DIR, draw_charts

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    questionnaire = load_questionnaire(questionnaire_path).as_dict()
    manifest = draw_charts(_read_json(stats_json), questionnaire, out_dir, fonts_dir=Path(fonts_dir or FONTS_DIR))
    write_text(out_dir / "charts.json", dump_json(manifest))


def pdf_layout(print_html_path: Path, assets_dir: Path, allowed_dirs: list, charts: dict):
    """The first half of :func:`pdf_step`, ahead of it: the layout, knowing only the charts' sizes.

    ``charts`` maps each chart file to its size in points (:func:`chart_sizes`). Returns the
    :class:`~surveypaper.render.Layout` that :func:`pdf_step` is then given.
    """
    from .render import layout_pdf

    html = Path(print_html_path).read_text(encoding="utf-8")
    return layout_pdf(html, Path(assets_dir), charts=charts, allowed_dirs=[Path(d) for d in allowed_dirs])


def pdf_step(
    print_html_path: Path, pdf: Path, assets_dir: Path, allowed_dirs: list, log: Path | None = None, *, prepared=None
) -> None:
    """The PDF from the print HTML: project assets and ``allowed_dirs`` (the charts) only.

    ``prepared``, from :func:`pdf_layout`, is used if it still holds; ``log`` says whether it was.
    """
    from .render import RenderError, write_pdf

    html = Path(print_html_path).read_text(encoding="utf-8")
    try:
        write_pdf(
            html, Path(pdf), assets_dir=Path(assets_dir), allowed_dirs=[Path(d) for d in allowed_dirs], layout=prepared
        )
    except RenderError as exc:
        raise _stop(f"render_pdf: {exc}") from None
    if log is not None:
        how = "made when called" if prepared is None else f"made ahead, while the charts were drawn: {prepared.outcome}"
        write_text(Path(log), f"layout: {how}\n")


def check_step(stats_json: Path, charts_dir: Path, raw_dir: Path, templates_dir: Path, log: Path) -> None:
    """`paper check` on the templates against the data and the drawn charts; findings stop the build."""
    from .checks import charts_manifest, check_templates

    raw_dir, templates_dir = Path(raw_dir), Path(templates_dir)
    charts = charts_manifest(Path(charts_dir))
    findings = check_templates(templates_dir, context(_read_json(stats_json), raw_dir, templates_dir, charts), raw_dir)
    if findings:
        report = "\n".join(str(f) for f in findings)
        write_text(log, report + "\n")
        raise _stop(report, f"\npaper check: {len(findings)} finding(s) in the templates (see docs/editing.md).")


def render_step(
    stats_json: Path, raw_dir: Path, templates_dir: Path, charts_dir: Path, markdown_out: Path, print_out: Path
) -> dict[str, list[float]]:
    """The Markdown and the print HTML; the print HTML links the charts, which may not be drawn yet.

    Returns the charts' sizes (:func:`chart_sizes`): enough to lay the print HTML out.
    """
    from .template_errors import TemplateProblem

    stats_data = _read_json(stats_json)
    manifest = chart_manifest(stats_data, Path(raw_dir) / "questionnaire.yaml")
    try:
        markdown = render_markdown(stats_data, raw_dir, templates_dir, manifest)
    except TemplateProblem as exc:  # one line for the editor: file, line, name, "did you mean"
        raise _stop(str(exc)) from None
    write_text(markdown_out, markdown)
    write_text(print_out, print_html(markdown, templates_dir, charts_dir, link_charts=True))
    return chart_sizes(manifest, charts_dir)


def chart_sizes(manifest: list[dict], charts_dir: Path) -> dict[str, list[float]]:
    """Each chart file of ``manifest`` in ``charts_dir`` -> its [width, height] in points, drawn or not."""
    return {str(Path(charts_dir) / Path(chart["file"]).name): chart["size_pt"] for chart in manifest}


def screen_step(markdown_path: Path, templates_dir: Path, charts_dir: Path, out: Path) -> None:
    """The self-contained screen HTML from the Markdown and the drawn charts."""
    write_text(out, screen_html(Path(markdown_path).read_text(encoding="utf-8"), templates_dir, charts_dir))


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


def publish_step(files: dict[str, Path], charts_dir: Path, out_dir: Path) -> None:
    """Move the complete staged deliverables into output/, each atomically."""
    from .publish import publish

    publish({name: Path(p) for name, p in files.items()}, Path(charts_dir), Path(out_dir))
