"""Snakemake adapter: stats.json -> one SVG per closed question and charts.json (the manifest)."""

import json
from pathlib import Path

from surveypaper.charts import draw_charts
from surveypaper.pipeline import dump_json, write_text
from surveypaper.questionnaire import load

sm = snakemake  # noqa: F821
out = Path(sm.output[0])
out.mkdir(parents=True, exist_ok=True)
stats = json.loads(Path(sm.input.stats).read_text(encoding="utf-8"))
manifest = draw_charts(stats, load(sm.input.questionnaire).as_dict(), out)
write_text(out / "charts.json", dump_json(manifest))
