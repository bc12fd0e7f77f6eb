"""Calendars that hold: local hours across daylight saving, public holidays."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from orgsim import simulate
from orgsim.errors import OrgsimError
from orgsim.scenario import load_scenario, scenario_from_data
from orgsim.sim.calendar import calendar_for
from tests.test_dispatch import owl_and_lark

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
