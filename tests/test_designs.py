"""Designs generated from one roster: the assignment's exact cases, the expected pods, and every design runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.design import DESIGN_KINDS, Slot, assign_people, design_scenario, generate_design
from orgsim.errors import OrgsimError
from orgsim.org.plan import routing_plan
from orgsim.roster import base_scenario, read_roster
from orgsim.scenario import Scenario, load_scenario, scenario_from_data
from orgsim.scenario.overrides import with_run_settings
from orgsim.sim import simulate
from tests.conftest import ROOT

SAMPLE = ROOT / "docs" / "your-company" / "people.csv"
runner = CliRunner()


# --- the assignment on cases with a known answer ------------------------------------------------------
def test_two_experts_go_to_their_own_pods() -> None:
    a = assign_people(["tia", "ian"], [30, 30], np.array([[0.8, 1.3], [1.3, 0.8]]),
                      [Slot("pod:tiktok", 20, 1), Slot("pod:instagram", 20, 1)])
    assert a.members == {"pod:tiktok": ("tia",), "pod:instagram": ("ian",)}
    assert a.hours["tia", "pod:tiktok"] == pytest.approx(30)


def test_the_load_is_balanced_by_head_count() -> None:
    # four alike people, 90 h and 30 h of work: three and one make both pods 75% busy, the best balance
    a = assign_people(list("abcd"), [40] * 4, np.ones((4, 2)), [Slot("pod:big", 90, 1), Slot("pod:small", 30, 1)])
    assert sorted(len(m) for m in a.members.values()) == [1, 3]
    assert a.headroom == pytest.approx(160 / 120) and max(a.utilisation.values()) == pytest.approx(0.75, abs=0.02)


def test_a_pod_gets_its_minimum_members_and_a_seat_exactly_one() -> None:
    a = assign_people(list("abcd"), [35] * 4, np.array([[1, 1, 0.8], [1, 1, 1.3], [0.8, 1, 1], [1, 0.8, 1]]),
                      [Slot("pod:x", 50, 2), Slot("pod:y", 20, 2), Slot("embedded:People", 10, 1, 1, alone=True)])
    assert a.members["embedded:People"] == ("a",)  # the one who is fastest at its work
    assert all(len(a.members[p]) >= 2 for p in ("pod:x", "pod:y"))
    assert not any("a" in a.members[p] for p in ("pod:x", "pod:y"))  # an embedded expert is in no pod
    assert all(sum(p in m for m in a.members.values()) <= 2 for p in "abcd")


def test_too_few_people_is_a_clear_error() -> None:
    with pytest.raises(OrgsimError, match="cannot fill 3 pod"):
        assign_people(["a"], [35], np.ones((1, 3)), [Slot(f"pod:{i}", 10, 2) for i in range(3)],
                      max_slots_per_person=2)


# --- a roster with known skills gives the expected pods --------------------------------------------------
ROSTER = """Name,Time zone,Shift,Lead,channel: TikTok,channel: Instagram,function: community,function: content
Lena Hart,Europe/London,09:00-17:30,yes,practised,practised,practised,practised
Tia Lee,Europe/London,09:00-17:30,,expert,,,
Ivan Cole,Europe/London,09:00-17:30,,,expert,expert,
Inez Park,Europe/London,09:00-17:30,,,expert,expert,
Tom Reed,Europe/London,09:00-17:30,,practised,,expert,
Cora Diaz,Europe/London,09:00-17:30,,,practised,,expert
Carl Berg,Europe/London,09:00-17:30,,,,,expert
"""


def _demand(content: dict[str, float], messages: dict[str, float]) -> dict[str, Any]:
    requests = {f"{ch}_content": {"per_week": n, "effort_hours": 4, "function": "content", "channels": [ch],
                                  "audience": "consumers"} for ch, n in content.items()}
    return {"timezone": "Europe/London", "departments": {"Marketing": {"requests": requests}},
            "messages": {ch: {"per_day": n, "handle_minutes": 2, "audience_mix": {"consumers": 1}}
                         for ch, n in messages.items()}}


#: content short of hands and mostly TikTok (80 of 100 h a week; the inbox, 93 h, has three community experts)
TIKTOK_CONTENT = _demand({"tiktok": 20, "instagram": 5}, {"instagram": 300, "tiktok": 100})
#: the inbox short of hands and mostly TikTok (117 of 140 h; content, 48 h, has its two experts)
TIKTOK_INBOX = _demand({"tiktok": 2, "instagram": 10}, {"instagram": 100, "tiktok": 500})


def _known(tmp_path: Path, demand: dict[str, Any]) -> Scenario:
    path = tmp_path / "people.csv"
    path.write_text(ROSTER)
    data, _, _ = base_scenario(read_roster(path), "Known")
    data["demand"] = demand
    data["functions"] = ["community", "content"]
    data.pop("policies")  # the base's approvals by the lead: not what this test is about
    return scenario_from_data(data)


@pytest.fixture(scope="module")
def known(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return _known(tmp_path_factory.mktemp("roster"), TIKTOK_CONTENT)


def _members(design: Any) -> dict[str, set[str]]:
    return {name: set(p.members) for name, p in design.structure.pods.items()}


def _hours(design: Any, person: str) -> dict[str, float]:
    return {p.name: dict(zip(p.members, p.hours, strict=True)).get(person, 0.0) for p in design.pods}


def test_a_tiktok_expert_lands_in_the_tiktok_pod_by_network(known: Scenario) -> None:
    pods = _members(generate_design(known, "network"))
    assert "tia" in pods["tiktok"]
    assert {"ivan", "inez"} <= pods["instagram"]  # the Instagram community experts own Instagram


@pytest.mark.parametrize(("demand", "expected"), [(TIKTOK_CONTENT, "content"), (TIKTOK_INBOX, "community")],
                         ids=["content-needs-her", "inbox-needs-her"])
def test_by_function_the_tiktok_expert_goes_where_the_rule_says(tmp_path: Path, demand: dict[str, Any],
                                                                  expected: str) -> None:
    # The rule: balance first (the pod short of hands gets the help), and each hour where its owner is
    # fastest; her factor is lowest where the pod's work is most TikTok, and here that is the pod in need.
    design = generate_design(_known(tmp_path, demand), "function")
    pods = _members(design)
    hours = _hours(design, "tia")
    assert "tia" in pods[expected] and hours[expected] == max(hours.values()), hours
    assert {"ivan", "inez", "tom"} <= pods["community"] and {"cora", "carl"} <= pods["content"]
    assert "lena" not in set().union(*pods.values())  # the lead triages, merges and signs off


def test_the_assignment_is_deterministic(known: Scenario) -> None:
    for kind in ("network", "hybrid"):
        first, again = generate_design(known, kind), generate_design(known, kind)
        assert first.structure == again.structure and first.pods == again.pods


# --- every generated design of the sample roster validates, has the same people, and runs -----------------
@pytest.fixture(scope="module")
def sample() -> Scenario:
    _, scenario, _ = base_scenario(read_roster(SAMPLE), "Lumen Coffee", currency="GBP")
    return scenario


@pytest.fixture(scope="module")
def designed(sample: Scenario) -> dict[str, Any]:
    """Each kind's design of the sample, made once for the tests below."""
    return {kind: generate_design(sample, kind) for kind in DESIGN_KINDS}


def _people_of(s: Scenario) -> set[str]:
    st = s.structure
    return {m for p in st.pods.values() for m in p.members} | {e.person for e in st.embedded} | {st.lead or ""}


@pytest.mark.parametrize("kind", DESIGN_KINDS)
def test_every_generated_design_validates_keeps_the_team_and_runs(sample: Scenario, designed: dict[str, Any],
                                                                  kind: str) -> None:
    design = designed[kind]
    s = design_scenario(sample, design)
    names = {"network": "by network", "function": "by function", "audience": "by audience",
             "embedded": "embedded experts", "hybrid": "hybrid"}
    assert s.company == "Lumen Coffee" and s.name == names[kind]  # the company's name is not in the design's
    assert s.team == sample.team and s.demand == sample.demand and s.policies == sample.policies
    assert _people_of(s) - {""} == set(sample.team.people)  # everyone works somewhere: equal head count
    assert s.structure.intake == sample.structure.intake and s.structure.lead == sample.structure.lead
    assert all(len(p.members) >= 2 for p in s.structure.pods.values())
    short = with_run_settings(s, horizon_days=4, warmup_days=1)
    result = simulate(short, seed=3)
    assert len(result.requests) > 0 and len(result.messages) > 0
    # what the file says a pod carries is what the engine routes there
    plan = routing_plan(s)
    assert {f"pod:{n}" for n in s.structure.pods} <= plan.queues_used()


def test_the_hybrid_sends_requests_to_function_pods_and_messages_to_inboxes(sample: Scenario,
                                                                            designed: dict[str, Any]) -> None:
    s = design_scenario(sample, designed["hybrid"])
    plan = routing_plan(s)
    for k in plan.kinds:
        queues = [p.queue for p in k.parts]
        if k.function == "community":
            assert all(q.startswith("pod:inbox_") for q in queues), (k.kind.key, queues)
        else:
            assert not any(q.startswith("pod:inbox_") for q in queues), (k.kind.key, queues)
    assert all(q.startswith("pod:inbox_") for q in plan.message_queues.values())


def test_orgsim_designs_writes_files_that_extend_the_base_and_keeps_what_is_there(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    assert runner.invoke(app, ["init", str(base), "--roster", str(SAMPLE), "--company", "Lumen Coffee"]).exit_code == 0
    # all five are written by the walkthrough's test (tests/test_your_company.py); two are enough here
    res = runner.invoke(app, ["designs", str(base), "--out", str(tmp_path / "designs"), "--only", "function,network"])
    assert res.exit_code == 0, res.output
    files = sorted((tmp_path / "designs").glob("*.yaml"))
    assert [f.stem for f in files] == ["function", "network"]
    for f in files:
        text = f.read_text()
        assert "extends: ../base.yaml" in text and "How the people were assigned" in text
        assert load_scenario(f).team == load_scenario(base).team
    again = runner.invoke(app, ["designs", str(base), "--out", str(tmp_path / "designs"), "--only", "network"])
    assert again.exit_code == 1 and "not empty" in again.stderr and "--force" in again.stderr
    bad = runner.invoke(app, ["designs", str(base), "--out", str(tmp_path / "d2"), "--only", "matrix"])
    assert bad.exit_code == 1 and "unknown design 'matrix'" in bad.stderr


def test_with_people_keeps_what_the_file_left_to_its_defaults(tmp_path: Path) -> None:
    # as with_changes (main's fix): a copy that wrote a workflow step's default hours out would contradict the
    # approval chain's calendar for the CMO and refuse a valid scenario
    from orgsim.design import with_people

    examples = ROOT / "scenarios"
    said = '              hours: "08:30-18:00"'
    text = (examples / "calibration" / "handoffs.yaml").read_text(encoding="utf-8")
    assert said in text
    for name in ("base.yaml", "function.yaml"):
        (tmp_path / name).write_text((examples / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "calibration").mkdir()
    (tmp_path / "calibration" / "handoffs.yaml").write_text(text.replace(said, "", 1), encoding="utf-8")
    s = load_scenario(tmp_path / "calibration" / "handoffs.yaml")
    bigger = with_people(s, {"hire1": {"timezone": "Europe/London", "proficiency": {"default": "practised"}}})
    assert set(bigger.team.people) == {*s.team.people, "hire1"}
    assert bigger.demand == s.demand and bigger.policies == s.policies
