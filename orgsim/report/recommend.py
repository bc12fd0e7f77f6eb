"""The recommendation section of the report (``orgsim report --recommend DIR``): the searched answer beside the study.

The section repeats the answer of an ``orgsim recommend --out`` folder in its
own words (the headline, what each lever contributed, the best of the written
designs against the pick) and points to the folder's full page and editable
YAML. It is of the same company as the study, or refused.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from orgsim.errors import OrgsimError
from orgsim.metrics.registry import Metric, metric, metrics_of

if TYPE_CHECKING:
    from orgsim.experiment.study import Study

__all__ = ["recommend_context"]


def _diff(m: Metric | None, value: float | None, ci: list[float | None]) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    if m is None:
        return f"{value:+.3g}"
    low, high = ci
    rng = f" ({m.format_diff(low)} to {m.format_diff(high)})" if low is not None and high is not None else ""
    return f"{m.format_diff(value)}{rng}"


def recommend_context(data: dict[str, Any], study: Study, folder: str) -> dict[str, Any]:
    """What the template shows: the answer's sentences, the lever split as cards, where the full answer is."""
    base = study.scenarios[0]
    if data.get("company") and base.company and data["company"] != base.company:
        raise OrgsimError(f"--recommend {folder}: a recommendation for {data['company']!r}, but the report is of "
                          f"{base.company!r}: compare like with like")
    known = {m.id: m for m in metrics_of(base.run.reply_targets_hours, base.demand.departments)}
    split = data.get("lever_split") or None
    table = None
    if split and split.get("rows"):
        metrics = list(dict.fromkeys(row["metric"] for row in split["rows"]))
        by = {(row["lever"], row["metric"]): row for row in split["rows"]}
        rows = []
        for lever in [*split["levers"], "total"]:
            cells = [{"text": lever if lever != "total" else f"total: {split['status_quo']} → the pick", "cls": ""}]
            for mid in metrics:
                row = by.get((lever, mid))
                m = known.get(mid) or _registry(mid)
                cells.append({"text": "—" if row is None else _diff(m, row["difference"], row["ci"]), "cls": ""})
            rows.append({"pick": lever == "total", "cells": cells})
        labels = [by[(split["levers"][0], mid)]["label"] if (split["levers"][0], mid) in by else mid for mid in metrics]
        table = {"header": ["lever", *labels], "rows": rows,
                 "intro": f"From the file as it is ({split['status_quo']}) to the pick, each lever's share "
                          f"({split['replications']} paired replications of every combination; the shares add up "
                          "to the total; in brackets the interval at the recommendation's confidence)."}
    elif split and split.get("not_split"):
        table = {"header": [], "rows": [], "intro": f"Not split lever by lever: {split['not_split']}."}
    return {"lead": data["headline"][0], "rest": data["headline"][1:], "split": table, "folder": folder,
            "meta": f"{len(data['candidates'])} candidate designs made from “{data['scenario']}”, {data['runs']} "
                    f"simulated runs on common random numbers, seed {data['seed']}",
            "has_yaml": data.get("recommended") is not None}


def _registry(mid: str) -> Metric | None:
    try:
        return metric(mid)
    except (KeyError, ValueError):
        return None
