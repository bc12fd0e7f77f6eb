"""What one run leaves behind: tables built once, at the end of the run.

``requests`` has one row per request that arrived (answered or still open),
``messages`` one row per inbound message, ``people`` one row per person or
outside approver. Times are hours on the simulation clock. Rows that arrived
during the warm-up are kept and flagged ``in_window = False``; the measures
in :mod:`orgsim.metrics` leave them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from orgsim.sim.insights import INSIGHT_COLUMNS
from orgsim.sim.tally import REPLY_TARGETS_HOURS, LocalClock

if TYPE_CHECKING:
    import pandas as pd

    from orgsim.sim.engine import Model
    from orgsim.sim.tally import Tally

__all__ = ["REQUEST_FIELDS", "Result"]

#: per-request measurements filled in by the engine when a request is answered
REQUEST_FIELDS = (
    "answered",
    "queue_hours",
    "work_hours",
    "handoff_hours",
    "approval_hours",
    "person_hours",
    "handoffs",
    "cross_group_handoffs",
    "parts",
    "reworked",
)
#: the fields of ``REQUEST_FIELDS`` that are counts (``Int64`` columns, empty while unanswered)
COUNT_FIELDS = frozenset({"handoffs", "cross_group_handoffs", "parts", "reworked"})


@dataclass
class Result:
    """One replication of one scenario."""

    scenario: str
    structure: str
    seed: int | None
    horizon_hours: float
    warmup_hours: float
    requests: pd.DataFrame
    messages: pd.DataFrame
    people: pd.DataFrame
    #: time-integral of the number of open requests / messages over the window
    in_system_hours: dict[str, float]
    log: pd.DataFrame | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    #: one row per (insight, relevant department) pair; see :mod:`orgsim.sim.insights`
    insights: pd.DataFrame = field(default_factory=lambda: _no_insights())
    #: summary mode: the running tallies; ``requests`` and ``messages`` are then empty
    tally: Tally | None = None
    #: the scenario's ``run.reply_targets_hours``
    reply_targets_hours: tuple[float, ...] = REPLY_TARGETS_HOURS
    #: the demand's local clock (which arrivals came at night or on a weekend)
    clock: LocalClock = field(default_factory=LocalClock)
    #: requests / messages still open at the horizon, whenever they arrived (the backlog at the end)
    open_at_end: dict[str, int] = field(default_factory=dict)

    @property
    def window_hours(self) -> float:
        return self.horizon_hours - self.warmup_hours

    @classmethod
    def collect(cls, m: Model) -> Result:
        import pandas as pd  # here, not at the top: importing the engine (`orgsim estimate`) needs no pandas

        s, a = m.scenario, m.arr
        kinds = m.kinds
        summary = m.tally is not None
        req_kind = a.req_kind[:0] if summary else a.req_kind  # summary mode: empty tables, same columns
        # per request, looked up from per-kind arrays (a Python loop over every request cost more than the run's
        # tables took otherwise)
        departments = list(dict.fromkeys(k.department for k in kinds))
        names = list(dict.fromkeys(k.name for k in kinds))
        dept_code = np.array([departments.index(k.department) for k in kinds], dtype=np.intp)
        name_code = np.array([names.index(k.name) for k in kinds], dtype=np.intp)
        priority = pd.array([k.spec.priority for k in kinds], dtype="str")
        n_req = len(req_kind)
        arrived, answered = a.req_time[:n_req], m.rec["answered"]
        # every column built whole, then one frame: a column set afterwards (``astype("Int64")``, the
        # latency) rebuilt the frame's blocks each time, the largest cost of a year's tables
        requests = pd.DataFrame({
            "request": np.arange(n_req),
            "department": pd.Categorical.from_codes(dept_code[req_kind], categories=departments, validate=False),
            "request_type": pd.Categorical.from_codes(name_code[req_kind], categories=names, validate=False),
            "priority": priority.take(req_kind),
            "arrived": arrived,
            **{f: _counts(v) if f in COUNT_FIELDS else v for f, v in m.rec.items()},
            "latency_hours": answered - arrived,
            "in_window": arrived >= m.warmup,
        })
        n_msg = len(m.msg_done)
        msg_arrived = a.msg_time[:n_msg]
        messages = pd.DataFrame({
            "channel": pd.Categorical.from_codes(a.msg_channel[:n_msg], categories=s.channels, validate=False),
            "audience": pd.Categorical.from_codes(a.msg_audience[:n_msg], categories=s.audiences, validate=False),
            "arrived": msg_arrived,
            "answered": m.msg_done,
            "reply_hours": m.msg_done - msg_arrived,
            "in_window": msg_arrived >= m.warmup,
        })
        team = set(s.team.people)
        pods_of: dict[str, list[str]] = {}
        for pname, pod in s.structure.pods.items():
            for member in pod.members:
                pods_of.setdefault(member, []).append(pname)
        rows = []
        for w in m.workers.values():
            duty = w.cal.duty_between(m.warmup, m.horizon)
            in_team = w.name in team
            rows.append({
                "person": w.name,
                "in_team": in_team,
                "role": s.team.people[w.name].role if in_team else "approver",
                "pods": ",".join(pods_of.get(w.name, [])),
                "duty_hours": duty,
                "busy_hours": w.busy,
                "after_hours": w.after,
                "tasks_done": w.done,
                "utilization": w.busy / duty if duty > 0 else np.nan,
                "cost_per_year": s.team.people[w.name].cost_per_year if in_team else 0.0,
            })
        log = None
        if m.log is not None:
            log = pd.DataFrame(m.log, columns=["time", "event", "kind", "item", "where"])
        seed = m.seed.entropy if isinstance(m.seed.entropy, int) and not m.seed.spawn_key else None
        return cls(
            scenario=s.name,
            structure=s.structure.kind,
            seed=seed,
            horizon_hours=m.horizon,
            warmup_hours=m.warmup,
            requests=requests,
            messages=messages,
            people=pd.DataFrame(rows),
            in_system_hours={k: v[1] for k, v in m.level.items()},
            log=log,
            extras={"insight_horizon_hours": m.insight_spread.window} if m.insight_spread is not None else {},
            insights=m.insight_spread.table() if m.insight_spread is not None else _no_insights(),
            tally=m.tally,
            reply_targets_hours=tuple(s.run.reply_targets_hours),
            clock=m.clock,
            open_at_end={k: int(v[0]) for k, v in m.level.items()},
        )


def _counts(values: np.ndarray) -> Any:
    """A count column (floats, NaN while unanswered) as pandas' nullable ``Int64``."""
    import pandas as pd

    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)


def _no_insights() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns=list(INSIGHT_COLUMNS))
