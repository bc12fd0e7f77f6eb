"""How each realism mechanism moves the comparison of the example designs (README, "How each mechanism moves the comparison").

Run as ``python -m docs.realism_effects [--replications 10] [--workers 1]`` from the repository root.

The three example designs (``scenarios/network.yaml``, ``function.yaml``,
``audience.yaml``) are run as shipped and with each mechanism set in turn, all
on the same child seeds (common random numbers: replication *i* of every
variant faces the very same requests and messages, and none of the mechanisms
draws from a stream the others use, so a difference is the mechanism's).
It prints two markdown tables:

1. what a mechanism does to each design: the variant minus its reference, paired by replication;
2. the comparison under each mechanism: function and audience against network, with
   ``orgsim compare``'s verdicts, the change of that difference against the reference
   (a difference of paired differences, with its own 95% interval) and the primary
   verdicts that differ from the reference's.

The settings are assumptions, stated here and in the README next to the figures.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from orgsim import with_changes
from orgsim.experiment.study import Study, run_study
from orgsim.metrics.registry import metric
from orgsim.metrics.stats import mean_ci
from orgsim.scenario import load_scenario
from orgsim.scenario.model import Scenario

DESIGNS = ("network", "function", "audience")
LEAD, DEPUTY = "maya", "tom"  # the head of social; her deputy: the senior community manager, same office (assumption)
# The examples give the lead no absence: two working weeks away (Monday of week 4 to Friday of week 5, inside the
# measured window that starts on day 7) is a summer holiday; the issue's own case is a ten-day absence.
ABSENCE = {"start_day": 21, "days": 12, "reason": "holiday"}
# No survey gives social customers' patience (the field reports that ~70% of those who abandon a messaging conversation
# do so silently, not after how long). Assumption: exponential (Erlang A's), mean 24 h = the reply time most consumers
# expect (the field's usual yardstick), on every channel.
PATIENCE = {"dist": "exponential", "mean": 24}
# Setup minutes per change of channel, function and audience (docs/authoring.md: default 0, range 0-15 to explore;
# no survey measures it): 1 minute (one unified inbox, a glance at the thread) and 5 (authoring.md's example channel
# cost), the same for all three so that no design is favoured by the setting itself.
SWITCH_LOW = {"channel": 1, "function": 1, "audience": 1}
SWITCH = {"channel": 5, "function": 5, "audience": 5}
HEADLINE = ("silo_latency_rmst", "reply_within_24h_share", "insight_reach_value_weighted", "utilization_max")


@dataclass(frozen=True)
class Variant:
    """One setting of the mechanisms, and the variant it is measured against."""

    label: str
    changes: dict[str, Any] = field(default_factory=dict)
    reference: str | None = None
    #: a figure only this mechanism has (shown in table 1)
    own: str | None = None


def variants(channels: Sequence[str]) -> list[Variant]:
    """The shipped designs, then each mechanism alone (the deputy also with the lead away)."""
    away = {f"team.people.{LEAD}.absences": [ABSENCE]}
    return [
        Variant("shipped"),
        Variant("deputy (lead present)", {"structure.deputy": DEPUTY}, "shipped"),
        Variant("lead away 2 weeks", away, "shipped"),
        Variant("lead away + deputy", {**away, "structure.deputy": DEPUTY}, "lead away 2 weeks"),
        Variant("patience 24 h", {f"demand.messages.{c}.patience_hours": PATIENCE for c in channels}, "shipped",
                "messages_abandoned_share"),
        Variant("dispatch best_skill", {"policies.dispatch": "best_skill"}, "shipped"),
        Variant("switch 1 min", {"policies.switch_minutes": SWITCH_LOW}, "shipped", "switching_share"),
        Variant("switch 5 min", {"policies.switch_minutes": SWITCH}, "shipped", "switching_share"),
    ]


def build() -> tuple[list[Variant], list[Scenario]]:
    """The variants and their scenarios, design by design within each variant (shipped first)."""
    shipped = [load_scenario(f"scenarios/{d}.yaml") for d in DESIGNS]
    vs = variants(list(shipped[0].demand.messages))
    return vs, [with_changes(s, v.changes, name=f"{d} | {v.label}") if v.changes else s
                for v in vs for d, s in zip(DESIGNS, shipped, strict=True)]


def fmt(metric_id: str, mean: float, low: float | None, high: float | None, signed: bool = True) -> str:
    """A difference with its interval: signed hours, or percentage points for shares."""
    m = metric(metric_id)
    scale, unit, digits = (100.0, " pts", 1) if m.fmt == "percent" else (1.0, " h", 1)
    if low is None or high is None:
        return f"{scale * mean:+.{digits}f}{unit}"
    return f"{scale * mean:+.{digits}f}{unit} ({scale * low:+.{digits}f}…{scale * high:+.{digits}f})"


def sub_study(study: Study, rows: Sequence[int]) -> Study:
    """The designs at ``rows`` of a study as a comparison of their own (first = baseline)."""
    return Study([study.scenarios[i] for i in rows], [study.runs[i] for i in rows], study.seed, study.replications)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the variants and print the two tables."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replications", type=int, default=10)
    p.add_argument("--workers", type=int, default=1)
    a = p.parse_args(argv)
    vs, scenarios = build()
    run = scenarios[0].run
    t0 = time.process_time()
    study = run_study(scenarios, a.replications, workers=a.workers, detail=False)
    cpu = time.process_time() - t0
    at = {v.label: i * len(DESIGNS) for i, v in enumerate(vs)}
    tables = {v.label: sub_study(study, range(at[v.label], at[v.label] + len(DESIGNS))).table for v in vs}

    def values(m: str, label: str, d: int) -> np.ndarray:
        return study.values(m, at[label] + d)

    print(f"{a.replications} paired replications, seed {study.seed}, {run.horizon_days} days "
          f"({run.horizon_days - run.warmup_days} measured); "
          f"{len(scenarios) * a.replications} runs, {cpu / 60:.1f} CPU-minutes in this process\n")
    print("Table 1. What each mechanism does to each design (variant − reference, paired, 95% CI)\n")
    print("| mechanism (against) | figure | " + " | ".join(DESIGNS) + " |")
    print("|---|---|" + "---|" * len(DESIGNS))
    for v in vs[1:]:
        assert v.reference is not None
        for m in ("silo_latency_rmst", "reply_within_24h_share", *((v.own,) if v.own else ())):
            cells = []
            for d in range(len(DESIGNS)):
                x = values(m, v.label, d)
                if m == v.own:  # a share the reference does not have: its level, with its 95% CI
                    mean, low, high = mean_ci(list(x))
                    cells.append(f"{100 * mean:.1f}% ({100 * (low or mean):.1f}…{100 * (high or mean):.1f})")
                else:
                    cells.append(fmt(m, *mean_ci(list(x - values(m, v.reference, d)))))
            print(f"| {v.label} ({v.reference}) | `{m}` | " + " | ".join(cells) + " |")

    print("\nTable 2. The comparison under each mechanism: design − network (paired, 95% CI, verdict as "
          "`orgsim compare` gives it); Δ = change of that difference against the reference (95% CI)\n")
    print("| mechanism | figure | network | function − network | audience − network | Δ function | Δ audience |")
    print("|---|---|---|---|---|---|---|")
    for v in vs:
        t = tables[v.label].set_index(["design_id", "metric"])
        ids = list(dict.fromkeys(tables[v.label].design_id))
        for m in HEADLINE:
            cells = [metric(m).format_value(t.loc[(ids[0], m), "mean"])]
            for d in (1, 2):
                r = t.loc[(ids[d], m)]
                cells.append(f"{fmt(m, r['diff'], r['diff_low'], r['diff_high'])} {r['verdict']}")
            for d in (1, 2):
                if v.reference is None:
                    cells.append("")
                    continue
                now = values(m, v.label, d) - values(m, v.label, 0)
                before = values(m, v.reference, d) - values(m, v.reference, 0)
                cells.append(fmt(m, *mean_ci(list(now - before))))
            print(f"| {v.label} | `{m}` | " + " | ".join(cells) + " |")

    print("\nRanking by silo latency (restricted mean, mean of the replications; `unstable` where flagged):\n")
    for v in vs:
        t = tables[v.label]
        rows = t[t.metric == "silo_latency_rmst"].reset_index(drop=True)
        order = sorted(range(len(DESIGNS)), key=lambda d: rows.loc[d, "mean"])
        shaky = [DESIGNS[d] for d in range(len(DESIGNS)) if t.attrs["unstable"][rows.loc[d, "design_id"]]]
        print(f"- {v.label}: " + " < ".join(f"{DESIGNS[d]} {rows.loc[d, 'mean']:.1f} h" for d in order)
              + (f"  ({', '.join(shaky)} unstable)" if shaky else ""))

    print("\nPrimary verdicts (against network) that differ from the reference's:\n")
    for v in vs[1:]:
        assert v.reference is not None
        now, ref = tables[v.label], tables[v.reference]
        changed = []
        for d in (1, 2):
            a_ = now[(now.design_id == list(dict.fromkeys(now.design_id))[d]) & now.primary].set_index("metric")
            b_ = ref[(ref.design_id == list(dict.fromkeys(ref.design_id))[d]) & ref.primary].set_index("metric")
            for m in a_.index.intersection(b_.index):
                if a_.loc[m, "verdict"] != b_.loc[m, "verdict"]:
                    changed.append(f"{DESIGNS[d]} `{m}` {b_.loc[m, 'verdict']} → {a_.loc[m, 'verdict']}")
        print(f"- {v.label} (against {v.reference}): " + ("; ".join(changed) if changed else "none"))


if __name__ == "__main__":
    main()
