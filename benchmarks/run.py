"""Benchmarks: whole-process timings of the workflow, medians of N runs after a warm-up.

    python benchmarks/run.py [--runs 5] [--out benchmarks/RESULTS.md]

Each scenario runs in a fresh copy of the repository under a temporary folder, so the working tree
is never touched. Timings are wall-clock seconds of whole processes (what a user waits for).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns("output", ".snakemake", ".git", "__pycache__", "*.egg-info", ".pytest_cache", ".venv")
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--cores", "all", "--quiet", "all"]


def sh(cmd, cwd, check=True) -> float:
    """Run a command, return its wall-clock time in seconds."""
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed in {cwd}:\n{result.stderr[-3000:]}")
    return elapsed


def fresh_copy(base: Path, name: str) -> Path:
    dest = base / name
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ROOT, dest, ignore=IGNORE)
    return dest


def median_of(fn, runs: int, warmup: int = 1) -> tuple[float, list[float]]:
    """Median of `runs` timings of fn() after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    times = [fn() for _ in range(runs)]
    return statistics.median(times), times


def reset_build(repo: Path) -> None:
    shutil.rmtree(repo / "output", ignore_errors=True)
    shutil.rmtree(repo / ".snakemake", ignore_errors=True)


def bench_workflow(base: Path, runs: int) -> dict:
    repo = fresh_copy(base, "repo")
    results = {}

    def cold():
        reset_build(repo)
        return sh(SNAKEMAKE, repo)

    results["cold build"] = median_of(cold, runs)
    sh(SNAKEMAKE, repo)
    results["no-op rebuild"] = median_of(lambda: sh(SNAKEMAKE, repo), runs)
    results["snakemake --version"] = median_of(lambda: sh([sys.executable, "-m", "snakemake", "--version"], repo), runs)

    section = repo / "templates/sections/08_recommendations.md.j2"
    text = section.read_text(encoding="utf-8")
    counter = iter(range(10_000))

    def template_edit():
        section.write_text(text + f"\n{{# edit {next(counter)} #}}\n", encoding="utf-8")
        return sh(SNAKEMAKE, repo)

    results["rebuild after a template edit"] = median_of(template_edit, runs)
    section.write_text(text, encoding="utf-8")
    sh(SNAKEMAKE, repo)

    new = repo / "raw/responses/2008/CAN.yaml"

    def new_response():
        new.write_text("state: CAN\nanswers:\n  national_plan: yes\n", encoding="utf-8")
        elapsed = sh(SNAKEMAKE, repo)
        new.unlink()
        sh(SNAKEMAKE, repo)  # back to the shipped data, untimed
        return elapsed

    results["rebuild after a new response"] = median_of(new_response, runs)

    print_html = repo / "output/.build/working_paper.print.html"
    floor_pdf = base / "floor.pdf"
    bare = [sys.executable, "-m", "weasyprint", "--base-url", str(repo / "templates") + "/", str(print_html), str(floor_pdf)]
    results["bare WeasyPrint render (floor)"] = median_of(lambda: sh(bare, repo), runs)

    preview = ROOT / "benchmarks/preview.py"
    if preview.exists():
        results["preview re-render after a template edit"] = median_of(
            lambda: _preview_seconds(preview, repo), 1, warmup=0
        )
    return results


def _preview_seconds(script: Path, repo: Path) -> float:
    out = subprocess.run([sys.executable, str(script), "--root", str(repo), "--json"], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"benchmarks/preview.py failed:\n{out.stderr[-2000:]}")
    import json

    return float(json.loads(out.stdout.strip().splitlines()[-1])["median_s"])


# --- scale: synthetic data ---------------------------------------------------------------------


def synthetic_raw(raw: Path, n_states: int, n_rounds: int, n_questions: int, seed: int = 7) -> None:
    """A questionnaire of n_questions closed questions, n_states States answering in each of n_rounds."""
    import random

    import pycountry

    rng = random.Random(seed)
    shutil.rmtree(raw / "responses", ignore_errors=True)
    codes = sorted(c.alpha_3 for c in pycountry.countries)[:n_states]
    (raw / "states.yaml").write_text(
        "".join(f"{c}: {{name: {c.title()}}}\n" for c in codes), encoding="utf-8"
    )
    (raw / "themes.yaml").write_text("t1: theme one\nt2: theme two\n", encoding="utf-8")
    questions = []
    for i in range(n_questions):
        if i % 4 == 3:
            questions.append(f"      - {{key: q{i:02d}, number: '{i + 1}', type: choice, choices: [daily, weekly, monthly], short: Q{i + 1}, text: Question {i + 1}?}}")
        else:
            questions.append(f"      - {{key: q{i:02d}, number: '{i + 1}', type: yes_no, short: Q{i + 1}, text: Question {i + 1}?}}")
    (raw / "questionnaire.yaml").write_text(
        "title: Synthetic\nintro: Synthetic.\nsections:\n  - key: s\n    title: S\n    questions:\n" + "\n".join(questions) + "\n",
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
                row = [rng.choice(["daily", "weekly", "monthly", ""]) if i % 4 == 3 else rng.choice(["yes", "no", ""]) for i in range(n_questions)]
                w.writerow([c, *row, rng.choice(["t1", "t2", "t1;t2", ""])])


def bench_scale(base: Path, runs: int) -> list[tuple[int, int, int, float]]:
    repo = fresh_copy(base, "scale")
    rows = []
    target = [sys.executable, "-m", "snakemake", "output/.build/charts", "--cores", "all", "--quiet", "all"]
    for n_rounds in (1, 2, 5, 10):
        synthetic_raw(repo / "raw", 193, n_rounds, 40)

        def once():
            reset_build(repo)
            return sh(target, repo)

        med, _ = median_of(once, runs)
        rows.append((193, n_rounds, 40, med))
    return rows


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def report(results: dict, scale: list, runs: int) -> str:
    floor = results["bare WeasyPrint render (floor)"][0]
    version = results["snakemake --version"][0]
    ratio_to = {
        "cold build": ("bare WeasyPrint render", floor, 1.5),
        "no-op rebuild": ("snakemake --version", version, 1.5),
    }
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}.",
        f"Medians of {runs} runs after one warm-up (whole processes, wall clock). Run: `python benchmarks/run.py`.",
        "",
        "| scenario | median (s) | runs (s) | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for name, (med, times) in results.items():
        ratio, target = "", ""
        if name in ratio_to:
            label, base, limit = ratio_to[name]
            ratio = f"{med / base:.2f}x {label}"
            target = f"≤ {limit}x: {'met' if med / base <= limit else 'NOT met'}"
        lines.append(f"| {name} | {med:.2f} | {', '.join(f'{t:.2f}' for t in times)} | {ratio} | {target} |")
    lines += [
        "",
        "## Scale: synthetic data (ingest, stats and charts; 40-question questionnaire)",
        "",
        "| States | rounds | answers | median (s) | s per 1,000 answers |",
        "|---|---|---|---|---|",
    ]
    for states, rounds, questions, med in scale:
        answers = states * rounds * questions
        lines.append(f"| {states} | {rounds} | {answers:,} | {med:.2f} | {1000 * med / answers:.3f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale-runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="paper-bench-") as tmp:
        base = Path(tmp)
        results = bench_workflow(base, args.runs)
        scale = bench_scale(base, args.scale_runs)
    text = report(results, scale, args.runs)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
