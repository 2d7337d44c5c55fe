"""The project: where it keeps its files, and its inputs loaded once per version of each file.

Shared by the build's steps (:mod:`surveypaper.pipeline`), `paper check` (:mod:`surveypaper.checks`),
`paper vars` and `paper preview`: the paths of workflow/config.yaml (:func:`project_paths`), the
project files every step reads (questionnaire, States, themes, ``paper.yaml``), parsed once per
process and per file version (:func:`_cached`), the validated responses, the stats, the charts'
manifest and the template context.
"""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

__all__ = [
    "Paths",
    "built_stats",
    "chart_manifest",
    "computed_stats",
    "ingest",
    "load_paper",
    "load_questionnaire",
    "load_states",
    "load_themes",
    "markdown_from_stats",
    "newest_mtime",
    "project_context",
    "project_paths",
    "project_stats",
    "read_chart_manifest",
    "stats_from_responses",
    "template_context",
]


# --- where the project keeps its files ----------------------------------------------------------


@dataclass(frozen=True)
class Paths:
    """Where a project keeps its inputs and build (from workflow/config.yaml, else the defaults)."""

    root: Path
    raw: Path
    templates: Path
    build: Path

    @property
    def stats_json(self) -> Path:
        return self.build / "stats.json"

    @property
    def charts(self) -> Path:
        return self.build / "charts"


def project_paths(root: Path | str = ".") -> Paths:
    """The project's raw/, templates/ and build folders, as workflow/config.yaml sets them."""
    root = Path(root).resolve()
    conf = {}
    cfg = root / "workflow" / "config.yaml"
    if cfg.is_file():
        from .yamlio import load_config

        conf = load_config(cfg) or {}
    return Paths(
        root=root,
        raw=root / str(conf.get("raw", "raw")),
        templates=root / str(conf.get("templates", "templates")),
        build=root / str(conf.get("build", "output/.build")),
    )


def newest_mtime(folder: Path) -> float:
    """The latest modification time of any file under folder (0 if none)."""
    newest = 0.0
    for p in folder.rglob("*"):
        if p.is_file():
            newest = max(newest, p.stat().st_mtime)
    return newest


# --- project files, parsed once per version ---------------------------------------------------

_cache: dict[tuple[str, str], tuple[tuple, object]] = {}
_cache_lock = threading.Lock()


def _cached(kind: str, path: Path, load):
    """``load(path)``, reused while the file is unchanged (same inode, size and mtime).

    One build reads questionnaire.yaml in ingest, stats, check and render; in one process that is
    one parse. An edit changes the mtime, so a long-lived process (the preview) reads it again.
    """
    path = Path(path)
    st = path.stat()
    version = (st.st_ino, st.st_size, st.st_mtime_ns)
    key = (kind, str(path.resolve()))
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    value = load(path)
    with _cache_lock:
        _cache[key] = (version, value)
    return value


def load_questionnaire(path: Path):
    """The questionnaire (immutable: shared between steps)."""
    from . import questionnaire as qmod

    return _cached("questionnaire", path, qmod.load)


def load_states(path: Path):
    """raw/states.yaml's names over every ISO 3166-1 State (a read-only :class:`~surveypaper.states.States`)."""
    from .states import load_states as load

    return _cached("states", path, load)


def load_themes(path: Path) -> dict:
    """raw/themes.yaml (a fresh dict)."""
    from .states import load_themes as load

    return dict(_cached("themes", path, load))


def load_paper(path: Path) -> dict:
    """templates/paper.yaml (a fresh copy: templates may not change the shared one)."""
    from .yamlio import load_config

    return copy.deepcopy(_cached("paper", path, lambda p: load_config(p) or {}))


# --- responses, stats, charts, context ----------------------------------------------------------


def ingest(raw_dir: Path, log: list[str] | None = None) -> dict:
    """Validate every response against the questionnaire, States and themes (raises ValidationFailed).

    ``log`` receives what each table header was matched to."""
    from .ingest import load_all

    raw_dir = Path(raw_dir)
    q = load_questionnaire(raw_dir / "questionnaire.yaml")
    return load_all(raw_dir, q, load_states(raw_dir / "states.yaml"), load_themes(raw_dir / "themes.yaml"), log)


def stats_from_responses(
    responses: dict,
    questionnaire_path: Path,
    themes_path: Path,
    regions_path: Path | None = None,
    paper_path: Path | None = None,
) -> dict:
    """stats.json from validated responses; the respondents' regions from ``regions_path`` (default:
    ``regions.yaml`` beside the questionnaire, if there is one) and country_converter's table.

    The round reported and the one compared with are those ``paper_path`` (templates/paper.yaml)
    names; raises ValidationFailed if it names a round without responses."""
    from .errors import ValidationFailed
    from .regions import load_regions
    from .rounds import check_reported_rounds, reported_rounds
    from .stats import compute

    paper = load_paper(paper_path) if paper_path is not None and Path(paper_path).is_file() else {}
    current, previous = reported_rounds(responses["rounds"], paper)
    problems = check_reported_rounds(current, previous, responses["rounds"], _shown(paper_path))
    if problems:
        raise ValidationFailed(problems)
    if regions_path is None:
        regions_path = Path(questionnaire_path).parent / "regions.yaml"
    codes = {r["state"] for found in responses["rounds"].values() for r in found}
    regions = load_regions(regions_path, codes)
    return compute(
        load_questionnaire(questionnaire_path), load_themes(themes_path), responses, regions, current, previous
    )


def _shown(path: Path | None) -> str:
    """A project file as a report names it: relative to the working directory where it can be."""
    if path is None:
        return "templates/paper.yaml"
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def built_stats(paths: Paths) -> dict | None:
    """stats.json of the last build if it is newer than every file in raw/, else None."""
    if paths.stats_json.is_file() and paths.stats_json.stat().st_mtime >= newest_mtime(paths.raw):
        return json.loads(paths.stats_json.read_text(encoding="utf-8"))
    return None


def project_stats(paths: Paths) -> dict:
    """stats.json of the last build if it is newer than every file in raw/, else computed from raw/."""
    built = built_stats(paths)
    return built if built is not None else computed_stats(paths)


def computed_stats(paths: Paths) -> dict:
    """stats.json computed from raw/ (raises ValidationFailed)."""
    raw = paths.raw
    return stats_from_responses(
        ingest(raw), raw / "questionnaire.yaml", raw / "themes.yaml", paper_path=paths.templates / "paper.yaml"
    )


def chart_manifest(stats_data: dict, questionnaire_path: Path) -> list[dict]:
    """What the text needs of the charts (key, title, file, alt, size), computed without drawing them."""
    from .charts import chart_manifest as manifest

    return manifest(stats_data, load_questionnaire(questionnaire_path).as_dict())


def read_chart_manifest(charts_dir: Path) -> list:
    """The charts as drawn by the last build (its charts.json), or none."""
    path = Path(charts_dir) / "charts.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    return []


def template_context(stats_data: dict, raw_dir: Path, templates_dir: Path, charts: list) -> dict:
    """The template context for this build."""
    from .context import build_context as build

    raw_dir, templates_dir = Path(raw_dir), Path(templates_dir)
    return build(
        stats_data,
        load_states(raw_dir / "states.yaml"),
        load_questionnaire(raw_dir / "questionnaire.yaml"),
        load_paper(templates_dir / "paper.yaml"),
        charts,
        load_region_names(raw_dir / "regions.yaml"),
    )


def load_region_names(path: Path) -> dict:
    """How the paper names each region (raw/regions.yaml's ``names``): region -> Region."""
    from .regions import Region
    from .yamlio import load_config

    if not Path(path).exists():
        return {}
    data = _cached("regions", path, lambda p: load_config(p) or {})
    names = data.get("names") if isinstance(data, dict) else None
    return {str(k): Region(str(k), str((v or {}).get("article", "") or "")) for k, v in (names or {}).items()}


def project_context(paths: Paths, stats: dict | None = None, charts: list | None = None) -> dict:
    """The template context the build would use (stats of the last build, or computed from raw/)."""
    stats = project_stats(paths) if stats is None else stats
    charts = read_chart_manifest(paths.charts) if charts is None else charts
    return template_context(stats, paths.raw, paths.templates, charts)


def markdown_from_stats(
    stats_data: dict, raw_dir: Path, templates_dir: Path, manifest: list[dict] | None = None
) -> str:
    """The paper's Markdown (raises TemplateProblem); ``manifest``, if given, is :func:`chart_manifest`'s."""
    from .templating import markdown_from_context

    raw_dir = Path(raw_dir)
    if manifest is None:
        manifest = chart_manifest(stats_data, raw_dir / "questionnaire.yaml")
    return markdown_from_context(
        templates_dir, template_context(stats_data, raw_dir, templates_dir, safe_charts(manifest))
    )


def safe_charts(manifest: list[dict]) -> list[dict]:
    """The chart manifest as the templates see it: chart paths are built from question keys, safe in Markdown."""
    return [{**chart, "file": Markup(chart["file"])} for chart in manifest]
