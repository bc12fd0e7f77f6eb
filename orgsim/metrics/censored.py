"""Unanswered work counted: silo latency with requests still open at the horizon right-censored at their age.

A request answered inside the run has an exact latency; one still open at the
horizon has waited *at least* its age (horizon − arrived). Averaging the
answered ones only drops exactly the longest waits, and flatters a design the
more work it leaves unanswered. Here:

- **restricted mean** (RMST) = ∫₀^τ S(t) dt, S the Kaplan–Meier survival curve
  of the latencies with open requests censored at their age. τ is the longest
  wait the run observed — the largest latency or open age — which is at most
  the window's length (horizon − warm-up). It is the mean of min(latency, τ).
  Beyond the longest wait seen the curve carries no information, so τ stops
  there rather than at the window's end: restricting to the window would count
  every request still open past the last answer as waiting the whole window
  (on the audience example, a week-old People backlog turned 20 h into 38 h).
  It is never below the lower bound that counts every open request at its age
  (``lower_bound_mean``), and equals it when nothing is open.
- **p50, p90** from the same curve (Kaplan–Meier percentiles). When the curve
  stays above 10% up to τ, the p90 lies beyond the longest wait observed:
  reported as τ (a lower bound) with ``p90_beyond_window`` true.
- **answered share** = answered / arrived (in the window); **backlog at the
  end** = requests open at the horizon, whenever they arrived.

Kaplan–Meier is scipy's (``scipy.stats.ecdf`` on ``scipy.stats.CensoredData``),
not written here. Censoring at the horizon is administrative (it depends only
on when a request arrived), which is what Kaplan–Meier assumes; it further
assumes the latency does not drift with the arrival time, which a growing
backlog breaks — such a design is flagged unstable
(:mod:`orgsim.metrics.stability`) and its figures are lower bounds.

>>> import numpy as np
>>> f = censored_latency(np.array([0.0, 1.0, 2.0]), np.array([2.0, np.nan, np.nan]), horizon=4.0, window=4.0)
>>> f["tau_hours"], round(f["lower_bound_mean"], 4), round(f["rmst"], 4), round(f["answered_share"], 4)
(3.0, 2.3333, 2.6667, 0.3333)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["FULL_MODE_ONLY", "censored_latency"]

#: the figures that need every request's latency or age (Kaplan–Meier): NaN in summary mode
FULL_MODE_ONLY = ("rmst", "p50", "p90", "p90_beyond_window", "tau_hours")

NAN = float("nan")


def censored_latency(arrived: np.ndarray, answered: np.ndarray, horizon: float, window: float) -> dict[str, Any]:
    """Censored latency figures of requests that arrived at ``arrived`` and were answered at ``answered`` (NaN: open).

    ``window`` (hours) caps the restriction time τ; τ itself is the longest wait observed.
    """
    arrived = np.asarray(arrived, dtype=float)
    answered = np.asarray(answered, dtype=float)
    done = ~np.isnan(answered)
    n = len(arrived)
    out: dict[str, Any] = {"arrived": int(n), "answered": int(done.sum()),
                           "answered_share": float(done.mean()) if n else NAN}
    if n == 0:
        return {**out, "tau_hours": NAN, "rmst": NAN, "lower_bound_mean": NAN, "p50": NAN, "p90": NAN,
                "p90_beyond_window": False}
    latency = answered[done] - arrived[done]
    age = horizon - arrived[~done]
    waits = np.concatenate([latency, age])
    tau = out["tau_hours"] = float(min(window, waits.max()))
    out["lower_bound_mean"] = float(waits.mean())
    if not done.any():  # nothing answered: the survival curve never drops inside the window
        return {**out, "rmst": float(tau), "p50": float(tau), "p90": float(tau), "p90_beyond_window": True}
    from scipy.stats import CensoredData, ecdf  # imported on use: validate and estimate never load scipy.stats

    sf = ecdf(CensoredData(uncensored=latency, right=age)).sf
    times, surv = sf.quantiles, sf.probabilities
    keep = times < tau
    # S is a right-continuous step function: S = 1 before the first time, surv[i] on [times[i], times[i+1])
    edges = np.concatenate([[0.0], times[keep], [tau]])
    levels = np.concatenate([[1.0], surv[keep]])
    out["rmst"] = float(np.sum(levels * np.diff(edges)))
    out["p50"], b50 = _quantile(times, surv, 0.5, tau)
    out["p90"], b90 = _quantile(times, surv, 0.9, tau)
    out["p90_beyond_window"] = b90
    return out


def _quantile(times: np.ndarray, surv: np.ndarray, q: float, tau: float) -> tuple[float, bool]:
    """The first time the survival curve falls to 1 − q or below; τ (and True) when it never does inside τ."""
    hit = np.nonzero(surv <= 1 - q + 1e-12)[0]
    if not len(hit) or times[hit[0]] > tau or math.isnan(times[hit[0]]):
        return float(tau), True
    return float(times[hit[0]]), False
