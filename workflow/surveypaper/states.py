"""States: ISO 3166-1 alpha-3 codes and the names the paper prints.

Every current ISO 3166-1 State may respond. Its printed name is pycountry's common English short
name ("Bolivia", "South Korea", "Côte d'Ivoire"); ``raw/states.yaml`` only overrides how the paper
prints a name (its spelling, "the"). Codes are matched without regard to case (``chl`` is CHL).

This is the one module that names States and turns what respondents write (a code, an alpha-2
code, a country name) into a code. pycountry is imported only when a code has to be checked or
named, and country_converter (whose import and regular expressions cost much more) only when a
name has to be resolved: the shipped data, all alpha-3 codes, never loads it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
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


@functools.cache
def _countries() -> dict[str, object]:
    """pycountry's current ISO 3166-1 countries by alpha-3 code (its database read once)."""
    import pycountry

    return {c.alpha_3: c for c in pycountry.countries}


def iso3(value) -> str | None:
    """The ISO 3166-1 alpha-3 code ``value`` is, in any case (``chl`` -> CHL), or None."""
    code = str(value or "").strip().upper()
    return code if len(code) == 3 and code in _countries() else None


def common_name(code: str) -> tuple[str, str]:
    """(a common English short name of a current ISO State, its article): ('Bolivia', ''),
    ('South Korea', ''), ('Democratic Republic of the Congo', 'the').

    pycountry's ``common_name`` where it has one, else its ``name``; an inverted name
    ('Congo, The Democratic Republic of the', 'Virgin Islands, British') is put back in reading
    order, and a leading "The" becomes the article. Names that merely contain a comma ('Bonaire,
    Sint Eustatius and Saba') stay as they are.
    """
    country = _countries()[code]
    name = getattr(country, "common_name", None) or country.name
    if ", " in name:
        head, tail = name.split(", ", 1)
        if re.search(r"\b(of|of the)$", tail) or " " not in tail:
            name = f"{tail} {head}"
    if name.startswith(("The ", "the ")):
        return name[4:], "the"
    return name, ""


def _default_state(code: str) -> State:
    short, article = common_name(code)
    return State(sort_key=short.casefold(), code=code, short=short, article=article)


class States(Mapping):
    """Every current ISO 3166-1 State by alpha-3 code.

    ``raw/states.yaml``'s entries first, pycountry's name for any other State (made when first
    asked for). Iterating gives the States of ``raw/states.yaml`` only; ``in`` and ``[]`` know
    every ISO State, in any case.
    """

    def __init__(self, listed: Mapping[str, State] | None = None):
        self._listed = dict(listed or {})
        self._others: dict[str, State] = {}

    def code(self, value) -> str | None:
        """The alpha-3 code ``value`` is (listed, or any current ISO code, in any case), or None."""
        text = str(value or "").strip()
        if text in self._listed:
            return text
        if text.upper() in self._listed:
            return text.upper()
        return iso3(text)

    def __getitem__(self, value) -> State:
        code = self.code(value)
        if code is None:
            raise KeyError(value)
        if code in self._listed:
            return self._listed[code]
        if code not in self._others:
            self._others[code] = _default_state(code)
        return self._others[code]

    def __contains__(self, value) -> bool:
        return self.code(value) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._listed)

    def __len__(self) -> int:
        return len(self._listed)

    def __repr__(self) -> str:
        return f"<States: {len(self._listed)} listed, any ISO 3166-1 State named>"


class Named(Mapping):
    """code -> one attribute of its State (``name``, ``sort_key``): ``given`` first, then any ISO
    State's own (:class:`States`). For labels that must name a State ``given`` does not list."""

    def __init__(self, given: Mapping[str, str], attribute: str = "name"):
        self._given, self._attribute = dict(given), attribute

    def __getitem__(self, code) -> str:
        if code in self._given:
            return self._given[code]
        if iso3(code) != code:
            raise KeyError(code)
        return getattr(_default_state(code), self._attribute)

    def __iter__(self) -> Iterator[str]:
        return iter(self._given)

    def __len__(self) -> int:
        return len(self._given)


def suggest_code(value: str, known=()) -> str:
    """What an unrecognised State code probably meant: a code, or '' when nothing honest fits.

    An alpha-2 code gives its alpha-3 code (``CL`` -> CHL), a country name its code (``Chile`` ->
    CHL, through :func:`resolve_name`), a code with a letter too many the close one among
    ``known`` (the codes of ``raw/states.yaml``: ``ARGG`` -> ARG). A valid code is never
    "unknown", and an unknown three-letter code (``GER``) gets no suggestion: the valid codes a
    letter away from it are other countries.
    """
    text = str(value or "").strip()
    if not text or iso3(text):
        return ""
    if len(text) == 2 and text.isalpha():
        import pycountry

        hit = pycountry.countries.get(alpha_2=text.upper())
        return hit.alpha_3 if hit is not None else ""
    if not (text.isalpha() and text.isupper() and len(text) <= 4):  # a name, not a code
        return resolve_name(text) or ""
    if len(text) == 3:  # another three letters are another country: guessing one would mislead
        return ""
    return closest(text.upper(), sorted(str(k) for k in known), cutoff=0.75)


@functools.cache
def resolve_name(text: str) -> str | None:
    """The alpha-3 code of a country written as a name, an alpha-2 or an alpha-3 code; None if unknown.

    ``Chile``, ``chile``, ``Côte d'Ivoire``, ``Ivory Coast``, ``Republic of Korea``, ``CL``,
    ``CHL``. Exact ISO names and codes are looked up in pycountry; anything else goes to
    country_converter, which knows the spellings countries go by (its regular expressions), and
    is imported only then.
    """
    text = " ".join(str(text or "").split())
    if not text:
        return None
    code = iso3(text)
    if code:
        return code
    import pycountry

    try:
        hit = pycountry.countries.lookup(text)
    except LookupError:
        hit = None
    if hit is not None:
        return hit.alpha_3
    return _coco_name(text)


def _coco_name(text: str) -> str | None:
    found = _converter().convert(text, to="ISO3", not_found=None)
    if isinstance(found, list):  # a name that matches more than one country
        return None
    return iso3(found)


@functools.cache
def _converter():
    import logging

    import country_converter as coco
    import pandas as pd

    logging.getLogger("country_converter").setLevel(logging.ERROR)  # "not found" is ours to report
    # country_converter 1.3.2 reads its table so that, under pandas 3, an empty ISO2 cell (and
    # Namibia's "NA") becomes NaN and its regular expressions fail to compile. Read it as text,
    # every cell kept; only the columns it tests with isna() get their blanks back as NaN.
    data = pd.read_csv(
        coco.country_converter.COUNTRY_DATA_FILE, sep="\t", encoding="utf-8", dtype=str, keep_default_na=False
    )
    for column in ("obsolete", "UNmember"):
        data[column] = data[column].replace("", None)
    return coco.CountryConverter(country_data=data)


def load_states(path: Path) -> States:
    """Read raw/states.yaml: how the paper prints some States' names (any other ISO State prints
    pycountry's common name). Every key must be a current ISO 3166-1 alpha-3 code, in any case."""
    data = load_config(path) or {}
    if not isinstance(data, dict):
        raise ValidationFailed([Problem(str(path), "file", type(data).__name__, "a mapping ISO3 -> {name, article}")])
    problems, states = [], {}
    for key, entry in data.items():
        key = str(key)
        code = iso3(key)
        if code is None:
            problems.append(Problem(str(path), key, key, "an ISO 3166-1 alpha-3 code", suggest_code(key)))
            continue
        if code in states:
            problems.append(Problem(str(path), key, key, f"each State once ({code} is listed twice)"))
            continue
        if not isinstance(entry, dict) or not entry.get("name"):
            problems.append(Problem(str(path), key, str(entry), "a mapping with a 'name'"))
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
    return States(states)


def load_themes(path: Path) -> dict[str, str]:
    """Read raw/themes.yaml: theme code -> one-line meaning."""
    data = load_config(path) or {}
    if not isinstance(data, dict):
        raise ValidationFailed([Problem(str(path), "file", type(data).__name__, "a mapping code -> meaning")])
    return {str(k): " ".join(str(v).split()) for k, v in data.items()}
