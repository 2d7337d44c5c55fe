"""The build's PDF step: print HTML -> PDF (WeasyPrint; project assets and the build's charts only; bounded in time).

    python workflow/scripts/render_pdf.py PRINT_HTML PDF --assets templates --allow output/.build/charts --timeout 300

A plain script run by the render_pdf rule's `shell:` (not `script:`, whose preamble imports
Snakemake into the process again: about 0.2 s): this process imports WeasyPrint and little else.
"""

import argparse
import sys
from pathlib import Path

from surveypaper.pipeline import NOTHING_PUBLISHED, TimeLimitExceeded, time_limit
from surveypaper.render import RenderError, write_pdf

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("print_html", type=Path)
parser.add_argument("pdf", type=Path)
parser.add_argument("--assets", type=Path, required=True, help="base URL folder: fonts and CSS assets (templates/)")
parser.add_argument("--allow", type=Path, action="append", default=[], help="another folder the HTML may load files from")
parser.add_argument("--timeout", type=int, required=True, help="seconds before the render is stopped")
args = parser.parse_args()

html = args.print_html.read_text(encoding="utf-8")
try:
    with time_limit(args.timeout, "the PDF render"):
        write_pdf(html, args.pdf, assets_dir=args.assets, allowed_dirs=args.allow)
except (RenderError, TimeLimitExceeded) as exc:
    sys.stderr.write(f"\nrender_pdf: {exc}\n{NOTHING_PUBLISHED}\n")
    sys.exit(1)
