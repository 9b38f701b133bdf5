"""Charts of core Tables, written as SVG, PNG or PDF: scores as lines, levels as a grid.

matplotlib is an optional extra (pip install 'tindex[chart]'), imported only by
`tindex chart`. Figures are built on the Agg canvas without pyplot, so no GUI backend or
global figure state is involved. Text from data is drawn literally: mathtext ("$...$")
is off and control characters are escaped. SVG keeps its text as text (svg.fonttype
'none'), so a chart can be searched and checked like a table.

A chart is laid out on a page of the size asked for (default 6.5 x 4 inches, a page
column): title and subtitle on top, notes and sources at the foot, the plot in between.
Text is measured with the renderer's own font metrics, not guessed, so nothing overlaps;
a page too small for its text is a usage error, never a crowded picture.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch, Rectangle

from tindex.core.model import year_span
from tindex.core.result import Caveat, Citation, Role, Table
from tindex.errors import UsageError
from tindex.render.cells import clean_text

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

# Okabe & Ito's colour-blind-safe palette, most distinct first; its yellow is left out
# because it cannot be read on white. Markers and, past seven series, dashes tell
# lines apart in greyscale too.
LINE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MARKERS = ("o", "s", "D", "^", "v", "P", "X")
# ColorBrewer YlOrRd, five classes: sequential and colour-blind safe, Low light to Very
# High dark. Dark cells get white text.
LEVEL_COLOURS = ("#FFFFB2", "#FECC5C", "#FD8D3C", "#F03B20", "#BD0026")
NO_RATING = "#EDEDED"
NO_RATING_TEXT = "n/a"
YEAR_SHADE = "#ECECEC"  # a year with a caveat about all of it (the CSP pilot)
INK = "#222222"
MUTED = "#555555"
FONT = "DejaVu Sans"
OTHER_PUBLISHER = "†"  # a level reported by someone other than the index's publisher
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

_STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text stays text in the SVG
    "svg.hashsalt": "tindex",  # the same chart gives the same file
    "text.parse_math": False,  # a '$' in a country name is a dollar sign
    "font.family": FONT,
    "font.size": 8.5,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
}
DPI = 150
DEFAULT_WIDTH, DEFAULT_HEIGHT = 6.5, 4.0  # inches: a column of a letter or A4 page

# Font sizes (points) and the room a line of each takes (inches).
TITLE_SIZE, SUBTITLE_SIZE, NOTE_SIZE, LABEL_SIZE = 12.0, 8.5, 6.8, 6.8
MARGIN = 0.12  # inches around the page's text


@dataclass(frozen=True)
class ChartOptions:
    """What a report's author may change: the words on top and the page size in inches."""

    title: str | None = None  # None: the table's title
    subtitle: str | None = None  # None: a line saying what the chart shows; "" for none
    width: float = DEFAULT_WIDTH
    height: float = DEFAULT_HEIGHT


# -- measuring and wrapping text -------------------------------------------------------------


@cache
def _renderer() -> RendererAgg:
    return RendererAgg(8, 8, 72)  # type: ignore[no-untyped-call]  # at 72 dpi a pixel is a point


@cache
def _font(size: float, bold: bool) -> FontProperties:
    return FontProperties(family=FONT, size=size, weight="bold" if bold else "normal")


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of one line of text in inches, as the renderer will draw it (control characters
    escaped, as every text on a chart is)."""
    return _measured(text, size, bold)


@lru_cache(maxsize=8192)
def _measured(text: str, size: float, bold: bool) -> float:
    """text_width, kept: FreeType lays out every glyph of the string on each call (about
    150 us a call and 10 us a character), and wrapping and labelling ask for the same
    strings again and again. Every argument is given, so that text_width(s, 8) and
    text_width(s, 8, False) are one entry."""
    width, _, _ = _renderer().get_text_width_height_descent(  # type: ignore[no-untyped-call]
        clean_text(text), _font(size, bold), ismath=False)
    return float(width) / 72


def longest_fit(count: int, fits: Callable[[int], bool], guess: int) -> int:
    """The largest n in 0..count with fits(n), where fits holds for every n up to some point
    and for none after it (a line only grows wider as words or letters are added). The search
    starts at guess and gallops outwards, then bisects: a good guess costs two measurements,
    a bad one about 2 log2(error). Measuring is the cost (FreeType lays out every glyph of a
    string on each call), and a probe far past the answer is a long string to lay out."""
    low, high = 0, count  # fits(low) holds (or low is 0); no n above high fits
    probe, step = min(max(guess, 1), count), 1
    if probe and fits(probe):
        low = probe
        while low < high:
            probe = min(low + step, high)
            if not fits(probe):
                high = probe - 1
                break
            low, step = probe, step * 2
    elif probe:
        high = probe - 1
        while low < high:
            probe = max(high - step + 1, low + 1)
            if fits(probe):
                low = probe
                break
            high, step = probe - 1, step * 2
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _joined_fits(fits: Callable[[str], bool], line: str, words: list[str], count: int) -> bool:
    return fits(" ".join([line, *words[:count]]))


def _prefix_fits(fits: Callable[[str], bool], word: str, count: int) -> bool:
    return fits(word[:count])


def _words_within(line: str, words: list[str], characters: float) -> int:
    """How many of words fit after line in a line of so many characters."""
    length, count = len(line), 0
    for word in words:
        length += 1 + len(word)
        if length > characters:
            break
        count += 1
    return count


def wrap(text: str, inches: float, size: float, bold: bool = False) -> list[str]:
    """Break text into lines no wider than inches, each as full as it can be; a word wider than
    that is cut. Each line's length is searched for from a guess by character count (inches
    per character as in the line before), so a line costs about two measurements."""
    def fits(line: str) -> bool:
        return text_width(line, size, bold) <= inches

    words = clean_text(text).split()
    if not words:
        return []
    lines: list[str] = []
    rest = words
    per_character = size * 0.5 / 72  # inches: about DejaVu Sans's mean advance, until measured

    def longest(line: str, rest: list[str]) -> int:
        return longest_fit(len(rest), partial(_joined_fits, fits, line, rest),
                           _words_within(line, rest, inches / per_character))

    while True:
        line, rest = rest[0], rest[1:]  # a line starts with a word, cut if it is too wide
        # If a word fits after it, it fits: a word that looks narrow enough is not measured
        # alone. One that looks too wide is, before it is cut.
        taken = longest(line, rest) if len(line) * per_character <= inches else 0
        if not taken:
            while len(line) > 1 and not fits(line):
                cut = max(1, longest_fit(len(line) - 1, partial(_prefix_fits, fits, line),
                                         int(inches / per_character)))
                lines.append(line[:cut])
                line = line[cut:]
            taken = longest(line, rest)  # measured already if it was not cut
        line, rest = " ".join([line, *rest[:taken]]), rest[taken:]
        lines.append(line)
        if not rest:
            return lines
        if taken:  # measured while searching: the next line is guessed from this one
            per_character = text_width(line, size, bold) / len(line) or per_character


def _wrap_title(title: str, inches: float) -> list[str]:
    """A long 'Index: countries' title breaks after the colon first, then where it must."""
    head, colon, rest = title.partition(": ")
    greedy = wrap(title, inches, TITLE_SIZE, True)
    parts = wrap(head + ":", inches, TITLE_SIZE, True) + wrap(rest, inches, TITLE_SIZE, True)
    return parts if colon and len(greedy) > 1 and len(parts) == len(greedy) else greedy


def one_line(head: str, body: str, tail: str, inches: float) -> str:
    """head + body + tail on one line of notes, the body shortened (…) by as few words as
    it must be."""
    words = clean_text(body).split()
    text = f"{head}{' '.join(words)} {tail}"
    if not words or text_width(text, NOTE_SIZE) <= inches:
        return text

    def shortened(count: int) -> str:
        return f"{head}{' '.join(words[:count])}… {tail}"

    def fits(count: int) -> bool:
        return text_width(shortened(count), NOTE_SIZE) <= inches

    characters = inches * len(text) / text_width(text, NOTE_SIZE)  # as many as the whole has
    guess = _words_within(head, words, characters - len(tail) - 2)
    return shortened(longest_fit(len(words) - 1, fits, guess))


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Za-z])", text.strip(), maxsplit=1)[0]


def superscript(number: int) -> str:
    return str(number).translate(SUPERSCRIPTS)


# -- caveats as marks and footnotes -------------------------------------------------------------


@dataclass
class _Marks:
    """Where the table's caveats go: numbered marks on points, years or columns; the rest
    (about the index as a whole, or a year that is the whole chart) on one line."""

    points: dict[tuple[int, int], int] = field(default_factory=dict)  # (row, column): number
    rows: dict[int, int] = field(default_factory=dict)
    columns: dict[int, int] = field(default_factory=dict)
    notes: list[tuple[str, Caveat]] = field(default_factory=list)  # (where, caveat), numbered
    general: list[Caveat] = field(default_factory=list)


def _marks(report: Table, columns: list[str], rows: list[int] | None) -> _Marks:
    """Place each caveat by its iso3 and year: on a point, a whole year (rows given) or a
    whole country's column; numbered left to right."""
    by_code = {report.column_codes[name]: n for n, name in enumerate(columns)
               if name in report.column_codes}
    row_of = {year: n for n, year in enumerate(rows or [])}
    placed: list[tuple[tuple[int, int], Caveat]] = []
    marks = _Marks()
    for caveat in report.caveats:
        column = by_code.get(caveat.iso3) if caveat.iso3 is not None else None
        row = row_of.get(caveat.year) if caveat.year is not None and rows is not None else None
        if caveat.iso3 is not None and column is None:
            continue  # about a country not drawn
        if caveat.year is not None and rows is not None and row is None:
            continue  # about a year not drawn
        if column is None and row is None:
            marks.general.append(caveat)
        else:
            placed.append(((-1 if row is None else row, -1 if column is None else column), caveat))
    for number, ((row, column), caveat) in enumerate(sorted(placed, key=lambda p: p[0]), 1):
        if row >= 0 and column >= 0:
            marks.points[(row, column)] = number
            where = f"{columns[column]} {rows[row] if rows else ''}"
        elif row >= 0:
            marks.rows[row] = number
            where = str(rows[row] if rows else "")
        else:
            marks.columns[column] = number
            where = columns[column]
        marks.notes.append((where, caveat))
    return marks


def _note_lines(marks: _Marks, extra: Sequence[str], inches: float) -> list[str]:
    """One line per numbered caveat (its first sentence, shortened, and its id), the
    extra notes, then one line naming the caveats about the whole index."""
    lines = [one_line(f"{n}. {where}: ", first_sentence(caveat.text), f"[{caveat.caveat_id}]",
                      inches)
             for n, (where, caveat) in enumerate(marks.notes, 1)]
    for note in extra:
        lines += wrap(note, inches, NOTE_SIZE)
    if marks.general:
        ids = ", ".join(c.caveat_id for c in marks.general)
        lines += wrap(f"Caveats about the whole index: {ids} (tindex caveats ID).", inches,
                      NOTE_SIZE)
    return lines


def _source_lines(citations: Sequence[Citation], inches: float, detail: int,
                  room: Callable[[int], bool] | None = None) -> list[str] | None:
    """The sources: title, publisher and date of each (detail 2); publisher, year and id
    (1); or only the ids (0), which `tindex sources` expands. With room (whether the foot
    has room for so many lines): None as soon as even the fewest lines these could still
    come to (a line for each entry not yet wrapped) leave no room, before measuring them."""
    if not citations:
        return ["Source: not recorded in the data."]
    if detail < 2:
        if room is not None and not room(1):
            return None
        label = "Source" if len(citations) == 1 else "Sources"
        entries = [c.short if detail else c.source_id for c in citations]
        return wrap(f"{label} (tindex sources ID): " + "; ".join(entries), inches, NOTE_SIZE)
    entries = [c.reference for c in citations]
    if len(entries) == 1:
        if room is not None and not room(1):
            return None
        return wrap("Source: " + entries[0], inches, NOTE_SIZE)
    lines = ["Sources:"]
    for n, entry in enumerate(entries, 1):
        if room is not None and not room(len(lines) + len(entries) - n + 1):
            return None
        lines += wrap(f"{n}. {entry}", inches, NOTE_SIZE)
    return lines


# -- the page ---------------------------------------------------------------------------------


def _step(size: float) -> float:
    """The height of one line of text at this size, in inches."""
    return size * 1.3 / 72


class _Page:
    """Heading on top and notes at the foot, in inches; the plot gets what is left."""

    def __init__(self, title: str, subtitle: str, notes: list[str], citations: Sequence[Citation],
                 options: ChartOptions, least: tuple[float, float]) -> None:
        self.width, self.height = options.width, options.height
        inches = self.width - 2 * MARGIN
        least_width, least_height = least
        if inches < least_width:  # before any text is measured: this needs none
            raise UsageError(f"a {self.width:g} inch wide chart is too narrow for this plot: "
                             f"give --width {least_width + 2 * MARGIN:.1f} or more")
        self.title = _wrap_title(title, inches)
        self.subtitle = wrap(subtitle, inches, SUBTITLE_SIZE)
        self.notes = notes
        heading = MARGIN + len(self.title) * _step(TITLE_SIZE) + 0.04 \
            + len(self.subtitle) * _step(SUBTITLE_SIZE) + 0.1
        # Full citations when they leave the plot half the page, else shorter ones; the
        # shortest whatever room they leave.
        for detail, share in ((2, 0.5), (1, 0.45), (0, 0.0)):
            room = partial(self._room, heading, len(notes), max(share * self.height, least_height))
            sources = _source_lines(citations, inches, detail, room if detail else None)
            if sources is None:  # too many lines, whatever their wrapping
                continue
            self.sources = sources
            foot = (len(notes) + len(self.sources)) * _step(NOTE_SIZE) + 0.1
            if room(len(self.sources)):
                break
        self.top = self.height - heading
        self.bottom = foot + 0.06
        if self.top - self.bottom < least_height:
            need = math.ceil((self.height + least_height - (self.top - self.bottom)) * 10) / 10
            raise UsageError(f"a {self.width:g} x {self.height:g} inch chart leaves too little "
                             f"room for the plot under its text: give --height {need:.1f} or more "
                             "(or a shorter --title/--subtitle)")

    def _room(self, heading: float, notes: int, plot: float, sources: int) -> bool:
        """Whether a foot of notes and sources lines leaves the plot at least plot inches."""
        foot = (notes + sources) * _step(NOTE_SIZE) + 0.1
        return self.height - heading - foot - 0.06 >= plot

    def figure(self) -> Figure:
        """The figure with its heading and foot drawn, one text per line."""
        fig = Figure(figsize=(self.width, self.height), dpi=DPI)
        FigureCanvasAgg(fig)
        y = self.height - MARGIN
        for line in self.title:
            fig.text(MARGIN / self.width, y / self.height, line, ha="left", va="top",
                     fontsize=TITLE_SIZE, fontweight="bold", color=INK)
            y -= _step(TITLE_SIZE)
        y -= 0.04
        for line in self.subtitle:
            fig.text(MARGIN / self.width, y / self.height, line, ha="left", va="top",
                     fontsize=SUBTITLE_SIZE, color=MUTED)
            y -= _step(SUBTITLE_SIZE)
        foot = [*self.notes, *self.sources]
        y = 0.08 + (len(foot) - 1) * _step(NOTE_SIZE)
        for n, line in enumerate(foot):  # top down, so that the file reads in order
            fig.text(MARGIN / self.width, y / self.height, line, ha="left", va="bottom",
                     fontsize=NOTE_SIZE, color=INK if n < len(self.notes) else MUTED)
            y -= _step(NOTE_SIZE)
        return fig

    def fit(self, fig: Figure, ax: Axes, left: float, right: float) -> None:
        """Size the axes so that they and their tick labels, axis labels and legend fill the
        room between heading and foot (left/right: inches kept clear at the sides)."""
        box = (left, self.bottom, self.width - right, self.top)
        ax.set_position((box[0] / self.width, box[1] / self.height,
                         (box[2] - box[0]) / self.width, (box[3] - box[1]) / self.height))
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        placed: tuple[float, float, float, float] | None = None
        for _ in range(3):  # tick labels change with the axes' size; settle in a few passes
            tight = ax.get_tightbbox(renderer)
            inner = ax.get_window_extent(renderer)
            if tight is None:
                return
            x0 = box[0] + (inner.x0 - tight.x0) / DPI
            x1 = box[2] - (tight.x1 - inner.x1) / DPI
            y0 = box[1] + (inner.y0 - tight.y0) / DPI
            y1 = box[3] - (tight.y1 - inner.y1) / DPI
            if x1 - x0 < 0.8 or y1 - y0 < 0.6:
                raise UsageError(f"a {self.width:g} x {self.height:g} inch chart is too small "
                                 "for this plot: give a larger --width or --height")
            if (x0, y0, x1, y1) == placed:  # settled: another pass would place it here again
                return
            placed = (x0, y0, x1, y1)
            ax.set_position((x0 / self.width, y0 / self.height, (x1 - x0) / self.width,
                             (y1 - y0) / self.height))


# -- scores as lines --------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:.2f}"  # two decimals, as tables show published values


def score_lines(report: Table, path: Path, options: ChartOptions | None = None) -> None:
    """One line per country over the years, points labelled with their published values."""
    _save(score_figure(report, options or ChartOptions()), path)


def score_figure(report: Table, options: ChartOptions) -> Figure:
    """The line chart as a figure (score_lines writes it): see score_lines."""
    frame = report.frame
    years = [int(y) for y in frame[report.column_of(Role.YEAR)]]
    names = [str(c) for c in frame.columns if report.role(str(c)) is Role.NUMBER]
    values = frame[names].to_numpy(dtype=float)
    marks = _marks(report, names, years)
    inches = options.width - 2 * MARGIN
    with matplotlib.rc_context(_STYLE):
        subtitle = options.subtitle if options.subtitle is not None else (
            f"Published score by year of data, {year_span(years)}"
            + ("; numbers and rings refer to the notes below" if marks.notes else "") + ".")
        page = _Page(options.title if options.title is not None else report.title, subtitle,
                     _note_lines(marks, (), inches), report.citations, options, least=(2.5, 1.2))
        fig = page.figure()
        ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
        finite = values[~np.isnan(values)]
        low, high = min(float(finite.min()), 0.0), max(float(finite.max()), 0.0)
        pad = (high - low) * 0.08 or 1.0
        ax.set_ylim(low - pad, high + pad * 1.6)
        ax.set_xlim(years[0] - 0.45, years[-1] + 0.45)
        ax.axhline(0, color=INK, linewidth=1.0, zorder=2)
        ax.grid(axis="y", color="#E3E3E3", linewidth=0.7, zorder=0)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=7.5)
        ax.set_xticks(years, [f"{y}{superscript(marks.rows[n]) if n in marks.rows else ''}"
                              for n, y in enumerate(years)])
        for row in marks.rows:
            ax.axvspan(years[row] - 0.5, years[row] + 0.5, facecolor=YEAR_SHADE, edgecolor="none",
                       zorder=0)
        ax.set_xlabel("Year of data", fontsize=8)
        ax.set_ylabel("Score", fontsize=8)
        lines = [ax.plot(years, values[:, number], color=LINE_COLOURS[number % len(LINE_COLOURS)],
                         marker=MARKERS[number % len(MARKERS)], markersize=4.5, linewidth=1.6,
                         linestyle="-" if number < len(LINE_COLOURS) else "--", zorder=3)[0]
                 for number in range(len(names))]
        for row, column in marks.points:
            ax.plot([years[row]], [values[row, column]], marker="o", markersize=10.5,
                    markerfacecolor="none", markeredgecolor=INK, markeredgewidth=1.0, zorder=5)
        legend_width = min(max(text_width(n, 8) for n in names) + 0.55, inches * 0.3)
        # Labels given explicitly: matplotlib would drop a name that starts with '_'.
        labels = ["\n".join(wrap(name, legend_width - 0.5, 8))
                  + (superscript(marks.columns[n]) if n in marks.columns else "")
                  for n, name in enumerate(names)]
        ax.legend(lines, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False,
                  fontsize=8, handlelength=2.0, borderaxespad=0.0, borderpad=0.0)
        page.fit(fig, ax, MARGIN, MARGIN)
        _label_points(ax, years, values, marks.points)
    return fig


# Where a value label may sit, tried in this order: offset from its point in points,
# horizontal and vertical alignment.
Spot = tuple[float, float, str, str]
_SPOTS: tuple[Spot, ...] = (
    (0, 5, "center", "bottom"), (0, -5, "center", "top"),
    (5, 3, "left", "bottom"), (5, -3, "left", "top"),
    (-5, 3, "right", "bottom"), (-5, -3, "right", "top"),
    (7, 0, "left", "center"), (-7, 0, "right", "center"),
    (0, 9, "center", "bottom"), (0, -9, "center", "top"),
)
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points
CROWDED = 4  # with more series than this, only marked, end and extreme points get labels


def label_box(x: float, y: float, text: str, spot: Spot) -> Box:
    """The box a value label covers (points), from its measured width and height."""
    dx, dy, ha, va = spot
    width, height = text_width(text, LABEL_SIZE) * 72 + 1.5, LABEL_SIZE * 1.15
    x0 = x + dx - {"center": width / 2, "right": width}.get(ha, 0.0)
    y0 = y + dy - {"top": height, "center": height / 2}.get(va, 0.0)
    return (x0, y0, x0 + width, y0 + height)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crosses(box: Box, start: tuple[float, float], end: tuple[float, float]) -> bool:
    """Whether the segment start-end passes through the box (Liang-Barsky clipping). Plain
    floats: the same arithmetic as numpy's float64, without a numpy scalar per operation."""
    low, high = 0.0, 1.0
    for axis in (0, 1):
        delta = end[axis] - start[axis]
        for edge, sign in ((box[axis], -1.0), (box[axis + 2], 1.0)):
            p, q = sign * delta, sign * (edge - start[axis])
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                low = max(low, t)
            else:
                high = min(high, t)
            if low > high:
                return False
    return True


def _label_ink(colour: str) -> tuple[float, float, float]:
    """The line colour, darkened where it is too light to read as small text on white."""
    red, green, blue = to_rgb(colour)
    factor = 0.72 if 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.35 else 1.0
    return (red * factor, green * factor, blue * factor)


def _priority(values: np.ndarray, forced: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Points in the order they get a label: marked points, then each series' last, first,
    highest and lowest, then (up to CROWDED series) the rest from the right."""
    order: list[tuple[int, int]] = sorted(forced)
    extremes: list[tuple[int, int, int, int]] = []
    for series in range(values.shape[1]):
        rows = [r for r in range(values.shape[0]) if not np.isnan(values[r, series])]
        if rows:
            column = values[rows, series]
            extremes.append((rows[-1], rows[0], rows[int(np.argmax(column))],
                             rows[int(np.argmin(column))]))
    ends = [(rows[kind], series) for kind in range(4) for series, rows in enumerate(extremes)]
    rest = [(row, series) for row in range(values.shape[0] - 1, -1, -1)
            for series in range(values.shape[1]) if not np.isnan(values[row, series])
            and values.shape[1] <= CROWDED]
    return list(dict.fromkeys([*order, *ends, *rest]))


def _cheapest(cost: Callable[[Spot], float]) -> tuple[Spot, float]:
    """The spot of least cost and its cost, each spot costed once; ties keep the earlier,
    plainer spot."""
    costs = [cost(spot) for spot in _SPOTS]
    least = min(costs)
    return _SPOTS[costs.index(least)], least


def place_labels(points: dict[tuple[int, int], tuple[float, float]], texts: dict[tuple[int, int], str],
                 order: Sequence[tuple[int, int]], forced: set[tuple[int, int]], plot: Box
                 ) -> dict[tuple[int, int], tuple[Spot, Box]]:
    """Give each point in order a spot where its label covers no other label and no marker,
    inside the plot and crossing as few lines as it can; a point with no such spot goes
    unlabelled unless forced (caveat marks): that keeps only its note number (texts is
    updated) and takes the least bad spot."""
    segments = [(points[(row, series)], points[(row + 1, series)])
                for row, series in points if (row + 1, series) in points]
    markers: dict[tuple[int, int], Box] = {
        key: (x - 3.5, y - 3.5, x + 3.5, y + 3.5) for key, (x, y) in points.items()}
    placed: dict[tuple[int, int], tuple[Spot, Box]] = {}
    for key in order:
        x, y = points[key]
        covered = [box for _, box in placed.values()]
        covered += [marker for other, marker in markers.items() if other != key]

        def cost(spot: Spot, key: tuple[int, int] = key, x: float = x, y: float = y,
                 covered: list[Box] = covered) -> float:
            box = label_box(x, y, texts[key], spot)
            inside = plot[0] <= box[0] and box[2] <= plot[2] and plot[1] <= box[1] \
                and box[3] <= plot[3]
            hard = sum(_overlap(box, other) for other in covered) + (0 if inside else 1)
            return 1000.0 * hard + sum(_crosses(box, a, b) for a, b in segments)

        spot, least = _cheapest(cost)
        if least >= 1000 and key in forced:
            # No room for the value: the note's number alone, where it covers least.
            texts[key] = texts[key].lstrip("-0123456789.")
            spot, least = _cheapest(cost)
        if least < 1000 or key in forced:
            placed[key] = (spot, label_box(x, y, texts[key], spot))
    return placed


def _label_points(ax: Axes, years: list[int], values: np.ndarray,
                  marked: dict[tuple[int, int], int]) -> None:
    """Label points with their values where there is room; marked points always, with the
    number of their note."""
    pixels_to_points = 72 / DPI
    points = {(row, series): tuple(ax.transData.transform((years[row], values[row, series]))
                                   * pixels_to_points)
              for row in range(values.shape[0]) for series in range(values.shape[1])
              if not np.isnan(values[row, series])}
    texts = {key: _number(values[key]) + (superscript(marked[key]) if key in marked else "")
             for key in points}
    plot = tuple(np.asarray(ax.get_window_extent().extents) * pixels_to_points)
    forced = set(marked) & set(points)
    placed = place_labels({k: (float(p[0]), float(p[1])) for k, p in points.items()}, texts,
                          _priority(values, forced), forced, (plot[0], plot[1], plot[2], plot[3]))
    for (row, series), (spot, _) in placed.items():
        ax.annotate(texts[(row, series)], xy=(years[row], values[row, series]), xytext=spot[:2],
                    textcoords="offset points", ha=spot[2], va=spot[3], fontsize=LABEL_SIZE,
                    color=_label_ink(LINE_COLOURS[series % len(LINE_COLOURS)]), zorder=6,
                    bbox={"boxstyle": "square,pad=0.05", "facecolor": "white",
                          "edgecolor": "none", "alpha": 0.85})


# -- levels as a grid -------------------------------------------------------------------------


def level_grid(report: Table, path: Path, options: ChartOptions | None = None) -> None:
    """Pillars down, countries across, each cell coloured by its level (lowest light)."""
    _save(level_figure(report, options or ChartOptions()), path)


def _other_publishers(report: Table, countries: list[str]) -> tuple[set[tuple[int, int]], list[str]]:
    """Cells whose sources are all by someone other than the index's publisher, and who."""
    by_id = {c.source_id: c for c in report.citations}
    cells: set[tuple[int, int]] = set()
    who: list[str] = []
    if not report.publisher:
        return cells, who
    for row, label in enumerate(report.frame.index):
        for column, name in enumerate(countries):
            citations = [by_id[s] for s in report.cell_sources.get((int(label), name), ())
                         if s in by_id]
            if citations and all(c.publisher != report.publisher for c in citations):
                cells.add((row, column))
                who += [c.publisher for c in citations if c.publisher not in who]
    return cells, who


def level_figure(report: Table, options: ChartOptions) -> Figure:
    """The level grid as a figure (level_grid writes it): see level_grid."""
    frame = report.frame
    countries = [str(c) for c in frame.columns if report.role(str(c)) is Role.LEVEL]
    # The component's number (0: overall) and its name.
    numbers = frame[report.column_of(Role.INTEGER)]
    labels = [str(name) if int(number) == 0 else f"{int(number)}. {name}"
              for number, name in zip(numbers, frame[report.column_of(Role.TEXT)], strict=True)]
    scale = report.scale or tuple(sorted({str(v) for c in countries for v in frame[c].dropna()}))
    step = (len(LEVEL_COLOURS) - 1) / max(len(scale) - 1, 1)
    colours = {level: LEVEL_COLOURS[round(n * step)] for n, level in enumerate(scale)}
    dark = frozenset(level for n, level in enumerate(scale) if round(n * step) >= 3)
    marks = _marks(report, countries, None)
    others, who = _other_publishers(report, countries)
    rows, columns = len(frame), len(countries)
    inches = options.width - 2 * MARGIN
    extra = [f"{OTHER_PUBLISHER} reported by {', '.join(who)}; not published by "
             f"{report.publisher} itself."] if others else []
    rated = [[isinstance(v, str) and v in colours for v in r]
             for r in frame[countries].itertuples(index=False, name=None)]
    missing = not all(all(r) for r in rated)
    with matplotlib.rc_context(_STYLE):
        subtitle = options.subtitle if options.subtitle is not None else (
            f"Level for each pillar, from {scale[0]} to {scale[-1]}"
            + (f"; {OTHER_PUBLISHER}: not the index's own publication" if others else "") + ".")
        page = _Page(options.title if options.title is not None else report.title, subtitle,
                     _note_lines(marks, extra, inches), report.citations, options,
                     least=(0.6 * columns + 1.2, 0.18 * rows + 0.55))
        fig = page.figure()
        handles = [Patch(facecolor=colours[level], edgecolor="#BBBBBB", label=level)
                   for level in scale]
        if missing:
            handles.append(Patch(facecolor=NO_RATING, edgecolor="#BBBBBB",
                                 label=f"{NO_RATING_TEXT}: no rating found"))
        legend_width = sum(text_width(str(h.get_label()), 7.5) + 0.42 for h in handles)
        ncols = len(handles) if legend_width <= inches else (len(handles) + 1) // 2
        legend_rows = -(-len(handles) // ncols)
        fig.legend(handles=handles, loc="lower left",
                   bbox_to_anchor=(MARGIN / options.width, page.bottom / options.height),
                   ncols=ncols, frameon=False, fontsize=7.5, handlelength=1.3, borderaxespad=0.0,
                   borderpad=0.0, columnspacing=1.0, handletextpad=0.5)
        page.bottom += legend_rows * _step(7.5) + 0.12
        label_width = min(max(text_width(label, 7.5, n == 0) for n, label in enumerate(labels)),
                          inches * 0.3)
        row_height = (page.top - page.bottom - 0.3) / max(rows, 1)
        label_size = 7.5 if row_height >= 0.3 else 7.0
        ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
        ax.set_xlim(0, columns)
        ax.set_ylim(rows, 0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.tick_params(length=0, pad=3)
        ax.xaxis.tick_top()
        cell_width = (inches - label_width - 0.15) / max(columns, 1)
        longest = max(text_width(word, 7.5, True) for name in countries for word in name.split())
        header_size = min(7.5, 7.5 * (cell_width - 0.1) / longest)
        headers = ["\n".join(wrap(name, cell_width - 0.1, header_size, True))
                   + (superscript(marks.columns[n]) if n in marks.columns else "")
                   for n, name in enumerate(countries)]
        ax.set_xticks([c + 0.5 for c in range(columns)], headers, fontweight="bold", color=INK,
                      fontsize=header_size)
        ax.set_yticks([r + 0.5 for r in range(rows)],
                      ["\n".join(wrap(label, label_width, label_size, n == 0))
                       for n, label in enumerate(labels)], color=INK, fontsize=label_size,
                      linespacing=1.05)
        dagger = f" {OTHER_PUBLISHER}" if others else ""
        widest = max([text_width(str(level) + dagger, 8) for level in scale] + [0.01])
        cell_size = min(8.0, 8.0 * (cell_width - 0.12) / widest)
        for row, levels in enumerate(frame[countries].itertuples(index=False, name=None)):
            for column, level in enumerate(levels):
                ok = rated[row][column]
                ax.add_patch(Rectangle((column, row), 1, 1, edgecolor="white", linewidth=2.0,
                                       facecolor=colours[level] if ok else NO_RATING))
                text = (str(level) if ok else NO_RATING_TEXT) \
                    + (dagger if (row, column) in others else "")
                ax.text(column + 0.5, row + 0.5, text, ha="center", va="center",
                        fontsize=cell_size, fontstyle="normal" if ok else "italic",
                        color="white" if level in dark else INK if ok else MUTED)
        if rows and int(numbers.iloc[0]) == 0:
            ax.get_yticklabels()[0].set_fontweight("bold")
            ax.axhline(1, color="white", linewidth=4)
        page.fit(fig, ax, MARGIN, MARGIN)
    return fig


def _save(fig: Figure, path: Path) -> None:
    """Write SVG, PNG or PDF (by suffix) at the page size asked for; no timestamp inside."""
    fmt = path.suffix.lower().lstrip(".")
    metadata: dict[str, str | None] = {"Date": None} if fmt == "svg" else \
        {"CreationDate": None} if fmt == "pdf" else {}
    try:
        with warnings.catch_warnings(), matplotlib.rc_context(_STYLE):
            warnings.filterwarnings("ignore", message="Glyph .* missing from")
            fig.savefig(path, format=fmt, dpi=DPI, facecolor="white", metadata=metadata)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
