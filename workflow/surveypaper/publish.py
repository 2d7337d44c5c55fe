"""Atomic writes and publication: a file in output/ is only ever replaced by a complete new one."""

from __future__ import annotations

import contextlib
import filecmp
import os
import shutil
import tempfile
from pathlib import Path


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_file(path: Path):
    """A binary file to write ``path`` through: written beside it, flushed to disk, renamed over it.

    The one atomic writer of the package (build files, charts, the PDF, the deliverables): the
    file gets the permissions a plain ``open`` would give (``0o666`` less the umask); if the
    block raises, the target is left as it was and the temporary file is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` atomically (:func:`atomic_file`)."""
    with atomic_file(path) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)


def copy_atomic(src: Path, dest: Path) -> None:
    """Copy a complete file into place atomically (:func:`atomic_file`)."""
    with atomic_file(dest) as fh, open(src, "rb") as source:
        shutil.copyfileobj(source, fh)


def _copy_if_changed(src: Path, dest: Path) -> bool:
    """:func:`copy_atomic` unless ``dest`` already has the bytes of ``src``; whether it copied."""
    if dest.is_file() and filecmp.cmp(src, dest, shallow=False):
        return False
    copy_atomic(src, dest)
    return True


def publish(files: dict[str, Path], charts_dir: Path, out_dir: Path, dirs: dict[str, Path] | None = None) -> list[Path]:
    """Copy the staged deliverables into out_dir; ``dirs`` (name -> staged folder, e.g. ``data``) and the
    charts become folders of out_dir, whose files no longer produced are removed.

    A file whose bytes did not change is left as it is (same mtime): a rebuild wakes no file
    watcher or sync tool for nothing. Returns the files written.
    """
    out_dir = Path(out_dir)
    written = []
    for name, src in sorted(files.items()):
        if _copy_if_changed(Path(src), out_dir / name):
            written.append(out_dir / name)
    for name, src in sorted({"charts": Path(charts_dir), **(dirs or {})}.items()):
        written += _publish_dir(Path(src), out_dir / name)
    return written


def _publish_dir(source: Path, target: Path) -> list[Path]:
    """Each file of ``source`` into ``target`` atomically; files of ``target`` no longer in ``source`` go."""
    written = []
    new = {p.name for p in source.iterdir() if p.is_file() and not p.name.startswith(".")}
    for name in sorted(new):
        if _copy_if_changed(source / name, target / name):
            written.append(target / name)
    if target.exists():
        for old in target.iterdir():
            if old.is_file() and old.name not in new:
                old.unlink()
    return written
