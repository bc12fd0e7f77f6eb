"""Back-test: simulate the as-is design over the logs' period and compare key figures.

Both sides go through the same function (:func:`key_figures`) on the same
kind of table (arrival and answer times in hours on one clock; unanswered
items are open at the end of the window), so a figure means the same on
both sides:

* ``answered within 1/4/24 h`` — share of the messages that arrived at least
  24 h before the end whose first response came within the target;
* ``reply p50`` / ``reply p90`` per channel and ``latency p50`` per department —
  Kaplan-Meier quantiles (items open at the end are right-censored; ``inf``
  when too many are open to reach the quantile);
* ``messages`` / ``requests in week k`` — arrivals per whole 7-day week;
* from an event log, ``handoffs per case`` and ``time in group p50`` (see
  :mod:`orgsim.calibrate.handoffs`).

Only what the logs observed is compared: message figures when a message
log was given, and only on its channels; request figures when a request or
event log was given, and only for its departments and types.

The bands: the observed figure's 95% interval is its sampling error (Wilson
for shares, Kaplan-Meier's for quantiles, exact Poisson for counts, Student
t for means). The simulated band is a prediction interval for the figure as
the logs would show it: the spread of one more run (± t·sd·√(1+1/R) over R
replications, because the logs are one realisation of the process, not its
average) plus, in quadrature, the observed figure's own sampling error at
the model's value (Wilson at the simulated share with the observed count,
Poisson at the simulated count, the observed interval's widths for
quantiles and means). So the band has width even when every run gives the
same figure (all answered within 24 h); where the runs already show the
sampling error it is up to √2 wider than needed, a cautious choice. A figure
is *inside* when the observed value is in the simulated band.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from orgsim.calibrate.build import WARMUP_DAYS, Window
from orgsim.calibrate.logs import Logs
from orgsim.calibrate.steps import base_type
from orgsim.errors import OrgsimError
from orgsim.experiment.replications import replicate_with
from orgsim.experiment.settings import Settings
from orgsim.scenario.model import Scenario
from orgsim.scenario.overrides import with_changes
from orgsim.sim.result import Result

__all__ = ["TARGETS", "Backtest", "backtest", "key_figures", "km_quantile", "over_period"]

#: reply targets in hours: about half of consumers expect a reply within 1 h,
#: 79% within 24 h (Arise 2017; HubSpot), and 4 h sits between (DOMAIN.md)
TARGETS = (1.0, 4.0, 24.0)

Figure = tuple[str, str, float, float, float]  # figure, group, value, low, high
Figure6 = tuple[str, str, float, float, float, float]  # ... and the count it rests on


def km_quantile(t: np.ndarray, done: np.ndarray, p: float, level: float) -> tuple[float, float, float]:
    """Kaplan-Meier p-quantile of durations ``t`` (``done`` False: censored) with its interval."""
    if len(t) == 0 or not done.any():
        return (float("nan"),) * 3
    data = stats.CensoredData(uncensored=np.maximum(t[done], 0), right=np.maximum(t[~done], 0))
    sf = stats.ecdf(data).sf

    def cross(q: np.ndarray, prob: np.ndarray) -> float:
        hit = q[prob <= 1 - p]
        return float(hit[0]) if len(hit) else float("inf")

    with warnings.catch_warnings():  # undefined at the tails: those times simply never bound the quantile
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = sf.confidence_interval(level)
    # the lower survival band crosses 1 - p first: it gives the quantile's lower bound
    return cross(sf.quantiles, sf.probabilities), cross(ci.low.quantiles, np.nan_to_num(ci.low.probabilities, nan=0.0)), \
        cross(ci.high.quantiles, np.nan_to_num(ci.high.probabilities, nan=1.0))


def key_figures(messages: pd.DataFrame, requests: pd.DataFrame, start: float, end: float,
                level: float = 0.95) -> list[Figure]:
    """The back-test's figures from tables with ``arrived`` / ``answered`` hours (NaN: open).

    ``messages`` needs ``channel``, ``requests`` needs ``department``; rows
    outside ``[start, end)`` are ignored; answers after ``end`` count as open.
    """
    return [f[:5] for f in _figures(messages, requests, start, end, level)]  # type: ignore[misc]


def _figures(messages: pd.DataFrame, requests: pd.DataFrame, start: float, end: float, level: float,
             kinds: frozenset[str] = frozenset({"messages", "requests"})) -> list[Figure6]:
    """:func:`key_figures`, each with the count it rests on; only the ``kinds`` of figure given."""
    out: list[Figure6] = []
    m = messages[(messages["arrived"] >= start) & (messages["arrived"] < end)]
    r = requests[(requests["arrived"] >= start) & (requests["arrived"] < end)]
    if "messages" not in kinds:
        m = m.iloc[:0]
    if "requests" not in kinds:
        r = r.iloc[:0]
    m_wait = (m["answered"].where(m["answered"] <= end) - m["arrived"]).to_numpy(float)
    m_age = end - m["arrived"].to_numpy(float)
    old = m_age >= max(TARGETS)
    for target in TARGETS:
        hits, n = int((m_wait[old] <= target).sum()), int(old.sum())
        if n:
            ci = stats.binomtest(hits, n).proportion_ci(level, method="wilson")
            out.append((f"answered within {target:g} h", "all channels", hits / n, ci.low, ci.high, float(n)))
    chan = m["channel"].astype(str).to_numpy()
    for c in sorted(set(chan)):
        sel = chan == c
        done = np.isfinite(m_wait[sel])
        t = np.where(done, m_wait[sel], m_age[sel])
        for p in (0.5, 0.9):
            out.append((f"reply p{p * 100:.0f} (h)", c, *km_quantile(t, done, p, level), float(sel.sum())))
    r_wait = (r["answered"].where(r["answered"] <= end) - r["arrived"]).to_numpy(float)
    r_age = end - r["arrived"].to_numpy(float)
    dept = r["department"].astype(str).to_numpy()
    for d in sorted(set(dept)):
        sel = dept == d
        done = np.isfinite(r_wait[sel])
        out.append(("latency p50 (h)", d, *km_quantile(np.where(done, r_wait[sel], r_age[sel]), done, 0.5, level),
                    float(sel.sum())))
    weeks = int((end - start + 1) // (7 * 24))  # an export a few minutes short of a whole week still counts it
    for name, table in (("messages", m), ("requests", r)):
        if name not in kinds:
            continue
        counts: np.ndarray = (np.histogram(table["arrived"], bins=start + 7 * 24 * np.arange(weeks + 1))[0]
                              if weeks else np.array([], int))
        for k, n in enumerate(counts, 1):
            a = (1 - level) / 2
            lo = stats.chi2.ppf(a, 2 * n) / 2 if n else 0.0
            out.append((f"{name} per week", f"week {k}", float(n), float(lo), float(stats.chi2.ppf(1 - a, 2 * n + 2) / 2),
                        float(n)))
    return out


def over_period(scenario: Scenario, window: Window, *, allow_large: bool = False) -> Scenario:
    """``scenario`` with its clock set to ``window`` (after a warm-up); bursts keep their dates.

    A burst wholly outside the simulated period is left out; one that starts
    before it is clipped to the part inside. ``allow_large`` lifts the size
    limits (a period of logs longer than ten years) as for the loader.
    """
    shift = (scenario.run.start_date - window.start_date).days
    horizon = window.warmup_days + window.days
    bursts = {}
    for name, b in scenario.demand.bursts.items():
        start, end = b.start_day + shift, b.start_day + shift + b.days
        if end > 0 and start < horizon:
            bursts[name] = b.model_copy(update={"start_day": max(start, 0.0), "days": end - max(start, 0.0)})
    moved = scenario.model_copy(update={"demand": scenario.demand.model_copy(update={"bursts": bursts})})
    return with_changes(moved, {"run.start_date": window.start_date, "run.warmup_days": window.warmup_days,
                                "run.horizon_days": horizon}, allow_large=allow_large)


@dataclass
class Backtest:
    table: pd.DataFrame
    window: Window
    replications: int
    level: float = 0.95  #: of each figure's bands

    @property
    def outside(self) -> pd.DataFrame:
        return self.table[~self.table["inside"]]


def _observed(logs: Logs, window: Window) -> tuple[pd.DataFrame, pd.DataFrame]:
    m, r = logs.messages, logs.requests
    msgs = pd.DataFrame({"channel": m["channel"], "arrived": window.hours(m["received"]),
                         "answered": window.hours(m["responded"])}) if len(m) else \
        pd.DataFrame(columns=["channel", "arrived", "answered"], dtype=float)
    reqs = pd.DataFrame({"department": r["department"], "type": r["type"], "arrived": window.hours(r["created"]),
                         "answered": window.hours(r["completed"])}) if len(r) else \
        pd.DataFrame(columns=["department", "type", "arrived", "answered"], dtype=float)
    return msgs, reqs


def _like_observed(res: Result, logs: Logs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A run's messages and requests restricted to what the logs show: their channels, departments and types."""
    m, r = res.messages, res.requests
    m = m[m["channel"].astype(str).isin(set(logs.messages["channel"]))] if len(logs.messages) else m.iloc[:0]
    if len(logs.requests):
        seen = set(zip(logs.requests["department"], logs.requests["type"], strict=True))
        pairs = zip(r["department"].astype(str), r["request_type"].astype(str).map(base_type), strict=True)
        r = r[[p in seen for p in pairs]]
    else:
        r = r.iloc[:0]
    return m, r


def _sampling(f: str, mean: float, n: float, v: float, lo: float, hi: float, level: float) -> tuple[float, float]:
    """The observed figure's own sampling error at the model's value: (below, above) ``mean``."""
    z = float(stats.norm.ppf(1 - (1 - level) / 2))
    if f.startswith("answered"):  # Wilson at the simulated share, with the observed count of messages
        p, k = min(max(mean, 0.0), 1.0), max(n, 1.0)
        centre = (p + z * z / (2 * k)) / (1 + z * z / k)
        half = z / (1 + z * z / k) * np.sqrt(p * (1 - p) / k + z * z / (4 * k * k))
        return max(mean - (centre - half), 0.0), max(centre + half - mean, 0.0)
    if f.endswith("per week"):  # exact Poisson at the simulated count
        a = (1 - level) / 2
        return mean - stats.chi2.ppf(a, 2 * mean) / 2 if mean > 0 else 0.0, stats.chi2.ppf(1 - a, 2 * mean + 2) / 2 - mean
    below = v - lo if np.isfinite(v) and np.isfinite(lo) else 0.0  # quantiles, means: the observed interval's widths
    above = hi - v if np.isfinite(v) and np.isfinite(hi) else float("inf")
    return max(below, 0.0), max(above, 0.0)


def _row(f: str, g: str, v: float, lo: float, hi: float, n: float, vals: np.ndarray, level: float) -> dict[str, object]:
    vals = vals[~np.isnan(vals)]
    tq = stats.t.ppf(1 - (1 - level) / 2, max(len(vals) - 1, 1))
    if len(vals) == 0:
        mean = s_lo = s_hi = float("nan")
    elif np.isinf(vals).any():
        mean = float("inf") if np.isinf(vals).all() else float(np.median(vals))
        s_lo, s_hi = float(vals.min()), float("inf")
    else:
        mean = float(vals.mean())
        half = tq * float(vals.std(ddof=1)) * np.sqrt(1 + 1 / len(vals)) if len(vals) > 1 else 0.0
        below, above = _sampling(f, mean, n, v, lo, hi, level)
        s_lo, s_hi = max(mean - float(np.hypot(half, below)), 0.0), mean + float(np.hypot(half, above))
        if f.startswith("answered"):
            s_hi = min(s_hi, 1.0)
    inside = not np.isnan(mean) and s_lo <= v <= s_hi
    verdict = "inside" if inside else "not in the runs" if np.isnan(mean) else \
        ("model higher" if s_lo > v else "model lower")
    return {"figure": f, "group": g, "observed": v, "observed_low": lo, "observed_high": hi, "simulated": mean,
            "simulated_low": s_lo, "simulated_high": s_hi, "inside": inside, "verdict": verdict}


def backtest(scenario: Scenario, logs: Logs, replications: int = 5, seed: int | None = None,
             holdout_from: pd.Timestamp | None = None, level: float = 0.95, workers: int | None = 1,
             familywise: bool = False, allow_large: bool = False) -> Backtest:
    """Observed vs simulated key figures over the logs' period (or from ``holdout_from`` on).

    ``familywise`` widens every band (Bonferroni) so that ``level`` holds for
    the claim "all figures are inside" rather than for each figure alone.
    ``allow_large`` lifts the size limits, as ``orgsim --allow-large`` does.
    Event logs add handoffs per case and time in each group; their runs keep
    a trace (the same runs, with the trace kept).
    """
    from orgsim.calibrate.handoffs import handoff_figures, observed_visits, simulated_visits, traced_runs

    window = shown = Window.of(logs, WARMUP_DAYS)  # the runs: from the logs' first day, after the warm-up
    start, end = window.start, window.end  # the figures: hours on the runs' clock
    if holdout_from is not None:
        if not window.origin <= holdout_from < logs.export_time - pd.Timedelta(days=1):
            raise OrgsimError(f"--holdout-from: expected a time between the logs' first day {window.origin:%Y-%m-%d} "
                              f"and a day before their export {logs.export_time:%Y-%m-%d %H:%M}, got {holdout_from}")
        # the runs still start at the logs' first day: the hold-out begins with the backlog the fitted
        # period left (a launch's, say), as the company's did; only its figures are compared
        shown = Window(holdout_from, logs.export_time, WARMUP_DAYS)
        start = float(window.hours(holdout_from))
    kinds = frozenset({"messages"} & logs.kinds | ({"requests"} if logs.kinds & {"requests", "events"} else set()))
    tables = _observed(logs, window)
    events = "events" in logs.kinds
    seen_v = observed_visits(logs, scenario) if events else None
    types = set(zip(logs.requests["department"], logs.requests["type"], strict=True)) if len(logs.requests) else set()

    def figures(level: float) -> list[Figure6]:
        out = _figures(*tables, start, end, level, kinds)
        return out + (handoff_figures(seen_v, window, level, span=(start, end)) if seen_v is not None else [])

    if familywise:
        level = 1 - (1 - level) / max(len(figures(level)), 1)
    obs = figures(level)
    sim_scenario = over_period(scenario, window, allow_large=allow_large)
    settings = Settings.fold(sim_scenario.run, replications=replications, seed=seed, workers=workers,
                             allow_large=allow_large)
    runs = traced_runs(sim_scenario, settings) if events else replicate_with(sim_scenario, settings)
    groups = {g for f, g, *_ in obs if f.startswith("time in group")}
    sims = []
    for res in runs:
        m, r = _like_observed(res, logs)
        one = _figures(m, r, start, end, level, kinds)
        if events:
            one += handoff_figures(simulated_visits(res, sim_scenario, window), window, level, types, groups,
                                   span=(start, end))
        sims.append({(f, g): v for f, g, v, *_ in one})
    rows = [_row(f, g, v, lo, hi, n, np.array([k.get((f, g), np.nan) for k in sims], float), level)
            for f, g, v, lo, hi, n in obs]
    return Backtest(pd.DataFrame(rows), shown, replications, level)
