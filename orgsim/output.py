"""Showing and saving results: readable terminal tables and output folders.

Everything the CLI prints or writes beyond one line lives here, so that
:mod:`orgsim.cli` only wires options to functions. Metric names, units and
formats come from :mod:`orgsim.metrics.registry`. Libraries (pandas, rich)
are imported by the functions that need them, so that ``orgsim validate``
never loads them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orgsim.metrics.registry import from_table
from orgsim.report.labels import full_name, short_names
from orgsim.writes import strict_json

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from orgsim.experiment.attribution import Attribution
    from orgsim.experiment.study import Study
    from orgsim.scenario.model import Scenario
    from orgsim.sim.result import Result

__all__ = [
    "strict_json",
    "comparison_json",
    "progress_bar",
    "render_comparison",
    "render_estimate",
    "render_graph",
    "render_summary",
    "render_sweep",
    "report_command",
    "write_comparison",
    "write_run",
]


@contextmanager
def progress_bar(total: int, quiet: bool = False, label: str = "runs") -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr (``label`` done / total, elapsed, ETA): runs, or the report's charts.

    Silent when ``quiet`` (``--json``) or when stderr is not a terminal.
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    if quiet or not console.is_terminal or total <= 1:
        yield lambda _done: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("ETA"),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


#: what written results take on disk, measured on scenarios/network.yaml (`orgsim run ... --out`, `du -sb`):
#: full mode 33.8 bytes per arrival (30 vs 120 days, one replication); summary mode 27 KB plus 18 KB a
#: replication (1 vs 4 replications). Three quarters of each is used, so the estimate is a floor: a run
#: refused for want of space would surely not have fitted.
BYTES_PER_ARRIVAL = 25
SUMMARY_BYTES = (20_000, 13_000)


def results_bytes(scenario: Scenario, replications: int, summary: bool) -> int:
    """About how many bytes ``orgsim run --out`` writes for ``scenario`` (a floor; see :data:`BYTES_PER_ARRIVAL`)."""
    from orgsim.scenario.limits import arrivals_per_replication

    fixed, per_replication = SUMMARY_BYTES
    if summary:
        return fixed + per_replication * replications
    _, drivers = arrivals_per_replication(scenario)
    # a row per request, message and insight hop; bursts in, a workflow's passes counted (rows are fewer): near
    daily = sum(drivers[k] for k in ("requests", "interruptions", "messages", "insights"))
    kept_days = max(scenario.run.horizon_days - scenario.run.warmup_days, 0.0)
    return fixed + int(BYTES_PER_ARRIVAL * daily * kept_days * replications)


def _tables(results: Sequence[Result], name: str) -> pd.DataFrame:
    import pandas as pd

    return pd.concat([getattr(r, name).assign(replication=i) for i, r in enumerate(results)], ignore_index=True)


def write_run(out: Path, results: Sequence[Result], summary: dict[str, Any]) -> None:
    """Write requests (Parquet + CSV), messages (Parquet), people (CSV) and summary.json.

    Runs in summary mode kept no per-request rows: only people, insights and summary.json.
    """
    out.mkdir(parents=True, exist_ok=True)
    if all(r.tally is None for r in results):
        requests = _tables(results, "requests")
        requests.to_parquet(out / "requests.parquet", index=False)
        requests.to_csv(out / "requests.csv", index=False)
        _tables(results, "messages").to_parquet(out / "messages.parquet", index=False)
    _tables(results, "people").to_csv(out / "people.csv", index=False)
    if any(len(r.insights) for r in results):
        # one row per (insight, relevant department) pair, all replications
        _tables(results, "insights").to_csv(out / "insights.csv", index=False)
    (out / "summary.json").write_text(strict_json(summary) + "\n")


def _h(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f} h"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def _ci(ci: list[float | None] | None, fmt: Any) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return ""
    low, high = ci[0], ci[1]
    if fmt is _pct:  # a share cannot leave [0, 1], whatever the t-interval says
        low, high = max(low, 0.0), min(high, 1.0)
    elif fmt is _h:  # nor can a duration be negative
        low = max(low, 0.0)
    return f"  (95% CI {fmt(low)} – {fmt(high)})"


def render_summary(s: dict[str, Any], console: Console | None = None) -> None:
    """Print the summary of one scenario as a short, readable report."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    lat = s["silo_latency_answered_hours"]
    cis = s.get("ci95", {})
    console.print(f"[bold]{escape(full_name(s['scenario'], s.get('company')))}[/bold] — structure: {s['structure']}, "
                  f"{s['replications']} replication(s), {s['horizon_days']:g} days "
                  f"({s['warmup_days']:g} warm-up), seed {s['seed']}")
    head = Table(show_header=False, box=None, pad_edge=False)
    head.add_column(style="bold")
    head.add_column()
    for reason in s.get("unstable") or []:
        console.print(f"[bold red]UNSTABLE[/bold red]: {escape(reason)} — the queue grows without bound; "
                      "latency figures depend on the run's length")
    cens = s.get("silo_latency_censored") or {}
    if cens.get("rmst") is not None:
        tau = cens["tau_hours"]

        def at_least(x: float | None) -> str:  # a percentile the curve does not reach before tau
            return ("≥ " if x is not None and tau is not None and x >= tau else "") + _h(x)

        head.add_row("Silo latency, open counted", _h(cens["rmst"]) + _ci((cens.get("ci95") or {}).get("rmst"), _h)
                     + f"; restricted mean to {_h(tau)}")
        head.add_row("  p50 / p90 (Kaplan–Meier)", f"{at_least(cens['p50'])} / {at_least(cens['p90'])}")
    if cens:
        head.add_row("  lower bound (open at age)", _h(cens.get("lower_bound_mean")))
        head.add_row("Requests answered by the end", _pct(cens.get("answered_share")) + "; backlog at the end "
                     f"{s['requests'].get('backlog_at_end', float('nan')):.0f} open")
    head.add_row("Silo latency, answered only", _h(lat["mean"]) + _ci(lat.get("ci95"), _h))
    head.add_row("  p50 / p90 / p95", f"{_h(lat['p50'])} / {_h(lat['p90'])} / {_h(lat['p95'])}")
    br = s["latency_breakdown_hours"]
    head.add_row("  where the time goes", "  ".join(f"{k} {_h(v)}" for k, v in br.items())
                 + (f"  (switching: {_pct(s['switching_share'])} of team work)" if "switching_share" in s else ""))
    head.add_row("Silo overhead (not hands-on work)", _pct(s["silo_overhead_share"]) + _ci(cis.get("silo_overhead_share"), _pct))
    head.add_row("Handoffs per request", f"{s['handoffs_per_request']:.1f} ({s['cross_group_handoffs_per_request']:.1f} across groups)"
                 if s["handoffs_per_request"] is not None else "—")
    targets = s.get("reply_targets", {})
    if targets:
        head.add_row(f"Messages answered within {' / '.join(targets)} h", " / ".join(_pct(t["all"]) for t in targets.values()))
        head.add_row("  95% CI", " / ".join(_ci(t.get("ci95", {}).get("all"), _pct).removeprefix("  (95% CI ")
                                            .removesuffix(")") or "—" for t in targets.values()))
        head.add_row("  nights and weekends", " / ".join(_pct(t["off_hours"]) for t in targets.values()))
    if s.get("messages", {}).get("abandoned_share") is not None:  # only where a channel sets patience_hours
        head.add_row("Messages abandoned unanswered", _pct(s["messages"]["abandoned_share"]))
    reach = s.get("insight_reach")
    if reach and reach.get("pairs"):
        rc = reach.get("ci95", {})
        head.add_row("Insight reach within horizon", _pct(reach["share_within_horizon"])
                     + _ci(rc.get("share_within_horizon"), _pct) + f"; median time {_h(reach['median_time_hours'])}")
        head.add_row("  value-weighted", _pct(reach["value_weighted_reach"]) + _ci(rc.get("value_weighted_reach"), _pct))
    head.add_row("Team utilisation (mean / max)", f"{_pct(s['utilization_mean'])} / {_pct(s['utilization_max'])}")
    head.add_row("Work done after hours", _pct(s["after_hours_share"]))
    r, m = s["requests"], s["messages"]
    head.add_row("Requests (arrived / answered / open)", f"{r['arrived']:.0f} / {r['completed']:.0f} / {r['open_at_end']:.0f} per run")
    if m.get("abandoned_share") is not None:
        head.add_row("Messages (arrived / answered / abandoned / open)",
                     f"{m['arrived']:.0f} / {m['answered']:.0f} / {m['abandoned']:.0f} / {m['open_at_end']:.0f} per run")
    else:
        head.add_row("Messages (arrived / answered / open)",
                     f"{m['arrived']:.0f} / {m['answered']:.0f} / {m['open_at_end']:.0f} per run")
    head.add_row("Head count / cost per year", f"{s['head_count']:.0f} / {s['cost_per_year']:,.0f}")
    console.print(head)
    table = Table(title="Silo latency by department, answered requests only", title_justify="left")
    for col in ("department", "requests", "mean", "p50", "p90", "95% CI of mean"):
        table.add_column(col, justify="left" if col == "department" else "right")
    by_mean = sorted(s["by_department"].items(), key=lambda kv: -(kv[1]["silo_latency_answered_hours"]["mean"] or 0))
    for name, d in by_mean:
        dl = d["silo_latency_answered_hours"]
        ci = dl.get("ci95") or [None, None]
        table.add_row(escape(name), f"{d['requests']:.0f}", _h(dl["mean"]), _h(dl["p50"]), _h(dl["p90"]),
                      "—" if ci[0] is None else f"{_h(max(ci[0], 0.0))} – {_h(ci[1])}")  # a latency is never negative
    console.print(table)


def comparison_json(table: pd.DataFrame, attributions: Sequence[Attribution] = ()) -> dict[str, Any]:
    """The comparison as JSON: per design id, per metric id, label, unit, value, CI, difference, verdict.

    With ``attributions`` (``compare --attribute``), each design other than the baseline gets an
    ``attribution`` list of {lever, metric, difference, ci95} (the levers' differences add up to the
    ``total`` row) and ``attribution_grouped``, the levers that had to be attributed together.
    """
    designs: dict[str, Any] = {}
    for row in table.itertuples(index=False):
        d = designs.setdefault(row.design_id, {"name": row.design, "structure": row.structure, "metrics": {}})
        d["metrics"][row.metric] = {
            "label": row.label, "unit": row.unit,
            "mean": _none(row.mean), "ci95": [_none(row.ci_low), _none(row.ci_high)],
            "diff_vs_baseline": _none(row.diff), "diff_ci95": [_none(row.diff_low), _none(row.diff_high)],
            "p_value": _none(row.p_value), "primary": bool(row.primary), "verdict": row.verdict,
        }
    for design_id, reasons in (table.attrs.get("unstable") or {}).items():
        if design_id in designs:
            designs[design_id]["unstable"] = reasons
    by_name = {d["name"]: d for d in designs.values()}
    for a in attributions:
        if a.design in by_name:
            by_name[a.design]["attribution"] = [{**r, "difference": _none(r["difference"]),
                                                 "ci95": [_none(x) for x in r["ci95"]]} for r in a.json()]
            by_name[a.design]["attribution_grouped"] = a.grouped
    return {"baseline": table.attrs.get("baseline_id"), "seed": table.attrs.get("seed"),
            "replications": table.attrs.get("replications"), "verdicts": table.attrs.get("correction_note"),
            "designs": designs}


def write_comparison(out: Path, table: pd.DataFrame, study: Study, attributions: Sequence[Attribution] = ()) -> None:
    """``compare --out``: comparison.parquet/.csv, comparison.json and the study (study.json)."""
    out.mkdir(parents=True, exist_ok=True)
    table.to_parquet(out / "comparison.parquet", index=False)
    table.to_csv(out / "comparison.csv", index=False)
    (out / "comparison.json").write_text(strict_json(comparison_json(table, attributions)) + "\n")
    study.save(out)


def _none(x: Any) -> Any:
    return None if x is None or (isinstance(x, float) and x != x) else float(x)


def render_comparison(table: pd.DataFrame, console: Console | None = None) -> None:
    """Designs side by side: value with 95% CI, and the difference to the baseline."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    designs = list(dict.fromkeys(table["design"]))
    console.print(f"Baseline: [bold]{escape(designs[0])}[/bold] — {table.attrs.get('replications')} paired replications, "
                  f"seed {table.attrs.get('seed')}; differences are per replication on the same demand, 95% t-interval; "
                  f"{table.attrs.get('correction_note', '')}")
    grid = Table(title_justify="left")
    grid.add_column("metric")
    for d in short_names(designs):
        grid.add_column(escape(d), justify="right")
    for mid, rows in table.groupby("metric", sort=False):
        m = from_table(str(mid), str(rows["label"].iloc[0]), str(rows["unit"].iloc[0]))
        cells = []
        for row in rows.itertuples(index=False):
            cell = m.format_value(row.mean)
            if row.design != designs[0]:
                from orgsim.metrics.stability import UNSTABLE

                mark = {"better": "[green]better[/green]", "worse": "[red]worse[/red]",
                        "no clear difference": "no clear diff.",
                        UNSTABLE: "[red]unstable[/red]"}.get(row.verdict, row.verdict)
                cell += f"\n{m.format_diff(row.diff)} ({m.format_diff(row.diff_low)} … " \
                        f"{m.format_diff(row.diff_high)}) {mark}"
            cells.append(cell)
        grid.add_row(escape(m.label), *cells)
    console.print(grid)
    _print_unstable(table, console)


def _print_unstable(table: pd.DataFrame, console: Console) -> None:
    from rich.markup import escape

    names = dict(zip(table["design_id"], table["design"], strict=False))
    for design_id, reasons in (table.attrs.get("unstable") or {}).items():
        if reasons:
            console.print(f"[bold red]UNSTABLE[/bold red] {escape(names.get(design_id, design_id))}: "
                          f"{escape('; '.join(reasons))} — its queue grows without bound, so its latency figures "
                          "depend on the run's length; it is never called better on them")


def render_attribution(a: Attribution, console: Console | None = None) -> None:
    """One design's difference from the baseline, lever by lever (Shapley shares with 95% CI)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    if not a.levers:
        console.print(f"{escape(a.design)}: no lever differs from the baseline")
        return
    grid = Table(title=f"Where the difference comes from: {escape(a.design)} (each lever's share, 95% CI)",
                 title_justify="left")
    grid.add_column("metric")
    for name in [*a.levers, "total"]:
        grid.add_column(escape(name), justify="right")
    for mid in dict.fromkeys(r["metric"] for r in a.rows):
        rows = {r["lever"]: r for r in a.rows if r["metric"] == mid}
        m = from_table(mid, rows["total"]["label"], "")
        cells = [f"{m.format_diff(rows[n]['difference'])}\n({m.format_diff(rows[n]['ci95'][0])} … "
                 f"{m.format_diff(rows[n]['ci95'][1])})" for n in [*a.levers, "total"]]
        grid.add_row(escape(rows["total"]["label"]), *cells)
    console.print(grid)
    for note in a.grouped:
        console.print(f"note: {escape(note)}")


def report_command(study: Study, output: Path) -> str:
    """The command that rebuilds a report, written into it so a reader can run it again."""
    return "orgsim report " + " ".join(s or "<scenario>" for s in study.sources) + \
        f" --replications {study.replications} --seed {study.seed} -o {output}"


def render_estimate(e: dict[str, Any], echo: Callable[[str], Any] = print) -> None:
    """The queueing approximation: mean silo latency, per request type, the busiest stations."""
    echo(f"{e['scenario']}: approximate mean silo latency {e['silo_latency_hours']['mean']:.1f} h")
    for name, hours in e["by_request_type"].items():
        echo(f"  {name:<40} {hours:8.1f} h")
    busiest = sorted(e["stations"].items(), key=lambda kv: -kv[1]["load"])[:5]
    echo("busiest stations (load = work per server-hour on duty):")
    for name, st in busiest:
        echo(f"  {name:<40} load {st['load']:5.2f}  wait {st['mean_wait_hours']:7.1f} h")


def render_graph(body: dict[str, Any], echo: Callable[[str], Any] = print) -> None:
    """Structural measures of an org graph (see ``orgsim graph``)."""
    ei, cg = body["ei_index"], body["cross_group_tie_ratio"]
    echo(f"{full_name(body['scenario'], body.get('company'))} ({body['structure']})")
    echo(f"E-I index, team vs departments: {_signed(ei)}   cross-group tie ratio: {'nan' if cg is None else f'{cg:.2f}'}")
    echo("brokers (betweenness on fastest routes): " + ", ".join(f"{n} {v:.2f}" for n, v in body["bottlenecks"].items()))
    echo("bus factor: " + ", ".join(f"{k} {v}" for k, v in body["bus_factor"].items()))


def _signed(x: float | None) -> str:
    return f"{float('nan') if x is None else x:+.2f}"


#: the columns of a sweep's terminal table: mean silo latency, the 24 h reply share, the busiest person
SWEEP_SHOWN = ("silo_latency_rmst", "reply_within_24h_share", "utilization_max")


def render_sweep(table: pd.DataFrame, keys: Sequence[str], echo: Callable[[str], Any] = print) -> None:
    """A sweep's headline metrics as one row per grid point (the full table goes to --out / --json)."""
    shown = table[table["metric"].isin(SWEEP_SHOWN)]
    wide = shown.pivot_table(index=list(keys) or ["point"], columns="metric", values="mean", sort=False)
    wide = wide.rename(columns=dict(zip(shown["metric"], shown["label"], strict=True)))
    echo(wide.to_string(float_format=lambda x: f"{x:.3g}"))
    if "unstable" in table.columns:
        for _, row in table.drop_duplicates("point").iterrows():
            if row["unstable"]:
                where = ", ".join(f"{k}={row[k]}" for k in keys) or "the base"
                echo(f"UNSTABLE at {where}: {row['unstable']} — latency there depends on the run's length")
