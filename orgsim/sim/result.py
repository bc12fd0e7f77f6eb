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
from orgsim.sim.record import TableRecorder, TallyRecorder
from orgsim.sim.tally import REPLY_TARGETS_HOURS, LocalClock

if TYPE_CHECKING:
    import pandas as pd

    from orgsim.scenario.kinds import RequestKind
    from orgsim.sim.context import RunContext
    from orgsim.sim.demand import Arrivals
    from orgsim.sim.insights import InsightSpread
    from orgsim.sim.record import Recorder
    from orgsim.sim.tally import Tally

__all__ = ["Result"]

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
    def collect(cls, ctx: RunContext, recorder: Recorder, arrived: Arrivals, kinds: list[RequestKind],
                clock: LocalClock, insight_spread: InsightSpread | None) -> Result:
        """The tables of a finished run: ``arrived`` holds its arrivals (full mode: all of them)."""
        import pandas as pd  # here, not at the top: importing the engine (`orgsim estimate`) needs no pandas

        s = ctx.scenario
        full = isinstance(recorder, TableRecorder)
        tally = recorder.tally if isinstance(recorder, TallyRecorder) else None
        req_kind = arrived.req_kind if full else arrived.req_kind[:0]  # summary mode: empty tables, same columns
        # per request, looked up from per-kind arrays (a Python loop over every request cost more than the run's
        # tables took otherwise)
        departments = list(dict.fromkeys(k.department for k in kinds))
        names = list(dict.fromkeys(k.name for k in kinds))
        dept_code = np.array([departments.index(k.department) for k in kinds], dtype=np.intp)
        name_code = np.array([names.index(k.name) for k in kinds], dtype=np.intp)
        priority = pd.array([k.spec.priority for k in kinds], dtype="str")
        n_req = len(req_kind)
        arrived_at = arrived.req_time[:n_req]
        columns = recorder.columns() if isinstance(recorder, TableRecorder) else {
            q.name: np.zeros(0) for q in recorder.quantities}
        count = {q.name for q in recorder.quantities if q.count}
        # every column built whole, then one frame: a column set afterwards (``astype("Int64")``, the
        # latency) rebuilt the frame's blocks each time, the largest cost of a year's tables
        requests = pd.DataFrame({
            "request": np.arange(n_req),
            "department": pd.Categorical.from_codes(dept_code[req_kind], categories=departments, validate=False),
            "request_type": pd.Categorical.from_codes(name_code[req_kind], categories=names, validate=False),
            "priority": priority.take(req_kind),
            "arrived": arrived_at,
            **{name: _counts(v) if name in count else v for name, v in columns.items()},
            "latency_hours": (columns["answered"] if "answered" in columns else np.full(n_req, np.nan)) - arrived_at,
            "in_window": arrived_at >= ctx.warmup,
        })
        if isinstance(recorder, TableRecorder):
            message_answered, message_abandoned = recorder.message_answered, recorder.message_abandoned
        else:
            message_answered = message_abandoned = np.zeros(0)
        n_msg = len(message_answered)
        msg_arrived = arrived.msg_time[:n_msg]
        messages = pd.DataFrame({
            "channel": pd.Categorical.from_codes(arrived.msg_channel[:n_msg], categories=s.channels, validate=False),
            "audience": pd.Categorical.from_codes(arrived.msg_audience[:n_msg], categories=s.audiences,
                                                  validate=False),
            "arrived": msg_arrived,
            "answered": message_answered,
            "reply_hours": message_answered - msg_arrived,
            "abandoned": message_abandoned,  # when the writer gave up (NaN: answered or still open)
            "in_window": msg_arrived >= ctx.warmup,
        })
        team = set(s.team.people)
        pods_of: dict[str, list[str]] = {}
        for pname, pod in s.structure.pods.items():
            for member in pod.members:
                pods_of.setdefault(member, []).append(pname)
        rows = []
        for w in ctx.workers.values():
            duty = w.calendar.duty_between(ctx.warmup, ctx.horizon)
            in_team = w.name in team
            rows.append({
                "person": w.name,
                "in_team": in_team,
                "role": s.team.people[w.name].role if in_team else "approver",
                "pods": ",".join(pods_of.get(w.name, [])),
                "duty_hours": duty,
                "busy_hours": w.busy_hours,
                "after_hours": w.after_hours,
                "switch_hours": w.switch_hours,  # of busy_hours: setup for a change of task (policies.switch_minutes)
                "tasks_done": w.tasks_done,
                "utilization": w.busy_hours / duty if duty > 0 else np.nan,
                "cost_per_year": s.team.people[w.name].cost_per_year if in_team else 0.0,
            })
        log = None
        if recorder.log is not None:
            log = pd.DataFrame(recorder.log, columns=["time", "event", "kind", "item", "where"])
        seed = ctx.seed.entropy if isinstance(ctx.seed.entropy, int) and not ctx.seed.spawn_key else None
        return cls(
            scenario=s.name,
            structure=s.structure.kind,
            seed=seed,
            horizon_hours=ctx.horizon,
            warmup_hours=ctx.warmup,
            requests=requests,
            messages=messages,
            people=pd.DataFrame(rows),
            in_system_hours={k: v[1] for k, v in recorder.open.items()},
            log=log,
            extras={**({"insight_horizon_hours": insight_spread.window} if insight_spread is not None else {}),
                    **({"patience": True} if any(m.patience_hours is not None for m in s.demand.messages.values())
                       else {}),
                    **({"switching": True} if s.policies.switch_minutes.any else {})},
            insights=insight_spread.table() if insight_spread is not None else _no_insights(),
            tally=tally,
            reply_targets_hours=tuple(s.run.reply_targets_hours),
            clock=clock,
            open_at_end={k: int(v[0]) for k, v in recorder.open.items()},
        )


def _counts(values: np.ndarray) -> Any:
    """A count column (floats, NaN while unanswered) as pandas' nullable ``Int64``."""
    import pandas as pd

    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)


def _no_insights() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns=list(INSIGHT_COLUMNS))
