"""The words a CMO reads for each measure: plain words first, the statistic's name in the glossary.

Keyed by metric id (:mod:`orgsim.metrics.registry`), never by label, so that rewording a label never
changes which figure a sentence or a chart row shows. The registry's labels stay what tables and JSON
carry (``silo latency, restricted mean (open requests counted)``); the report, the deck and the
sentences of page one say what it means (``average wait for an answer, unanswered requests counted at
their age``) and the glossary names the statistic.

>>> plain("silo_latency_rmst")
'average wait for an answer'
>>> plain("reply_within_1h_share"), plain("reply_within_24h_off_hours_share")
('messages answered within 1 h', 'messages answered within 24 h at nights and weekends')
>>> plain("insight_reach_share", reach_days=7)
'insights reaching the departments that need them within 7 days'
"""

from __future__ import annotations

import re

__all__ = ["GLOSSARY", "LIMITS", "LONG", "PLAIN", "glossary", "long_label", "plain"]

#: the few words of a scorecard row or a sentence, by metric id ({days}: the insight horizon)
PLAIN: dict[str, str] = {
    "silo_latency_rmst": "average wait for an answer",
    "silo_latency_km_p90": "wait that 1 request in 10 exceeds",
    "silo_latency_km_p50": "median wait for an answer",
    "silo_latency_lower_bound": "average wait, open requests at their age so far",
    "silo_latency_mean": "average wait of answered requests only",
    "silo_latency_p90": "wait that 1 answered request in 10 exceeds",
    "requests_answered_share": "requests answered by the end",
    "silo_overhead_share": "share of the wait nobody is working on it",
    "handoffs_per_request": "handoffs per request",
    "insight_reach_share": "insights reaching the departments that need them within {days}",
    "insight_reach_value_weighted": "insight reach, late arrivals discounted",
    "utilization_mean": "average load on the team",
    "utilization_max": "busiest person's load",
    "after_hours_share": "work done after hours",
    "head_count": "people on the team",
    "cost_per_year": "salary bill a year",
    "backlog_at_end": "requests still open at the end",
}

#: what the scorecard adds under a row's plain words: the unit and how it is counted
LONG: dict[str, str] = {
    "silo_latency_rmst": "hours from a department's request to the answer; requests still open count at their age",
    "silo_latency_km_p90": "hours; open requests counted",
    "requests_answered_share": "of the requests that arrived",
    "insight_reach_share": "of (insight, department that needs it) pairs",
    "utilization_max": "hours worked ÷ hours on duty",
    "after_hours_share": "of the team's hours worked",
    "cost_per_year": "fully loaded",
}

_REPLY = re.compile(r"reply_within_(?P<t>[0-9_]+)h_(?P<off>off_hours_)?share")


def plain(metric_id: str, reach_days: float | None = 7.0) -> str:
    """The plain words for a metric id (its registry label when none are written for it)."""
    found = _REPLY.fullmatch(metric_id)
    if found:
        hours = found["t"].replace("_", ".")
        return f"messages answered within {hours} h" + (" at nights and weekends" if found["off"] else "")
    if metric_id in PLAIN:
        days = f"{reach_days:g} days" if reach_days is not None else "the horizon"
        return PLAIN[metric_id].format(days=days)
    if metric_id.startswith("silo_latency_mean_dept_"):
        return "average wait of answered requests, " + metric_id.removeprefix("silo_latency_mean_dept_").replace(
            "_", " ").title()
    from orgsim.metrics.registry import metric

    return metric(metric_id).label


def long_label(metric_id: str) -> str:
    """The line under a scorecard row's plain words ("" when the words say it all)."""
    return LONG.get(metric_id, "")


#: every term the report's page one and appendix use, in plain words, with the statistic's name
GLOSSARY: dict[str, str] = {
    "average wait for an answer": "silo latency: hours from a department's request to the social team's answer "
    "(waiting in a queue, hands-on work, handoffs, approval). Requests still open at the end count at their age "
    "so far, so a team that leaves work unanswered does not look faster; the statistic is the Kaplan–Meier "
    "restricted mean.",
    "wait that 1 request in 10 exceeds": "the 90th percentile (p90) of the wait, open requests counted.",
    "requests answered by the end": "requests answered before the run stopped, of those that arrived after the "
    "warm-up.",
    "messages answered within 1 h, 4 h, 24 h": "customer messages answered within that time, of those whose "
    "deadline fell inside the run; nights and weekends: those that arrived outside 08:00–20:00 or on a "
    "Saturday or Sunday.",
    "insight reach": "of the (insight, department that needs it) pairs, the share where the department learned "
    "it within the horizon; value-weighted reach discounts late arrivals by the insight's half-life.",
    "busiest person's load": "utilisation of the busiest person: hours worked ÷ hours on duty; over 100% is work "
    "beyond their hours.",
    "work after hours": "the share of the team's work done outside each person's hours, a burnout signal.",
    "handoff": "work passed between people, pods, the head of social and departments; each adds a wait.",
    "primary measure": "one of the measures named in advance as what a CMO asks first; the scorecard shows them "
    "and the recommendation counts them, each judged on its own at 95%.",
    "95% interval": "the range the true mean lies in, 95 times in 100, given the replications.",
    "clearly better or worse (paired)": "every design faced the same requests and messages in each replication; "
    "the difference from the baseline is taken replication by replication, and called only when its 95% "
    "interval excludes zero.",
    "replication": "one simulated run of the whole period; each design runs the same replications.",
    "unstable": "a design whose backlog grows without bound: more work arrives than it can do, so its waits "
    "only say how long the run was.",
    "bus factor": "how many people can cover a channel, function or audience: the design routes that work to "
    "them and they are practised at it or better.",
}


def glossary(baseline: str, has_insights: bool = True) -> list[tuple[str, str]]:
    """The glossary of a report, in reading order (insight reach left out when no insights are modelled)."""
    out = [(term, text) for term, text in GLOSSARY.items() if has_insights or term != "insight reach"]
    return [*out, ("baseline", f"“{baseline}”: the design every other one is compared with.")]


#: What the model leaves out, as true of the code today (README, "Limits we know of"; a test keeps the two in
#: step). The deck's risks slide lists them: each could move a figure.
LIMITS: tuple[str, ...] = (
    "Each person works one task at a time: a community manager who answers two chats at once (about 1.7 times "
    "the work, in contact-centre practice) is slower here than in life.",
    "Customers give up waiting only on a channel whose patience is set (patience_hours): elsewhere an unanswered "
    "message stays in the queue until it is answered (about 70% of those who abandon a conversation do so "
    "silently).",
    "Handoffs between team members do not wait for the receiver's hours: the work waits in their queue instead.",
    "Volumes, effort and proficiency are stated assumptions unless fitted from your own logs (orgsim calibrate).",
)
