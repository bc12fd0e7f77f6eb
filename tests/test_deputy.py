"""A deputy stands in for the lead: triage, merges, approvals and relays while she is off duty or away."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from orgsim import simulate
from orgsim.analytic.estimate import estimate
from orgsim.errors import OrgsimError
from orgsim.scenario import load_scenario, scenario_from_data
from tests.helpers import ALWAYS
from tests.test_dispatch import owl_and_lark

OFFICE = {"hours": "09:00-17:00"}  # Monday to Friday, UTC; day 0 is Monday 5 January 2026


def _world(*, deputy: str | None = "bo", covers: list[str] | None = None, lead: dict[str, Any] | None = None,
           bo: dict[str, Any] | None = None, approval: bool = False, **asks: dict[str, Any]) -> dict[str, Any]:
    """Owl's pod (Owl around the clock) does the work; Ana leads and triages everything, Bo is her deputy."""
    data = owl_and_lark(**{name: {**spec, "needs_approval": approval} for name, spec in asks.items()})
    data["team"]["people"].update(ana=lead or OFFICE, bo=bo or OFFICE)
    data["structure"].update(intake="lead", lead="ana")
    if deputy is not None:
        data["structure"]["deputy"] = deputy
    if covers is not None:
        data["structure"]["deputy_covers"] = covers
    data["policies"].update(triage_minutes=30, approval_steps=1, approval_chain=[{"person": "ana", "review_hours": 1.0}])
    data["run"]["horizon_days"] = 14
    return data


def _log(data: dict[str, Any]) -> list[tuple[float, str, int, str]]:
    log = simulate(scenario_from_data(data), seed=1, trace=True).log
    return [(round(t, 6), e, i, w) for t, e, k, i, w in log.itertuples(index=False) if k == "request"]


ABSENT = {**OFFICE, "absences": [{"start_day": 1, "days": 10}]}  # Ana is away from Tuesday to the Friday after next
ASKS = {"at_hours": [30.0, 60.0, 100.0], "effort_hours": 2.0}  # Tue 06:00, Wed 12:00, Fri 04:00


def test_a_deputy_triages_in_her_own_hours_while_the_lead_is_away() -> None:
    # Each ask waits for Bo's 09:00 (or is taken at once inside her hours), 30 min of triage, then Owl's 2 h.
    assert _log(_world(lead=ABSENT, ask=ASKS)) == [
        (30.0, "arrive", 0, "Product/ask"), (30.0, "queue", 0, "deputised:ana"),
        (33.0, "start", 0, "bo"), (33.5, "finish", 0, "bo"),
        (33.5, "queue", 0, "pod:pod"), (33.5, "start", 0, "owl"), (35.5, "finish", 0, "owl"),
        (35.5, "answer", 0, "Product/ask"),
        (60.0, "arrive", 1, "Product/ask"), (60.0, "queue", 1, "deputised:ana"),
        (60.0, "start", 1, "bo"), (60.5, "finish", 1, "bo"),
        (60.5, "queue", 1, "pod:pod"), (60.5, "start", 1, "owl"), (62.5, "finish", 1, "owl"),
        (62.5, "answer", 1, "Product/ask"),
        (100.0, "arrive", 2, "Product/ask"), (100.0, "queue", 2, "deputised:ana"),
        (105.0, "start", 2, "bo"), (105.5, "finish", 2, "bo"),
        (105.5, "queue", 2, "pod:pod"), (105.5, "start", 2, "owl"), (107.5, "finish", 2, "owl"),
        (107.5, "answer", 2, "Product/ask"),
    ]


@pytest.mark.parametrize("deputy, covers", [(None, None), ("bo", ["relay"]), ("bo", ["merge", "approval"])])
def test_without_a_deputy_for_triage_the_requests_wait_for_her_return(deputy: str | None, covers: list[str]) -> None:
    # Ana is back on Friday of the next week (day 11) at 09:00 = hour 273: she triages the three in order.
    answered = simulate(scenario_from_data(_world(deputy=deputy, covers=covers, lead=ABSENT, ask=ASKS)),
                        seed=1).requests["answered"].tolist()
    assert answered == [275.5, 276.0, 277.5]  # triage 273-274.5 one after another; Owl's 2 h each from there


def test_while_the_lead_is_on_duty_the_deputy_leaves_her_duties_to_her() -> None:
    # Ana (09:00-17:00) gets three asks at 15:00 Monday, 1 h of triage each. Bo is on duty around the
    # clock and free, but Ana is on duty: she triages 15-16 and 16-17. At 17:00 her shift ends and she
    # hands the third to Bo at once; an ask at 20:00 is Bo's.
    data = _world(bo=ALWAYS, ask={"at_hours": [15.0, 15.0, 15.0, 20.0], "effort_hours": 0.5})
    data["policies"]["triage_minutes"] = 60
    triage = [(t, i, w) for t, e, i, w in _log(data) if e == "start" and w in ("ana", "bo")]
    assert triage == [(15.0, 0, "ana"), (16.0, 1, "ana"), (17.0, 2, "bo"), (20.0, 3, "bo")]


def test_the_deputy_approves_only_when_approval_is_among_her_duties() -> None:
    # An ask at 18:00 Monday, Ana gone home: Bo (around the clock) triages 18:00-18:30, Owl works it
    # until 19:30, then it needs Ana's 1 h approval: Bo's at 19:30 when she covers approvals, else it
    # waits for Ana at 09:00 Tuesday (hour 33).
    ask = {"at_hours": [18.0], "effort_hours": 1.0}
    for covers, answered in ((["triage", "approval"], 20.5), (["triage"], 34.0)):
        result = simulate(scenario_from_data(_world(bo=ALWAYS, covers=covers, approval=True, ask=ask)), seed=1)
        assert result.requests["answered"].tolist() == [answered]
        assert result.requests["approval_hours"].tolist() == [answered - 19.5]


def test_the_estimate_counts_the_deputy() -> None:
    # Poisson asks while Ana is away 10 of 14 days: the estimate's triage station is served in Bo's
    # hours too, and its latency falls as the simulation's does.
    def both(deputy: str | None) -> tuple[float, float, dict[str, Any]]:
        data = _world(deputy=deputy, lead=ABSENT, ask={"per_week": 20, "effort_hours": 1.0})
        data["run"].update(horizon_days=14, replications=1)
        s = scenario_from_data(data)
        runs = [simulate(s, seed=k).requests for k in range(8)]
        sim = np.mean([(r["answered"] - r["arrived"]).mean() for r in runs])
        est = estimate(s)
        return est["silo_latency_hours"]["mean"], float(sim), est["stations"]

    (est_off, sim_off, alone), (est_on, sim_on, covered) = both(None), both("bo")
    assert "person:ana" in alone and "deputised:ana" in covered and "person:ana" not in covered
    assert est_on < est_off / 3 and sim_on < sim_off / 3
    assert est_on == pytest.approx(sim_on, rel=0.25)  # measured: 15.4 h against 13.3 h


BASE = Path(__file__).resolve().parents[1] / "scenarios" / "base.yaml"


@pytest.mark.parametrize("structure, message", [
    ("  deputy_covers: [triage]\n", r"bad.yaml:3:.*structure.deputy_covers: says what a deputy stands in for; "
                                    r"set structure.deputy too"),
    ("  deputy: tom\n  deputy_covers: [triage, lunch]\n", r"bad.yaml:4:.*structure.deputy_covers.1: .*'triage'"),
])
def test_deputy_covers_is_checked_where_it_is_written(tmp_path: Path, structure: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {BASE}\nstructure:\n{structure}")
    with pytest.raises(OrgsimError, match=message):
        load_scenario(bad)
