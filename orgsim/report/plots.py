"""Charts of a :class:`~orgsim.experiment.study.Study`, each a matplotlib figure fit for a slide.

Every function reads a study (or a scenario, for the organisation drawing)
and returns a :class:`matplotlib.figure.Figure`; it computes nothing the
metrics and experiment layers do not already provide. Designs keep one
colour everywhere (:func:`orgsim.report.style.colours`). In a notebook::

    study = run_study([load_scenario("scenarios/network.yaml"), ...], replications=5)
    tradeoff(study)
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from orgsim.arguments import a_department, a_scenario, a_string, a_study, a_table, checks, metric_ids, optional, whole
from orgsim.experiment.study import Study
from orgsim.metrics import mean_ci
from orgsim.metrics.detail import PARTS
from orgsim.org.graph import build_org
from orgsim.org.measures import bottlenecks, bus_factors
from orgsim.report.plots_work import attribution_waterfall, backlog_over_time
from orgsim.report.style import PART_COLOURS, colours, hours_label, short_names, styled, tags
from orgsim.scenario.model import Scenario

__all__ = [
    "after_hours",
    "attribution_waterfall",
    "backlog_over_time",
    "bus_factor_chart",
    "latency_by_department",
    "latency_ecdf",
    "org_network",
    "reach_by_department",
    "reach_over_time",
    "sweep_chart",
    "time_breakdown",
    "tradeoff",
    "utilisation",
]

#: log-axis ticks a reader knows, each at least twice the one before so their labels never run together
_HOUR_TICKS = [0.25, 1, 4, 8, 24, 72, 168, 720]
_HOUR_NAMES: dict[float, str] = {24: "1 day", 168: "1 week", 720: "30 days"}


def _legend_names(study: Study) -> dict[str, str]:
    """Each design's chart label: short (:func:`~orgsim.report.style.tags`); the report's legend has the full name."""
    return dict(zip(study.designs, tags(study.designs), strict=True))


def _hour_axis(ax: plt.Axes, values: np.ndarray, axis: str = "x") -> None:
    """A log axis in hours with ticks a reader knows (1 h, 8 h, 1 day, 1 week)."""
    finite = values[np.isfinite(values) & (values > 0)]
    lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (1.0, 24.0)
    lo, hi = max(lo * 0.8, 0.1), hi * 1.25
    ticks = [t for t in _HOUR_TICKS if lo <= t <= hi] or [lo, hi]
    labels = [_HOUR_NAMES.get(t, hours_label(t)) for t in ticks]
    if axis == "x":
        ax.set_xscale("log")
        ax.set_xlim(lo, hi)
        ax.set_xticks(ticks, labels)
        ax.xaxis.set_minor_locator(plt.NullLocator())
    else:
        ax.set_yscale("log")
        ax.set_ylim(lo, hi)
        ax.set_yticks(ticks, labels)
        ax.yaxis.set_minor_locator(plt.NullLocator())


def _err(mean: float, low: float | None, high: float | None) -> tuple[float, float]:
    if low is None or high is None:
        return 0.0, 0.0
    return max(mean - low, 0.0), max(high - mean, 0.0)


@styled
@checks(study=a_study)
def tradeoff(study: Study) -> Figure:
    """Silo latency (x, lower is better) against insight reach (y, higher is better); area = head count.

    Error bars are 95% t-intervals across replications. Scenarios without an
    ``insights:`` block have no reach; the y axis then shows the share of
    messages answered within 24 hours instead, and says so.
    """
    fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
    col, names = colours(study.designs), _legend_names(study)
    points: list[tuple[float, float, str]] = []
    has_reach = any(np.isfinite(study.values("insight reach within horizon", d)).any() for d in study.designs)
    y_label = "insight reach within horizon" if has_reach else "messages answered within 24 h"
    heads = [float(np.nanmean(study.values("head count", d))) for d in study.designs]
    top = max(heads) if heads else 1.0
    # the biggest bubble first, so a smaller one is never hidden under it
    for design, head in sorted(zip(study.designs, heads, strict=True), key=lambda dh: -dh[1]):
        x, xl, xh = mean_ci(list(study.values("silo_latency_rmst", design)))
        y, yl, yh = mean_ci(list(study.values(y_label, design)))
        if math.isnan(x) or math.isnan(y):
            continue
        ax.errorbar(x, 100 * y, xerr=np.array([_err(x, xl, xh)]).T, yerr=100 * np.array([_err(y, yl, yh)]).T,
                    fmt="none", ecolor=col[design], elinewidth=1.5, capsize=4, zorder=2)
        ax.scatter([x], [100 * y], s=900 * head / top, color=col[design], alpha=0.6, edgecolor=col[design],
                   linewidth=2, zorder=3)
        points.append((x, 100 * y, f"{names[design]} ({head:.0f} {'person' if head == 1 else 'people'})"))
    ax.set_xlabel("silo latency: mean hours from request to answer, open requests counted (left is better)")
    if has_reach:
        ax.set_ylabel("insight reach (%): reaching the right\ndepartments within the horizon — up is better")
        ax.set_title("Faster answers vs insights that reach people")
    else:
        ax.set_ylabel("% of messages answered within 24 h — up is better")
        ax.set_title("Faster answers vs replies to the community (no insights modelled)")
    ax.set_ylim(bottom=0, top=max(100, ax.get_ylim()[1]))
    ax.set_xlim(left=0, right=ax.get_xlim()[1] * 1.05)
    _label_column(ax, points)
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
    gap = 0.105  # axes fraction: two lines of 10-pt text on a 5-inch figure
    ys = [min(max((y - lo) / (hi - lo), 0.0), 1.0) for _, y, _ in order]
    for k in range(1, len(ys)):  # push down below the label above...
        ys[k] = min(ys[k], ys[k - 1] - gap)
    if ys[-1] < 0:  # ...and, if that ran off the bottom, shift the column up
        ys = [y - ys[-1] for y in ys]
    for (x, y, text), ty in zip(order, ys, strict=True):
        ax.annotate(text, xy=(x, y), xycoords="data", xytext=(1.03, ty), textcoords="axes fraction", fontsize=10,
                    va="center", ha="left", color="#222222", annotation_clip=False,
                    arrowprops={"arrowstyle": "-", "color": "#999999", "linewidth": 0.8, "shrinkA": 2, "shrinkB": 6})


@styled
@checks(study=a_study)
def latency_by_department(study: Study) -> Figure:
    """Silo latency per department and design: box = middle half, line = median, whiskers = 10th–90th percentile.

    Pooled over replications; log scale in hours.
    """
    lat = study.latencies()
    departments = list(dict.fromkeys(lat["department"])) if len(lat) else []
    designs, col, names = study.designs, colours(study.designs), _legend_names(study)
    fig, ax = plt.subplots(figsize=(9, 0.9 + 0.28 * len(designs) * max(len(departments), 1)), layout="constrained")
    width = 0.8 / max(len(designs), 1)
    for j, design in enumerate(designs):
        mine = lat[lat["design"] == design]
        data, pos = [], []
        for i, dept in enumerate(departments):
            xs = mine.loc[mine["department"] == dept, "latency_hours"].to_numpy(dtype=float)
            if len(xs):
                data.append(np.clip(xs, 0.05, None))
                pos.append(i - 0.4 + width * (j + 0.5))
        if not data:
            continue
        ax.boxplot(data, positions=pos, widths=width * 0.85, orientation="horizontal", whis=(10, 90), showfliers=False,
                   patch_artist=True, manage_ticks=False,
                   boxprops={"facecolor": col[design], "alpha": 0.8, "edgecolor": col[design]},
                   medianprops={"color": "black", "linewidth": 1.5},
                   whiskerprops={"color": col[design]}, capprops={"color": col[design]})
    ax.set_yticks(range(len(departments)), departments)
    ax.invert_yaxis()
    _hour_axis(ax, lat["latency_hours"].to_numpy(dtype=float) if len(lat) else np.array([]))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("silo latency (hours, log scale): box = middle half, | = median, whiskers = 10th–90th pct")
    fig.legend(handles=[Patch(color=col[d], label=names[d]) for d in designs], loc="outside lower center",
               ncols=min(len(designs), 3))
    ax.set_title("How long each department waits for an answer")
    return fig


@styled
@checks(study=a_study, department=a_department)
def latency_ecdf(study: Study, department: str | None = None) -> Figure:
    """Share of requests answered within t hours, per design, with the median and 90th percentile marked."""
    lat = study.latencies()
    if department is not None:
        lat = lat[lat["department"] == department]
    col, names = colours(study.designs), _legend_names(study)
    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    for design in study.designs:
        xs = np.sort(lat.loc[lat["design"] == design, "latency_hours"].to_numpy(dtype=float))
        if not len(xs):
            continue
        ys = np.arange(1, len(xs) + 1) / len(xs)
        ax.step(np.clip(xs, 0.05, None), 100 * ys, where="post", color=col[design], linewidth=2, label=names[design])
        for q in (50, 90):
            v = float(np.percentile(xs, q))
            ax.plot([v], [q], marker="o", color=col[design], markersize=6)
    ax.axhline(50, color="#999999", linewidth=0.8, linestyle=":")
    ax.axhline(90, color="#999999", linewidth=0.8, linestyle=":")
    _hour_axis(ax, lat["latency_hours"].to_numpy(dtype=float) if len(lat) else np.array([]))
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of requests answered")
    ax.set_xlabel("answered within this time (hours, log scale); dots = median and 90th percentile")
    ax.legend(loc="upper left", fontsize=9)
    ax.set_title(f"Requests answered over time{' — ' + department if department else ''}")
    return fig


@styled
@checks(study=a_study)
def time_breakdown(study: Study) -> Figure:
    """Where a request's time goes, per design: queue, work, handoff, approval (mean hours, stacked)."""
    bd = study.breakdown()
    bd = bd[bd["department"] == "all"] if len(bd) else bd
    means = bd.groupby(["design", "part"], sort=False)["hours"].mean() if len(bd) else None
    designs, names = study.designs, _legend_names(study)
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.6 * len(designs)), layout="constrained")
    widest = max((sum(float(means.get((d, part), 0.0)) for part in PARTS) for d in designs), default=1.0) \
        if means is not None else 1.0
    widest = 1.0 if math.isnan(widest) else widest
    for i, design in enumerate(designs):
        left = 0.0
        for part in PARTS:
            v = float(means.get((design, part), 0.0)) if means is not None else 0.0
            v = 0.0 if math.isnan(v) else v
            ax.barh(i, v, left=left, color=PART_COLOURS[part], edgecolor="white", height=0.6,
                    label=part if i == 0 else None)
            if v >= max(1.5, 0.07 * widest):  # only where the number fits inside its segment
                ax.text(left + v / 2, i, f"{v:.0f} h", ha="center", va="center", fontsize=9, color="white")
            left += v
        ax.text(left, i, f"  {left:.1f} h", va="center", fontsize=10)
    ax.set_yticks(range(len(designs)), [names[d] for d in designs])
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.set_xlim(right=ax.get_xlim()[1] * 1.12)
    ax.set_xlabel("mean hours per answered request, along its critical path")
    ax.legend(ncols=4, loc="lower center", bbox_to_anchor=(0.5, 1.0), title=None)
    ax.set_title("Where the time goes", pad=28)
    return fig


def _band(ax: plt.Axes, curves: np.ndarray, hours: np.ndarray, colour: str, label: str) -> None:
    seen = np.isfinite(curves)
    # a replication with no pair for this department has no curve: average over those that have one
    mean = np.where(seen.any(axis=0), np.nansum(curves, axis=0) / np.maximum(seen.sum(axis=0), 1), np.nan)
    ax.plot(hours / 24, 100 * mean, color=colour, linewidth=2, label=label)
    if curves.shape[0] >= 2:
        lows, highs = zip(*(mean_ci(list(curves[:, k]))[1:] for k in range(curves.shape[1])), strict=True)
        lo = np.array([np.nan if v is None else v for v in lows], dtype=float)
        hi = np.array([np.nan if v is None else v for v in highs], dtype=float)
        ax.fill_between(hours / 24, 100 * np.clip(lo, 0, 1), 100 * np.clip(hi, 0, 1), color=colour, alpha=0.18,
                        linewidth=0)


def _curves(study: Study, department: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rc = study.reach_curves()
    rc = rc[rc["department"] == department]
    out = {}
    for design, g in rc.groupby("design", sort=False):
        wide = g.pivot(index="replication", columns="hours", values="share")
        out[str(design)] = (wide.to_numpy(dtype=float), wide.columns.to_numpy(dtype=float))
    return out


@styled
@checks(study=a_study, department=a_department)
def reach_over_time(study: Study, department: str = "all") -> Figure:
    """Share of insights that have reached the departments they matter to, by days after they appeared.

    Line = mean across replications, band = its 95% t-interval.
    """
    col, names = colours(study.designs), _legend_names(study)
    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    for design, (curves, hours) in _curves(study, department).items():
        _band(ax, curves, hours, col[design], names[design])
    ax.set_ylim(0, 100)
    ax.set_xlim(left=0)
    ax.set_xlabel("days after the insight appeared on a social channel")
    ax.set_ylabel("% of (insight, department) pairs reached")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
    who = "the departments they matter to" if department == "all" else department
    ax.set_title(f"Insights reaching {who}")
    return fig


@styled
@checks(study=a_study)
def reach_by_department(study: Study) -> Figure:
    """:func:`reach_over_time` per department, small multiples on one scale."""
    rc = study.reach_curves()
    departments = sorted(d for d in rc["department"].unique() if d != "all") if len(rc) else []
    n = max(len(departments), 1)
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    col, names = colours(study.designs), _legend_names(study)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.3 * ncols + 0.5, 2.5 * nrows + 0.8), sharex=True, sharey=True,
                             layout="constrained", squeeze=False)
    for ax, dept in zip(axes.flat, departments, strict=False):
        for design, (curves, hours) in _curves(study, dept).items():
            _band(ax, curves, hours, col[design], names[design])
        ax.set_title(dept, fontsize=11)
        ax.set_ylim(0, 100)
    for ax in list(axes.flat)[len(departments):]:
        ax.set_visible(False)
    fig.supxlabel("days after the insight appeared")
    fig.supylabel("% reached")
    fig.legend(handles=[Line2D([], [], color=col[d], linewidth=2, label=names[d]) for d in study.designs],
               loc="outside upper center", ncols=min(len(study.designs), 4))
    return fig


@styled
@checks(study=a_study)
def utilisation(study: Study) -> Figure:
    """Each person's utilisation (hours worked / hours on duty, mean over replications), per design.

    The dark part of a bar is the work done after hours.
    """
    people = study.people()
    designs, col, names = study.designs, colours(study.designs), _legend_names(study)
    n = len(designs)
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    height = 0.28 * (people.groupby("design")["person"].nunique().max() if len(people) else 1) + 1.2
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, height * nrows), sharex=True, layout="constrained",
                             squeeze=False)
    top = 1.0
    for ax, design in zip(axes.flat, designs, strict=False):
        mine = people[people["design"] == design]
        g = mine.groupby("person", sort=False)[["utilization", "after_hours_share"]].mean()
        g = g.sort_values("utilization")
        u = g["utilization"].to_numpy(dtype=float)
        after = u * g["after_hours_share"].to_numpy(dtype=float)
        y = np.arange(len(g))
        ax.barh(y, u, color=col[design], alpha=0.55, height=0.7)
        ax.barh(y, after, color=col[design], height=0.7)
        ax.set_yticks(y, list(g.index), fontsize=9)
        ax.axvline(1.0, color="#444444", linewidth=1, linestyle="--")
        ax.set_title(names[design], fontsize=11, color=col[design])
        ax.grid(axis="y", visible=False)
        top = max(top, float(np.nanmax(u)) if len(u) else 1.0)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    for ax in axes.flat:
        ax.set_xlim(0, top * 1.08)
        ax.xaxis.set_major_formatter(PercentFormatter(1, decimals=0))
    fig.supxlabel("utilisation: hours worked / hours on duty (dashed = 100%; dark = after hours)")
    return fig


@styled
@checks(study=a_study)
def after_hours(study: Study) -> Figure:
    """Team-wide share of work done after hours and the busiest person's utilisation, with 95% CIs."""
    designs, col, names = study.designs, colours(study.designs), _legend_names(study)
    fig, axes = plt.subplots(1, 2, figsize=(9, 1.3 + 0.5 * len(designs)), sharey=True, layout="constrained")
    for ax, label, title in ((axes[0], "work done after hours", "Work done after hours"),
                             (axes[1], "utilisation, busiest person", "Busiest person's utilisation")):
        for i, design in enumerate(designs):
            m, lo, hi = mean_ci(list(study.values(label, design)))
            if math.isnan(m):
                continue
            ax.barh(i, 100 * m, color=col[design], height=0.6,
                    xerr=100 * np.array([_err(m, lo, hi)]).T, capsize=3, error_kw={"elinewidth": 1})
            ax.text(100 * (hi if hi is not None else m), i, f"  {100 * m:.1f}%" if m < 0.1 else f"  {100 * m:.0f}%",
                    va="center", fontsize=10)
        ax.set_title(title, fontsize=12)
        ax.set_xlabel("% of hours worked" if ax is axes[0] else "% of hours on duty (dashed = 100%)", fontsize=10)
        ax.grid(axis="y", visible=False)
        ax.set_xlim(right=ax.get_xlim()[1] * 1.2)
        ax.xaxis.set_major_formatter(PercentFormatter(100, decimals=None))
    axes[1].axvline(100, color="#444444", linewidth=1, linestyle="--")
    axes[0].set_yticks(range(len(designs)), [names[d] for d in designs])
    axes[0].invert_yaxis()
    return fig


@styled
@checks(study=a_study)
def bus_factor_chart(study: Study) -> Figure:
    """How many people can cover each channel, function and audience, per design (1 = one person away from a gap).

    Covering means the design routes that work to them and they are practised or better at it
    (:func:`orgsim.org.measures.bus_factors`); "—" marks a skill no work needs in that design.
    """
    designs, names = study.designs, _legend_names(study)
    factors = [bus_factors(s) for s in study.scenarios]
    skills = list(dict.fromkeys(k for f in factors for k in f))
    grid = np.array([[f.get(k, np.nan) for f in factors] for k in skills], dtype=float).reshape(len(skills), len(designs))
    fig, ax = plt.subplots(figsize=(3.0 + 1.3 * len(designs), 1.0 + 0.24 * max(len(skills), 1)), layout="constrained")
    ax.imshow(np.minimum(grid, 4), cmap="RdYlGn", vmin=0.5, vmax=4, aspect="auto")
    for i in range(len(skills)):
        for j in range(len(designs)):
            value = grid[i, j]
            ax.text(j, i, "—" if math.isnan(value) else f"{value:.0f}", ha="center", va="center", fontsize=9,
                    fontweight="bold" if value <= 1 else "normal")
    ax.set_xticks(range(len(designs)), [textwrap.fill(names[d], 11) for d in designs], fontsize=9)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(skills)), skills, fontsize=9)
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title("Bus factor: people who can cover each skill, practised or better")
    return fig


_TIE_STYLE: dict[str, tuple[str, Any, float]] = {
    "member": ("#cccccc", "-", 0.8),
    "cross_pod": ("#888888", ":", 1.0),
    "via_lead": ("#444444", "-", 1.2),
    "department_intake": ("#aaaaaa", "--", 0.8),
    "liaison": ("#009E73", "-", 1.8),
    "embedded": ("#CC79A7", "-", 2.2),
    "reporting": ("#56B4E9", "--", 1.0),
}


def _ring(nodes: list[str], radius: float, offset: float = 0.0) -> dict[str, tuple[float, float]]:
    n = max(len(nodes), 1)
    return {v: (radius * math.cos(2 * math.pi * k / n + math.pi / 2 + offset),
                radius * math.sin(2 * math.pi * k / n + math.pi / 2 + offset)) for k, v in enumerate(nodes)}


def _layout(G: nx.Graph) -> dict[str, tuple[float, float]]:
    """Lead in the middle, people evenly round a ring grouped by pod, each pod just inside its people, departments out.

    People are spaced evenly over the whole ring (not fanned within a pod's sector), so their names stay a
    constant arc apart and cannot run into each other, however the pods are sized.
    """
    kinds = nx.get_node_attributes(G, "kind")
    pods = [n for n, k in kinds.items() if k == "pod"]
    pos: dict[str, tuple[float, float]] = {}
    members: dict[str, list[str]] = {p: [] for p in pods}
    loose = []
    for n, k in kinds.items():
        if k != "person":
            continue
        if G.nodes[n].get("lead"):
            pos[n] = (0.0, 0.0)
        elif f"pod:{G.nodes[n].get('group')}" in members:
            members[f"pod:{G.nodes[n]['group']}"].append(n)
        else:
            loose.append(n)
    ring = [n for p in pods for n in members[p]] + loose
    pos.update(_ring(ring, 1.85))
    # pods evenly round an inner ring (so their names keep apart too), in their people's order, the first
    # turned to face its people
    first = next((p for p in pods if members[p]), None)
    turn = 0.0
    if first is not None:
        angles = [math.atan2(pos[n][1], pos[n][0]) for n in members[first]]
        turn = math.atan2(sum(map(math.sin, angles)), sum(map(math.cos, angles))) - math.pi / 2 \
            - 2 * math.pi * pods.index(first) / len(pods)
    pos.update(_ring(pods, 0.95 if len(pods) > 1 else 0.0, turn))
    lead = next((n for n in pos if G.nodes[n].get("lead")), None)
    if len(pods) == 1 and lead is not None:  # a one-pod team without a lead has nobody to place below its pod
        pos[lead] = (0.0, -0.5)
    pos.update(_ring([n for n, k in kinds.items() if k in ("department", "approver")], 2.9, 0.15))
    return pos


@styled
@checks(scenario=a_scenario, top=whole(1))
def org_network(scenario: Scenario, top: int = 3) -> Figure:
    """The organisation as a network: people coloured by pod, departments around, ties styled by kind.

    Node size grows with betweenness (how many fastest routes pass through);
    the ``top`` brokers are ringed in red and named as bottlenecks. Pod
    membership is drawn as a tie from person to pod (rather than every
    same-pod pair) so a person in several pods stays readable.
    """
    G = build_org(scenario)
    H = nx.Graph()
    H.add_nodes_from((n, d) for n, d in G.nodes(data=True) if d.get("kind") != "platform")
    for u, v, d in G.edges(data=True):
        if u in H and v in H and d["kind"] not in ("covers", "same_pod"):
            H.add_edge(u, v, kind=d["kind"])
    between = bottlenecks(G)
    brokers = [n for n, b in list(between.items())[:top] if b > 0]
    pos = _layout(H)
    fig, ax = plt.subplots(figsize=(8, 7), layout="constrained")
    for kind, (colour, style, width) in _TIE_STYLE.items():
        edges = [(u, v) for u, v, d in H.edges(data=True) if d["kind"] == kind]
        if edges:
            nx.draw_networkx_edges(H, pos, edgelist=edges, edge_color=colour, style=style, width=width, ax=ax,
                                   arrows=False, alpha=0.6 if kind == "department_intake" else 1.0)
    others = [(u, v) for u, v, d in H.edges(data=True) if d["kind"] not in _TIE_STYLE]
    if others:
        nx.draw_networkx_edges(H, pos, edgelist=others, edge_color="#777777", width=1.0, ax=ax, arrows=False)
    groups = list(dict.fromkeys(d.get("group", "") for n, d in H.nodes(data=True) if d.get("kind") == "person"))
    gcol = {g: c for g, c in zip(groups, colours(groups).values(), strict=True)}
    for kind, shape in (("department", "s"), ("approver", "D"), ("pod", "h"), ("person", "o")):
        nodes = [n for n, d in H.nodes(data=True) if d.get("kind") == kind]
        if not nodes:
            continue
        sizes = [250 + 2500 * between.get(n, 0.0) for n in nodes]
        if kind == "person":
            fill = [gcol[H.nodes[n]["group"]] for n in nodes]
        elif kind == "pod":
            fill = ["#ffffff"] * len(nodes)
        else:
            fill = ["#eeeeee"] * len(nodes)
        nx.draw_networkx_nodes(H, pos, nodelist=nodes, node_shape=shape, node_size=sizes, node_color=fill,
                               edgecolors=["#D55E00" if n in brokers else "#555555" for n in nodes],
                               linewidths=[3 if n in brokers else 1 for n in nodes], ax=ax)
    labels = {n: n.split(":", 1)[1] for n in H.nodes}
    # a long pod or department name goes on lines of its own words, so it stays inside its part of the ring
    drawn = {n: textwrap.fill(t.replace("_", " "), 11) if len(t) > 11 else t for n, t in labels.items()}
    nx.draw_networkx_labels(H, pos, labels=drawn, font_size=8, ax=ax)
    handles = [Line2D([], [], color=c, linestyle=s, linewidth=max(w, 1.2), label=k.replace("_", " "))
               for k, (c, s, w) in _TIE_STYLE.items() if any(d["kind"] == k for _, _, d in H.edges(data=True))]
    handles += [Line2D([], [], marker="o", linestyle="", markersize=9, markerfacecolor=gcol[g], markeredgecolor="#555555",
                       label=g if g != "lead" else "head of social") for g in groups]
    handles.append(Line2D([], [], marker="o", linestyle="", markersize=11, markerfacecolor="white",
                          markeredgecolor="#D55E00", markeredgewidth=3, label="bottleneck (most routes pass here)"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
    ax.set_axis_off()
    named = ", ".join(labels[n] for n in brokers)
    ax.set_title(f"{short_names([scenario.name])[0]}: bottlenecks {named or 'none'}", fontsize=12)
    return fig


_SWEEP_COLUMNS = {"point", "metric", "label", "unit", "mean", "ci_low", "ci_high", "replications"}


@styled
@checks(table=a_table, metrics=metric_ids, x=optional(a_string))
def sweep_chart(table: pd.DataFrame, metrics: Sequence[str] = ("silo_latency_rmst", "insight_reach_share"),
                x: str | None = None) -> Figure:
    """A sweep's figures (:func:`orgsim.sweep`'s table) against the swept value, with 95% CIs; one panel per metric.

    ``metrics`` are metric ids (or labels) of :mod:`orgsim.metrics.registry`.

    ``x`` is the swept key on the horizontal axis (default: the first); a
    second swept key, if any, gives one line per value.
    """
    keys = [c for c in table.columns if c not in _SWEEP_COLUMNS]
    if not keys:
        raise ValueError("the table has no swept key: run sweep() with at least one --set")
    x = keys[0] if x is None else x
    if x not in keys:
        raise ValueError(f"{x!r} is not a swept key; the sweep varied {', '.join(keys)}")
    other = next((k for k in keys if k != x), None)
    groups = [(None, table)] if other is None else list(table.groupby(other, sort=True))
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.6 * len(metrics), 3.6), layout="constrained", squeeze=False)
    palette = colours([str(g) for g, _ in groups])
    named = table["label"] if "label" in table else table["metric"]
    for ax, key in zip(axes.flat, metrics, strict=True):
        chosen = table[(table["metric"] == key) | (named == key)]
        label = str(named[chosen.index[0]]) if len(chosen) else key
        unit = str(chosen["unit"].iloc[0]) if len(chosen) and "unit" in chosen else ""
        for value, rows in groups:
            rows = rows[(rows["metric"] == key) | (named[rows.index] == key)].sort_values(x)
            mean = rows["mean"].to_numpy(dtype=float)
            err = np.array([_err(m, lo, hi) for m, lo, hi in zip(mean, rows["ci_low"], rows["ci_high"], strict=True)])
            ax.errorbar(rows[x].to_numpy(), mean, yerr=err.T if len(err) else None, marker="o", capsize=3,
                        color=palette[str(value)], label=None if other is None else f"{other} = {value}")
        ax.set_title(label, fontsize=11)
        ax.set_xlabel(x)
        if pd.api.types.is_integer_dtype(table[x]):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if unit == "share":
            ax.yaxis.set_major_formatter(PercentFormatter(1, decimals=0))
        elif unit == "h":
            ax.set_ylabel("hours")
        ax.set_ylim(bottom=0)
        if other is not None:
            ax.legend(fontsize=9)
    fig.suptitle(f"sweep over {x}: mean and 95% CI over {int(table['replications'].max())} replications", fontsize=11)
    return fig
