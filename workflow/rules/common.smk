# Inputs computed at parse time: cheap globbing only, nothing heavy is imported here.
# The rules take no `params:`: when a job with params finishes, Snakemake 9 imports pandas to hash
# them (about 0.4 s in the build's own process). The run: blocks read the paths below instead.
from pathlib import Path

RAW = Path(config["raw"])
TEMPLATES = Path(config["templates"])
BUILD = config["build"]
OUT = config["output"]
CHARTS_DIR = f"{BUILD}/charts"
DATA_DIR = f"{BUILD}/data"
PKG = "workflow/surveypaper"

# Every file under raw/responses, stray ones included: validation decides what they mean.
RESPONSE_FILES = sorted(str(p) for p in (RAW / "responses").rglob("*") if p.is_file())
REGIONS = [str(p) for p in [RAW / "regions.yaml"] if p.exists()]  # optional: names and overrides of regions
TEMPLATE_FILES = sorted(str(p) for p in TEMPLATES.rglob("*") if p.is_file())
DELIVERABLES = [
    f"{OUT}/working_paper.md",
    f"{OUT}/working_paper.html",
    f"{OUT}/working_paper.pdf",
    f"{OUT}/stats.json",
    *(f"{OUT}/data/{name}" for name in ("responses.csv", "figures.csv", "datapackage.json", "working_paper_data.xlsx")),
]
PUBLISHED = f"{BUILD}/published.stamp"

# A build killed mid-way (power loss, SIGKILL) leaves Snakemake's lock behind: clear it when its
# owner is gone, so the next run recovers without --unlock. A live build keeps its lock.
import surveypaper.locks

surveypaper.locks.claim(Path(workflow.basedir))

# A deliverable deleted by hand makes the stamp stale, so the next run publishes again.
if Path(PUBLISHED).exists() and not all(Path(p).exists() for p in DELIVERABLES):
    Path(PUBLISHED).unlink()


def pkg(*modules):
    """The package modules a step runs, declared as inputs so a code change re-runs the step."""
    return [f"{PKG}/{m}.py" for m in modules]


def _stop_rescheduling_timers():
    """Let the process exit as soon as the workflow is over.

    After each batch of jobs it submits, Snakemake 9 starts a threading.Timer that wakes its
    scheduler once --max-jobs-per-timespan's timespan (1 s by default) has passed. The timer
    thread is not a daemon, so Python waits for the last one before exiting: up to a second
    after the last job, on every build. Once the workflow has succeeded or failed there is
    nothing left to wake; cancelling them changes nothing else. (A shorter timespan does not
    help: "10ms" reads as 10 minutes in 9.27, its pattern matching the "m" of "ms".)
    """
    import threading

    for thread in threading.enumerate():
        target = getattr(thread, "function", None)
        if isinstance(thread, threading.Timer) and "_schedule_reevalutation" in getattr(target, "__qualname__", ""):
            thread.cancel()


# The two steps with processes of their own (surveypaper.steps): their interpreters start now,
# while Snakemake builds its DAG, and import nothing until the onstart hook says which of them
# will run. Those then import (WeasyPrint, matplotlib) while the responses are read; the others
# exit, as all do when Snakemake ends without running anything (a no-op, a dry run). The PDF's
# comes first: its layout starts as soon as the print HTML is written.
import surveypaper.steps
import surveypaper.warm

_STEPS = {
    "compute_stats": surveypaper.steps.STATS,
    "render_pdf": surveypaper.steps.PDF,
    "draw_charts": surveypaper.steps.CHARTS,
}  # in the order needed
surveypaper.warm.spawn(*_STEPS.values())


def _made_before(target, sources):
    """Whether ``target`` is missing or older than one of ``sources``: a guess, before the DAG, that it will be made."""
    try:
        made = Path(target).stat().st_mtime
    except OSError:
        return True
    return any(Path(p).stat().st_mtime > made for p in sources if Path(p).exists())


# The statistics come first and pandas' import is longer than the reading of the responses: when
# they are likely to be computed, the import starts now, beside the building of the DAG.
_STATS_SOURCES = [RAW / "questionnaire.yaml", RAW / "states.yaml", RAW / "themes.yaml", *REGIONS, *RESPONSE_FILES]
if _made_before(f"{BUILD}/stats.json", _STATS_SOURCES + pkg("ingest", "stats", "table", "regions")):
    surveypaper.warm.go_early(surveypaper.steps.STATS)


onstart:
    to_run = {job.rule.name for job in workflow.dag.needrun_jobs()}
    surveypaper.warm.start(*(step for rule, step in _STEPS.items() if rule in to_run))


def _exit_fast():
    """Skip the interpreter's last garbage collections: a build's heap is freed by the OS anyway.

    After the workflow, Python spends a quarter of a second collecting Snakemake's objects one by
    one at exit (0.03 s once they are frozen). Frozen objects are still released by reference
    counting and files by logging's own shutdown; only cycles are left to the OS.
    """
    import gc

    gc.freeze()


onsuccess:
    _stop_rescheduling_timers()
    _exit_fast()


onerror:
    _stop_rescheduling_timers()
    from surveypaper.pipeline import forget_staging

    forget_staging(BUILD)  # so that the next run reports the problem again (see its docstring)
    _exit_fast()
