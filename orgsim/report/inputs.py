"""The assumptions a reader needs to trust or reproduce a figure: a scenario's key inputs in words.

Read straight off the validated :class:`~orgsim.scenario.model.Scenario`;
nothing here is simulated.
"""

from __future__ import annotations

from collections import Counter

from orgsim.scenario.model import Scenario

__all__ = ["key_inputs"]


def _per_week(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 else f"{x:.1f}"


def key_inputs(scenario: Scenario) -> list[tuple[str, str]]:
    """(what, value) pairs describing a scenario's team, structure, demand, policies and run.

    >>> from orgsim.scenario.templates import starter
    >>> from orgsim.scenario.loading import scenario_from_data
    >>> from ruamel.yaml import YAML
    >>> s = scenario_from_data(YAML(typ="safe").load(starter("audience", 4, "x.yaml")))
    >>> dict(key_inputs(s))["structure"].split(":")[0]
    'audience'
    """
    st, team, demand, pol = scenario.structure, scenario.team.people, scenario.demand, scenario.policies
    zones = Counter(p.timezone for p in team.values())
    cost = sum(p.cost_per_year for p in team.values())
    pods = "; ".join(f"{name} ({len(p.members)})" for name, p in st.pods.items()) or "none"
    rows = [
        ("structure", f"{st.kind}: {st.description}" if st.description else st.kind),
        ("team", f"{len(team)} {'person' if len(team) == 1 else 'people'}" + (f", {cost:,.0f} {scenario.run.currency or '(currency not set)'} a year"
                                           if cost else "")),
        ("time zones", ", ".join(f"{n} in {z}" for z, n in zones.most_common())),
        ("head of social", st.lead or "none"),
        ("intake", st.intake),
        ("pods (people)", pods),
    ]
    if st.liaisons:
        rows.append(("liaisons", ", ".join(f"{link.person} → {link.department}" for link in st.liaisons)))
    if st.embedded:
        rows.append(("embedded", ", ".join(f"{link.person} in {link.department}" for link in st.embedded)))
    h = st.handoff_hours
    rows.append(("handoff delays (h)", f"same pod {h.same_pod:g}, cross pod {h.cross_pod:g}, via lead {h.via_lead:g}, "
                                       f"department intake {h.department_intake:g}, liaison {h.liaison:g}, "
                                       f"embedded {h.embedded:g} ({pol.handoff_delay})"))
    for name, d in demand.departments.items():
        week = 7 * sum(r.daily for r in d.requests.values())
        kinds = len(d.requests)
        rows.append((f"requests: {name}", f"{_per_week(week)} a week over {kinds} request type{'s' * (kinds != 1)}"))
    if demand.messages:
        rows.append(("inbound messages a day", ", ".join(f"{ch} {m.daily:,.0f}" for ch, m in demand.messages.items())))
    if scenario.insights is not None:
        ins = scenario.insights
        rows.append(("insights a week", ", ".join(f"{k} {v.per_week:g}" for k, v in ins.kinds.items())))
        rows.append(("insight horizon", f"{ins.horizon_days:g} days; noticing takes {ins.notice_minutes:g} min"))
    chain = " → ".join(step.node.split(":", 1)[-1] for step in pol.approval_chain[:pol.approval_steps]) or "none"
    rows.append(("approval chain", chain))
    rows.append(("1 a.m. messages", f"{pol.interruptions.per_week:g} a week" if pol.interruptions else "none modelled"))
    rows.append(("planning seat", "yes" if pol.planning_seat else "no"))
    rows.append(("run", f"{scenario.run.horizon_days:g} days, first {scenario.run.warmup_days:g} left out as warm-up"))
    return rows
