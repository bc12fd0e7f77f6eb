"""--precision: replications added until every primary metric is within the asked share of its mean, or a cap."""

from __future__ import annotations

from typer.testing import CliRunner

from orgsim.analytic.reductions import mmc_scenario
from orgsim.cli import app
from orgsim.experiment.settings import Settings
from orgsim.experiment.study import precision_gaps, run_to_precision


def test_precision_doubles_until_reached_or_capped() -> None:
    scenarios = [mmc_scenario(2, 1.0, 1.0, horizon_days=20, warmup_days=2),
                 mmc_scenario(3, 1.0, 1.0, horizon_days=20, warmup_days=2).model_copy(update={"name": "three"})]
    settings = Settings(seed=1, replications=2, workers=1)
    study, gaps = run_to_precision(scenarios, 0.5, settings, detail=False)
    assert gaps == [] == precision_gaps(study, 0.5)
    study, gaps = run_to_precision(scenarios, 0.0001, settings, cap=8, detail=False)
    assert study.replications == 8 and gaps  # the cap stops it, and what is still wide is said
    assert all("% of its mean" in g for g in gaps)


def test_cli_says_when_the_cap_is_hit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    from orgsim.analytic.reductions import mmc_data

    data = mmc_data(1, 0.5, 1.0, horizon_days=5, warmup_days=1)
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(data))
    res = CliRunner().invoke(app, ["compare", str(path), str(path), "--replications", "2", "--precision", "0.001",
                                   "--workers", "1", "--json"])
    assert res.exit_code == 0, res.output
    assert "not reached at 64 replications" in res.stderr
