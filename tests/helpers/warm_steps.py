"""Steps for tests/test_warm.py, run in processes of surveypaper.warm."""

import os
import time
from pathlib import Path


def write(path: str, text: str) -> None:
    Path(path).write_text(f"{text} from {os.getpid()}", encoding="utf-8")


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def stop(message: str) -> None:
    from surveypaper.pipeline import _stop

    raise _stop(message)


def crash() -> None:
    raise ZeroDivisionError("a bug in a step")
