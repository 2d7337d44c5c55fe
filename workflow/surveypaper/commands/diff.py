"""`paper diff OLD NEW`: a word-level redline of two drafts and the figures and lists of States that moved.

OLD and NEW are each a build's output folder (holding working_paper.md and stats.json), a git
revision (built once in a temporary `git worktree`, cached by commit; the working tree is never
touched), or WORKTREE (also `.`): this checkout's output/ as last built. The comparison itself is
in `surveypaper.figure_changes` and `surveypaper.redline`; this module finds, builds and reads the two sides and writes the files.

Only the standard library is imported at module level: `paper` imports every command module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

WORKTREE_NAMES = ("WORKTREE", ".")
CACHE_ENV = "SURVEYPAPER_BUILD_CACHE"
REQUIRED = ("working_paper.md", "stats.json")


class DiffError(RuntimeError):
    """A side could not be found or built (the message says which and why)."""


@dataclass
class Side:
    """One draft: its output folder, the raw/ it was built from (for names), how to call it."""

    label: str
    output: Path
    raw: Path | None
    commit: str | None = None


def add_arguments(parser) -> None:
    """Options of `paper diff`."""
    parser.add_argument(
        "old",
        metavar="OLD",
        help="the earlier draft: a build's output folder, a git revision (built once in a temporary worktree "
        "and cached by commit in .git/surveypaper-builds/, or $SURVEYPAPER_BUILD_CACHE), "
        "or WORKTREE / . for this checkout's output/ as last built",
    )
    parser.add_argument("new", metavar="NEW", help="the later draft (same forms as OLD)")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="DIR",
        help="where to write redline.html, figures.md and figures.json (default: output/diff/ at the repository root)",
    )
    parser.add_argument(
        "--exit-code",
        action="store_true",
        help="exit 1 when the drafts differ (text, figures or charts), 0 when they do not, as `git diff --exit-code`",
    )
    parser.add_argument(
        "--root", type=Path, default=None, help="repository root (default: the git checkout around here)"
    )
    parser.add_argument("--cores", default="all", help="cores for building a revision (default: all)")


def run(args) -> int:
    """Compare the two drafts, write DIR, print the summary; 0, or 1 with --exit-code and a difference."""
    try:
        root = _repo_root(args.root)
        old = resolve_side(args.old, root, args.cores)
        new = resolve_side(args.new, root, args.cores)
        out_dir = Path(args.output) if args.output is not None else root / "output" / "diff"
        result = compare(old, new, root)
        write_results(result, out_dir)
    except DiffError as exc:
        print(f"paper diff: {exc}", file=sys.stderr)
        return 2
    for line in result["summary"]:
        print(line)
    print(
        f"wrote {_shown(out_dir / 'redline.html')}, {_shown(out_dir / 'figures.md')}, {_shown(out_dir / 'figures.json')}"
    )
    return 1 if args.exit_code and result["differs"] else 0


# ------------------------------------------------------------------------------------------------
# Finding and building the two sides


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=check)


def _repo_root(given: Path | None) -> Path:
    if given is not None:
        return Path(given).resolve()
    try:
        top = _git(Path.cwd(), "rev-parse", "--show-toplevel", check=False)
    except FileNotFoundError:  # no git at all
        return Path.cwd().resolve()
    return Path(top.stdout.strip()).resolve() if top.returncode == 0 and top.stdout.strip() else Path.cwd().resolve()


def _is_build(folder: Path) -> bool:
    return all((folder / name).is_file() for name in REQUIRED)


def _shown(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def resolve_side(arg: str, root: Path, cores: str = "all") -> Side:
    """A folder, WORKTREE/., or a git revision (built if not cached) → the Side to compare."""
    if arg in WORKTREE_NAMES:
        out = root / "output"
        if not _is_build(out):
            raise DiffError(f"{arg}: {out} holds no build (no {' or '.join(REQUIRED)}); run `paper build` first")
        return Side(f"WORKTREE ({_shown(out)})", out, root / "raw" if (root / "raw").is_dir() else None)
    path = Path(arg)
    if path.is_dir():
        for out in (path, path / "output"):
            if _is_build(out):
                raw = out.parent / "raw"
                return Side(arg, out, raw if raw.is_dir() else None)
        raise DiffError(f"{arg}: a folder without {' and '.join(REQUIRED)} (nor an output/ holding them)")
    sha = _commit_of(arg, root)
    if sha is None:
        raise DiffError(f"{arg}: neither a build's output folder nor a git revision of {root}")
    built = build_revision(root, sha, arg, cores)
    return Side(f"{arg} ({sha[:10]})", built / "output", built / "raw", commit=sha)


def _commit_of(rev: str, root: Path) -> str | None:
    try:
        res = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False)
    except FileNotFoundError:
        return None
    sha = res.stdout.strip()
    return sha if res.returncode == 0 and re.fullmatch(r"[0-9a-f]{40,64}", sha) else None


def cache_root(root: Path) -> Path:
    """$SURVEYPAPER_BUILD_CACHE, else <git dir>/surveypaper-builds (shared by every worktree)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    common = _git(root, "rev-parse", "--git-common-dir").stdout.strip()
    return (root / common).resolve() / "surveypaper-builds"


def build_revision(root: Path, sha: str, rev: str = "", cores: str = "all") -> Path:
    """The cached build of a commit: ``<cache>/<sha>/output`` and the ``raw/`` it was built from.

    On a miss the commit is checked out in a temporary, detached `git worktree` outside the
    repository, built there with Snakemake (with that commit's own package code first on the
    path), and its output/ and raw/ are moved into the cache in one rename; the worktree is then
    removed. A failed build caches nothing.
    """
    cache = cache_root(root)
    entry = cache / sha
    if _is_build(entry / "output"):
        return entry
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"paper-diff-{sha[:10]}-"))
    worktree = tmp / "worktree"
    name = f"{rev} ({sha[:10]})" if rev and not sha.startswith(rev) else sha[:10]
    print(f"paper diff: building {name} in a temporary worktree ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    added = False
    try:
        res = _git(root, "worktree", "add", "--detach", "--quiet", str(worktree), sha, check=False)
        if res.returncode != 0:
            raise DiffError(f"{name}: git worktree add failed: {res.stderr.strip()}")
        added = True
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(worktree / "workflow"), env.get("PYTHONPATH")) if p)
        log = tmp / "build.log"
        with open(log, "w", encoding="utf-8") as fh:
            code = subprocess.call(
                [sys.executable, "-m", "snakemake", "--cores", str(cores)],
                cwd=worktree,
                env=env,
                stdout=fh,
                stderr=subprocess.STDOUT,
            )
        if code != 0 or not _is_build(worktree / "output"):
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise DiffError(f"the build of {name} failed (snakemake exit {code}):\n{tail}")
        staging = Path(tempfile.mkdtemp(prefix=f".{sha}.", dir=cache))
        shutil.copytree(worktree / "output", staging / "output", ignore=shutil.ignore_patterns(".build", "diff"))
        if (worktree / "raw").is_dir():
            shutil.copytree(worktree / "raw", staging / "raw")
        try:
            os.replace(staging, entry)
        except OSError:  # another `paper diff` cached it meanwhile
            shutil.rmtree(staging, ignore_errors=True)
            if not _is_build(entry / "output"):
                raise
    finally:
        if added:
            _git(root, "worktree", "remove", "--force", str(worktree), check=False)
        shutil.rmtree(tmp, ignore_errors=True)
        _git(root, "worktree", "prune", check=False)
    print(f"paper diff: built {name} in {time.monotonic() - started:.0f} s (cached in {entry})", file=sys.stderr)
    return entry


# ------------------------------------------------------------------------------------------------
# Reading and comparing


def _charts(out: Path) -> dict[str, bytes]:
    folder = out / "charts"
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}


def _paper_title(out: Path) -> str:
    import html

    page = out / "working_paper.html"
    if page.is_file():
        m = re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8", errors="replace"), re.DOTALL)
        if m:
            return " ".join(html.unescape(m.group(1)).split())
    return ""


def load_labels(new_raw: Path | None, old_raw: Path | None):
    """Names of States (the new side's, the old side's for States it alone has), question labels
    and order, theme meanings and derived-set labels, from raw/ as each side was built."""
    from surveypaper import questionnaire as qmod
    from surveypaper.figure_changes import Labels
    from surveypaper.states import Named, load_states, load_themes

    raws = [r for r in (new_raw, old_raw) if r is not None and r.is_dir()]
    names, sort = {}, {}
    for raw in reversed(raws):  # the old side first, the new one overrides it
        if (raw / "states.yaml").is_file():
            try:
                states = load_states(raw / "states.yaml")
            except Exception as exc:
                print(f"paper diff: {raw / 'states.yaml'}: {exc}; printing ISO3 codes", file=sys.stderr)
                continue
            names.update({code: s.name for code, s in states.items()})
            sort.update({code: s.sort_key for code, s in states.items()})
    labels = Labels(states=Named(names), state_sort=Named(sort, "sort_key"))  # any other ISO State: its own name
    for raw in raws:
        if (raw / "questionnaire.yaml").is_file():
            try:
                q = qmod.load(raw / "questionnaire.yaml")
            except Exception as exc:
                print(f"paper diff: {raw / 'questionnaire.yaml'}: {exc}", file=sys.stderr)
                continue
            labels.questions = {k: (v.number, v.short) for k, v in q.questions.items() if v.closed}
            labels.choices = {k: tuple(v.options) for k, v in q.questions.items() if v.closed}
            labels.sets = {d.key: d.short for d in q.derived}
            break
    for raw in raws:
        if (raw / "themes.yaml").is_file():
            try:
                labels.themes = load_themes(raw / "themes.yaml")
            except Exception as exc:
                print(f"paper diff: {raw / 'themes.yaml'}: {exc}", file=sys.stderr)
                continue
            break
    return labels


def compare(old: Side, new: Side, root: Path) -> dict:
    """Everything `paper diff` writes and prints, computed from the two sides."""
    from surveypaper import figure_changes, redline

    def read(side: Side):
        md = (side.output / "working_paper.md").read_text(encoding="utf-8")
        try:
            stats = json.loads((side.output / "stats.json").read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DiffError(f"{side.output / 'stats.json'}: not JSON ({exc})") from None
        return md, stats, _charts(side.output)

    old_md, old_stats, old_charts = read(old)
    new_md, new_stats, new_charts = read(new)
    fallback = root / "raw" if (root / "raw").is_dir() else None
    labels = load_labels(new.raw or fallback, old.raw or fallback)
    report = figure_changes.compare_stats(old_stats, new_stats, labels)
    red = redline.redline(old_md, new_md, old_charts, new_charts)
    differs = old_md != new_md or old_stats != new_stats or old_charts != new_charts
    title = _paper_title(new.output) or _paper_title(old.output)
    page = redline.redline_document(red, report, old.label, new.label, title=title)
    summary = [f"paper diff: {old.label} → {new.label}"]
    if differs:
        summary += figure_changes.summary_lines(report, len(red.changes))
    else:
        summary.append("no differences: same text, figures and charts")
    figures = {
        "old": {"label": old.label, "commit": old.commit},
        "new": {"label": new.label, "commit": new.commit},
        "differs": differs,
        **report,
        "text": {
            "changes": len(red.changes),
            "inserted_words": red.inserted_words,
            "deleted_words": red.deleted_words,
            "list": [c.as_dict() for c in red.changes],
        },
    }
    return {
        "differs": differs,
        "summary": summary,
        "redline": page,
        "figures_md": figure_changes.figures_markdown(report, old.label, new.label),
        "figures_json": json.dumps(figures, indent=2, ensure_ascii=False) + "\n",
    }


def write_results(result: dict, out_dir: Path) -> None:
    """redline.html, figures.md, figures.json, each replaced atomically."""
    from surveypaper.publish import write_atomic

    out_dir = Path(out_dir)
    write_atomic(out_dir / "redline.html", result["redline"])
    write_atomic(out_dir / "figures.md", result["figures_md"])
    write_atomic(out_dir / "figures.json", result["figures_json"])
