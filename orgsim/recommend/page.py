"""The recommendation drawn: the front chart, the report section (one self-contained HTML page), the YAML.

The page loads nothing from outside (the chart is inline SVG), like the
report; text from the scenario and the question goes through Jinja2's
autoescaping. ``recommended.yaml`` is the pick as a whole scenario file, with a
header saying where it came from, so an analyst can edit it and run it like
any other.
"""

from __future__ import annotations

import io
import math
import textwrap
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from orgsim.metrics.registry import Metric, metric, metrics_of
from orgsim.recommend.search import EXACT
from orgsim.report.style import PALETTE, styled

if TYPE_CHECKING:
    from orgsim.recommend.run import Recommendation

__all__ = ["front_figure", "section_html", "yaml_of"]


def metric_of(r: Recommendation, mid: str) -> Metric:
    """The registry's metric ``mid`` in this scenario (its reply targets and departments included)."""
    known = {m.id: m for m in metrics_of(r.base.run.reply_targets_hours, r.base.demand.departments)}
    return known.get(mid) or metric(mid)


def at_one_cost(r: Recommendation) -> bool:
    """Whether every simulated candidate costs the same (the same people regrouped): cost then separates nothing."""
    return bool(r.candidates.loc[r.candidates["out"] == "", "cost_per_year"].nunique() == 1)


def _meets_every_target(r: Recommendation, rows: pd.DataFrame) -> pd.Series:
    """Whether each candidate meets every target (confirmed or on the search's means)."""
    met = pd.Series(True, index=rows.index)
    for i in range(len(r.question.targets)):
        met &= rows[f"target{i}_verdict"].astype(str).str.startswith("meets")
    return met


def _format_axis(axis: Any, m: Metric) -> None:
    """Percent ticks with as many decimals as their step needs: 99.4% and 99.6% must not both read 99%."""
    if m.fmt == "percent":
        ticks = axis.get_ticklocs()
        step = 100 * float(min(np.diff(ticks))) if len(ticks) > 1 else 1.0
        decimals = max(0, min(3, math.ceil(-math.log10(step) - 1e-9))) if step > 0 else 0
        axis.set_major_formatter(lambda v, _pos, d=decimals: f"{100 * v:.{d}f}%")


def _ranked(ax: Any, r: Recommendation, rows: pd.DataFrame, mid: str, m: Metric) -> None:
    """Every candidate at one cost: a cost axis would stack them on one vertical line, so rank them by ``mid``."""
    value = rows[mid] if mid in rows else rows["head_count"]
    order = value.sort_values(ascending=m.direction != 1).index
    rank = pd.Series(np.arange(1, len(order) + 1), index=order).reindex(rows.index)
    met = _meets_every_target(r, rows)
    ax.scatter(value[~met], rank[~met], s=18, color="#9a9a9a", label="candidate (fails a target)")
    ax.scatter(value[met], rank[met], s=40, color=PALETTE[0], label="meets every target")
    pick = rows["pick"].astype(bool)
    ax.scatter(value[pick], rank[pick], s=160, marker="*", color=PALETTE[5], zorder=3, label="recommended")
    for t in r.question.targets:
        if t.metric == mid:
            ax.axvline(t.value, color="#555555", ls="--", lw=1, label=f"target ({t.op} {m.format_value(t.value)})")
    ax.set_ylim(len(order) + 0.8, 0.2)  # best at the top
    ax.yaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.set_ylabel("candidates, best first")
    ax.set_xlabel("\n".join(textwrap.wrap(f"{m.label} ({m.unit})", 40)))
    _format_axis(ax.xaxis, m)
    currency = r.base.run.currency or "currency not set"
    ax.set_title(f"every candidate costs {currency} {float(rows['cost_per_year'].iloc[0]):,.0f} a year", fontsize=9)


@styled
def front_figure(r: Recommendation, only: str | None = None) -> Figure:
    """Cost against each simulated objective (or ``only`` one): every candidate run, the front, the pick, the budget.

    Where every simulated candidate costs the same (the same people regrouped), cost separates nothing: each
    objective's chart ranks the candidates instead, with the targets on it.
    """
    objectives = [m for m in r.question.objectives if m not in EXACT]
    rows = r.candidates[r.candidates["out"] == ""]
    shown = [only] if only is not None else objectives or ["head_count"]
    fig, axes = plt.subplots(1, len(shown), figsize=(4.6 * len(shown), 3.5), squeeze=False)
    one_cost = at_one_cost(r)
    for ax, mid in zip(axes[0], shown, strict=True):
        m = metric_of(r, mid)
        if one_cost:
            _ranked(ax, r, rows, mid, m)
            continue
        y = rows[mid] if mid in rows else rows["head_count"]
        ax.scatter(rows["cost_per_year"], y, s=18, color="#9a9a9a", label="candidate")
        front = rows[rows["pareto"]].sort_values("cost_per_year")
        ax.plot(front["cost_per_year"], front[mid] if mid in front else front["head_count"], "o-", color=PALETTE[0],
                label="front (meets targets)")
        pick = rows[rows["pick"]]
        ax.scatter(pick["cost_per_year"], pick[mid] if mid in pick else pick["head_count"], s=160, marker="*",
                   color=PALETTE[5], zorder=3, label="recommended")
        if r.question.budget.money_per_year is not None:
            ax.axvline(r.question.budget.money_per_year, color="#555555", ls="--", lw=1, label="budget")
        ax.set_xlabel(f"cost per year, thousands ({r.base.run.currency or 'currency not set'})")
        ax.set_ylabel("\n".join(textwrap.wrap(f"{m.label} ({m.unit})", 34)))
        _format_axis(ax.yaxis, m)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.xaxis.set_major_formatter(lambda v, _pos: f"{v / 1000:,.0f}k")
    axes[0][0].legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig


def _cell(value: Any, m: Metric | None = None) -> dict[str, str]:
    if isinstance(value, float) and m is not None:
        return {"text": m.format_value(value if math.isfinite(value) else None), "cls": ""}
    text = str(value)
    return {"text": text, "cls": "meets" if text.startswith("meets") else "fails" if text.startswith("fails") else ""}


def section_html(r: Recommendation) -> str:
    """The recommendation as one self-contained HTML page (the report section)."""
    from orgsim.recommend.answer import headline, target_text
    from orgsim.recommend.candidates import structure_label
    from orgsim.report.html import svg

    q = r.question
    said = headline(r)
    objectives = [m for m in q.objectives if m not in EXACT]
    header = ["design", "cost per year", "people", *(metric_of(r, m).label for m in objectives),
              *(target_text(r, t) for t in q.targets), "replications", "out before simulation"]
    money = metric("cost_per_year")
    rows = []
    for rec in r.candidates.to_dict(orient="records"):
        cells = [_cell(rec["label"]), _cell(float(rec["cost_per_year"]), money), _cell(rec["head_count"])]
        cells += [_cell(float(rec[m]), metric_of(r, m)) for m in objectives]
        cells += [_cell(rec[f"target{i}_verdict"]) for i in range(len(q.targets))]
        cells += [_cell(rec["replications"]), _cell(rec["out"])]
        rows.append({"pick": bool(rec["pick"]), "cells": cells})
    env = Environment(loader=PackageLoader("orgsim.report", "templates"), autoescape=select_autoescape(["j2"]))
    split = _split_table(r)
    written = _written_table(r, objectives)
    title = f"{r.base.company + ': ' if r.base.company else ''}the best design within budget"
    searched = ", ".join(structure_label(k, r.base) for k in q.levers.structures or ["keep"])
    left = "; ".join(f"{structure_label(k, r.base)} left out: {why}" for k, why in r.structures_left_out.items())
    how = (f"Structures searched: {searched}{'; ' + left if left else ''}. Screened analytically (out: cannot keep "
           f"up with its work), searched with NSGA-II over "
           f"{q.search.trials} trials of {q.search.replications} replications each, then the finalists confirmed "
           f"at {q.confirm.confidence:.0%} confidence (up to {q.confirm.max_replications} replications). A verdict "
           f"marked (search) is the search's mean only; the others hold at the stated confidence.")
    return env.get_template("recommend.html.j2").render(
        title=title, scenario=r.base.name, seed=r.seed, runs=r.runs, candidates=rows, lead=said[0], rest=said[1:],
        one_cost=at_one_cost(r), charts=[svg(front_figure(r, m), f"front{i}") for i, m in enumerate(objectives or ["head_count"])], budget=q.budget.money_per_year is not None, header=header, rows=rows,
        how=how, split=split, written=written)


def _split_table(r: Recommendation) -> dict[str, Any] | None:
    """What each lever contributed, as a table: a row per lever (and the total), a column per metric."""
    from orgsim.recommend.answer import split_lines

    split = r.split
    if split is None:
        return None
    said = split_lines(r)
    if split.not_split or not split.rows:
        return {"intro": said[0] if said else "", "header": [], "rows": [], "notes": []}
    metrics = list(dict.fromkeys(row["metric"] for row in split.rows))
    by = {(row["lever"], row["metric"]): row for row in split.rows}
    rows = []
    for lever in [*split.levers, "total"]:
        cells = [_cell(lever if lever != "total" else f"total: {split.status_quo} → the pick")]
        for mid in metrics:
            row = by.get((lever, mid))
            cells.append({"text": "—" if row is None else _diff_ci_text(metric_of(r, mid), row), "cls": ""})
        rows.append({"pick": lever == "total", "cells": cells})
    level = f"{r.question.confirm.confidence:.0%}"
    intro = (f"From the file as it is ({split.status_quo}) to the pick, each lever's share of the difference: its "
             f"Shapley value over every combination of the levers, each combination run {split.replications} times on "
             f"the same random numbers; the shares add up to the total. In brackets, the {level} interval.")
    return {"intro": intro, "header": ["lever", *(metric_of(r, m).label for m in metrics)], "rows": rows,
            "notes": [g[0].upper() + g[1:] + "." for g in split.grouped]}


def _diff_ci_text(m: Metric, row: dict[str, Any]) -> str:
    low, high = row["ci"]
    ci = f" ({m.format_diff(low)} to {m.format_diff(high)})" if low is not None and high is not None else ""
    return f"{m.format_diff(row['difference'])}{ci}"


def _written_table(r: Recommendation, objectives: list[str]) -> dict[str, Any] | None:
    """Your written designs, run beside the pick: cost, people, each objective, each target's verdict."""
    from orgsim.recommend.answer import target_text, written_lines

    w = r.written
    if not w:
        return None
    money = metric("cost_per_year")
    header = ["your design", "cost per year", "people", *(metric_of(r, m).label for m in objectives),
              *(target_text(r, t) for t in r.question.targets), "replications", "out before simulation"]
    best = w["best"]["file"] if w["best"] is not None else None
    rows = []
    for d in w["designs"]:
        cells = [_cell(f"{d['design']} ({d['file']})"), _cell(float(d["cost_per_year"]), money), _cell(d["head_count"])]
        cells += [_cell(float(v) if (v := d["means"].get(m)) is not None else math.nan, metric_of(r, m))
                  for m in objectives]
        cells += [_cell(v) for v in d["targets"]] + [_cell(d["replications"]), _cell(d["out"])]
        rows.append({"pick": d["file"] == best, "cells": cells})
    return {"intro": " ".join(written_lines(r)), "header": header, "rows": rows}


def yaml_of(r: Recommendation) -> str:
    """The pick as a whole scenario file, with a header saying where it came from."""
    from ruamel.yaml import YAML

    scenario = r.pick_scenario
    assert scenario is not None
    data = scenario.model_dump(mode="json", by_alias=True, exclude_unset=True)
    buf = io.StringIO()
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 120
    yaml.dump(data, buf)
    row = r.row(r.pick) if r.pick is not None else {}
    head = (f"# Recommended by `orgsim recommend` from {r.base.name!r} (seed {r.seed}):\n"
            f"# {row.get('label', '')}; cost per year {row.get('cost_per_year', 0):,.0f}, "
            f"{row.get('head_count', '')} people.\n# A whole scenario: edit it and run it like any other.\n")
    return head + buf.getvalue()
