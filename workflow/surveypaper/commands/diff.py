"""`paper diff OLD NEW`: a word-level redline of two drafts and the figures and lists of States that moved.

OLD and NEW are each a build's output folder (holding working_paper.md and stats.json), a git
revision (built once in a temporary `git worktree`, cached by commit; the working tree is never
touched), or WORKTREE (also `.`): the working tree as it is now, uncommitted edits included, built in a
copy of its own (output/ is never read: it may be older than the edits). The comparison itself is
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
# Two output folders compare anywhere; a revision or WORKTREE needs the project (found by _repo_root).
ROOT_OPTIONAL = True
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
        "or WORKTREE / . for the working tree as it is now (built in a copy of its own, never read from output/)",
    )
    parser.add_argument("new", metavar="NEW", help="the later draft (same forms as OLD)")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="DIR",
        help="where to write redline.html, redline.docx, figures.md and figures.json (default: output/diff/ at the repository root)",
    )
    parser.add_argument(
        "--exit-code",
        action="store_true",
        help="exit 1 when the drafts differ (text, figures or charts), 0 when they do not, as `git diff --exit-code`",
    )
    parser.add_argument(
        "--root", type=Path, default=None, help="repository root (default: the project around the current folder)"
    )
    parser.add_argument("--cores", default="all", help="cores for building a revision (default: all)")
    parser.add_argument(
        "--prose-only",
        action="store_true",
        help="open redline.html showing only the prose edits (changes that followed the data are shown plain; "
        "a checkbox at its top switches)",
    )


def run(args) -> int:
    """Compare the two drafts, write DIR, print the summary; 0, or 1 with --exit-code and a difference."""
    try:
        root = _repo_root(args.root)
        old = resolve_side(args.old, root, args.cores)
        new = resolve_side(args.new, root, args.cores)
        out_dir = Path(args.output) if args.output is not None else (root or Path.cwd()) / "output" / "diff"
        result = compare(old, new, root, prose_only=args.prose_only)
        write_results(result, out_dir)
    except DiffError as exc:
        print(f"paper diff: {exc}", file=sys.stderr)
        return 2
    for line in result["summary"]:
        print(line)
    written = ("redline.html", "redline.docx", "figures.md", "figures.json")
    print("wrote " + ", ".join(_shown(out_dir / name) for name in written))
    return 1 if args.exit_code and result["differs"] else 0


# ------------------------------------------------------------------------------------------------
# Finding and building the two sides


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=check)


def _repo_root(given: Path | None) -> Path | None:
    """The project around the current folder (or ``given``); None outside one (folders still compare)."""
    from surveypaper.project_root import NotAProject, find_root

    try:
        return find_root(given, given=given is not None)
    except NotAProject as exc:
        if given is not None:
            raise DiffError(str(exc)) from None
        return None


def _need_root(root: Path | None, arg: str) -> Path:
    if root is None:
        from surveypaper.project_root import find_root

        try:
            find_root()
        except Exception as exc:
            raise DiffError(f"{arg}: {exc}") from None
    return root


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
        built = build_worktree(_need_root(root, arg), cores)
        return Side("WORKTREE (the working tree, built as it is now)", built / "output", built / "raw")
    path = Path(arg)
    if path.is_dir():
        for out in (path, path / "output"):
            if _is_build(out):
                raw = out.parent / "raw"
                stale = _stale_sources(out)
                if stale:
                    print(
                        f"paper diff: warning: {arg} was built before the last edit to {stale}: it is not the "
                        "working tree as it is now (build it, or compare WORKTREE)",
                        file=sys.stderr,
                    )
                return Side(arg, out, raw if raw.is_dir() else None)
        raise DiffError(f"{arg}: a folder without {' and '.join(REQUIRED)} (nor an output/ holding them)")
    sha = _commit_of(arg, _need_root(root, arg))
    if sha is None:
        raise DiffError(f"{arg}: neither a build's output folder nor a git revision of {root}")
    built = build_revision(root, sha, arg, cores)
    return Side(f"{arg} ({sha[:10]})", built / "output", built / "raw", commit=sha)


def _stale_sources(out: Path) -> str | None:
    """The newest source file of a project's output/ that is newer than the build in it, or None."""
    project = out.parent
    from surveypaper.project_root import is_root

    if out.name != "output" or not is_root(project):
        return None
    built = min((out / name).stat().st_mtime for name in REQUIRED)
    newest, newest_path = 0.0, None
    for folder in ("raw", "templates", "workflow"):
        for p in (project / folder).rglob("*"):
            if p.is_file() and "__pycache__" not in p.parts and p.stat().st_mtime > newest:
                newest, newest_path = p.stat().st_mtime, p
    return newest_path.relative_to(project).as_posix() if newest_path is not None and newest > built else None


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
    name = f"{rev} ({sha[:10]})" if rev and not sha.startswith(rev) else sha[:10]

    def checkout(worktree: Path) -> None:
        res = _git(root, "worktree", "add", "--detach", "--quiet", str(worktree), sha, check=False)
        if res.returncode != 0:
            raise DiffError(f"{name}: git worktree add failed: {res.stderr.strip()}")

    def remove(worktree: Path) -> None:
        _git(root, "worktree", "remove", "--force", str(worktree), check=False)
        _git(root, "worktree", "prune", check=False)

    return _build_copy(cache, entry, name, checkout, remove, cores, where="a temporary worktree")


def worktree_files(root: Path) -> list[str]:
    """The working tree's files as git would commit them now: tracked and untracked, ignored ones left out.

    Outside git: every file but the build's products and tool folders.
    """
    try:
        res = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", check=False)
    except FileNotFoundError:
        res = None
    if res is not None and res.returncode == 0:
        names = [n for n in res.stdout.split("\0") if n]
    else:
        skip = {"output", ".snakemake", ".git", ".venv", "__pycache__", ".pytest_cache"}
        names = [
            p.relative_to(root).as_posix()
            for p in sorted(root.rglob("*"))
            if p.is_file() and not skip.intersection(p.relative_to(root).parts)
        ]
    return sorted({n for n in names if (root / n).is_file()})  # deleted but tracked files are gone


def build_worktree(root: Path, cores: str = "all") -> Path:
    """The build of the working tree as it is now, in a copy of its own: ``<cache>/worktree-<hash>``.

    The files git would see (tracked and untracked, not ignored) are copied to a temporary folder
    and built there; output/ is never read. Cached by the files' contents, so comparing the same
    edits again costs no build; only the latest working-tree build is kept.
    """
    import hashlib

    files = worktree_files(root)
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    key = f"worktree-{digest.hexdigest()[:24]}"
    cache = cache_root(root)
    entry = cache / key
    if _is_build(entry / "output"):
        return entry

    def copy(dest: Path) -> None:
        for name in files:
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, target)

    built = _build_copy(cache, entry, "the working tree", copy, lambda dest: None, cores, where="a copy of its own")
    for old in cache.glob("worktree-*"):
        if old != entry:
            shutil.rmtree(old, ignore_errors=True)
    return built


def _build_copy(cache: Path, entry: Path, name: str, make, remove, cores: str, where: str) -> Path:
    """Build the tree ``make(folder)`` puts in a temporary folder; move its output/ and raw/ to ``entry``."""
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="paper-diff-"))
    tree = tmp / "tree"
    print(f"paper diff: building {name} in {where} ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    made = False
    try:
        make(tree)
        made = True
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(tree / "workflow"), env.get("PYTHONPATH")) if p)
        log = tmp / "build.log"
        with open(log, "w", encoding="utf-8") as fh:
            code = subprocess.call(
                [sys.executable, "-m", "snakemake", "--cores", str(cores)],
                cwd=tree,
                env=env,
                stdout=fh,
                stderr=subprocess.STDOUT,
            )
        if code != 0 or not _is_build(tree / "output"):
            raise DiffError(_failed_build(name, code, log, tree, cache))
        staging = Path(tempfile.mkdtemp(prefix=f".{entry.name}.", dir=cache))
        shutil.copytree(tree / "output", staging / "output", ignore=shutil.ignore_patterns(".build", "diff"))
        if (tree / "raw").is_dir():
            shutil.copytree(tree / "raw", staging / "raw")
        try:
            os.replace(staging, entry)
        except OSError:  # another `paper diff` cached it meanwhile
            shutil.rmtree(staging, ignore_errors=True)
            if not _is_build(entry / "output"):
                raise
    finally:
        if made:
            remove(tree)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"paper diff: built {name} in {time.monotonic() - started:.0f} s (cached in {entry})", file=sys.stderr)
    return entry


def _failed_build(name: str, code: int, log: Path, tree: Path, cache: Path) -> str:
    """The message for a side that did not build: its whole console report, and a log that is kept."""
    kept = cache / "failed"
    kept.mkdir(parents=True, exist_ok=True)
    saved = kept / f"{re.sub(r'[^A-Za-z0-9._-]+', '_', name)}.log"
    parts = [log.read_text(encoding="utf-8", errors="replace")]
    for extra in sorted((tree / ".snakemake" / "log").glob("*.log")):
        parts.append(
            f"\n--- Snakemake's log ({extra.name}) ---\n" + extra.read_text(encoding="utf-8", errors="replace")
        )
    saved.write_text("".join(parts), encoding="utf-8")
    report = parts[0].strip()
    text = report.replace(str(tree) + os.sep, "").replace(str(tree), ".")
    return f"the build of {name} failed (snakemake exit {code}):\n{text}\n(the whole log: {saved})"


# ------------------------------------------------------------------------------------------------
# Reading and comparing


def _charts(out: Path, folder: str = "charts") -> dict[str, bytes]:
    """The files of a build's charts/ (or another folder of it), by name."""
    folder = out / folder
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


def _paper_properties(out: Path, old_label: str, new_label: str) -> dict[str, str]:
    """The Word redline's properties, from the new draft's HTML ``<head>``: its title, author,
    subject, keywords, language and date (which dates the tracked changes)."""
    import html

    page = out / "working_paper.html"
    head = page.read_text(encoding="utf-8", errors="replace").split("</head>", 1)[0] if page.is_file() else ""

    def meta(name: str, default: str = "") -> str:
        m = re.search(rf'<meta name="{re.escape(name)}" content="([^"]*)"', head)
        return " ".join(html.unescape(m.group(1)).split()) if m else default

    lang = re.search(r'<html lang="([^"]+)"', head)
    return {
        "title": _paper_title(out) or "The working paper",
        "author": meta("author"),
        "subject": meta("description"),
        "keywords": meta("keywords"),
        "lang": lang.group(1) if lang else "en",
        "date": meta("dcterms.created", "1980-01-01"),
        "running_head": f"Redline: {old_label} → {new_label}",
    }


def _reference_doc(root: Path | None) -> Path:
    """The Word reference document: this checkout's templates/reference.docx, else the package's
    (two output folders compared outside any project have no checkout)."""
    from surveypaper.document import TEMPLATES_DIR
    from surveypaper.docx import REFERENCE_DOC

    own = root / "templates" / REFERENCE_DOC if root is not None else None
    return own if own is not None and own.is_file() else TEMPLATES_DIR / REFERENCE_DOC


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


def _printed(output: Path) -> dict:
    """Where the paper in ``output`` prints each question's figures (its provenance.json), if it has one."""
    from surveypaper.figure_changes import printed_in

    path = Path(output) / "provenance.json"
    if not path.is_file():
        return {}
    try:
        return printed_in(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, TypeError, KeyError):
        return {}


def compare(old: Side, new: Side, root: Path | None, prose_only: bool = False) -> dict:
    """Everything `paper diff` writes and prints, computed from the two sides."""
    from surveypaper import figure_changes, redline
    from surveypaper.docx import DocxError

    def read(side: Side):
        md = (side.output / "working_paper.md").read_text(encoding="utf-8")
        try:
            stats = json.loads((side.output / "stats.json").read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DiffError(f"{side.output / 'stats.json'}: not JSON ({exc})") from None
        return md, stats, _charts(side.output)

    old_md, old_stats, old_charts = read(old)
    new_md, new_stats, new_charts = read(new)
    fallback = root / "raw" if root is not None and (root / "raw").is_dir() else None
    labels = load_labels(new.raw or fallback, old.raw or fallback)
    report = figure_changes.compare_stats(old_stats, new_stats, labels)
    red = redline.redline(old_md, new_md, old_charts, new_charts, data_words=labels.states.values())
    differs = old_md != new_md or old_stats != new_stats or old_charts != new_charts
    title = _paper_title(new.output) or _paper_title(old.output)
    page = redline.redline_document(red, report, old.label, new.label, title=title, prose_only=prose_only)
    # Word is shown the charts' PNG copies (output/chart_images/), where the build made them
    images = {
        **redline.chart_images({**old_charts, **_charts(old.output, "chart_images")}),
        **redline.chart_images({**new_charts, **_charts(new.output, "chart_images")}),
    }
    try:
        word = redline.redline_docx(
            red, _paper_properties(new.output, old.label, new.label), _reference_doc(root), images
        )
    except DocxError as exc:
        raise DiffError(f"redline.docx: {exc}") from None
    summary = [f"paper diff: {old.label} → {new.label}"]
    if differs:
        summary += figure_changes.summary_lines(report, len(red.changes), len(red.prose_changes))
    else:
        summary.append("no differences: same text, figures and charts")
    figures = {
        "old": {"label": old.label, "commit": old.commit},
        "new": {"label": new.label, "commit": new.commit},
        "differs": differs,
        **report,
        "text": {
            "changes": len(red.changes),
            "prose_changes": len(red.prose_changes),
            "data_changes": len(red.data_changes),
            "inserted_words": red.inserted_words,
            "deleted_words": red.deleted_words,
            "list": [c.as_dict() for c in red.changes],
        },
    }
    return {
        "differs": differs,
        "summary": summary,
        "redline": page,
        "redline_docx": word,
        "figures_md": figure_changes.figures_markdown(report, old.label, new.label, _printed(new.output)),
        "figures_json": json.dumps(figures, indent=2, ensure_ascii=False) + "\n",
    }


def write_results(result: dict, out_dir: Path) -> None:
    """redline.html, redline.docx, figures.md, figures.json, each replaced atomically."""
    from surveypaper.publish import write_atomic

    out_dir = Path(out_dir)
    write_atomic(out_dir / "redline.html", result["redline"])
    write_atomic(out_dir / "redline.docx", result["redline_docx"])
    write_atomic(out_dir / "figures.md", result["figures_md"])
    write_atomic(out_dir / "figures.json", result["figures_json"])
