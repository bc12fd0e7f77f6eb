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

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from orgsim.arguments import a_department, a_string, a_study, a_table, checks, metric_ids, optional
from orgsim.experiment.study import Study
from orgsim.metrics.detail import PARTS
from orgsim.metrics.stats import share_ci_columns
from orgsim.org.measures import bus_factors
from orgsim.report.layout import edge_legend, fit_layout
from orgsim.report.plots_org import org_network
from orgsim.report.plots_tradeoff import stable, tradeoff
from orgsim.report.plots_work import attribution_waterfall, backlog_over_time
from orgsim.report.style import PART_COLOURS, WIDTH, colours, error_extent, hours_label, styled, tags

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


def _kept(study: Study) -> list[str]:
    """The designs a latency chart draws: those that keep up with their work.

    An unstable design's waits only measure how long the run was (its backlog grows without bound); drawn on
    the same axes they would squeeze every other design into a corner. The caption says it was left out
    (:func:`left_out_note`).
    """
    keep = [d for d, ok in zip(study.designs, stable(study), strict=True) if ok]
    return keep or list(study.designs)


def left_out_note(study: Study) -> str:
    """The caption's note on the designs a latency chart leaves out ("" when none is).

    >>> left_out_note.__doc__ is not None
    True
    """
    out = [t for t, ok in zip(tags(study.designs), stable(study), strict=True) if not ok]
    if not out or len(out) == len(study.designs):
        return ""
    names = ", ".join(f"“{t}”" for t in out)
    return (f" Left out: {names}, which does not keep up with its work (unstable): its waits only measure the "
            "run's length.")


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


@styled
@checks(study=a_study)
def latency_by_department(study: Study) -> Figure:
    """Silo latency per department and design: box = middle half, line = median, whiskers = 10th–90th percentile.

    Pooled over replications; log scale in hours.
    """
    designs, col, names = _kept(study), colours(study.designs), _legend_names(study)
    lat = study.latencies()
    lat = lat[lat["design"].isin(designs)] if len(lat) else lat
    departments = list(dict.fromkeys(lat["department"])) if len(lat) else []
    fig, ax = plt.subplots(figsize=(WIDTH, 1.6 + 0.26 * len(designs) * max(len(departments), 1)))
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
    ax.set_xlabel("wait for an answer, hours (log scale)")
    edge_legend(fig, "lower", min(len(designs), 2), [Patch(color=col[d], label=names[d]) for d in designs])
    ax.set_title("How long each department waits")
    fit_layout(fig)
    return fig


@styled
@checks(study=a_study, department=a_department)
def latency_ecdf(study: Study, department: str | None = None) -> Figure:
    """Share of requests answered within t hours, per design, with the median and 90th percentile marked."""
    lat = study.latencies()
    if department is not None:
        lat = lat[lat["department"] == department]
    kept = _kept(study)
    lat = lat[lat["design"].isin(kept)] if len(lat) else lat
    col, names = colours(study.designs), _legend_names(study)
    fig, ax = plt.subplots(figsize=(WIDTH, 4.2))
    for design in kept:
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
    ax.set_xlabel("answered within (hours, log scale); dots: median, 90th pct")
    ax.legend(loc="upper left", fontsize=10)
    ax.set_title(f"Requests answered over time{' — ' + department if department else ''}")
    fit_layout(fig)
    return fig


@styled
@checks(study=a_study)
def time_breakdown(study: Study) -> Figure:
    """Where a request's time goes, per design: queue, work, handoff, approval (mean hours, stacked)."""
    bd = study.breakdown()
    bd = bd[bd["department"] == "all"] if len(bd) else bd
    means = bd.groupby(["design", "part"], sort=False)["hours"].mean() if len(bd) else None
    designs, names = _kept(study), _legend_names(study)
    fig, ax = plt.subplots(figsize=(WIDTH, 1.6 + 0.55 * len(designs)))
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
                ax.text(left + v / 2, i, f"{v:.0f} h", ha="center", va="center", fontsize=10, color="white")
            left += v
        ax.text(left, i, f"  {left:.1f} h", va="center", fontsize=10)
    ax.set_yticks(range(len(designs)), [names[d] for d in designs])
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.set_xlim(right=ax.get_xlim()[1] * 1.2)
    ax.set_xlabel("mean hours per answered request")
    ax.legend(ncols=4, loc="lower center", bbox_to_anchor=(0.5, 1.0), title=None, handlelength=1, columnspacing=1)
    ax.set_title("Where the time goes", pad=26)
    fit_layout(fig)
    return fig


def _band(ax: plt.Axes, curves: np.ndarray, hours: np.ndarray, colour: str, label: str) -> None:
    seen = np.isfinite(curves)
    # a replication with no pair for this department has no curve: average over those that have one
    mean = np.where(seen.any(axis=0), np.nansum(curves, axis=0) / np.maximum(seen.sum(axis=0), 1), np.nan)
    ax.plot(hours / 24, 100 * mean, color=colour, linewidth=2, label=label)
    if curves.shape[0] >= 2:
        # a share's band: the Wilson interval of orgsim.metrics.stats.share_ci, inside [0, 1] by construction
        lo, hi = share_ci_columns(curves)
        ax.fill_between(hours / 24, 100 * lo, 100 * hi, color=colour, alpha=0.18, linewidth=0)


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
    fig, ax = plt.subplots(figsize=(WIDTH, 4.4))
    for design, (curves, hours) in _curves(study, department).items():
        _band(ax, curves, hours, col[design], names[design])
    ax.set_ylim(0, 100)
    ax.set_xlim(left=0)
    ax.set_xlabel("days after the insight appeared on a social channel")
    ax.set_ylabel("% of (insight, department) pairs reached")
    edge_legend(fig, "lower", 2, fontsize=10)
    who = "the departments they matter to" if department == "all" else department
    ax.set_title(f"Insights reaching {who}")
    fit_layout(fig)
    return fig


@styled
@checks(study=a_study)
def reach_by_department(study: Study) -> Figure:
    """:func:`reach_over_time` per department, small multiples on one scale."""
    rc = study.reach_curves()
    departments = sorted(d for d in rc["department"].unique() if d != "all") if len(rc) else []
    n = max(len(departments), 1)
    ncols = min(2, n)
    nrows = math.ceil(n / ncols)
    col, names = colours(study.designs), _legend_names(study)
    fig, axes = plt.subplots(nrows, ncols, figsize=(WIDTH, 2.1 * nrows + 1.2), sharex=True, sharey=True,
                             squeeze=False)
    for ax, dept in zip(axes.flat, departments, strict=False):
        for design, (curves, hours) in _curves(study, dept).items():
            _band(ax, curves, hours, col[design], names[design])
        ax.set_title(dept, fontsize=11)
        ax.set_ylim(0, 100)
    for ax in list(axes.flat)[len(departments):]:
        ax.set_visible(False)
    fig.supxlabel("days after the insight appeared")
    fig.supylabel("% reached")
    edge_legend(fig, "upper", min(len(study.designs), 2),
                [Line2D([], [], color=col[d], linewidth=2, label=names[d]) for d in study.designs])
    fit_layout(fig)
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
    ncols = min(n, 2)
    nrows = math.ceil(n / ncols)
    height = 0.22 * (people.groupby("design")["person"].nunique().max() if len(people) else 1) + 0.9
    fig, axes = plt.subplots(nrows, ncols, figsize=(WIDTH, height * nrows + 0.6), sharex=True,
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
        ax.set_yticks(y, list(g.index), fontsize=10)
        ax.axvline(1.0, color="#444444", linewidth=1, linestyle="--")
        ax.set_title(names[design], fontsize=11, color=col[design])
        ax.grid(axis="y", visible=False)
        top = max(top, float(np.nanmax(u)) if len(u) else 1.0)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    for ax in axes.flat:
        ax.set_xlim(0, top * 1.08)
        ax.xaxis.set_major_formatter(PercentFormatter(1, decimals=0))
    fig.supxlabel("hours worked ÷ hours on duty\n(dashed: 100%; dark: after hours)")
    fit_layout(fig)
    return fig


@styled
@checks(study=a_study)
def after_hours(study: Study) -> Figure:
    """Team-wide share of work done after hours and the busiest person's utilisation, with 95% CIs."""
    designs, col, names = study.designs, colours(study.designs), _legend_names(study)
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 1.5 + 0.45 * len(designs)), sharey=True)
    for ax, label, title in ((axes[0], "after_hours_share", "Work after hours"),
                             (axes[1], "utilization_max", "Busiest person's load")):
        m_ = study.metric(label)
        for i, design in enumerate(designs):
            m, lo, hi = m_.ci(list(study.values(label, design)))
            if math.isnan(m):
                continue
            ax.barh(i, 100 * m, color=col[design], height=0.6,
                    xerr=100 * np.array([error_extent(m, lo, hi)]).T, capsize=3, error_kw={"elinewidth": 1})
            ax.text(100 * (hi if hi is not None else m), i, f"  {100 * m:.1f}%" if m < 0.1 else f"  {100 * m:.0f}%",
                    va="center", fontsize=10)
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("% of hours worked" if ax is axes[0] else "% of hours on duty", fontsize=10)
        ax.grid(axis="y", visible=False)
        ax.set_xlim(right=ax.get_xlim()[1] * 1.2)
        ax.xaxis.set_major_formatter(PercentFormatter(100, decimals=None))
    axes[1].axvline(100, color="#444444", linewidth=1, linestyle="--")
    axes[0].set_yticks(range(len(designs)), [names[d] for d in designs])
    axes[0].invert_yaxis()
    fit_layout(fig)
    return fig


@styled
@checks(study=a_study)
def bus_factor_chart(study: Study) -> Figure:
    """How many people can cover each channel, function and audience, per design (1 = one person away from a gap).

    Covering means the design routes that work to them and they are practised or better at it
    (:func:`orgsim.org.measures.bus_factors`); "—" marks a skill no work needs in that design. One panel
    each for channels, functions and audiences, so the names need no prefix.
    """
    designs, names = study.designs, _legend_names(study)
    factors = [bus_factors(s) for s in study.scenarios]
    skills = list(dict.fromkeys(k for f in factors for k in f))
    kinds = [k for k in ("channel", "function", "audience") if any(s.startswith(k + ":") for s in skills)] or ["channel"]
    rows = [[s for s in skills if s.startswith(k + ":")] for k in kinds]
    fig, axes = plt.subplots(len(kinds), 1, figsize=(WIDTH, 1.0 + 0.26 * len(skills) + 0.5 * len(kinds)),
                             squeeze=False, height_ratios=[max(len(r), 1) for r in rows])
    for n, (ax, kind, mine) in enumerate(zip(axes.flat, kinds, rows, strict=True)):
        grid = np.array([[f.get(k, np.nan) for f in factors] for k in mine], dtype=float).reshape(len(mine), len(designs))
        ax.imshow(np.minimum(grid, 4), cmap="RdYlGn", vmin=0.5, vmax=4, aspect="auto")
        for i in range(len(mine)):
            for j in range(len(designs)):
                value = grid[i, j]
                ax.text(j, i, "—" if math.isnan(value) else f"{value:.0f}", ha="center", va="center", fontsize=10,
                        fontweight="bold" if value <= 1 else "normal")
        if n == 0:
            ax.set_xticks(range(len(designs)), [textwrap.fill(names[d], 9) for d in designs], fontsize=10)
            ax.xaxis.tick_top()
        else:
            ax.set_xticks([])
        ax.set_yticks(range(len(mine)), [k.split(":", 1)[1].replace("_", " ") for k in mine], fontsize=10)
        ax.set_ylabel(kind + "s", fontsize=10)
        ax.grid(False)
        for side in ("left", "bottom", "top", "right"):
            ax.spines[side].set_visible(False)
    fig.suptitle("Bus factor: people who can cover the work", x=0.02, ha="left", fontweight="bold")
    fit_layout(fig)
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
    fig, axes = plt.subplots(1, len(metrics), figsize=(max(WIDTH, 3.4 * len(metrics)), 3.6),
                             squeeze=False)
    palette = colours([str(g) for g, _ in groups])
    named = table["label"] if "label" in table else table["metric"]
    for ax, key in zip(axes.flat, metrics, strict=True):
        chosen = table[(table["metric"] == key) | (named == key)]
        label = str(named[chosen.index[0]]) if len(chosen) else key
        unit = str(chosen["unit"].iloc[0]) if len(chosen) and "unit" in chosen else ""
        for value, rows in groups:
            rows = rows[(rows["metric"] == key) | (named[rows.index] == key)].sort_values(x)
            mean = rows["mean"].to_numpy(dtype=float)
            err = np.array([error_extent(m, lo, hi) for m, lo, hi in zip(mean, rows["ci_low"], rows["ci_high"], strict=True)])
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
    fit_layout(fig)
    return fig
