"""The command line, through typer's CliRunner."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from tests.conftest import ROOT

runner = CliRunner()
NETWORK = str(ROOT / "scenarios" / "network.yaml")
AUDIENCE = str(ROOT / "scenarios" / "audience.yaml")
SHORT = ["--horizon-days", "10", "--warmup-days", "2", "--replications", "2"]

CONTRACT = {"scenario", "structure", "seed", "replications", "horizon_days", "requests", "messages",
            "silo_latency_answered_hours", "silo_overhead_share", "handoffs_per_request", "cross_group_handoffs_per_request",
            "reply_targets", "utilization_mean", "after_hours_share", "by_department", "metrics"}


def test_run_prints_a_readable_summary() -> None:
    res = runner.invoke(app, ["run", NETWORK, *SHORT])
    assert res.exit_code == 0, res.output
    assert "Silo latency" in res.output and "Product" in res.output


def test_run_json_follows_the_contract() -> None:
    res = runner.invoke(app, ["run", AUDIENCE, *SHORT, "--json", "--seed", "3"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert CONTRACT <= set(out)
    assert out["structure"] == "audience" and out["seed"] == 3 and out["replications"] == 2
    assert set(out["requests"]) == {"arrived", "completed", "open_at_end", "backlog_at_end"}
    assert set(out["messages"]) == {"arrived", "answered", "abandoned", "open_at_end"}
    lat = out["silo_latency_answered_hours"]
    assert set(lat) == {"mean", "p50", "p90", "p95", "ci95"} and lat["ci95"][0] <= lat["mean"] <= lat["ci95"][1]
    for d in out["by_department"].values():
        assert {"silo_latency_answered_hours", "requests"} <= set(d)
    assert set(out["reply_targets"]) == {"1", "4", "24"}
    assert out["metrics"]["reply_within_24h_share"]["mean"] == out["reply_targets"]["24"]["all"]
    assert out["metrics"]["silo_latency_mean"] == {"label": "silo latency, mean of answered requests only", "unit": "h", "mean": lat["mean"],
                                                   "ci95": lat["ci95"]}


def test_out_writes_tables_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "res"
    res = runner.invoke(app, ["run", NETWORK, *SHORT, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert {"requests.parquet", "requests.csv", "messages.parquet", "people.csv", "summary.json"} <= {p.name for p in out.iterdir()}
    before = (out / "summary.json").read_text()
    res = runner.invoke(app, ["run", NETWORK, *SHORT, "--seed", "99", "--out", str(out)])
    assert res.exit_code == 1 and "not empty" in res.stderr and "--force" in res.stderr
    assert (out / "summary.json").read_text() == before
    res = runner.invoke(app, ["run", NETWORK, *SHORT, "--seed", "99", "--out", str(out), "--force"])
    assert res.exit_code == 0 and (out / "summary.json").read_text() != before


def test_bad_file_is_one_line_with_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {ROOT / 'scenarios' / 'base.yaml'}\nteam:\n  people:\n    zed:\n      hours: 9 to 5\n")
    res = runner.invoke(app, ["run", str(bad)])
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert lines == [f'error: {bad}:5:7: team.people.zed.hours: expected a range like "09:00-17:00", got \'9 to 5\'']
    assert "Traceback" not in res.output


@pytest.mark.parametrize("args", [["run"], ["run", NETWORK, "--replications", "0"], ["nonsense"]])
def test_bad_usage_exits_2(args: list[str]) -> None:
    assert runner.invoke(app, args).exit_code == 2


def test_validate() -> None:
    res = runner.invoke(app, ["validate", NETWORK, AUDIENCE])
    assert res.exit_code == 0 and res.output.count(": ok") == 2
    res = runner.invoke(app, ["validate", NETWORK, "missing.yaml"])
    assert res.exit_code == 1 and "missing.yaml: no such file" in res.stderr


def test_a_reader_that_goes_away_is_no_internal_error() -> None:
    """`orgsim estimate FILE | head -1`: the pipe closes early; orgsim stops quietly, never a traceback."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "orgsim", "estimate", str(ROOT / "scenarios" / "base.yaml")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.close()  # as `head` does once it has its lines: here before orgsim has even started printing
    err = proc.stderr.read().decode() if proc.stderr is not None else ""
    assert proc.wait() in (0, 1) and "internal error" not in err and "Traceback" not in err, err


def test_debug_shows_the_traceback_of_a_bad_file(tmp_path: Path) -> None:
    """`orgsim --debug validate BAD`: the one error line, then the traceback (in a real process, as a user runs it)."""
    import subprocess
    import sys

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    plain = subprocess.run([sys.executable, "-m", "orgsim", "validate", str(bad)], capture_output=True, text=True)
    debug = subprocess.run([sys.executable, "-m", "orgsim", "--debug", "validate", str(bad)], capture_output=True,
                           text=True)
    assert plain.returncode == 1 and "Traceback" not in plain.stderr and f"error: {bad}:" in plain.stderr
    assert debug.returncode == 1 and f"error: {bad}:" in debug.stderr
    assert "Traceback (most recent call last)" in debug.stderr and "ScenarioError" in debug.stderr


def test_debug_shows_the_traceback_of_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import orgsim.org.lint

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(orgsim.org.lint, "check_file", broken)
    res = runner.invoke(app, ["run", NETWORK])
    assert res.exit_code == 3 and "internal error: ZeroDivisionError: a bug" in res.stderr and "--debug" in res.stderr
    res = runner.invoke(app, ["--debug", "run", NETWORK])
    assert isinstance(res.exception, ZeroDivisionError)


def test_version() -> None:
    from importlib.metadata import version

    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.strip() == f"orgsim {version('orgsim')}"


def test_every_command_reads_debug_from_its_context() -> None:
    """A command wired without ``ctx`` could not see ``--debug``; ``friendly`` refuses it at import."""
    from orgsim.cli import friendly

    def no_ctx() -> None: ...

    with pytest.raises(TypeError, match="must take ctx"):
        friendly(no_ctx)


@pytest.mark.parametrize("command", ["compare", "report"])
def test_one_design_is_refused_with_one_line(command: str, tmp_path: Path) -> None:
    res = runner.invoke(app, [command, NETWORK, "-o", str(tmp_path / "r.html")] if command == "report"
                        else [command, NETWORK])
    assert res.exit_code == 1 and not (tmp_path / "r.html").exists()
    [line] = res.stderr.strip().splitlines()
    assert line.startswith(f"error: {command} compares designs against the first: give at least two scenario files")


def test_help_names_a_lists_items_plainly() -> None:
    """Typer printed "FILE <list[Path]>" and "--set <list[str]>"; every command's help now names one item."""
    import typer.main

    group = typer.main.get_command(app)
    commands = sorted(group.commands)  # type: ignore[attr-defined]
    assert len(commands) > 10
    for command in commands:
        res = runner.invoke(app, [command, "--help"], env={"COLUMNS": "120"})
        assert res.exit_code == 0, command
        assert "list[" not in res.output, (command, [ln for ln in res.output.splitlines() if "list[" in ln])
    report = runner.invoke(app, ["report", "--help"], env={"COLUMNS": "120"}).output
    assert re.search(r"^  FILE\.\.\. <path>\s+Scenario files; the first is the baseline\.", report, re.M)
    sweep = runner.invoke(app, ["sweep", "--help"], env={"COLUMNS": "120"}).output
    assert re.search(r"^  --set <str>\s", sweep, re.M) and "[repeatable]" in sweep


@pytest.mark.parametrize("command", ["report", "compare", "run", "sweep", "explore", "validate"])
def test_help_is_plain_text(command: str) -> None:
    res = runner.invoke(app, [command, "--help"], env={"COLUMNS": "120"})
    assert res.exit_code == 0
    assert "<bool>" not in res.output and "``" not in res.output  # no type after a flag, no raw markup
    if command in ("run", "compare"):
        assert "orgsim[distributed]" in res.output  # brackets shown as written, not eaten as markup


# --- the app builds only the command it runs (orgsim.helptext.PlainTyper) -------------------------------------------

_COMMANDS = sorted(c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands)


@pytest.mark.parametrize("name", _COMMANDS)
def test_a_command_built_alone_reads_as_in_the_whole_app(name: str) -> None:
    alone = runner.invoke(app.only(name), [name, "--help"])
    whole = runner.invoke(app, [name, "--help"])
    assert alone.exit_code == whole.exit_code == 0
    assert alone.output == whole.output


def test_the_app_options_before_a_command_take_no_value() -> None:
    """PlainTyper.named_command skips every option before the command: that holds while each is a flag."""
    import typer.main

    group = typer.main.get_command(app)
    assert {p.name for p in group.params} >= {"debug", "allow_large"}
    assert all(getattr(p, "is_flag", False) for p in group.params)


@pytest.mark.parametrize(("argv", "named"), [
    (["validate", "x.yaml"], "validate"),
    (["--allow-large", "--debug", "run", "x.yaml"], "run"),
    (["--help"], None),
    (["--version"], None),
    (["validat", "x.yaml"], None),  # typer's suggestion needs every command
    ([], None),
    (["run", "--help"], "run"),
])
def test_the_command_a_command_line_names(argv: list[str], named: str | None) -> None:
    assert app.named_command(argv) == named


_COUNT_BUILT = """
import sys, typer.main
built = []
real = typer.main.get_command
typer.main.get_command = lambda app: (built.append(len(app.registered_commands)), real(app))[1]
from orgsim.cli import app
sys.argv = ["orgsim", *{argv!r}]
try:
    app()
except SystemExit:
    pass
print("built", built)
"""


@pytest.mark.parametrize(("argv", "built"), [(["validate", "scenarios/network.yaml"], 1), (["--help"], len(_COMMANDS))])
def test_the_console_command_builds_only_the_command_it_runs(argv: list[str], built: int) -> None:
    import os
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _COUNT_BUILT.format(argv=argv)], capture_output=True, text=True,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert out.stdout.splitlines()[-1] == f"built [{built}]"
