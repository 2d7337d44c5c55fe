"""The build's charts step: stats.json -> one SVG per closed question and charts.json (the manifest).

    python workflow/scripts/draw_charts.py STATS_JSON QUESTIONNAIRE_YAML OUT_DIR [--fonts templates/fonts]

Run by the draw_charts rule's `shell:` in a process of its own, so that it draws on the other
core while the Snakemake process checks the templates and renders the text (threads there would
take turns on one interpreter lock).
"""

import argparse
from pathlib import Path

from surveypaper.pipeline import charts_step

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("stats", type=Path)
parser.add_argument("questionnaire", type=Path)
parser.add_argument("out_dir", type=Path)
parser.add_argument("--fonts", type=Path, help="the vendored fonts (default: the repository's templates/fonts)")
args = parser.parse_args()
charts_step(args.stats, args.questionnaire, args.out_dir, fonts_dir=args.fonts)
