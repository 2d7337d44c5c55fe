"""Snakemake adapter: stats + charts + templates -> Markdown, screen HTML, print HTML."""

import json
from pathlib import Path

from surveypaper.pipeline import render_texts, write_text

sm = snakemake  # noqa: F821
stats = json.loads(Path(sm.input.stats).read_text(encoding="utf-8"))
texts = render_texts(stats, Path(sm.input.states).parent, Path(sm.params.templates), Path(sm.input.charts))
for name in ("markdown", "html", "print_html"):
    write_text(sm.output[name], texts[name])
