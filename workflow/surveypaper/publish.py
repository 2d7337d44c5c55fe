"""Atomic publication: a deliverable in output/ is only ever replaced by a complete new file."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write beside the target, flush to disk, then rename over it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def copy_atomic(src: Path, dest: Path) -> None:
    """Copy a complete file into place atomically."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def publish(files: dict[str, Path], charts_dir: Path, out_dir: Path, dirs: dict[str, Path] | None = None) -> list[Path]:
    """Copy the staged deliverables into out_dir; ``dirs`` (name -> staged folder, e.g. ``data``) and the
    charts become folders of out_dir, whose files no longer produced are removed."""
    out_dir = Path(out_dir)
    written = []
    for name, src in sorted(files.items()):
        copy_atomic(src, out_dir / name)
        written.append(out_dir / name)
    for name, src in sorted({"charts": Path(charts_dir), **(dirs or {})}.items()):
        written += _publish_dir(Path(src), out_dir / name)
    return written


def _publish_dir(source: Path, target: Path) -> list[Path]:
    """Each file of ``source`` into ``target`` atomically; files of ``target`` no longer in ``source`` go."""
    written = []
    new = {p.name for p in source.iterdir() if p.is_file() and not p.name.startswith(".")}
    for name in sorted(new):
        copy_atomic(source / name, target / name)
        written.append(target / name)
    if target.exists():
        for old in target.iterdir():
            if old.is_file() and old.name not in new:
                old.unlink()
    return written
