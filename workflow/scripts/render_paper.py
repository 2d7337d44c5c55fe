"""Snakemake adapter: stats + charts + templates -> Markdown, screen HTML, print HTML."""

import json
import sys
from pathlib import Path

from surveypaper.pipeline import render_texts, write_text
from surveypaper.template_errors import TemplateProblem

sm = snakemake  # noqa: F821
stats = json.loads(Path(sm.input.stats).read_text(encoding="utf-8"))
try:
    texts = render_texts(stats, Path(sm.input.states).parent, Path(sm.params.templates), Path(sm.input.charts))
except TemplateProblem as exc:  # one line for the editor: file, line, name, "did you mean"
    sys.stderr.write(f"\n{exc}\n\nNothing was published; output/ still holds the last good paper.\n")
    sys.exit(1)
for name in ("markdown", "html", "print_html"):
    write_text(sm.output[name], texts[name])
