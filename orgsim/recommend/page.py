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


@styled
def front_figure(r: Recommendation, only: str | None = None) -> Figure:
    """Cost against each simulated objective (or ``only`` one): every candidate run, the front, the pick, the budget."""
    objectives = [m for m in r.question.objectives if m not in EXACT]
    rows = r.candidates[r.candidates["out"] == ""]
    shown = [only] if only is not None else objectives or ["head_count"]
    fig, axes = plt.subplots(1, len(shown), figsize=(4.6 * len(shown), 3.5), squeeze=False)
    for ax, mid in zip(axes[0], shown, strict=True):
        m = metric_of(r, mid)
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
        if m.fmt == "percent":
            ax.yaxis.set_major_formatter(lambda v, _pos: f"{100 * v:.0f}%")
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
    title = f"{r.base.company + ': ' if r.base.company else ''}the best design within budget"
    how = (f"Screened analytically (out: cannot keep up with its work), searched with NSGA-II over "
           f"{q.search.trials} trials of {q.search.replications} replications each, then the finalists confirmed "
           f"at {q.confirm.confidence:.0%} confidence (up to {q.confirm.max_replications} replications). A verdict "
           f"marked (search) is the search's mean only; the others hold at the stated confidence.")
    return env.get_template("recommend.html.j2").render(
        title=title, scenario=r.base.name, seed=r.seed, runs=r.runs, candidates=rows, lead=said[0], rest=said[1:],
        charts=[svg(front_figure(r, m), f"front{i}") for i, m in enumerate(objectives or ["head_count"])], budget=q.budget.money_per_year is not None, header=header, rows=rows,
        how=how)


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
