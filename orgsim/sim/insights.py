"""Insight spread: social-listening signals relayed through the organisation graph.

One SimPy process per insight (its hops are calls on the kernel): it appears on a channel, the queue that watches
that channel and audience (:meth:`Structure.message_queue`) gets a small
*noticing* task that competes with the rest of its work, and whoever notices
it relays it along the graph's ties. Each tie ``u -> v`` passes the insight
with probability ``insights.pass_probability[kind]`` after the tie's delay
(fixed or exponential, per ``policies.handoff_delay``); every node forwards
once, when it first hears, so a department learns at the earliest arrival
over all paths (a first-passage process). Departments are sinks: they know,
they do not relay. Three levers join in as their own processes: the trend
briefing, team presentations and a shared listening platform.

Common random numbers: the coin and the delay of a tie are a hash of
(seed, insight, u, v), not draws from a shared stream (a department's coin is
one per insight, ``(seed, insight, "receptive", department)``, shared by its ties), so adding a tie (a
liaison) or a platform never changes any other tie's coin or delay. Given the
same noticing times, a new tie or lever can only add paths, so reach can only
rise. (Noticing competes with request work, so a lever that changes request
routes can move noticing times a little; with no requests the property is exact.)

Window: an insight is counted when it appears after the warm-up and its
``horizon_days`` window ends before the run does; insights whose window would
be cut short are kept in the table with ``in_window = False`` and left out of
the figures (no censoring).
"""

from __future__ import annotations

import hashlib
import math
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from orgsim.org.graph import dept, person
from orgsim.scenario.model import PRIORITY_RANK
from orgsim.sim.kernel import Call
from orgsim.sim.portable import on_grid

if TYPE_CHECKING:
    import pandas as pd

    from orgsim.scenario.insights import Briefing
    from orgsim.sim.calendar import Calendar
    from orgsim.sim.context import RunContext

__all__ = ["INSIGHT_COLUMNS", "InsightSpread", "appearances"]

#: columns of :attr:`Result.insights`: one row per (insight, relevant department)
INSIGHT_COLUMNS = ("insight", "kind", "channel", "audience", "importance", "half_life_hours", "appeared",
                   "noticed", "noticed_by", "department", "reached", "via", "hours_to_reach",
                   "reached_within", "value_share", "in_window")
RELAYS = frozenset({"person", "pod", "approver"})
#: the decayed value of a reached pair is rounded to 2**-32 (2e-10): libm's pow differs by CPU in the last bit
#: (orgsim.sim.portable), and no figure shows more than a few digits of a value in [0, 1]
VALUE_GRID = 2.0**-32


def appearances(ctx: RunContext) -> list[tuple[float, str, int]]:
    """(time, kind, index within kind) for every insight of the run, in time order.

    One stream per kind (``insights/<kind>``): adding a kind leaves the others'
    arrivals unchanged. A Poisson process, thinned for bursts.
    """
    ins = ctx.scenario.insights
    assert ins is not None
    out: list[tuple[float, str, int]] = []
    for name, k in ins.kinds.items():
        rate = k.per_week / 168.0
        if rate <= 0:
            continue
        peak = max([1.0, *(b.multiplier for b in k.bursts)])
        rng = ctx.stream(f"insights/{name}")
        t, j = 0.0, 0
        while True:
            t += on_grid(float(rng.exponential(1 / (rate * peak))))
            if t >= ctx.horizon:
                break
            mult = 1.0
            for b in k.bursts:
                if b.start_day * 24 <= t < (b.start_day + b.days) * 24:
                    mult = max(mult, b.multiplier)
            if float(rng.random()) * peak < mult:
                out.append((t, name, j))
                j += 1
    out.sort()
    return out


class InsightSpread:
    """Everything the insight layer adds to one run."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        ins = ctx.scenario.insights
        assert ins is not None, "the engine starts insight processes only for scenarios with an insights: block"
        self.ins = ins
        self.kernel = ctx.kernel
        self.window = ins.horizon_days * 24
        self.salt = f"{ctx.seed.entropy}/{ctx.seed.spawn_key}".encode()
        self.fixed = ctx.scenario.policies.handoff_delay == "fixed"
        g = ctx.plan.graph
        assert g is not None, "the engine runs on a timed routing plan, which has the organisation graph"
        self.graph = g
        self.out_ties: dict[str, list[tuple[str, float, float]]] = {}
        for u, data in g.nodes(data=True):
            if data["kind"] in RELAYS:
                self.out_ties[u] = sorted(
                    (v, ins.pass_for(e["kind"]), e["delay_hours"])
                    for _, v, e in g.out_edges(u, data=True) if g.nodes[v]["kind"] != "platform")
        self.relayers = self._relayers()
        self.items = appearances(ctx)
        # reached[i]: node -> (time, via); the per-insight memory of who knows
        self.reached: list[dict[str, tuple[float, str]]] = [{} for _ in self.items]
        self.noticed: list[tuple[float, str] | None] = [None] * len(self.items)
        self.priority = PRIORITY_RANK["normal"]

    def _relayers(self) -> dict[str, list[Calendar]]:
        """The calendars of whoever relays for a node: the person, a pod's members, the lead or the deputy."""
        workers = self.ctx.workers
        st = self.ctx.scenario.structure
        out: dict[str, list[Calendar]] = {}
        for u, data in self.graph.nodes(data=True):
            if data["kind"] == "pod":
                out[u] = [workers[person(p)].calendar for p in st.pods[u.split(":", 1)[1]].members]
            elif u in workers:
                out[u] = [workers[u].calendar]
        if st.lead is not None and st.deputy is not None and "relay" in st.deputy_duties:
            out[person(st.lead)].append(workers[person(st.deputy)].calendar)
        return out

    def there(self, node: str) -> float:
        """Hours from now until someone who relays for ``node`` is on duty (0 if now)."""
        cals = self.relayers.get(node)
        if not cals:
            return 0.0
        now = self.kernel.now
        return min(min(c.next_on_duty(now) for c in cals), self.ctx.horizon) - now

    def _uniforms(self, i: int, u: str, v: str) -> tuple[float, float]:
        h = hashlib.blake2b(b"%s|%d|%s|%s" % (self.salt, i, u.encode(), v.encode()), digest_size=16).digest()
        return ((int.from_bytes(h[:8], "big") >> 11) / 2**53, (int.from_bytes(h[8:], "big") >> 11) / 2**53)

    def start(self) -> None:
        for i in range(len(self.items)):
            self.kernel.process(self.insight_flow(i))
        for lever, sender in ((self.ins.trend_briefing, "lead"), (self.ins.presentations, "team")):
            if lever is not None:
                self.kernel.process(self.briefings(lever, sender))

    # -- processes -------------------------------------------------------------
    def insight_flow(self, i: int) -> Any:
        kernel, ctx = self.kernel, self.ctx
        t0, kind, _ = self.items[i]
        k = self.ins.kinds[kind]
        yield kernel.timeout(t0 - kernel.now)
        plat = self.ins.platform
        if plat is not None:
            for d in plat.departments:
                node = dept(d)
                u, _ = self._uniforms(i, "platform", node)
                self.hop(i, node, on_grid(-plat.lag_hours * math.log1p(-u)), "platform")
        s = ctx.scenario
        qname = ctx.plan.message_queues[s.channels.index(k.channel),
                                        s.audiences.index(k.audience) if k.audience is not None else -1]
        done = kernel.event()
        ctx.dispatch.place(ctx.dispatch.task(self.priority, self.ins.notice_minutes / 60, ctx.queues[qname],
                                             ((k.channel,), None, None), done, -1 - i))  # type: ignore[arg-type]
        yield done
        node = ctx.plan.node(qname)
        self.noticed[i] = (kernel.now, node)
        self.reach(i, node, "noticed")

    def hop(self, i: int, node: str, delay: float, via: str) -> None:
        """Insight ``i`` reaches ``node`` after ``delay`` hours (a closed department: when it opens).

        A call, not a process per hop: a process costs a start event, a resume
        and an end event besides its timeout, for every department and person
        an insight reaches. The calls keep their order among themselves, so
        every department hears at the same time, by the same way.
        """
        self.kernel.call_in(delay, Call(partial(self._arrived, i, node, via)))

    def _arrived(self, i: int, node: str, via: str, _call: Call) -> None:
        if node.startswith("dept:"):
            closed = self.ctx.until_received(node[5:])  # a closed department hears when it opens
            if closed:
                self.kernel.call_in(closed, Call(partial(self._heard, i, node, via)))
                return
        self.reach(i, node, via)

    def _heard(self, i: int, node: str, via: str, _call: Call) -> None:
        self.reach(i, node, via)

    def reach(self, i: int, node: str, via: str) -> None:
        """``node`` hears of insight ``i`` now; relay it once, on first hearing."""
        seen = self.reached[i]
        if node in seen:
            return
        seen[node] = (self.kernel.now, via)
        ties = self.out_ties.get(node, ())
        # Relaying is the work of a person: it leaves when someone who relays
        # for the node (the person, a pod member, the lead or her deputy) is on duty.
        wait = self.there(node) if ties else 0.0
        for neighbour, probability, mean_delay in ties:
            if neighbour in seen:
                continue
            coin, delay_uniform = self._uniforms(i, node, neighbour)
            if neighbour.startswith("dept:"):
                # A department's receptiveness to this insight is one draw,
                # shared by every tie that brings it: a department busy with
                # something else ignores the news whoever sends it, so more
                # ties into it add routes, not more coins.
                coin = self._uniforms(i, "receptive", neighbour)[0]
            if coin < probability:
                delay = mean_delay if self.fixed else on_grid(-mean_delay * math.log1p(-delay_uniform))
                self.hop(i, neighbour, wait + delay, f"tie:{node}->{neighbour}")

    def briefings(self, lever: Briefing, sender: str) -> Any:
        """Every ``every_days``: pass on what the sender knows since the last meeting."""
        kernel = self.kernel
        lead = self.ctx.scenario.structure.lead
        # Where the cycle stands when the run starts is drawn (its own stream):
        # averaged over replications the effect is the steady state's, not
        # that of a first meeting fixed a whole cycle into the run.
        phase = float(self.ctx.stream(f"briefings/{sender}").random())
        first = lever.at_hour + math.floor(phase * lever.every_days) * 24
        yield kernel.timeout(first)
        last = 0.0
        while True:
            now = kernel.now
            for i, seen in enumerate(self.reached):
                if sender == "lead" and lead is not None:
                    heard = seen.get(f"person:{lead}")
                    known_since = heard[0] if heard else None
                else:
                    seen_at = self.noticed[i]
                    known_since = seen_at[0] if seen_at is not None else None
                if known_since is not None and last <= known_since < now:
                    for department in lever.departments:
                        self.reach(i, dept(department), f"{sender}_briefing")
            last = now
            yield kernel.timeout(lever.every_days * 24)

    # -- the table --------------------------------------------------------------
    def table(self) -> pd.DataFrame:
        rows = []
        ctx = self.ctx
        for i, (appeared, kind, j) in enumerate(self.items):
            spec = self.ins.kinds[kind]
            noticed = self.noticed[i]
            in_window = appeared >= ctx.warmup and appeared + self.window <= ctx.horizon
            for department in spec.departments:
                hit = self.reached[i].get(dept(department))
                hours = hit[0] - appeared if hit else np.nan
                within = bool(hit) and hours <= self.window
                rows.append((f"{kind}/{j}", kind, spec.channel, spec.audience, spec.importance, spec.half_life_hours,
                             appeared, noticed[0] if noticed else np.nan, noticed[1] if noticed else None, department,
                             hit[0] if hit else np.nan, hit[1] if hit else None, hours, within,
                             on_grid(0.5 ** (hours / spec.half_life_hours), VALUE_GRID) if within else 0.0, in_window))
        import pandas as pd  # here, not at the top: a run that builds no table needs no pandas

        return pd.DataFrame(rows, columns=list(INSIGHT_COLUMNS))
