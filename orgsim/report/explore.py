"""The report's part of an exploration (``orgsim report ... --explore DIR``): the "holds unless" rules and tornadoes.

Reads the ``exploration.json`` of ``orgsim explore --out DIR`` and gives the
template a small block: in what share of the sampled worlds the recommended
design is not worse than every other one on the rule's metric, each pair's
"this verdict holds unless ..." rule, and one tornado chart per primary metric
(the inputs ranked by how much they move the difference between the
recommended design and the design it is compared with).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from orgsim.errors import OrgsimError
from orgsim.metrics.registry import metric
from orgsim.report.style import WIDTH, styled

__all__ = ["explore_context", "tornadoes"]

#: at most this many tornadoes (primary metrics) in one figure: past it the page is a wall of bars
MAX_TORNADOES = 12


@styled
def tornadoes(indices: pd.DataFrame, target: str, method: str) -> Figure:
    """One horizontal bar chart per metric: the inputs by importance (Morris mu*, or Sobol ST) for ``target``."""
    part = indices[indices["target"] == target]
    metrics = list(dict.fromkeys(part["metric"]))[:MAX_TORNADOES]
    cols = min(2, max(len(metrics), 1))  # two across: the report's chart width (style.WIDTH), readable on a phone
    rows = max(math.ceil(len(metrics) / cols), 1)
    k = part["input"].nunique()
    fig, axes = plt.subplots(rows, cols, figsize=(WIDTH, (0.32 * k + 1.5) * rows), squeeze=False)
    what = "μ* (mean |elementary effect|)" if method == "morris" else "total Sobol index ST"
    for ax, mid in zip(axes.flat, metrics, strict=False):
        m = part[part["metric"] == mid].sort_values("importance")
        ax.barh([str(i).rsplit(".", 1)[-1].replace("_", " ") for i in m["input"]], m["importance"], color="#4c72b0")
        ax.set_title(textwrap.fill(str(m["label"].iloc[0]), 26), fontsize=10, loc="left")
        ax.tick_params(labelsize=10)
        ax.set_xlabel(textwrap.fill(what, 22), fontsize=10)
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def _not_worse_share(data: dict[str, Any], recommended: str, metric_id: str) -> float | None:
    """Share of sampled worlds where ``recommended`` (a design id) is not worse than any other design."""
    diffs = pd.DataFrame(data["differences"])
    if diffs.empty:
        return None
    diffs = diffs[(diffs["metric"] == metric_id) & ((diffs["first"] == recommended) | (diffs["second"] == recommended))]
    direction = metric(metric_id).direction or -1
    mine = diffs["diff"].where(diffs["first"] == recommended, -diffs["diff"])  # recommended minus the other
    worse = (mine * direction < 0) | mine.isna()
    per_point = worse.groupby(diffs["point"]).any()
    return float((~per_point).mean()) if len(per_point) else None


def explore_context(data: dict[str, Any], designs: Sequence[str], recommended: int,
                    short: dict[str, str] | None = None) -> dict[str, Any]:
    """What the template's exploration block shows; ``recommended`` indexes ``designs`` (the report's choice).

    ``short`` maps a design's full name to the name page one uses for it, so the
    rules and captions name the designs as the rest of the report does.
    """
    from orgsim.report.html import svg  # here: html imports this module

    ids = data["design_ids"]
    names = data["designs"]
    rec_name = designs[recommended]
    if rec_name not in names:
        raise OrgsimError(f"--explore: the exploration ran {', '.join(map(repr, names))}, not the recommended design "
                          f"{rec_name!r}; explore the report's designs")
    rec = ids[names.index(rec_name)]
    rules = data["rules"]
    metric_id = rules[0]["metric"] if rules else "silo_latency_rmst"
    indices = pd.DataFrame(data["indices"])
    targets = [t for t in dict.fromkeys(indices["target"]) if " - " in t] if not indices.empty else []
    target = next((t for t in targets if rec in t.split(" - ")), targets[0] if targets else None)
    chart = svg(tornadoes(indices, target, data["method"]), "tornado") if target is not None else None
    share = _not_worse_share(data, rec, metric_id)
    label = rules[0]["label"] if rules else metric_id
    inputs = [f"{i['input']} {i['low']:g}–{i['high']:g}" for i in data["inputs"]]
    short = short or {}

    def named(text: str) -> str:
        for full in sorted(short, key=len, reverse=True):  # the longest first: one name may contain another
            text = text.replace(full, short[full])
        return text

    return {
        "recommended": named(names[ids.index(rec)]), "share": None if share is None else f"{share:.0%}",
        "metric": label, "rules": [named(r["rule"]) for r in rules if rec in (r["winner"], r["loser"])] or
        [named(r["rule"]) for r in rules],
        "tornado": chart, "target": " minus ".join(f"“{named(names[ids.index(t)])}”" for t in target.split(" - "))
        if target is not None else None, "method": data["method"], "points": data["points"],
        "replications": data["replications"], "inputs": inputs, "defaults_used": data["defaults_used"],
    }
