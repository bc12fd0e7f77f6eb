"""`orgsim report` and `orgsim run` are wiring: what they write is what the layers' own calls write.

The publish sequence (outputs checked before the run, then page, deck and PDF) lives in
:mod:`orgsim.report.publish`; the summary of a run with its stability in
:func:`orgsim.experiment.replications.run_summary`. These tests call those directly and compare with
the command's files and JSON byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.errors import OrgsimError
from orgsim.experiment.replications import replicate_with, run_summary
from orgsim.experiment.settings import Settings
from orgsim.experiment.study import Study, run_study
from orgsim.report.publish import Outputs, publish, read_additions, rebuild_command, saved_study
from orgsim.scenario import load_scenario
from orgsim.scenario.overrides import with_run_settings
from orgsim.writes import strict_json

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _short(name: str) -> Any:
    return with_run_settings(load_scenario(ROOT / "scenarios" / name), horizon_days=10.0, warmup_days=2.0)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cmp")
    run_study([_short("network.yaml"), _short("solo.yaml")], replications=2, seed=3, workers=1,
              sources=["scenarios/network.yaml", "scenarios/solo.yaml"]).save(folder)
    return folder


def test_publish_writes_what_the_report_command_writes(saved: Path, tmp_path: Path) -> None:
    cli_html, own_html = tmp_path / "cli.html", tmp_path / "own.html"
    res = runner.invoke(app, ["report", "--from", str(saved), "-o", str(cli_html), "--workers", "1"])
    assert res.exit_code == 0, res.output
    said: list[str] = []
    study = saved_study(saved)
    # the page names the command that rebuilds it: the same output name gives the same bytes
    publish(study, Outputs.check(own_html), command=rebuild_command(study, cli_html), said=said.append)
    assert own_html.read_bytes() == cli_html.read_bytes()
    size = f"{cli_html.stat().st_size / 1e3:,.0f} kB"
    assert res.stdout == f"wrote {cli_html} ({size}): 2 designs, 2 replications, seed 3\n"
    assert said == [f"wrote {own_html} ({size}): 2 designs, 2 replications, seed 3"]


def test_outputs_are_checked_before_anything_runs_and_what_the_user_has_is_kept(tmp_path: Path) -> None:
    kept = tmp_path / "mine.html"
    kept.write_text("the user's own page")
    with pytest.raises(OrgsimError, match="--output .*mine.html"):
        Outputs.check(kept)
    with pytest.raises(OrgsimError, match="--pdf .*is also the --output file"):
        Outputs.check(tmp_path / "a.html", pdf=tmp_path / "a.html")
    assert kept.read_text() == "the user's own page"
    assert Outputs.check(kept, force=True).checked == {"--output": kept}


def test_a_file_that_appears_during_the_run_is_kept_unless_forced(saved: Path, tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    outputs = Outputs.check(target)  # free when checked
    target.write_text("written meanwhile")
    with pytest.raises(OrgsimError):
        publish(saved_study(saved), outputs, command="orgsim report", said=lambda _line: None)
    assert target.read_text() == "written meanwhile"


def test_additions_refuse_a_saved_and_a_run_resilience_study(tmp_path: Path) -> None:
    with pytest.raises(OrgsimError, match="not both"):
        read_additions(resilience_from=tmp_path, run_resilience=True)
    assert read_additions() == read_additions(None, None, None)


def test_a_saved_study_of_one_design_is_refused(tmp_path: Path) -> None:
    Study([_short("network.yaml")], [[{}, {}]], 1, 2, ["n.yaml"]).save(tmp_path)
    with pytest.raises(OrgsimError, match="the saved study has one design"):
        saved_study(tmp_path)


def test_run_summary_is_what_orgsim_run_prints(tmp_path: Path) -> None:
    path = tmp_path / "short.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'solo.yaml'}\nrun:\n  horizon_days: 8\n  warmup_days: 1\n")
    res = runner.invoke(app, ["run", str(path), "--replications", "2", "--seed", "4", "--workers", "1", "--json"])
    assert res.exit_code == 0, res.output
    scenario = load_scenario(path)
    settings = Settings.fold(scenario.run, replications=2, seed=4)
    summary = run_summary(scenario, replicate_with(scenario, settings), settings)
    assert strict_json(summary) + "\n" == res.stdout
    assert summary["unstable"] == json.loads(res.stdout)["unstable"] and list(summary)[0] == "company"
