"""Snakemake adapter: print HTML -> PDF (WeasyPrint, project assets only)."""

from pathlib import Path

from surveypaper.render import write_pdf

sm = snakemake  # noqa: F821
html = Path(sm.input.print_html).read_text(encoding="utf-8")
write_pdf(html, Path(sm.output[0]), assets_dir=Path(sm.params.templates))
