"""Benchmarks: whole-process timings of the workflow, medians of N runs after a warm-up.

    python benchmarks/run.py [--runs 11] [--scale-runs 3] [--preview-edits 15] [--out benchmarks/RESULTS.md]

Each scenario runs in a fresh copy of the repository under a temporary folder (the working tree
is never touched), with that copy's own `workflow/` first on PYTHONPATH. Timings are wall-clock
seconds of whole processes, started the way a user starts them (`snakemake --cores all` at the
repository root), so they include interpreter start-up and imports.

- cold build: output/ and .snakemake/ removed first. Its floor is the bare WeasyPrint render of
  the print HTML that build produced: the same file, the same options (pdf/ua-1, tagged, base URL
  templates/), in one fresh `python` process. Cold builds and floors alternate, so that a busy
  spell on a shared machine hits both.
- no-op rebuild: nothing changed. Its floor, `snakemake --version` (the CLI's own start-up), alternates with it.
- rebuild after a template edit / after a new response: which jobs ran is read from Snakemake's
  own job list and shown beside the time.
- preview: benchmarks/preview.py (a separate script: `paper preview` serving the screen HTML),
  folded in as one line.
- where a cold build's time goes: one more cold build, each job's start and end stamped as
  Snakemake reports them.
- scale: synthetic data generated here. (a) 193 States x 1, 2, 5, 10 rounds of a 40-question
  questionnaire: ingest, stats and charts (the paper's templates speak of the real questionnaire,
  so the text is not rendered), whole process and, in one process, each stage on its own;
  (b) the real questionnaire with 193 States in each of the two rounds (each answering as a
  shipped respondent does, cycled): the whole paper, PDF included.

Timings stay out of the test suite (tests assert behaviour); this script measures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(
    "output", ".snakemake", ".git", "__pycache__", "*.egg-info", ".pytest_cache", ".venv", "node_modules"
)
PY = sys.executable
SNAKEMAKE = [PY, "-m", "snakemake", "--cores", "all"]
TARGET = 1.5  # issue 7: cold build <= 1.5x the floor, no-op <= 1.5x `snakemake --version`

# The floor: WeasyPrint alone, in a fresh process, on the build's own print HTML, with the
# options of surveypaper.pdf.write_pdf.
FLOOR = """
import sys
from weasyprint import HTML
opts = dict(pdf_variant="pdf/ua-1", pdf_tags=True)
HTML(filename=sys.argv[1], base_url=sys.argv[2]).write_pdf(sys.argv[3], **opts)
"""

# The build's two steps with processes of their own, each alone in a fresh process (interpreter,
# import, work), as surveypaper.warm runs them when nothing was started ahead.
CHARTS_STEP = "import sys; from surveypaper.pipeline import draw_charts; draw_charts(*sys.argv[1:])"
PDF_STEP = "import sys; from surveypaper.pipeline import render_pdf; render_pdf(*sys.argv[1:4], sys.argv[4:])"

# One process, each stage timed on its own (the scale run's breakdown): once cold (imports, the
# questionnaire and States read), then the median of three warm passes (the work that grows with
# the answers).
STAGES = """
import json, statistics, sys, tempfile, time
from pathlib import Path
from surveypaper import project
from surveypaper.charts import draw_charts
raw = Path(sys.argv[1])
def once():
    t0 = time.perf_counter(); responses = project.ingest(raw)
    t1 = time.perf_counter(); stats = project.stats_from_responses(responses, raw / "questionnaire.yaml", raw / "themes.yaml")
    t2 = time.perf_counter(); q = project.load_questionnaire(raw / "questionnaire.yaml").as_dict()
    manifest = draw_charts(stats, q, Path(tempfile.mkdtemp()))
    t3 = time.perf_counter()
    return {"ingest": t1 - t0, "stats": t2 - t1, "charts": t3 - t2, "n_charts": len(manifest)}
cold = once()
warm = [once() for _ in range(3)]
out = {k: statistics.median(w[k] for w in warm) for k in ("ingest", "stats", "charts")}
out.update({"cold " + k: cold[k] for k in ("ingest", "stats", "charts")}, n_charts=cold["n_charts"])
print(json.dumps(out))
"""


# The whole paper's steps, each timed on its own in one process (the 193-State run).
PAPER_STAGES = """
import json, sys, time
from pathlib import Path
from surveypaper import pipeline, project
from surveypaper.checks import check_templates
raw, templates, build = (Path(a) for a in sys.argv[1:4])
t = {}
def timed(name, fn):
    start = time.perf_counter(); value = fn(); t[name] = time.perf_counter() - start; return value
responses = timed("ingest", lambda: project.ingest(raw))
stats = timed("stats", lambda: project.stats_from_responses(responses, raw / "questionnaire.yaml", raw / "themes.yaml"))
pipeline.write_text(build / "stats.json", pipeline.dump_json(stats))
timed("charts", lambda: pipeline.draw_charts(build / "stats.json", raw / "questionnaire.yaml", build / "charts"))
findings = timed("check", lambda: check_templates(templates, project.template_context(stats, raw, templates, []), raw))
markdown = timed("markdown", lambda: project.markdown_from_stats(stats, raw, templates))
html = timed("print HTML", lambda: pipeline.print_html(markdown, templates, build / "charts"))
pipeline.write_text(build / "working_paper.print.html", html)
timed("screen HTML", lambda: pipeline.screen_html(markdown, templates, build / "charts"))
t["findings"] = [str(f) for f in findings]
print(json.dumps(t))
"""


# --- helpers -----------------------------------------------------------------------------------


def env_for(repo: Path) -> dict:
    """This copy's own code first (the package is installed editable from the working tree).

    Python caches compiled modules in __pycache__ as it does on any user's machine: a
    PYTHONDONTWRITEBYTECODE set around this script (some sandboxes do) would make every process
    compile the copy's package from source again, which no user's build pays.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(repo / "workflow"), os.environ.get("PYTHONPATH")]))
    env["SURVEYPAPER_CONSOLE"] = "snakemake"  # Snakemake's own console: the job list the timings read
    return env


def run(cmd, cwd: Path, check: bool = True) -> tuple[float, subprocess.CompletedProcess]:
    """Run a command; (wall-clock seconds, result)."""
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env_for(cwd))
    elapsed = time.perf_counter() - start
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed in {cwd}:\n{result.stderr[-3000:]}")
    return elapsed, result


def sh(cmd, cwd: Path) -> float:
    return run(cmd, cwd)[0]


def fresh_copy(base: Path, name: str) -> Path:
    dest = base / name
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ROOT, dest, ignore=IGNORE)
    return dest


def reset_build(repo: Path) -> None:
    shutil.rmtree(repo / "output", ignore_errors=True)
    shutil.rmtree(repo / ".snakemake", ignore_errors=True)


def jobs_run(result: subprocess.CompletedProcess) -> list[str]:
    """The rules Snakemake ran, in the order it started them (its job list on stderr)."""
    return re.findall(r"^(?:local)?rule (\w+):", result.stderr + result.stdout, re.M)


def floor_cmd(repo: Path, out: Path) -> list[str]:
    html = repo / "output/.build/working_paper.print.html"
    return [PY, "-c", FLOOR, str(html), (repo / "templates").as_uri() + "/", str(out)]


class Timings(dict):
    """name -> list of seconds; median and the runs."""

    def add(self, name: str, seconds: float) -> None:
        self.setdefault(name, []).append(seconds)

    def median(self, name: str) -> float:
        return statistics.median(self[name])


# --- the shipped paper ---------------------------------------------------------------------------


def bench_workflow(base: Path, runs: int, t: Timings, notes: dict) -> Path:
    repo = fresh_copy(base, "repo")
    floor_pdf = base / "floor.pdf"

    # warm-up: one cold build and one floor, untimed
    reset_build(repo)
    sh(SNAKEMAKE, repo)
    sh(floor_cmd(repo, floor_pdf), repo)
    outcomes: dict[str, int] = {}
    for _ in range(runs):
        reset_build(repo)
        t.add("cold build", sh(SNAKEMAKE, repo))
        outcome = layout_outcome(repo)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        t.add("bare WeasyPrint render (floor)", sh(floor_cmd(repo, floor_pdf), repo))
    notes["pages"] = _pages(repo / "output/working_paper.pdf")
    notes["layout ahead"] = outcomes

    version = [PY, "-m", "snakemake", "--version"]
    sh(SNAKEMAKE, repo)
    sh(version, repo)
    for _ in range(runs):
        elapsed, result = run(SNAKEMAKE, repo)
        assert "Nothing to be done" in result.stderr + result.stdout, result.stderr[-2000:]
        t.add("no-op rebuild", elapsed)
        t.add("snakemake --version", sh(version, repo))

    section = repo / "templates/sections/08_recommendations.md.j2"
    text = section.read_text(encoding="utf-8")
    for i in range(runs + 1):  # the first is the warm-up
        section.write_text(text + f"\n{{# edit {i} #}}\n", encoding="utf-8")
        elapsed, result = run(SNAKEMAKE, repo)
        if i:
            t.add("rebuild after a template edit", elapsed)
    notes["template edit"] = jobs_run(result)
    section.write_text(text, encoding="utf-8")
    sh(SNAKEMAKE, repo)

    new = repo / "raw/responses/2008/CAN.yaml"
    for i in range(runs + 1):
        new.write_text("state: CAN\nanswers:\n  national_plan: yes\n", encoding="utf-8")
        elapsed, result = run(SNAKEMAKE, repo)
        if i:
            t.add("rebuild after a new response", elapsed)
        notes["new response"] = jobs_run(result)
        new.unlink()
        sh(SNAKEMAKE, repo)  # back to the shipped data, untimed

    notes["timeline"] = timeline(repo)
    log = repo / "output/.build/logs/render_pdf.log"
    notes["layout"] = log.read_text(encoding="utf-8").strip() if log.exists() else "(no render_pdf log)"
    return repo


def layout_outcome(repo: Path) -> str:
    """How the last build's PDF was laid out: "used" (made ahead, while the charts were drawn), or
    why not: made when called, not used (a chart of another size...), failed (the error)."""
    log = repo / "output/.build/logs/render_pdf.log"
    text = log.read_text(encoding="utf-8").strip() if log.exists() else ""
    if text.endswith(": used"):
        return "used"
    if "failed" in text:
        return "failed"
    if "not used" in text:
        return "not used"
    return "made when called" if text else "no log"


def bench_avoided(runs: int) -> dict[str, float]:
    """What the code's comments used to quote: each import a step pays, in a fresh interpreter
    (the interpreter's own start-up subtracted), median of ``runs``."""
    bare = statistics.median(sh([PY, "-c", "pass"], ROOT) for _ in range(runs))
    imports = {
        "WeasyPrint (the PDF's process imports it ahead: surveypaper.steps)": "import weasyprint",
        "matplotlib's figure and SVG backend (the charts' process, likewise)": (
            "import matplotlib.figure, matplotlib.backends.backend_svg, matplotlib.backends.backend_agg"
        ),
        "pandas (what Snakemake 9 imports to hash a rule's params: the rules take none)": "import pandas",
    }
    return {
        what: statistics.median(sh([PY, "-c", code], ROOT) for _ in range(runs)) - bare
        for what, code in imports.items()
    }


def _pages(pdf: Path) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(pdf).pages)


def timeline(repo: Path) -> list[tuple[float, str]]:
    """One cold build, each job's start and end stamped as Snakemake prints them."""
    reset_build(repo)
    start = time.perf_counter()
    proc = subprocess.Popen(
        SNAKEMAKE, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env_for(repo)
    )
    events = []
    for line in proc.stderr:
        if m := re.match(r"(?:local)?rule (\w+):", line):
            events.append((time.perf_counter() - start, f"start {m.group(1)}"))
        elif m := re.match(r"Finished jobid: \d+ \(Rule: (\w+)\)", line):
            events.append((time.perf_counter() - start, f"end {m.group(1)}"))
    proc.wait()
    events.append((time.perf_counter() - start, "process exited"))
    if proc.returncode != 0:
        raise SystemExit("the timeline build failed")
    return events


# The plain-SVG chart writer the project tried before settling on matplotlib (commit 48cdd46):
# drawn and laid out here beside the matplotlib charts, so that the README's comparison is measured.
PLAIN_SVG_COMMIT = "48cdd46"
EMPTY_SVG = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSIzNDBwdCIgaGVpZ2h0PSIxNjBwdCIvPg=="
DRAW_PLAIN = """
import importlib.util, json, sys
from pathlib import Path
from surveypaper import project
spec = importlib.util.spec_from_file_location("plain_charts", sys.argv[1])
charts = importlib.util.module_from_spec(spec); spec.loader.exec_module(charts)
stats = json.loads(Path(sys.argv[2]).read_text())
q = project.load_questionnaire(Path(sys.argv[3])).as_dict()
charts.draw_charts(stats, q, Path(sys.argv[4]), fonts_dir=Path(sys.argv[5]))
"""


# WeasyPrint on variants of one print HTML, in one process, the variants alternating (less noise
# than whole processes when the differences are a fraction of a second).
RENDER_VARIANTS = """
import json, statistics, sys, time
from weasyprint import HTML
base_url, out, runs, *files = sys.argv[1:]
opts = dict(pdf_variant="pdf/ua-1", pdf_tags=True)
times = {f: [] for f in files}
for i in range(int(runs) + 1):
    for f in files:
        start = time.perf_counter()
        HTML(filename=f, base_url=base_url).write_pdf(out, **opts)
        if i:
            times[f].append(time.perf_counter() - start)
print(json.dumps({f: statistics.median(t) for f, t in times.items()}))
"""


def bench_charts(base: Path, repo: Path, runs: int) -> list[dict]:
    """The charts: drawing them (whole process) and what they add to WeasyPrint's render of the paper.

    WeasyPrint's share is its render of the build's print HTML minus the same render with each
    chart replaced by an empty image of the same size (one process, variants alternating).
    """
    build = repo / "output/.build"
    html = (build / "working_paper.print.html").read_text(encoding="utf-8")
    prefix = re.search(r'<img src="([^"]*/)[^"/]+\.svg"', html).group(1)
    variants = {
        "none (empty images of the same size)": re.sub(r'<img src="[^"]*\.svg"', f'<img src="{EMPTY_SVG}"', html)
    }
    draws = {
        "matplotlib (the build's)": [
            PY,
            "-c",
            CHARTS_STEP,
            str(build / "stats.json"),
            str(repo / "raw/questionnaire.yaml"),
            str(base / "mpl"),
            "templates/fonts",
        ]
    }
    variants["matplotlib (the build's)"] = html
    old = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{PLAIN_SVG_COMMIT}:workflow/surveypaper/charts.py"],
        capture_output=True,
        text=True,
    )
    if old.returncode == 0:
        module = base / "plain_charts.py"
        module.write_text(old.stdout, encoding="utf-8")
        plain = base / "plain"
        name = f"plain SVG writer ({PLAIN_SVG_COMMIT})"
        draws[name] = [
            PY,
            "-c",
            DRAW_PLAIN,
            str(module),
            str(build / "stats.json"),
            str(repo / "raw/questionnaire.yaml"),
            str(plain),
            str(repo / "templates/fonts"),
        ]
        run(draws[name], repo)
        variants[name] = html.replace(f'<img src="{prefix}', f'<img src="{plain.as_uri()}/')
    files = {}
    for i, (name, page) in enumerate(variants.items()):
        files[name] = base / f"variant-{i}.html"
        files[name].write_text(page, encoding="utf-8")
    renders = json.loads(
        run(
            [
                PY,
                "-c",
                RENDER_VARIANTS,
                (repo / "templates").as_uri() + "/",
                str(base / "variant.pdf"),
                str(max(runs, 11)),
                *map(str, files.values()),
            ],
            repo,
        )[1].stdout
    )
    rows = []
    for name, path in files.items():
        draw = statistics.median(sh(draws[name], repo) for _ in range(runs)) if name in draws else None
        rows.append({"charts": name, "render": renders[str(path)], "draw": draw})
    return rows


def bench_preview(edits: int) -> dict | None:
    script = ROOT / "benchmarks/preview.py"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run([PY, str(script), "-n", str(edits)], capture_output=True, text=True, cwd=ROOT, env=env)
    if out.returncode != 0:
        print(f"benchmarks/preview.py failed (left out):\n{out.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- scale: synthetic data ------------------------------------------------------------------------


def _codes(n: int, keep: list[str]) -> list[str]:
    """n ISO 3166-1 alpha-3 codes: the shipped States first, then others in code order."""
    import pycountry

    others = sorted(c.alpha_3 for c in pycountry.countries if c.alpha_3 not in keep)
    return (keep + others)[:n]


def synthetic_raw(raw: Path, n_states: int, n_rounds: int, n_questions: int, seed: int = 7) -> int:
    """A questionnaire of n_questions closed questions, n_states States answering in each of n_rounds.

    Returns the number of answers (States x rounds x questions).
    """
    import random

    import pycountry

    rng = random.Random(seed)
    shutil.rmtree(raw / "responses", ignore_errors=True)
    codes = _codes(n_states, [])
    (raw / "states.yaml").write_text(
        "".join(f"{c}: {{name: {json.dumps(pycountry.countries.get(alpha_3=c).name)}}}\n" for c in codes),
        encoding="utf-8",
    )
    (raw / "themes.yaml").write_text("t1: theme one\nt2: theme two\n", encoding="utf-8")
    questions = []
    for i in range(n_questions):
        if i % 4 == 3:
            questions.append(
                f"      - {{key: q{i:02d}, number: '{i + 1}', type: choice, choices: [daily, weekly, monthly], short: Q{i + 1}, text: Question {i + 1}?}}"
            )
        else:
            questions.append(
                f"      - {{key: q{i:02d}, number: '{i + 1}', type: yes_no, short: Q{i + 1}, text: Question {i + 1}?}}"
            )
    (raw / "questionnaire.yaml").write_text(
        "title: Synthetic\nintro: Synthetic.\nsections:\n  - key: s\n    title: S\n    questions:\n"
        + "\n".join(questions)
        + "\n",
        encoding="utf-8",
    )
    keys = [f"q{i:02d}" for i in range(n_questions)]
    for r in range(n_rounds):
        folder = raw / "responses" / str(2000 + r)
        folder.mkdir(parents=True)
        with open(folder / "responses.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["state", *keys, "themes"])
            for c in codes:
                row = [
                    rng.choice(["daily", "weekly", "monthly", ""]) if i % 4 == 3 else rng.choice(["yes", "no", ""])
                    for i in range(n_questions)
                ]
                w.writerow([c, *row, rng.choice(["t1", "t2", "t1;t2", ""])])
    return n_states * n_rounds * n_questions


def bench_scale(base: Path, runs: int) -> list[dict]:
    repo = fresh_copy(base, "scale")
    rows = []
    target = [*SNAKEMAKE, "output/.build/charts", "--quiet", "all"]
    for n_rounds in (1, 2, 5, 10):
        answers = synthetic_raw(repo / "raw", 193, n_rounds, 40)

        def whole():
            reset_build(repo)
            return sh(target, repo)

        whole()  # warm-up
        whole_times = [whole() for _ in range(runs)]
        stages = [json.loads(run([PY, "-c", STAGES, str(repo / "raw")], repo)[1].stdout) for _ in range(runs)]
        rows.append(
            {
                "states": 193,
                "rounds": n_rounds,
                "questions": 40,
                "answers": answers,
                "whole": statistics.median(whole_times),
                **{
                    k: statistics.median(s[k] for s in stages)
                    for k in ("ingest", "stats", "charts", "cold ingest", "cold stats", "cold charts")
                },
                "n_charts": stages[0]["n_charts"],
            }
        )
    return rows


def cycled_raw(raw: Path, n_states: int) -> list[str]:
    """raw/ with n_states States in each shipped round, each answering as a shipped respondent does, cycled."""
    shipped_states = {}
    for line in (raw / "states.yaml").read_text(encoding="utf-8").splitlines():
        if m := re.match(r"([A-Z]{3}): ", line):
            shipped_states[m.group(1)] = line
    codes = _codes(n_states, sorted(shipped_states))
    import pycountry

    lines = [
        shipped_states.get(c) or f"{c}: {{name: {json.dumps(pycountry.countries.get(alpha_3=c).name)}}}" for c in codes
    ]
    (raw / "states.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for folder in sorted(p for p in (raw / "responses").iterdir() if p.is_dir()):
        yamls = sorted(folder.glob("*.yaml"))
        if yamls:  # each new State answers as a shipped respondent does, cycled
            texts = [p.read_text(encoding="utf-8") for p in yamls]
            for p in yamls:
                p.unlink()
            for i, code in enumerate(codes):
                text = re.sub(r"^state: \w+", f"state: {code}", texts[i % len(texts)], count=1, flags=re.M)
                (folder / f"{code}.yaml").write_text(text, encoding="utf-8")
        for table in folder.glob("*.csv"):
            with open(table, newline="", encoding="utf-8") as fh:
                rows = list(csv.reader(fh))
            head, body = rows[0], rows[1:]
            cycled = [head] + [[code, *body[i % len(body)][1:]] for i, code in enumerate(codes)]
            with open(table, "w", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerows(cycled)
    return codes


def paper_at_193(base: Path, runs: int) -> dict:
    """The real questionnaire and templates, 193 States in each shipped round; the whole paper."""
    repo = fresh_copy(base, "paper193")
    raw = repo / "raw"
    codes = cycled_raw(raw, 193)
    build = repo / "output/.build"
    reset_build(repo)
    _elapsed, result = run(SNAKEMAKE, repo, check=False)
    log = build / "logs/check_templates.log"
    out = {
        "respondents": len(codes),
        "built": result.returncode == 0,
        "check": log.read_text(encoding="utf-8").strip() if result.returncode and log.is_file() else "",
    }
    if result.returncode == 0:
        cold, floor = [], []
        for _ in range(runs):
            reset_build(repo)
            cold.append(sh(SNAKEMAKE, repo))
            floor.append(sh(floor_cmd(repo, base / "floor193.pdf"), repo))
        out.update(cold=statistics.median(cold), floor=statistics.median(floor))
    # Each step on its own (check included), then the PDF step and the floor, whole processes.
    stages = [
        json.loads(run([PY, "-c", PAPER_STAGES, str(raw), str(repo / "templates"), str(build)], repo)[1].stdout)
        for _ in range(runs)
    ]
    out["stages"] = {k: statistics.median(s[k] for s in stages) for k in stages[0] if k != "findings"}
    out["findings"] = stages[0]["findings"]
    pdf = [
        PY,
        "-c",
        PDF_STEP,
        str(build / "working_paper.print.html"),
        str(build / "working_paper.pdf"),
        "templates",
        str(build / "charts"),
    ]
    out["pdf_step"] = statistics.median(sh(pdf, repo) for _ in range(runs))
    out["floor"] = statistics.median(sh(floor_cmd(repo, base / "floor193.pdf"), repo) for _ in range(runs))
    out["pages"] = _pages(build / "working_paper.pdf")
    return out


# --- the report ----------------------------------------------------------------------------------


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, IndexError, ValueError):
        pass
    versions = {}
    for name in ("snakemake", "weasyprint"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:
            versions[name] = "?"
    import ctypes.util

    hb = ctypes.util.find_library("harfbuzz-subset")
    return {
        "text": f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}){mem}, "
        f"Python {platform.python_version()}, Snakemake {versions['snakemake']}, WeasyPrint {versions['weasyprint']}",
        "harfbuzz": f"HarfBuzz subsetting library: {hb or 'not found (fonts subset with fontTools, slower)'}",
    }


def fmt_runs(times: list[float]) -> str:
    return ", ".join(f"{x:.2f}" for x in times)


def report(
    t: Timings,
    notes: dict,
    preview: dict | None,
    charts: list[dict],
    scale: list[dict],
    big: dict | None,
    runs: int,
    load: tuple[tuple, tuple],
    started: str,
    avoided: dict[str, float] | None = None,
) -> str:
    m = machine()
    floor, version = t.median("bare WeasyPrint render (floor)"), t.median("snakemake --version")
    cold, noop = t.median("cold build"), t.median("no-op rebuild")
    ratios = {"cold build": (cold / floor, "the floor"), "no-op rebuild": (noop / version, "`snakemake --version`")}
    paired = {
        "cold build": statistics.median(
            x / y for x, y in zip(t["cold build"], t["bare WeasyPrint render (floor)"], strict=False)
        ),
        "no-op rebuild": statistics.median(
            x / y for x, y in zip(t["no-op rebuild"], t["snakemake --version"], strict=False)
        ),
    }
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {m['text']}. {m['harfbuzz']}.",
        f"Load average (1, 5, 15 min) at the start: {', '.join(f'{x:.2f}' for x in load[0])}; at the end: "
        f"{', '.join(f'{x:.2f}' for x in load[1])}. Started {started}. The machine is shared: other work ran "
        "beside this, so single runs scatter; medians are quoted, and each build alternates with its floor.",
        f"Medians of {runs} runs after one warm-up; whole processes, wall clock, `snakemake --cores all` at the "
        "root of a fresh copy of the repository, compiled modules cached as usual (PYTHONDONTWRITEBYTECODE unset). "
        "Reproduce: `python benchmarks/run.py`.",
        "",
        "## The shipped paper",
        "",
        f"The paper: {notes.get('pages') or '?'} A4 pages, 16 SVG charts, 53 + 45 responses.",
        "",
        "The ratio is the median build over the median floor; in brackets, the median of the ratios of each build "
        "to the floor run right after it.",
        "",
        "| scenario | median (s) | runs (s) | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for name in (
        "cold build",
        "bare WeasyPrint render (floor)",
        "no-op rebuild",
        "snakemake --version",
        "rebuild after a template edit",
        "rebuild after a new response",
    ):
        ratio, target = "", ""
        if name in ratios:
            r, of = ratios[name]
            ratio = f"{r:.2f}x {of} ({paired[name]:.2f}x)"
            target = f"≤ {TARGET}x: {'met' if r <= TARGET else '**not met**'}"
        lines.append(f"| {name} | {t.median(name):.2f} | {fmt_runs(t[name])} | {ratio} | {target} |")
    if preview:
        ok = "met" if preview["median_s"] <= preview["target_s"] else "**not met**"
        lines.append(
            f"| preview re-render after a template edit (`benchmarks/preview.py`, {preview['n']} saves) "
            f"| {preview['median_s']:.2f} | min {preview['min_s']:.2f}, max {preview['max_s']:.2f} | | "
            f"≤ {preview['target_s']} s: {ok} |"
        )
    lines += [
        "",
        "What re-ran (Snakemake's job list):",
        "",
        f"- template edit (`templates/sections/08_recommendations.md.j2`): {', '.join(notes['template edit'])}",
        f"- new response (`raw/responses/2008/CAN.yaml`): {', '.join(notes['new response'])}",
        "",
        "## Where a cold build's time goes",
        "",
        "One more cold build, each job's start and end as Snakemake printed them (seconds from launch):",
        "",
        "| s | event |",
        "|---|---|",
    ]
    lines += [f"| {at:.2f} | {what} |" for at, what in notes["timeline"]]
    lines += ["", *breakdown(notes["timeline"], floor, version, notes["layout"]), ""]
    counted = ", ".join(f"{what}: {n}" for what, n in sorted(notes["layout ahead"].items()))
    lines += [
        f"The PDF's layout made ahead, in the {sum(notes['layout ahead'].values())} timed cold builds "
        f'(from `output/.build/logs/render_pdf.log`): {counted}. A count other than "used" means the fast '
        "path did not hold: the cold builds above then include a second layout.",
        "",
    ]
    none = next(r["render"] for r in charts if r["draw"] is None)
    lines += [
        "## The charts",
        "",
        "Drawing the 16 charts (whole process: interpreter, imports, drawing) and what they add to WeasyPrint's "
        "render of the paper: the same print HTML rendered in one process, in turn with each set of charts and "
        "with each chart replaced by an empty image of the same size (the baseline), eleven rounds or more. "
        "Medians; differences below about 0.2 s are within this machine's noise.",
        "",
        "| charts | drawing them, whole process (s) | WeasyPrint render, in process (s) | the charts' share of it (s) |",
        "|---|---|---|---|",
    ]
    for r in charts:
        draw = f"{r['draw']:.2f}" if r["draw"] is not None else ""
        share = f"{r['render'] - none:.2f}" if r["draw"] is not None else ""
        lines.append(f"| {r['charts']} | {draw} | {r['render']:.2f} | {share} |")
    lines.append("")
    lines += [
        "## Scale: synthetic data",
        "",
        "(a) 193 States answering a 40-question questionnaire (30 yes/no, 10 three-way choices) in 1 to 10 "
        "rounds, one CSV per round. Whole process: `snakemake output/.build/charts` from a clean copy "
        "(start-up, ingest, stats, charts). Stages, in one process: the first pass (cold: imports, the "
        "questionnaire and the States read) and the median of three more (warm: the work that grows with the answers).",
        "",
        "| States | rounds | answers | whole process (s) | ingest cold / warm (s) | stats cold / warm (s) | charts cold / warm (s) | ingest + stats, warm, per 1,000 answers (ms) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in scale:
        per = 1e6 * (r["ingest"] + r["stats"]) / r["answers"]
        lines.append(
            f"| {r['states']} | {r['rounds']} | {r['answers']:,} | {r['whole']:.2f} | {r['cold ingest']:.3f} / "
            f"{r['ingest']:.3f} | {r['cold stats']:.3f} / {r['stats']:.3f} | {r['cold charts']:.3f} / "
            f"{r['charts']:.3f} | {per:.2f} |"
        )
    lines += ["", *scale_notes(scale, big), ""]
    if avoided:
        lines += [
            "## What the code avoids",
            "",
            "Costs the code is arranged around (they were quoted in its comments; measured here instead), each "
            "import in a fresh interpreter, the interpreter's own start-up subtracted, medians:",
            "",
            *(f"- {what}: {seconds:.2f} s" for what, seconds in avoided.items()),
            "- Measured once, when the code was written, not by this script: a rule run as its own Snakemake "
            "process (no `force-use-threads`) costs about 1.5 s of start-up per job; the interpreter's last "
            "garbage collection after a build took about 0.25 s (0.03 s with `gc.freeze()`, "
            "`workflow/rules/common.smk`); a step process collecting matplotlib's or WeasyPrint's objects at "
            "exit 0.1-0.2 s (`os._exit`, `surveypaper.warm`); Snakemake's scheduler timer up to 1 s after the "
            "last job (`surveypaper.compat_snakemake`).",
            "",
        ]
    return "\n".join(lines) + "\n"


def breakdown(events: list[tuple[float, str]], floor: float, version: float, layout: str) -> list[str]:
    at = {what: s for s, what in events}
    first = min(s for s, what in events if what.startswith("start "))
    text_ready = at.get("end render_paper", 0)
    charts_ready = at.get("end draw_charts", 0)
    pdf_done = at.get("end render_pdf", 0)
    after_pdf = at["process exited"] - pdf_done
    total = at["process exited"]
    return [
        f"- Snakemake's start-up (import, parse, DAG) until its first job: {first:.2f} s "
        f"(`snakemake --version`, its CLI alone, takes {version:.2f} s). The PDF's process was started "
        "while the DAG was built and imported WeasyPrint from the first job on; the charts' process "
        "imported matplotlib beside it.",
        f"- the text (ingest, stats, the Markdown and the print HTML, in the Snakemake process): "
        f"{text_ready - first:.2f} s, ready at {text_ready:.2f} s. From then (once WeasyPrint was imported) the "
        f"PDF's process laid the paper out, knowing the charts' sizes from the stats; the charts were drawn "
        f"beside it, ready at "
        f"{charts_ready:.2f} s, when render_pdf was called to put them in and write the PDF "
        f'(its log: "{layout}").',
        f"- from the print HTML to the PDF: {pdf_done - text_ready:.2f} s; the bare WeasyPrint render, which also "
        f"starts an interpreter and imports WeasyPrint, takes {floor:.2f} s (median).",
        f"- after the PDF (publish, Snakemake's bookkeeping and exit): {after_pdf:.2f} s. Total {total:.2f} s: "
        f"roughly Snakemake's start-up and the bare render one after the other.",
    ]


def scale_notes(scale: list[dict], big: dict | None) -> list[str]:
    out = []
    if len(scale) >= 2:
        a, b = scale[0], scale[-1]
        k = b["answers"] / a["answers"]
        per = [1e6 * (r["ingest"] + r["stats"]) / r["answers"] for r in scale]
        steady = max(per) <= 2 * min(per)
        verdict = (
            f"the cost per 1,000 answers stays between {min(per):.1f} and {max(per):.1f} ms: linear in the number of answers"
            if steady
            else f"the cost per 1,000 answers ({', '.join(f'{m:.1f}' for m in per)} ms) is not steady in this run: "
            "single runs on a shared machine scatter; rerun with more --scale-runs before reading a trend"
        )
        out.append(
            f"From {a['answers']:,} to {b['answers']:,} answers ({k:.0f}x), warm ingest + stats went from "
            f"{a['ingest'] + a['stats']:.3f} s to {b['ingest'] + b['stats']:.3f} s; {verdict}. A cold process adds a "
            f"fixed part on top (imports, reading the questionnaire and the States: about "
            f"{a['cold ingest'] - a['ingest']:.2f} s). The charts draw the current round against the previous one, one "
            f"chart per closed question ({b['n_charts']} here), so their time ({a['charts']:.3f} s to {b['charts']:.3f} s "
            "warm) does not grow with the number of rounds: it is linear in the number of questions, and answers only "
            "add to the counts on the bars."
        )
    if big:
        st = big["stages"]
        steps = ", ".join(f"{k} {v:.2f} s" for k, v in st.items())
        out += [
            "",
            f"(b) The whole paper with {big['respondents']} States in each of its two rounds (the real "
            "questionnaire and templates; each new State answers as a shipped respondent does, cycled), "
            f"{big['pages'] or '?'} pages. Each step alone, in one process: {steps}. The PDF step "
            f"(`pipeline.render_pdf` alone in a fresh process) {big['pdf_step']:.2f} s; the bare WeasyPrint "
            f"render of the same HTML {big['floor']:.2f} s.",
        ]
        if big["built"]:
            out.append(f"The build, cold: {big['cold']:.2f} s ({big['cold'] / big['floor']:.2f}x the floor).")
        else:
            why = (
                'a false alarm: the count check reads "one hundred and ninety-three" as "ninety-three" '
                "(number words above one hundred; surveypaper/checks.py)"
                if "ninety-three" in big["check"]
                else "this"
            )
            out += [
                "",
                f"The build itself stops at `check_templates`, with {why}. Its report:",
                "",
                "```",
                big["check"] or "(no check log)",
                "```",
                "",
                "So the steps above were timed one by one instead of as one build.",
            ]
    at193 = ""
    if big:
        st = big["stages"]
        steps = sorted(
            [
                (big["pdf_step"], "the PDF render"),
                (st["charts"], "the charts (their own process, beside the text)"),
                (st["ingest"], "ingest (every response file read)"),
                (st["check"], "the check"),
            ],
            reverse=True,
        )
        at193 = (
            " Its longest steps: "
            + ", ".join(f"{name} {sec:.2f} s" for sec, name in steps)
            + f"; stats takes {st['stats']:.2f} s."
        )
    out += [
        "",
        "At 193 States the build stays one short chain on one machine." + at193 + " The PDF grows with what the "
        "paper prints (longer lists of States in the text and in Annex II), not with the number of answers. "
        "Nothing here needs Snakemake's cluster executors: the workflow is a chain of single jobs, and a cluster "
        "adds a queue and a file-system round trip to each job while the one heavy job, WeasyPrint laying out one "
        "document, cannot be split. A cluster executor (`--executor slurm`, say) would pay off only with many "
        "independent jobs: ingest split per round once responses number in the millions (the cost per 1,000 "
        "answers above gives the arithmetic), or many papers built from the same stats (one per language or "
        "region), each its own render_pdf job.",
    ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)  # the machine is shared: more runs, steadier medians
    parser.add_argument("--scale-runs", type=int, default=3)
    parser.add_argument("--preview-edits", type=int, default=15)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/RESULTS.md")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    load_start = os.getloadavg()
    t, notes = Timings(), {}
    with tempfile.TemporaryDirectory(prefix="paper-bench-") as tmp:
        base = Path(tmp)
        repo = bench_workflow(base, args.runs, t, notes)
        charts = bench_charts(base, repo, args.runs)
        preview = bench_preview(args.preview_edits) if args.preview_edits else None
        scale = bench_scale(base, args.scale_runs)
        big = paper_at_193(base, args.scale_runs)
        avoided = bench_avoided(args.scale_runs)
    text = report(t, notes, preview, charts, scale, big, args.runs, (load_start, os.getloadavg()), started, avoided)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
