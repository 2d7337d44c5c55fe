"""Annex III charts: one SVG per closed question of the current round, with alt text from the data.

Plain SVG written directly: a few dozen elements per chart (bars, one grid path, text kept as text),
cheap for WeasyPrint to lay out and for a browser to show. Deterministic: the same stats give the
same bytes (no date, no creator, no ids); text widths come from the vendored font's metrics.
"""

from __future__ import annotations

import functools
import os
import tempfile
import textwrap
from pathlib import Path
from typing import Any

__all__ = ["PALETTE", "FONTS_DIR", "draw_charts", "chart_manifest", "alt_text", "closed_questions", "round_keys"]

#: The repository's vendored fonts (templates/fonts/): the charts use the paper's text face, and
#: the regular face's advance widths place what depends on a text's width.
FONTS_DIR = Path(__file__).resolve().parents[2] / "templates" / "fonts"
FONT_FILE = "LiberationSerif-Regular.ttf"
FONT_FAMILY = "Liberation Serif"

#: One palette for every chart: the current round, the previous round, text, grid.
PALETTE = {
    "current": "#1f4e79",
    "previous": "#9dc3e6",
    "text": "#1b1b1b",
    "muted": "#555555",
    "grid": "#d9d9d9",
}

CLOSED_TYPES = ("yes_no", "choice")
NO_ANSWER = "no answer"

# Drawn at 120 mm and shown at that size (centred in the 162 mm of A4 text), so 9 pt in the SVG
# is 9 pt on paper; on a 360 px phone the chart shrinks by only about a quarter.
WIDTH_IN = 120 / 25.4
FONT_SIZE = 9


def round_keys(stats: dict) -> list[str]:
    """The rounds of ``stats``, oldest first (numeric names sort as numbers)."""
    def order(key: str):
        return (0, int(key), key) if str(key).isdigit() else (1, 0, str(key))

    return sorted(stats["rounds"], key=order)


def closed_questions(questionnaire: dict) -> list[dict]:
    """The questionnaire's yes/no and choice questions, in questionnaire order."""
    return [
        q
        for section in questionnaire.get("sections", [])
        for q in section.get("questions", [])
        if q.get("type") in CLOSED_TYPES
    ]


def _categories(question: dict) -> list[str]:
    if question["type"] == "yes_no":
        return ["yes", "no"]
    return [str(c) for c in question.get("choices") or []]


def _blank(qstats: dict) -> int:
    if "blank" in qstats and qstats["blank"] is not None:
        return int(qstats["blank"])
    applicable = qstats.get("applicable")
    if applicable is None:
        return 0
    return max(int(applicable) - int(qstats.get("answered") or 0), 0)


def _count(qstats: dict, choice: str) -> int:
    return int((qstats.get("counts") or {}).get(choice) or 0)


def _pct(qstats: dict, choice: str) -> int | None:
    """The stats module's percentage (rounded half up), or None when nobody answered."""
    if not qstats.get("answered"):
        return None
    value = (qstats.get("pct") or {}).get(choice)
    if value is None:
        return None
    return int(value)


def _share(qstats: dict, choice: str) -> str:
    pct = _pct(qstats, choice)
    count = _count(qstats, choice)
    return f"{count} ({pct}%)" if pct is not None else f"{count}"


def _previous_stats(question: dict, stats: dict, previous: str | None) -> dict | None:
    if previous is None:
        return None
    qstats = stats["rounds"][previous].get("questions", {}).get(question["key"])
    if not qstats or not qstats.get("answered"):
        return None
    return qstats


def alt_text(
    question: dict,
    current: dict,
    year: str,
    previous: dict | None = None,
    previous_year: str | None = None,
    unit: str = "States",
) -> str:
    """A sentence or two that say what the chart shows, from the numbers themselves.

    ``26 of 53 States (49%) answered yes, 27 (51%) no; in 2007 9 of 45 (20%) yes.``
    """
    answered = int(current.get("answered") or 0)
    blank = _blank(current)
    cats = _categories(question)
    if answered == 0:
        text = f"No {unit} answered this question in {year}"
        if blank:
            text += f" ({blank} left it blank)"
    elif question["type"] == "yes_no":
        yes, no = _count(current, "yes"), _count(current, "no")
        text = f"{yes} of {answered} {unit}"
        pct_yes, pct_no = _pct(current, "yes"), _pct(current, "no")
        text += f" ({pct_yes}%)" if pct_yes is not None else ""
        text += f" answered yes, {no}" + (f" ({pct_no}%)" if pct_no is not None else "") + " no"
        if blank:
            text += f", {blank} gave no answer"
    else:
        parts = [f"{_share(current, c)} {c}" for c in cats]
        text = f"Of {answered} {unit} that answered in {year}: " + ", ".join(parts)
        if blank:
            text += f"; {blank} gave no answer"
    if previous is not None and previous_year is not None:
        p_answered = int(previous.get("answered") or 0)
        if question["type"] == "yes_no":
            p_yes, p_pct = _count(previous, "yes"), _pct(previous, "yes")
            text += f"; in {previous_year} {p_yes} of {p_answered}"
            text += f" ({p_pct}%)" if p_pct is not None else ""
            text += " yes"
        else:
            parts = [f"{_share(previous, c)} {c}" for c in cats]
            text += f"; in {previous_year}, of {p_answered}: " + ", ".join(parts)
    return text + "."


def _label(choice: str) -> str:
    return choice[:1].upper() + choice[1:]


def _labels(question: dict, show_blank: bool) -> list[str]:
    return [_label(c) for c in _categories(question)] + ([_label(NO_ANSWER)] if show_blank else [])


# --------------------------------------------------------------------------------------------
# Drawing: the SVG is written directly, in points (1 user unit = 1 pt).
#
# A chart is a few dozen elements: bars as <rect>, the grid and the ticks as one <path> each,
# text as <text> with presentation attributes (no CSS to parse, no clip paths, no <use>, no
# per-artist groups). WeasyPrint lays out SVG text glyph by glyph, so the charts carry no more
# text than they need: at most seven tick labels. Positions that depend on a text's width (the
# common left margin, the room for a count beside its bar) come from the vendored font's own
# advance widths, so the drawing does not depend on the fonts installed on the machine.


@functools.lru_cache(maxsize=4)
def _advances(font_path: str) -> tuple[dict[int, int], float]:
    """(code point -> advance width in font units, units per em) of a TrueType font."""
    from fontTools.ttLib import TTFont  # WeasyPrint's own dependency: already installed

    font = TTFont(font_path, lazy=True)
    metrics = font["hmtx"].metrics
    advances = {cp: metrics[glyph][0] for cp, glyph in font.getBestCmap().items()}
    return advances, float(font["head"].unitsPerEm)


class _Metrics:
    """Text widths in points with the paper's regular text face."""

    def __init__(self, fonts_dir: Path):
        path = Path(fonts_dir) / FONT_FILE
        if not path.is_file():
            raise FileNotFoundError(f"chart font {path} is missing (vendored in templates/fonts/)")
        self.advances, self.upem = _advances(str(path))
        self.fallback = self.advances.get(ord("n"), self.upem / 2)

    def width(self, text: str, size: float) -> float:
        return sum(self.advances.get(ord(ch), self.fallback) for ch in text) * size / self.upem


def _num(value: float) -> str:
    """A coordinate with at most two decimals, without trailing zeros (stable, short)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _ticks(top: float, max_intervals: int = 6) -> list[int]:
    """Integer ticks from 0 with a step of 1, 2, 2.5, 5 x 10^k (whole numbers only) up to ``top``."""
    magnitude = 1
    while True:
        for mult in (1, 2, 2.5, 5):
            step = mult * magnitude
            if step != int(step):
                continue
            if top / step <= max_intervals:
                step = int(step)
                return list(range(0, int(top // step) * step + 1, step))
        magnitude *= 10


TEXT_FONT = f"'{FONT_FAMILY}', 'Times New Roman', serif"
ASCENT, DESCENT = 0.76, 0.22  # of the font size: where a baseline sits for top or bottom alignment
LABEL_SIZE, NOTE_SIZE, TITLE_SIZE = FONT_SIZE, FONT_SIZE - 0.5, FONT_SIZE + 2


def _text(x: float, y: float, text: str, size: float, fill: str, anchor: str = "start", extra: str = "") -> str:
    attrs = f'x="{_num(x)}" y="{_num(y)}"'
    if size != LABEL_SIZE:
        attrs += f' font-size="{_num(size)}"'
    if fill != PALETTE["text"]:
        attrs += f' fill="{fill}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    return f"<text {attrs}{extra}>{_esc(text)}</text>"


def _draw_one(question, current, year, previous, previous_year, unit, path: Path, label_w: float, metrics: _Metrics) -> None:
    cats = _categories(question)
    show_blank = _blank(current) > 0 or (previous is not None and _blank(previous) > 0)
    labels = _labels(question, show_blank)

    def values(qstats):
        vals = [_count(qstats, c) for c in cats]
        if show_blank:
            vals.append(_blank(qstats))
        return vals

    def annotations(qstats):
        notes = [_share(qstats, c) for c in cats]
        if show_blank:
            notes.append(str(_blank(qstats)))
        return notes

    series = [(year, current, PALETTE["current"])]
    if previous is not None:
        series.append((previous_year, previous, PALETTE["previous"]))

    number = question.get("number")
    title = question.get("short") or question["key"]
    head = f"Q{number}. {title}" if number else title
    title_lines = textwrap.wrap(head, 62)

    # Layout in points, the same margins for every chart so that they line up in the annex.
    pt = 72.0
    width = WIDTH_IN * pt
    n_rows = len(labels)
    row_h = (0.30 if len(series) == 1 else 0.46) * pt
    left, right, bottom = label_w + 0.14 * pt, 0.12 * pt, 0.55 * pt
    top = (0.06 + 0.2 * len(title_lines) + 0.3) * pt
    axes_h = n_rows * row_h
    height = top + axes_h + bottom
    x0, x1, y0, y1 = left, width - right, top, top + axes_h
    plot_w = x1 - x0

    bar_h = (0.36 if len(series) == 2 else 0.58) * row_h  # in rows, as a share of a row
    answered_now = int(current.get("answered") or 0)
    top_value = max([max(values(q)) for _, q, _ in series] + [1])
    gap = 3.0  # between a bar and its count
    # Room for every count beside its bar: the axis runs at least 20% past the longest bar.
    x_max = top_value * 1.2
    for _, qstats, _ in series:
        for value, note in zip(values(qstats), annotations(qstats), strict=True):
            room = plot_w - gap - metrics.width(note, NOTE_SIZE)
            if value and room > 0:
                x_max = max(x_max, value * plot_w / room)

    def px(value: float) -> float:
        return x0 + value / x_max * plot_w

    def row_y(row: float) -> float:
        return y0 + (row + 0.5) * row_h

    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(width)}pt" height="{_num(height)}pt" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" font-family="{TEXT_FONT}" font-size="{_num(LABEL_SIZE)}" '
        f'fill="{PALETTE["text"]}">',
        f"<title>{_esc(head)}</title>",
    ]
    # grid and ticks behind everything
    ticks = _ticks(x_max)
    grid = " ".join(f"M{_num(px(t))} {_num(y0)}V{_num(y1)}" for t in ticks)
    marks = " ".join(f"M{_num(px(t))} {_num(y1)}v3.5" for t in ticks)
    out.append(f'<path d="{grid}" fill="none" stroke="{PALETTE["grid"]}" stroke-width="0.6"/>')
    out.append(f'<path d="{marks}M{_num(x0)} {_num(y1)}H{_num(x1)}" fill="none" stroke="{PALETTE["muted"]}" stroke-width="0.8"/>')
    for t in ticks:
        out.append(_text(px(t), y1 + 12.9, str(t), NOTE_SIZE, PALETTE["muted"], "middle"))
    out.append(_text((x0 + x1) / 2, y1 + 25, f"Number of {unit}", LABEL_SIZE, PALETTE["text"], "middle"))

    # category labels, right-aligned on the common margin
    for row, label in enumerate(labels):
        out.append(_text(x0 - 6, row_y(row) + 0.34 * LABEL_SIZE, label, LABEL_SIZE, PALETTE["text"], "end"))

    # bars (current round on top of each pair) and their counts
    for i, (_, qstats, colour) in enumerate(series):
        offset = (i - (len(series) - 1) / 2) * bar_h
        for row, (value, note) in enumerate(zip(values(qstats), annotations(qstats), strict=True)):
            centre = row_y(row) + offset
            if value:
                h = bar_h * 0.92
                out.append(f'<rect x="{_num(x0)}" y="{_num(centre - h / 2)}" width="{_num(px(value) - x0)}" '
                           f'height="{_num(h)}" fill="{colour}"/>')
            out.append(_text(px(value) + gap, centre + 0.34 * NOTE_SIZE, note, NOTE_SIZE, PALETTE["text"]))

    if answered_now == 0:
        out.append(_text((x0 + x1) / 2, (y0 + y1) / 2 + 0.34 * (FONT_SIZE + 1), f"No answers in {year}",
                         FONT_SIZE + 1, PALETTE["muted"], "middle", ' font-style="italic"'))
    if len(series) == 2:  # the legend, above the plot's left edge
        x, base = x0 + 2.1, y0 - 3.96
        for name, qstats, colour in series:
            n = int(qstats.get("answered") or 0)
            text = f"{name} (n = {n})"
            out.append(f'<rect x="{_num(x)}" y="{_num(base - 5.95)}" width="10.2" height="5.95" fill="{colour}"/>')
            out.append(_text(x + 17, base, text, NOTE_SIZE, PALETTE["text"]))
            x += 17 + metrics.width(text, NOTE_SIZE) + 12.75
    else:
        out.append(_text(x0, y0 - 5 - DESCENT * NOTE_SIZE, f"{year}, n = {answered_now} {unit}", NOTE_SIZE,
                         PALETTE["muted"]))

    baseline = 0.06 * pt + ASCENT * TITLE_SIZE
    for line in title_lines:
        out.append(_text(0.02 * pt, baseline, line, TITLE_SIZE, PALETTE["text"], extra=' font-weight="bold"'))
        baseline += 11.28
    out.append("</svg>\n")

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write("\n".join(out).encode("utf-8"))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _charts(stats: dict, questionnaire: dict, unit: str):
    """(question, current, year, previous, previous year, manifest entry) per chart, in questionnaire order."""
    rounds = round_keys(stats)
    if not rounds:
        raise ValueError("stats has no rounds")
    year = rounds[-1]
    previous_year = rounds[-2] if len(rounds) > 1 else None
    now = stats["rounds"][year].get("questions", {})
    for question in closed_questions(questionnaire):
        current = now.get(question["key"])
        if current is None:  # not asked in this round
            continue
        previous = _previous_stats(question, stats, previous_year)
        p_year = previous_year if previous is not None else None
        entry = {
            "key": question["key"],
            "title": question.get("short") or question["key"],
            "file": f"charts/{question['key']}.svg",
            "alt": alt_text(question, current, year, previous, p_year, unit),
        }
        yield question, current, year, previous, p_year, entry


def chart_manifest(stats: dict, questionnaire: dict, *, unit: str = "States") -> list[dict]:
    """The manifest :func:`draw_charts` returns, without drawing: what the text needs of the charts."""
    return [entry for *_, entry in _charts(stats, questionnaire, unit)]


def draw_charts(
    stats: dict,
    questionnaire: dict,
    out_dir: Path,
    *,
    unit: str = "States",
    fonts_dir: Path = FONTS_DIR,
) -> list[dict]:
    """Draw one SVG per closed question of the current round into ``out_dir``.

    The current round is the highest key of ``stats["rounds"]``; where the round before it
    answered the same question, its bars are drawn beside the current ones. Returns the manifest
    ``[{key, title, file: "charts/<key>.svg", alt}]`` in questionnaire order.
    """
    out_dir = Path(out_dir)
    metrics = _Metrics(Path(fonts_dir))
    label_w = max(
        [metrics.width(label, LABEL_SIZE) for q in closed_questions(questionnaire) for label in _labels(q, True)]
        + [0.0]
    )
    manifest: list[dict[str, Any]] = []
    for question, current, year, previous, p_year, entry in _charts(stats, questionnaire, unit):
        _draw_one(question, current, year, previous, p_year, unit, out_dir / f"{question['key']}.svg", label_w, metrics)
        manifest.append(entry)
    return manifest
