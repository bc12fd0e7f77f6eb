"""The back-test's figures of an event log: handoffs per case and time in each group, on both sides.

Both sides go through :func:`visits` and :func:`handoff_figures`: the logs'
events as checked, and each simulated run's trace turned into the same
events (:mod:`orgsim.calibrate.trace`). Over the back-test's window:

* ``handoffs per case`` per case type — the mean number of times a case
  changed hands (its visits less one, the lead's triage included) over the
  cases that arrived in the window and were closed by its end, with a
  Student-t 95% interval;
* ``time in group p50 (h)`` per group — the Kaplan-Meier median of the
  holding time of the visits that began in the window (visits still going at
  the end are right-censored), with its interval.

Only the case types and groups of the logs are compared: a simulated case
type written as ``TYPE (starts at GROUP)`` counts as ``TYPE``.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from orgsim.calibrate.events import Doers
from orgsim.calibrate.routing import visits
from orgsim.calibrate.steps import base_type
from orgsim.calibrate.trace import trace_events

if TYPE_CHECKING:
    from orgsim.calibrate.document import Window
    from orgsim.calibrate.logs import Logs
    from orgsim.experiment.settings import Settings
    from orgsim.scenario.model import Scenario
    from orgsim.sim.result import Result

__all__ = ["handoff_figures", "observed_visits", "simulated_visits"]

Figure6 = tuple[str, str, float, float, float, float]  # figure, group, value, low, high, n


def observed_visits(logs: Logs, s: Scenario) -> pd.DataFrame:
    """The logs' visits (cases closed as the logs say)."""
    r = logs.requests
    cases = r[r.get("source", pd.Series("", index=r.index)) == "events"]
    closed = pd.Series(cases["completed"].notna().to_numpy(), index=cases["id"].astype(str))
    return visits(logs.events[logs.events["case"].isin(closed.index)], closed, logs.export_time, Doers.of(s))


def simulated_visits(result: Result, s: Scenario, window: Window) -> pd.DataFrame:
    """One traced run's visits, on the logs' clock; a case is closed when its answer reached the department."""
    traced = trace_events(result, s, window.start)
    e = traced.events
    if e.empty:
        return pd.DataFrame(columns=["case", "group", "type", "department", "enter", "hours", "open", "n", "k"])
    events = pd.DataFrame({"case": e["request"].astype(str), "time": window.clock0 + pd.to_timedelta(e["hours"], unit="h"),
                           "start": pd.NaT, "group": e["group"], "doer": e["doer"], "activity": e["activity"],
                           "lifecycle": e["lifecycle"], "resource": e["resource"], "line": np.arange(len(e)),
                           "department": e["department"], "type": e["type"].map(base_type)})
    export = window.clock0 + pd.Timedelta(hours=window.end)
    events = events[events["time"] < export]
    closed = events.groupby("case")["activity"].apply(lambda a: bool((a == "answered").any()))
    return visits(events, closed, export, Doers.of(s))


def _mean_ci(x: np.ndarray, level: float) -> tuple[float, float, float]:
    if len(x) == 0:
        return (float("nan"),) * 3
    m = float(x.mean())
    if len(x) < 2:
        return m, float("nan"), float("nan")
    half = float(stats.t.ppf(1 - (1 - level) / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return m, max(m - half, 0.0), m + half


def handoff_figures(v: pd.DataFrame, window: Window, level: float, types: set[tuple[str, str]] | None = None,
                    groups: set[str] | None = None, span: tuple[float, float] | None = None) -> list[Figure6]:
    """Handoffs per case (per type) and time in each group; only ``types`` and ``groups`` if given.

    ``span`` is the hours (on ``window``'s clock) the figures cover: the whole window unless given.
    """
    first, last = span if span is not None else (window.start, window.end)
    from orgsim.calibrate.backtest import km_quantile

    out: list[Figure6] = []
    if v.empty:
        return out
    v = v.assign(type=v["type"].map(base_type))
    if types is not None:
        v = v[[(d, t) in types for d, t in zip(v["department"], v["type"], strict=True)]]
    arrived = window.hours(v.groupby("case")["enter"].transform("min"))
    in_window = (arrived >= first) & (arrived < last)
    cases = v[in_window].groupby("case").agg(department=("department", "first"), type=("type", "first"),
                                             n=("n", "first"), open=("open", "any"))
    shut = cases[~cases["open"]]
    for (dept, rtype), c in shut.groupby(["department", "type"], sort=True):
        m, lo, hi = _mean_ci((c["n"] - 1).to_numpy(float), level)
        out.append(("handoffs per case", f"{dept} / {rtype}", m, lo, hi, float(len(c))))
    began = window.hours(v["enter"])
    w = v[(began >= first) & (began < last)]
    for group, gv in sorted(w.groupby("group"), key=lambda x: str(x[0])):
        if groups is not None and group not in groups:
            continue
        t, done = gv["hours"].to_numpy(float), ~gv["open"].to_numpy()
        out.append(("time in group p50 (h)", str(group), *km_quantile(t, done, 0.5, level), float(len(gv))))
    return out


def traced_runs(scenario: Scenario, settings: Settings) -> list[Result]:
    """``replicate`` with the trace on (the same child seeds, so the runs are the untraced ones, with their trace)."""
    from orgsim.experiment.parallel import run_pool
    from orgsim.experiment.replications import replication_seeds
    from orgsim.scenario.limits import check_work
    from orgsim.sim.arguments import check_arguments
    from orgsim.sim.engine import simulate

    check_arguments(scenario, settings.replications, settings.seed, settings.workers)
    check_work([scenario], settings.replications, allow_large=settings.allow_large)
    return list(run_pool(partial(simulate, scenario, trace=True), replication_seeds(settings.seed, settings.replications),
                         settings.workers, settings.scheduler, None))
