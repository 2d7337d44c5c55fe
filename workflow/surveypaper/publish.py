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
    """Copy the staged deliverables into out_dir; ``dirs`` (name -> staged folder, e.g. ``data``, ``site``)
    and the charts become folders of out_dir (sub-folders too), whose files no longer produced are removed.

    A file whose bytes did not change is left as it is (same mtime): a rebuild wakes no file
    watcher or sync tool for nothing. Returns the files written.
    """
    out_dir = Path(out_dir)
    written = []
    for name, src in sorted(files.items()):
        if _copy_if_changed(Path(src), out_dir / name):
            written.append(out_dir / name)
    for name, src in sorted({"charts": Path(charts_dir), **(dirs or {})}.items()):
        written += publish_tree(Path(src), out_dir / name)
    return written


def publish_tree(src_dir: Path, dest_dir: Path) -> list[Path]:
    """Make ``dest_dir`` hold what ``src_dir`` holds, sub-folders included (see :func:`publish_files`)."""
    src_dir = Path(src_dir)
    files = {
        p.relative_to(src_dir).as_posix(): p for p in src_dir.rglob("*") if p.is_file() and not p.name.startswith(".")
    }
    return publish_files(files, dest_dir)


def publish_files(files: dict[str, Path], dest_dir: Path) -> list[Path]:
    """Make ``dest_dir`` hold exactly ``files`` (relative path -> staged file), each copied atomically.

    A file whose bytes did not change is left untouched (same mtime: a State's page or profile
    that a new response elsewhere does not change is not rewritten); files no longer produced are
    removed, and folders left empty. Returns the files written.
    """
    dest_dir = Path(dest_dir)
    written = [dest_dir / rel for rel, src in sorted(files.items()) if _copy_if_changed(Path(src), dest_dir / rel)]
    if dest_dir.exists():
        wanted = {Path(rel) for rel in files}
        for old in sorted(dest_dir.rglob("*"), reverse=True):
            if old.is_file() and old.relative_to(dest_dir) not in wanted:
                old.unlink()
            elif old.is_dir() and not any(old.iterdir()):
                old.rmdir()
    return written
