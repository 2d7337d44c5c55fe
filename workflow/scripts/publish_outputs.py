"""Snakemake adapter: move the complete staged deliverables into output/, each atomically."""

from pathlib import Path

from surveypaper.publish import publish

sm = snakemake  # noqa: F821
publish(
    {
        "working_paper.md": Path(sm.input.markdown),
        "working_paper.html": Path(sm.input.html),
        "working_paper.pdf": Path(sm.input.pdf),
        "stats.json": Path(sm.input.stats),
    },
    Path(sm.input.charts),
    Path(sm.params.out),
)
