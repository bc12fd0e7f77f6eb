"""Hardening (issue #21): every reproducer of a crash, hang or silent wrong number, as a regression test.

Each hostile file either gives a positioned one-line error (exit 1) or runs;
never an internal error, never a hang.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from orgsim.errors import ScenarioError
from orgsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SOLO = ROOT / "scenarios" / "solo.yaml"
NETWORK = ROOT / "scenarios" / "network.yaml"


def _file(tmp_path: Path, body: str, base: Path = SOLO, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"extends: {base}\n{body}", encoding="utf-8")
    return path


def _refused(path: Path) -> str:
    """The one problem a file is refused with; it must carry a line and column in that file."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    first = info.value.problems[0]
    assert first.file == str(path) and first.line is not None and first.column is not None, str(first)
    return str(first)


def _chain(review: str) -> str:
    return f"policies:\n  approval_chain:\n    - external: CMO\n      review_hours: {review}\n"


# --- 1. finite numbers and non-degenerate distributions ------------------------------------------


@pytest.mark.parametrize(("body", "line", "says"), [
    ("team:\n  people:\n    sam: {cost_per_year: .inf}\n", 4, "finite number, got inf"),
    ("team:\n  people:\n    sam: {cost_per_year: .nan}\n", 4, "finite number, got nan"),
    (_chain("{dist: uniform, low: 1, high: .inf}"), 5, "finite number"),
    (_chain("{dist: lognormal, mean: 1, cv: 1e308}"), 5, "too large"),
    (_chain("{dist: lognormal, mean: 1, cv: 1000}"), 5, "less than or equal to 100"),
    (_chain("{dist: triangular, low: 1, mode: 1, high: 1}"), 5, "low < high"),
    (_chain(".nan"), 5, "finite number"),
    ("demand:\n  messages:\n    tiktok: {daily_profile: [" + ", ".join(["1e308"] * 24) + "]}\n", 4, "too large"),
    ("demand:\n  messages:\n    tiktok: {audience_mix: {consumers: .inf}}\n", 4, "finite number"),
])
def test_non_finite_and_degenerate_numbers_are_refused_where_written(tmp_path: Path, body: str, line: int,
                                                                     says: str) -> None:
    message = _refused(_file(tmp_path, body, NETWORK))
    assert f"x.yaml:{line}:" in message and says in message


def test_insight_levers_that_would_never_end_are_refused(tmp_path: Path) -> None:
    burst = _file(tmp_path, "insights:\n  kinds:\n    trend: {bursts: [{start_day: 1, days: 2, multiplier: .inf}]}\n",
                  NETWORK)
    assert "x.yaml:4:" in _refused(burst)
    big = _file(tmp_path, "insights:\n  kinds:\n    trend: {bursts: [{start_day: 1, days: 2, multiplier: 100000}]}\n",
                NETWORK, "big.yaml")
    assert "less than or equal to 1000" in _refused(big)
    brief = _file(tmp_path, "insights:\n  trend_briefing: {every_days: 1e-300, departments: [Executive]}\n",
                  NETWORK, "brief.yaml")
    assert "every_days" in _refused(brief) and "greater than or equal to 1" in _refused(brief)


def test_a_seed_is_an_identifier_not_a_quantity(tmp_path: Path) -> None:
    assert load_scenario(_file(tmp_path, "run: {seed: 123456789012345678}\n")).run.seed == 123456789012345678
