"""The ``orgsim`` command: wiring only; every decision lives in the layers below.

Each command imports what it needs when it runs, so that ``orgsim --help``,
``validate`` and ``estimate`` never load pandas, scipy or matplotlib
(``tests/test_startup.py`` checks it).
"""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from orgsim.errors import OrgsimError
from orgsim.helptext import PlainTyper
from orgsim.writes import ending_cleanly, strict_json

if TYPE_CHECKING:
    from orgsim.experiment.settings import Settings as RunSettings
    from orgsim.scenario import Scenario

# PlainTyper: a list argument's help reads "FILE... <path>", not typer's "FILE <list[Path]>" (orgsim.helptext)
app = PlainTyper(
    name="orgsim",
    help="Simulate how a social-media team's structure shapes silo latency and insight reach.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: no type column ("<bool>" after a flag says nothing a reader needs), and help text shown as
    # written, so "orgsim[distributed]" is not eaten as markup.
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


def _debug(ctx: typer.Context) -> bool:
    """Whether ``--debug`` was given (kept on the command's context, not in a module global)."""
    root = ctx.find_root().obj
    return bool(isinstance(root, dict) and root.get("debug"))


def _err(message: str) -> None:
    typer.echo(message, err=True)


def friendly(fn: F) -> F:
    """Map the domain error to exit 1 and anything unexpected to one line (the traceback with ``--debug``).

    The command must take ``ctx: typer.Context``: that is where ``--debug`` is read, through typer's own
    context (typer may bundle its own click, so a separately installed click never sees it).
    """
    if "ctx" not in inspect.signature(fn).parameters:
        raise TypeError(f"orgsim command {fn.__name__}() must take ctx: typer.Context (where --debug is read)")

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with ending_cleanly():  # a SIGTERM still removes temporary files and staging folders
                value = fn(*args, **kwargs)
                _flush_stdout()
                return value
        except OrgsimError as exc:
            for line in str(exc).splitlines():
                _err(f"error: {line}")
            if _debug(kwargs["ctx"]):
                raise
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # the reader went away (`orgsim estimate ... | head`): stop quietly, as the docs advise
            _silence_stdout()  # no second error when Python flushes
            raise typer.Exit(1) from None
        except OSError as exc:  # a full or read-only disk, a file that went away: the system's word, one line
            if _debug(kwargs["ctx"]):
                raise
            where = f"{exc.filename}: " if exc.filename else "could not write the output: "  # stdout, or a write
            _err(f"error: {where}{exc.strerror or exc}")
            _silence_stdout()
            raise typer.Exit(1) from None
        except Exception as exc:  # the last line of defence: never a traceback
            if _debug(kwargs["ctx"]):
                raise
            _err(f"internal error: {type(exc).__name__}: {exc} — please report it; rerun with --debug for the traceback")
            raise typer.Exit(3) from None

    return wrapper  # type: ignore[return-value]


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so Python's own flush at exit cannot fail a second time."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _flush_stdout() -> None:
    """Flush what a command printed, so that `orgsim show F > file` on a full disk fails here, where it can be said."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        _silence_stdout()
        raise OrgsimError(f"could not write the output ({exc.strerror or exc}); what was written is incomplete") from None


def _print_version(value: bool) -> None:
    if value:
        from orgsim import __version__

        typer.echo(f"orgsim {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of any error (internal or in your input).")] = False,
    allow_large: Annotated[bool, typer.Option("--allow-large", help="Lift the size limits (horizon, rates, people).")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print orgsim's version and exit.")] = False,
) -> None:
    ctx.obj = {"debug": debug, "allow_large": allow_large}


def _allow_large(ctx: typer.Context) -> bool:
    """``orgsim --allow-large``, passed down to the loader of this command."""
    return bool((ctx.find_root().obj or {}).get("allow_large"))


def load_scenario(ctx: typer.Context, file: Path) -> Scenario:
    """Load a scenario; print its warnings (things that run, but maybe not as meant) on stderr."""
    from orgsim.org.lint import check_file

    scenario, warnings = check_file(file, allow_large=_allow_large(ctx))
    for warning in warnings:
        _err(f"warning: {warning}")
    return scenario


def load_designs(ctx: typer.Context, files: list[Path], command: str) -> list[Scenario]:
    """Load the designs of a comparison (at least two: a baseline and one to weigh against it)."""
    if len(files) < 2:
        raise OrgsimError(f"{command} compares designs against the first: give at least two scenario files "
                          f"(got {len(files)}); for one design, run `orgsim run {files[0] if files else 'FILE'}`")
    from orgsim.report.labels import company_note

    scenarios = [load_scenario(ctx, f) for f in files]
    note = company_note([s.company for s in scenarios])
    if note:
        _err(f"warning: {note}")
    return scenarios


WorkersOpt = Annotated[int | None, typer.Option(min=1, help="Processes to run replications on (default: every core; more than the cores needs --allow-large).")]
ReportWorkersOpt = Annotated[int | None, typer.Option("--workers", min=1, help="Processes to run replications and then draw the page's charts on (default: every core; more than the cores needs --allow-large).")]
SchedulerOpt = Annotated[str | None, typer.Option(help="Run on a Dask cluster instead: tcp://host:8786 (orgsim[distributed]).")]
FileArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False, metavar="FILE")]


@app.command()
@friendly
def validate(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files.", show_default=False, metavar="FILE")],
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors (exit 1).")] = False,
) -> None:
    """Check scenario files; print every problem and warning with its file and line."""
    from orgsim.org.lint import check_file

    failed = warned = False
    for file in files:
        try:
            s, warnings = check_file(file, allow_large=_allow_large(ctx))
        except OrgsimError as exc:
            failed = True
            for line in str(exc).splitlines():
                _err(f"error: {line}")
            if _debug(ctx):
                raise
            continue
        for warning in warnings:
            _err(f"warning: {warning}")
        warned |= bool(warnings)
        noted = f" ({len(warnings)} warning{'s' * (len(warnings) != 1)})" if warnings else ""
        people = f"{len(s.team.people)} {'person' if len(s.team.people) == 1 else 'people'}"
        typer.echo(f"{file}: ok — {s.name!r}, structure {s.structure.kind}, {people}, "
                   f"{len(s.demand.departments)} departments{noted}")
    if warned and strict:
        _err("error: --strict: warnings count as errors")
    if failed or (warned and strict):
        raise typer.Exit(1)


@app.command()
@friendly
def run(
    ctx: typer.Context,
    file: FileArg,
    seed: Annotated[int | None, typer.Option(help="Base seed (default: run.seed in the file).")] = None,
    replications: Annotated[int | None, typer.Option(min=1, help="Replications (default: run.replications).")] = None,
    horizon_days: Annotated[float | None, typer.Option(help="Simulated days (default: run.horizon_days).")] = None,
    warmup_days: Annotated[float | None, typer.Option(help="Days left out of the figures (default: run.warmup_days).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print only JSON on stdout.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write tables (Parquet, CSV) and summary.json here.")] = None,
    force: Annotated[bool, typer.Option(help="Allow --out to write into a non-empty folder.")] = False,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    summary_mode: Annotated[bool, typer.Option("--summary", help="Keep running totals, not a row per request and "
                                               "message: flat memory on long horizons, percentiles within 1%; "
                                               "--out then writes no per-request tables.")] = False,
) -> None:
    """Simulate one scenario and print its silo-latency summary."""
    from orgsim.experiment.replications import replicate_with, run_summary
    from orgsim.experiment.settings import Settings
    from orgsim.folders import claim_folder
    from orgsim.output import progress_bar, render_summary, results_bytes, write_run
    from orgsim.scenario.overrides import with_run_settings

    scenario = with_run_settings(load_scenario(ctx, file), horizon_days=horizon_days, warmup_days=warmup_days,
                                 allow_large=_allow_large(ctx))
    settings = Settings.fold(scenario.run, replications=replications, seed=seed, workers=workers, scheduler=scheduler,
                             allow_large=_allow_large(ctx))
    with contextlib.ExitStack() as claimed:
        # claimed before simulating: a bad, busy or full --out fails now, and results appear only when all are written
        need = results_bytes(scenario, settings.replications, summary_mode)
        stage = claimed.enter_context(claim_folder(out, force, need_bytes=need)) if out is not None else None
        with progress_bar(settings.replications, quiet=as_json) as tick:
            results = replicate_with(scenario, settings, progress=tick, summary=summary_mode)
        summary = run_summary(scenario, results, settings)
        if stage is not None:
            write_run(stage, results, summary)
    if as_json:
        sys.stdout.write(strict_json(summary) + "\n")
    else:
        render_summary(summary)
        if out is not None:
            typer.echo(f"wrote {out}/")


@app.command()
@friendly
def compare(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Scenario files; the first is the baseline.", metavar="FILE")],
    seed: Annotated[int | None, typer.Option(help="Base seed (default: the baseline's run.seed).")] = None,
    replications: Annotated[int | None, typer.Option(min=2, help="Paired replications (default: run.replications).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print only JSON on stdout.")] = False,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    out: Annotated[Path | None, typer.Option(help="Write comparison.parquet/.csv, comparison.json and study.json here.")] = None,
    force: Annotated[bool, typer.Option(help="Allow --out to write into a non-empty folder.")] = False,
    correction: Annotated[str, typer.Option(help="Secondary verdicts: holm (family-wise 5%), bh (false discoveries "
                                                 "5%) or none.")] = "holm",
    precision: Annotated[float | None, typer.Option(min=0.001, max=1.0, help="Double the replications until every "
                                                    "primary metric's 95% CI half-width is within this share of its "
                                                    "mean (at most 64 replications).")] = None,
    attribute: Annotated[bool, typer.Option("--attribute", help="Split each design's difference from the baseline "
                                            "into its levers (runs every combination; see docs/statistics.md).")] = False,
    with_resilience: Annotated[bool, typer.Option("--resilience", help="Also put every design through `orgsim "
                                                  "resilience` (its defaults; many runs).")] = False,
    resilience_from: Annotated[Path | None, typer.Option(help="Add the resilience study saved by `orgsim resilience "
                                                         "--out DIR` (same designs).")] = None,
    recommend_dir: Annotated[Path | None, typer.Option("--recommend", help="Add the answer of an `orgsim recommend "
                                                       "--out DIR` folder (same company).")] = None,
) -> None:
    """Compare designs on the same demand: every figure with its CI, and a verdict against the first."""
    from orgsim.experiment.settings import Settings
    from orgsim.experiment.study import study_runs, study_with
    from orgsim.folders import claim_folder
    from orgsim.output import comparison_json, progress_bar, render_attribution, render_comparison, write_comparison

    if correction not in ("holm", "bh", "none"):
        raise OrgsimError(f"--correction must be holm, bh or none, got {correction!r}")
    scenarios = load_designs(ctx, files, "compare")
    settings = Settings.fold(scenarios[0].run, replications=replications, seed=seed, workers=workers,
                             scheduler=scheduler, allow_large=_allow_large(ctx))
    with contextlib.ExitStack() as claimed:
        stage = claimed.enter_context(claim_folder(out, force)) if out is not None else None
        if precision is not None:
            from orgsim.experiment.study import PRECISION_CAP, run_to_precision

            study, gaps = run_to_precision(scenarios, precision, settings, sources=[str(f) for f in files],
                                           detail=out is not None)
            if gaps:
                _err(f"warning: --precision {precision:g} not reached at {study.replications} replications (the cap "
                     f"is {PRECISION_CAP}): " + "; ".join(gaps[:5])
                     + (f"; and {len(gaps) - 5} more" if len(gaps) > 5 else ""))
            else:
                _err(f"--precision {precision:g}: reached at {study.replications} replications")
        else:
            with progress_bar(study_runs(scenarios, settings), quiet=as_json) as tick:
                # with --out, keep every replication's detail, so `orgsim report --from OUT` can draw it without rerunning
                study = study_with(scenarios, settings, progress=tick, sources=[str(f) for f in files],
                                   detail=out is not None)
        study.correction = correction
        table = study.table
        attributions = []
        if attribute:
            from orgsim.experiment.attribution import attribute_with

            # on the study's settings (--precision may have raised its replications); without the size override,
            # as before: 2^k designs each
            levers_on = Settings.fold(scenarios[0].run, replications=study.replications, seed=study.seed,
                                      workers=workers, scheduler=scheduler)
            attributions = [attribute_with(scenarios[0], s, levers_on) for s in scenarios[1:]]
        resilient = _resilience_for(scenarios, [str(f) for f in files], with_resilience, resilience_from,
                                    settings.with_replications(study.replications), as_json)
        if stage is not None:
            write_comparison(stage, table, study, attributions)
    if as_json:
        data = comparison_json(table, attributions)
        if resilient is not None:
            from orgsim.resilience.tables import add_resilience

            add_resilience(data, resilient, "--resilience-from" if resilience_from is not None else "--resilience")
        sys.stdout.write(strict_json(data) + "\n")
    else:
        render_comparison(table)
        for a in attributions:
            render_attribution(a)
        if resilient is not None:
            from orgsim.resilience.render import render_resilience

            typer.echo("")
            render_resilience(resilient, typer.echo)


def _resilience_for(scenarios: list[Scenario], sources: list[str], run: bool, saved: Path | None,
                    settings: RunSettings, quiet: bool) -> dict[str, Any] | None:
    """The resilience study of ``--resilience`` (run at the comparison's seed) or ``--resilience-from``."""
    if run and saved is not None:
        raise OrgsimError("give --resilience (run it) or --resilience-from DIR (a saved one), not both")
    if saved is not None:
        from orgsim.resilience import read_resilience

        return read_resilience(saved)
    if not run:
        return None
    from orgsim.output import progress_bar
    from orgsim.resilience import Options, resilience_json
    from orgsim.resilience.run import resilience_with, study_size

    with progress_bar(study_size(scenarios, Options(), settings, sources), quiet=quiet) as tick:
        return resilience_json(resilience_with(scenarios, Options(), settings, progress=tick, sources=sources))


@app.command()
@friendly
def report(
    ctx: typer.Context,
    files: Annotated[list[Path] | None, typer.Argument(help="Scenario files; the first is the baseline.", metavar="FILE",
                                                       show_default=False)] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")] = Path("report.html"),
    from_dir: Annotated[Path | None, typer.Option("--from", help="Draw a study saved by `orgsim compare --out DIR` instead of running.")] = None,
    seed: Annotated[int | None, typer.Option(help="Base seed (default: the baseline's run.seed).")] = None,
    replications: Annotated[int | None, typer.Option(min=2, help="Paired replications (default: run.replications).")] = None,
    workers: ReportWorkersOpt = None,
    scheduler: SchedulerOpt = None,
    pptx: Annotated[Path | None, typer.Option("--pptx", help="Also write a short slide deck (python-pptx).")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Also print the report to an A4 PDF (headless Chromium).")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite the output files if they exist.")] = False,
    explore_dir: Annotated[Path | None, typer.Option("--explore", help="Add the rules and tornadoes of an `orgsim "
                                                     "explore --out DIR` folder.")] = None,
    attribute: Annotated[bool, typer.Option("--attribute", help="Split the difference of each design that changes "
                                            "two or more levers into each lever's share (runs every combination "
                                            "of its levers; see docs/statistics.md).")] = False,
    with_resilience: Annotated[bool, typer.Option("--resilience", help="Add what breaks without key people: runs "
                                                  "`orgsim resilience` on the designs (many runs).")] = False,
    resilience_from: Annotated[Path | None, typer.Option(help="Add the resilience study saved by `orgsim resilience "
                                                         "--out DIR` (same designs).")] = None,
    recommend_dir: Annotated[Path | None, typer.Option("--recommend", help="Add the answer of an `orgsim recommend "
                                                       "--out DIR` folder (same company).")] = None,
) -> None:
    """Write the HTML report a CMO reads: the decision on page one, then the appendix (works offline).

    --pptx and --pdf also write a slide deck and a printed copy of the same study. --attribute adds a
    waterfall per design that differs from the baseline in several levers (opt-in: it runs 2^k designs each).
    """
    from dataclasses import replace

    from orgsim.experiment.settings import Settings
    from orgsim.experiment.study import study_runs, study_with
    from orgsim.output import progress_bar
    from orgsim.report.publish import (
        Outputs,
        publish,
        read_additions,
        rebuild_command,
        saved_study,
        undefined_warning,
    )

    if files and from_dir is not None:
        raise OrgsimError("give scenario files or --from a saved study, not both")
    if not files and from_dir is None:
        raise OrgsimError("give the scenario files to compare, or --from a folder written by `orgsim compare --out`")
    outputs = Outputs.check(output, pptx, pdf, force)  # before the run, not after it
    additions = read_additions(explore_dir, recommend_dir, resilience_from, run_resilience=with_resilience)
    if from_dir is not None:
        if seed is not None or replications is not None:
            raise OrgsimError("--seed and --replications apply when running scenarios, not with --from")
        study = saved_study(from_dir, allow_large=_allow_large(ctx))
    else:
        assert files is not None
        scenarios = load_designs(ctx, files, "report")
        settings = Settings.fold(scenarios[0].run, replications=replications, seed=seed, workers=workers,
                                 scheduler=scheduler, allow_large=_allow_large(ctx))
        with progress_bar(study_runs(scenarios, settings)) as tick:
            study = study_with(scenarios, settings, progress=tick, sources=[str(f) for f in files])
    undefined = undefined_warning(study)
    if undefined:
        _err(f"warning: {undefined}")
    attributions = []
    if attribute:
        from orgsim.experiment.attribution import attribute_study

        attributions = attribute_study(study, workers=workers, scheduler=scheduler)
    if with_resilience:  # at the study's seed and replications (a saved study's, with --from)
        on_study = Settings.fold(study.scenarios[0].run, replications=study.replications, seed=study.seed,
                                 workers=workers, scheduler=scheduler, allow_large=_allow_large(ctx))
        additions = replace(additions, resilience=_resilience_for(study.scenarios, study.sources, True, None,
                                                                  on_study, False))
    publish(study, outputs, command=rebuild_command(study, output, additions, attribute=attribute,
                                                    run_resilience=with_resilience),
            attributions=attributions, additions=additions, workers=workers, said=typer.echo,
            charts=lambda total: progress_bar(total, label=f"writing {output.name}: charts"))


@app.command()
@friendly
def estimate(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.", exists=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Queueing-network approximation of silo latency in well under a second (a rough guide, no simulation)."""
    from orgsim.analytic.estimate import estimate as approximate
    from orgsim.output import render_estimate

    e = approximate(load_scenario(ctx, file))
    if as_json:
        sys.stdout.write(strict_json(e) + "\n")
        return
    render_estimate(e, typer.echo)


@app.command()
@friendly
def sweep(
    ctx: typer.Context,
    base: FileArg,
    set_: Annotated[list[str] | None, typer.Option("--set", help="KEY=VALUES: dotted key, values as 0,1,2 or 3..12; repeat for a grid.")] = None,
    replications: Annotated[int | None, typer.Option(min=1, help="Replications per point (default: run.replications).")] = None,
    seed: Annotated[int | None, typer.Option(help="Base seed (default: run.seed).")] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    out: Annotated[Path | None, typer.Option(help="Write each run as it finishes, then sweep.parquet/.csv, here.")] = None,
    resume: Annotated[bool, typer.Option(help="Continue the sweep in --out, skipping runs already done.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON records on stdout.")] = False,
) -> None:
    """Sweep scenario values over a grid; one tidy row per point and metric, with 95% CI."""
    from orgsim.experiment.sweep import grid_size, parse_set, sweep_runs, sweep_settings, sweep_with
    from orgsim.output import progress_bar, render_sweep
    from orgsim.scenario.limits import check_points

    sets = [parse_set(s) for s in set_ or []]
    if resume and out is None:
        raise OrgsimError("--resume needs --out, the folder of the sweep to continue")
    check_points(grid_size(sets), "sweep points", allow_large=_allow_large(ctx))  # before the file is read
    load_scenario(ctx, base)  # its warnings, on stderr
    settings = sweep_settings(base, sets, replications=replications, seed=seed, workers=workers, scheduler=scheduler,
                              allow_large=_allow_large(ctx))
    with progress_bar(sweep_runs(sets, settings), quiet=as_json) as tick:
        table = sweep_with(base, sets, settings, out=out, resume=resume, progress=tick)
    if as_json:
        sys.stdout.write(table.to_json(orient="records", indent=2) + "\n")
        return
    render_sweep(table, [k for k, _ in sets], typer.echo)
    if out is not None:
        typer.echo(f"wrote {out}/sweep.parquet and sweep.csv")


@app.command()
@friendly
def explore(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Design files (scenario YAML), compared pairwise.", metavar="DESIGN")],
    vary: Annotated[list[str] | None, typer.Option("--vary", help="KEY=LOW..HIGH: a dotted key or a group "
                                                   "(proficiency, handoff, volumes); repeat. None: the stated "
                                                   "assumptions.")] = None,
    method: Annotated[str, typer.Option(help="morris (screening) or sobol (first-order and total indices).")] = "morris",
    samples: Annotated[int | None, typer.Option(min=1, help="Morris trajectories, or Sobol base points (a power of "
                                                "two). Default: as many as fit the work budget (it says how many).")] = None,
    replications: Annotated[int | None, typer.Option(min=1, help="Replications per point and design (default: "
                                                     "2).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the sample and of the runs (default: run.seed).")] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    out: Annotated[Path | None, typer.Option(help="Write each run as it finishes, then the tables (CSV) and "
                                             "exploration.json, here.")] = None,
    resume: Annotated[bool, typer.Option(help="Continue the exploration in --out, skipping runs already done.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print only JSON on stdout.")] = False,
) -> None:
    """Where each design wins: sensitivity indices per primary metric and the rule of each pair's win region."""
    from orgsim.explore import exploration_json, parse_vary
    from orgsim.explore.render import render_exploration
    from orgsim.explore.run import plan_exploration, point_count, run_exploration
    from orgsim.output import progress_bar
    from orgsim.scenario.limits import check_points

    if resume and out is None:
        raise OrgsimError("--resume needs --out, the folder of the exploration to continue")
    inputs = parse_vary(vary or [])
    if samples is not None:
        check_points(point_count(inputs, method, samples) * len(files), "exploration points (sample points × designs)",
                     allow_large=_allow_large(ctx))  # before any file is read: a hopeless size is refused at once
    load_scenario(ctx, files[0])  # its warnings, on stderr
    plan = plan_exploration(files, inputs, method, samples, replications, seed, workers, _allow_large(ctx), scheduler)
    if plan.size.chosen:
        _err(f"explore: {plan.size.chosen}")
    with progress_bar(plan.runs, quiet=as_json) as tick:
        ex = run_exploration(plan, out, resume, tick)
    if as_json:
        sys.stdout.write(strict_json(exploration_json(ex)) + "\n")
        return
    render_exploration(ex, typer.echo)
    if out is not None:
        typer.echo(f"wrote {out}/exploration.json and the tables as CSV")


@app.command()
@friendly
def resilience(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Design files (scenario YAML).", metavar="DESIGN...")],
    absent_days: Annotated[float, typer.Option(help="How long each person (and each shared role) is away.")] = 14.0,
    start_day: Annotated[float | None, typer.Option(help="The day every stress starts (default: drawn per "
                                                    "replication, the same for every design).")] = None,
    after_days: Annotated[float, typer.Option(help="Days measured after a stress ends (its backlog).")] = 7.0,
    crisis: Annotated[list[str] | None, typer.Option("--crisis", help="A crisis on this channel; repeat for more, "
                                                     "'none' for none (default: the busiest channel).")] = None,
    crisis_multiplier: Annotated[float, typer.Option(help="How many times the usual messages a crisis brings.")] = 10.0,
    crisis_days: Annotated[float, typer.Option(help="How long a crisis lasts.")] = 2.0,
    launch: Annotated[bool, typer.Option(help="Put each design through a launch week (and one with the lead "
                                         "away).")] = True,
    launch_days: Annotated[float, typer.Option(help="How long the launch lasts.")] = 7.0,
    freeze: Annotated[list[str] | None, typer.Option("--freeze", help="A hiring freeze leaves this person's seat "
                                                     "empty; repeat for more, 'none' for none (default: the seat "
                                                     "whose absence costs least).")] = None,
    bus_max: Annotated[int, typer.Option(min=1, help="Bus factors are measured up to this many people away.")] = 2,
    tolerance_points: Annotated[float, typer.Option(help="A share misses its target when it falls this many "
                                                    "points.")] = 10.0,
    tolerance_percent: Annotated[float, typer.Option(help="A time or count misses its target when it grows this "
                                                     "many percent.")] = 25.0,
    replications: Annotated[int | None, typer.Option(min=2, help="Replications of every stress and its twin "
                                                     "(default: run.replications).")] = None,
    seed: Annotated[int | None, typer.Option(help="Base seed (default: the first design's run.seed).")] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    out: Annotated[Path | None, typer.Option(help="Write each run as it finishes, then resilience.json and the "
                                             "tables (CSV), here.")] = None,
    resume: Annotated[bool, typer.Option(help="Continue the study in --out, skipping runs already done.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print only JSON on stdout.")] = False,
) -> None:
    """What breaks without each person, in a crisis, a launch and a hiring freeze: each design's resilience."""
    from orgsim.experiment.settings import Settings
    from orgsim.output import progress_bar
    from orgsim.resilience import Options, resilience_json
    from orgsim.resilience.render import render_resilience
    from orgsim.resilience.run import resilience_with, study_size

    if resume and out is None:
        raise OrgsimError("--resume needs --out, the folder of the resilience study to continue")
    options = Options.from_cli(crisis, freeze, tolerance_points, tolerance_percent, absent_days=absent_days,
                               start_day=start_day, after_days=after_days, crisis_multiplier=crisis_multiplier,
                               crisis_days=crisis_days, launch=launch, launch_days=launch_days, bus_max=bus_max)
    scenarios = [load_scenario(ctx, f) for f in files]
    settings = Settings.fold(scenarios[0].run, replications=replications, seed=seed, workers=workers,
                             scheduler=scheduler, allow_large=_allow_large(ctx))
    sources = [str(f) for f in files]
    with progress_bar(study_size(scenarios, options, settings, sources), quiet=as_json) as tick:
        result = resilience_with(scenarios, options, settings, out=out, resume=resume, progress=tick, sources=sources)
    data = resilience_json(result)
    if as_json:
        sys.stdout.write(strict_json(data) + "\n")
        return
    render_resilience(data, typer.echo)
    if out is not None:
        typer.echo(f"wrote {out}/resilience.json and the tables as CSV")


@app.command()
@friendly
def recommend(
    ctx: typer.Context,
    file: FileArg,
    question: Annotated[Path | None, typer.Option(help="A question file (a recommend: block): budget, targets, "
                                                  "objectives, levers. None: the file's design, cheapest first.")] = None,
    budget: Annotated[float | None, typer.Option(min=0, help="Money per year at most (sets budget.money_per_year).")] = None,
    head_count: Annotated[int | None, typer.Option(min=1, help="People at most (sets budget.head_count).")] = None,
    trials: Annotated[int | None, typer.Option(min=1, help="Candidates the search proposes (sets search.trials).")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Seed of the search and the runs (default: run.seed).")] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    out: Annotated[Path | None, typer.Option(help="Write each run as it finishes, then the answer (recommendation.html, "
                                             "recommended.yaml, front.csv/png, candidates.csv), here.")] = None,
    resume: Annotated[bool, typer.Option(help="Continue the recommendation in --out, skipping runs already done.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print only JSON on stdout.")] = False,
) -> None:
    """The best structure and staffing within a budget: searched, confirmed at a stated confidence, what it gives up."""
    from orgsim.output import progress_bar
    from orgsim.recommend import load_question, question_from_data
    from orgsim.recommend import recommend as run_recommend
    from orgsim.recommend.answer import answer_json, render
    from orgsim.recommend.question import with_settings
    from orgsim.recommend.run import planned_runs, size_confirmation

    if resume and out is None:
        raise OrgsimError("--resume needs --out, the folder of the recommendation to continue")
    base = load_scenario(ctx, file)
    asked = load_question(question, base) if question is not None else question_from_data({}, base)
    asked = with_settings(asked, money_per_year=budget, head_count=head_count, trials=trials, seed=seed)
    asked, chosen = size_confirmation(asked, base, allow_large=_allow_large(ctx))
    if chosen:
        _err(f"recommend: {chosen}")
    with progress_bar(planned_runs(asked, base), quiet=as_json) as tick:
        answer = run_recommend(base, asked, out=out, resume=resume, workers=workers, scheduler=scheduler,
                               progress=tick, allow_large=_allow_large(ctx))
    if as_json:
        sys.stdout.write(strict_json(answer_json(answer)) + "\n")
        return
    render(answer, typer.echo)
    if out is not None:
        typer.echo(f"wrote {out}/recommendation.html, recommended.yaml, front.csv, front.png and candidates.csv")


@app.command()
@friendly
def graph(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print only JSON on stdout.")] = False,
    top: Annotated[int, typer.Option(help="How many brokers to list.")] = 5,
) -> None:
    """Structural measures of the org graph: E-I index, cross-group ties, brokers, bus factor."""
    from orgsim.org.measures import structural_summary
    from orgsim.output import render_graph

    body = structural_summary(load_scenario(ctx, file), top)
    if as_json:
        sys.stdout.write(strict_json(body) + "\n")
        return
    render_graph(body, typer.echo)


# --- authoring: schema, init, show ----------------------------------------------


@app.command()
@friendly
def schema(ctx: typer.Context) -> None:
    """Print the scenario JSON Schema (draft-07) for editors' YAML language servers."""
    from orgsim.scenario.schema import schema_text

    sys.stdout.write(schema_text())


@app.command()
@friendly
def init(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Where to write the scenario.", show_default=False)],
    structure: Annotated[str, typer.Option(help="network, function, audience or embedded (with --roster: or "
                                                "hybrid).")] = "network",
    team_size: Annotated[int, typer.Option(min=1, max=200, help="People on the team (starter only).")] = 4,
    roster: Annotated[Path | None, typer.Option(help="The team from a CSV, Parquet or Excel roster "
                                                     "(see docs/your-company.md).")] = None,
    company: Annotated[str | None, typer.Option(help="The company's name (with --roster; titles designs and "
                                                     "reports).")] = None,
    columns: Annotated[Path | None, typer.Option("--columns", help="Roster column-mapping YAML.")] = None,
    lead: Annotated[str | None, typer.Option(help="The head of social's name, where no 'lead' column marks "
                                                  "them.")] = None,
    timezone: Annotated[str | None, typer.Option(help="The company's time zone (default: most of the team's).")] = None,
    currency: Annotated[str | None, typer.Option(help="The currency of the roster's costs, e.g. GBP.")] = None,
    logs: Annotated[list[Path] | None, typer.Option("--logs", help="Message / request logs to fit the demand "
                                                                   "from (repeat the option).")] = None,
    log_columns: Annotated[Path | None, typer.Option(help="Column mapping of the logs (as calibrate's --columns).")] = None,
    preset: Annotated[str | None, typer.Option(help="Column preset of the logs: generic, social_inbox, helpdesk.")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite existing files.")] = False,
) -> None:
    """Write a commented starter scenario, or with --roster the company's base scenario from its roster."""
    if roster is not None:
        from orgsim.roster.columns import load_roster_mapping
        from orgsim.roster.write import init_from_roster

        cmap = None
        if logs:
            from orgsim.calibrate.columns import load_mapping

            cmap = load_mapping(log_columns, preset)
        done = init_from_roster(path, roster, company or "", load_roster_mapping(columns), structure=structure,
                                timezone=timezone, currency=currency, lead=lead, force=force, logs=logs or (),
                                log_columns=cmap, command=" ".join(["orgsim", *sys.argv[1:]]),
                                allow_large=_allow_large(ctx))
        people = len(done.roster.people)
        typer.echo(f"read {roster}: {people} people, lead {done.roster.lead or '(none: intake by pod)'}; channels "
                   f"{', '.join(done.roster.channels)}")
        pods = len(done.design.structure.pods)
        typer.echo(f"wrote {done.team_file} ({done.design.kind} structure, {pods} pod{'s' * (pods != 1)}; "
                   "demand is a placeholder until calibrated)")
        if done.calibration is not None:
            from rich.console import Console

            from orgsim.calibrate import render

            render.render_calibration(*done.calibration, str(path), Console())
        return
    from orgsim.scenario.templates import STRUCTURES, starter
    from orgsim.writes import check_file_target, write_text

    if structure not in STRUCTURES:
        raise OrgsimError(f"--structure must be one of {', '.join(STRUCTURES)}, got {structure!r}")
    from orgsim.scenario.schema import schema_ref

    target = check_file_target(path, force, "init")
    ref = schema_ref(target.parent) or "scenario.schema.json"
    write_text(target, starter(structure, team_size, str(path), ref), force, "init", checked=True)
    typer.echo(f"wrote {path} ({structure}, {team_size} people); try: orgsim run {path}")


@app.command()
@friendly
def designs(
    ctx: typer.Context, file: FileArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for one YAML per design.")],
    only: Annotated[str | None, typer.Option(help="Comma-separated designs (default: network, function, audience, "
                                                  "embedded, hybrid).")] = None,
    force: Annotated[bool, typer.Option(help="Replace the folder if it holds files.")] = False,
) -> None:
    """Generate every structure of FILE's team (same people and intake) as small files that extend it."""
    from orgsim.design.files import write_designs
    from orgsim.design.generate import DESIGN_KINDS

    kinds = [k.strip() for k in only.split(",") if k.strip()] if only else list(DESIGN_KINDS)
    written = write_designs(file, load_scenario(ctx, file), out, force, kinds, allow_large=_allow_large(ctx))
    for kind, why in written.skipped:
        _err(f"warning: no {kind} design: {why}")
    for path, d in written.files:
        busiest = max(p.utilisation for p in d.pods)
        pods, seats = len(d.structure.pods), len(d.structure.embedded)
        typer.echo(f"wrote {path}: {pods} pod{'s' * (pods != 1)}{f', {seats} embedded' if seats else ''}, "
                   f"busiest {busiest:.0%} of its planned hours")
    if len(written.files) > 1:
        typer.echo("compare them: orgsim report " + " ".join(str(p) for p, _ in written.files) + " -o report.html")


@app.command()
@friendly
def show(
    ctx: typer.Context,
    file: FileArg,
    origins: Annotated[bool, typer.Option("--origins", help="Note the file:line each value came from.")] = False,
) -> None:
    """Print the fully resolved scenario after extends: and defaults."""
    from orgsim.scenario.show import resolved_text

    sys.stdout.write(resolved_text(file, origins, allow_large=_allow_large(ctx)))


# --- calibration from exported logs (logic in orgsim.calibrate) -------------------------
LogsArg = Annotated[list[Path] | None, typer.Argument(help="Message and request logs (CSV or Parquet).",
                                                      show_default=False, metavar="[LOGS]...")]
EventLogOpt = Annotated[list[Path] | None, typer.Option(
    "--event-log", help="Event log of cases passed between groups (CSV or Parquet; repeat for several).")]
ColumnsOpt = Annotated[Path | None, typer.Option("--columns", help="Column-mapping YAML (see docs/calibration.md).")]
PresetOpt = Annotated[str | None, typer.Option(help="Column preset: generic, social_inbox, helpdesk, xes.")]
ZoneOpt = Annotated[str | None, typer.Option(help="Zone of time stamps written without an offset (default UTC).")]
ExportOpt = Annotated[str | None, typer.Option(help="When the logs were exported (default: their latest time stamp).")]


def _logs_given(logs: list[Path] | None, event_logs: list[Path] | None) -> tuple[list[Path], list[Path]]:
    if not logs and not event_logs:
        raise OrgsimError("no logs given: name message or request logs, or an event log with --event-log FILE")
    return list(logs or []), list(event_logs or [])


@app.command()
@friendly
def calibrate(
    ctx: typer.Context,
    team: Annotated[Path, typer.Option(help="Scenario with the team, structure and policies to extend.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Calibrated scenario YAML to write.")],
    logs: LogsArg = None, event_log: EventLogOpt = None,
    columns: ColumnsOpt = None, preset: PresetOpt = None, timezone: ZoneOpt = None, export_time: ExportOpt = None,
    until: Annotated[str | None, typer.Option(help="Fit only what an export at this time showed (for a hold-out).")] = None,
    bursts: Annotated[bool, typer.Option(help="Detect bursts (--no-bursts: fit none; a sample's crawl artefacts are no launch).")] = True,
    min_burst: Annotated[float, typer.Option(min=0, help="Fewest arrivals above the expectation a burst must bring.")] = 0.0,
    force: Annotated[bool, typer.Option(help="Overwrite an existing --out file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print only JSON on stdout (rows used and dropped, fits).")] = False,
) -> None:
    """Fit rates, profiles, bursts, effort and an event log's routing into a scenario that extends --team."""
    from rich.console import Console

    from orgsim.calibrate import api, render
    from orgsim.calibrate.columns import load_mapping

    paths, events = _logs_given(logs, event_log)
    cmap = load_mapping(columns, preset, timezone)
    cal, checked = api.calibrate(paths, team, out, cmap, api.parse_time(export_time), force,
                                 until=api.parse_time(until, "--until"), event_logs=events, bursts=bursts,
                                 min_burst=min_burst, allow_large=_allow_large(ctx))
    if as_json:
        sys.stdout.write(render.calibration_json(cal, checked, str(out)))
        return
    render.render_calibration(cal, checked, str(out), Console())


@app.command()
@friendly
def backtest(
    ctx: typer.Context, file: FileArg, logs: LogsArg = None, event_log: EventLogOpt = None,
    holdout_from: Annotated[str | None, typer.Option(help="Compare only from this date on (ISO 8601).")] = None,
    replications: Annotated[int, typer.Option(min=2, help="Simulated runs.")] = 5,
    seed: Annotated[int | None, typer.Option(help="Base seed (default: run.seed in the file).")] = None,
    columns: ColumnsOpt = None, preset: PresetOpt = None, timezone: ZoneOpt = None, export_time: ExportOpt = None,
    familywise: Annotated[bool, typer.Option(help="Widen the bands so that 95% holds for all figures together.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print only JSON on stdout.")] = False,
    workers: WorkersOpt = 1,
) -> None:
    """Simulate the as-is design over the logs' period; observed vs simulated key figures with intervals."""
    from rich.console import Console

    from orgsim.calibrate import api, render
    from orgsim.calibrate.backtest import backtest as run_backtest
    from orgsim.calibrate.columns import load_mapping
    from orgsim.calibrate.logs import read_logs

    paths, events = _logs_given(logs, event_log)
    scenario = load_scenario(ctx, file)
    checked = read_logs(paths, load_mapping(columns, preset, timezone), scenario.channels,
                        api.parse_time(export_time), scenario=scenario, event_logs=events,
                        allow_large=_allow_large(ctx))
    result = run_backtest(scenario, checked, replications, seed, api.parse_time(holdout_from, "--holdout-from"),
                         workers=workers, familywise=familywise, allow_large=_allow_large(ctx))
    if as_json:
        sys.stdout.write(render.backtest_json(result, checked))
        return
    console = Console()
    render.render_reports(checked, console)
    render.render_backtest(result, console)


@app.command("demo-data")
@friendly
def demo_data(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="Folder for messages.csv and requests.csv (or events.csv).",
                                           show_default=False)],
    scenario: Annotated[Path | None, typer.Option(help="Known scenario to draw from (default: scenarios/network.yaml; "
                                                       "with --event-log scenarios/calibration/handoffs.yaml).")] = None,
    days: Annotated[float, typer.Option(help="Days of logs.")] = 28.0,
    seed: Annotated[int, typer.Option(help="Seed of the simulated company.")] = 1,
    launch_day: Annotated[float | None, typer.Option(help="Move the first burst (the launch) to this day of the logs.")] = None,
    event_log: Annotated[bool, typer.Option("--event-log", help="Write events.csv: every request's handoffs between groups.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    force: Annotated[bool, typer.Option(help="Overwrite existing files.")] = False,
) -> None:
    """Write synthetic exports drawn from a known scenario (ground truth for the loop): messages and requests, or an event log."""
    from orgsim.calibrate import demo

    if fmt not in demo.FORMATS:
        raise OrgsimError(f"--format: expected csv or parquet, got {fmt!r}")
    if event_log:
        if launch_day is not None:
            raise OrgsimError("--launch-day: moves the launch of a message log; an event log has none (leave it out)")
        events = demo.demo_event_log(load_scenario(ctx, scenario or demo.DEFAULT_EVENT_SCENARIO), days, seed,
                                     allow_large=_allow_large(ctx))
        path = demo.write_event_log(events, folder, force, fmt)
        cases = events.events["case_id"].nunique()
        typer.echo(f"wrote {path} ({len(events.events)} events of {cases} cases), export time "
                   f"{events.export_time:%Y-%m-%d %H:%M} UTC")
        return
    logs = demo.demo_logs(load_scenario(ctx, scenario or demo.DEFAULT_SCENARIO), days, seed, launch_day,
                         allow_large=_allow_large(ctx))
    paths = demo.write_demo(logs, folder, force, fmt)
    typer.echo(f"wrote {paths[0]} ({len(logs.messages)} messages) and {paths[1]} ({len(logs.requests)} requests), "
               f"export time {logs.export_time:%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":  # pragma: no cover
    app()
