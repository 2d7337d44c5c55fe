# Inputs computed at parse time: cheap globbing only, nothing heavy is imported here.
# The rules take no `params:`: when a job with params finishes, Snakemake 9 imports pandas to hash
# them (benchmarks/RESULTS.md, "What the code avoids"). The run: blocks read the paths below instead.
from pathlib import Path

RAW = Path(config["raw"])
TEMPLATES = Path(config["templates"])
BUILD = config["build"]
OUT = config["output"]
CHARTS_DIR = f"{BUILD}/charts"
DATA_DIR = f"{BUILD}/data"
CHART_IMAGES_DIR = f"{BUILD}/chart_images"  # the charts as PNG, for the DOCX
PKG = "workflow/surveypaper"

# Every file under raw/responses, stray ones included: validation decides what they mean.
RESPONSE_FILES = sorted(str(p) for p in (RAW / "responses").rglob("*") if p.is_file())
REGIONS = [str(p) for p in [RAW / "regions.yaml"] if p.exists()]  # optional: names and overrides of regions
ALL_TEMPLATE_FILES = sorted(str(p) for p in TEMPLATES.rglob("*") if p.is_file())
# The site's and the profiles' templates are not the paper's: an edit of them re-renders only them.
OWN_TEMPLATES = ("site", "profile")
SITE_TEMPLATE_FILES = [p for p in ALL_TEMPLATE_FILES if Path(p).relative_to(TEMPLATES).parts[0] == "site"]
PROFILE_TEMPLATE_FILES = [
    p for p in ALL_TEMPLATE_FILES if Path(p).relative_to(TEMPLATES).parts[0] in ("profile", "fonts", "css")
]
# The Word reference document is read by render_docx only: restyling it re-renders the DOCX alone.
REFERENCE_DOCX = str(TEMPLATES / "reference.docx")
TEMPLATE_FILES = [
    p
    for p in ALL_TEMPLATE_FILES
    if Path(p).relative_to(TEMPLATES).parts[0] not in OWN_TEMPLATES and p != REFERENCE_DOCX
]
# What `paper check` reads: every template, the site's and the profiles' included, but not the
# Word reference document (styles, no text).
CHECKED_TEMPLATE_FILES = [p for p in ALL_TEMPLATE_FILES if p != REFERENCE_DOCX]
SITE_DIR = f"{BUILD}/site"
DELIVERABLES = [
    f"{OUT}/working_paper.md",
    f"{OUT}/working_paper.html",
    f"{OUT}/working_paper.pdf",
    f"{OUT}/working_paper.docx",
    f"{OUT}/stats.json",
    f"{OUT}/provenance.json",
    *(f"{OUT}/data/{name}" for name in ("responses.csv", "figures.csv", "datapackage.json", "working_paper_data.xlsx")),
    f"{OUT}/site/index.html",
]
PUBLISHED = f"{BUILD}/published.stamp"

# Snakemake parses this file for a dry run, --lint, --unlock and the like too: what follows
# changes files or starts processes, so it is done only for a build (surveypaper.compat_snakemake).
import surveypaper.compat_snakemake

BUILDING = surveypaper.compat_snakemake.build_will_run()

# A build killed mid-way (power loss, SIGKILL) leaves Snakemake's lock behind: clear it when its
# owner is gone, so the next run recovers without --unlock. A live build keeps its lock.
if BUILDING:
    import surveypaper.locks

    surveypaper.locks.claim(Path(workflow.basedir))

# A deliverable deleted by hand makes the stamp stale, so the next run publishes again. A dry run
# says so without deleting anything: it asks for a stamp that does not exist.
if Path(PUBLISHED).exists() and not all(Path(p).exists() for p in DELIVERABLES):
    if BUILDING:
        Path(PUBLISHED).unlink()
    else:
        PUBLISHED = f"{BUILD}/published.stale.stamp"


def pkg(*modules):
    """The package modules a step runs, declared as inputs so a code change re-runs the step."""
    return [f"{PKG}/{m}.py" for m in modules]


# The steps with processes of their own (surveypaper.steps): their interpreters start now,
# while Snakemake builds its DAG, and import nothing until the onstart hook says which of them
# will run. Those then import (pandas, WeasyPrint, matplotlib) while the responses are read; the others
# exit, as all do when Snakemake ends without running anything (a no-op). The PDF's comes first:
# its layout starts as soon as the print HTML is written.
import surveypaper.steps
import surveypaper.warm

_STEPS = {
    "compute_stats": surveypaper.steps.STATS,
    "render_pdf": surveypaper.steps.PDF,
    "draw_charts": surveypaper.steps.CHARTS,
}  # in the order needed
if BUILDING:  # the statistics' process only where they are likely to be computed (below)
    surveypaper.warm.spawn(surveypaper.steps.PDF, surveypaper.steps.CHARTS)


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
if BUILDING and _made_before(f"{BUILD}/stats.json", _STATS_SOURCES + pkg("ingest", "stats", "table", "regions")):
    surveypaper.warm.go_early(surveypaper.steps.STATS)
    surveypaper.warm.prepare(
        surveypaper.steps.STATS,
        RAW / "questionnaire.yaml",
        RAW / "themes.yaml",
        *REGIONS,
        timeout=config["stats_timeout"],
    )


onstart:
    import surveypaper.pipeline

    surveypaper.pipeline.start_build()  # two steps that find the same problem report it once
    to_run = surveypaper.compat_snakemake.rules_to_run(workflow)  # None: not known, start them all
    surveypaper.warm.start(*(step for rule, step in _STEPS.items() if to_run is None or rule in to_run))


def _exit_fast():
    """Skip the interpreter's last garbage collections: a build's heap is freed by the OS anyway.

    After the workflow, Python collects Snakemake's objects one by one at exit, a noticeable part
    of a no-op build (benchmarks/RESULTS.md); frozen, they are skipped. Frozen objects are still released by reference
    counting and files by logging's own shutdown; only cycles are left to the OS.
    """
    import gc

    gc.freeze()


onsuccess:
    surveypaper.compat_snakemake.stop_rescheduling_timers()
    _exit_fast()


onerror:
    surveypaper.compat_snakemake.stop_rescheduling_timers()
    from surveypaper.pipeline import forget_staging

    forget_staging(BUILD)  # so that the next run reports the problem again (see its docstring)
    _exit_fast()
