"""Page one of the report as plain data for the template: the decision, the scorecard, the glossary.

Everything here is words and numbers read off the study (:mod:`orgsim.report.decision`,
:mod:`orgsim.report.verdicts`); the HTML template lays it out and the deck (:mod:`orgsim.report.deck`)
reads the same data, so a figure reads the same on the page and on a slide.

The scorecard's marks follow one rule, the one the page states: every row is a primary measure, and a
cell is ▲ (▼) where the comparison table's verdict against the baseline is *better* (*worse*) — its paired
95% interval excludes zero — and ≈ where it is *no clear difference*. A shaded cell is clearly better than
every other stable design on its row (:func:`orgsim.report.verdicts.clearly_best`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from orgsim.experiment.attribution import Attribution
from orgsim.experiment.study import Study
from orgsim.metrics.registry import metric
from orgsim.report.decision import Decision, decide, split_sentence
from orgsim.report.style import short_names, tags
from orgsim.report.verdicts import Scorecard, findings
from orgsim.report.wording import long_label, plain

__all__ = ["MARKS", "decision_context", "mark", "measured_days", "scorecard_rows", "secondary_rows", "unstable_line"]

#: a verdict of the comparison table -> (mark, css class); any other verdict (unstable, higher, lower) has none
MARKS = {"better": ("▲", "better"), "worse": ("▼", "worse"), "no clear difference": ("≈", "unclear")}


def mark(verdict: str) -> str:
    """The scorecard's mark for a verdict ("" when the rule calls none: an unstable design's wait, say).

    >>> mark("better"), mark("no clear difference"), mark("unstable: no steady state")
    ('▲', '≈', '')
    """
    return MARKS.get(verdict, ("", ""))[0]


def measured_days(study: Study) -> str:
    """How long each replication measures: the horizon less the warm-up, which is run but not counted.

    >>> from orgsim.scenario import load_scenario
    >>> measured_days(Study([load_scenario("scenarios/network.yaml")], [[]], 1, 0))
    '35 measured days after a 7-day warm-up'
    """
    run = study.scenarios[0].run
    return f"{run.horizon_days - run.warmup_days:g} measured days after a {run.warmup_days:g}-day warm-up"


def _money(metric_id: str, words: str, currency: str | None) -> str:
    if metric_id != "cost_per_year":
        return words
    return f"{words} ({currency})" if currency else f"{words} (currency not set: run.currency)"


def _interval(mid: str, low: float | None, high: float | None) -> str:
    """A 95% interval as a reader writes it: "31.7–37.0 h", "95–97%" ("" when there is none to show).

    >>> _interval("silo_latency_rmst", 31.71, 37.04), _interval("requests_answered_share", 0.951, 0.972)
    ('31.7–37.0 h', '95–97%')
    """
    if low is None or high is None or low != low or low == high:
        return ""
    m = metric(mid)
    a, b = m.format_value(low), m.format_value(high)
    for unit in (" h", "%"):
        if a.endswith(unit) and b.endswith(unit):
            return f"{a.removesuffix(unit)}–{b}"
    return f"{a} – {b}"


def scorecard_rows(study: Study, card: Scorecard, currency: str | None = None) -> list[dict[str, Any]]:
    """The scorecard's rows: plain words, and per design the mean, its 95% interval, the mark and the shading."""
    ids, reach_days = study.design_ids, _reach_days(study)
    tag = tags(study.designs)
    rows = []
    for row in card.rows:
        m = metric(row.id)
        cells = []
        for j, (mean, low, high, verdict) in enumerate(row.cells):
            symbol, css = MARKS.get(verdict, ("", "")) if j > 0 and row.direction != 0 else ("", "")
            cells.append({"value": m.format_value(mean), "ci": _interval(row.id, low, high), "best": row.best == j,
                          "mark": symbol, "mark_class": css, "verdict": verdict, "design": ids[j], "tag": tag[j]})
        rows.append({"id": row.id, "label": _money(row.id, plain(row.id, reach_days), currency),
                     "detail": long_label(row.id), "judged": row.direction != 0, "cells": cells})
    return rows


#: the appendix's table of secondary measures: how a design gets there, and the answered-only figures; abandoned
#: messages and switching time only where a scenario sets patience_hours / switch_minutes (the registry's rule)
SECONDARY = ("silo_overhead_share", "handoffs_per_request", "insight_reach_value_weighted", "utilization_mean",
             "messages_abandoned_share", "switching_share", "backlog_at_end", "silo_latency_mean",
             "silo_latency_lower_bound")


def secondary_rows(study: Study) -> list[dict[str, Any]]:
    """Secondary measures per design with their verdicts, Holm-corrected as ``compare`` gives them (appendix)."""
    table, ids, reach_days = study.table, study.design_ids, _reach_days(study)
    rows = []
    for mid in SECONDARY:
        sub = table[table["metric"] == mid]
        if sub.empty or sub["mean"].isna().all():
            continue
        m = metric(mid)
        cells = [{"value": m.format_value(r.mean), "ci": _interval(mid, r.ci_low, r.ci_high),
                  "verdict": str(r.verdict) if j and m.direction != 0 else "", "design": ids[j]}
                 for j, r in enumerate(sub.itertuples(index=False))]
        rows.append({"id": mid, "label": plain(mid, reach_days), "cells": cells})
    return rows


def _reach_days(study: Study) -> float | None:
    ins = study.scenarios[0].insights
    return ins.horizon_days if ins is not None else None


def unstable_line(study: Study) -> str:
    """Page one's one line on designs that do not keep up with their work ("" when all do)."""
    reasons = study.table.attrs.get("unstable") or {}
    names = [f"“{n}”" for n, d in zip(short_names(study.designs), study.design_ids, strict=True) if reasons.get(d)]
    if not names:
        return ""
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    verb = "does" if len(names) == 1 else "do"
    return (f"{who} {verb} not keep up with the work: the backlog grows without bound, so its waits only measure the "
            "run's length. It is never recommended or shaded best; why, and what it would cost, is in the appendix.")


def unstable_details(study: Study) -> list[str]:
    """The appendix's sentences on each unstable design: why it is unstable, in the terms of the model."""
    reasons = study.table.attrs.get("unstable") or {}
    return [f"“{n}”: {'; '.join(reasons[d])}." for n, d in zip(short_names(study.designs), study.design_ids, strict=True)
            if reasons.get(d)]


def decision_context(study: Study, card: Scorecard, attributions: Sequence[Attribution] = ()) -> dict[str, Any]:
    """Page one's recommendation: the design, what it gains and loses, the margin and how much is signal."""
    d: Decision = decide(study, card)
    short, tag = short_names(study.designs), tags(study.designs)
    mine = [a for a in attributions if d.choice and a.design == study.designs[d.choice] and a.levers]
    shaky = study.table.attrs.get("unstable") or {}
    return {"choice": short[d.choice], "keep": d.choice == 0, "base": short[0], "gains": d.gains, "losses": d.losses,
            "good": d.good, "bad": d.bad, "unclear": d.unclear, "n_clear": d.clear, "n_compared": d.compared,
            "score": d.scores[d.choice], "measures": sum(1 for r in card.rows if r.direction != 0),
            # the ≈ in the chosen design's scorecard column (the findings' "unclear" sentences are fewer: page one
            # once said "1 headline difference is not" clear beside a column with five ≈)
            "n_unclear": sum(1 for r in card.rows if r.direction != 0) - sum(d.scores[d.choice]),
            "others": [{"name": tag[j], "up": up, "down": down, "unstable": bool(shaky.get(study.design_ids[j]))}
                       for j, (up, down) in enumerate(d.scores) if j],
            "runner_up": short[d.runner_up] if d.runner_up is not None else None, "runner_losses": d.runner_losses,
            "lead": d.lead, "gains_text": d.gains_text, "losses_text": d.losses_text, "others_worse": d.others_worse,
            "unstable_worse": d.unstable_worse, "margin": d.margin, "between": d.between,
            "split": split_sentence(mine[0], study.scenarios[d.choice]) if mine else ""}


def headline(study: Study) -> dict[str, Any]:
    """The appendix's sentences: study-wide first, then each design's against the baseline, grouped."""
    found = findings(study)
    label = dict(zip(study.designs, short_names(study.designs), strict=True))
    groups = [{"design": label[d], "findings": [f for f in found if f.design == d]} for d in study.designs[1:]]
    return {"overall": [f for f in found if f.design is None], "groups": [g for g in groups if g["findings"]]}
