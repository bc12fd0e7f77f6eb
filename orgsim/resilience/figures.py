"""What a resilience study measures in each run, and the one job that runs it.

Every run keeps the flat record of the registry's metrics
(:func:`orgsim.metrics.registry.record`) and adds, through
:mod:`orgsim.metrics.slices`:

- per channel with messages and per reply target, the share of that channel's
  messages answered within the target (``reply_within_1h_share_channel_instagram``);
- per skill that carries work (:func:`orgsim.resilience.skills.skill_work`), its
  messages answered within the primary reply target and its requests'
  restricted mean wait (``skill_channel_instagram_reply_within_24h_share``,
  ``skill_channel_instagram_latency_rmst``): the targets of its bus factor.

:func:`judged_metrics` lists the metrics whose harm is judged: the primary
metrics that can get worse (cost and head count do not change while someone is
away, and the mean utilisation is neither better nor worse) and :data:`JUDGED_TOO`,
every team-wide reply target (not its nights-and-weekends share), and the
per-channel replies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from orgsim.metrics.registry import NON_NEGATIVE, SHARE, Metric, metrics_of, record, slug
from orgsim.metrics.slices import Slice, slice_figures
from orgsim.resilience.skills import skill_label, skill_work
from orgsim.scenario.model import Scenario

__all__ = ["NOT_JUDGED", "StressJob", "channel_metrics", "judged_metrics", "primary_target", "run_stressed",
           "is_service", "skill_metrics", "target_ids"]

#: primary metrics an absence cannot move, or that are neither better nor worse
NOT_JUDGED = frozenset({"cost_per_year", "head_count", "utilization_mean"})
#: secondary metrics judged all the same: how a design gets there (issue #28 moved them off the scorecard), yet an
#: absence moves them and the value-weighted reach is a share of work done; the night-and-weekend reply shares are
#: not judged (a few off-hours messages move them by many points), whether primary or not
JUDGED_TOO = frozenset({"silo_overhead_share", "handoffs_per_request", "insight_reach_value_weighted"})


def primary_target(scenario: Scenario) -> float:
    """The reply target a channel's and a skill's work is judged on: 24 h (the field's yardstick), else the longest.

    Not "the first primary one": since issue #28 every target's overall share is primary, and a small channel's
    1 h share moves by many points with a few messages.
    """
    targets = scenario.run.reply_targets_hours
    return 24.0 if 24 in targets else max(targets)


def _share(id: str, label: str) -> Metric:
    return Metric(id, label, "share", +1, "percent", SHARE, (id,))


def channel_metrics(scenario: Scenario) -> list[Metric]:
    """Per channel with messages, per reply target: its messages answered within the target."""
    return [_share(f"reply_within_{slug(f'{t:g}')}h_share_channel_{slug(ch)}",
                   f"{skill_label('channel:' + ch)} messages answered within {t:g} h")
            for ch in scenario.demand.messages for t in scenario.run.reply_targets_hours]


def skill_metrics(scenario: Scenario) -> dict[str, list[Metric]]:
    """Per skill that carries work: the figures of its own work (its bus factor's targets)."""
    t = primary_target(scenario)
    out: dict[str, list[Metric]] = {}
    for skill, part in skill_work(scenario).items():
        base = "skill_" + slug(skill)
        words = skill_label(skill)
        ms = []
        if part.messages:
            ms.append(_share(f"{base}_reply_within_{slug(f'{t:g}')}h_share", f"{words}: messages answered within {t:g} h"))
        if part.kinds:
            ms.append(Metric(f"{base}_latency_rmst", f"{words}: requests' average wait (open ones counted)", "h", -1,
                             "hours", NON_NEGATIVE, (f"{base}_latency_rmst",)))
        out[skill] = ms
    return out


def judged_metrics(scenario: Scenario) -> list[Metric]:
    """The metrics a stress's harm is judged on (see the module): team-wide, then per channel."""
    team = [m for m in metrics_of(scenario.run.reply_targets_hours, ()) if m.direction != 0
            and m.id not in NOT_JUDGED and "off_hours" not in m.id
            and (m.primary or m.id in JUDGED_TOO or m.id.startswith("reply_within_"))]
    return team + channel_metrics(scenario)


def is_service(m: Metric) -> bool:
    """Whether a metric says how the work gets done: a wait (hours, lower is better) or a share done (in time).

    Load and shape figures (utilisation, after-hours work, silo overhead, handoffs) are shown, not targets: load
    rises wherever work moves to the others, and how much is too much is the team's own call.
    """
    return (m.unit == "h" and m.direction < 0) or (m.unit == "share" and m.direction > 0)


def target_ids(scenario: Scenario) -> frozenset[str]:
    """The metrics a stress can miss a target on: team-wide service figures, channels' primary reply, skills' own.

    A channel's faster targets (1 h, 4 h) are shown, not judged as targets: on a small channel a few messages
    move them by many points.
    """
    t = slug(f"{primary_target(scenario):g}")
    team = [m.id for m in judged_metrics(scenario) if "_channel_" not in m.id and is_service(m)]
    channels = [f"reply_within_{t}h_share_channel_{slug(ch)}" for ch in scenario.demand.messages]
    skills = [m.id for ms in skill_metrics(scenario).values() for m in ms]
    return frozenset(team + channels + skills)


def _slices(scenario: Scenario) -> dict[str, tuple[Slice, str, float]]:
    """Metric id -> (slice, what, target) for the per-channel and per-skill figures."""
    work = skill_work(scenario)
    out: dict[str, tuple[Slice, str, float]] = {}
    for ch in scenario.demand.messages:
        for t in scenario.run.reply_targets_hours:
            out[f"reply_within_{slug(f'{t:g}')}h_share_channel_{slug(ch)}"] = (Slice(channels=frozenset({ch})), "reply", t)
    t = primary_target(scenario)
    for skill, ms in skill_metrics(scenario).items():
        for m in ms:
            out[m.id] = (work[skill], "rmst" if m.unit == "h" else "reply", t)
    return out


@dataclass(frozen=True)
class StressJob:
    """One run of a resilience study: a scenario (stressed, or its twin) on one replication's seed."""

    scenario: Scenario
    seed: np.random.SeedSequence


def run_stressed(job: StressJob) -> dict[str, float]:
    """One run's flat record: the registry's metrics and the per-channel and per-skill figures (JSON-safe floats)."""
    from orgsim.metrics import run_figures
    from orgsim.sim.engine import simulate

    result = simulate(job.scenario, job.seed)
    out = record(run_figures(result))
    out.update(slice_figures(result, _slices(job.scenario)))
    return {k: float(v) if v is not None and not (isinstance(v, float) and math.isnan(v)) else math.nan
            for k, v in out.items()}
