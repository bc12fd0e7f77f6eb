"""One look for every chart: slide-sized fonts, one colour per design, no maths parsing of names.

Scenario names and departments are text from an analyst's file, so
``text.parse_math`` is off: a ``$`` in a name is a dollar sign, not TeX.

The style is applied for the duration of a chart function only, and on the
way out only the keys of :data:`RC` are put back. ``mpl.rc_context`` would
restore *every* setting it saw on entry, which undoes what matplotlib and
IPython set up lazily while the first figure is made inside it (the inline
backend switches interactive mode on then): after the first orgsim chart a
notebook stopped showing any figure at all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import matplotlib as mpl

from orgsim.report.labels import short_names

__all__ = ["MIN_FONT", "PALETTE", "PART_COLOURS", "RC", "WIDTH", "colours", "error_extent", "hours_label", "rc", "short_names", "styled",
           "tags"]

#: Okabe & Ito's colour-blind-safe palette, in the order designs are given
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

#: the four clocks of a request, drawn in this order and these colours everywhere
PART_COLOURS = {"queue": "#D55E00", "work": "#009E73", "handoff": "#E69F00", "approval": "#56B4E9"}

#: Every chart is drawn this wide (inches) and its smallest text is MIN_FONT points. The report scales a chart to
#: its column: on a 390-px phone that is about 366 px, so a 10-pt letter on a 5.5-inch chart shows at
#: 10 × 366 / (72 × 5.5) = 9.2 px — readable (at 8 inches wide it was 6 px). On a wide screen the report caps a
#: chart at 1.25 × its drawn size, 660 px.
WIDTH = 5.5
MIN_FONT = 10

RC: dict[str, Any] = {
    "figure.dpi": 100,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "sans-serif"],
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.8,
    "legend.frameon": False,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "figure.titlesize": 12,
    "figure.labelsize": 11,
    "text.parse_math": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "orgsim",
}

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def rc() -> Iterator[None]:
    """Matplotlib settings of :data:`RC` for the duration of a ``with`` block; nothing else is touched.

    >>> before = dict(mpl.rcParams)
    >>> with rc():
    ...     mpl.rcParams["font.size"], mpl.rcParams["text.parse_math"]
    (11.0, False)
    >>> dict(mpl.rcParams) == before
    True
    """
    params: Any = mpl.rcParams  # typed by literal keys; RC's keys are checked by matplotlib when set
    saved = {key: params[key] for key in RC}
    try:
        params.update(RC)
        yield
    finally:
        params.update(saved)


def styled(fn: Callable[P, R]) -> Callable[P, R]:
    """Build the figure under :data:`RC`, so it looks the same in a notebook and in the report."""
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with rc():
            return fn(*args, **kwargs)
    return wrapper


def colours(designs: Sequence[str]) -> dict[str, str]:
    """A colour per design, stable for a given order.

    >>> colours(["a", "b"])
    {'a': '#0072B2', 'b': '#E69F00'}
    """
    return {d: PALETTE[i % len(PALETTE)] for i, d in enumerate(designs)}


#: longest design name drawn on a chart; a longer one is cut at a word and the report's legend gives it in full
TAG_LIMIT = 18


def tags(names: Sequence[str], limit: int = TAG_LIMIT) -> list[str]:
    """Design names short enough for a chart label: the company prefix dropped, long ones cut at a word.

    Names that would come out the same get a number, so a tag always names one design.

    >>> tags(["Acme — by network", "Acme — by function, experts embedded in People and Customer Care"])
    ['by network', 'by function…']
    >>> tags(["Acme — by function", "Acme — by function, experts embedded in People and Customer Care"])
    ['by function', 'by function, experts…']
    >>> tags(["a very long design name one", "a very long design name two"], limit=12)
    ['a very long… (1)', 'a very long… (2)']
    """
    out = []
    for name in short_names(names):
        if len(name) <= limit:
            out.append(name)
            continue
        cut = name[:limit + 1]
        for stop in (",", "(", " — ", " "):
            if stop in cut.rstrip():
                cut = cut[:cut.rindex(stop)] if cut.rindex(stop) > 0 else cut[:limit]
                break
        out.append(cut.rstrip(" ,;:—-") + "…")
    full = short_names(names)
    for i, t in enumerate(out):
        # a cut that reads as another design's whole name ("by function…" beside "by function") takes more words
        words = full[i].split(" ")
        k = len(t[:-1].split(" "))
        while t.endswith("…") and t[:-1] in full and k < len(words):
            k += 1
            t = " ".join(words[:k]).rstrip(" ,;:—-") + "…"
        out[i] = t
    seen = {t: out.count(t) for t in out}
    counter: dict[str, int] = {}
    for i, t in enumerate(out):
        if seen[t] > 1:
            counter[t] = counter.get(t, 0) + 1
            out[i] = f"{t} ({counter[t]})"
    return out


def error_extent(mean: float, low: float | None, high: float | None) -> tuple[float, float]:
    """An interval as matplotlib's error bars take it (below, above the mean); none drawn when it is unknown."""
    if low is None or high is None:
        return 0.0, 0.0
    return max(mean - low, 0.0), max(high - mean, 0.0)


def hours_label(hours: float) -> str:
    """Hours as a reader says them: minutes, hours or days.

    >>> hours_label(0.5), hours_label(5), hours_label(30), hours_label(72), hours_label(84)
    ('30 min', '5 h', '30 h', '3 days', '3.5 days')
    """
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.0f} h" if hours >= 10 or hours == int(hours) else f"{hours:.1f} h"
    days = hours / 24
    return f"{days:.0f} days" if days == int(days) else f"{days:.1f} days"
