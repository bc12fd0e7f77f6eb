"""What a resilience study says, design by design, in figures and in words.

- **Risks**: the people (and shared roles) whose absence misses a target, worst
  first, each with the one figure that says it best ("Without Maya Okafor
  (head of social) for 14 days, silo latency rises from 28.4 h to 272.6 h").
- **Bus factors** per skill (:mod:`orgsim.resilience.judge`).
- **The most resilient design**: of the designs that keep up with their work
  (an unstable design is never called best), the one with the fewest people
  whose absence on their own misses a target; then the fewest skills with a bus
  factor of 0; then the smallest worst severity of one person away. The rule is
  printed with its outcome; every design can win it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from orgsim.metrics.stability import unstable_reasons
from orgsim.metrics.stats import mean_ci
from orgsim.resilience.judge import Impact, counts, missed_on, severity, worst
from orgsim.resilience.run import away_stress, judged, on_skill, skill_order
from orgsim.resilience.skills import skill_label
from orgsim.resilience.stresses import Stress, person_words

if TYPE_CHECKING:
    from orgsim.resilience.run import Design
    from orgsim.resilience.stresses import Options

__all__ = ["RULE", "bus_factors", "design_summary", "impact_sentence", "lead_in", "most_resilient", "risks"]

RULE = ("of the designs that keep up with their work, the one with the fewest people whose absence on their own "
        "misses a target; then the fewest skills with a bus factor of 0; then the smallest harm of the worst single "
        "absence")


def lead_in(design: Design, stress: Stress, options: Options) -> str:
    """The start of a sentence about a stress: "Without Maya Okafor (head of social) for 14 days"."""
    s = design.scenario
    days = f"{options.absent_days:g} days"
    if stress.kind == "person":
        return f"Without {person_words(s, stress.away[0])}, for {days}"
    if stress.kind in ("role", "group"):
        return f"With {stress.label}"
    if stress.kind == "freeze":
        return f"With the seat of {person_words(s, stress.away[0])}, left empty (a hiring freeze)"
    return f"In {stress.label}"


def impact_sentence(design: Design, stress: Stress, impact: Impact, options: Options) -> str:
    """One impact in words, with its interval: "... silo latency rises from 28.4 h to 272.6 h (+244.2 h; ...)"."""
    m = impact.metric
    if m.unit == "h" or m.fmt == "number":
        verb = "rises" if impact.diff > 0 else "falls"
    else:
        verb = "falls" if impact.diff < 0 else "rises"
    ci = ""
    if impact.low is not None and impact.high is not None:
        ci = f"; 95% CI {m.format_diff(impact.low)} to {m.format_diff(impact.high)}"
    return (f"{lead_in(design, stress, options)}, {m.label} {verb} from {m.format_value(impact.full)} to "
            f"{m.format_value(impact.stressed)} ({m.format_diff(impact.diff)}{ci})")


def _stress(design: Design, sid: str) -> Stress:
    return next(s for s in design.stresses if s.id == sid)


def risks(design: Design, options: Options) -> list[dict[str, Any]]:
    """The people and roles whose absence misses a target, worst first, each with its sentence."""
    out = []
    for st in design.stresses:
        if st.kind not in ("person", "role"):
            continue
        rows = judged(design, st.id)
        misses = missed_on(rows)
        if misses:
            out.append({"id": st.id, "kind": st.kind, "label": st.label, "away": list(st.away),
                        "severity": severity(rows), "missed": [m.metric.id for m in misses],
                        "sentence": impact_sentence(design, st, misses[0], options)})
    return sorted(out, key=lambda r: -r["severity"])


def bus_factors(design: Design, options: Options) -> list[dict[str, Any]]:
    """Each skill that carries work: its people, the order they are taken away in, and its bus factor."""
    out = []
    for skill, people in design.people.items():
        row: dict[str, Any] = {"skill": skill, "label": skill_label(skill), "people": list(people)}
        if not people:
            out.append({**row, "order": [], "bus_factor": 0, "at_least": False, "all": False,
                        "why": "nobody in this design covers it at the agreed level (practised or better)"})
            continue
        order = skill_order(design, skill)
        row["order"] = order
        top = min(options.bus_max, len(order))
        row.update(bus_factor=top, at_least=top < len(order), all=top == len(order), why=None)
        for k in range(1, top + 1):
            st = away_stress(design, order[:k], options)
            misses = missed_on(on_skill(design, st.id, skill))
            if misses:
                row.update(bus_factor=k - 1, at_least=False, all=False, missed_with=list(order[:k]),
                           why=impact_sentence(design, _stress(design, st.id), misses[0], options))
                break
        out.append(row)
    return out


def _full_strength(design: Design) -> dict[str, float]:
    runs = design.full("whole")
    ids = dict.fromkeys(k for rec in runs for k in rec)
    return {k: mean_ci([rec.get(k, math.nan) for rec in runs])[0] for k in ids}


def design_summary(design: Design, options: Options) -> dict[str, Any]:
    """Everything said about one design (plain data)."""
    full = _full_strength(design)
    unstable = unstable_reasons(design.scenario, rise=full.get("backlog_rise", math.nan),
                                mean=full.get("backlog_mean", math.nan), arrived=full.get("requests_arrived", 0.0))
    stresses: list[dict[str, Any]] = []
    for st in design.stresses:
        rows = judged(design, st.id)
        top = worst(rows)
        stresses.append({"id": st.id, "kind": st.kind, "label": st.label, "away": list(st.away),
                         "window": st.window, "severity": severity(rows), **counts(rows),
                         "sentence": impact_sentence(design, st, top, options) if top is not None else None,
                         "impacts": {r.metric.id: r.plain() for r in rows}})
    persons = [s for s in stresses if s["kind"] == "person"]
    factors = bus_factors(design, options)
    worst_person = max(persons, key=_by_severity, default=None)
    return {"name": design.scenario.name, "structure": design.scenario.structure.kind, "unstable": unstable,
            # an unstable design fails at full strength: what an absence adds cannot be told from what it lacks
            "judged": not unstable,
            "people": len(design.scenario.team.people),
            "absences_missing": sum(s["missed"] > 0 for s in persons),
            "single_points": [b["skill"] for b in factors if b["bus_factor"] == 0],
            "worst_absence": None if worst_person is None else {k: worst_person[k] for k in ("id", "label", "severity",
                                                                                              "sentence")},
            "risks": risks(design, options), "bus_factors": factors, "stresses": stresses}


def _by_severity(stress: dict[str, Any]) -> float:
    return float(stress["severity"])


def most_resilient(summaries: list[dict[str, Any]]) -> int | None:
    """The index of the most resilient design by :data:`RULE`; None when every design is unstable."""
    stable = [i for i, s in enumerate(summaries) if not s["unstable"]]
    if not stable:
        return None

    def key(i: int) -> tuple[int, int, float]:
        s = summaries[i]
        w = s["worst_absence"]["severity"] if s["worst_absence"] else 0.0
        return (s["absences_missing"], len(s["single_points"]), w)

    return min(stable, key=key)
