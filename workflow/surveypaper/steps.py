"""The steps that run in processes of their own (:mod:`surveypaper.warm`), and the rule that feeds the PDF's ahead.

Light to import (nothing but :mod:`surveypaper.warm`), so that the Snakefile can start their
processes while Snakemake is still building its DAG.
"""

from __future__ import annotations

from .warm import Step, prepare

__all__ = ["CHARTS", "PDF", "STATS", "render_paper"]

#: The statistics: pandas' import (0.4-0.8 s) is paid while Snakemake builds its DAG and the
#: responses are read (the Snakefile has it import before the DAG is known when stats.json is
#: missing or older than what it is made from: :func:`surveypaper.warm.go_early`), and then
#: parses the project files and does pandas' first-use imports (:func:`~surveypaper.pipeline.prepare_stats`).
STATS = Step(
    "surveypaper.pipeline:compute_stats",
    ("pandas", "surveypaper.stats", "surveypaper.regions"),
    prepare="surveypaper.pipeline:prepare_stats",
)

#: The charts: matplotlib's import (benchmarks/RESULTS.md) is paid while the responses are read.
CHARTS = Step(
    "surveypaper.pipeline:draw_charts",
    ("matplotlib.figure", "matplotlib.backends.backend_svg", "matplotlib.backends.backend_agg"),
)

#: The PDF: WeasyPrint's import likewise, and its process can be stopped by a
#: signal. Once the print HTML is written it lays the paper out, while the charts are still
#: being drawn (:func:`surveypaper.pipeline.layout_pdf`).
PDF = Step(
    "surveypaper.pipeline:render_pdf", ("weasyprint", "surveypaper.pdf"), prepare="surveypaper.pipeline:layout_pdf"
)


def render_paper(
    stats_json: str,
    raw_dir,
    templates_dir,
    charts_dir: str,
    markdown_out: str,
    print_out: str,
    *,
    pdf_timeout: int,
) -> None:
    """The rule ``render_paper``: the text (:func:`surveypaper.pipeline.render_paper`), then the PDF's layout.

    Once the print HTML is written, the PDF's process (if this build started one) is handed it
    with the charts' sizes and lays the paper out while the charts are drawn
    (:func:`surveypaper.pipeline.layout_pdf`); ``render_pdf`` later calls it with the same print
    HTML, templates and charts folder.
    """
    from .pipeline import render_paper as render_text

    sizes = render_text(stats_json, raw_dir, templates_dir, charts_dir, markdown_out, print_out)
    prepare(PDF, print_out, templates_dir, [charts_dir], charts=sizes, timeout=pdf_timeout)
