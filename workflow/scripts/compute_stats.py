"""Snakemake adapter: responses -> stats.json."""

import json
from pathlib import Path

from surveypaper.pipeline import dump_json, stats, write_text

sm = snakemake  # noqa: F821
responses = json.loads(Path(sm.input.responses).read_text(encoding="utf-8"))
write_text(sm.output[0], dump_json(stats(responses, sm.input.questionnaire, sm.input.themes)))
