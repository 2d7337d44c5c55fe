"""The steps of the workflow as plain functions: what each Snakemake script calls."""

from __future__ import annotations

import json
from pathlib import Path

from markupsafe import Markup

from . import questionnaire as qmod
from .publish import write_atomic


def dump_json(data) -> str:
    """Stable JSON: sorted keys, fixed indentation, trailing newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def ingest(raw_dir: Path) -> dict:
    """Validate every response against the questionnaire, States and themes (raises ValidationFailed)."""
    from .ingest import load_all
    from .states import load_states, load_themes

    raw_dir = Path(raw_dir)
    q = qmod.load(raw_dir / "questionnaire.yaml")
    return load_all(raw_dir, q, load_states(raw_dir / "states.yaml"), load_themes(raw_dir / "themes.yaml"))


def stats(responses: dict, questionnaire_path: Path, themes_path: Path) -> dict:
    """stats.json from validated responses."""
    from .stats import compute
    from .states import load_themes

    return compute(qmod.load(questionnaire_path), load_themes(themes_path), responses)


def context(stats_data: dict, raw_dir: Path, templates_dir: Path, charts: list) -> dict:
    """The template context for this build."""
    from .context import build_context
    from .states import load_states
    from .yamlio import load_config

    raw_dir, templates_dir = Path(raw_dir), Path(templates_dir)
    paper = load_config(templates_dir / "paper.yaml") or {}
    return build_context(
        stats_data, load_states(raw_dir / "states.yaml"), qmod.load(raw_dir / "questionnaire.yaml"), paper, charts
    )


def render_texts(stats_data: dict, raw_dir: Path, templates_dir: Path, charts_dir: Path) -> dict[str, str]:
    """The Markdown, the screen HTML and the print HTML of the paper."""
    from .render import build_html
    from .templating import render_markdown

    charts_dir = Path(charts_dir)
    manifest = json.loads((charts_dir / "charts.json").read_text(encoding="utf-8"))
    for chart in manifest:  # chart paths are built from question keys: already safe in Markdown
        chart["file"] = Markup(chart["file"])
    ctx = context(stats_data, raw_dir, templates_dir, manifest)
    markdown = render_markdown(templates_dir, ctx)
    meta = ctx["paper"]
    return {
        "markdown": markdown,
        "html": build_html(markdown, meta, charts_dir, "screen", templates_dir=templates_dir),
        "print_html": build_html(markdown, meta, charts_dir, "print", templates_dir=templates_dir),
    }


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
