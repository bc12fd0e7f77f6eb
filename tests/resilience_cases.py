"""Tiny designs with known weak spots, for the resilience tests (written as YAML files, as a user would give them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _person(channels: list[str] | None = None) -> dict[str, Any]:
    p: dict[str, Any] = {"hours": "00:00-24:00", "days": list(ALL_DAYS)}
    if channels is not None:
        p["skills"] = {"channels": channels}
    return p


def _stream(per_day: float) -> dict[str, Any]:
    return {"per_day": per_day, "handle_minutes": 3, "audience_mix": {"all": 1}, "daily_profile": "flat",
            "weekly_profile": "flat"}


def _data(name: str, streams: dict[str, float], people: dict[str, Any], pods: dict[str, tuple[list[str], str]],
          horizon_days: float = 16) -> dict[str, Any]:
    return {
        "name": name, "channels": list(streams), "audiences": ["all"],
        "demand": {
            "departments": {"Product": {"daily_profile": "flat", "weekly_profile": "flat", "requests": {
                "ask": {"per_day": 2, "function": "insights", "channels": [next(iter(streams))], "audience": "all",
                        "effort_hours": 0.5}}}},
            "messages": {ch: _stream(rate) for ch, rate in streams.items()},
        },
        "team": {"people": people},
        "structure": {"kind": "network", "intake": "pod",
                      "pods": {p: {"members": m, "covers": {"channels": [ch]}} for p, (m, ch) in pods.items()}},
        "policies": {"triage_minutes": 0, "merge_hours": 0, "approval_steps": 0},
        "run": {"horizon_days": horizon_days, "warmup_days": 2, "seed": 7, "replications": 4},
    }


def write(path: Path, data: dict[str, Any]) -> Path:
    YAML(typ="safe", pure=True).dump(data, path.open("w"))
    return path


def sole_keeper(tmp: Path) -> Path:
    """Channel ``a`` has three people (lightly loaded: one away changes nothing); ``b`` has one, ``b1``, alone."""
    people = {"a1": _person(["a"]), "a2": _person(["a"]), "a3": _person(["a"]), "b1": _person(["b"])}
    return write(tmp / "sole.yaml", _data("sole keeper of b", {"a": 100, "b": 40}, people,
                                          {"pa": (["a1", "a2", "a3"], "a"), "pb": (["b1"], "b")}))


def crisis_pair(tmp: Path) -> tuple[Path, Path]:
    """The same four people, grouped two ways: channel ``c``'s pod has one person (thin) or three (thick)."""
    people = {f"p{i}": _person() for i in range(1, 5)}
    thin = _data("thin c pod", {"c": 60, "d": 60}, people, {"pc": (["p1"], "c"), "pd": (["p2", "p3", "p4"], "d")})
    thick = _data("thick c pod", {"c": 60, "d": 60}, people, {"pc": (["p1", "p2", "p3"], "c"), "pd": (["p4"], "d")})
    return write(tmp / "thin.yaml", thin), write(tmp / "thick.yaml", thick)


def shared_keeper(tmp: Path) -> Path:
    """The same people as :func:`sole_keeper`, but ``a3`` also answers channel ``b`` beside ``b1``."""
    people = {"a1": _person(["a"]), "a2": _person(["a"]), "a3": _person(["a", "b"]), "b1": _person(["b"])}
    return write(tmp / "shared.yaml", _data("shared keeper of b", {"a": 100, "b": 40}, people,
                                            {"pa": (["a1", "a2", "a3"], "a"), "pb": (["b1", "a3"], "b")}))
