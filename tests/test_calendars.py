"""Calendars that hold: local hours across daylight saving, public holidays."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from orgsim import simulate
from orgsim.errors import OrgsimError
from orgsim.scenario import load_scenario, scenario_from_data
from orgsim.sim.calendar import calendar_for
from orgsim.sim.demand import hourly_rates, local_offsets
from tests.test_dispatch import owl_and_lark
from tests.tiny_insights import TINY, make

MARCH_MONDAY = dt.date(2026, 3, 23)  # the UK clocks go forward on Sunday 29 March 2026


def test_a_london_shift_keeps_local_hours_across_the_march_change() -> None:
    cal = calendar_for("09:00-17:00", ["mon", "tue", "wed", "thu", "fri"], "Europe/London", MARCH_MONDAY, 14 * 24)
    starts = cal.bounds[0::2]
    # week 1 on GMT: 09:00 UTC; week 2 on BST: 08:00 UTC, i.e. still 09:00 in London
    assert starts[:5] == (9.0, 33.0, 57.0, 81.0, 105.0)
    assert starts[5:] == tuple(24 * d + 8.0 for d in (7, 8, 9, 10, 11))
    # a fixed offset does not move
    fixed = calendar_for("09:00-17:00", ["mon"], "UTC+01:00", MARCH_MONDAY, 14 * 24)
    assert fixed.bounds == (8.0, 16.0, 176.0, 184.0)


def test_a_run_across_the_change_works_local_hours() -> None:
    # Lark (London, 09:00-17:00) gets a 1 h job at 07:30 UTC on the Monday
    # after the change: 08:30 in London, so it waits until 09:00 BST = 08:00 UTC.
    data = owl_and_lark(ask={"at_hours": [7 * 24 + 7.5], "effort_hours": 1.0})
    data["team"]["people"] = {"lark": {"hours": "09:00-17:00", "timezone": "Europe/London"}}
    data["structure"]["pods"]["pod"]["members"] = ["lark"]
    data["run"] = {"horizon_days": 10, "warmup_days": 0, "replications": 1, "start_date": str(MARCH_MONDAY)}
    row = simulate(scenario_from_data(data), seed=1).requests.iloc[0]
    assert row["answered"] == pytest.approx(7 * 24 + 9.0)


def test_a_public_holiday_empties_the_day() -> None:
    # Good Friday (3 April 2026) and Easter Monday (6 April) in England
    week = ["mon", "tue", "wed", "thu", "fri"]
    cal = calendar_for("09:00-17:00", week, "Europe/London", dt.date(2026, 3, 30), 8 * 24, holidays="GB-ENG")
    days = sorted({int(b // 24) for b in cal.bounds})
    assert days == [0, 1, 2, 3]  # Monday to Thursday; Friday and next Monday are holidays
    assert cal.absent(4 * 24 + 12) and not cal.on_duty(7 * 24 + 10)
    # Scotland has Good Friday but not Easter Monday
    scot = calendar_for("09:00-17:00", week, "Europe/London", dt.date(2026, 3, 30), 8 * 24, holidays="GB-SCT")
    assert sorted({int(b // 24) for b in scot.bounds}) == [0, 1, 2, 3, 7]


def test_an_unknown_holiday_region_is_a_positioned_error(tmp_path: Path) -> None:
    base = Path(__file__).resolve().parents[1] / "scenarios" / "base.yaml"
    for region, message in (("XX", "unknown holiday region 'XX'"), ("GB-XYZ", "unknown region 'XYZ' of GB")):
        bad = tmp_path / "bad.yaml"
        bad.write_text(f"extends: {base}\nteam:\n  people:\n    tom:\n      holidays: {region}\n")
        with pytest.raises(OrgsimError, match=rf"bad.yaml:5:.*team.people.tom.holidays: {message}"):
            load_scenario(bad)


SURE = {k: 1.0 for k in ("member", "same_pod", "cross_pod", "via_lead", "department_intake", "liaison",
                         "embedded", "reporting", "custom")}


def _relayed(**structure: object) -> tuple[np.ndarray, np.ndarray]:
    """(noticed, reached) at Product, whose only path runs through the lead; the lead is away days 0-3."""
    lead = {**TINY["team"]["people"]["lead"], "absences": [{"start_day": 0, "days": 3}]}
    s = make(team={"people": {**TINY["team"]["people"], "lead": lead}},
             insights={"pass_probability": SURE, "kinds": {"quality": {
                 "per_week": 10, "channel": "instagram", "audience": "consumers", "departments": ["Product"]}}},
             structure={"handoff_hours": {"via_lead": 1.5, "department_intake": 2.0}, **structure},
             run={"horizon_days": 6})
    r = simulate(s, seed=3).insights.dropna(subset=["reached"])
    return r["noticed"].to_numpy(), r["reached"].to_numpy()


def test_a_relay_through_an_absent_lead_waits_for_the_lead_or_the_deputy() -> None:
    noticed, reached = _relayed()
    early = noticed + 1.5 < 72
    assert early.any() and (~early).any()
    # the lead hears 1.5 h after the pod, relays only from hour 72 when back, 2 h to Product
    assert np.allclose(reached, np.maximum(noticed + 1.5, 72) + 2.0)
    # Bo stands in around the clock: nothing waits
    noticed, reached = _relayed(deputy="bo")
    assert np.allclose(reached, noticed + 1.5 + 2.0)


def test_an_unknown_deputy_is_a_positioned_error(tmp_path: Path) -> None:
    base = Path(__file__).resolve().parents[1] / "scenarios" / "base.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {base}\nstructure:\n  deputy: tomm\n")
    with pytest.raises(OrgsimError, match=r"bad.yaml:3:.*structure.deputy: unknown person 'tomm'"):
        load_scenario(bad)


def test_an_answer_to_a_closed_department_is_received_when_it_opens() -> None:
    # Owl finishes at 19:00; Product keeps 09:00-17:00: the answer is received
    # at 09:00 the next day, and the 14 h wait is handoff time.
    data = owl_and_lark(ask={"at_hours": [18.0], "effort_hours": 1.0})
    data["demand"]["departments"]["Product"]["hours"] = "09:00-17:00"
    row = simulate(scenario_from_data(data), seed=1).requests.iloc[0]
    assert row["answered"] == pytest.approx(24 + 9.0)
    assert row["handoff_hours"] == pytest.approx(14.0)
    assert row["work_hours"] == pytest.approx(1.0)


def test_department_traffic_follows_local_time_across_the_change() -> None:
    # Office-hours requests from London start at 07:00 local: 07:00 UTC in
    # the week before the change, 06:00 UTC in the week after.
    data = owl_and_lark(ask={"per_week": 10, "effort_hours": 1.0})
    data["demand"]["timezone"] = "Europe/London"
    data["demand"]["departments"]["Product"].update(daily_profile="office_hours", weekly_profile="weekdays")
    data["run"] = {"horizon_days": 14, "warmup_days": 0, "replications": 1, "start_date": str(MARCH_MONDAY)}
    s = scenario_from_data(data)
    dept = s.demand.departments["Product"]
    rates = hourly_rates(1.0, dept.daily_profile, dept.weekly_profile,
                         local_offsets("Europe/London", MARCH_MONDAY, 14 * 24), s, [])
    first_hour = [int(np.flatnonzero(rates[d * 24:(d + 1) * 24])[0]) for d in (0, 7)]
    assert first_hour == [7, 6]
