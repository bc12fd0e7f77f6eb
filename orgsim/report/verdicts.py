"""The headline in plain words, written from a study's numbers and never beyond its intervals.

A design that does not keep up with its work (unstable, see
:mod:`orgsim.metrics.stability`) is named first, is never called faster, and
is never shaded best on any figure of the scorecard.

Every comparative sentence rests on a paired 95% t-interval across
replications (:meth:`~orgsim.experiment.study.Study.paired` or
:meth:`~orgsim.experiment.study.Study.relative`): a design is called faster,
wider-reaching or lighter only when that interval excludes zero; otherwise
the sentence says the difference is unclear and gives the interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, NamedTuple

from orgsim.experiment.study import Study
from orgsim.metrics.registry import department_metrics, percent_text
from orgsim.metrics.stats import mean_ci
from orgsim.report.style import hours_label, short_names

__all__ = ["Finding", "Row", "Scorecard", "clearly_best", "findings", "primary_ids", "scorecard"]

Tone = Literal["better", "worse", "unclear", "info"]

LATENCY = "silo_latency_rmst"
REACH = "insight_reach_share"
BUSIEST = "utilization_max"
AFTER = "after_hours_share"


@dataclass(frozen=True)
class Finding:
    """One sentence of the headline, and whether it is good news for the design it names."""

    text: str
    tone: Tone = "info"
    #: the design the sentence compares with the baseline (None for study-wide sentences)
    design: str | None = None


def _clear(low: float | None, high: float | None) -> bool:
    return low is not None and high is not None and not (low <= 0 <= high)


def _pct(x: float, decimals: int = 0) -> str:
    return f"{percent_text(abs(x), decimals)}%"


def _pts(x: float, decimals: int = 0) -> str:
    """A difference of shares in percentage points.

    >>> _pts(0.3), _pts(-0.0104, 1), _pts(-0.004)
    ('+30 points', '-1.0 points', '-0.4 points')
    """
    return f"{percent_text(x, decimals, signed=True)} points"


def _dh(x: float) -> str:
    """A change in hours with its sign, never "-0 h": one decimal under 10 h.

    >>> _dh(-0.4), _dh(-9.2), _dh(12.6), _dh(-0.04), _dh(0.0)
    ('−0.4 h', '−9.2 h', '+13 h', '−0.04 h', '0 h')
    """
    if x == 0:
        return "0 h"
    text = f"{x:+.0f}" if abs(x) >= 10 else f"{x:+.1f}" if abs(x) >= 0.05 else f"{x:+.2f}"
    return text.replace("-", "\u2212") + " h"


def _unstable(study: Study) -> list[bool]:
    """Per design: does its queue grow without bound (``study.table.attrs["unstable"]``)?"""
    reasons = study.table.attrs.get("unstable") or {}
    return [bool(reasons.get(d)) for d in study.design_ids]


def _leader(study: Study, label: str, direction: int) -> tuple[list[int], bool]:
    """Designs ranked best first on a figure's mean, and whether the first is clearly ahead of the second.

    A design that does not keep up with its work (unstable) is never ranked: it cannot lead on any figure.
    """
    means = [float(mean_ci(list(study.values(label, i)))[0]) for i in range(len(study.designs))]
    shaky = _unstable(study)
    ranked = sorted((i for i in range(len(means)) if not math.isnan(means[i]) and not shaky[i]),
                    key=lambda i: -direction * means[i])
    if len(ranked) < 2:
        return ranked, False
    _, low, high = study.paired(label, ranked[0], ranked[1])
    return ranked, _clear(low, high)


def _summary_line(study: Study, names: list[str]) -> Finding | None:
    parts = []
    for label, what, direction in ((LATENCY, "fastest answers to other departments", -1),
                                   (REACH, "widest insight reach", +1),
                                   (BUSIEST, "lightest load on the busiest person", -1)):
        ranked, clear = _leader(study, label, direction)
        if len(ranked) >= 2:
            lead = names[ranked[0]]
            parts.append(f"{what}: {lead}" + ("" if clear else f" (not clearly ahead of {names[ranked[1]]})"))
    if not parts:
        return None
    text = "; ".join(parts)
    return Finding(text[0].upper() + text[1:] + ".", "info")


def _latency(study: Study, i: int, names: list[str]) -> list[Finding]:
    base, me = names[0], names[i]
    m, low, high = study.relative(LATENCY, i)
    if math.isnan(m):
        return [Finding(f"{me}: no answered requests to compare with {base}.", "unclear")]
    out = []
    shaky = _unstable(study)
    if shaky[i] or shaky[0]:
        who = me if shaky[i] else base
        out.append(Finding(f"{me} and {base}: no latency verdict — {who} is unstable (its queue grows without bound).",
                           "worse" if shaky[i] else "unclear"))
    elif _clear(low, high):
        assert low is not None and high is not None
        word = "faster" if m < 0 else "slower"
        out.append(Finding(
            f"{me} answers other departments {_pct(m)} {word} than {base} "
            f"(95% CI {_pct(min(abs(low), abs(high)))} to {_pct(max(abs(low), abs(high)))} {word}).",
            "better" if m < 0 else "worse"))
    else:
        span = "not enough replications for an interval" if low is None or high is None else \
            "identical on the same demand" if low == high == 0 else \
            f"the interval runs from {_pct(low)} {'faster' if low < 0 else 'slower'} to " \
            f"{_pct(high)} {'faster' if high < 0 else 'slower'}"
        out.append(Finding(f"{me} and {base}: no clear difference in how fast departments are answered ({span}).",
                           "unclear"))
    best: tuple[float, str, float, float] | None = None
    for dept in study.scenarios[0].demand.departments:
        dm, dl, dh = study.relative(department_metrics(dept)[0], i)
        if _clear(dl, dh) and not math.isnan(dm) and (best is None or abs(dm) > abs(best[0])):
            assert dl is not None and dh is not None
            best = (dm, dept, dl, dh)
    if best is not None and not (shaky[i] or shaky[0]):
        dm, dept, dl, dh = best
        word = "faster" if dm < 0 else "slower"
        out.append(Finding(
            f"Biggest change for one department: {me} answers {dept}'s requests {_pct(dm)} {word} "
            f"(answered requests; 95% CI {_pct(min(abs(dl), abs(dh)))} to {_pct(max(abs(dl), abs(dh)))}).",
            "better" if dm < 0 else "worse"))
    return out


def _reach(study: Study, i: int, names: list[str], horizon: str) -> list[Finding]:
    base, me = names[0], names[i]
    m, low, high = study.paired(REACH, i)
    a = float(mean_ci(list(study.values(REACH, i)))[0])
    b = float(mean_ci(list(study.values(REACH, 0)))[0])
    if math.isnan(m):
        return []
    out = []
    if _clear(low, high):
        assert low is not None and high is not None
        out.append(Finding(
            f"Insights reach the departments that need them within {horizon} {_pct(a)} of the time with {me}, "
            f"vs {_pct(b)} with {base} ({_pts(m)}; 95% CI {_pts(low)} to {_pts(high)}).",
            "better" if m > 0 else "worse"))
    else:
        out.append(Finding(f"Insight reach within {horizon}: {me} {_pct(a)}, {base} {_pct(b)} — no clear difference.",
                           "unclear"))
    best: tuple[float, str, float, float] | None = None
    for dept in study.runs[0][0].get("insight_reach", {}).get("by_department", {}):
        dm, dl, dh = study.paired(department_metrics(dept)[1], i)
        if _clear(dl, dh) and not math.isnan(dm) and (best is None or abs(dm) > abs(best[0])):
            assert dl is not None and dh is not None
            best = (dm, dept, dl, dh)
    if best is not None:
        dm, dept, dl, dh = best
        median = department_metrics(dept)[1]
        t_me = float(mean_ci(list(study.values(median, i)))[0])
        t_base = float(mean_ci(list(study.values(median, 0)))[0])
        out.append(Finding(
            f"With {me}, insights that reach {dept} typically get there in {hours_label(t_me)} instead of "
            f"{hours_label(t_base)} (median time; 95% CI of the change {_dh(dl)} to {_dh(dh)}).",
            "better" if dm < 0 else "worse"))
    return out


def _load(study: Study, i: int, names: list[str]) -> list[Finding]:
    base, me = names[0], names[i]
    out = []
    for label, what in ((BUSIEST, "the busiest person's load"), (AFTER, "the share of work done after hours")):
        m, low, high = study.paired(label, i)
        if math.isnan(m) or not _clear(low, high):
            continue
        assert low is not None and high is not None
        a = float(mean_ci(list(study.values(label, i)))[0])
        b = float(mean_ci(list(study.values(label, 0)))[0])
        d = 1 if max(abs(a), abs(b)) < 0.1 else 0  # small shares (after hours) need the decimal to show a change
        out.append(Finding(f"{me} moves {what} to {_pct(a, d)} from {_pct(b, d)} with {base} "
                           f"({_pts(m, d)}; 95% CI {_pts(low, d)} to {_pts(high, d)}).", "worse" if m > 0 else "better"))
    heads = [float(study.values("head_count", j).mean()) for j in (0, i)]
    if heads[0] != heads[1]:
        cost = float(study.values("cost_per_year", i).mean() - study.values("cost_per_year", 0).mean())
        unit = study.scenarios[0].run.currency or "(currency not set)"
        money = f", {abs(cost):,.0f} {unit} a year {'more' if cost > 0 else 'less'} in salaries" if cost else ""
        people = f"{heads[1]:.0f} {'person' if heads[1] == 1 else 'people'}"
        out.append(Finding(f"{me} needs {people} instead of {heads[0]:.0f}{money}.",
                           "worse" if heads[1] > heads[0] else "better"))
    return out


def findings(study: Study) -> list[Finding]:
    """The headline: who leads on what, then each design against the baseline, in plain words.

    The first scenario of the study is the baseline.
    """
    names = [f"“{n}”" for n in short_names(study.designs)]
    horizon_days = study.scenarios[0].insights.horizon_days if study.scenarios[0].insights else None
    horizon = f"{horizon_days:g} days" if horizon_days is not None else "the horizon"
    out: list[Finding] = []
    reasons = study.table.attrs.get("unstable") or {}
    for name, design, design_id in zip(names, study.designs, study.design_ids, strict=True):
        if reasons.get(design_id):
            out.append(Finding(f"{name} does not keep up with its work — unstable: {'; '.join(reasons[design_id])}. "
                               "Its backlog grows without bound, so its latency figures only say how long the run was; "
                               "it is not called faster on any of them.", "worse", design))
    first = _summary_line(study, names)
    if first is not None:
        out.append(first)
    for i in range(1, len(study.designs)):
        mine = _latency(study, i, names)
        if study.runs[0] and "insight_reach" in study.runs[0][0]:
            mine += _reach(study, i, names, horizon)
        mine += _load(study, i, names)
        out += [Finding(f.text, f.tone, study.designs[i]) for f in mine]
    if study.replications < 5:
        out.append(Finding(f"Only {study.replications} replication(s) per design: intervals are wide and some "
                           "differences may not show; run more with --replications.", "unclear"))
    return out


class Row(NamedTuple):
    """One scorecard row: a metric, and per design its mean, 95% interval and verdict against the baseline."""

    id: str
    label: str
    unit: str
    #: +1 higher is better, -1 lower is better, 0 neither (not judged)
    direction: int
    #: (mean, ci_low, ci_high, verdict) per design; the verdict is the comparison table's, word for word
    cells: list[tuple[float, float | None, float | None, str]]
    #: the design clearly better than every other stable design on this row (None: no such design)
    best: int | None


@dataclass(frozen=True)
class Scorecard:
    """The primary figures per design, with the clearly best of each row and the verdict against the baseline."""

    designs: list[str]
    rows: list[Row]


#: the scorecard's order: waits, the work answered, customers, insights, load, people and money
_ORDER = ("silo_latency_rmst", "silo_latency_km_p90", "requests_answered_share", "reply_within_",
          "insight_reach_share", "utilization_max", "after_hours_share", "head_count", "cost_per_year")


def primary_ids(study: Study) -> list[str]:
    """The study's primary metric ids (the registry's flag, every reply target included), in the card's order."""
    present = list(dict.fromkeys(study.table.loc[study.table["primary"].astype(bool), "metric"]))
    rank = {mid: next((k for k, p in enumerate(_ORDER) if mid == p or (p.endswith("_") and mid.startswith(p))),
                      len(_ORDER)) for mid in present}
    return sorted(present, key=lambda mid: (rank[mid], present.index(mid)))


def clearly_best(study: Study, metric_id: str, direction: int) -> int | None:
    """The design clearly better than every other stable design on a metric (paired 95% intervals), or None.

    The rule the scorecard's shading states: a shaded cell is better than every other design's on its row
    with a paired interval that excludes zero, so a shaded design other than the baseline is also marked ▲
    whenever the baseline is stable. An unstable design is never in the running.
    """
    ranked, _ = _leader(study, metric_id, direction)
    if len(ranked) < 2:
        return None
    top = ranked[0]
    for other in ranked[1:]:
        _, low, high = study.paired(metric_id, top, other)
        if not _clear(low, high):
            return None
    return top


def scorecard(study: Study, ids: tuple[str, ...] | None = None) -> Scorecard:
    """The rows of the report's scorecard (metric ids; default the primary ones), read from the comparison table."""
    table = study.table
    rows = []
    for mid in primary_ids(study) if ids is None else ids:
        sub = table[table["metric"] == mid]
        if sub.empty or sub["mean"].isna().all():
            continue
        cells = [(float(r.mean), r.ci_low, r.ci_high, str(r.verdict)) for r in sub.itertuples(index=False)]
        m = study.metric(mid)
        best = clearly_best(study, mid, m.direction) if m.direction != 0 else None
        rows.append(Row(mid, m.label, m.unit, int(m.direction), cells, best))
    return Scorecard(short_names(study.designs), rows)
