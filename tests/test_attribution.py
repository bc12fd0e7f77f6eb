"""Each lever's share: two levers of known effect, shares that add up to the total."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from orgsim.analytic.reductions import mmc_data
from orgsim.experiment.attribution import attribute, levers, shapley
from orgsim.metrics.registry import metric
from orgsim.scenario.loading import scenario_from_data


def _pair() -> tuple[Any, Any]:
    """One always-on person, fixed one-hour work, a fixed 3 h handoff each way; the design: no delay, two people."""
    base = mmc_data(1, 0.8, 1.0, horizon_days=30, warmup_days=3)
    base["demand"]["departments"]["Product"]["requests"]["ask"]["effort_hours"] = {"dist": "fixed", "mean": 1.0}
    base["structure"]["handoff_hours"]["department_intake"] = 3.0
    base["policies"]["handoff_delay"] = "fixed"
    design = copy.deepcopy(base)
    design["name"] = "two people, no delay"
    design["structure"]["handoff_hours"]["department_intake"] = 0.0
    design["team"]["people"]["p1"] = copy.deepcopy(design["team"]["people"]["p0"])
    design["structure"]["pods"]["pod"]["members"].append("p1")
    return scenario_from_data(base), scenario_from_data(design)


def test_shapley_of_an_additive_game_is_each_effect() -> None:
    v = {0: 0.0, 1: -6.0, 2: -2.0, 3: -8.0}  # no interaction
    assert shapley(lambda m: v[m], 2) == [-6.0, -2.0]


def test_two_levers_of_known_effect() -> None:
    base, design = _pair()
    assert [name for name, _ in levers(base, design)] == ["team", "grouping", "handoff_hours"]
    at = attribute(base, design, 4, 1, metrics=[metric("silo_latency_mean"), metric("silo_latency_rmst")])
    # the pods name a person only the design's team has: team and grouping cannot be switched apart
    assert at.levers == ["handoff_hours", "grouping + team"] and "attributed together" in at.grouped[0]
    for mid in ("silo_latency_mean", "silo_latency_rmst"):
        rows = {r["lever"]: r for r in at.rows if r["metric"] == mid}
        # removing a fixed 3 h handoff each way takes 6 h off every request (a few at the horizon aside)
        assert rows["handoff_hours"]["difference"] == pytest.approx(-6.0, abs=0.3)
        # a second person on a queue at load 0.8 shortens the wait: a clear, smaller gain
        assert rows["grouping + team"]["ci95"][1] < 0
        assert rows["handoff_hours"]["difference"] + rows["grouping + team"]["difference"] == \
            pytest.approx(rows["total"]["difference"], abs=1e-9)
    assert {r["lever"] for r in at.json()} == {"handoff_hours", "grouping + team", "total"}


@pytest.mark.slow
def test_compare_attribute_json_adds_up(tmp_path: Any) -> None:
    import json

    from typer.testing import CliRunner

    from orgsim.cli import app
    from tests.conftest import ROOT

    files = []
    for name in ("network.yaml", "what-if/audience-pod-intake.yaml"):  # grouping and intake differ
        src = ROOT / "scenarios" / name
        files.append(str(src))
    res = CliRunner().invoke(app, ["compare", *files, "--replications", "2", "--workers", "1", "--attribute", "--json"])
    assert res.exit_code == 0, res.output
    designs = json.loads(res.stdout)["designs"]
    at = next(d["attribution"] for d in designs.values() if "attribution" in d)
    for mid in {r["metric"] for r in at}:
        rows = [r for r in at if r["metric"] == mid]
        total = next(r["difference"] for r in rows if r["lever"] == "total")
        assert sum(r["difference"] for r in rows if r["lever"] != "total") == pytest.approx(total, abs=1e-9)
    assert "description" not in {r["lever"] for r in at}


def test_waterfall_bars_end_at_the_total() -> None:
    from orgsim.experiment.attribution import Attribution
    from orgsim.report.plots import attribution_waterfall

    rows = [{"lever": "intake", "metric": "silo_latency_rmst", "label": "x", "difference": -9.0, "ci95": [-10.0, -8.0]},
            {"lever": "grouping", "metric": "silo_latency_rmst", "label": "x", "difference": -3.0, "ci95": [-4.0, -2.0]},
            {"lever": "total", "metric": "silo_latency_rmst", "label": "x", "difference": -12.0, "ci95": [-13.0, -11.0]}]
    fig = attribution_waterfall(Attribution("by audience", ["intake", "grouping"], rows))
    bars = fig.axes[0].patches
    assert [round(b.get_y() + b.get_height(), 6) for b in bars] == [-9.0, -12.0, -12.0]  # each ends where the next starts


def test_levers_read_as_words_on_the_example_what_if() -> None:
    from orgsim.experiment.attribution import lever_phrase
    from orgsim.scenario import load_scenario
    from tests.conftest import ROOT

    base = load_scenario(ROOT / "scenarios" / "network.yaml")
    design = load_scenario(ROOT / "scenarios" / "what-if" / "audience-pod-intake.yaml")
    assert [lever_phrase(name, design) for name, _ in levers(base, design)] == \
        ["grouping by audience", "sending requests straight to the pods"]


def test_the_report_shows_each_levers_share_from_the_same_attribution() -> None:
    import html

    from orgsim.experiment.attribution import attribute_study
    from orgsim.experiment.study import run_study
    from orgsim.report import render_report
    from orgsim.report.decision import split_sentence

    base, design = _pair()
    study = run_study([base, design], replications=2, seed=1, workers=1)
    found = attribute_study(study)
    assert [a.design for a in found] == [design.name]  # two or more levers: attributed
    direct = attribute(base, design, 2, 1)
    assert found[0].rows == direct.rows  # the same code and seeds as `compare --attribute`
    page = html.unescape(render_report(study, attributions=found))
    assert 'id="chart-attribution-0"' in page and "Where the difference comes from" in page
    sentence = split_sentence(found[0], design)
    assert sentence.startswith("Of the ") and "from handoff hours" in sentence and sentence in page
    assert "Where it comes from:" in page  # page one: the recommended design's split
    assert 'id="chart-attribution-0"' not in render_report(study)  # opt-in
