"""One loading boundary: every entry point (file, --set, with_changes, a saved study, sweep) gives positioned errors."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.errors import ScenarioError
from orgsim.experiment.study import Study
from orgsim.experiment.sweep import parse_set, sweep
from orgsim.org.graph import build_org, dept, person
from orgsim.scenario import load_scenario, scenario_from_data
from orgsim.scenario.loading import load_data, load_variants
from orgsim.scenario.overrides import with_changes, with_run_settings
from orgsim.scenario.references import untied_approvers
from orgsim.scenario.templates import STRUCTURES, starter
from tests.conftest import EXAMPLES, WHAT_IFS
from tests.helpers import mmc_data

runner = CliRunner()


def _write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _line(path: Path, needle: str, nth: int = 1) -> int:
    hits = [i for i, s in enumerate(path.read_text().splitlines(), 1) if needle in s]
    return hits[nth - 1]


def _problems(call: object, *args: object, **kwargs: object) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        call(*args, **kwargs)  # type: ignore[operator]
    return [str(p) for p in info.value.problems]


# --- every problem of a file in one pass -----------------------------------------------


def test_a_bad_priority_no_longer_hides_an_unknown_channel(tmp_path: Path) -> None:
    text = starter("network", 2).replace("          needs_approval: true", "          priority: soon", 1)
    text = text.replace("channels: [instagram, tiktok]\n", "channels: [instagram, myspace]\n", 1)
    path = _write(tmp_path, text)
    prio, chan = _line(path, "priority: soon"), _line(path, "channels: [instagram, myspace]")
    assert _problems(load_scenario, path) == [  # in file order
        f"{path}:{chan}:33: demand.departments.Marketing.requests.campaign_content.channels.1: unknown channel "
        "'myspace'; expected one of: instagram, tiktok, linkedin",
        f"{path}:{prio}:11: demand.departments.Marketing.requests.campaign_content.priority: Input should be "
        "'crisis', 'executive', 'urgent', 'high', 'normal' or 'low', got 'soon'",
    ]
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 1
    assert res.stderr.splitlines() == [f"error: {p}" for p in _problems(load_scenario, path)]


def test_an_unknown_key_and_an_unknown_person_both_reported(tmp_path: Path) -> None:
    text = starter("network", 2).replace("  lead: p1 ", "  lead: p9 ", 1).replace("policies:\n", "policies:\n  triage: 3\n", 1)
    path = _write(tmp_path, text)
    found = _problems(load_scenario, path)
    assert [p.split(": ", 2)[1] for p in found] == ["structure.lead", "policies.triage"]
    assert "unknown person 'p9'" in found[0] and "did you mean 'triage_minutes'" in found[1]


def test_a_value_wrong_for_both_branches_of_a_union_still_lets_names_be_checked(tmp_path: Path) -> None:
    text = starter("network", 2).replace("channels: [instagram, tiktok]\n", "channels: 5\n", 1)
    path = _write(tmp_path, text.replace("  lead: p1 ", "  lead: p9 ", 1))
    found = _problems(load_scenario, path)
    assert [p.split(": ", 2)[1] for p in found] == [
        "demand.departments.Marketing.requests.campaign_content.channels"] * 2 + ["structure.lead"]


def test_a_missing_required_key_stops_the_cross_checks_rather_than_invent_problems(tmp_path: Path) -> None:
    # Without `channels:` every channel would look unknown: only the real problem is reported.
    text = starter("network", 2).replace("channels: [instagram, tiktok, linkedin]\n", "", 1)
    path = _write(tmp_path, text)
    assert _problems(load_scenario, path) == [f"{path}: channels: required key is missing"]


def test_problems_are_capped_with_a_count(tmp_path: Path) -> None:
    text = starter("network", 2) + "".join(f"junk{i}: 1\n" for i in range(25))
    res = runner.invoke(app, ["validate", str(_write(tmp_path, text))])
    lines = res.stderr.splitlines()
    assert res.exit_code == 1 and len(lines) == 21 and lines[-1].endswith(": and 5 more problems not shown")


# --- the approver with no tie: the scenario layer's error, from every loader --------------


def _untied(tmp_path: Path) -> Path:
    text = starter("network", 3).replace("    - external: CMO\n", "    - person: p3\n").replace("members: [p3]", "members: [p2]")
    return _write(tmp_path, text)


def test_an_untied_approver_is_refused_by_load_scenario_and_scenario_from_data(tmp_path: Path) -> None:
    path = _untied(tmp_path)
    line = _line(path, "person: p3")
    expected = (f"{path}:{line}:7: policies.approval_chain.0.person: 'p3' has no tie to the rest of the organisation "
                "(in no pod, not the lead), so no request can be handed to them for approval; put them in a pod or "
                "add a tie in structure.ties")
    assert _problems(load_scenario, path) == [expected]
    data, positions = load_data(path)
    assert _problems(scenario_from_data, data, positions, str(path)) == [expected]
    assert _problems(scenario_from_data, data) == [
        "<data>: policies.approval_chain.0.person: " + expected.split("person: ", 1)[1]]


def test_with_changes_cannot_untie_an_approver(tmp_path: Path) -> None:
    text = starter("network", 3).replace("    - external: CMO\n", "    - person: p3\n")
    s = load_scenario(_write(tmp_path, text))
    found = _problems(with_changes, s, {"structure.pods.linkedin.members": ["p2"]})
    assert found == [f"changes to {s.name!r}: policies.approval_chain.0.person: 'p3' has no tie to the rest of the "
                     "organisation (in no pod, not the lead), so no request can be handed to them for approval; put "
                     "them in a pod or add a tie in structure.ties"]


@pytest.mark.parametrize("path", EXAMPLES + WHAT_IFS, ids=lambda p: p.name)
def test_the_tie_check_agrees_with_the_org_graph(path: Path) -> None:
    """The scenario layer's reachability is the org graph's, for every example and each person as approver."""
    s = load_scenario(path)
    data = s.model_dump(mode="json", by_alias=True)
    if len(s.team.people) < 2:
        pytest.skip("one person: nobody else to keep the pods staffed")
    for pid in s.team.people:
        for members in ([pid], []):  # as is, and with the approver dropped from every pod
            changed = json.loads(json.dumps(data))
            changed["policies"].update(approval_steps=1, approval_chain=[{"person": pid}])
            for pod in changed["structure"]["pods"].values():
                pod["members"] = [m for m in pod["members"] if m != pid or members] or [
                    next(p for p in s.team.people if p != pid)]
            try:
                variant = scenario_from_data(changed)
            except ScenarioError as exc:
                assert all("has no tie" in p.message or "needs at least one" in p.message for p in exc.problems)
                refused = True
                variant = scenario_from_data({**changed, "policies": {**changed["policies"], "approval_steps": 0}})
            else:
                refused = False
            g = build_org(variant).to_undirected()
            reached = nx.node_connected_component(g, dept(next(iter(variant.demand.departments))))
            assert refused == (person(pid) not in reached), (path.name, pid, members)
            assert untied_approvers(variant) == []  # approval_steps 0 (refused) or tied (accepted)


# --- --set: the error names the override as written ---------------------------------------


def _base(tmp_path: Path) -> Path:
    path = tmp_path / "mmc.yaml"
    YAML().dump(mmc_data(2, 0.7, horizon_days=6, warmup_days=1), path)
    return path


def test_a_bad_set_value_names_the_override_not_the_base_file(tmp_path: Path) -> None:
    base = _base(tmp_path)
    res = runner.invoke(app, ["sweep", str(base), "--set", "team.size=abc"])
    assert res.exit_code == 1
    assert res.stderr == "error: --set team.size=abc: expected a whole number of people, at least 1\n"
    res = runner.invoke(app, ["sweep", str(base), "--set", "policies.triage_minutes=1,ten,-2"])
    assert res.exit_code == 1
    assert res.stderr.splitlines() == [
        "error: --set policies.triage_minutes=ten: Input should be a valid number, unable to parse string as a "
        "number, got 'ten'",
        "error: --set policies.triage_minutes=-2: Input should be greater than or equal to 0, got -2",
    ]
    assert str(base) not in res.stderr


def test_a_misspelled_set_key_is_named_with_the_nearest(tmp_path: Path) -> None:
    res = runner.invoke(app, ["sweep", str(_base(tmp_path)), "--set", "policies.aproval_steps=1"])
    assert res.exit_code == 1 and res.stderr == (
        "error: --set policies.aproval_steps=1: no key 'policies.aproval_steps' in the scenario; "
        "did you mean 'policies.approval_steps'?\n")


def test_a_set_value_the_file_positioned_below_is_not_blamed_on_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, starter("network", 3))
    found = _problems(load_variants, path, [{"structure.pods.tiktok.covers": {"channels": ["myspace"]}}])
    assert found == ["--set structure.pods.tiktok.covers={'channels': ['myspace']}: channels.0: unknown channel "
                     "'myspace'; expected one of: instagram, tiktok, linkedin"]


def test_with_changes_errors_are_positioned_by_the_changed_key() -> None:
    s = load_scenario(EXAMPLES[0])
    assert _problems(with_changes, s, {"policies.triage_minutes": "ten"}) == [
        "with_changes policies.triage_minutes='ten': Input should be a valid number, unable to parse string as a "
        "number, got 'ten'"]
    assert _problems(with_changes, s, {"structure.lead": "nobody"})[0].startswith(
        "with_changes structure.lead='nobody': unknown person 'nobody'; expected one of: ")


def test_with_changes_keeps_what_the_file_left_to_its_defaults(tmp_path: Path) -> None:
    # a step naming the CMO may leave her calendar to the approval chain; a copy that wrote the step's default
    # hours out would contradict the chain ("CMO already has a different hours") and refuse a valid scenario
    handoffs = EXAMPLES[0].parent / "calibration" / "handoffs.yaml"
    text = handoffs.read_text()
    said = '              hours: "08:30-18:00"'
    assert said in text
    for name in ("base.yaml", "function.yaml"):  # what it extends, at the same relative place
        (tmp_path / name).write_text((EXAMPLES[0].parent / name).read_text())
    path = tmp_path / "calibration" / "handoffs.yaml"
    path.parent.mkdir()
    path.write_text(text.replace(said, "", 1))
    s = load_scenario(path)
    assert with_changes(s, {"policies.triage_minutes": 2}).policies.triage_minutes == 2
    for example in (*EXAMPLES, *WHAT_IFS):
        original = load_scenario(example)
        assert with_changes(original, {}) == original, example


# --- allow_large: a parameter all the way down, no environment --------------------------------


def test_allow_large_is_a_parameter_of_every_loader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGSIM_ALLOW_LARGE", "1")  # the old switch does nothing now
    path = _write(tmp_path, starter("network", 2).replace("horizon_days: 28", "horizon_days: 5000"))
    assert "exceeds the limit of 3650 days" in _problems(load_scenario, path)[0]
    assert load_scenario(path, allow_large=True).run.horizon_days == 5000
    small = load_scenario(_write(tmp_path, starter("network", 2), "small.yaml"))
    assert _problems(with_changes, small, {"run.horizon_days": 5000}) == [
        "with_changes run.horizon_days=5000: 5000 exceeds the limit of 3650 days simulated (10 years); raise it "
        "with `orgsim --allow-large ...` (allow_large=True from Python)"]
    assert with_changes(small, {"run.horizon_days": 5000}, allow_large=True).run.horizon_days == 5000
    assert _problems(load_variants, path, [{}], allow_large=False)
    assert load_variants(path, [{}], allow_large=True)[0].run.horizon_days == 5000


def test_run_settings_from_the_command_line_are_held_to_the_limits(tmp_path: Path) -> None:
    path = _write(tmp_path, starter("network", 2))
    res = runner.invoke(app, ["run", str(path), "--horizon-days", "5000"])
    assert res.exit_code == 1 and res.stderr == (
        "error: --horizon-days 5000.0: 5000 exceeds the limit of 3650 days simulated (10 years); raise it with "
        "`orgsim --allow-large ...` (allow_large=True from Python)\n")
    s = load_scenario(path)
    assert with_run_settings(s, horizon_days=5000, allow_large=True).run.horizon_days == 5000


def test_sweep_passes_allow_large_down(tmp_path: Path) -> None:
    base = _base(tmp_path)
    sets = [parse_set("run.replications=2000")]  # a value only; --replications 1 is what runs
    assert "--set run.replications=2000: 2000 exceeds the limit of 1000 replications" in _problems(
        sweep, base, sets, replications=1)[0]
    table = sweep(base, sets, replications=1, seed=1, allow_large=True)
    assert set(table["run.replications"]) == {2000}
    res = runner.invoke(app, ["--allow-large", "sweep", str(base), "--set", "run.replications=2000", "--replications", "1"])
    assert res.exit_code == 0, res.output


# --- a saved study passes the same gate --------------------------------------------------------


def _study(tmp_path: Path) -> Path:
    s = scenario_from_data(mmc_data(2, 0.7, horizon_days=6, warmup_days=1))
    return Study([s], [[{}, {}]], seed=1, replications=2, sources=["mmc.yaml"]).save(tmp_path)


def _tamper(path: Path, change: object) -> None:
    body = json.loads(path.read_text())
    change(body)  # type: ignore[operator]
    path.write_text(json.dumps(body))


def test_a_tampered_study_is_refused_with_the_key_at_fault(tmp_path: Path) -> None:
    path = _study(tmp_path)
    assert Study.load(tmp_path).replications == 2
    _tamper(path, lambda b: b["scenarios"][0]["policies"].update(triage_minutes="ten"))
    assert _problems(Study.load, tmp_path) == [
        f"{path}: scenario 1: policies.triage_minutes: Input should be a valid number, unable to parse string as a "
        "number, got 'ten'"]
    res = runner.invoke(app, ["report", "--from", str(tmp_path), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 1 and res.stderr.startswith(f"error: {path}: scenario 1: policies.triage_minutes: ")


def test_a_study_cut_short_or_too_large_is_refused(tmp_path: Path) -> None:
    path = _study(tmp_path)
    _tamper(path, lambda b: b["runs"][0].pop())
    with pytest.raises(Exception, match=r"runs: expected 2 replications for each of the 1 scenarios"):
        Study.load(path)
    path = _study(tmp_path)
    _tamper(path, lambda b: b["scenarios"][0]["run"].update(horizon_days=5000))
    assert "exceeds the limit of 3650 days" in _problems(Study.load, path)[0]
    assert Study.load(path, allow_large=True).scenarios[0].run.horizon_days == 5000


@pytest.mark.parametrize("structure", STRUCTURES)
def test_every_starter_passes_the_gate(structure: str) -> None:
    assert scenario_from_data(YAML(typ="safe").load(starter(structure, 3))).structure.kind
