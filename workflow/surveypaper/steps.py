"""The steps that run in processes of their own (:mod:`surveypaper.warm`).

Light to import (nothing but :mod:`surveypaper.warm`), so that the Snakefile can start their
processes while Snakemake is still building its DAG.
"""

from __future__ import annotations

from .warm import Step

__all__ = ["CHARTS", "PDF", "STATS"]

#: The statistics: pandas' import (0.4-0.8 s) is paid while Snakemake builds its DAG and the
#: responses are read (the Snakefile has it import before the DAG is known when stats.json is
#: missing or older than what it is made from: :func:`surveypaper.warm.go_early`).
STATS = Step("surveypaper.pipeline:compute_stats", ("pandas", "surveypaper.stats", "surveypaper.regions"))

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
