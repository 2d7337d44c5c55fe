"""The Jinja environment for the narrative: StrictUndefined, Markdown-escaped output, tested filters.

A template error never surfaces as a Python traceback: :func:`markdown_from_context` raises a
:class:`~surveypaper.template_errors.TemplateProblem` whose text is one line with the template
file, the line, the offending name and the closest known names.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from .filters import FILTERS, md_escape
from .printing import PrintGuard
from .template_errors import EditorUndefined, TemplateProblem, problem_from_exception

__all__ = ["TemplateProblem", "make_env", "markdown_from_context", "render_template"]


def make_env(templates_dir: Path, loader=None) -> Environment:
    """An environment where every printed value is escaped for Markdown unless a filter marked it safe.

    Compiled templates are cached and recompiled only when their file changes (`auto_reload`), so
    a long-lived environment (the preview) re-renders an edit without recompiling the rest.
    """
    env = Environment(
        loader=loader or FileSystemLoader(str(templates_dir)),
        undefined=EditorUndefined,
        autoescape=False,
        finalize=md_escape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
        extensions=[PrintGuard],
    )
    env.filters.update(FILTERS)
    return env


def render_template(env: Environment, templates_dir: Path, name: str, context: dict) -> str:
    """Render one template; any failure becomes one TemplateProblem (file, line, name, suggestions)."""
    try:
        return env.get_template(name).render(context)
    except TemplateProblem:
        raise
    except Exception as exc:
        raise problem_from_exception(exc, Path(templates_dir), env, context) from exc


def markdown_from_context(
    templates_dir: Path, context: dict, entry: str = "paper.md.j2", env: Environment | None = None
) -> str:
    """Render the paper's Markdown from its entry template (pass `env` to reuse compiled templates)."""
    env = env if env is not None else make_env(templates_dir)
    text = render_template(env, templates_dir, entry, context)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"
