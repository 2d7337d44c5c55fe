"""Steps for tests/test_warm.py, run in processes of surveypaper.warm."""

import os
import time
from pathlib import Path


def write(path: str, text: str) -> None:
    Path(path).write_text(f"{text} from {os.getpid()}", encoding="utf-8")


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def mark_and_sleep(path: str, seconds: float) -> None:
    """Say that the step runs (a file), then run for a while."""
    Path(path).touch()
    time.sleep(seconds)


def stop(message: str) -> None:
    from surveypaper.pipeline import _stop

    raise _stop(message)


def crash() -> None:
    raise ZeroDivisionError("a bug in a step")


def get_ready(text: str, seconds: float = 0) -> str:
    """A preparation: what the call receives as ``prepared``."""
    time.sleep(seconds)
    return f"{text} prepared in {os.getpid()}"


def fail_to_get_ready(text: str) -> str:
    raise ValueError("cannot prepare")


def write_prepared(path: str, text: str, *, prepared=None, prepare_failed=None) -> None:
    failed = "" if prepare_failed is None else f" ({prepare_failed})"
    Path(path).write_text(f"{text}, {prepared}{failed}", encoding="utf-8")
