"""Snakemake adapter: `paper check` on the templates against stats.json; findings stop the build."""

import json
import sys
from pathlib import Path

from surveypaper.checks import check_templates
from surveypaper.pipeline import context

sm = snakemake  # noqa: F821
stats = json.loads(Path(sm.input.stats).read_text(encoding="utf-8"))
raw, templates = Path(sm.input.states).parent, Path(sm.params.templates)
findings = check_templates(templates, context(stats, raw, templates, []), raw)
if findings:
    report = "\n".join(str(f) for f in findings)
    Path(sm.log[0]).parent.mkdir(parents=True, exist_ok=True)
    Path(sm.log[0]).write_text(report + "\n", encoding="utf-8")
    sys.stderr.write(
        f"\n{report}\n\npaper check: {len(findings)} finding(s) in the templates (see docs/editing.md).\n"
        "Nothing was published; output/ still holds the last good paper.\n"
    )
    sys.exit(1)
