"""Benchmarks of the site and the State profiles (not run by benchmarks/run.py; run it on its own).

    python benchmarks/site_profiles.py [--runs 3] [--out benchmarks/SITE_PROFILES.md]

- site: synthetic data (benchmarks/run.py's generator: a 40-question questionnaire, 10 rounds)
  for 25, 50, 100 and 193 States; `surveypaper.site.build_site` and the writing of its pages, in
  one process, against the shipped paper's Markdown (tests/data/paper_2008.md) for the citations.
  Linear in States means the time per State stays flat.
- profiles: the real questionnaire, 53 States (the shipped data) and 193 (shipped respondents
  cycled); `snakemake --cores C profiles --config profile_batches=C` for C = 1 and all cores, the
  profiles' cache cleared first (every profile rendered), whole process. Against it: a bare
  WeasyPrint render of one profile (ARG) in a fresh process (import + layout + write), and the
  same render in a warm process (layout + write only).

Whole-process wall-clock seconds, medians of --runs runs after a warm-up; timings never go into tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import PY, ROOT, cycled_raw, fresh_copy, machine, run, synthetic_raw

SITE = """
import json, sys, time
from pathlib import Path
from surveypaper import pipeline, project
from surveypaper.site import build_site
raw, markdown, templates, out = map(Path, sys.argv[1:5])
t0 = time.perf_counter()
responses = project.ingest(raw)
t1 = time.perf_counter()
pages = build_site(responses, markdown.read_text(), {}, project.load_questionnaire(raw / "questionnaire.yaml"),
                   project.load_states(raw / "states.yaml"), project.load_themes(raw / "themes.yaml"),
                   project.load_paper(templates / "paper.yaml"), templates)
for rel, text in pages.items():
    pipeline.write_text(out / rel, text)
t2 = time.perf_counter()
print(json.dumps({"ingest": t1 - t0, "site": t2 - t1, "pages": len(pages)}))
"""

# One profile: its HTML, then WeasyPrint in this process, timed without and with the import.
ONE = """
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from surveypaper import pdf, profiles
import weasyprint  # noqa: F401
t1 = time.perf_counter()
responses = json.loads(Path(sys.argv[1]).read_text())
html = profiles.profile_htmls(responses, Path("raw"), Path("templates"), ["ARG"])["ARG"]
t2 = time.perf_counter()
pdf.write_pdf(html, Path(sys.argv[2]), Path("templates"))
t3 = time.perf_counter()
pdf.write_pdf(html, Path(sys.argv[2]), Path("templates"))
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "html": t2 - t1, "first render": t3 - t2, "warm render": t4 - t3}))
"""


def median_of(fn, runs: int) -> float:
    fn()  # warm-up
    return statistics.median(fn() for _ in range(runs))


def bench_site(base: Path, runs: int) -> list[dict]:
    repo = fresh_copy(base, "site")
    rows = []
    for n in (25, 50, 100, 193):
        synthetic_raw(repo / "raw", n, 10, 40)
        out = base / f"site-{n}"
        cmd = [
            PY,
            "-c",
            SITE,
            str(repo / "raw"),
            str(ROOT / "tests/data/paper_2008.md"),
            str(repo / "templates"),
            str(out),
        ]
        results = []
        for _ in range(runs + 1):
            shutil.rmtree(out, ignore_errors=True)
            results.append(json.loads(run(cmd, repo)[1].stdout))
        site = statistics.median(r["site"] for r in results[1:])
        rows.append(
            {"states": n, "rounds": 10, "pages": results[0]["pages"], "site": site, "per_state_ms": 1000 * site / n}
        )
    return rows


def bench_profiles(base: Path, runs: int) -> dict:
    cores = os.cpu_count() or 1
    out: dict = {"cores": cores, "rows": []}
    for n in (53, 193):
        repo = fresh_copy(base, f"profiles{n}")
        if n != 53:
            cycled_raw(repo / "raw", n)
        run([PY, "-m", "snakemake", "--cores", "1", "output/.build/responses.json"], repo)
        for c in sorted({1, cores}):
            cmd = [
                PY,
                "-m",
                "snakemake",
                "profiles",
                "--cores",
                str(c),
                "--config",
                f"profile_batches={c}",
                "--quiet",
                "all",
            ]

            def cold(cmd=cmd, repo=repo):
                shutil.rmtree(repo / "output/.build/profiles", ignore_errors=True)
                shutil.rmtree(repo / "output/profiles", ignore_errors=True)
                return run(cmd, repo)[0]

            seconds = median_of(cold, runs)
            made = len(list((repo / "output/profiles").glob("*.pdf")))
            out["rows"].append({"states": made, "cores": c, "seconds": seconds, "per_profile": seconds / made})
        if n == 53:
            cmd = [PY, "-c", ONE, "output/.build/responses.json", str(base / "one.pdf")]
            one = [json.loads(run(cmd, repo)[1].stdout) for _ in range(runs + 1)][1:]
            out["one"] = {k: statistics.median(r[k] for r in one) for k in one[0]}
            out["bare"] = median_of(lambda repo=repo: _bare(repo, base), runs)
    return out


def _bare(repo: Path, base: Path) -> float:
    """A fresh process: import WeasyPrint, render ARG's profile HTML (written beforehand), write the PDF."""
    html = base / "ARG.profile.html"
    if not html.exists():
        code = "import json,sys;from pathlib import Path;from surveypaper import profiles;"
        code += "r=json.loads(Path('output/.build/responses.json').read_text());"
        code += "Path(sys.argv[1]).write_text(profiles.profile_htmls(r,Path('raw'),Path('templates'),['ARG'])['ARG'])"
        run([PY, "-c", code, str(html)], repo)
    floor = "import sys;from weasyprint import HTML;HTML(filename=sys.argv[1],base_url=sys.argv[2]).write_pdf(sys.argv[3],pdf_variant='pdf/ua-1',pdf_tags=True)"
    return run([PY, "-c", floor, str(html), (repo / "templates").as_uri() + "/", str(base / "bare.pdf")], repo)[0]


def report(site: list[dict], prof: dict, started: str) -> str:
    lines = [f"# Site and profiles benchmark ({started})", "", f"Machine: {json.dumps(machine())}", ""]
    lines += [
        "## Site, synthetic data, 10 rounds",
        "",
        "| States | pages | site (s) | ms per State |",
        "|---|---|---|---|",
    ]
    lines += [f"| {r['states']} | {r['pages']} | {r['site']:.2f} | {r['per_state_ms']:.1f} |" for r in site]
    lines += [
        "",
        "## Profiles",
        "",
        "| States | cores (batches) | whole process (s) | s per profile |",
        "|---|---|---|---|",
    ]
    lines += [f"| {r['states']} | {r['cores']} | {r['seconds']:.2f} | {r['per_profile']:.3f} |" for r in prof["rows"]]
    one = prof.get("one", {})
    lines += [
        "",
        f"Bare WeasyPrint render of one profile (ARG), fresh process: {prof.get('bare', 0):.2f} s. In one process: "
        f"WeasyPrint import {one.get('import', 0):.2f} s, its HTML {one.get('html', 0):.3f} s, first render "
        f"{one.get('first render', 0):.2f} s, a second render (the layout's own cost) {one.get('warm render', 0):.2f} s.",
    ]
    by = {(r["states"], r["cores"]): r["seconds"] for r in prof["rows"]}
    for n in sorted({r["states"] for r in prof["rows"]}):
        if (n, 1) in by and (n, prof["cores"]) in by and prof["cores"] > 1:
            lines.append(f"Speed-up on {prof['cores']} cores, {n} States: {by[(n, 1)] / by[(n, prof['cores'])]:.2f}x.")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/SITE_PROFILES.md")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    with tempfile.TemporaryDirectory(prefix="site-bench-") as tmp:
        base = Path(tmp)
        site = bench_site(base, args.runs)
        prof = bench_profiles(base, args.runs)
    text = report(site, prof, started)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
