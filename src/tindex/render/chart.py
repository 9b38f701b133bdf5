"""Charts of core Tables, written as SVG, PNG or PDF: scores as lines, levels as a grid.

matplotlib is an optional extra (pip install 'tindex[chart]'), imported only by
`tindex chart`. Figures are built on the Agg canvas without pyplot, so no GUI backend or
global figure state is involved. Text from data is drawn literally: mathtext ("$...$")
is off and control characters are escaped. SVG keeps its text as text (svg.fonttype
'none'), so a chart can be searched and checked like a table.
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from tindex.core.model import year_span
from tindex.core.result import Citation, Role, Table
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
INK = "#222222"
MUTED = "#555555"

_STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text stays text in the SVG
    "svg.hashsalt": "tindex",  # the same chart gives the same file
    "text.parse_math": False,  # a '$' in a country name is a dollar sign
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
}
DPI = 150


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(clean_text(text), width, break_on_hyphens=False)) or " "


def _wrap_title(title: str, width: int) -> str:
    """A long 'Index: countries' title breaks after the colon first, then where it must."""
    head, colon, rest = title.partition(": ")
    if len(title) <= width or not colon:
        return _wrap(title, width)
    return _wrap(head + ":", width) + "\n" + _wrap(rest, width)


def _source_lines(citations: Sequence[Citation], width: int) -> str:
    """The foot: title, publisher and date of each source (their URLs: `tindex sources`)."""
    entries = [f"{c.title}. {c.publisher}, {c.date}." for c in citations]
    if len(entries) == 1:
        return _wrap("Source: " + entries[0], width)
    if not entries:
        return "Source: not recorded in the data."
    return "\n".join(["Sources:", *[_wrap(f"{n}. {e}", width) for n, e in enumerate(entries, 1)]])


class _Layout:
    """Place title, plot, legend room and source line in inches, so nothing overlaps."""

    def __init__(self, title: str, subtitle: str, sources: Sequence[Citation], width: float,
                 plot_height: float, left: float, right: float, above_plot: float,
                 below_plot: float) -> None:
        self.title = _wrap_title(title, int(width * 7.5))
        self.subtitle = _wrap(subtitle, int(width * 11))
        self.source = _source_lines(sources, int(width * 15))  # about 15 characters an inch
        heading = 0.12 + 0.27 * self.title.count("\n") + 0.3 + 0.2 * (self.subtitle.count("\n") + 1)
        foot = 0.15 * (self.source.count("\n") + 1) + 0.15
        self.width = width
        self.height = heading + above_plot + plot_height + below_plot + foot
        self.axes = (left / width, (foot + below_plot) / self.height,
                     (width - left - right) / width, plot_height / self.height)
        self.heading_left = 0.15 / width

    def figure(self) -> tuple[Figure, Axes]:
        fig = Figure(figsize=(self.width, self.height), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_axes(self.axes)
        top = 1 - 0.12 / self.height
        fig.text(self.heading_left, top, self.title, ha="left", va="top", fontsize=14,
                 fontweight="bold", color=INK)
        below_title = top - (0.27 * (self.title.count("\n") + 1) + 0.05) / self.height
        fig.text(self.heading_left, below_title, self.subtitle, ha="left", va="top", fontsize=10,
                 color=MUTED)
        fig.text(self.heading_left, 0.1 / self.height, self.source, ha="left", va="bottom",
                 fontsize=7.5, color=MUTED, linespacing=1.4)
        return fig, ax


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


# Where a value label may sit, tried in this order: offset from its point in points,
# horizontal and vertical alignment.
_SPOTS: tuple[tuple[float, float, str, str], ...] = (
    (0, 5, "center", "bottom"), (0, -5, "center", "top"),
    (6, 3, "left", "bottom"), (6, -3, "left", "top"),
    (-6, 3, "right", "bottom"), (-6, -3, "right", "top"),
    (7, 0, "left", "center"), (-7, 0, "right", "center"),
    (0, 14, "center", "bottom"), (0, -14, "center", "top"),
)
LABEL_SIZE = 7.5
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points


def _label_box(x: float, y: float, text: str, spot: tuple[float, float, str, str]) -> Box:
    dx, dy, ha, va = spot
    width, height = 0.6 * LABEL_SIZE * len(text) + 2, 1.2 * LABEL_SIZE
    x0 = x + dx - {"center": width / 2, "right": width}.get(ha, 0.0)
    y0 = y + dy - {"top": height, "center": height / 2}.get(va, 0.0)
    return (x0, y0, x0 + width, y0 + height)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crosses(box: Box, start: np.ndarray, end: np.ndarray) -> bool:
    """Whether the segment start-end passes through the box (Liang-Barsky clipping)."""
    low, high = 0.0, 1.0
    delta = end - start
    for axis in (0, 1):
        for edge, sign in ((box[axis], -1.0), (box[axis + 2], 1.0)):
            p, q = sign * delta[axis], sign * (edge - start[axis])
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


def score_lines(report: Table, path: Path) -> None:
    """One line per country over the years, each point labelled with its published value."""
    frame = report.frame
    years = [int(y) for y in frame["year"]]
    names = [str(c) for c in frame.columns if report.role(str(c)) is Role.NUMBER]
    values = frame[names].to_numpy(dtype=float)
    with matplotlib.rc_context(_STYLE):
        layout = _Layout(report.title,
                         f"Score by year of data, {year_span(years)}. Each point "
                         "is labelled with the published value; the dark line marks 0.",
                         report.citations, width=10, plot_height=4.8, left=0.9,
                         right=2.0, above_plot=0.15, below_plot=0.6)
        fig, ax = layout.figure()
        finite = values[~np.isnan(values)]
        low, high = min(float(finite.min()), 0.0), max(float(finite.max()), 0.0)
        pad = (high - low) * 0.06 or 1.0
        ax.set_ylim(low - pad, high + pad * 1.8)
        ax.set_xlim(years[0] - 0.4, years[-1] + 0.4)
        ax.axhline(0, color=INK, linewidth=1.1, zorder=2)
        ax.grid(axis="y", color="#E3E3E3", linewidth=0.8, zorder=0)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_xlabel("Year of data")
        ax.set_ylabel("Score")
        lines = [ax.plot(years, values[:, number], color=LINE_COLOURS[number % len(LINE_COLOURS)],
                         marker=MARKERS[number % len(MARKERS)], markersize=5.5, linewidth=2.0,
                         linestyle="-" if number < len(LINE_COLOURS) else "--", zorder=3)[0]
                 for number in range(len(names))]
        _label_points(ax, years, values)
        # Labels given explicitly: matplotlib would drop a name that starts with '_'.
        ax.legend(lines, [_wrap(name, 22) for name in names], loc="upper left",
                  bbox_to_anchor=(1.03, 1.0), frameon=False, title="Country", alignment="left",
                  handlelength=2.6)
        _save(fig, path)


def _label_points(ax: Axes, years: list[int], values: np.ndarray) -> None:
    """Label every point with its value, each where it covers fewest labels, points and lines."""
    pixels_to_points = 72 / DPI
    where = {(row, series): ax.transData.transform((years[row], values[row, series]))
             * pixels_to_points
             for row in range(values.shape[0]) for series in range(values.shape[1])
             if not np.isnan(values[row, series])}
    segments = [(where[(row, series)], where[(row + 1, series)]) for row, series in where
                if (row + 1, series) in where]
    plot = np.asarray(ax.get_window_extent().extents) * pixels_to_points
    taken: list[Box] = [(x - 4, y - 4, x + 4, y + 4) for x, y in where.values()]  # markers
    for (row, series), (x, y) in sorted(where.items(), key=lambda item: (item[0][0],
                                                                          -item[1][1])):
        text = _number(values[row, series])

        def cost(spot: tuple[float, float, str, str], text: str = text, x: float = x,
                 y: float = y) -> float:
            box = _label_box(x, y, text, spot)
            inside = plot[0] <= box[0] and box[2] <= plot[2] and plot[1] <= box[1] \
                and box[3] <= plot[3]
            return (10.0 * sum(_overlap(box, other) for other in taken)
                    + 4.0 * sum(_crosses(box, a, b) for a, b in segments)
                    + (0.0 if inside else 100.0))

        spot = min(_SPOTS, key=cost)  # ties keep the earlier, plainer spot
        taken.append(_label_box(x, y, text, spot))
        ax.annotate(text, xy=(years[row], values[row, series]), xytext=spot[:2],
                    textcoords="offset points", ha=spot[2], va=spot[3], fontsize=LABEL_SIZE,
                    color=_label_ink(LINE_COLOURS[series % len(LINE_COLOURS)]), zorder=4,
                    bbox={"boxstyle": "square,pad=0.08", "facecolor": "white",
                          "edgecolor": "none", "alpha": 0.8})


def level_grid(report: Table, path: Path) -> None:
    """Pillars down, countries across, each cell coloured by its level (lowest light)."""
    frame = report.frame
    countries = [str(c) for c in frame.columns if report.role(str(c)) is Role.LEVEL]
    labels = [str(name) if int(number) == 0 else f"{int(number)}. {name}"
              for number, name in zip(frame["component"], frame["pillar_name"], strict=True)]
    scale = report.scale or tuple(sorted({str(v) for c in countries for v in frame[c].dropna()}))
    step = (len(LEVEL_COLOURS) - 1) / max(len(scale) - 1, 1)
    colours = {level: LEVEL_COLOURS[round(n * step)] for n, level in enumerate(scale)}
    dark = frozenset(level for n, level in enumerate(scale) if round(n * step) >= 3)
    headers = [_wrap(c, 16) for c in countries]
    rows, columns = len(frame), len(countries)
    with matplotlib.rc_context(_STYLE):
        layout = _Layout(report.title, f"Level for each pillar, from {scale[0]} to {scale[-1]}.",
                         report.citations, width=3.4 + 1.5 * max(columns, 3),
                         plot_height=0.45 * rows, left=3.2, right=0.2,
                         above_plot=0.2 + 0.18 * max(h.count("\n") + 1 for h in headers),
                         below_plot=0.85)
        fig, ax = layout.figure()
        ax.set_xlim(0, columns)
        ax.set_ylim(rows, 0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.tick_params(length=0, labelsize=9.5)
        ax.xaxis.tick_top()
        ax.set_xticks([c + 0.5 for c in range(columns)], headers, fontweight="bold", color=INK)
        ax.set_yticks([r + 0.5 for r in range(rows)], [_wrap(label, 38) for label in labels],
                      color=INK)
        missing = False
        for row, levels in enumerate(frame[countries].itertuples(index=False, name=None)):
            for column, level in enumerate(levels):
                rated = isinstance(level, str) and level in colours
                missing |= not rated
                ax.add_patch(Rectangle((column, row), 1, 1, edgecolor="white", linewidth=2.5,
                                       facecolor=colours[level] if rated else NO_RATING))
                ax.text(column + 0.5, row + 0.5, str(level) if rated else NO_RATING_TEXT,
                        ha="center", va="center", fontsize=9,
                        color="white" if level in dark else INK if rated else MUTED,
                        fontstyle="normal" if rated else "italic")
        if rows and int(frame["component"].iloc[0]) == 0:
            ax.get_yticklabels()[0].set_fontweight("bold")
            ax.axhline(1, color="white", linewidth=5)
        handles = [Patch(facecolor=colours[level], edgecolor="#BBBBBB", label=level)
                   for level in scale]
        if missing:
            handles.append(Patch(facecolor=NO_RATING, edgecolor="#BBBBBB",
                                 label=f"{NO_RATING_TEXT}: no rating found"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(-0.02, -0.02),
                  ncols=len(handles), frameon=False, title="Level, lowest to highest",
                  alignment="left", fontsize=8.5, title_fontsize=9, handlelength=1.4,
                  columnspacing=1.1)
        _save(fig, path)


def _save(fig: Figure, path: Path) -> None:
    """Write SVG or PNG (by suffix), tight around everything drawn; no timestamp inside."""
    fmt = path.suffix.lower().lstrip(".")
    metadata: dict[str, str | None] = {"Date": None} if fmt == "svg" else \
        {"CreationDate": None} if fmt == "pdf" else {}
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Glyph .* missing from")
            fig.savefig(path, format=fmt, dpi=DPI, bbox_inches="tight", pad_inches=0.3,
                        facecolor="white", metadata=metadata)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
