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
from orgsim.report.wording import plain
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
    #: per other stable design (not the baseline, not the choice): a sentence naming each measure it is clearly worse on
    others_worse: list[str] = field(default_factory=list)
    #: the same for unstable designs (the appendix holds them: page one gives them one line)
    unstable_worse: list[str] = field(default_factory=list)
    #: page one's margin: the choice's score against the next best design's, in words
    margin: str = ""
    #: designs that tie with the choice on the rule (same score, same losses), the choice first
    tied: list[int] = field(default_factory=list)
    #: with a tie: where each tied design is clearly ahead of the other ("" otherwise)
    between: str = ""


def decide(study: Study, card: Scorecard | None = None) -> Decision:
    """Apply the rule of this module's docstring to a study whose first design is the baseline."""
    card = scorecard(study) if card is None else card
    scores: list[tuple[int, int]] = [(0, 0)]
    clear = compared = 0
    for j in range(1, len(study.designs)):
        up = down = 0
        for row in card.rows:
            if row.direction == 0:
                continue
            verdict = row.cells[j][3]
            compared += 1
            up += verdict == "better"
            down += verdict == "worse"
        clear += up + down
        scores.append((up, down))
    shaky = study.table.attrs.get("unstable") or {}
    unstable = [bool(shaky.get(d)) for d in study.design_ids]
    ranked = sorted((j for j in range(1, len(scores)) if not unstable[j]),
                    key=lambda j: (-(scores[j][0] - scores[j][1]), scores[j][1], j))
    choice = ranked[0] if ranked and scores[ranked[0]][0] - scores[ranked[0]][1] > 0 else 0
    tied = [j for j in ranked if choice and scores[j] == scores[choice]]  # same score and same losses
    reach_days = _reach_days(study)
    runner = ranked[0] if ranked and not choice else None

    def said(j: int | None, verdict: str) -> list[str]:  # the page's plain words, by id (never the registry label)
        return [plain(r.id, reach_days) for r in card.rows if j and r.direction != 0 and r.cells[j][3] == verdict]

    gains, losses, runner_losses = said(choice, "better"), said(choice, "worse"), said(runner, "worse")
    mine = [f for f in findings(study) if choice and f.design == study.designs[choice]]
    names = [f"“{n}”" for n in short_names(study.designs)]
    lead, gains_text, losses_text = tradeoff(study, card, choice, names, reach_days)
    between = ""
    if len(tied) > 1:
        lead, between = _tie(study, card, tied, names, reach_days)
    worse = {j: _worse_sentence(card, j, names, unstable[j], reach_days) for j in range(1, len(study.designs))
             if j != choice}
    return Decision(choice, gains, losses, scores,
                    good=[f for f in mine if f.tone == "better"], bad=[f for f in mine if f.tone == "worse"],
                    unclear=[f for f in mine if f.tone == "unclear"], clear=clear, compared=compared,
                    runner_up=runner, runner_losses=runner_losses, lead=lead,
                    detail=f"{gains_text} {losses_text}".strip(), gains_text=gains_text, losses_text=losses_text,
                    others_worse=[o for j, o in worse.items() if o and not unstable[j]],
                    unstable_worse=[o for j, o in worse.items() if o and unstable[j]],
                    margin=_margin(scores, ranked, choice, names, sum(1 for r in card.rows if r.direction != 0)),
                    tied=tied, between=between)


def _tie(study: Study, card: Scorecard, tied: list[int], names: list[str],
         reach_days: float | None) -> tuple[str, str]:
    """The lead when designs tie on the rule, naming them all, and where each is clearly ahead of the other.

    Between two tied designs the same rule decides what is "clearly" ahead: a paired 95% interval of their
    difference that excludes zero, on a primary measure.
    """
    who = ", ".join(names[j] for j in tied[:-1]) + " or " + names[tied[-1]]
    a, b = tied[0], tied[1]
    up: list[str] = []
    down: list[str] = []
    for row in card.rows:
        if row.direction == 0:
            continue
        _, low, high = study.paired(row.id, a, b)
        if low is None or high is None or low <= 0 <= high:
            continue
        ahead = (low > 0) == (row.direction > 0)
        (up if ahead else down).append(plain(row.id, reach_days))
    sides = [f"{names[a]} on {_and(up)}" if up else "", f"{names[b]} on {_and(down)}" if down else ""]
    between = "; ".join(x for x in sides if x)
    head = f"Move to {who}: they tie on the rule (clear gains minus clear losses against the baseline)."
    if len(tied) > 2:
        return head, f"Between the first two, clearly ahead: {between}." if between else ""
    return head, (f"Between them, clearly ahead: {between}." if between else
                  "Between them, no primary measure is clearly different.")


def _reach_days(study: Study) -> float | None:
    ins = study.scenarios[0].insights
    return ins.horizon_days if ins is not None else None


def _score(up: int, down: int) -> str:
    return f"{up - down:+d} ({up} better, {down} worse)"


def _margin(scores: list[tuple[int, int]], ranked: list[int], choice: int, names: list[str], measures: int) -> str:
    """The recommended design's score and the next best's: how close the call is, on page one."""
    if not ranked:
        return ""
    first = ranked[0]
    head = (f"Score against {names[0]} over the {measures} primary measures: {names[first]} "
            f"{_score(*scores[first])}")
    if len(ranked) < 2:
        return head + "."
    second = ranked[1]
    gap = (scores[first][0] - scores[first][1]) - (scores[second][0] - scores[second][1])
    close = " — a tie" if gap == 0 and scores[first][1] == scores[second][1] else " — a close call" if gap <= 1 else ""
    return f"{head}; next, {names[second]} {_score(*scores[second])}{close}."


#: what a reader weighs, per scorecard measure (a noun phrase: "if X matters more to you than Y")
_WANT = {
    "silo_latency_rmst": "fast answers to other departments", "silo_latency_km_p90": "fast answers to other departments",
    "requests_answered_share": "answering every request", "silo_overhead_share": "less time lost waiting",
    "handoffs_per_request": "fewer handoffs", "insight_reach_share": "insights reaching the departments that need them",
    "insight_reach_value_weighted": "insights reaching the departments that need them",
    "utilization_max": "a lighter load on the busiest person", "after_hours_share": "less work after hours",
    "cost_per_year": "a lower salary bill", "head_count": "a smaller team",
}


def _wants(rows: list[tuple[str, str, str]]) -> list[str]:
    """What a reader weighs in these rows, once each; reply targets joined ("replies within 1 h and 24 h")."""
    out = list(dict.fromkeys(_WANT.get(mid, label) for mid, label, _ in rows if not mid.startswith("reply_within_")))
    targets = [label.removeprefix("messages answered within ") for mid, label, _ in rows
               if mid.startswith("reply_within_")]
    if targets:
        out.append("replies to messages within " + _and(targets))
    return out


def _rows(card: Scorecard, j: int, verdict: str, reach_days: float | None) -> list[tuple[str, str, str]]:
    """(metric id, plain words, "baseline mean → design mean") of the card's rows where design j has this verdict."""
    out = []
    for row in card.rows:
        if row.direction == 0 or row.cells[j][3] != verdict:
            continue
        m = metric(row.id)
        out.append((row.id, plain(row.id, reach_days),
                    f"{m.format_value(row.cells[0][0])} → {m.format_value(row.cells[j][0])}"))
    return out


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _listed(rows: list[tuple[str, str, str]]) -> str:
    return "; ".join(f"{label} {change}" for _mid, label, change in rows)


def tradeoff(study: Study, card: Scorecard, choice: int, names: list[str],
             reach_days: float | None = 7.0) -> tuple[str, str, str]:
    """The recommendation as a trade-off (lead), what it gains and what it loses, each with both means.

    Every measure the choice is clearly worse on is named: the lead never carries only the good news.
    """
    base = names[0]
    measures = sum(1 for r in card.rows if r.direction != 0)
    if not choice:
        return f"Keep {base}: no design is clearly better on more measures than it is clearly worse.", "", ""
    up, down = _rows(card, choice, "better", reach_days), _rows(card, choice, "worse", reach_days)
    me, wants = names[choice], _wants(up)
    gains = f"Clearly better than {base} on {len(up)} of {measures} measures: {_listed(up)}."
    if not down:
        return f"Move to {me} for {_and(wants)}, with no measure clearly worse than {base}.", gains, ""
    verb = "matters" if len(wants) == 1 else "matter"
    lead = f"Move to {me} if {_and(wants)} {verb} more to you than {_and(_wants(down))}."
    return lead, gains, f"Clearly worse on {len(down)}: {_listed(down)}."


def _worse_sentence(card: Scorecard, j: int, names: list[str], unstable: bool, reach_days: float | None) -> str:
    """One design's clear losses against the baseline, every one named with both means ("" when none)."""
    down = _rows(card, j, "worse", reach_days)
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
    text = f"Of the {m.format_diff(total['difference'])} in {plain(m.id)}{ci(total)}: " \
        + "; ".join(parts) + "."
    return re.sub(r"(?<![\w-])-(?=\d)", "\u2212", text)  # a minus sign, not a hyphen, before a number
