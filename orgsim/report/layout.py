"""Chart margins set by hand from measured text, in place of matplotlib's constrained layout.

Constrained layout measures every tick label, label and title with a renderer before the chart is drawn,
and ``savefig`` then draws the figure once more with drawing switched off before the real pass: about half
of the time of every chart of the report (README command 1: 15 charts, 2.4 → 1.5 CPU-s of ``savefig``
without it). The charts here know what text they hold, so :func:`fit_layout` measures it from the font's
glyph advances (:mod:`orgsim.report.fit`, no renderer) and sets the margins and the gaps between panels
once: tick labels (the ones in view), axis labels, titles, figure titles and labels, and legends placed at
the figure's edge by :func:`edge_legend`. What a chart puts outside its axes itself (a column of labels
right of the axes, a legend below them) it passes as ``extra`` inches.

Heights are taken as ``FIRST`` (1.1) × the font size for a line, a little more than matplotlib's, and
``LINE`` (1.2) for each further line, so text is never clipped; widths are DejaVu Sans', the font the charts
are drawn in. ``tests/test_report_layout.py`` draws every chart of the page (and the notebook-only ones)
and checks that all its text lies inside the figure and that no two panels overlap. Titles and figure
labels are read from matplotlib's own attributes (``_left_title``, ``_suptitle``...): the lock pins it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib as mpl

from orgsim.report.fit import LINE, text_width

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend
    from matplotlib.text import Text

__all__ = ["FIRST", "PAD", "edge_legend", "fit_layout", "legend_height", "text_box"]

#: a line of text's height in font sizes: matplotlib's is about 1.0 (DejaVu Sans' ascent and descent), a little kept
#: spare so that nothing is clipped; further lines are ``LINE`` (1.2) apart, matplotlib's spacing
FIRST = 1.1
#: space kept between text and the figure's edge or a neighbouring panel (inches): constrained layout's own pad
PAD = 3 / 72
#: matplotlib's legend spacing in font sizes (rc defaults): padding inside the box, from the figure's edge,
#: between rows
_LEGEND_BORDER, _LEGEND_EDGE, _LEGEND_ROWS = 0.4, 0.5, 0.5


def text_box(text: str, size: float, bold: bool = False) -> tuple[float, float]:
    """(width, height) in inches of ``text`` at ``size`` points: its widest line; FIRST × size, LINE per further line.

    >>> w, h = text_box("Scorecard", 10)
    >>> round(w, 2), round(h, 3)
    (0.7, 0.153)
    """
    if not text:
        return 0.0, 0.0
    lines = text.split("\n")
    return max(text_width(line, size, bold) for line in lines), (FIRST + (len(lines) - 1) * LINE) * size / 72


def _box(t: Text | None) -> tuple[float, float]:
    """A text artist's (width, height) as drawn unrotated; nothing for an empty or hidden one."""
    if t is None or not t.get_visible() or not t.get_text():
        return 0.0, 0.0
    weight = t.get_fontweight()
    bold = weight == "bold" or (isinstance(weight, int) and weight >= 600)
    return text_box(t.get_text(), float(t.get_fontsize()), bold)


def legend_height(rows: int, size: float) -> float:
    """Inches a legend of ``rows`` rows of ``size``-point text takes at a figure's edge (padding included)."""
    em = size / 72
    return em * (FIRST + (rows - 1) * (FIRST + _LEGEND_ROWS) + 2 * _LEGEND_BORDER + _LEGEND_EDGE)


def edge_legend(fig: Figure, where: str, ncols: int, handles: Sequence[Artist] | None = None,
                **kwargs: Any) -> Legend:
    """A legend centred at the figure's ``where`` edge ("lower" or "upper"); :func:`fit_layout` keeps room for it."""
    loc: Any = f"{where} center"  # matplotlib types loc as a list of literals
    if handles is None:
        leg = fig.legend(loc=loc, ncols=ncols, **kwargs)
    else:
        leg = fig.legend(handles=list(handles), loc=loc, ncols=ncols, **kwargs)
    texts = leg.get_texts()
    rows = math.ceil(len(texts) / ncols)
    size = float(texts[0].get_fontsize()) if texts else float(mpl.rcParams["legend.fontsize"])
    setattr(leg, _EDGE, (where, legend_height(rows, size) if rows else 0.0))  # read back by fit_layout
    return leg


#: the attribute an edge legend carries: (edge, inches it takes)
_EDGE = "_orgsim_edge"


def _ticks(ax: Axes, which: str) -> tuple[list[tuple[float, str]], float, bool, bool]:
    """The axis's tick labels in view as (position along the axes 0–1, text), their size, and which sides show them."""
    axis = ax.xaxis if which == "x" else ax.yaxis
    ticks = axis.get_major_ticks()
    if not ticks or not axis.get_visible():
        return [], 0.0, False, False
    first, second = ticks[0].label1.get_visible(), ticks[0].label2.get_visible()
    if not (first or second):
        return [], 0.0, False, False
    locs = list(axis.get_majorticklocs())
    labels = axis.get_major_formatter().format_ticks(locs)
    lo, hi = sorted(ax.get_xlim() if which == "x" else ax.get_ylim())
    log = (ax.get_xscale() if which == "x" else ax.get_yscale()) == "log"
    out = []
    for loc, label in zip(locs, labels, strict=True):
        if not label or not (lo - 1e-9 * abs(hi - lo) <= loc <= hi + 1e-9 * abs(hi - lo)):
            continue
        frac = (math.log(loc / lo) / math.log(hi / lo)) if log and lo > 0 and loc > 0 else (loc - lo) / (hi - lo or 1)
        inverted = (ax.xaxis_inverted() if which == "x" else ax.yaxis_inverted())
        out.append((1 - frac if inverted else frac, label))
    return out, float(ticks[0].label1.get_fontsize()), first, second


def _tick_room(which: str) -> float:
    """Inches from the axes' edge to its tick labels: the tick's length and the label's pad (rc)."""
    params: Any = mpl.rcParams  # typed by literal keys
    return (float(params[f"{which}tick.major.size"]) + float(params[f"{which}tick.major.pad"])) / 72


#: per axis: the sides its tick labels may stand beside (low, high), then the sides a label at its start or end overhangs
_SIDES = {"x": ("bottom", "top", "left", "right"), "y": ("left", "right", "bottom", "top")}


def _needs(ax: Axes, width: float, height: float, dpi: float) -> dict[str, float]:
    """Inches of text ``ax`` (drawn ``width`` × ``height`` inches) puts beyond each of its four sides."""
    need = {"left": 0.0, "right": 0.0, "bottom": 0.0, "top": 0.0}
    overhang = dict(need)  # labels centred on a tick near a corner reach past the sides beside their axis
    if ax.axison:
        for which, span in (("x", width), ("y", height)):
            ticks, size, low, high = _ticks(ax, which)
            if not ticks:
                continue
            low_side, high_side, start_side, end_side = _SIDES[which]
            boxes = []  # each label as (place along the axis 0–1, its extent along the axis, its extent across)
            for f, text in ticks:
                w, h = text_box(text, size)
                boxes.append((f, w, h) if which == "x" else (f, h, w))
            thick = max(across for _, _, across in boxes) + _tick_room(which)
            need[low_side] += thick if low else 0.0
            need[high_side] += thick if high else 0.0
            overhang[start_side] = max(along / 2 - f * span for f, along, _ in boxes)
            overhang[end_side] = max(along / 2 - (1 - f) * span for f, along, _ in boxes)
        pad = float(mpl.rcParams["axes.labelpad"]) / 72
        xl, yl = _box(ax.xaxis.label), _box(ax.yaxis.label)
        if xl[1]:
            need["top" if ax.xaxis.get_label_position() == "top" else "bottom"] += xl[1] + pad
        if yl[1]:  # drawn turned: its height is its width on the page
            need["right" if ax.yaxis.get_label_position() == "right" else "left"] += yl[1] + pad
    # the title sits above the top tick labels (matplotlib moves it there) by its pad
    titles = [_box(t) for t in (ax.title, getattr(ax, "_left_title", None), getattr(ax, "_right_title", None))]
    title = max(h for _, h in titles)
    if title:
        need["top"] += title + float(getattr(ax, "titleOffsetTrans").transform((0.0, 0.0))[1]) / dpi  # noqa: B009 - untyped attribute
    return {side: max(need[side], overhang[side]) for side in need}


def fit_layout(fig: Figure, extra: dict[str, float] | None = None) -> None:
    """Set ``fig``'s margins and panel gaps from the text its axes and figure hold (see the module's note).

    ``extra``: inches to keep free at the figure's ``left``/``right``/``bottom``/``top`` for what the chart put
    outside its axes by itself. Call it once every text is set, before the figure is saved.
    """
    extra = extra or {}
    grid_axes = [ax for ax in fig.axes if ax.get_visible() and ax.get_subplotspec() is not None]
    if not grid_axes:
        return
    spec = grid_axes[0].get_subplotspec()
    assert spec is not None  # filtered above
    grid = spec.get_gridspec()
    nrows, ncols = grid.get_geometry()
    fw, fh = (float(v) for v in fig.get_size_inches())
    edge = {side: PAD + extra.get(side, 0.0) for side in ("left", "right", "bottom", "top")}
    for leg in fig.legends:
        where, inches = getattr(leg, _EDGE, ("", 0.0))
        if where:
            edge["bottom" if where == "lower" else "top"] += inches
    for t, side, at in ((getattr(fig, "_suptitle", None), "top", 0.02), (getattr(fig, "_supxlabel", None), "bottom", 0.01),
                        (getattr(fig, "_supylabel", None), "left", 0.02)):
        w, h = _box(t)
        if h:  # matplotlib puts these a fixed fraction in from the edge when no layout engine moves them
            edge[side] += h + at * (fw if side == "left" else fh)
    fig.set_layout_engine("none")
    width, height = fw / ncols, fh / nrows  # a first guess at a panel's size, refined below
    for _ in range(2):  # the labels' overhang depends on the panels' size: twice settles it
        left, right = edge["left"], edge["right"]
        bottom, top = edge["bottom"], edge["top"]
        wgap = hgap = 0.0
        for ax in grid_axes:
            ss = ax.get_subplotspec()
            assert ss is not None
            n = _needs(ax, width * len(ss.colspan), height * len(ss.rowspan), float(fig.dpi))
            if ss.colspan.start == 0:
                left = max(left, edge["left"] + n["left"])
            else:
                wgap = max(wgap, n["left"])
            if ss.colspan.stop == ncols:
                right = max(right, edge["right"] + n["right"])
            else:
                wgap = max(wgap, n["right"])
            if ss.rowspan.start == 0:
                top = max(top, edge["top"] + n["top"])
            else:
                hgap = max(hgap, n["top"])
            if ss.rowspan.stop == nrows:
                bottom = max(bottom, edge["bottom"] + n["bottom"])
            else:
                hgap = max(hgap, n["bottom"])
        wgap, hgap = wgap + 2 * PAD, hgap + 2 * PAD
        width = max((fw - left - right - (ncols - 1) * wgap) / ncols, 0.1)
        height = max((fh - top - bottom - (nrows - 1) * hgap) / nrows, 0.1)
    fig.subplots_adjust(left=left / fw, right=1 - right / fw, bottom=bottom / fh, top=1 - top / fh,
                        wspace=wgap / width, hspace=hgap / height)
