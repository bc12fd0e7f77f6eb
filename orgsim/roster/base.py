"""From a checked roster to the company's base scenario: the team as it is, demand to be fitted, a first design.

The base carries the company's whole team (one entry per roster row, each
commented with its row), the catalogue of channels, functions and audiences
the skills name, and a structure generated from the team
(:func:`orgsim.design.generate_design`, ``--structure``, by network unless
told). Its demand is a **placeholder** until ``orgsim calibrate`` replaces it
from the company's exports: one request type per function and every channel's
messages, at the example company's mean efforts and its split of the work
(about 150 hours a week of messages to 100 of requests), scaled so that the
busiest pod of the first design is about 75% busy (the example company's
load by design, ``scenarios/base.yaml``). It validates and runs, so every later step works before the logs
are in; nothing in it is the company's.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from orgsim.design.generate import Design, generate_design
from orgsim.errors import OrgsimError
from orgsim.roster.read import Roster
from orgsim.scenario.loading import scenario_from_data
from orgsim.scenario.model import Scenario
from orgsim.scenario.yamltext import dump_yaml, flow_map, flow_seq

__all__ = ["BUSY", "base_scenario", "base_text", "placeholder_demand"]

#: the placeholder demand keeps the busiest pod of the first design this busy: the example company's
#: load by design (about 75-80% of its hours, scenarios/base.yaml)
BUSY = 0.75
#: placeholder requests of each type a week before scaling: seven types' worth is the example company's ~50
PER_WEEK = 7.0
#: placeholder message hours per request hour: the example company's ~150 and ~100 hours a week
MESSAGE_RATIO = 1.5
#: mean handling of a message, minutes: the example company's (lognormal, cv 1)
HANDLE_MINUTES = 1.5
#: one placeholder request type per function: department, type, mean effort hours (the example company's
#: typical type of that function), and whether it needs approval
REQUEST_TYPES: dict[str, tuple[str, str, float, bool]] = {
    "community": ("Customer Care", "escalation", 0.75, False),
    "content": ("Product", "product_content", 2.5, True),
    "insights": ("Product", "insight_request", 3.0, False),
    "paid": ("Product", "paid_boost", 1.5, False),
    "employer_brand": ("People", "employer_brand_post", 3.0, True),
    "governance": ("Legal", "access_request", 0.3, False),
}
DEFAULT_FUNCTIONS = ("community", "content", "insights", "paid", "employer_brand", "governance")
#: when departments are there to read an answer: office hours, an assumption `orgsim calibrate` keeps
OFFICE_HOURS = "09:00-17:30"
#: the departments a company's social team usually serves (the example company's, and Marketing): listed so that
#: the calibration, which takes departments from the logs, keeps their opening hours; those without placeholder
#: requests have none until the logs give them some
DEPARTMENTS = ("Product", "Marketing", "Sales", "Customer Care", "People", "Executive", "PR", "Legal")


def placeholder_demand(channels: list[str], functions: list[str], audiences: list[str], timezone: str,
                       scale: float = 1.0) -> dict[str, Any]:
    """The placeholder ``demand:`` block (see the module docstring), ``scale`` times the unit rates.

    Each request type concerns one channel in turn (insight requests every channel), so that no
    by-network design splits every request; messages are shared equally by the channels and audiences.
    """
    departments: dict[str, dict[str, Any]] = {d: {"timezone": timezone, "hours": OFFICE_HOURS, "requests": {}}
                                              for d in DEPARTMENTS}
    request_hours = 0.0
    for i, fn in enumerate(functions):
        dept, rtype, effort, approval = REQUEST_TYPES.get(fn, ("Product", f"{fn}_request", 2.0, False))
        audience = "candidates" if fn == "employer_brand" and "candidates" in audiences else audiences[0]
        node = departments.setdefault(dept, {"timezone": timezone, "hours": OFFICE_HOURS, "requests": {}})
        node["requests"][rtype] = {
            "per_week": round(PER_WEEK * scale, 2), "effort_hours": {"dist": "lognormal", "mean": effort, "cv": 0.8},
            "function": fn, "channels": "all" if fn == "insights" else [channels[i % len(channels)]],
            "audience": audience, "needs_approval": approval}
        request_hours += PER_WEEK * effort
    messages = {}
    for ch in channels:
        per_day = request_hours * MESSAGE_RATIO / len(channels) * 60 / HANDLE_MINUTES / 7 * scale
        messages[ch] = {"per_day": round(per_day, 1),
                        "handle_minutes": {"dist": "lognormal", "mean": HANDLE_MINUTES, "cv": 1.0},
                        "audience_mix": {a: 1 for a in audiences}}
    return {"timezone": timezone, "departments": departments, "messages": messages}


def _data(roster: Roster, company: str, timezone: str, currency: str | None) -> dict[str, Any]:
    channels = list(roster.channels)
    if not channels:
        raise OrgsimError(f"{roster.file}: no channel named: expected skill columns like 'channel: instagram' or a "
                          "'channels' list column (the platforms the team runs)")
    functions = list(DEFAULT_FUNCTIONS) + [f for f in roster.functions if f not in DEFAULT_FUNCTIONS]
    audiences = list(roster.audiences) or ["consumers"]
    people = {p.id: p.data for p in roster.people}
    others = [p for p in people if p != roster.lead]
    data: dict[str, Any] = {
        "company": company,
        "name": "base",
        "description": f"{company}'s social team from {roster.file}; demand is a placeholder until calibrated.",
        "channels": channels, "audiences": audiences, "functions": functions,
        "demand": placeholder_demand(channels, functions, audiences, timezone),
        "team": {"people": people},
        # one pod of everyone: only so that the team validates before its first generated structure replaces it
        "structure": {"kind": "custom", "lead": roster.lead, "intake": "lead" if roster.lead else "pod",
                      "pods": {"team": {"members": others or list(people), "covers": {"channels": channels}}}},
        "policies": ({"approval_steps": 1, "approval_chain": [{"person": roster.lead, "review_hours": 0.25}]}
                     if roster.lead else {}),
        "run": {"currency": currency} if currency else {},
    }
    return data


def base_scenario(roster: Roster, company: str, structure: str = "network", timezone: str | None = None,
                  currency: str | None = None, *, allow_large: bool = False) -> tuple[dict[str, Any], Scenario, Design]:
    """The base scenario's data, the validated scenario, and the design that gave it its structure."""
    zone = timezone or roster.timezone
    data = _data(roster, company, zone, currency)
    first = scenario_from_data(data, {}, roster.file, allow_large=allow_large)
    # the busiest pod's utilisation scales with the demand: one design at unit rates tells the scale
    unit = generate_design(first, structure)
    data["demand"] = placeholder_demand(data["channels"], data["functions"], data["audiences"], zone,
                                        BUSY * unit.headroom)
    design = generate_design(scenario_from_data(data, {}, roster.file, allow_large=allow_large), structure)
    data["name"] = f"base, {design.name}"
    st = design.structure
    data["structure"] = {"kind": st.kind, "description": st.description, "lead": st.lead, "intake": st.intake,
                         "pods": {n: p.model_dump(mode="json", exclude_defaults=True) for n, p in st.pods.items()}}
    if st.embedded:
        data["structure"]["embedded"] = [link.model_dump(mode="json") for link in st.embedded]
    if st.lead is None:
        del data["structure"]["lead"]
    return data, scenario_from_data(data, {}, roster.file, allow_large=allow_large), design


def base_text(roster: Roster, data: dict[str, Any], design: Design, schema_ref: str | None, command: str) -> str:
    """The base scenario as commented YAML."""
    rows = {p.id: p for p in roster.people}
    head = [f"# yaml-language-server: $schema={schema_ref}", "#"] if schema_ref else []
    head += [
        f"# {data['company']}, {data['name']}: written by `{command}`.",
        f"# The team is {roster.file} as read ({len(rows)} people); channels, functions and audiences are the",
        "# ones their skills name. Check it with `orgsim validate`.",
        "#",
        "# DEMAND IS A PLACEHOLDER, not your company's: one request type per function and every channel's",
        f"# messages, sized so the busiest pod would be about {BUSY:.0%} busy. Replace it from your exports:",
        "#   orgsim calibrate messages.csv requests.csv --team THIS_FILE -o company.yaml",
        f"# The structure is a first generated design ({design.kind}); `orgsim designs company.yaml --out designs/`",
        "# writes every structure from the calibrated demand.",
    ]
    doc = CommentedMap()
    for k in ("company", "name", "description"):
        doc[k] = data[k]
    for k in ("channels", "audiences", "functions"):
        doc[k] = flow_seq(data[k])
    demand = doc["demand"] = CommentedMap()
    demand["timezone"] = data["demand"]["timezone"]
    depts = demand["departments"] = CommentedMap()
    for name, d in data["demand"]["departments"].items():
        node = depts[name] = CommentedMap(timezone=d["timezone"], hours=DoubleQuotedScalarString(d["hours"]))
        reqs = node["requests"] = CommentedMap()
        if not d["requests"]:
            node.yaml_add_eol_comment("none until calibrated (or add your own)", "requests")
        for rname, r in d["requests"].items():
            reqs[rname] = flow_map({**r, "effort_hours": flow_map(r["effort_hours"])})
            reqs.yaml_add_eol_comment("PLACEHOLDER", rname)
    msgs = demand["messages"] = CommentedMap()
    for ch, m in data["demand"]["messages"].items():
        msgs[ch] = flow_map({**m, "handle_minutes": flow_map(m["handle_minutes"]),
                             "audience_mix": flow_map(m["audience_mix"])})
        msgs.yaml_add_eol_comment("PLACEHOLDER", ch)
    people = CommentedMap()
    for pid, p in data["team"]["people"].items():
        node = people[pid] = CommentedMap()
        for k, v in p.items():
            if k == "days":
                node[k] = flow_seq(v)
            elif k == "hours":
                node[k] = DoubleQuotedScalarString(v)
            elif k == "cost_per_year":
                node[k] = int(v) if float(v).is_integer() else v
            elif k in ("skills", "proficiency"):
                node[k] = CommentedMap({dim: flow_seq(x) if isinstance(x, list) else flow_map(x) for dim, x in v.items()})
            else:
                node[k] = v
        note = f"; {rows[pid].note}" if rows[pid].note else ""
        lead = "; the lead: triages requests, merges split work, signs off" if pid == roster.lead else ""
        node.yaml_add_eol_comment(f"{roster.file} row {rows[pid].row}{note}{lead}", "name")
    doc["team"] = CommentedMap(people=people)
    st = data["structure"]
    node = doc["structure"] = CommentedMap()
    for k, v in st.items():
        if k == "pods":
            pods = node["pods"] = CommentedMap()
            for name, pod in v.items():
                pods[name] = CommentedMap({**pod, "members": flow_seq(pod["members"]),
                                           "covers": flow_map({c: flow_seq(x) for c, x in pod["covers"].items()})})
        elif k == "embedded":
            node[k] = [flow_map(link) for link in v]
        else:
            node[k] = v
    if data["policies"]:
        doc["policies"] = CommentedMap(approval_steps=data["policies"]["approval_steps"],
                                       approval_chain=[flow_map(a) for a in data["policies"]["approval_chain"]])
        doc["policies"].yaml_add_eol_comment("the lead signs off what needs approval (as in the example company)",
                                             "approval_steps")
    if data["run"]:
        doc["run"] = CommentedMap(data["run"])
    return dump_yaml(doc, "\n".join(head) + "\n\n")
