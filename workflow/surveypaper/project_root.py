"""Where the project is: its root, found from any folder inside it as git finds a checkout's top.

Every `paper` command runs from the repository root or any folder below it (`templates/sections`,
`raw/responses/2008` ...): the root is the nearest folder, going up, that holds the workflow's
`workflow/config.yaml` or a `Snakefile`. Outside any project the command says so in one line.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["MARKERS", "NotAProject", "find_root"]

#: A folder holding one of these is a project root.
MARKERS = ("workflow/config.yaml", "Snakefile")


class NotAProject(RuntimeError):
    """No project root at or above the folder (the message is the one line to print)."""


def is_root(folder: Path) -> bool:
    """Whether ``folder`` is a project's root."""
    return any((folder / marker).is_file() for marker in MARKERS)


def find_root(start: Path | str | None = None, *, given: bool = False) -> Path:
    """The project root at or above ``start`` (default: the current folder).

    With ``given`` (the user's `--root`), ``start`` itself must be the root.
    """
    start = Path.cwd() if start is None else Path(start)
    here = start.resolve()
    if given:
        if is_root(here):
            return here
        raise NotAProject(f"{start} is not a survey paper project (it has no {' or '.join(MARKERS)})")
    for folder in (here, *here.parents):
        if is_root(folder):
            return folder
    raise NotAProject(
        f"not inside a survey paper project: no {' or '.join(MARKERS)} in {here} or any folder above it "
        "(run it inside the repository, or give --root DIR)"
    )
