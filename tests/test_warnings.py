"""Warnings: scenarios that run, but perhaps not as meant — positioned, on stderr, never fatal unless --strict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.errors import ScenarioError
from orgsim.org.lint import check_file
from orgsim.scenario import load_scenario
from orgsim.scenario.templates import STRUCTURES, starter
from tests.conftest import EXAMPLES, ROOT, WHAT_IFS

runner = CliRunner()


def _write(tmp_path: Path, text: str, name: str = "s.yaml") -> tuple[Path, list[str]]:
    path = tmp_path / name
    path.write_text(text)
    return path, text.splitlines()


def _line(lines: list[str], needle: str) -> int:
    return next(i for i, s in enumerate(lines, 1) if needle in s)


def _warnings(path: Path) -> list[str]:
    return [str(w) for w in check_file(path)[1]]


STABLE = [p for p in EXAMPLES if p.name != "solo.yaml"]  # the one-person team is the overloaded stress test


@pytest.mark.parametrize("path", STABLE + WHAT_IFS, ids=lambda p: p.name)
def test_examples_have_no_warnings(path: Path) -> None:
    assert _warnings(path) == []


def test_the_one_person_team_is_unstable_in_validate() -> None:
    [warning] = _warnings(ROOT / "scenarios" / "solo.yaml")
    assert "structure.pods.everything: unstable: pod:everything is offered 1.44×" in warning
    res = runner.invoke(app, ["validate", "--strict", str(ROOT / "scenarios" / "solo.yaml")])
    assert res.exit_code == 1 and "unstable" in res.stderr and "--strict" in res.stderr


@pytest.mark.parametrize("structure", STRUCTURES)
@pytest.mark.parametrize("size", [1, 2, 5])
def test_starters_have_no_warnings(tmp_path: Path, structure: str, size: int) -> None:
    path, _ = _write(tmp_path, starter(structure, size))
    assert _warnings(path) == []


def test_an_audience_no_pod_covers_is_a_warning_at_its_line(tmp_path: Path) -> None:
    text = starter("audience", 2).replace("audiences: [b2b_buyers]\n", "audiences: [press]\n")
    text = text.replace("audiences: [consumers, b2b_buyers]\n", "audiences: [consumers, b2b_buyers, press]\n", 1)
    path, lines = _write(tmp_path, text)
    warnings = _warnings(path)
    mix = _line(lines, "linkedin: {per_day")
    assert any(w.startswith(f"{path}:{mix}:") and "demand.messages.linkedin.audience_mix.b2b_buyers:" in w
               and "no pod lists audience 'b2b_buyers' in covers.audiences" in w and "go to p1 (the lead)" in w
               for w in warnings), warnings
    # the scenario still loads and runs: a warning, not an error
    assert load_scenario(path).structure.kind == "audience"


def test_a_request_audience_no_pod_covers_points_at_the_audience_key(tmp_path: Path) -> None:
    text = starter("audience", 2).replace("          audience: consumers\n          needs_approval",
                                          "          audience: b2b_buyers\n          needs_approval")
    text = text.replace("audiences: [b2b_buyers]\n", "audiences: []\n")
    path, lines = _write(tmp_path, text)
    line = _line(lines, "audience: b2b_buyers")
    assert any(w.startswith(f"{path}:{line}:11: demand.departments.Marketing.requests.campaign_content.audience:")
               for w in _warnings(path)), _warnings(path)


def test_network_and_function_designs_warn_about_the_key_they_route_by(tmp_path: Path) -> None:
    net, _ = _write(tmp_path, starter("network", 2).replace("channels: [tiktok, linkedin]\n", "channels: [tiktok]\n"), "n.yaml")
    assert any("demand.messages.linkedin:" in w and "channel 'linkedin' in covers.channels" in w for w in _warnings(net))
    fn, _ = _write(tmp_path, starter("function", 2).replace("functions: [content, insights]", "functions: [content]"), "f.yaml")
    assert any(".requests.insight_request.function:" in w and "function 'insights'" in w for w in _warnings(fn)), \
        _warnings(fn)


def test_a_skill_no_one_has_warns_at_its_declaration(tmp_path: Path) -> None:
    text = starter("network", 2).replace("channels: [instagram, tiktok, linkedin]\n        functions",
                                         "channels: [instagram, tiktok]\n        functions")
    path, lines = _write(tmp_path, text)
    line = _line(lines, "channels: [instagram, tiktok, linkedin]")
    hit = [w for w in _warnings(path) if ": channels.2:" in w]
    assert len(hit) == 1 and hit[0].startswith(f"{path}:{line}:") and "1.3× the effort" in hit[0]
    # no penalty, no warning
    no_penalty, _ = _write(tmp_path, "extends: s.yaml\npolicies:\n  proficiency_factors: {novice: 1}\n", "p.yaml")
    assert not any(": channels." in w for w in _warnings(no_penalty))


def test_idle_pods_and_people_are_named(tmp_path: Path) -> None:
    text = starter("network", 2).replace("channels: [tiktok, linkedin]\n", "channels: []\n")
    text = text.replace("    linkedin: {per_day: 5", "    tiktok: {per_day: 5").replace("[instagram, tiktok]\n", "[instagram]\n", 1)
    path, lines = _write(tmp_path, text)
    warnings = _warnings(path)
    assert any(w.startswith(f"{path}:{_line(lines, 'tiktok_linkedin:')}:") and "gets no work" in w for w in warnings), \
        warnings
    assert any("team.people.p2: gets no work" in w for w in warnings)


def test_demand_outside_the_measured_window(tmp_path: Path) -> None:
    _write(tmp_path, starter("network", 2), "base.yaml")
    path, lines = _write(tmp_path, (
        "extends: base.yaml\n"
        "demand:\n  bursts:\n    late: {start_day: 40, days: 2, multiplier: 2}\n"
        "    early: {start_day: 1, days: 2, multiplier: 2}\n"
        "    inside: {start_day: 10, days: 2, multiplier: 2}\n"))
    warnings = _warnings(path)
    assert any(w.startswith(f"{path}:{_line(lines, 'late:')}:") and "after the horizon (28 days); it never happens" in w
               for w in warnings), warnings
    assert any("bursts.early.start_day" in w and "inside the warm-up (7 days)" in w for w in warnings)
    assert not any("inside.start_day" in w for w in warnings)


def test_a_request_routed_to_an_unknown_channel_is_a_positioned_error(tmp_path: Path) -> None:
    path, lines = _write(tmp_path, starter("network", 2).replace("channels: [instagram, tiktok]\n          audience",
                                                                  "channels: [instagram, tiktokk]\n          audience"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problems = [str(p) for p in info.value.problems]
    line = _line(lines, "tiktokk")
    assert any(p.startswith(f"{path}:{line}:") and "demand.departments.Marketing.requests.campaign_content.channels.1:"
               in p and "unknown channel 'tiktokk'; expected one of: instagram, tiktok, linkedin" in p
               for p in problems), problems


def test_a_pod_naming_an_unknown_person_is_a_positioned_error(tmp_path: Path) -> None:
    path, lines = _write(tmp_path, starter("function", 3).replace("members: [p1]", "members: [p1, zoe]", 1))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    line = _line(lines, "zoe")
    assert any(str(p).startswith(f"{path}:{line}:") and ".members.1: unknown person 'zoe'" in str(p)
               for p in info.value.problems), info.value.problems


def _uncovered(tmp_path: Path) -> Path:
    text = starter("audience", 2).replace("audiences: [b2b_buyers]\n", "audiences: []\n")
    text = text.replace("horizon_days: 28", "horizon_days: 9").replace("warmup_days: 7", "warmup_days: 2")
    return _write(tmp_path, text)[0]


def test_cli_prints_warnings_on_stderr_and_keeps_exit_zero(tmp_path: Path) -> None:
    path = _uncovered(tmp_path)
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 0, res.output
    lines = res.stderr.splitlines()
    assert f"({len(lines)} warnings)" in res.stdout and len(lines) == 3  # the stream, the idle pod, its member
    assert all(line.startswith(f"warning: {path}:") for line in lines)
    strict = runner.invoke(app, ["validate", "--strict", str(path)])
    assert strict.exit_code == 1 and "--strict" in strict.stderr


def test_json_stdout_stays_pure_with_warnings(tmp_path: Path) -> None:
    path = _uncovered(tmp_path)
    res = runner.invoke(app, ["run", str(path), "--json", "--replications", "1"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["scenario"]
    assert "warning:" in res.stderr and "warning" not in res.stdout


def test_strict_passes_on_clean_files() -> None:
    res = runner.invoke(app, ["validate", "--strict", *map(str, STABLE)])
    assert res.exit_code == 0, res.output
    assert res.stderr == ""


def test_an_approver_no_tie_reaches_is_a_positioned_error_not_a_run_time_failure(tmp_path: Path) -> None:
    text = starter("network", 3).replace("    - external: CMO\n", "    - person: p3\n").replace("members: [p3]", "members: [p2]")
    path, lines = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        check_file(path)
    line = _line(lines, "person: p3")
    assert [str(p) for p in info.value.problems] == [
        f"{path}:{line}:7: policies.approval_chain.0.person: 'p3' has no tie to the rest of the organisation (in no "
        "pod, not the lead), so no request can be handed to them for approval; put them in a pod or add a tie in "
        "structure.ties"]
    res = runner.invoke(app, ["run", str(path)])
    assert res.exit_code == 1 and res.stderr.startswith(f"error: {path}:{line}:7:")
    # tied to the lead, the same approver is fine
    assert "ties:" not in text
    tied = text.replace("  intake: lead", "  intake: lead\n  ties:\n    - {a: p3, b: p1, delay_hours: 1}\n", 1)
    assert check_file(_write(tmp_path, tied, "tied.yaml")[0])[0].policies.approval_chain[0].person == "p3"


def test_a_design_named_after_another_company_is_warned_about(tmp_path: Path) -> None:
    path, lines = _write(tmp_path, f"extends: {ROOT / 'scenarios' / 'network.yaml'}\ncompany: Acme\n"
                                   "name: Northwind Outdoor — by network\n")
    [warning] = _warnings(path)
    assert f"s.yaml:{_line(lines, 'name:')}:1: name: starts with 'Northwind Outdoor', not the company 'Acme'" in warning
    # the company's own name in front, or no company set, is no warning
    for text in ("company: Acme\nname: Acme — by network\n", "name: Northwind Outdoor — by network\n"):
        path, _ = _write(tmp_path, f"extends: {ROOT / 'scenarios' / 'network.yaml'}\n{text}", "t.yaml")
        assert _warnings(path) == []


def test_report_title_comes_from_the_company_setting(tmp_path: Path) -> None:
    from orgsim.experiment.study import Study
    from orgsim.report.html import report_title

    network = load_scenario(ROOT / "scenarios" / "network.yaml")
    assert network.company == "Northwind Outdoor" and network.name == "by network"
    study = Study([network, network.model_copy(update={"name": "copy"})], [[], []], 1, 0)
    assert report_title(study) == "Northwind Outdoor: how should the social-media team be organised?"
    untitled = network.model_copy(update={"company": None})
    study = Study([untitled, untitled.model_copy(update={"name": "Acme — copy"})], [[], []], 1, 0)
    assert report_title(study) == "How should the social-media team be organised?"  # never guessed from names
