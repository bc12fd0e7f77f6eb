"""The trade-off chart: average wait against insight reach, each design with its 95% intervals.

Kept beside :mod:`orgsim.report.plots` (and re-exported there). Its axes span the designs that keep up
with their work: a design whose backlog grows without bound (unstable) waits as long as the run is
long — the one-person team's ~520 h would squeeze the other designs' 28–35 h into one blob — so it is
drawn as an off-scale marker at the axis edge, named, with its value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from orgsim.arguments import a_study, checks
from orgsim.experiment.study import Study
from orgsim.report.layout import fit_layout, text_box
from orgsim.report.style import WIDTH, colours, error_extent, styled, tags

__all__ = ["TradeoffPoint", "stable", "tradeoff", "tradeoff_points", "tradeoff_y"]


@dataclass(frozen=True)
class TradeoffPoint:
    """One design on the trade-off: means and 95% intervals of the wait (h) and of the y measure (a share)."""

    design: str
    tag: str
    x: float
    x_low: float | None
    x_high: float | None
    y: float
    y_low: float | None
    y_high: float | None
    head_count: float
    unstable: bool


def stable(study: Study) -> list[bool]:
    """Per design: does it keep up with its work (not flagged unstable)?"""
    reasons = study.table.attrs.get("unstable") or {}
    return [not reasons.get(d) for d in study.design_ids]


def tradeoff_y(study: Study) -> str:
    """The y measure's metric id: insight reach, or (no insights modelled) messages answered within 24 h."""
    has_reach = any(np.isfinite(study.values("insight_reach_share", d)).any() for d in range(len(study.designs)))
    return "insight_reach_share" if has_reach else "reply_within_24h_share"


def tradeoff_points(study: Study) -> list[TradeoffPoint]:
    """Every design's point on the trade-off, its intervals as the comparison table has them (by metric id)."""
    y_id = tradeoff_y(study)
    table = study.table
    out = []
    for j, (design, tag, ok) in enumerate(zip(study.designs, tags(study.designs), stable(study), strict=True)):
        x = table[(table["metric"] == "silo_latency_rmst")].iloc[j]
        y = table[(table["metric"] == y_id)].iloc[j]
        head = float(np.nanmean(study.values("head_count", j)))
        out.append(TradeoffPoint(design, tag, float(x["mean"]), _num(x["ci_low"]), _num(x["ci_high"]),
                                 float(y["mean"]), _num(y["ci_low"]), _num(y["ci_high"]), head, not ok))
    return out


def _num(v: object) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)  # type: ignore[arg-type]


def axis_range(points: list[TradeoffPoint], axis: str) -> tuple[float, float]:
    """The span of an axis: the stable designs' intervals with a margin (the unstable ones do not stretch it).

    A margin of a quarter of the span each side (at least 5% of the top value), so no interval touches the frame.
    """
    values = [v for p in points if not p.unstable
              for v in ((p.x, p.x_low, p.x_high) if axis == "x" else (p.y, p.y_low, p.y_high))
              if v is not None and math.isfinite(v)]
    if not values:
        values = [v for p in points for v in ((p.x,) if axis == "x" else (p.y,)) if math.isfinite(v)] or [0.0, 1.0]
    lo, hi = min(values), max(values)
    pad = max((hi - lo) * 0.25, abs(hi) * 0.05, 1e-9)
    if axis == "y":  # a share: never past 100%, with room for a point at 100% to show whole
        return max(lo - pad, 0.0), min(hi + pad, 1.03)
    return max(lo - pad, 0.0), hi + pad


@styled
@checks(study=a_study)
def tradeoff(study: Study) -> Figure:
    """Average wait (x, lower is better) against insight reach (y, higher is better), with 95% intervals.

    The axes span the stable designs (:func:`axis_range`); an unstable design is marked at the edge it is off,
    named with its value. Marker area grows with head count. Scenarios without an ``insights:`` block have no
    reach; the y axis then shows the share of messages answered within 24 hours instead, and says so.
    """
    points = tradeoff_points(study)
    y_reach = tradeoff_y(study) == "insight_reach_share"
    col = colours(study.designs)
    fig, ax = plt.subplots(figsize=(WIDTH, 4.6))
    x0, x1 = axis_range(points, "x")
    y0, y1 = (100 * v for v in axis_range(points, "y"))
    top = max((p.head_count for p in points), default=1.0) or 1.0
    labels: list[tuple[float, float, str]] = []
    for p in sorted(points, key=lambda p: -p.head_count):  # the biggest first, so a smaller marker stays on top
        if not (math.isfinite(p.x) and math.isfinite(p.y)):
            continue
        c = col[p.design]
        if p.unstable or not (x0 <= p.x <= x1):
            # off the scale: a marker at the right edge, at its y when that is on the scale
            ey = min(max(100 * p.y, y0), y1)
            ax.plot([x1], [ey], marker=">", markersize=12, color=c, clip_on=False, zorder=4)
            labels.append((x1, ey, f"{p.tag}:\n{p.x:.0f} h, off scale" + (",\nunstable" if p.unstable else "")))
            continue
        ax.errorbar(p.x, 100 * p.y, xerr=np.array([error_extent(p.x, p.x_low, p.x_high)]).T,
                    yerr=100 * np.array([error_extent(p.y, p.y_low, p.y_high)]).T, fmt="none", ecolor=c, elinewidth=1.6,
                    capsize=4, zorder=2)
        ax.scatter([p.x], [100 * p.y], s=40 + 160 * p.head_count / top, color=c, alpha=0.85, edgecolor="white",
                   linewidth=1, zorder=3)
        labels.append((p.x, 100 * p.y, p.tag))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_yticks([t for t in ax.get_yticks() if y0 <= t <= min(y1, 100)])  # no tick past 100%
    ax.set_xlabel("average wait for an answer, hours\n(open requests counted) — left is better")
    ax.set_ylabel(("insights reaching the departments\nthat need them, % — up is better") if y_reach else
                  "messages answered within 24 h, % — up is better")
    ax.set_title("Faster answers vs insights that reach people" if y_reach else
                 "Faster answers vs replies to customers")
    _label_column(ax, labels)
    # the column of names starts 0.04 of the axes' width right of them (about 0.2 in) and holds 10-pt text
    fit_layout(fig, {"right": 0.2 + max((text_box(t, 10)[0] for _, _, t in labels), default=0.0)})
    return fig


def _label_column(ax: plt.Axes, points: list[tuple[float, float, str]]) -> None:
    """Name each point in a column right of the axes, in the points' vertical order, a line apart at least.

    Labels placed beside their points collide as soon as two designs are close; in one column, spaced by
    construction, they cannot, and a thin leader line joins each to its point.
    """
    if not points:
        return
    lo, hi = ax.get_ylim()
    order = sorted(points, key=lambda p: -p[1])
    line = 0.05  # axes fraction: one line of 10-pt text on the chart's 4.6-inch height (its axes ~3.6 in)
    ys = [min(max((y - lo) / (hi - lo), 0.0), 1.0) for _, y, _ in order]
    for k in range(1, len(ys)):  # push down below the label above, by half of each one's lines and some air
        lines = order[k - 1][2].count("\n") + order[k][2].count("\n") + 2
        ys[k] = min(ys[k], ys[k - 1] - line * lines / 2 - 0.02)
    if ys[-1] < 0:  # ...and, if that ran off the bottom, shift the column up
        ys = [y - ys[-1] for y in ys]
    for (x, y, text), ty in zip(order, ys, strict=True):
        ax.annotate(text, xy=(x, y), xycoords="data", xytext=(1.04, ty), textcoords="axes fraction", fontsize=10,
                    va="center", ha="left", color="#222222", annotation_clip=False,
                    arrowprops={"arrowstyle": "-", "color": "#999999", "linewidth": 0.8, "shrinkA": 2, "shrinkB": 5})
