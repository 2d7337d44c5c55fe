"""Each State's region: its UN M49 region and sub-region, from country_converter's table, overridable in raw/.

The source is the table the ``country_converter`` package ships (``country_data.tsv``: per ISO3
code its ``continent`` and ``UNregion``, the M49 region and its finest M49 grouping: the
intermediate region where M49 has one, as "Eastern Africa" or "Caribbean", otherwise the
sub-region). The table is read as a file, without importing the package: its module imports
pandas and compiles a regular expression for every country (and fails to under pandas 3).
country_converter names the M49 region "Americas" "America"; it is given M49's name.

``raw/regions.yaml`` (optional) says how the paper names a region (its article: "the Americas")
and gives a State's region where it should differ from the table, or where the table has none::

    names:
      Americas: {article: the}
    states:
      XKX: {region: Europe, sub_region: Southern Europe}
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import Problem, ValidationFailed, closest
from .states import State
from .yamlio import load_config

#: country_converter's spelling -> UN M49's.
M49_NAMES = {"America": "Americas"}
#: Rows of the table that are no M49 region (the continent "Antarctica").
NOT_A_REGION = {"Antarctica", ""}


@dataclass(frozen=True, order=True)
class Region:
    """A region as the paper names it; prints as its name with its article ("the Americas")."""

    short: str
    article: str = ""

    # named as a State is: its name with its article
    name = State.name
    __str__ = State.__str__


def source_path() -> Path:
    """country_converter's country table, found without importing the package."""
    spec = importlib.util.find_spec("country_converter")
    if spec is None or not spec.submodule_search_locations:
        raise ValidationFailed([Problem("country_converter", "package", "", "the installed country_converter package")])
    return Path(next(iter(spec.submodule_search_locations))) / "country_data.tsv"


@cache
def _source(path: Path) -> dict[str, tuple[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        return {
            row["ISO3"]: (M49_NAMES.get(row["continent"], row["continent"]), row["UNregion"])
            for row in rows
            if row["continent"] not in NOT_A_REGION and not row.get("obsolete")
        }


def source_table(path: Path | None = None) -> dict[str, tuple[str, str]]:
    """ISO3 -> (M49 region, sub-region) for every country of the source table that has one."""
    return dict(_source(Path(path or source_path())))


@dataclass(frozen=True)
class Regions:
    """Every State's region and sub-region, and the regions of the world (those of the table)."""

    of_state: dict[str, tuple[str, str]]
    names: dict[str, Region]

    @property
    def all(self) -> list[str]:
        """Every region, by name."""
        return sorted(self.names)

    def region(self, code: str) -> str:
        return self.of_state[code][0]

    def sub_region(self, code: str) -> str:
        return self.of_state[code][1]


def load_regions(path: Path | None, codes, source: Path | None = None) -> Regions:
    """The regions of ``codes`` (ISO3), from the source table and ``raw/regions.yaml`` (``path``, may be absent).

    A code with no region in either, or an override naming no known region, is a problem
    (file, field, value, expected), all reported at once.
    """
    table = source_table(source)
    data = (load_config(path) if path is not None and Path(path).exists() else None) or {}
    where = str(path) if path is not None else "raw/regions.yaml"
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise ValidationFailed([Problem(where, "file", type(data).__name__, "a mapping with names and states")])
    for key in data:
        if key not in ("names", "states"):
            problems.append(Problem(where, str(key), "", "names or states", closest(str(key), ["names", "states"])))
    known = {region for region, _ in table.values()}
    overrides = data.get("states") or {}
    for code, entry in overrides.items() if isinstance(overrides, dict) else ():
        if not isinstance(entry, dict) or not entry.get("region"):
            problems.append(Problem(where, f"states.{code}", str(entry), "a mapping with a region and a sub_region"))
            continue
        known.add(str(entry["region"]))
    names = {}
    for short, entry in (data.get("names") or {}).items():
        if str(short) not in known:
            problems.append(Problem(where, f"names.{short}", str(short), "a region", closest(str(short), known)))
            continue
        names[str(short)] = Region(str(short), str((entry or {}).get("article", "") or ""))
    of_state = {}
    for code in sorted(codes):
        entry = overrides.get(code) if isinstance(overrides, dict) else None
        if isinstance(entry, dict) and entry.get("region"):
            of_state[code] = (str(entry["region"]), str(entry.get("sub_region", "") or ""))
        elif code in table:
            of_state[code] = table[code]
        else:
            problems.append(Problem(where, f"states.{code}", code, "a UN M49 region for this State (none is known)"))
    if problems:
        raise ValidationFailed(problems)
    return Regions(of_state, {r: names.get(r, Region(r)) for r in sorted(known)})
