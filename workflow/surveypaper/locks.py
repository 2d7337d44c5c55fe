"""Recovery after a killed build: Snakemake's directory locks outlive a SIGKILL; ours notice."""

from __future__ import annotations

import os
from pathlib import Path

OWNER = "surveypaper-build.pid"


def _alive_snakemake(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        try:
            os.kill(pid, 0)  # no /proc (macOS): any live process counts
        except OSError:
            return False
        return True
    return b"snakemake" in cmdline


def claim(workdir: Path, pid: int | None = None) -> bool:
    """Record this process as the build's owner; clear Snakemake locks left by a dead one.

    Returns True if stale locks were removed. A live owner's locks are left alone, so Snakemake
    refuses a second concurrent build with its own clear message.
    """
    meta = Path(workdir) / ".snakemake"
    owner = meta / OWNER
    cleared = False
    if owner.exists():
        try:
            previous = int(owner.read_text().strip() or 0)
        except ValueError:
            previous = 0
        if previous and previous != (pid or os.getpid()) and _alive_snakemake(previous):
            return False
    locks = meta / "locks"
    if locks.is_dir():
        for lock in locks.iterdir():
            lock.unlink(missing_ok=True)
            cleared = True
    meta.mkdir(exist_ok=True)
    owner.write_text(f"{pid or os.getpid()}\n")
    return cleared
