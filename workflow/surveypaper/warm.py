"""Step processes started ahead of their step, so that their imports overlap the steps before them.

Two steps run in processes of their own: the charts (matplotlib) and the PDF (WeasyPrint). Each
such process spends a good part of a second importing its library before it can do anything
(``benchmarks/RESULTS.md``, "What the code avoids"), and on a cold build that sits on the PDF's
critical path. So the Snakefile starts their interpreters
(:func:`spawn`) while Snakemake builds its DAG, and the workflow's ``onstart`` hook calls
:func:`start` for those of them that are going to run, as soon as Snakemake knows its jobs: each
process imports its modules while the Snakemake process validates the responses, then waits
for one call. The step's ``run:`` block calls :func:`call`, which hands the arguments to the
waiting process (or starts one then, if none was started) and waits for it to finish.

A step may also do the first part of its work before it is called: :func:`prepare` hands its
process that part (the PDF's layout, while the charts it will show are still being drawn). What
it prepares is passed to the step as ``prepared=``; the step checks that it still holds for the
arguments of the call and otherwise does the work from the start. A preparation that failed is
passed as ``prepared=None`` and ``prepare_failed=`` (the error, one line), for the step's log.

The protocol is lines on the process's stdin: ``go`` (import now), then at most one line of JSON
``{"prepare": [...], "kwargs": {...}, "timeout": s}``, then one line of JSON ``{"args": [...],
"timeout": s, "what": "the PDF render"}``; it answers ``ready`` on stdout when its imports are
done. The process runs ``function(*args)`` under :func:`time_limit
<surveypaper.pipeline.time_limit>`, writes nothing on stdout, reports a failure on stderr and
exits non-zero. A process that reads end-of-file instead (the build ended, or failed before
needing it) exits at once and quietly; one whose parent dies stops too, so a killed build leaves
no process writing into ``output/.build``.

Why not a maintained process pool (pebble's ``ProcessPool``, with an initializer and per-task
timeouts; reviewed for issue 19, kept as it is): the build's budget is spent where a pool differs.
(1) The interpreters start while Snakemake parses the Snakefile but import nothing until the
``onstart`` hook says their step will run: a pool's initializer imports at once, so a no-op
build (1.27x ``snakemake --version`` in benchmarks/RESULTS.md, against a limit of 1.3x) would
import WeasyPrint, matplotlib and pandas beside Snakemake on every run. (2) The PDF's layout made
ahead is a WeasyPrint ``Document`` that stays in its process between the preparation and the
call: a pool returns results by pickling them, and a ``Document`` does not pickle; keeping it in
a worker's globals needs one single-worker pool per step and the same hand-written "which call
is this" as here. (3) A pool started from the Snakemake process forks it (threads and all) or
re-imports its ``__main__`` (spawn). The time limit and the clean exit on a killed build are the
parts a pool would give; they are 30 lines here (:func:`call`, :func:`_watch_parent`). No A/B was
run: a pool build that keeps (1) and (2) would re-implement this protocol around the pool.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Step", "StepFailed", "call", "go_early", "prepare", "spawn", "start", "started"]

#: The folder that holds the ``surveypaper`` package: first on the processes' PYTHONPATH, so they
#: run the same code as the Snakemake process that starts them.
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[1])


@dataclass(frozen=True)
class Step:
    """A step run in a process of its own: ``function`` ("module:name"), after importing ``preload``.

    ``prepare`` ("module:name"), if given, does the first part of the work ahead of the call
    (:func:`prepare`); ``function`` then gets its result as ``prepared=``.
    """

    function: str
    preload: tuple[str, ...] = ()
    prepare: str | None = None

    def argv(self) -> list[str]:
        return [sys.executable, "-m", __name__, self.function, self.prepare or "-", *self.preload]


class StepFailed(RuntimeError):
    """The step's process reported a failure (on stderr, already shown) or could not be run."""


class _Slot:
    """A step's process: started, told to import ("go"), and taken by :func:`call`."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.go_sent = False
        self.early = False  # told to import before it was known to be needed (go_early)
        self.taken = False
        self.prepared = False
        self.done_waiting = threading.Event()  # its imports are done, or its step was called

    def go(self) -> None:
        """Let the process import its modules (once; the caller holds the lock)."""
        if not self.go_sent:
            self.go_sent = True
            try:
                self.proc.stdin.write("go\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass  # it died: call() sees that and starts another


_lock = threading.Lock()
_slots: dict[Step, _Slot] = {}


def _spawn(step: Step) -> _Slot:
    env = dict(os.environ)
    # No step does linear algebra: numpy's OpenBLAS would start a thread per core at import and
    # take CPU from the steps running beside it.
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_PARENT, env.get("PYTHONPATH")) if p)
    # stdout says "ready" once the imports are done; stderr is the build's own, so that a
    # report from the step reaches the user as it is.
    proc = subprocess.Popen(step.argv(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
    return _Slot(proc)


def _live_slot(step: Step) -> _Slot:
    """``step``'s waiting process, started if there is none or it died (the caller holds the lock)."""
    slot = _slots.get(step)
    if slot is None or slot.proc.poll() is not None:
        _slots[step] = slot = _spawn(step)
    return slot


def _json_args(args) -> list:
    return [str(a) if isinstance(a, Path) else a for a in args]


def spawn(*steps: Step) -> None:
    """Start an interpreter for each of ``steps`` that waits, importing nothing, for :func:`start`.

    Cheap (an interpreter, no import), so it can be done before it is known which steps will
    run; a process that :func:`start` does not take exits, as does any left when the build ends.
    """
    with _lock:
        for step in steps:
            _live_slot(step)


def go_early(step: Step) -> None:
    """Have ``step``'s process (spawned now if need be) import its modules at once, before :func:`start`.

    For a step that is likely to run and whose import is longer than the work before it: its
    import then overlaps Snakemake's building of its DAG too. If :func:`start` does not list it
    after all, it is dismissed there like any process not needed.
    """
    with _lock:
        slot = _live_slot(step)
        slot.early = True
        slot.go()


def start(*steps: Step) -> None:
    """Have a process for each of ``steps`` import its modules and wait for its call; returns at once.

    Processes already spawned (:func:`spawn`) are used, and those spawned for other steps are
    dismissed. Each imports only when the one before it has done its own or has been called (the
    Snakemake process is then past the work before it), so that they do not all share the cores
    with that work at once: list first the step needed first.
    """
    chain = []
    with _lock:
        for step, slot in list(_slots.items()):
            if step not in steps and not slot.taken and (slot.early or not slot.go_sent):
                _slots.pop(step)
                _dismiss(slot)
        for step in steps:
            slot = _live_slot(step)
            if not slot.go_sent:
                chain.append(slot)

    def run_chain() -> None:
        for slot in chain:
            with _lock:
                if slot.go_sent:  # called, or prepared, before its turn: it was told to go
                    slot.done_waiting.set()
                    continue
                slot.go()

            def ready(slot=slot) -> None:
                slot.proc.stdout.readline()  # "ready", or end-of-file if it died
                slot.done_waiting.set()

            threading.Thread(target=ready, daemon=True).start()
            slot.done_waiting.wait()

    if chain:
        threading.Thread(target=run_chain, name="surveypaper.warm", daemon=True).start()


def _dismiss(slot: _Slot) -> None:
    """End a process that will not be called (it reads end-of-file and exits)."""
    with contextlib.suppress(BrokenPipeError, OSError):
        slot.proc.stdin.close()


def started(step: Step) -> bool:
    """Whether a process has been started for ``step`` and is waiting for its call."""
    with _lock:
        slot = _slots.get(step)
        return slot is not None and slot.proc.poll() is None


def prepare(step: Step, *args, timeout: int, **kwargs) -> bool:
    """Have the process waiting for ``step`` run ``step.prepare(*args, **kwargs)`` now, ahead of its call.

    Only a process started ahead (:func:`spawn`, :func:`start`) and not yet called takes it,
    once; returns whether one did. The preparation is bounded by ``timeout`` as the step is.
    What it returns waits in the process for the call; if it fails, the step does all its work
    when called (and reports the failure then, if it is one), except a preparation that ran out
    of time: the call reports that at once.
    """
    if step.prepare is None:
        raise ValueError(f"{step.function} has nothing to prepare")
    request = json.dumps({"prepare": _json_args(args), "kwargs": kwargs, "timeout": timeout})
    with _lock:
        slot = _slots.get(step)
        if slot is None or slot.taken or slot.prepared or slot.proc.poll() is not None:
            return False
        slot.prepared = True
        slot.go()
        try:
            slot.proc.stdin.write(request + "\n")
            slot.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            return False  # it died: call() sees that and starts another
    return True


def call(step: Step, *args, timeout: int, what: str) -> None:
    """Run ``step`` with ``args`` (JSON values) in its process; raise :class:`StepFailed` if it fails.

    The step itself stops after ``timeout`` seconds with a clear message; should its process not
    answer even a minute after that, it is killed.
    """
    request = json.dumps({"args": _json_args(args), "timeout": timeout, "what": what})
    with _lock:
        slot = _slots.pop(step, None)
        if slot is None or slot.proc.poll() is not None:
            slot = _spawn(step)
        slot.taken = True
        slot.go()
    # Its inputs are made: the Snakemake process is past the work before it, so the next process
    # in the chain may import now, beside this one's.
    slot.done_waiting.set()
    proc = slot.proc
    try:
        proc.stdin.write(request + "\n")
        proc.stdin.close()
    except BrokenPipeError:
        pass  # the process died before reading: its exit status tells
    try:
        code = proc.wait(timeout + 60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise StepFailed(f"{what} did not stop within {timeout + 60} s and was killed") from None
    finally:
        if proc.poll() is None:  # interrupted while waiting: do not leave it behind
            proc.kill()
    if code != 0:
        raise StepFailed(f"{what} failed (exit status {code}): see the report above")


# --- the process's side ----------------------------------------------------------------------


def _watch_parent(parent: int) -> None:
    """Stop this process when the one that started it is gone (a killed build)."""
    import _thread
    import time

    while os.getppid() == parent:
        time.sleep(0.2)
    _thread.interrupt_main()  # KeyboardInterrupt in the step: its own clean-up runs
    time.sleep(5)
    os._exit(1)


def _function(spec: str):
    module_name, _, name = spec.partition(":")
    return getattr(importlib.import_module(module_name), name)


def _serve(function: str, prepare: str | None, preload: list[str]) -> int:
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    if sys.stdin.readline().strip() != "go":
        return 0  # no call came: the build did not need this step after all
    for module in preload:
        importlib.import_module(module)
    target = _function(function)
    try:
        print("ready", flush=True)
    except BrokenPipeError:  # the build that started it is gone: nobody will call
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # so that the final flush has somewhere to go
        return 0
    os.dup2(2, 1)  # from now on the step's own output goes to stderr: nobody reads this pipe
    from .pipeline import TimeLimitExceeded, time_limit

    line = sys.stdin.readline()
    extra, out_of_time = {}, False
    if line.strip() and "prepare" in (request := json.loads(line)):
        extra["prepared"] = None
        try:
            with time_limit(int(request["timeout"]), "the preparation"):
                extra["prepared"] = _function(prepare)(*request["prepare"], **request["kwargs"])
        except TimeLimitExceeded:
            out_of_time = True
        except Exception as exc:  # the step does the work itself, and logs why (its prepare_failed)
            extra["prepare_failed"] = f"{type(exc).__name__}: {exc}"
        line = sys.stdin.readline()
    if not line.strip():
        return 0  # no call came: the build did not need this step after all
    request = json.loads(line)
    if out_of_time:
        raise TimeLimitExceeded(f"{request['what']} took longer than {request['timeout']} s and was stopped")
    with time_limit(int(request["timeout"]), request["what"]):
        target(*request["args"], **extra)
    return 0


def main(argv: list[str]) -> int:
    from .pipeline import BuildStopped, TimeLimitExceeded, _stop

    function, prepare, *preload = argv
    try:
        return _serve(function, None if prepare == "-" else prepare, preload)
    except KeyboardInterrupt:
        return 130
    except BuildStopped:  # the step wrote its report
        return 1
    except TimeLimitExceeded as exc:
        _stop(str(exc))  # the same one report as any step that stops the build
        return 1
    # Anything else is a bug: its traceback is the report.


if __name__ == "__main__":
    status = main(sys.argv[1:])
    # The step's files are written and closed (atomically); what is left is the interpreter
    # collecting matplotlib's or WeasyPrint's objects one by one, which the build would wait for.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
