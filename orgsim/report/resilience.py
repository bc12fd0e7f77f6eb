"""The report's part of a resilience study (``orgsim report ... --resilience``): what breaks without key people.

Reads the JSON of :func:`orgsim.resilience.resilience_json` (run with the
report, or saved by ``orgsim resilience --out DIR``) and gives the templates:

- for page one, when a study is there: which design is most resilient by the
  stated rule, and the top risks of the recommended design and of the most
  resilient one, in words with their intervals;
- for the appendix: per design a heat map of each person's absence × each
  target, drawn as a table so it reads at any width (a clear harm coloured by
  its size in tolerances, a clear gain blue, no clear difference left white; a
  cross where a target is missed), the bus factor of each skill side by side,
  and what each
  named stress (crisis, launch, the launch without the lead, a hiring freeze)
  costs, in words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from orgsim.errors import OrgsimError
from orgsim.resilience.summary import most_resilient

__all__ = ["COLUMNS", "heatmap", "resilience_context"]

#: the heat map's columns: team-wide targets, in a few words (a metric the study lacks is left out)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("silo_latency_rmst", "wait", "average wait for an answer (requests still open counted at their age)"),
    ("silo_latency_km_p90", "slowest tenth", "wait of the slowest tenth of requests"),
    ("requests_answered_share", "answered", "requests answered by the end"),
    ("insight_reach_share", "insights", "insights reaching the departments that need them"),
    ("insight_reach_value_weighted", "insight value", "insight value reaching them"),
    ("reply_within_1h_share", "1 h", "messages answered within 1 h"),
    ("reply_within_4h_share", "4 h", "messages answered within 4 h"),
    ("reply_within_24h_share", "24 h", "messages answered within 24 h"),
)
#: the last column: each row's worst channel on its messages answered within 24 h
CHANNEL_COLUMN = ("worst channel", "the channel whose messages answered within 24 h suffer most")
#: colour steps of a clear harm, in tolerances: (at least, css class)
STEPS = ((3.0, "h3"), (1.0, "h2"), (0.5, "h1"), (0.0, "h0"))


def _rows(design: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in design["stresses"] if s["kind"] in ("person", "role")]


def _row_label(stress: dict[str, Any], people: dict[str, str]) -> str:
    if stress["kind"] == "person":
        return people.get(stress["away"][0], stress["away"][0])
    role = stress["label"].split(" (", 1)[0].removeprefix("every ")
    return f"every {role}"


def _cell(impact: dict[str, Any] | None, name: str, where: str = "") -> dict[str, Any]:
    """One heat-map cell: its colour class (only a clear difference is coloured), mark and tooltip."""
    if impact is None or impact["harm"] is None:
        return {"cls": "na", "mark": "", "title": f"{name}: not measured"}
    h, verdict = impact["harm"], impact["verdict"]
    cls = "h-" + next(c for at, c in STEPS if h >= at) if verdict == "worse" else "b" if verdict == "better" else ""
    ci = impact["ci95"]
    words = (f"{name}{where}: {_fmt(impact, 'full')} at full strength, {_fmt(impact, 'stressed')} with the absence"
             + (f" (95% CI of the change {_fmt(impact, ci[0])} to {_fmt(impact, ci[1])})" if ci[0] is not None else ""))
    return {"cls": cls, "mark": "✕" if impact["missed"] else "", "title": words}


def _fmt(impact: dict[str, Any], value: Any) -> str:
    x = impact[value] if isinstance(value, str) else value
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if impact["unit"] == "share":
        return f"{100 * x:+.0f} pts" if not isinstance(value, str) else f"{100 * x:.0f}%"
    return f"{x:+.1f} h" if not isinstance(value, str) else f"{x:.1f} h"


def heatmap(design: dict[str, Any], people: dict[str, str]) -> dict[str, Any]:
    """Each absence (rows) × each target (columns), as table cells.

    A clear harm is coloured by its size in tolerances, a clear gain blue, no clear difference left white; ✕
    where a target is missed.
    """
    rows = _rows(design)
    cols = [c for c in COLUMNS if any(c[0] in s["impacts"] for s in rows)]
    out = []
    for s in rows:
        cells = [_cell(s["impacts"].get(mid), long) for mid, _, long in cols]
        channel = [(mid, i) for mid, i in s["impacts"].items() if "_channel_" in mid and i["target"]
                   and i["harm"] is not None]
        if channel:
            mid, worst = max(channel, key=lambda c: (c[1]["verdict"] == "worse", c[1]["harm"]))
            cells.append(_cell(worst, worst["label"]))
        else:
            cells.append(_cell(None, CHANNEL_COLUMN[1]))
        out.append({"name": _row_label(s, people), "cells": cells})
    return {"columns": [{"short": short, "long": long} for _, short, long in cols]
            + [{"short": CHANNEL_COLUMN[0], "long": CHANNEL_COLUMN[1]}], "rows": out}


def _people(data: dict[str, Any], scenarios: Sequence[Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for s in scenarios:
        out.update({pid: p.name or pid for pid, p in s.team.people.items()})
    return out


def _bus_table(data: dict[str, Any], ids: list[str], short: dict[str, str]) -> dict[str, Any]:
    skills: dict[str, dict[str, Any]] = {}
    for did in ids:
        d = data["designs"][did]
        if not d["judged"]:
            continue
        for b in d["bus_factors"]:
            row = skills.setdefault(b["skill"], {"label": b["label"], "cells": {}})
            text = f"all {b['bus_factor']}" if b["all"] and b["bus_factor"] else \
                f"{'≥ ' if b['at_least'] else ''}{b['bus_factor']}"
            # green: two can be away, or all of them; amber: one; red: none
            level = 2 if b["all"] and b["bus_factor"] else min(b["bus_factor"], 2)
            row["cells"][did] = {"text": text, "level": level, "why": b.get("why") or ""}
    judged = [did for did in ids if data["designs"][did]["judged"]]
    return {"designs": [{"id": did, "name": short[did]} for did in judged],
            "rows": [{"label": r["label"], "cells": [r["cells"].get(did) for did in judged]} for r in skills.values()]}


def _shared_worst(data: dict[str, Any], ids: Sequence[str]) -> list[str] | None:
    """The person whose absence is the worst in every judged design (then page one gives each design's next)."""
    tops = []
    for did in ids:
        d = data["designs"][did]
        if d["judged"]:
            person = [r for r in d["risks"] if r["kind"] == "person"]
            tops.append(person[0]["away"] if person else None)
    return tops[0] if len(tops) > 1 and tops[0] is not None and all(t == tops[0] for t in tops) else None


def _person_words(scenarios: Sequence[Any], pid: str) -> str:
    p = next(s.team.people[pid] for s in scenarios if pid in s.team.people)
    return f"{p.name or pid}, {p.role}"


def resilience_context(data: dict[str, Any], names: Sequence[str], short: Sequence[str], recommended: int | None,
                       scenarios: Sequence[Any], tags: Sequence[str] | None = None) -> dict[str, Any]:
    """What the templates show (see the module): designs named by ``short`` in sentences, ``tags`` in tables."""
    by_name = {d["name"]: did for did, d in data["designs"].items()}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise OrgsimError(f"--resilience-from: the resilience study holds no design named {missing[0]!r}; run orgsim "
                          "resilience on the same files")
    ids = [by_name[n] for n in names]
    tag = dict(zip(ids, short, strict=True))
    people = _people(data, scenarios)
    o = data["options"]
    # the rule again over the report's own designs (a saved study may hold more)
    pick = most_resilient([data["designs"][did] for did in ids])
    best = ids[pick] if pick is not None else None
    designs = []
    for did in ids:
        d = data["designs"][did]
        persons = [s for s in d["stresses"] if s["kind"] == "person"]
        named = [s for s in d["stresses"] if s["kind"] in ("crisis", "launch", "launch_without_lead", "freeze")]
        designs.append({
            "id": did, "name": tag[did], "judged": d["judged"], "unstable": "; ".join(d["unstable"]),
            "missing": d["absences_missing"], "people": len(persons), "zero": len(d["single_points"]),
            "risks": [r["sentence"] for r in d["risks"][:3]], "more": max(len(d["risks"]) - 3, 0),
            "stresses": [{"label": s["label"], "sentence": s["sentence"], "missed": s["missed"]} for s in named],
            "shown": min(len(d["risks"]), 3),
            "heatmap": heatmap(d, people) if d["judged"] else None,
        })
    rec = ids[recommended] if recommended is not None else None
    shared = _shared_worst(data, ids)
    page_one = []
    # the recommended design, the most resilient one and the baseline (today's team), each once
    for did in dict.fromkeys(x for x in (rec, best, ids[0]) if x is not None):
        d = data["designs"][did]
        if d["judged"]:
            role = [w for w, on in (("recommended", did == rec), ("most resilient", did == best),
                                    ("baseline", did == ids[0])) if on]
            own = [r for r in d["risks"] if r["kind"] == "person" and r["away"] != shared]
            page_one.append({"name": tag[did], "role": ", ".join(role), "risk": own[0]["sentence"] if own else None,
                             "missing": d["absences_missing"], "people": sum(s["kind"] == "person"
                                                                             for s in d["stresses"])})
    return {
        "absent_days": f"{o['absent_days']:g}", "after_days": f"{o['after_days']:g}", "bus_max": o["bus_max"],
        "replications": data["replications"], "tolerance_points": f"{100 * o['tolerance_points']:g}",
        "tolerance_percent": f"{100 * o['tolerance_share']:g}", "rule": data["rule"],
        "best": tag.get(best) if best is not None else None, "recommended": tag.get(rec) if rec is not None else None,
        "best_is_recommended": best is not None and best == rec, "designs": designs,
        "bus": _bus_table(data, ids, dict(zip(ids, tags or short, strict=True))), "page_one": page_one,
        "shared_worst": _person_words(scenarios, shared[0]) if shared else None,
        "starts": ", ".join(f"{s:g}" for s in sorted(set(data["start_days"]))),
        "drawn": o["start_day"] is None,
    }
