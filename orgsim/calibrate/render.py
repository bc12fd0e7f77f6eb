"""What the three commands print: per-file row counts, problems, and the back-test table."""

from __future__ import annotations

import json
import math
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from orgsim.calibrate.backtest import Backtest
from orgsim.calibrate.build import Calibration
from orgsim.calibrate.logs import Logs
from orgsim.calibrate.routing import DONE, describe
from orgsim.writes import strict_json

__all__ = ["backtest_json", "calibration_json", "render_backtest", "render_calibration", "render_reports"]


def render_reports(logs: Logs, console: Console, problems: int = 5) -> None:
    """Each file's rows: used and unusable by reason; the first ``problems`` unusable rows and blanked values."""
    for report in logs.reports:
        console.print(escape(report.summary()), highlight=False)
        for p in report.problems[:problems]:
            console.print(f"  {escape(str(p))}", highlight=False)
        if len(report.problems) > problems:
            console.print(f"  ... and {len(report.problems) - problems} more unusable row(s)", highlight=False)
        for p in report.notes[:problems]:
            console.print(f"  {escape(str(p))}", highlight=False)
        if len(report.notes) > problems:
            console.print(f"  ... and {len(report.notes) - problems} more blanked value(s)", highlight=False)
    for warning in logs.warnings:
        console.print(f"note: {escape(warning)}", highlight=False)


def _routing(cal: Calibration, console: Console) -> None:
    """Each case type's transition matrix with its counts, and each group's times."""
    for (dept, rtype), r in cal.routing.items():
        m = r.matrix()
        title = f"routing of {dept} / {rtype}: {r.cases} cases" + (f", {r.intake} triaged by the lead first" if r.intake else "")
        table = Table(title=escape(title), title_justify="left", box=None)
        table.add_column("from \\ to")
        for col in m.columns:
            table.add_column(escape(str(col)), justify="right")
        table.add_column("held p50 (h)", justify="right")
        table.add_column("effort (h)", justify="right")
        for g, row in m.iterrows():
            fit = r.groups.get(str(g))
            total = int(row.sum())
            cells = [f"{k} ({k / total:.0%})" if k and total else "·" for k in row.to_numpy()]
            held = f"{fit.holding_median:.3g}" if fit else ""
            source = {"work": "", "work in every type": " (all types)", "holding time": " (held: at most)"}
            effort = f"{fit.effort.mean:.3g}{source.get(fit.effort_from, '')}" if fit and fit.effort else ("—" if fit else "")
            table.add_row(escape(str(g)), *cells, held, escape(effort))
        console.print(table)


def render_calibration(cal: Calibration, logs: Logs, out: str, console: Console, problems: int = 5) -> None:
    render_reports(logs, console, problems)
    w = cal.window
    console.print(f"period: {w.origin:%Y-%m-%d} to {w.export:%Y-%m-%d %H:%M} UTC ({w.days:.1f} days)", highlight=False)
    table = Table(title="fitted arrivals", title_justify="left", box=None)
    for col in ("source", "n", "rate", "95% CI", "dispersion", "bursts"):
        table.add_column(col, justify="left" if col == "source" else "right")
    for ch, f in cal.messages.items():
        table.add_row(f"messages {ch}", str(f.n), f"{f.per_day:.3g}/day", f"{f.ci[0]:.3g}-{f.ci[1]:.3g}",
                      f"{f.dispersion:.2f}", ", ".join(f"day {b.start_day - w.warmup_days:g} x{b.multiplier:.2f}"
                                                         for b in f.bursts))
    for (dept, rtype), (rate, ci, n) in cal.request_rates.items():
        table.add_row(escape(f"{dept} / {rtype}"), str(n), f"{rate:.3g}/week", f"{ci[0]:.3g}-{ci[1]:.3g}", "", "")
    console.print(table)
    _routing(cal, console)
    steps = sum(1 for r in cal.routing.values() for f in r.groups.values() if f.effort_from == "work")
    fitted = len(cal.efforts) + len(cal.handle) + steps
    console.print(f"{fitted} effort / handling distribution(s) fitted{f' ({steps} of them workflow steps)' if steps else ''}; "
                  f"{len(cal.defaults)} value(s) not estimable from the logs (listed at the top of the file)",
                  highlight=False)
    console.print(f"wrote {escape(out)}", highlight=False)


def _num(x: float, share: bool) -> str:
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return "open"
    return f"{x:.0%}" if share else (f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}")


def render_backtest(bt: Backtest, console: Console) -> None:
    w = bt.window
    console.print(f"[bold]back-test[/bold] {w.origin:%Y-%m-%d} to {w.export:%Y-%m-%d %H:%M} UTC ({w.days:.1f} days), "
                  f"{bt.replications} replication(s) after {w.warmup_days:g} warm-up days; bands at {bt.level:.3g} per figure")
    table = Table(box=None)
    for col in ("figure", "group", "observed", "95% CI", "simulated", "95% prediction", "verdict"):
        table.add_column(col, justify="left" if col in ("figure", "group", "verdict") else "right")
    for row in bt.table.itertuples():
        share = str(row.figure).startswith("answered")
        verdict = "inside" if row.inside else f"[bold red]OUTSIDE: {row.verdict}[/bold red]"
        table.add_row(escape(str(row.figure)), escape(str(row.group)), _num(row.observed, share),
                      f"{_num(row.observed_low, share)}-{_num(row.observed_high, share)}", _num(row.simulated, share),
                      f"{_num(row.simulated_low, share)}-{_num(row.simulated_high, share)}", verdict)
    console.print(table)
    out = bt.outside
    if out.empty:
        console.print(f"every one of the {len(bt.table)} observed figures is inside its simulated band")
    else:
        names = "; ".join(f"{r.figure} {r.group} ({r.verdict})" for r in out.itertuples())
        console.print(f"[bold]{len(out)} of {len(bt.table)} observed figures outside their simulated band:[/bold] {escape(names)}")


def _logs_json(logs: Logs) -> dict[str, Any]:
    return {"files": [r.as_dict() for r in logs.reports],
            "problems": [vars(p) for r in logs.reports for p in r.problems],
            "blanked": [vars(p) for r in logs.reports for p in r.notes], "warnings": list(logs.warnings)}


def backtest_json(bt: Backtest, logs: Logs | None = None) -> str:
    """The back-test's figures, and (given ``logs``) every file's rows used and dropped, by reason."""

    def clean(v: Any) -> Any:
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return None if math.isnan(v) else ("inf" if v > 0 else "-inf")
        return v

    w = bt.window
    rows = [{k: clean(v) for k, v in r.items()} for r in bt.table.to_dict(orient="records")]
    data: dict[str, Any] = {"period": {"from": w.origin.isoformat(), "export": w.export.isoformat(), "days": w.days},
                            "replications": bt.replications, "level": bt.level, "figures": rows,
                            "outside": int((~bt.table["inside"]).sum())}
    if logs is not None:
        data["logs"] = _logs_json(logs)
    return json.dumps(data, indent=2) + "\n"


def calibration_json(cal: Calibration, logs: Logs, out: str) -> str:
    """What ``calibrate`` did, for scripts: rows used and dropped, fitted rates, routing with counts."""
    w = cal.window
    routing = []
    for (dept, rtype), r in cal.routing.items():
        routing.append({"department": dept, "type": rtype, "cases": r.cases, "starts": dict(r.starts),
                        "triaged_by_lead": r.intake, "groups": [describe(f) for f in r.groups.values()],
                        "probabilities": {g: {to: f.probability(to)[0] for to in [*r.groups, DONE] if f.exits.get(to)}
                                          for g, f in r.groups.items()}})
    data = {"wrote": out, "period": {"from": w.origin.isoformat(), "export": w.export.isoformat(), "days": w.days},
            "logs": _logs_json(logs),
            "messages": {ch: {"n": f.n, "per_day": f.per_day, "ci": list(f.ci), "bursts": len(f.bursts)}
                         for ch, f in cal.messages.items()},
            "requests": [{"department": d, "type": t, "n": n, "per_week": rate, "ci": list(ci)}
                         for (d, t), (rate, ci, n) in cal.request_rates.items()],
            "routing": routing, "not_estimable": cal.defaults}
    return strict_json(data) + "\n"
