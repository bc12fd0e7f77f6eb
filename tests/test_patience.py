"""Customers who give up: a message nobody starts on within its writer's patience is abandoned, never answered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from orgsim import simulate
from orgsim.errors import OrgsimError
from orgsim.metrics import run_figures
from orgsim.metrics.abandonment import abandoned_by_channel_hour
from orgsim.metrics.registry import record
from orgsim.scenario import load_scenario, scenario_from_data


def _office(patience: Any = 2.0, per_day: float = 12, days: int = 14) -> dict[str, Any]:
    """Una answers Instagram 09:00-17:00 every day (UTC); messages around the clock, 1 minute each."""
    return {
        "name": "office hours",
        "channels": ["instagram"],
        "audiences": ["consumers"],
        "demand": {"departments": {"Product": {"requests": {}}},
                   "messages": {"instagram": {"per_day": per_day, "daily_profile": "flat", "weekly_profile": "flat",
                                              "handle_minutes": 1.0,
                                              **({"patience_hours": patience} if patience is not None else {})}}},
        "team": {"people": {"una": {"hours": "09:00-17:00",
                                    "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}}},
        "structure": {"kind": "custom", "intake": "pod",
                      "pods": {"pod": {"members": ["una"], "covers": {"channels": ["instagram"]}}}},
        "run": {"horizon_days": days, "warmup_days": 1, "replications": 1},
    }


def test_a_message_waiting_past_its_writers_patience_is_abandoned_exactly_then() -> None:
    # Patience 2 h, fixed. A message written between 17:00 and 07:00 finds nobody for over 2 h: abandoned
    # at arrival + 2 h. One written from 09:00 to 15:00 is answered within minutes. In between it depends.
    m = simulate(scenario_from_data(_office()), seed=3).messages
    hour = np.mod(m["arrived"], 24)
    night = ((hour >= 17) | (hour < 7)) & (m["arrived"] <= 14 * 24 - 2)  # (its 2 h over before the horizon)
    day = (hour >= 9) & (hour < 15)
    assert night.sum() > 50 and day.sum() > 25
    assert m.loc[night, "abandoned"].to_numpy() == pytest.approx((m.loc[night, "arrived"] + 2.0).to_numpy())
    assert m.loc[night, "answered"].isna().all()
    assert m.loc[day, "abandoned"].isna().all() and (m.loc[day, "reply_hours"] < 0.5).all()
    # nobody is both; an abandoned message was never started
    assert not (m["abandoned"].notna() & m["answered"].notna()).any()


def test_abandoned_messages_count_as_unanswered_in_every_reply_figure() -> None:
    result = simulate(scenario_from_data(_office()), seed=3)
    f = run_figures(result)
    m = result.messages[result.messages["in_window"]]
    abandoned = int(m["abandoned"].notna().sum())
    assert f["messages"]["abandoned"] == abandoned > 0
    assert f["messages"]["abandoned_share"] == pytest.approx(abandoned / len(m))
    assert f["messages"]["arrived"] == f["messages"]["answered"] + abandoned + f["messages"]["open_at_end"]
    # within 24 h: every message is answered or abandoned long before that; abandoned ones are misses
    due = m["arrived"] <= result.horizon_hours - 24
    assert f["reply_targets"]["24"]["all"] == pytest.approx(1 - m.loc[due, "abandoned"].notna().mean())
    assert record(f)["messages_abandoned_share"] == pytest.approx(abandoned / len(m))
    # by channel and local hour: all the night's messages, none of the day's
    table = abandoned_by_channel_hour(result).set_index("hour")
    assert (table.loc[[17, 20, 0, 3, 6], "abandoned_share"] == 1).all()  # (22:00 on: some still open at the end)
    assert (table.loc[[9, 12, 14], "abandoned_share"] == 0).all()
    assert table["abandoned"].sum() == abandoned


def test_summary_mode_counts_the_same_abandonment() -> None:
    s = scenario_from_data(_office())
    full, summary = run_figures(simulate(s, seed=3)), run_figures(simulate(s, seed=3, summary=True))
    assert summary["messages"] == full["messages"]
    assert summary["reply_targets"] == full["reply_targets"]


def test_without_patience_nothing_is_abandoned_and_the_share_is_not_shown() -> None:
    result = simulate(scenario_from_data(_office(patience=None)), seed=3)
    f = run_figures(result)
    assert f["messages"]["abandoned"] == 0 and "abandoned_share" not in f["messages"]
    assert "messages_abandoned_share" not in record(f)
    assert result.messages["abandoned"].isna().all()


def test_a_message_someone_started_on_is_answered_however_long_it_takes() -> None:
    # One person, 3 h per message, patience 1 h: the messages that reach an idle Una are answered after
    # 3 h (started at once); those arriving while she is busy wait more than 1 h and are abandoned.
    data = _office(patience=1.0, per_day=4)
    data["team"]["people"]["una"]["hours"] = "00:00-24:00"
    data["demand"]["messages"]["instagram"]["handle_minutes"] = 180.0
    m = simulate(scenario_from_data(data), seed=5).messages
    answered = m[m["answered"].notna()]
    assert len(answered) > 10 and (answered["reply_hours"] >= 3.0 - 1e-9).all()
    assert m["abandoned"].notna().sum() > 5
    assert (m["abandoned"] - m["arrived"]).dropna().to_numpy() == pytest.approx(1.0)


BASE = Path(__file__).resolve().parents[1] / "scenarios" / "base.yaml"


def test_a_bad_patience_is_an_error_at_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {BASE}\ndemand:\n  messages:\n    instagram:\n      patience_hours: {{dist: gamma, mean: 2}}\n")
    with pytest.raises(OrgsimError, match=r"bad.yaml:5:.*demand.messages.instagram.patience_hours.*cv"):
        load_scenario(bad)
