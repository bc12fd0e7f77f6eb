"""Hostile and broken files: each gets its own clear error, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.errors import ScenarioError
from orgsim.scenario import load_scenario
from orgsim.scenario.templates import starter

runner = CliRunner()


def _write(tmp_path: Path, text: str | bytes, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


def _error(path: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value)


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "is empty"),
        ("# only a comment\n", "is empty"),
        (b"name: \xff\xfe bad\n", "not UTF-8"),
        ("- a\n- b\n", "expected a mapping"),
        ("name: [unclosed\n", "not valid YAML"),
        (BOMB, "expands to more than"),
        ("a: " + "[" * 200 + "]" * 200 + "\n", "nested"),
        ("name: !!python/object/apply:os.system ['echo pwned']\n", ""),
    ],
)
def test_broken_files_get_their_own_error(tmp_path: Path, text: str | bytes, expected: str) -> None:
    assert expected in _error(_write(tmp_path, text))


def test_python_tags_never_execute(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = _write(tmp_path, f"name: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(ScenarioError):
        load_scenario(path)
    assert not marker.exists()


def test_folder_missing_and_oversized(tmp_path: Path) -> None:
    assert "is a folder" in _error(tmp_path)
    assert "no such file" in _error(tmp_path / "nope.yaml")
    big = _write(tmp_path, "name: x\n" + "# pad\n" * 1_000_000)
    assert "limited to" in _error(big)


def test_extends_missing_and_cycle(tmp_path: Path) -> None:
    missing = _write(tmp_path, "extends: base.yaml\nname: x\n")
    assert "does not exist" in _error(missing)
    assert ":1:1: extends" in _error(missing)
    _write(tmp_path, "extends: b.yaml\n", "a.yaml")
    _write(tmp_path, "extends: a.yaml\n", "b.yaml")
    assert "cycle" in _error(tmp_path / "a.yaml")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("horizon_days: 28", "horizon_days: 1000000000", "run.horizon_days: 1e+09 exceeds the limit"),
        ("per_day: 20", "per_day: 1000000000000", "exceeds the limit of 100000 arrivals per day"),
        ("replications: 10 ", "replications: 100000 ", "exceeds the limit of 1000 replications"),
    ],
)
def test_absurd_sizes_refused_with_limit_and_override(tmp_path: Path, old: str, new: str, expected: str) -> None:
    text = starter("network", 2)
    assert old in text
    path = _write(tmp_path, text.replace(old, new, 1))
    message = _error(path)
    assert expected in message and "--allow-large" in message and "allow_large=True" in message
    assert load_scenario(path, allow_large=True).name  # lifted by a parameter: validates


def test_cli_never_prints_a_traceback(tmp_path: Path) -> None:
    for text in ["", "- a\n", BOMB, "a: " + "[" * 200 + "]" * 200]:
        result = runner.invoke(app, ["validate", str(_write(tmp_path, text))])
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    result = runner.invoke(app, ["run", str(tmp_path)])
    assert result.exit_code == 1 and "is a folder" in result.output


def test_allow_large_flag(tmp_path: Path) -> None:
    path = _write(tmp_path, starter("network", 2).replace("horizon_days: 28", "horizon_days: 5000"))
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 1
    assert runner.invoke(app, ["--allow-large", "validate", str(path)]).exit_code == 0
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 1  # one invocation's flag leaves nothing behind
    assert "ORGSIM_ALLOW_LARGE" not in os.environ


def test_time_zone_too_long_for_a_file_name_is_a_positioned_error(tmp_path: Path) -> None:
    # Found by the fuzz test: ZoneInfo raises OSError (name too long) rather than "not found".
    zone = "x" * 300
    p = _write(tmp_path, f"extends: {Path('scenarios/network.yaml').resolve()}\ndemand:\n  timezone: {zone}\n")
    message = _error(p)
    assert f"{p}:3:" in message and "time zone" in message
