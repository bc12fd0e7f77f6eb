"""A resilience study on disk: one strict JSON (no NaN or Infinity) and CSV tables, and reading it back.

``resilience.json`` holds what a report or a script needs: the options, the
days the stresses started, and per design its summary
(:func:`orgsim.resilience.summary.design_summary`): risks, bus factors, and
every stress with its impact on every judged metric. The CSV files are the same
as tidy tables: ``stresses.csv`` (one row per design × stress),
``impacts.csv`` (design × stress × metric) and ``bus_factors.csv``
(design × skill).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from orgsim.errors import OrgsimError
from orgsim.experiment.parts import write_atomic
from orgsim.resilience.run import Resilience
from orgsim.resilience.summary import RULE, design_summary, most_resilient
from orgsim.writes import strict_json

__all__ = ["FORMAT", "add_resilience", "read_resilience", "resilience_json", "write_resilience"]

FORMAT = 1


def resilience_json(result: Resilience) -> dict[str, Any]:
    """The study as plain data (strict JSON through :func:`orgsim.writes.strict_json`)."""
    summaries = [design_summary(d, result.options) for d in result.designs]
    best = most_resilient(summaries)
    return {"format": FORMAT, "kind": "resilience", "replications": result.replications, "seed": result.seed,
            "options": result.options.plain(), "start_days": result.starts, "sources": result.sources,
            "rule": RULE, "most_resilient": None if best is None else result.design_ids[best],
            "designs": dict(zip(result.design_ids, summaries, strict=True))}


def _tables(data: dict[str, Any]) -> dict[str, pd.DataFrame]:
    stresses, impacts, factors = [], [], []
    for did, d in data["designs"].items():
        for s in d["stresses"]:
            stresses.append({"design_id": did, **{k: v for k, v in s.items() if k != "impacts"},
                             "away": " ".join(s["away"])})
            for mid, i in s["impacts"].items():
                impacts.append({"design_id": did, "stress": s["id"], "metric": mid, **{k: v for k, v in i.items()
                                                                                       if k != "ci95"},
                                "diff_low": i["ci95"][0], "diff_high": i["ci95"][1]})
        for b in d["bus_factors"]:
            factors.append({"design_id": did, **b, "people": " ".join(b["people"]), "order": " ".join(b["order"]),
                            "missed_with": " ".join(b.get("missed_with", []))})
    return {"stresses": pd.DataFrame(stresses), "impacts": pd.DataFrame(impacts), "bus_factors": pd.DataFrame(factors)}


def write_resilience(result: Resilience, out: Path) -> None:
    """``out/resilience.json`` and ``out/NAME.csv`` for stresses, impacts and bus factors (each written whole)."""
    data = resilience_json(result)
    for name, table in _tables(data).items():
        write_atomic(out / f"{name}.csv", table.to_csv(index=False))
    write_atomic(out / "resilience.json", strict_json(data) + "\n")


def read_resilience(folder: Path, option: str = "--resilience-from") -> dict[str, Any]:
    """The JSON of a resilience folder (``orgsim resilience --out``), for a report or a comparison."""
    path = Path(folder) / "resilience.json"
    if not path.is_file():
        raise OrgsimError(f"{option} {folder}: holds no resilience.json; give the --out folder of orgsim resilience "
                          "(after it finished)")
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise OrgsimError(f"{option} {path}: cannot be read as a resilience study ({exc})") from None
    if not isinstance(data, dict) or data.get("kind") != "resilience" or data.get("format") != FORMAT:
        raise OrgsimError(f"{option} {path}: is not a resilience study of this orgsim version (format {FORMAT})")
    from orgsim.resilience.saved import check_resilience

    check_resilience(data, f"{option} {path}")  # every value the report draws is where and what it should be
    return data


def add_resilience(comparison: dict[str, Any], data: dict[str, Any], option: str = "--resilience-from") -> None:
    """Put a resilience study into ``compare --json``: a top-level summary, and each design's under its id.

    Designs are matched by name; a compared design the study does not hold is refused with one line.
    """
    by_name = {d["name"]: d for d in data["designs"].values()}
    for design in comparison["designs"].values():
        if design["name"] not in by_name:
            raise OrgsimError(f"{option}: the resilience study holds no design named {design['name']!r}; run orgsim "
                              "resilience on the same files")
        design["resilience"] = by_name[design["name"]]
    best = data.get("most_resilient")
    best_name = data["designs"][best]["name"] if best is not None else None
    comparison["resilience"] = {
        "replications": data["replications"], "seed": data["seed"], "options": data["options"],
        "start_days": data["start_days"], "rule": data["rule"],
        "most_resilient": next((did for did, d in comparison["designs"].items() if d["name"] == best_name), None)}
