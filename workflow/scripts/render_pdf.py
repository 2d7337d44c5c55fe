"""Snakemake adapter: print HTML -> PDF (WeasyPrint, project assets only, bounded in time)."""

import sys
from pathlib import Path

from surveypaper.pipeline import TimeLimitExceeded, time_limit
from surveypaper.render import RenderError, write_pdf

sm = snakemake  # noqa: F821
html = Path(sm.input.print_html).read_text(encoding="utf-8")
try:
    with time_limit(sm.params.timeout, "the PDF render"):
        write_pdf(html, Path(sm.output[0]), assets_dir=Path(sm.params.templates))
except (RenderError, TimeLimitExceeded) as exc:
    sys.stderr.write(f"\nrender_pdf: {exc}\nNothing was published; output/ still holds the last good paper.\n")
    sys.exit(1)
