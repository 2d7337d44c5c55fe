"""Annex III charts: one SVG per closed question of the current round, with alt text from the data.

Drawn with matplotlib (the project's charting library) straight onto a Figure, without Axes (see
:func:`_draw_one`), and kept cheap for WeasyPrint to lay out: text stays text (`svg.fonttype:
none`), no clip paths, at most seven ticks, no title inside the SVG (the annex's figure heading
carries it). Deterministic: the same stats give the same bytes (fixed SVG hash salt, no date, no
creator, a vendored font for the metrics). matplotlib is imported inside
:func:`draw_charts` so importing this module, and building the manifest, stay cheap.

Longer than most modules (about 650 lines): the rows of a chart, its words (alt text, notes),
its size (known before it is drawn, for the layout made ahead) and its drawing are computed from
the same rows and geometry, and must agree; a split would put the data side (everything above
:func:`_setup_fonts`, pure) in a module of its own.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from .numerals import pct_half_up
from .publish import atomic_file
from .rounds import current_and_previous

__all__ = [
    "FONTS_DIR",
    "PALETTE",
    "alt_text",
    "chart_manifest",
    "chart_size_pt",
    "closed_questions",
    "draw_charts",
]

#: The repository's vendored fonts (templates/fonts/): the charts use the paper's text face.
FONTS_DIR = Path(__file__).resolve().parents[2] / "templates" / "fonts"
FONT_FILES = (
    "LiberationSerif-Regular.ttf",
    "LiberationSerif-Bold.ttf",
    "LiberationSerif-Italic.ttf",
)
FONT_FAMILY = "Liberation Serif"
#: The print CSS's name for the same files (templates/css/fonts.css), first in the SVG's
#: font-family: WeasyPrint then draws the charts with the vendored files even where the system
#: has a "Liberation Serif" of its own (another version, other glyph widths); a browser, which
#: does not know the name, goes on to FONT_FAMILY.
PDF_FONT_FAMILY = "Paper Serif"

#: One palette for every chart: the current round, the previous round, text, grid.
PALETTE = {
    "current": "#1f4e79",
    "previous": "#9dc3e6",
    "text": "#1b1b1b",
    "muted": "#555555",
    "grid": "#d9d9d9",
}

CLOSED_TYPES = ("yes_no", "choice", "multi_choice", "scale")
#: Every type that has a chart: the closed types, and numbers (as a histogram).
CHARTED_TYPES = (*CLOSED_TYPES, "number")
NO_ANSWER = "no answer"
OTHER = "other"
NEWER_TYPES = ("multi_choice", "scale", "number")
MAX_BINS = 8  # a number question's histogram has at most this many bars

# Drawn at 120 mm and shown at that size (centred in the 162 mm of A4 text), so 9 pt in the SVG
# is 9 pt on paper; on a 360 px phone the chart shrinks by only about a quarter.
WIDTH_IN = 120 / 25.4
FONT_SIZE = 9
TOP_IN, BOTTOM_IN = 0.3, 0.55  # above the plot area (legend or "n ="), below it (ticks, axis label)
NOTE_IN = 0.2  # one line of note under the axis label (newer types: "could choose several", the median)
#: The PNG copies (for Word) are drawn at print resolution.
PNG_DPI = 300


def closed_questions(questionnaire: dict) -> list[dict]:
    """The questionnaire's closed questions (yes/no, choice, multi-choice, scale), in questionnaire order."""
    return _questions(questionnaire, CLOSED_TYPES)


def charted_questions(questionnaire: dict) -> list[dict]:
    """The questions that have a chart (the closed ones and numbers), in questionnaire order."""
    return _questions(questionnaire, CHARTED_TYPES)


def _questions(questionnaire: dict, types: tuple[str, ...]) -> list[dict]:
    return [
        q
        for section in questionnaire.get("sections", [])
        for q in section.get("questions", [])
        if q.get("type") in types
    ]


def _categories(question: dict) -> list[str]:
    """The answers a closed question counts, in questionnaire order (``other`` last where allowed)."""
    if question["type"] == "yes_no":
        return ["yes", "no"]
    return [str(c) for c in question.get("choices") or []] + ([OTHER] if question.get("other") else [])


def _rows(question: dict, current: dict, previous: dict | None) -> list[tuple]:
    """The chart's rows, top to bottom, as ``(key, label)``: an answer, or a number question's bin.

    A multi-choice question's answers are sorted by their count in the current round, most chosen
    first (ties in questionnaire order); a scale runs from its low end down to its high end, its
    end labels beside its end points. A number question's key is its bin's ``(low, high)``.
    """
    if question["type"] == "number":
        return [((low, high), label) for low, high, label in number_bins(_values(current) + _values(previous))]
    cats = _categories(question)
    if question["type"] == "multi_choice":
        cats = sorted(cats, key=lambda c: -_count(current, c))
    return [(c, _choice_label(question, c)) for c in cats]


def _choice_label(question: dict, choice: str) -> str:
    end = (question.get("labels") or {}).get(choice)
    return f"{_label(choice)} ({end})" if end else _label(choice)


def _row_count(question: dict, qstats: dict, key) -> int:
    if question["type"] == "number":
        low, high = key
        return sum(1 for v in _values(qstats) if low <= v < high)
    return _count(qstats, key)


def _row_share(question: dict, qstats: dict, key) -> str:
    if question["type"] == "number":
        count, answered = _row_count(question, qstats, key), int(qstats.get("answered") or 0)
        return f"{count} ({pct_half_up(count, answered)}%)" if answered else str(count)
    return _share(qstats, key)


def _values(qstats: dict | None) -> list:
    return list((qstats or {}).get("values", {}).values())


def number_bins(values: list) -> list[tuple]:
    """A number question's histogram bins: ``(low, high, label)``, low included, high excluded.

    Whole numbers spanning at most eight values get one bar each ("3"); otherwise the bins are
    of a round width (1, 2, 2.5 or 5 times a power of ten, whole for whole numbers), at most
    eight: "0-4" for whole numbers, "0 to under 2.5" otherwise. No values: one empty bin.
    """
    from fractions import Fraction

    if not values:
        return [(0, 1, "-")]
    whole = all(isinstance(v, int) for v in values)
    lo, hi = min(values), max(values)
    if whole and hi - lo < MAX_BINS:
        return [(v, v + 1, str(v)) for v in range(lo, hi + 1)]
    flo, fhi = Fraction(str(lo)), Fraction(str(hi))
    exp = 0
    while True:
        for step in (1, 2, Fraction(5, 2), 5):
            width = Fraction(step) * Fraction(10) ** exp
            if whole and width.denominator != 1:
                continue
            start = (flo // width) * width
            n = int((fhi - start) // width) + 1
            if n <= MAX_BINS:
                return [_bin(start + i * width, start + (i + 1) * width, whole) for i in range(n)]
        exp += 1


def _bin(low, high, whole: bool) -> tuple:
    from .questionnaire import number_text

    low = int(low) if low.denominator == 1 else float(low)
    high = int(high) if high.denominator == 1 else float(high)
    if whole:
        return (low, high, f"{low}\u2013{high - 1}")
    return (low, high, f"{number_text(low)} to under {number_text(high)}")


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
    if question["type"] in NEWER_TYPES:
        return _newer_alt_text(question, current, year, previous, previous_year, unit)
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


def _newer_alt_text(question, current, year, previous, previous_year, unit) -> str:
    """Alt text of a multi-choice, scale or number chart: its rows in the chart's order, the median."""
    rows = _rows(question, current, previous)

    def counts(qstats, answered_what):
        answered = int(qstats.get("answered") or 0)
        parts = [f"{_row_share(question, qstats, key)} {label}" for key, label in rows]
        return f"of {answered} {unit} that answered{answered_what}: " + ", ".join(parts)

    if not current.get("answered"):
        text = f"No {unit} answered this question in {year}"
        blank = _blank(current)
        return text + (f" ({blank} left it blank)." if blank else ".")
    several = " (several answers could be chosen)" if question["type"] == "multi_choice" else ""
    text = counts(current, f" in {year}{several}")
    text = text[:1].upper() + text[1:]
    summary = _summary(question, current)
    if summary:
        text += f"; {summary[:1].lower()}{summary[1:]}"
    if _blank(current):
        text += f"; {_blank(current)} gave no answer"
    if previous is not None and previous_year is not None:
        text += f"; in {previous_year}, " + counts(previous, "")
    return text + "."


def _note(question: dict, current: dict) -> str:
    """The line under a newer type's chart: "could choose several", or the median and how it is marked."""
    if question["type"] == "multi_choice":
        return "Each respondent could choose several answers."
    summary = _summary(question, current)
    if not summary:
        return ""
    if question["type"] == "scale":
        row = _median_row(question, current, _rows(question, current, None))
        mark = "" if row is None else " (in bold)" if float(row).is_integer() else " (dashed line)"
        summary += mark
    return summary + "."


def _summary(question: dict, current: dict) -> str:
    """A scale's or a number's median (a number's range too), as the note and the alt text give it."""
    from .questionnaire import number_text

    if question["type"] not in ("scale", "number") or current.get("median") is None:
        return ""
    median = current["median"]
    shown = number_text(median) if isinstance(median, (int, float)) else median
    if question["type"] == "scale":
        end = (question.get("labels") or {}).get(shown)
        return f"Median: {shown}" + (f" ({end})" if end else "")
    return f"Median: {shown}; lowest {number_text(current['min'])}, highest {number_text(current['max'])}"


def _median_row(question: dict, current: dict, rows: list[tuple]) -> float | None:
    """Where a scale's median falls among its rows: a row, or halfway between two (4.5)."""
    if question["type"] != "scale" or current.get("median") is None:
        return None
    from .questionnaire import to_number

    median = current["median"]
    keys = [key for key, _ in rows]
    if isinstance(median, str):  # a named point
        return float(keys.index(median))
    points = [to_number(k) for k in keys]
    if median in points:
        return float(points.index(median))
    for i in range(len(points) - 1):  # between two points: 4.5 is halfway from 4 to 5
        if min(points[i], points[i + 1]) < median < max(points[i], points[i + 1]):
            return i + (median - points[i]) / (points[i + 1] - points[i])
    return None


def _label(choice: str) -> str:
    return choice[:1].upper() + choice[1:]


def _setup_fonts(fonts_dir: Path):
    from matplotlib import font_manager

    for name in FONT_FILES:
        path = fonts_dir / name
        if not path.is_file():
            raise FileNotFoundError(f"chart font {path} is missing (vendored in templates/fonts/)")
        font_manager.fontManager.addfont(str(path))
    # Fails rather than falling back silently to another face with other metrics.
    font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY), fallback_to_default=False)


RC = {
    "svg.hashsalt": "surveypaper",
    "svg.fonttype": "none",  # text stays text: small files, selectable, cheap to lay out
    "svg.image_inline": True,
    "font.family": [FONT_FAMILY, "serif"],
    "font.serif": [FONT_FAMILY, "Times New Roman", "DejaVu Serif"],
    "font.size": FONT_SIZE,
    "axes.edgecolor": PALETTE["muted"],
    "axes.labelcolor": PALETTE["text"],
    "axes.titlesize": FONT_SIZE + 2,
    "axes.titleweight": "bold",
    "text.color": PALETTE["text"],
    "xtick.color": PALETTE["muted"],
    "ytick.color": PALETTE["text"],
    "xtick.labelsize": FONT_SIZE - 0.5,
    "ytick.labelsize": FONT_SIZE,
    "legend.fontsize": FONT_SIZE - 0.5,
    "legend.frameon": False,
    "path.simplify": True,
    "axes.unicode_minus": False,
}


def _show_blank(current: dict, previous: dict | None) -> bool:
    return _blank(current) > 0 or (previous is not None and _blank(previous) > 0)


def _geometry(question: dict, current: dict, previous: dict | None) -> tuple[int, float, float]:
    """(rows, row height, figure height), heights in inches: all the chart's size depends on.

    One row per category (and one for "no answer" when anyone left the question blank); taller
    rows when the previous round's bars sit beside the current ones; one line more for a note.
    """
    n_rows = len(_row_labels(question, current, previous))
    row_h = 0.30 if previous is None else 0.46
    note_h = NOTE_IN if _note(question, current) else 0.0
    return n_rows, row_h, TOP_IN + n_rows * row_h + BOTTOM_IN + note_h


def chart_size_pt(question: dict, current: dict, previous: dict | None) -> list[float]:
    """[width, height] of the chart's SVG in points, as its ``<svg>`` element will declare them.

    Known before anything is drawn (no matplotlib), so that the PDF can be laid out while the
    charts are drawn (:func:`surveypaper.pdf.layout_pdf`). matplotlib writes the SVG's size
    in points with six decimals; rounded alike, the numbers are the same.
    """
    return [round(WIDTH_IN * 72, 6), round(_geometry(question, current, previous)[2] * 72, 6)]


def _labels(question: dict, show_blank: bool) -> list[str]:
    """The row labels a closed question may have, known from the questionnaire alone."""
    return [_choice_label(question, c) for c in _categories(question)] + ([_label(NO_ANSWER)] if show_blank else [])


def _row_labels(question: dict, current: dict, previous: dict | None) -> list[str]:
    """The labels of the chart's rows, top to bottom: its answers or bins, then "No answer" if any."""
    labels = [label for _, label in _rows(question, current, previous)]
    return labels + ([_label(NO_ANSWER)] if _show_blank(current, previous) else [])


def _text_width_in(texts: list[str]) -> float:
    """Width in inches of the widest of ``texts`` at the tick-label size (for a common margin)."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer = RendererAgg(10, 10, 72)
    prop = FontProperties(family=FONT_FAMILY, size=FONT_SIZE)
    widths = [renderer.get_text_width_height_descent(t, prop, ismath=False)[0] for t in texts]
    return max([*widths, 0.0]) / 72


def _head(question: dict) -> str:
    """The chart's title ("Q3. National policy plan ..."): in the SVG's metadata, not drawn (the annex heading shows it)."""
    number = question.get("number")
    title = question.get("short") or question["key"]
    return f"Q{number}. {title}" if number else title


def _draw_one(
    question, current, year, previous, previous_year, unit, path: Path, label_in: float, png_path: Path | None = None
) -> None:
    """One horizontal bar chart, drawn straight onto a matplotlib Figure.

    No Axes: matplotlib's axes build a Tick object (two lines, two labels, a grid line) per tick,
    and clip paths for all of it, and lay every one out again at each draw; for a chart this
    simple that was two thirds of its time. Here the plot area is one transform (data to figure)
    and everything on it a plain artist: rectangles, lines, text.
    """
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.markers import TICKDOWN
    from matplotlib.patches import Patch, Rectangle
    from matplotlib.ticker import MaxNLocator
    from matplotlib.transforms import Bbox, BboxTransform, offset_copy

    rows = _rows(question, current, previous)
    show_blank = _show_blank(current, previous)
    labels = _row_labels(question, current, previous)

    def values(qstats):
        vals = [_row_count(question, qstats, key) for key, _ in rows]
        if show_blank:
            vals.append(_blank(qstats))
        return vals

    def annotations(qstats):
        notes = [_row_share(question, qstats, key) for key, _ in rows]
        if show_blank:
            notes.append(str(_blank(qstats)))
        return notes

    series = [(year, current, PALETTE["current"])]
    if previous is not None:
        series.append((previous_year, previous, PALETTE["previous"]))

    # Layout in inches, the same margins for every chart so that they line up in the annex.
    n_rows, row_h, height_in = _geometry(question, current, previous)
    note = _note(question, current)
    left, right, bottom = label_in + 0.14, 0.12, BOTTOM_IN + (NOTE_IN if note else 0.0)
    axes_h = n_rows * row_h
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=72)
    area = Bbox.from_bounds(left / WIDTH_IN, bottom / height_in, 1 - (left + right) / WIDTH_IN, axes_h / height_in)

    answered_now = int(current.get("answered") or 0)
    top_value = max([max(values(q)) for _, q, _ in series] + [1])
    x_max = top_value * 1.2
    # data (x: count, y: row, first row on top) -> figure
    data = BboxTransform(Bbox([[0, n_rows - 0.5], [x_max, -0.5]]), area) + fig.transFigure
    frame = BboxTransform(Bbox.unit(), area) + fig.transFigure  # the plot area's own fractions

    def text(x, y, s, transform, **kw):
        kw.setdefault("fontsize", FONT_SIZE)
        kw.setdefault("color", PALETTE["text"])
        fig.text(x, y, s, transform=transform, **kw)

    # grid, baseline, ticks and their labels, the axis label
    ticks = [
        t for t in MaxNLocator(nbins=6, integer=True, steps=[1, 2, 2.5, 5, 10]).tick_values(0, x_max) if 0 <= t <= x_max
    ]
    grid_y = (n_rows - 0.5, -0.5)
    fig.add_artist(
        LineCollection(
            [[(t, grid_y[0]), (t, grid_y[1])] for t in ticks],
            transform=data,
            colors=PALETTE["grid"],
            linewidths=0.6,
            zorder=0,
        )
    )
    fig.add_artist(Line2D([0, 1], [0, 0], transform=frame, color=PALETTE["muted"], linewidth=0.8, zorder=1))
    fig.add_artist(
        Line2D(
            ticks,
            [grid_y[0]] * len(ticks),
            transform=data,
            linestyle="none",
            marker=TICKDOWN,
            markersize=3.5,
            markeredgewidth=0.8,
            color=PALETTE["muted"],
            zorder=1,
        )
    )
    under = offset_copy(data, fig=fig, y=-5.5, units="points")
    for t in ticks:
        text(t, grid_y[0], f"{t:g}", under, ha="center", va="top", fontsize=FONT_SIZE - 0.5, color=PALETTE["muted"])
    text(0.5, 0, f"Number of {unit}", offset_copy(frame, fig=fig, y=-19, units="points"), ha="center", va="top")
    if note:
        text(
            0.5,
            0,
            note,
            offset_copy(frame, fig=fig, y=-33, units="points"),
            ha="center",
            va="top",
            fontsize=FONT_SIZE - 0.5,
            color=PALETTE["muted"],
            style="italic",
        )
    beside = offset_copy(data, fig=fig, x=-6, units="points")
    median_row = _median_row(question, current, rows)
    for row, label in enumerate(labels):
        bold = {"weight": "bold"} if row == median_row else {}  # the median's point
        text(0, row, label, beside, ha="right", va="center_baseline", **bold)
    if median_row is not None and not float(median_row).is_integer():  # a median between two points
        fig.add_artist(
            Line2D(
                [0, x_max],
                [median_row, median_row],
                transform=data,
                color=PALETTE["text"],
                linewidth=0.8,
                linestyle=(0, (3, 2)),
                zorder=1.5,
            )
        )

    # the bars, current round on top of each pair, each with its count (and share)
    bar_h = 0.36 if len(series) == 2 else 0.58
    handles = []
    for i, (name, qstats, colour) in enumerate(series):
        offset = (i - (len(series) - 1) / 2) * bar_h
        for row, (v, note) in enumerate(zip(values(qstats), annotations(qstats), strict=True)):
            y = row + offset
            fig.add_artist(
                Rectangle(
                    (0, y - bar_h * 0.46), v, bar_h * 0.92, transform=data, facecolor=colour, edgecolor="none", zorder=2
                )
            )
            text(v + top_value * 0.012, y, note, data, ha="left", va="center", fontsize=FONT_SIZE - 0.5, zorder=3)
        n = int(qstats.get("answered") or 0)
        handles.append(Patch(facecolor=colour, label=f"{name} (n = {n})"))

    if answered_now == 0:
        text(
            0.5,
            0.5,
            f"No answers in {year}",
            frame,
            ha="center",
            va="center",
            fontsize=FONT_SIZE + 1,
            color=PALETTE["muted"],
            style="italic",
        )
    if len(series) == 2:
        fig.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(area.x0, area.y1),
            ncol=2,
            borderaxespad=0.25,
            borderpad=0,
            handlelength=1.2,
            columnspacing=1.5,
        )
    else:
        text(
            0,
            1,
            f"{year}, n = {answered_now} {unit}",
            offset_copy(frame, fig=fig, y=5, units="points"),
            ha="left",
            va="bottom",
            fontsize=FONT_SIZE - 0.5,
            color=PALETTE["muted"],
        )

    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Title": _head(question)})
    svg = buffer.getvalue().replace(
        f"font-family: '{FONT_FAMILY}'".encode(), f"font-family: '{PDF_FONT_FAMILY}', '{FONT_FAMILY}'".encode()
    )
    with atomic_file(path) as fh:
        fh.write(svg)
    if png_path is not None:
        # for Word (surveypaper.docx): a raster sharp in print; fast zlib, the docx is a zip anyway
        with atomic_file(png_path) as fh:
            fig.savefig(fh, format="png", dpi=PNG_DPI, metadata={"Software": None}, pil_kwargs={"compress_level": 1})


def _charts(stats: dict, questionnaire: dict, unit: str):
    """(question, current, year, previous, previous year, manifest entry) per chart, in questionnaire order."""
    year, previous_year = current_and_previous(stats["rounds"])
    if year is None:
        raise ValueError("stats has no rounds")
    if stats.get("current"):  # the round the paper reports and the one it compares with (templates/paper.yaml)
        year, previous_year = stats["current"], stats.get("previous")
    now = stats["rounds"][year].get("questions", {})
    for question in charted_questions(questionnaire):
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
            "size_pt": chart_size_pt(question, current, previous),
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
    png_dir: Path | None = None,
) -> list[dict]:
    """Draw one SVG per closed question of the current round into ``out_dir``.

    The current round is ``stats["current"]`` (the round templates/paper.yaml reports, see
    :mod:`surveypaper.rounds`); where the round it compares with (``stats["previous"]``)
    answered the same question, its bars are drawn beside the current ones. Returns the manifest
    ``[{key, title, file: "charts/<key>.svg", alt, size_pt: [width, height]}]`` in questionnaire
    order. With ``png_dir``, each chart is also drawn there as ``<key>.png`` at :data:`PNG_DPI`.
    """
    import matplotlib

    out_dir = Path(out_dir)
    manifest: list[dict[str, Any]] = []
    with matplotlib.rc_context(RC):
        _setup_fonts(Path(fonts_dir))
        charts = list(_charts(stats, questionnaire, unit))
        labels = {label for q in closed_questions(questionnaire) for label in _labels(q, True)}
        labels |= {label for q, current, _, previous, *_ in charts for label in _row_labels(q, current, previous)}
        label_in = _text_width_in(sorted(labels))
        for question, current, year, previous, p_year, entry in charts:
            key = question["key"]
            png = Path(png_dir) / f"{key}.png" if png_dir is not None else None
            _draw_one(question, current, year, previous, p_year, unit, out_dir / f"{key}.svg", label_in, png)
            manifest.append(entry)
    return manifest
