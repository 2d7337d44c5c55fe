"""The Jinja environment for the narrative: StrictUndefined, Markdown-escaped output, tested filters."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .filters import FILTERS, md_escape


def make_env(templates_dir: Path) -> Environment:
    """An environment where every printed value is escaped for Markdown unless a filter marked it safe."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        undefined=StrictUndefined,
        autoescape=False,
        finalize=md_escape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def render_markdown(templates_dir: Path, context: dict, entry: str = "paper.md.j2") -> str:
    """Render the paper's Markdown from its entry template."""
    text = make_env(templates_dir).get_template(entry).render(context)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"
