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

__all__ = ["backtest_json", "render_backtest", "render_calibration", "render_reports"]


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
    fitted = len(cal.efforts) + len(cal.handle)
    console.print(f"{fitted} effort / handling distribution(s) fitted; {len(cal.defaults)} value(s) not estimable "
                  f"from the logs (listed at the top of the file)", highlight=False)
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
        console.print(f"every one of the {len(bt.table)} figures is inside the observed band")
    else:
        names = "; ".join(f"{r.figure} {r.group} ({r.verdict})" for r in out.itertuples())
        console.print(f"[bold]{len(out)} of {len(bt.table)} figures outside the observed band:[/bold] {escape(names)}")


def backtest_json(bt: Backtest) -> str:
    def clean(v: Any) -> Any:
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return None if math.isnan(v) else ("inf" if v > 0 else "-inf")
        return v

    w = bt.window
    rows = [{k: clean(v) for k, v in r.items()} for r in bt.table.to_dict(orient="records")]
    return json.dumps({"period": {"from": w.origin.isoformat(), "export": w.export.isoformat(), "days": w.days},
                       "replications": bt.replications, "level": bt.level, "figures": rows,
                       "outside": int((~bt.table["inside"]).sum())}, indent=2) + "\n"
