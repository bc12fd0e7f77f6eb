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
* ``messages`` / ``requests in week k`` — arrivals per whole 7-day week.

The bands: the observed figure's 95% interval is its sampling error (Wilson
for shares, Kaplan-Meier's for quantiles, exact Poisson for counts); the
simulated band is a prediction interval for one more run (mean ± t·sd·√(1+1/R)
over R replications), because the logs are one realisation of the process,
not its average. A figure is *inside* when the two intervals overlap.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from orgsim.calibrate.build import WARMUP_DAYS, Window
from orgsim.calibrate.logs import Logs
from orgsim.errors import OrgsimError
from orgsim.experiment import replicate
from orgsim.scenario.model import Scenario
from orgsim.scenario.overrides import with_changes

__all__ = ["TARGETS", "Backtest", "backtest", "key_figures", "over_period"]

#: reply targets in hours: about half of consumers expect a reply within 1 h,
#: 79% within 24 h (Arise 2017; HubSpot), and 4 h sits between (DOMAIN.md)
TARGETS = (1.0, 4.0, 24.0)

Figure = tuple[str, str, float, float, float]  # figure, group, value, low, high


def _km_quantile(t: np.ndarray, done: np.ndarray, p: float, level: float) -> tuple[float, float, float]:
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
    out: list[Figure] = []
    m = messages[(messages["arrived"] >= start) & (messages["arrived"] < end)]
    r = requests[(requests["arrived"] >= start) & (requests["arrived"] < end)]
    m_wait = (m["answered"].where(m["answered"] <= end) - m["arrived"]).to_numpy(float)
    m_age = end - m["arrived"].to_numpy(float)
    old = m_age >= max(TARGETS)
    for target in TARGETS:
        hits, n = int((m_wait[old] <= target).sum()), int(old.sum())
        if n:
            ci = stats.binomtest(hits, n).proportion_ci(level, method="wilson")
            out.append((f"answered within {target:g} h", "all channels", hits / n, ci.low, ci.high))
    chan = m["channel"].astype(str).to_numpy()
    for c in sorted(set(chan)):
        sel = chan == c
        done = np.isfinite(m_wait[sel])
        t = np.where(done, m_wait[sel], m_age[sel])
        for p in (0.5, 0.9):
            out.append((f"reply p{p * 100:.0f} (h)", c, *_km_quantile(t, done, p, level)))
    r_wait = (r["answered"].where(r["answered"] <= end) - r["arrived"]).to_numpy(float)
    r_age = end - r["arrived"].to_numpy(float)
    dept = r["department"].astype(str).to_numpy()
    for d in sorted(set(dept)):
        sel = dept == d
        done = np.isfinite(r_wait[sel])
        out.append(("latency p50 (h)", d, *_km_quantile(np.where(done, r_wait[sel], r_age[sel]), done, 0.5, level)))
    weeks = int((end - start + 1) // (7 * 24))  # an export a few minutes short of a whole week still counts it
    for name, table in (("messages", m), ("requests", r)):
        counts: np.ndarray = (np.histogram(table["arrived"], bins=start + 7 * 24 * np.arange(weeks + 1))[0]
                              if weeks else np.array([], int))
        for k, n in enumerate(counts, 1):
            a = (1 - level) / 2
            lo = stats.chi2.ppf(a, 2 * n) / 2 if n else 0.0
            out.append((f"{name} per week", f"week {k}", float(n), float(lo), float(stats.chi2.ppf(1 - a, 2 * n + 2) / 2)))
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
    reqs = pd.DataFrame({"department": r["department"], "arrived": window.hours(r["created"]),
                         "answered": window.hours(r["completed"])}) if len(r) else \
        pd.DataFrame(columns=["department", "arrived", "answered"], dtype=float)
    return msgs, reqs


def backtest(scenario: Scenario, logs: Logs, replications: int = 5, seed: int | None = None,
             holdout_from: pd.Timestamp | None = None, level: float = 0.95, workers: int | None = 1,
             familywise: bool = False, allow_large: bool = False) -> Backtest:
    """Observed vs simulated key figures over the logs' period (or from ``holdout_from`` on).

    ``familywise`` widens every band (Bonferroni) so that ``level`` holds for
    the claim "all figures are inside" rather than for each figure alone.
    ``allow_large`` lifts the size limits, as ``orgsim --allow-large`` does.
    """
    window = Window.of(logs, WARMUP_DAYS)
    if holdout_from is not None:
        if not window.origin <= holdout_from < logs.export_time - pd.Timedelta(days=1):
            raise OrgsimError(f"--holdout-from: expected a time between the logs' first day {window.origin:%Y-%m-%d} "
                              f"and a day before their export {logs.export_time:%Y-%m-%d %H:%M}, got {holdout_from}")
        window = Window(holdout_from, logs.export_time, WARMUP_DAYS)
    tables = _observed(logs, window)
    if familywise:
        level = 1 - (1 - level) / len(key_figures(*tables, window.start, window.end, level))
    obs = key_figures(*tables, window.start, window.end, level)
    sim_scenario = over_period(scenario, window, allow_large=allow_large)
    runs = replicate(sim_scenario, replications, seed=seed, workers=workers, allow_large=allow_large)
    sims = [key_figures(res.messages, res.requests, window.start, window.end, level) for res in runs]
    by_key = [{(f, g): v for f, g, v, _, _ in s} for s in sims]
    rows = []
    tq = stats.t.ppf(1 - (1 - level) / 2, max(replications - 1, 1))
    for f, g, v, lo, hi in obs:
        vals = np.array([k.get((f, g), np.nan) for k in by_key], float)
        vals = vals[~np.isnan(vals)]
        if len(vals) == 0:
            mean = s_lo = s_hi = float("nan")
        elif np.isinf(vals).any():
            mean = s_lo = s_hi = float("inf") if np.isinf(vals).all() else float(np.median(vals))
            s_hi = float("inf")
            s_lo = float(vals.min())
        else:
            mean = float(vals.mean())
            half = tq * float(vals.std(ddof=1)) * np.sqrt(1 + 1 / len(vals)) if len(vals) > 1 else 0.0
            s_lo, s_hi = max(mean - half, 0.0), mean + half
            if f.startswith("answered"):
                s_hi = min(s_hi, 1.0)
        inside = not np.isnan(mean) and not (s_hi < lo or s_lo > hi)
        rows.append({"figure": f, "group": g, "observed": v, "observed_low": lo, "observed_high": hi,
                     "simulated": mean, "simulated_low": s_lo, "simulated_high": s_hi, "inside": inside,
                     "verdict": "inside" if inside else ("model higher" if s_lo > hi else "model lower")})
    return Backtest(pd.DataFrame(rows), window, replications, level)
