"""surveypaper.warm: steps in processes started ahead of them (behaviour, not speed)."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from surveypaper import warm

HELPERS = str(Path(__file__).parent / "helpers")


@pytest.fixture(autouse=True)
def helpers_importable(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([HELPERS, os.environ.get("PYTHONPATH", "")]))


@pytest.fixture(autouse=True)
def no_process_left():
    """Each test starts with no step process of surveypaper.warm's and leaves none to the next."""
    _stop_all()
    yield
    _stop_all()


def _stop_all() -> None:
    with warm._lock:
        slots = list(warm._slots.values())
        warm._slots.clear()
    for slot in slots:
        if slot.proc.poll() is None:
            slot.proc.kill()
        slot.proc.wait(timeout=60)


WRITE = warm.Step("warm_steps:write", ("json",))
SLEEP = warm.Step("warm_steps:sleep")
STOP = warm.Step("warm_steps:stop")
CRASH = warm.Step("warm_steps:crash")


def wait_until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_call_without_start_runs_the_step(tmp_path):
    out = tmp_path / "out.txt"
    warm.call(WRITE, out, "hello", timeout=60, what="writing")
    assert out.read_text().startswith("hello from ")


def test_started_process_is_the_one_called(tmp_path):
    warm.start(WRITE)
    wait_until(lambda: warm.started(WRITE))
    pid = warm._slots[WRITE].proc.pid
    out = tmp_path / "out.txt"
    warm.call(WRITE, out, "hi", timeout=60, what="writing")
    assert out.read_text() == f"hi from {pid}"
    assert not warm.started(WRITE)  # one call per process


def test_chained_processes_start_one_after_another(tmp_path):
    warm.start(WRITE, SLEEP)
    wait_until(lambda: warm.started(WRITE) and warm.started(SLEEP))
    first, second = warm._slots[WRITE].proc, warm._slots[SLEEP].proc
    assert first.pid != second.pid
    warm.call(SLEEP, 0, timeout=60, what="sleeping")
    warm.call(WRITE, tmp_path / "a.txt", "a", timeout=60, what="writing")
    assert first.poll() is not None and second.poll() is not None


def test_spawned_processes_wait_for_start_which_dismisses_the_unneeded(tmp_path):
    """The Snakefile spawns both interpreters before the DAG says which steps will run."""
    slow = warm.Step("warm_steps:write", ("slow_import",))
    warm.spawn(slow, SLEEP)
    spawned = {step: warm._slots[step].proc for step in (slow, SLEEP)}
    assert not any(warm._slots[step].go_sent for step in spawned)  # told to import nothing yet
    warm.start(slow)  # only this one will run
    assert warm._slots[slow].proc is spawned[slow] and warm._slots[slow].go_sent
    wait_until(lambda: spawned[SLEEP].poll() is not None)  # the other one exited
    assert spawned[SLEEP].returncode == 0 and SLEEP not in warm._slots
    warm.call(slow, tmp_path / "a.txt", "a", timeout=60, what="writing")
    assert (tmp_path / "a.txt").read_text() == f"a from {spawned[slow].pid}"


def test_next_process_imports_once_the_one_before_is_called(tmp_path):
    """The chain moves on when a step is called, even if its own imports are still running."""
    slow = warm.Step("warm_steps:write", ("slow_import",))
    warm.start(slow, SLEEP)
    wait_until(lambda: warm.started(slow) and warm.started(SLEEP) and warm._slots[slow].go_sent)
    assert not warm._slots[SLEEP].go_sent  # waits for the slow imports (3 s) or the call
    caller = threading.Thread(
        target=warm.call, args=(slow, tmp_path / "a.txt", "a"), kwargs={"timeout": 60, "what": "w"}
    )
    caller.start()
    wait_until(lambda: warm._slots[SLEEP].go_sent, timeout=2)  # well before slow_import's 3 s are over
    assert caller.is_alive()
    caller.join()
    warm.call(SLEEP, 0, timeout=60, what="sleeping")


PREPARED = warm.Step("warm_steps:write_prepared", prepare="warm_steps:get_ready")


def test_call_receives_what_its_process_prepared_ahead(tmp_path):
    warm.start(PREPARED)
    wait_until(lambda: warm.started(PREPARED))
    pid = warm._slots[PREPARED].proc.pid
    assert warm.prepare(PREPARED, "the layout", timeout=60)
    assert not warm.prepare(PREPARED, "again", timeout=60)  # once
    warm.call(PREPARED, tmp_path / "out.txt", "written", timeout=60, what="writing")
    assert (tmp_path / "out.txt").read_text() == f"written, the layout prepared in {pid}"


def test_nothing_is_prepared_without_a_waiting_process(tmp_path):
    assert not warm.prepare(PREPARED, "the layout", timeout=60)  # none started
    warm.call(PREPARED, tmp_path / "out.txt", "written", timeout=60, what="writing")
    assert (tmp_path / "out.txt").read_text() == "written, None"
    warm.start(PREPARED)
    wait_until(lambda: warm.started(PREPARED))
    caller = threading.Thread(
        target=warm.call, args=(PREPARED, tmp_path / "b.txt", "b"), kwargs={"timeout": 60, "what": "w"}
    )
    caller.start()
    wait_until(lambda: PREPARED not in warm._slots)
    assert not warm.prepare(PREPARED, "too late", timeout=60)  # already called
    caller.join()
    assert (tmp_path / "b.txt").read_text() == "b, None"


def test_failed_preparation_leaves_the_work_to_the_call(tmp_path, capfd):
    step = warm.Step("warm_steps:write_prepared", prepare="warm_steps:fail_to_get_ready")
    warm.start(step)
    wait_until(lambda: warm.started(step))
    assert warm.prepare(step, "x", timeout=60)
    warm.call(step, tmp_path / "out.txt", "written", timeout=60, what="writing")
    # the step did the work and was told why it had to (for its log); the build's stderr stays quiet
    assert (tmp_path / "out.txt").read_text() == "written, None (ValueError: cannot prepare)"
    assert "cannot prepare" not in capfd.readouterr().err  # the call would report a real problem


def test_preparation_out_of_time_fails_the_call_at_once(tmp_path, capfd):
    warm.start(PREPARED)
    wait_until(lambda: warm.started(PREPARED))
    assert warm.prepare(PREPARED, "slow", 30, timeout=1)
    started = time.monotonic()
    with pytest.raises(warm.StepFailed):
        warm.call(PREPARED, tmp_path / "out.txt", "written", timeout=1, what="the PDF render")
    assert time.monotonic() - started < 20  # not the 30 s of the preparation
    assert "the PDF render took longer than 1 s and was stopped" in capfd.readouterr().err
    assert not (tmp_path / "out.txt").exists()


def test_failure_reported_by_the_step_fails_the_call(capfd):
    with pytest.raises(warm.StepFailed, match="the step failed"):
        warm.call(STOP, "the data disagree", timeout=60, what="the step")
    err = capfd.readouterr().err
    assert "the data disagree" in err and "Traceback" not in err


def test_a_bug_shows_its_traceback(capfd):
    with pytest.raises(warm.StepFailed):
        warm.call(CRASH, timeout=60, what="the step")
    assert "ZeroDivisionError: a bug in a step" in capfd.readouterr().err


def test_runaway_step_is_stopped_with_a_clear_message(capfd):
    with pytest.raises(warm.StepFailed):
        warm.call(SLEEP, 30, timeout=1, what="the PDF render")
    assert "the PDF render took longer than 1 s and was stopped" in capfd.readouterr().err


def test_unneeded_process_exits_when_the_build_ends():
    """A build that never calls the step (it failed earlier) leaves no process behind."""
    script = textwrap.dedent("""
        import sys, time
        from surveypaper import warm
        warm.start(warm.Step("warm_steps:sleep"))
        while not warm.started(warm.Step("warm_steps:sleep")):
            time.sleep(0.05)
        print(warm._slots[warm.Step("warm_steps:sleep")].proc.pid, flush=True)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    pid = int(out.stdout)
    wait_until(lambda: not _alive(pid))


def test_process_whose_build_is_gone_before_it_is_ready_exits_quietly():
    """A build that failed early closes its end of the pipes while the step is still importing."""
    proc = subprocess.Popen(
        WRITE.argv(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    proc.stdout.close()  # nobody will read "ready"
    proc.stdin.write("go\n")
    proc.stdin.flush()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_process_stops_when_its_build_is_killed(tmp_path):
    """SIGKILL of the build alone (not its group): the step's process does not run on."""
    running = tmp_path / "running"
    script = textwrap.dedent(f"""
        from surveypaper import warm
        step = warm.Step("warm_steps:mark_and_sleep")
        warm.start(step)
        warm.call(step, {str(running)!r}, 120, timeout=300, what="sleeping")
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    wait_until(lambda: _children(parent.pid))
    child = _children(parent.pid)[0]
    wait_until(running.exists)  # the step is running in the child
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    wait_until(lambda: not _alive(child), timeout=10)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_process_told_to_import_early_is_used_or_dismissed(tmp_path):
    """go_early: the import starts before the DAG is known; start() keeps it if listed, else ends it."""
    warm.spawn(WRITE, SLEEP)
    warm.go_early(WRITE)
    early = warm._slots[WRITE].proc
    assert warm._slots[WRITE].go_sent and not warm._slots[SLEEP].go_sent
    warm.start(SLEEP, WRITE)
    warm.call(WRITE, tmp_path / "a.txt", "a", timeout=60, what="writing")
    assert (tmp_path / "a.txt").read_text() == f"a from {early.pid}"
    warm.call(SLEEP, 0, timeout=60, what="sleeping")

    warm.go_early(WRITE)
    unneeded = warm._slots[WRITE].proc
    warm.start(SLEEP)  # the guess was wrong: the step will not run
    wait_until(lambda: unneeded.poll() is not None)
    assert unneeded.returncode == 0 and WRITE not in warm._slots
    warm.call(SLEEP, 0, timeout=60, what="sleeping")
