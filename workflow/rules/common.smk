# Inputs computed at parse time: cheap globbing only, nothing heavy is imported here.
from pathlib import Path

RAW = Path(config["raw"])
TEMPLATES = Path(config["templates"])
BUILD = config["build"]
OUT = config["output"]
PKG = "workflow/surveypaper"

# Every file under raw/responses, stray ones included: validation decides what they mean.
RESPONSE_FILES = sorted(str(p) for p in (RAW / "responses").rglob("*") if p.is_file())
TEMPLATE_FILES = sorted(str(p) for p in TEMPLATES.rglob("*") if p.is_file())
DELIVERABLES = [
    f"{OUT}/working_paper.md",
    f"{OUT}/working_paper.html",
    f"{OUT}/working_paper.pdf",
    f"{OUT}/stats.json",
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
