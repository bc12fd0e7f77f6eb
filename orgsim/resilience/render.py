"""A resilience study in the terminal: per design its risks, bus factors and stresses, in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["render_resilience"]


def _bus(b: dict[str, Any]) -> str:
    if b["all"] and b["bus_factor"] > 0:
        return f"{b['label']} all {b['bus_factor']}"
    return f"{b['label']} {'≥ ' if b['at_least'] else ''}{b['bus_factor']}"


def render_resilience(data: dict[str, Any], echo: Callable[[str], Any] = print, top: int = 5) -> None:
    """Print the study (the JSON of :func:`orgsim.resilience.tables.resilience_json`) for a reader."""
    o = data["options"]
    starts = sorted(set(data["start_days"]))
    echo(f"{len(data['designs'])} design(s), {data['replications']} replications, seed {data['seed']}: each person "
         f"away {o['absent_days']:g} days, measured with the {o['after_days']:g} days after; stresses start on day "
         + ", ".join(f"{s:g}" for s in starts) + (" (drawn per replication)" if o["start_day"] is None else ""))
    echo("a target is missed when a figure is clearly worse than at full strength (paired 95% interval) by "
         f"{100 * o['tolerance_points']:g} points or more for a share, {100 * o['tolerance_share']:g}% or more for a "
         "time or a count")
    for d in data["designs"].values():
        echo("")
        echo(d["name"] + (" — UNSTABLE: " + "; ".join(d["unstable"]) if d["unstable"] else ""))
        if not d["judged"]:
            echo("  not judged: its backlog grows without bound at full strength, so what an absence breaks cannot "
                 "be told from what the design already misses")
            continue
        persons = [s for s in d["stresses"] if s["kind"] == "person"]
        echo(f"  people whose absence on their own misses a target: {d['absences_missing']} of {len(persons)}")
        for r in d["risks"][:top]:
            echo(f"    {r['sentence']}")
        if len(d["risks"]) > top:
            echo(f"    ... and {len(d['risks']) - top} more (--json or --out for all)")
        echo(f"  bus factor (how many of a skill's people can be away together, every target of its work met; "
             f"measured up to {o['bus_max']}):")
        echo("    " + "; ".join(_bus(b) for b in d["bus_factors"]))
        for b in d["bus_factors"]:
            if b["bus_factor"] == 0 and b.get("why"):
                echo(f"    {b['label']}: {b['why']}")
        for s in d["stresses"]:
            if s["kind"] in ("crisis", "launch", "launch_without_lead", "freeze"):
                echo(f"  {s['sentence'] or s['label'] + ': no target clearly worse'}")
    best = data.get("most_resilient")
    echo("")
    echo(f"most resilient ({data['rule']}): " + (data["designs"][best]["name"] if best is not None else
                                                  "none (every design is unstable)"))
