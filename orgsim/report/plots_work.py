"""Charts of unanswered work and of each lever's share: the backlog over time, the attribution waterfall.

Kept beside :mod:`orgsim.report.plots` (and re-exported there) so that module stays one idea long.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from orgsim.arguments import a_scenario, a_study, a_thing, checks, metric_ids, optional
from orgsim.experiment.attribution import Attribution, lever_phrase
from orgsim.experiment.study import Study
from orgsim.metrics.registry import metric
from orgsim.report.layout import fit_layout
from orgsim.report.style import WIDTH, colours, short_names, styled
from orgsim.scenario.model import Scenario

__all__ = ["attribution_waterfall", "backlog_over_time"]


@styled
@checks(study=a_study)
def backlog_over_time(study: Study) -> Figure:
    """Requests open (arrived, not answered) through the window, per design: the mean over replications.

    A line that keeps climbing is a queue that does not keep up (an unstable design, named in the legend).
    """
    fig, ax = plt.subplots(figsize=(WIDTH, 4.2))
    col, names = colours(study.designs), dict(zip(study.designs, short_names(study.designs), strict=True))
    shaky = study.table.attrs.get("unstable") or {}
    for design, design_id, runs in zip(study.designs, study.design_ids, study.runs, strict=True):
        series = [f["backlog"] for f in runs if "backlog" in f]
        if not series:
            continue
        days = (np.asarray(series[0]["hours"]) - series[0]["hours"][0]) / 24
        mean = np.mean([s["open"] for s in series], axis=0)
        label = names[design] + (" — unstable" if shaky.get(design_id) else "")
        ax.plot(days, mean, color=col[design], linewidth=2, label=label)
    ax.set_xlabel("days into the measured window")
    ax.set_ylabel("requests open (backlog)")
    ax.set_title("Unanswered work over time")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, loc="upper left", fontsize=10)
    fit_layout(fig)
    return fig


@styled
@checks(attribution=a_thing("Attribution"), metric_id=metric_ids, design=optional(a_scenario))
def attribution_waterfall(attribution: Attribution, metric_id: str = "silo_latency_rmst",
                          design: Scenario | None = None) -> Figure:
    """Each lever's share of one metric's difference, as a waterfall from the baseline to the design.

    Bars start where the previous lever ended; the last bar is the total. Error bars are each share's 95% CI.
    With the ``design`` scenario, each lever is named in words ("sending requests straight to the pods").
    """
    m = metric(metric_id)
    rows = {r["lever"]: r for r in attribution.rows if r["metric"] == m.id}
    if not rows:
        raise ValueError(f"no attribution of {m.id} for {attribution.design!r}")
    scale = 100.0 if m.fmt == "percent" else 1.0
    fig, ax = plt.subplots(figsize=(WIDTH, 4.6))
    start = 0.0
    names = [*attribution.levers, "total"]
    for i, name in enumerate(names):
        r = rows[name]
        d = r["difference"] * scale
        low, high = (np.nan if v is None else v * scale for v in r["ci95"])
        bottom = 0.0 if name == "total" else start
        good = (d < 0) == (m.direction < 0) if m.direction else True
        ax.bar(i, d, bottom=bottom, width=0.6, color="#2e7d32" if good else "#c62828",
               alpha=0.75 if name != "total" else 1.0)
        if np.isfinite(low) and np.isfinite(high):
            # the share's interval, drawn around the bar's end (where this lever leaves the running total)
            ax.errorbar(i, bottom + d, yerr=[[d - low], [high - d]], color="#333333", capsize=4, linewidth=1.2)
        if name != "total":
            if i + 1 < len(names) - 1:  # a thin line carries the running total to the next bar
                ax.plot([i + 0.3, i + 0.7], [start + d] * 2, color="#888888", linewidth=1)
            start += d
    ax.axhline(0, color="#888888", linewidth=1)
    ax.use_sticky_edges = False  # room above and below the bars, so the zero line never sits on the frame
    ax.margins(y=0.08)
    labels = [("total" if n == "total" else lever_phrase(n, design) if design is not None else n) for n in names]
    ax.set_xticks(range(len(names)),
                  [textwrap.fill(lab, 14) + "\n" + m.format_diff(rows[n]["difference"]) for lab, n in zip(labels, names,
                                                                                                    strict=True)])
    unit = "points" if m.fmt == "percent" else m.unit
    ax.set_ylabel(f"difference from the baseline ({unit})")
    what = "the average wait" if m.id == "silo_latency_rmst" else m.label
    ax.set_title(textwrap.fill(f"Where the difference in {what} comes from: {attribution.design}", 48))
    fit_layout(fig)
    return fig
