"""States: ISO 3166-1 alpha-3 codes and the names the paper prints."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, ValidationFailed, closest
from .yamlio import load_config


@dataclass(frozen=True, order=True)
class State:
    """A State as the paper names it; prints as its name with its article."""

    sort_key: str
    code: str
    short: str
    article: str = ""

    @property
    def name(self) -> str:
        """The name with its article: 'the Netherlands'."""
        return f"{self.article} {self.short}" if self.article else self.short

    def __str__(self) -> str:
        return self.name


def _iso3_codes() -> set[str]:
    import pycountry

    return {c.alpha_3 for c in pycountry.countries}


def suggest_code(value: str, known) -> str:
    """The closest known ISO3 code for a misspelt code, an alpha-2 code or a country name."""
    import pycountry

    text = str(value).strip()
    known = sorted(known)
    if text.upper() in known:
        return text.upper()
    try:
        hit = pycountry.countries.lookup(text)
        if hit.alpha_3 in known or not known:
            return hit.alpha_3
    except LookupError:
        pass
    return closest(text.upper(), known, cutoff=0.5)


def load_states(path: Path) -> dict[str, State]:
    """Read raw/states.yaml; every key must be a current ISO 3166-1 alpha-3 code."""
    data = load_config(path) or {}
    if not isinstance(data, dict):
        raise ValidationFailed([Problem(str(path), "file", type(data).__name__, "a mapping ISO3 -> {name, article}")])
    iso = _iso3_codes()
    problems, states = [], {}
    for code, entry in data.items():
        code = str(code)
        if code not in iso:
            problems.append(Problem(str(path), code, code, "an ISO 3166-1 alpha-3 code", suggest_code(code, iso)))
            continue
        if not isinstance(entry, dict) or not entry.get("name"):
            problems.append(Problem(str(path), code, str(entry), "a mapping with a 'name'"))
            continue
        short = str(entry["name"])
        states[code] = State(
            sort_key=str(entry.get("sort", short)).casefold(),
            code=code,
            short=short,
            article=str(entry.get("article", "") or ""),
        )
    if problems:
        raise ValidationFailed(problems)
    return states


def load_themes(path: Path) -> dict[str, str]:
    """Read raw/themes.yaml: theme code -> one-line meaning."""
    data = load_config(path) or {}
    if not isinstance(data, dict):
        raise ValidationFailed([Problem(str(path), "file", type(data).__name__, "a mapping code -> meaning")])
    return {str(k): " ".join(str(v).split()) for k, v in data.items()}
