"""Proficiency: how long a person takes follows from their level on what the work concerns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from orgsim import simulate
from orgsim.errors import OrgsimError
from orgsim.scenario import load_scenario, scenario_from_data
from tests.helpers import mmc_data
from tests.test_dispatch import owl_and_lark


def _work_hours(person: dict[str, object], channels: list[str], **policies: object) -> float:
    data = owl_and_lark(ask={"at_hours": [10.0], "effort_hours": 1.0, "channels": channels})
    data["channels"] = ["instagram", "tiktok"]
    data["team"]["people"] = {"owl": {**data["team"]["people"]["owl"], **person}}
    data["structure"]["pods"]["pod"]["members"] = ["owl"]
    data["policies"].update(policies)
    return float(simulate(scenario_from_data(data), seed=1).requests.iloc[0]["work_hours"])


def test_factor_is_the_mean_over_channels_times_function_times_audience() -> None:
    owl = {"proficiency": {"channels": {"instagram": "expert", "tiktok": "novice"},
                           "functions": {"insights": "none"}, "audiences": {"consumers": "practised"}}}
    assert _work_hours(owl, ["instagram", "tiktok"]) == pytest.approx((0.8 + 1.3) / 2 * 2.0)
    assert _work_hours(owl, ["instagram"]) == pytest.approx(0.8 * 2.0)
    # the scenario sets the factors
    assert _work_hours(owl, ["instagram"], proficiency_factors={"expert": 0.5}) == pytest.approx(0.5 * 2.0)


def test_skills_lists_are_shorthand_listed_practised_unlisted_novice() -> None:
    owl = {"skills": {"channels": ["instagram"]}}
    assert _work_hours(owl, ["instagram"]) == pytest.approx(1.0)
    assert _work_hours(owl, ["tiktok"]) == pytest.approx(1.3)  # channels listed, tiktok not: novice
    # proficiency wins over the list, and `default` sets every name neither mentions
    assert _work_hours({**owl, "proficiency": {"channels": {"instagram": "expert"}}}, ["instagram"]) == pytest.approx(0.8)
    # (this work names no audience: two factors, channel and function)
    assert _work_hours({"proficiency": {"default": "novice"}}, ["instagram"]) == pytest.approx(1.3 ** 2)


def test_equal_proficiency_leaves_the_mmc_queue_unchanged() -> None:
    # The M/M/c reduction: a pod of equals queues exactly as before levels
    # existed, whether they are written as skills lists or as levels.
    base = mmc_data(3, 0.8, horizon_days=20)
    levels = mmc_data(3, 0.8, horizon_days=20)
    for p in levels["team"]["people"].values():
        p.pop("skills")
        p["proficiency"] = {"default": "practised"}
    a, b = (simulate(scenario_from_data(d), seed=4) for d in (base, levels))
    pd.testing.assert_frame_equal(a.requests, b.requests)


def test_factors_must_not_fall_with_the_level() -> None:
    data = owl_and_lark(ask={"at_hours": [10.0], "effort_hours": 1.0})
    data["policies"]["proficiency_factors"] = {"expert": 1.5}
    with pytest.raises(OrgsimError, match="must not fall"):
        scenario_from_data(data)


def test_an_unknown_level_or_name_is_a_positioned_error(tmp_path: Path) -> None:
    base = Path(__file__).resolve().parents[1] / "scenarios" / "base.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {base}\nteam:\n  people:\n    tom:\n      proficiency:\n"
                   "        channels: {instagram: guru}\n")
    with pytest.raises(OrgsimError, match=r"bad.yaml:6:.*proficiency.channels.instagram.*'expert'"):
        load_scenario(bad)
    bad.write_text(f"extends: {base}\nteam:\n  people:\n    tom:\n      proficiency:\n"
                   "        channels: {instagramm: expert}\n")
    with pytest.raises(OrgsimError, match=r"bad.yaml:6:.*unknown channel 'instagramm'"):
        load_scenario(bad)
