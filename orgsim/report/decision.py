"""Page one of the report: which design to choose, what it costs, and how sure the numbers are.

The recommendation is a rule applied to the scorecard's paired verdicts, stated on the page so a reader can
check it: each design other than the baseline scores its *clear* improvements minus its *clear* deteriorations
over the scorecard's rows that have a direction (a row counts only when its paired 95% interval excludes zero);
the highest score is recommended, ties going to fewer deteriorations, then to the order the designs were given.
If no design scores above zero, the recommendation is to keep the baseline. A design that does not keep up
with its work (unstable: its queue grows without bound) is never recommended. Nothing here weighs one measure
against another: that judgement is the reader's, and the trade-off is spelled out for it.

The lead sentence is that trade-off (:func:`tradeoff`): what the choice gains *and* every scorecard measure on
which it is clearly worse, with the two means; then every other design's clear losses, so a loss is never left
to the scorecard alone (the one-person team's unanswered messages, the audience pods' slower replies).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from orgsim.experiment.attribution import Attribution, lever_phrase
from orgsim.experiment.study import Study
from orgsim.metrics.registry import metric
from orgsim.report.style import short_names
from orgsim.report.verdicts import Finding, Scorecard, findings, scorecard
from orgsim.scenario.model import Scenario

__all__ = ["Decision", "decide", "split_sentence", "tradeoff"]


@dataclass(frozen=True)
class Decision:
    """What page one says."""

    #: index of the recommended design in ``study.designs`` (0: keep the baseline)
    choice: int
    #: scorecard rows where the choice is clearly better / clearly worse than the baseline
    gains: list[str]
    losses: list[str]
    #: (clear improvements, clear deteriorations) per design, baseline included as (0, 0)
    scores: list[tuple[int, int]]
    #: the headline sentences about the choice, split by tone
    good: list[Finding] = field(default_factory=list)
    bad: list[Finding] = field(default_factory=list)
    unclear: list[Finding] = field(default_factory=list)
    #: clear / all paired comparisons on the scorecard (how much of it is signal)
    clear: int = 0
    compared: int = 0
    #: when the baseline is kept: the best-scoring alternative and the rows where it is clearly worse
    runner_up: int | None = None
    runner_losses: list[str] = field(default_factory=list)
    #: page one's lead: the recommendation as a trade-off, then what it gains and loses with the means
    lead: str = ""
    detail: str = ""
    #: the detail's two halves: the measures clearly better, the measures clearly worse (with both means)
    gains_text: str = ""
    losses_text: str = ""
    #: per other design (not the baseline, not the choice): a sentence naming each measure it is clearly worse on
    others_worse: list[str] = field(default_factory=list)


def decide(study: Study, card: Scorecard | None = None) -> Decision:
    """Apply the rule of this module's docstring to a study whose first design is the baseline."""
    card = scorecard(study) if card is None else card
    scores: list[tuple[int, int]] = [(0, 0)]
    clear = compared = 0
    for j in range(1, len(study.designs)):
        up = down = 0
        for _label, _unit, direction, cells, _best in card.rows:
            if direction == 0:
                continue
            verdict = cells[j][3]
            compared += 1
            up += verdict == "better"
            down += verdict == "worse"
        clear += up + down
        scores.append((up, down))
    shaky = study.table.attrs.get("unstable") or {}
    ranked = sorted((j for j in range(1, len(scores)) if not shaky.get(study.design_ids[j])),
                    key=lambda j: (-(scores[j][0] - scores[j][1]), scores[j][1], j))
    choice = ranked[0] if ranked and scores[ranked[0]][0] - scores[ranked[0]][1] > 0 else 0
    gains = [row[0] for row in card.rows if choice and row[2] != 0 and row[3][choice][3] == "better"]
    losses = [row[0] for row in card.rows if choice and row[2] != 0 and row[3][choice][3] == "worse"]
    mine = [f for f in findings(study) if choice and f.design == study.designs[choice]]
    runner = ranked[0] if ranked and not choice else None
    runner_losses = [row[0] for row in card.rows if runner and row[2] != 0 and row[3][runner][3] == "worse"]
    names = [f"“{n}”" for n in short_names(study.designs)]
    lead, gains_text, losses_text = tradeoff(study, card, choice, names)
    others = [_worse_sentence(study, card, j, names, bool(shaky.get(study.design_ids[j])))
              for j in range(1, len(study.designs)) if j != choice]
    return Decision(choice, gains, losses, scores,
                    good=[f for f in mine if f.tone == "better"], bad=[f for f in mine if f.tone == "worse"],
                    unclear=[f for f in mine if f.tone == "unclear"], clear=clear, compared=compared,
                    runner_up=runner, runner_losses=runner_losses, lead=lead,
                    detail=f"{gains_text} {losses_text}".strip(), gains_text=gains_text, losses_text=losses_text,
                    others_worse=[o for o in others if o])


#: what a reader weighs, per scorecard measure (a noun phrase: "if X matters more to you than Y")
_WANT = {
    "silo_latency_rmst": "fast answers to other departments", "silo_latency_km_p90": "fast answers to other departments",
    "requests_answered_share": "answering every request", "silo_overhead_share": "less time lost waiting",
    "handoffs_per_request": "fewer handoffs", "insight_reach_share": "insights reaching the departments that need them",
    "insight_reach_value_weighted": "insights reaching the departments that need them",
    "utilization_max": "a lighter load on the busiest person", "after_hours_share": "less work after hours",
    "cost_per_year": "a lower salary bill", "head_count": "a smaller team",
}


#: the scorecard's longer labels, shortened for a sentence (the scorecard below gives them in full)
_SHORT = {"silo_latency_rmst": "silo latency", "silo_latency_km_p90": "silo latency p90",
          "utilization_max": "busiest person's utilisation"}


def _wants(rows: list[tuple[str, str, str]]) -> list[str]:
    """What a reader weighs in these rows, once each; reply targets joined ("replies within 1 h and 24 h")."""
    out = list(dict.fromkeys(_WANT.get(mid, label) for mid, label, _ in rows if not mid.startswith("reply_within_")))
    targets = [label.removeprefix("messages answered within ") for mid, label, _ in rows
               if mid.startswith("reply_within_")]
    if targets:
        out.append("replies to messages within " + _and(targets))
    return out


def _rows(study: Study, card: Scorecard, j: int, verdict: str) -> list[tuple[str, str, str]]:
    """(metric id, label, "baseline mean → design mean") of the card's rows where design j has this verdict."""
    out = []
    for label, _unit, direction, cells, _best in card.rows:
        if direction == 0 or cells[j][3] != verdict:
            continue
        m = study.metric(label)
        out.append((m.id, _SHORT.get(m.id, label), f"{m.format_value(cells[0][0])} → {m.format_value(cells[j][0])}"))
    return out


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _listed(rows: list[tuple[str, str, str]]) -> str:
    return "; ".join(f"{label} {change}" for _mid, label, change in rows)


def tradeoff(study: Study, card: Scorecard, choice: int, names: list[str]) -> tuple[str, str, str]:
    """The recommendation as a trade-off (lead), what it gains and what it loses, each with both means.

    Every measure the choice is clearly worse on is named: the lead never carries only the good news.
    """
    base = names[0]
    measures = sum(1 for r in card.rows if r[2] != 0)
    if not choice:
        return f"Keep {base}: no design is clearly better on more measures than it is clearly worse.", "", ""
    up, down = _rows(study, card, choice, "better"), _rows(study, card, choice, "worse")
    me, wants = names[choice], _wants(up)
    gains = f"Clearly better than {base} on {len(up)} of {measures} measures: {_listed(up)}."
    if not down:
        return f"Move to {me} for {_and(wants)}, with no measure clearly worse than {base}.", gains, ""
    verb = "matters" if len(wants) == 1 else "matter"
    lead = f"Move to {me} if {_and(wants)} {verb} more to you than {_and(_wants(down))}."
    return lead, gains, f"Clearly worse on {len(down)}: {_listed(down)}."


def _worse_sentence(study: Study, card: Scorecard, j: int, names: list[str], unstable: bool) -> str:
    """One design's clear losses against the baseline, every one named with both means ("" when none)."""
    down = _rows(study, card, j, "worse")
    if not down:
        return ""
    head = f"{names[j]} (unstable)" if unstable else names[j]
    return f"{head} is clearly worse than {names[0]} on {_listed(down)}."


def split_sentence(attribution: Attribution, design: Scenario, metric_id: str = "silo_latency_rmst") -> str:
    """Each lever's share of one metric's difference, in words ("" when that metric was not attributed).

    "Of the −6.4 h in silo latency (95% CI −13.1 h to +0.3 h): −4.1 h from grouping by function (95% CI …); …"
    """
    rows = {r["lever"]: r for r in attribution.rows if r["metric"] == metric_id}
    if "total" not in rows:
        return ""
    m = metric(metric_id)

    def ci(r: dict[str, Any]) -> str:
        low, high = r["ci95"]
        return "" if low is None or high is None else f" (95% CI {m.format_diff(low)} to {m.format_diff(high)})"

    total = rows["total"]
    parts = [f"{m.format_diff(rows[lv]['difference'])} from {lever_phrase(lv, design)}{ci(rows[lv])}"
             for lv in attribution.levers if lv in rows]
    text = f"Of the {m.format_diff(total['difference'])} in {_SHORT.get(m.id, m.label)}{ci(total)}: " \
        + "; ".join(parts) + "."
    return re.sub(r"(?<![\w-])-(?=\d)", "\u2212", text)  # a minus sign, not a hyphen, before a number
