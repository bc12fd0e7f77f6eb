"""Re-run every figure the README quotes and write it back between its markers, so the README cannot drift.

``python -m docs.readme_figures`` rewrites each ``<!-- fig:NAME -->…<!-- /fig -->`` span of README.md from a
fresh run with the README's seed; ``--check`` rewrites nothing and exits 1 naming the spans that differ (the
slow test ``tests/test_readme_figures.py`` runs it). About three minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.experiment.study import Study, run_study
from orgsim.metrics import mean_ci
from orgsim.metrics.registry import percent_text
from orgsim.report.decision import decide
from orgsim.report.verdicts import findings
from orgsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SCENARIOS = ROOT / "scenarios"
SEED = 20261122
REPLICATIONS = 5
MARK = re.compile(r"<!-- fig:(?P<name>[\w-]+) -->(?P<body>.*?)<!-- /fig -->", re.S)


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "100"})  # as wide as the README's code blocks
    if result.exit_code != 0:
        raise RuntimeError(f"orgsim {' '.join(args)} failed: {result.output}")
    return "\n".join(line.rstrip() for line in result.stdout.splitlines())


def _designs(*names: str, replications: int = REPLICATIONS) -> Study:
    return run_study([load_scenario(SCENARIOS / n) for n in names], replications, SEED, workers=None)


def _mean(study: Study, label: str, design: int) -> float:
    return float(mean_ci(list(study.values(label, design)))[0])


def _cell(study: Study, metric_id: str, j: int, fmt: Callable[[float], str], diff: Callable[[float], str]) -> str:
    row = study.table[(study.table["metric"] == metric_id)].iloc[j]
    value = fmt(float(row["mean"]))
    if j == 0:
        return value
    verdict = str(row["verdict"])
    shown = f"**{verdict}**" if verdict in ("better", "worse") else verdict
    if verdict == "no clear difference" and metric_id not in ("silo_latency_rmst", "silo_latency_mean"):
        return f"{value} ({shown})"
    return f"{value} ({diff(float(row['diff']))}, CI {diff(float(row['diff_low']))}…{diff(float(row['diff_high']))}: {shown})"


def figures() -> dict[str, str]:
    """Every marked span of the README, freshly computed."""
    out: dict[str, str] = {}
    four = ["network.yaml", "function.yaml", "audience.yaml", "embedded.yaml"]
    study = _designs(*four)
    said = [f.text for f in findings(study)]  # design by design, in file order
    latency = [t for t in said if "answers other departments" in t]
    reach = [t for t in said if t.startswith("Insights reach")]
    out["finding-latency"] = latency[0].rstrip(".") if latency else "no design answers other departments clearly faster"
    out["finding-reach"] = reach[0].rstrip(".") if reach else "no design reaches insights clearly differently"
    decision = decide(study)
    out["tradeoff-lead"] = " ".join(x for x in (decision.lead, decision.between, decision.detail) if x)
    out["tradeoff-margin"] = decision.margin
    out["tradeoff-others"] = " ".join(decision.others_worse) or "no other design is clearly worse on any measure"

    def hours(x: float) -> str:
        return f"{x:.1f} h"

    def dh(x: float) -> str:
        return f"{x:+.1f}".replace("-", "−")

    def pct(x: float) -> str:  # 100% or 0% only when exact, as the report shows it
        return f"{percent_text(x)}%"

    def dpts(x: float) -> str:  # "0 pts" only when under 0.005 points, never "−0 pts"
        return f"{percent_text(x, signed=True)} pts".replace("-", "−")

    def plain(x: float) -> str:
        return f"{x:.2f}"

    def dplain(x: float) -> str:
        return f"{x:+.2f}".replace("-", "−")

    rows = [("silo_latency_rmst", hours, dh),
            ("requests_answered_share", pct, dpts),
            ("silo_latency_mean", hours, dh),
            ("silo_latency_mean_dept_product", hours, dh),
            ("reply_within_1h_share", pct, dpts),
            ("reply_within_24h_share", pct, dpts),
            ("reply_within_24h_off_hours_share", pct, dpts),
            ("handoffs_per_request", plain, dplain),
            ("utilization_max", pct, dpts)]
    lines = ["| metric (id and label) | network (baseline) | function | audience | embedded |", "|---|---|---|---|---|"]
    for metric_id, fmt, diff in rows:
        shown = f"`{metric_id}` {study.metric(metric_id).label}"
        lines.append(f"| {shown} | " + " | ".join(_cell(study, metric_id, j, fmt, diff) for j in range(len(four))) + " |")
    out["compare-table"] = "\n" + "\n".join(lines) + "\n"

    out["run"] = "\n```text\n" + _cli("run", str(SCENARIOS / "network.yaml"), "--workers", "2").rstrip() + "\n```\n"

    what_if = _designs("audience.yaml", "what-if/audience-email-not-1am.yaml")
    a, b = _mean(what_if, "after_hours_share", 0), _mean(what_if, "after_hours_share", 1)
    m, low, high = what_if.relative("silo_latency_mean_dept_executive", 1)
    word = "longer" if m > 0 else "shorter"
    ci = f"95% CI {100 * (low or 0):.0f}% to {100 * (high or 0):.0f}%"
    if low is not None and high is not None and low <= 0 <= high:  # an interval across zero says no clear change
        executive = (f"with no clear change in how long the Executive department's own requests wait "
                     f"({abs(100 * m):.0f}% {word} on average, {ci})")
    else:
        executive = f"and the Executive department's own requests wait {abs(100 * m):.0f}% {word}, {ci}"
    out["notebook-what-if"] = f"work after hours falls from {100 * a:.1f}% to {100 * b:.1f}%, {executive}"

    platform = _designs("network.yaml", "what-if/network-insight-platform.yaml", replications=3)
    reach = [_mean(platform, "insight_reach_share", j) for j in (0, 1)]
    _, lo, hi = platform.paired("silo_latency_mean", 1)
    change = "no clear change to" if lo is not None and hi is not None and lo <= 0 <= hi else "a change in"
    out["platform"] = f"{percent_text(reach[0])}% → {percent_text(reach[1])}% with {change} silo latency, 3 replications"

    solo = json.loads(_cli("run", str(SCENARIOS / "solo.yaml"), "--seed", "1", "--json"))  # the default run
    out["solo"] = (f"On seed 1 (default run: {solo['replications']} replications, each figure their mean) the "
                   f"one-person team answers {solo['requests']['completed']:.0f} of "
                   f"{solo['requests']['arrived']:.0f} requests: their mean is "
                   f"{solo['silo_latency_answered_hours']['mean']:.0f} h, the restricted mean "
                   f"{solo['silo_latency_censored']['rmst']:.0f} h, and the team is flagged **unstable** "
                   f"({'; '.join(solo['unstable'])})")

    sweep = _cli("sweep", str(SCENARIOS / "network.yaml"), "--set", "policies.approval_steps=0,1,2", "--set",
                 "run.horizon_days=21", "--replications", "2")
    out["sweep"] = ("\n```text\n$ orgsim sweep scenarios/network.yaml --set policies.approval_steps=0,1,2 --set "
                    "run.horizon_days=21 --replications 2\n" + sweep.rstrip() + "\n```\n")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if the README is out of date")
    args = parser.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    names = [m["name"] for m in MARK.finditer(text)]
    fresh = figures()
    missing = sorted(set(names) - set(fresh))
    if missing:
        print(f"README.md marks spans this script does not compute: {', '.join(missing)}", file=sys.stderr)
        return 1
    stale = [m["name"] for m in MARK.finditer(text) if m["body"] != fresh[m["name"]]]
    if args.check:
        for name in stale:
            print(f"README.md: figure '{name}' is out of date (run python -m docs.readme_figures)", file=sys.stderr)
        return 1 if stale else 0
    new = MARK.sub(lambda m: f"<!-- fig:{m['name']} -->{fresh[m['name']]}<!-- /fig -->", text)
    README.write_text(new, encoding="utf-8")
    print(f"README.md: {len(stale)} of {len(names)} figure spans updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
