"""Every reliance on Snakemake's internals, in one place; each has a fallback and a canary test.

Snakemake's API for a workflow's own code is the Snakefile's directives and hooks. The build
leans on three things beyond it, all here; ``tests/test_compat.py`` fails as soon as one of
them no longer holds, and each has a fallback that keeps the build correct (only slower):

- :func:`stop_rescheduling_timers` cancels the timers Snakemake's scheduler starts after each
  batch of jobs (``JobScheduler._schedule_reevalutation``, sic): non-daemon threads that keep the
  process alive up to a second after the last job. Fallback: a timer that is not recognised is
  left running; the build ends up to a second later.
- :func:`rules_to_run` reads which rules will run from ``workflow.dag.needrun_jobs()`` in the
  ``onstart`` hook (internal API). Fallback: ``None``, "all of them": every step process is
  started ahead; those not called exit when the build ends.
- :func:`build_will_run` reads Snakemake's command line (``sys.argv``) to tell a build from a dry
  run, ``--lint``, ``--unlock``, ``--list-rules``... (the Snakefile is parsed for all of them,
  and the workflow learns it is a dry run only after parsing). Fallback: an invocation it does
  not recognise counts as a build, as every invocation did before.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence

__all__ = ["NOT_A_BUILD", "build_will_run", "rules_to_run", "stop_rescheduling_timers"]

#: The scheduler's method that starts the timers (its name is misspelt in Snakemake 9).
TIMER_METHOD = "_schedule_reevalutation"
#: Where that method lives: any timer whose function comes from this module is the scheduler's.
TIMER_MODULE = "snakemake.scheduling"


def _is_scheduler_timer(thread: threading.Thread) -> bool:
    if not isinstance(thread, threading.Timer):
        return False
    target = getattr(thread, "function", None)
    qualname = getattr(target, "__qualname__", "")
    module = getattr(target, "__module__", "") or ""
    return TIMER_METHOD in qualname or module.startswith(TIMER_MODULE)


def stop_rescheduling_timers() -> int:
    """Cancel the scheduler's pending wake-up timers (once the workflow is over); how many were.

    After each batch of jobs it submits, Snakemake 9 starts a threading.Timer that wakes its
    scheduler once --max-jobs-per-timespan's timespan (1 s by default) has passed. The timer
    thread is not a daemon, so Python waits for the last one before exiting: up to a second
    after the last job, on every build. Once the workflow has succeeded or failed there is
    nothing left to wake; cancelling them changes nothing else. (A shorter timespan does not
    help: "10ms" reads as 10 minutes in 9.27, its pattern matching the "m" of "ms".)
    """
    cancelled = 0
    for thread in threading.enumerate():
        if _is_scheduler_timer(thread):
            thread.cancel()
            cancelled += 1
    return cancelled


def rules_to_run(workflow) -> set[str] | None:
    """The names of the rules whose jobs this build will run; None if Snakemake no longer says."""
    try:
        return {job.rule.name for job in workflow.dag.needrun_jobs()}
    except Exception:  # the internal API changed: the caller assumes every rule runs
        return None


#: Options after which Snakemake parses the Snakefile but runs no job (or only deletes, lists,
#: draws, touches or unlocks).
NOT_A_BUILD = frozenset(
    {
        "--dry-run",
        "--dryrun",
        "--lint",
        "--unlock",
        "--touch",
        "--list-rules",
        "--list",
        "--list-target-rules",
        "--lt",
        "--summary",
        "--detailed-summary",
        "--dag",
        "--rulegraph",
        "--filegraph",
        "--d3dag",
        "--print-compilation",
        "--cleanup-metadata",
        "--cm",
        "--list-changes",
        "--lc",
        "--delete-all-output",
        "--delete-temp-output",
        "--version",
        "--help",
    }
)
#: The one-letter forms of the above (``-n``, ``-np``, ``-l``, ``-t``, ``-S``, ``-D``, ``-h``, ``-v``).
NOT_A_BUILD_SHORT = frozenset("nltSDhv")
#: One-letter options that take a value: the rest of their word is that value (``-c4``, ``-sFile``).
SHORT_WITH_VALUE = frozenset("scjCdeRPUOqwT")


def build_will_run(argv: Sequence[str] | None = None) -> bool:
    """Whether this Snakemake invocation may run jobs (a build), judged from its command line."""
    argv = list(sys.argv if argv is None else argv)
    if not argv or "snakemake" not in argv[0]:
        return True  # not Snakemake's command line (the API, a test harness): assume a build
    for arg in argv[1:]:
        if arg == "--":
            break
        if arg.startswith("--"):
            if arg.split("=", 1)[0] in NOT_A_BUILD:
                return False
        elif arg.startswith("-") and len(arg) > 1:
            for letter in arg[1:]:
                if letter in NOT_A_BUILD_SHORT:
                    return False
                if letter in SHORT_WITH_VALUE or not letter.isalpha():
                    break
    return True
