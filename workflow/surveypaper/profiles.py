"""One-page State profiles (``output/profiles/<ISO3>.pdf``), rendered in batches.

``snakemake --cores all profiles`` fans the States out over ``K`` batch jobs (rule
``profile_batch``); each job is one process, ``python -m surveypaper.profiles``, that imports
WeasyPrint once and renders its States: the sorted list of every State that responded in any
round, every ``K``-th one from its batch number. A profile's HTML is Jinja from
``templates/profile/``; its PDF is kept in a cache keyed by that HTML (and what the layout
loads), so a batch re-run because another State's response changed copies the PDFs it already
has and renders only the States whose page changed; with nothing to render, WeasyPrint is not
even imported.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
from importlib import metadata
from pathlib import Path

from markupsafe import Markup

PROFILE_TEMPLATES = "profile"


def batch_codes(codes, batch: int, batches: int) -> list[str]:
    """The States of batch ``batch`` of ``batches``: every ``batches``-th of the sorted codes."""
    if not 0 <= batch < batches:
        raise ValueError(f"batch {batch} of {batches}: expected 0 <= batch < batches")
    return sorted(codes)[batch::batches]


def profile_htmls(responses: dict, raw_dir: Path, templates_dir: Path, codes: list[str]) -> dict[str, str]:
    """The print HTML of each State's profile (the same data as its page of the site)."""
    from .project import load_paper, load_questionnaire, load_states, load_themes
    from .site import by_state, html_env, state_page

    raw_dir, templates_dir = Path(raw_dir), Path(templates_dir)
    questionnaire = load_questionnaire(raw_dir / "questionnaire.yaml")
    states, themes = load_states(raw_dir / "states.yaml"), load_themes(raw_dir / "themes.yaml")
    paper = load_paper(templates_dir / "paper.yaml")
    # the vendored fonts (their URLs are relative to templates/, the PDF's base), then the profile's CSS
    css = "\n".join(
        (templates_dir / name).read_text(encoding="utf-8")
        for name in ("css/fonts.css", f"{PROFILE_TEMPLATES}/profile.css")
    )
    everyone = by_state(responses)
    template = html_env(templates_dir, PROFILE_TEMPLATES).get_template("profile.html.j2")
    return {
        code: template.render(
            paper=paper,
            css=Markup(css),
            state=states[code],
            page=state_page(code, everyone[code], questionnaire, themes),
        )
        for code in codes
    }


def assets_fingerprint(templates_dir: Path) -> str:
    """What a profile's layout depends on besides its HTML: the fonts and CSS it loads, the renderer."""
    digest = hashlib.sha256()
    for folder in ("fonts", "css"):
        for path in sorted((Path(templates_dir) / folder).rglob("*")):
            if path.is_file():
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(metadata.version("weasyprint").encode())
    digest.update((Path(__file__).parent / "pdf.py").read_bytes())
    return digest.hexdigest()


def render_batch(
    responses_json: Path,
    raw_dir: Path,
    templates_dir: Path,
    out_dir: Path,
    cache_dir: Path,
    batch: int,
    batches: int,
) -> dict[str, list[str]]:
    """Write ``<ISO3>.pdf`` into ``out_dir`` for each State of the batch; returns what was rendered or reused."""
    responses = json.loads(Path(responses_json).read_text(encoding="utf-8"))
    codes = batch_codes({r["state"] for rows in responses["rounds"].values() for r in rows}, batch, batches)
    htmls = profile_htmls(responses, raw_dir, templates_dir, codes)
    assets = assets_fingerprint(templates_dir)
    out_dir, cache_dir = Path(out_dir), Path(cache_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    done: dict[str, list[str]] = {"rendered": [], "reused": []}
    for code, html in htmls.items():
        key = hashlib.sha256((assets + html).encode("utf-8")).hexdigest()[:24]
        cached = cache_dir / f"{code}.{key}.pdf"
        if cached.is_file():
            done["reused"].append(code)
        else:
            from .pdf import write_pdf  # WeasyPrint is imported here, once per batch, if at all

            write_pdf(html, cached, Path(templates_dir))
            for old in cache_dir.glob(f"{code}.*.pdf"):
                if old != cached:
                    old.unlink()
            done["rendered"].append(code)
        shutil.copyfile(cached, out_dir / f"{code}.pdf")
    return done


def main(argv: list[str] | None = None) -> int:
    """``python -m surveypaper.profiles``: one batch of profiles (what the rule profile_batch runs)."""
    parser = argparse.ArgumentParser(prog="python -m surveypaper.profiles", description=main.__doc__)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--of", type=int, required=True, dest="batches")
    parser.add_argument("--responses", type=Path, required=True)
    parser.add_argument("--raw", type=Path, required=True)
    parser.add_argument("--templates", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cache", type=Path, required=True)
    args = parser.parse_args(argv)
    from .errors import RenderError

    try:
        done = render_batch(args.responses, args.raw, args.templates, args.out, args.cache, args.batch, args.batches)
    except RenderError as exc:
        print(f"profile_batch {args.batch} of {args.batches}: {exc}", file=sys.stderr)
        return 1
    for what, codes in done.items():
        print(f"{what}: {len(codes)} {' '.join(codes)}")
    print(f"process: {os.getpid()}, parent {os.getppid()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
