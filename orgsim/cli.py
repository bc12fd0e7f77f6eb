"""The ``orgsim`` command: wiring only; every decision lives in the layers below."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from orgsim.errors import OrgsimError
from orgsim.experiment import replicate
from orgsim.metrics import summarize
from orgsim.output import render_summary, write_run
from orgsim.scenario import load_scenario
from orgsim.scenario.overrides import with_run_settings

app = typer.Typer(
    name="orgsim",
    help="Simulate how a social-media team's structure shapes silo latency and insight reach.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])
DEBUG = {"on": False}


def _err(message: str) -> None:
    typer.echo(message, err=True)


def friendly(fn: F) -> F:
    """Map the domain error to exit 1 and anything unexpected to one line."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except OrgsimError as exc:
            for line in str(exc).splitlines():
                _err(f"error: {line}")
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # the last line of defence: never a traceback
            if DEBUG["on"]:
                raise
            _err(f"internal error: {type(exc).__name__}: {exc} — please report it; rerun with --debug for the traceback")
            raise typer.Exit(3) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")] = False,
    allow_large: Annotated[bool, typer.Option("--allow-large", help="Lift the size limits (horizon, rates, people).")] = False,
) -> None:
    DEBUG["on"] = debug
    if allow_large:
        import os

        os.environ["ORGSIM_ALLOW_LARGE"] = "1"


FileArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False, metavar="FILE")]


@app.command()
@friendly
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files.", show_default=False, metavar="FILE...")],
) -> None:
    """Check scenario files; print every problem with its file and line."""
    failed = False
    for file in files:
        try:
            s = load_scenario(file)
        except OrgsimError as exc:
            failed = True
            for line in str(exc).splitlines():
                _err(f"error: {line}")
            continue
        typer.echo(f"{file}: ok — {s.name!r}, structure {s.structure.kind}, {len(s.team.people)} people, "
                   f"{len(s.demand.departments)} departments")
    if failed:
        raise typer.Exit(1)


@app.command()
@friendly
def run(
    file: FileArg,
    seed: Annotated[int | None, typer.Option(help="Base seed (default: run.seed in the file).")] = None,
    replications: Annotated[int | None, typer.Option(min=1, help="Replications (default: run.replications).")] = None,
    horizon_days: Annotated[float | None, typer.Option(help="Simulated days (default: run.horizon_days).")] = None,
    warmup_days: Annotated[float | None, typer.Option(help="Days left out of the figures (default: run.warmup_days).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print only JSON on stdout.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write tables (Parquet, CSV) and summary.json here.")] = None,
    force: Annotated[bool, typer.Option(help="Allow --out to write into a non-empty folder.")] = False,
) -> None:
    """Simulate one scenario and print its silo-latency summary."""
    scenario = with_run_settings(load_scenario(file), horizon_days=horizon_days, warmup_days=warmup_days)
    if out is not None:
        from orgsim.output import check_out_dir

        check_out_dir(out, force)
    base_seed = scenario.run.seed if seed is None else seed
    results = replicate(scenario, replications, base_seed)
    summary = summarize(results, seed=base_seed)
    if out is not None:
        write_run(out, results, summary)
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        render_summary(summary)
        if out is not None:
            typer.echo(f"wrote {out}/")


@app.command()
@friendly
def compare(
    files: Annotated[list[Path], typer.Argument(help="Scenario files; the first is the baseline.", metavar="FILE...")],
    seed: Annotated[int | None, typer.Option(help="Base seed (default: the baseline's run.seed).")] = None,
    replications: Annotated[int | None, typer.Option(min=2, help="Paired replications (default: run.replications).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print only JSON on stdout.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write comparison.parquet/.csv and comparison.json here.")] = None,
    force: Annotated[bool, typer.Option(help="Allow --out to write into a non-empty folder.")] = False,
) -> None:
    """Compare designs on the same demand: every figure with its CI, and a verdict against the first."""
    from orgsim.experiment.compare import compare as run_compare
    from orgsim.output import check_out_dir, comparison_json, render_comparison

    scenarios = [load_scenario(f) for f in files]
    if out is not None:
        check_out_dir(out, force)
    table = run_compare(scenarios, replications, seed)
    result = comparison_json(table)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        table.to_parquet(out / "comparison.parquet", index=False)
        table.to_csv(out / "comparison.csv", index=False)
        (out / "comparison.json").write_text(json.dumps(result, indent=2) + "\n")
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        render_comparison(table)


if __name__ == "__main__":  # pragma: no cover
    app()


# --- authoring: schema, init, show (issue 6) ------------------------------------


@app.command()
@friendly
def schema() -> None:
    """Print the scenario JSON Schema (draft-07) for editors' YAML language servers."""
    from orgsim.scenario.schema import schema_text

    sys.stdout.write(schema_text())


@app.command()
@friendly
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the starter scenario.", show_default=False)],
    structure: Annotated[str, typer.Option(help="network, function, audience or embedded.")] = "network",
    team_size: Annotated[int, typer.Option(min=1, max=200, help="People on the team.")] = 4,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter scenario that validates and runs."""
    import os

    from orgsim.scenario.templates import STRUCTURES, starter

    if structure not in STRUCTURES:
        raise OrgsimError(f"--structure must be one of {', '.join(STRUCTURES)}, got {structure!r}")
    if path.exists() and not force:
        raise OrgsimError(f"{path} already exists; pass --force to overwrite it")
    repo_schema = Path(__file__).resolve().parent.parent / "schemas" / "scenario.schema.json"
    target = path.resolve().parent
    schema_ref = os.path.relpath(repo_schema, target) if repo_schema.exists() else "scenario.schema.json"
    path.write_text(starter(structure, team_size, str(path), schema_ref), encoding="utf-8")
    typer.echo(f"wrote {path} ({structure}, {team_size} people); try: orgsim run {path}")


@app.command()
@friendly
def show(
    file: FileArg,
    origins: Annotated[bool, typer.Option("--origins", help="Note the file:line each value came from.")] = False,
) -> None:
    """Print the fully resolved scenario after extends: and defaults."""
    from orgsim.scenario.show import resolved_text

    sys.stdout.write(resolved_text(file, origins))
