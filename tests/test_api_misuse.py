"""The public API answers misuse at its boundary (issue #34, item 6): every function × None, a wrong type, empty.

Each call must raise a ``TypeError`` or ``ValueError`` that is also an
``OrgsimError`` (so the CLI prints it as one line) and names the function and
the argument; never an ``AttributeError``, ``IndexError`` or ``KeyError`` from
deep inside. The rules are the CLI's (two replications for a comparison, a
known department or metric, a Dask address).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import orgsim
from orgsim.errors import ArgumentError, ArgumentTypeError, OrgsimError

ROOT = Path(__file__).resolve().parents[1]
SOLO = ROOT / "scenarios" / "solo.yaml"
NETWORK = ROOT / "scenarios" / "network.yaml"


@pytest.fixture(scope="module")
def scenario() -> orgsim.Scenario:
    return orgsim.load_scenario(SOLO, {"run.horizon_days": 2, "run.warmup_days": 0})


@pytest.fixture(scope="module")
def study(scenario: orgsim.Scenario) -> Any:
    from orgsim.experiment.study import run_study

    other = scenario.model_copy(update={"name": "other"})
    return run_study([scenario, other], replications=2, seed=1, workers=1)


def _plots() -> dict[str, Callable[..., Any]]:
    from orgsim.report import plots, plots_work

    return {name: getattr(plots, name) for name in ("tradeoff", "latency_by_department", "latency_ecdf",
                                                     "time_breakdown", "reach_over_time", "reach_by_department",
                                                     "utilisation", "after_hours", "bus_factor_chart")} | {
        "backlog_over_time": plots_work.backlog_over_time}


def _resilience() -> Callable[..., Any]:
    from orgsim.resilience import resilience

    return resilience


def _design() -> Any:
    import orgsim.design

    return orgsim.design


# (call, argument named in the message); the calls take the fixtures by name
CASES: list[tuple[str, Callable[..., Any], str]] = [
    # None
    ("load_scenario(None)", lambda s, st: orgsim.load_scenario(None), "load_scenario: path"),
    ("build_org(None)", lambda s, st: orgsim.build_org(None), "build_org: scenario"),
    ("lint(None)", lambda s, st: orgsim.lint(None), "lint: scenario"),
    ("check_file(None)", lambda s, st: orgsim.check_file(None), "check_file: path"),
    ("simulate(None)", lambda s, st: orgsim.simulate(None), "simulate: scenario"),
    ("replicate(None)", lambda s, st: orgsim.replicate(None), "replicate: scenario"),
    ("run_figures(None)", lambda s, st: orgsim.run_figures(None), "run_figures: result"),
    ("summarize(None)", lambda s, st: orgsim.summarize(None), "summarize: results"),
    ("compare(None)", lambda s, st: orgsim.compare(None), "compare: scenarios"),
    ("sweep(None, [])", lambda s, st: orgsim.sweep(None, []), "sweep: base"),
    ("with_changes(None, {})", lambda s, st: orgsim.with_changes(None, {}), "with_changes: scenario"),
    ("render_report(None)", lambda s, st: __import__("orgsim.report").report.render_report(None), "render_report: study"),
    # wrong types
    ("load_scenario(3)", lambda s, st: orgsim.load_scenario(3), "load_scenario: path"),
    ("load_scenario(path, overrides=[1])", lambda s, st: orgsim.load_scenario(SOLO, [1]), "overrides"),
    ("build_org('x.yaml')", lambda s, st: orgsim.build_org("x.yaml"), "load it first"),
    ("lint(s, positions=3)", lambda s, st: orgsim.lint(s, 3), "lint: positions"),
    ("simulate(s, trace='yes')", lambda s, st: orgsim.simulate(s, trace="yes"), "simulate: trace"),
    ("replicate(s, '2')", lambda s, st: orgsim.replicate(s, "2"), "replicate: replications"),
    ("replicate(s, 2, summary=1)", lambda s, st: orgsim.replicate(s, 2, summary=1), "replicate: summary"),
    ("replicate(s, 2, progress=3)", lambda s, st: orgsim.replicate(s, 2, progress=3), "replicate: progress"),
    ("replicate(s, 2, scheduler='garbage')", lambda s, st: orgsim.replicate(s, 2, scheduler="garbage"), "scheduler"),
    ("replicate(s, 2, scheduler='http://127.0.0.1:1')",
     lambda s, st: orgsim.replicate(s, 2, scheduler="http://127.0.0.1:1"), "tcp://host:8786"),
    ("summarize([None])", lambda s, st: orgsim.summarize([None]), "summarize: results[0]"),
    ("summarize(s)", lambda s, st: orgsim.summarize(s), "summarize: results"),
    ("compare([s, 'x'])", lambda s, st: orgsim.compare([s, "x"]), "compare: scenarios[1]"),
    ("compare([s, s], replications=1)", lambda s, st: orgsim.compare([s, s], replications=1), "two replications"),
    ("sweep(path, {'a': 1})", lambda s, st: orgsim.sweep(SOLO, {"a": 1}), "sweep: sets"),
    ("with_changes(s, [1])", lambda s, st: orgsim.with_changes(s, [1]), "with_changes: changes"),
    ("with_changes(s, {}, name=3)", lambda s, st: orgsim.with_changes(s, {}, name=3), "with_changes: name"),
    ("run_study(..., sources=['a'])", lambda s, st: __import__("orgsim.experiment.study").experiment.study.run_study(
        [s, s.model_copy(update={"name": "b"})], 2, sources=["a"]), "1 file names for 2 scenarios"),
    ("org_network(s, top=0)", lambda s, st: __import__("orgsim.report.plots").report.plots.org_network(s, top=0),
     "org_network: top"),
    ("latency_ecdf(st, 'Nowhere')", lambda s, st: _plots()["latency_ecdf"](st, "Nowhere"), "unknown department"),
    ("reach_over_time(st, 'Nowhere')", lambda s, st: _plots()["reach_over_time"](st, "Nowhere"), "unknown department"),
    ("sweep_chart(df, ['nope'])", lambda s, st: __import__("orgsim.report.plots").report.plots.sweep_chart(
        __import__("pandas").DataFrame({"metric": []}), ["nope"]), "unknown metric"),
    ("write_study_report(st, 3)", lambda s, st: __import__("orgsim.report").report.write_study_report(st, 3),
     "write_study_report: path"),
    ("write_demo(logs, d, fmt='xlsx')", lambda s, st: __import__("orgsim.calibrate.demo").calibrate.demo.write_demo(
        __import__("orgsim.calibrate.demo").calibrate.demo.demo_logs(s, 1, 1), "/tmp", fmt="xlsx"), "fmt"),
    # orgsim.design (#29): what a search over designs calls many times
    ("generate_design(None, 'network')", lambda s, st: _design().generate_design(None, "network"),
     "generate_design: scenario"),
    ("generate_design(s, 'nope')", lambda s, st: _design().generate_design(s, "nope"), "generate_design: kind"),
    ("generate_design(s, 'network', {})", lambda s, st: _design().generate_design(s, "network", {}),
     "generate_design: options"),
    ("DesignOptions(min_members=0)", lambda s, st: _design().DesignOptions(min_members=0), "min_members"),
    ("DesignOptions(seat_share=1.5)", lambda s, st: _design().DesignOptions(seat_share=1.5), "seat_share"),
    ("DesignOptions(tolerance=nan)", lambda s, st: _design().DesignOptions(tolerance=float("nan")), "tolerance"),
    ("DesignOptions(max_pods_per_person='2')", lambda s, st: _design().DesignOptions(max_pods_per_person="2"),
     "max_pods_per_person"),
    ("DesignOptions(lead_in_pods='yes')", lambda s, st: _design().DesignOptions(lead_in_pods="yes"), "lead_in_pods"),
    ("design_scenario(s, None)", lambda s, st: _design().design_scenario(s, None), "design_scenario: design"),
    ("design_scenario(None, d)", lambda s, st: _design().design_scenario(None, None), "design_scenario: scenario"),
    ("with_people(s, [1])", lambda s, st: _design().with_people(s, [1]), "with_people: people"),
    ("with_people(s, {'x': 3})", lambda s, st: _design().with_people(s, {"x": 3}), "with_people: people['x']"),
    ("with_people(s, {1: {}})", lambda s, st: _design().with_people(s, {1: {}}), "with_people: people"),
    ("assign_people(shape)", lambda s, st: _design().assign_people(
        ["a"], [30], __import__("numpy").ones((2, 1)), [_design().Slot("p", 10, 1)]), "assign_people: factors"),
    # orgsim.resilience (#31): files or scenarios, its options, the run settings
    ("resilience(None)", lambda s, st: _resilience()(None), "resilience: designs"),
    ("resilience([3])", lambda s, st: _resilience()([3]), "resilience: designs[0]"),
    ("resilience([s], options={})", lambda s, st: _resilience()([s], options={}), "resilience: options"),
    ("resilience([s], replications=0)", lambda s, st: _resilience()([s], replications=0), "resilience: replications"),
    ("resilience([s], out=3)", lambda s, st: _resilience()([s], out=3), "resilience: out"),
    ("resilience([s], resume='yes')", lambda s, st: _resilience()([s], resume="yes"), "resilience: resume"),
    ("resilience([s], scheduler='garbage')", lambda s, st: _resilience()([s], scheduler="garbage"), "scheduler"),
    # empty
    ("compare([])", lambda s, st: orgsim.compare([]), "compare: scenarios"),
    ("summarize([])", lambda s, st: orgsim.summarize([]), "summarize: results"),
    ("load_scenario('')", lambda s, st: orgsim.load_scenario(""), "load_scenario: path"),
    ("sweep(path, [('run.seed', [])])", lambda s, st: orgsim.sweep(SOLO, [("run.seed", [])]), "has no values"),
    ("explore([])", lambda s, st: __import__("orgsim.explore").explore.explore([]), "explore: designs"),
    ("explore(paths, samples=0)", lambda s, st: __import__("orgsim.explore").explore.explore([SOLO, NETWORK], samples=0),
     "explore: samples"),
    ("resilience([])", lambda s, st: _resilience()([]), "resilience: designs"),
    ("replicate(s, 0)", lambda s, st: orgsim.replicate(s, 0), "replicate: replications"),
]


@pytest.mark.parametrize(("call", "fn", "says"), CASES, ids=[c[0] for c in CASES])
def test_every_public_function_answers_misuse_at_its_boundary(call: str, fn: Callable[..., Any], says: str,
                                                              scenario: Any, study: Any) -> None:
    with pytest.raises((TypeError, ValueError)) as info:
        fn(scenario, study)
    assert isinstance(info.value, OrgsimError), f"{call}: {type(info.value).__name__}: {info.value}"
    assert says in str(info.value), f"{call}: {info.value}"


@pytest.mark.parametrize("name", sorted(_plots()))
def test_every_plot_refuses_what_is_not_a_study(name: str) -> None:
    with pytest.raises(ArgumentTypeError, match=f"{name}: study: expected a Study"):
        _plots()[name](None)
    with pytest.raises(ArgumentTypeError, match=f"{name}: study: expected a Study"):
        _plots()[name]("study.json")


def test_the_errors_are_the_python_kinds_and_the_projects() -> None:
    assert issubclass(ArgumentTypeError, TypeError) and issubclass(ArgumentTypeError, OrgsimError)
    assert issubclass(ArgumentError, ValueError) and issubclass(ArgumentError, OrgsimError)


def test_a_good_call_still_works(scenario: Any) -> None:
    results = orgsim.replicate(scenario, 2, seed=3)
    assert orgsim.summarize(results)["replications"] == 2
