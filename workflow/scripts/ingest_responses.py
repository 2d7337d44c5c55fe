"""Snakemake adapter: validate raw/ and write the responses table (one report of all problems)."""

import sys
from pathlib import Path

from surveypaper.errors import ValidationFailed
from surveypaper.pipeline import dump_json, ingest, write_text

try:
    data = ingest(Path(snakemake.input.questionnaire).parent)  # noqa: F821
except ValidationFailed as exc:
    sys.stderr.write(f"\n{exc}\n\nNothing was published; output/ still holds the last good paper.\n")
    sys.exit(1)
write_text(snakemake.output[0], dump_json(data))  # noqa: F821
