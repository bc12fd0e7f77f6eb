"""A comparison kept whole: every design's replications, with the distributions behind them.

:func:`run_study` runs designs on common random numbers (``orgsim compare`` is
its :attr:`Study.table`) and keeps each replication's figures *and* its
:func:`orgsim.metrics.detail.run_detail`, so a report or a
notebook can draw distributions, curves and per-person load, and test any
difference between two designs, without running anything again. A study
saves to and loads from one JSON file (``study.json`` in a ``compare --out``
folder), scenarios included, so a report can be rebuilt from a folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from orgsim.arguments import (
    a_callable,
    a_scenario,
    a_scheduler,
    a_seed,
    checks,
    flag,
    many,
    optional,
    sources_of_scenarios,
    whole,
    workers,
)
from orgsim.errors import ArgumentError, OrgsimError
from orgsim.experiment.paired import comparison_table, design_ids
from orgsim.experiment.parallel import Job, run_jobs
from orgsim.experiment.replications import replication_seeds
from orgsim.experiment.saved import check_study
from orgsim.experiment.settings import Settings
from orgsim.metrics.registry import Metric, metrics_for
from orgsim.metrics.registry import metric as registry_metric
from orgsim.metrics.stats import mean_ci
from orgsim.scenario.limits import check_work
from orgsim.scenario.loading import scenario_from_data
from orgsim.scenario.model import Scenario
from orgsim.sim.arguments import check_arguments

__all__ = ["PRECISION_CAP", "STUDY_FILE", "Study", "precision_gaps", "run_study", "run_to_precision", "study_runs", "study_with"]

STUDY_FILE = "study.json"
_FORMAT = 3  # 2: reply targets as a list (`reply_targets`), metric ids; 3: `silo_latency_answered_hours`


def _upgrade(body: dict[str, Any]) -> dict[str, Any]:
    """A format-2 study read as format 3: its answered-only latency block renamed, nothing else changed."""
    if body.get("format") != 2:
        return body
    for runs in body.get("runs", []):
        for f in runs if isinstance(runs, list) else []:
            for node in [f, *f.get("by_department", {}).values(), *f.get("by_request_type", {}).values()]:
                if isinstance(node, dict) and "silo_latency_hours" in node:
                    node["silo_latency_answered_hours"] = node.pop("silo_latency_hours")
    return {**body, "format": 3}


@dataclass
class Study:
    """Designs × replications on common random numbers; the first design is the baseline."""

    scenarios: list[Scenario]
    #: ``runs[i][r]``: figures of design ``i``, replication ``r``, with a ``detail`` entry
    runs: list[list[dict[str, Any]]]
    seed: int
    replications: int
    sources: list[str] = field(default_factory=list)
    #: how secondary verdicts are corrected for multiplicity ("holm", "bh", "none"; orgsim.metrics.multiplicity)
    correction: str = "holm"

    @property
    def designs(self) -> list[str]:
        return [s.name for s in self.scenarios]

    @property
    def design_ids(self) -> list[str]:
        """Each design's id in tables and JSON (see :func:`orgsim.experiment.paired.design_ids`)."""
        return design_ids(self.designs)

    @cached_property
    def table(self) -> pd.DataFrame:
        """The comparison table (:func:`orgsim.experiment.paired.comparison_table`)."""
        return comparison_table(self.scenarios, self.runs, self.seed, self.correction)

    def metric(self, m: Metric | str) -> Metric:
        """A metric of this study by id or label (:func:`orgsim.metrics.registry.metric`)."""
        return registry_metric(m, [f for runs in self.runs for f in runs])

    def values(self, m: Metric | str, design: int | str) -> np.ndarray:
        """One figure (a :class:`Metric`, its id or its label) of one design, per replication."""
        m = self.metric(m)
        return np.array([m.of(f) for f in self.runs[self._index(design)]], dtype=float)

    def paired(self, m: Metric | str, design: int | str, other: int | str = 0) -> tuple[float, float | None, float | None]:
        """Mean and 95% CI of ``design − other``, paired by replication (common random numbers)."""
        return mean_ci(list(self.values(m, design) - self.values(m, other)))

    def relative(self, m: Metric | str, design: int | str, other: int | str = 0) -> tuple[float, float | None, float | None]:
        """Mean and 95% CI of ``(design − other) / other`` per replication, as a fraction.

        Replications where ``other`` is zero or undefined are left out.
        """
        a, b = self.values(m, design), self.values(m, other)
        ok = np.isfinite(a) & np.isfinite(b) & (b != 0)
        return mean_ci(list((a[ok] - b[ok]) / b[ok]))

    def _index(self, design: int | str) -> int:
        if isinstance(design, int):
            return design
        try:
            return self.designs.index(design) if design in self.designs else self.design_ids.index(design)
        except ValueError:
            raise KeyError(f"no design {design!r} in this study") from None

    # Long tables for notebooks and plots: one row per observation.

    def figures(self) -> pd.DataFrame:
        """Every metric of the registry: design × replication × metric (id, with label and unit) → value."""
        metrics = [m for m in metrics_for([f for runs in self.runs for f in runs]) if m.path[0] != "by_department"]
        rows = [{"design": name, "replication": r, "metric": m.id, "label": m.label, "unit": m.unit, "value": m.of(f)}
                for name, runs in zip(self.designs, self.runs, strict=True)
                for r, f in enumerate(runs) for m in metrics]
        return pd.DataFrame(rows)

    def latencies(self) -> pd.DataFrame:
        """Silo latency of every answered request: design, replication, department, hours."""
        # one frame from joined columns: a frame per run and department cost ~15 ms each (200 for README command 1)
        keys, values = [], []
        for name, runs in zip(self.designs, self.runs, strict=True):
            for r, f in enumerate(runs):
                for d, xs in f["detail"]["latency_hours"].items():
                    keys.append((name, r, d, len(xs)))
                    values.append(np.asarray(xs, dtype=float))
        if not keys:
            return pd.DataFrame(columns=["design", "replication", "department", "latency_hours"])
        return pd.DataFrame({**_key_columns(keys), "latency_hours": np.concatenate(values)})

    def breakdown(self) -> pd.DataFrame:
        """Mean hours per request in each clock: design, department ('all' for every request), part."""
        rows = []
        for name, runs in zip(self.designs, self.runs, strict=True):
            for r, f in enumerate(runs):
                for part, hours in f["latency_breakdown_hours"].items():
                    rows.append({"design": name, "replication": r, "department": "all", "part": part, "hours": hours})
                for d, parts in f["detail"]["breakdown_hours"].items():
                    for part, hours in parts.items():
                        rows.append({"design": name, "replication": r, "department": d, "part": part, "hours": hours})
        return pd.DataFrame(rows)

    def people(self) -> pd.DataFrame:
        """Each person's utilisation and after-hours share, per design and replication."""
        rows = [{"design": name, "replication": r, **p}
                for name, runs in zip(self.designs, self.runs, strict=True)
                for r, f in enumerate(runs) for p in f["detail"]["people"]]
        return pd.DataFrame(rows)

    def reach_curves(self) -> pd.DataFrame:
        """Share of (insight, department) pairs reached by hour t: design, replication, department, hours, share.

        ``department`` is ``"all"`` for the curve over every pair. Empty when
        the scenarios have no ``insights:`` block.
        """
        # one frame from joined columns, as latencies(): a dict per point cost ~40 ms a call on README command 1
        # (126,000 points), and the page asks for it a dozen times
        keys: list[tuple[str, int, str, int]] = []
        hours_parts: list[np.ndarray] = []
        share_parts: list[np.ndarray] = []
        for name, runs in zip(self.designs, self.runs, strict=True):
            for r, f in enumerate(runs):
                reach = f.get("insight_reach")
                if not reach:
                    continue
                hours = reach["curve"]["hours"]
                curves = {"all": reach["curve"]["share"], **f["detail"].get("reach_curves", {}).get("by_department", {})}
                for d, shares in curves.items():
                    if len(shares) != len(hours):
                        raise ValueError(f"{name}, replication {r}: {d}'s reach curve has {len(shares)} points for "
                                         f"{len(hours)} hours")
                    keys.append((name, r, d, len(hours)))
                    hours_parts.append(np.asarray(hours))
                    share_parts.append(np.asarray(shares, dtype=float))
        columns = ["design", "replication", "department", "hours", "share"]
        if not keys:
            return pd.DataFrame(columns=columns)
        return pd.DataFrame({**_key_columns(keys), "hours": np.concatenate(hours_parts),
                             "share": np.concatenate(share_parts)}, columns=columns)

    # Saving: one JSON file, scenarios included.

    def save(self, path: Path) -> Path:
        """Write the study as JSON (``path`` is a file, or a folder that gets ``study.json``)."""
        target = path / STUDY_FILE if path.is_dir() else path
        body = {
            "format": _FORMAT, "seed": self.seed, "replications": self.replications,
            "sources": self.sources or [""] * len(self.scenarios),
            "scenarios": [s.model_dump(mode="json", by_alias=True) for s in self.scenarios],
            "runs": self.runs,
        }
        from orgsim.writes import write_text

        return write_text(target, json.dumps(body, allow_nan=True, default=_plain) + "\n", force=True, option="study")

    @classmethod
    def load(cls, path: Path, *, allow_large: bool = False) -> Study:
        """Read a study written by :meth:`save` (``path`` is the file or its folder).

        Its scenarios pass the same validation as a scenario file (``allow_large``
        lifts the size limits), so an edited study is refused with the key at fault.
        """
        source = path / STUDY_FILE if path.is_dir() else path
        if not source.is_file():
            raise OrgsimError(f"{source}: no study here; write one with `orgsim compare ... --out {path}`")
        try:
            body = json.loads(source.read_text(encoding="utf-8"))
            if not isinstance(body, dict):
                raise OrgsimError(f"{source}: expected a study (a JSON object), got {type(body).__name__}")
            body = _upgrade(body)
            if body.get("format") != _FORMAT:
                raise OrgsimError(f"{source}: study format {body.get('format')!r}, expected {_FORMAT}; run the comparison again")
            check_study(body, str(source))  # every value where a figure belongs is a figure, in its metric's range
            scenarios = [scenario_from_data(d, file=f"{source}: scenario {i + 1}", allow_large=allow_large)
                         for i, d in enumerate(body["scenarios"])]
            n, runs = int(body["replications"]), body["runs"]
            if (not isinstance(runs, list) or len(runs) != len(scenarios) or n < 1
                    or any(not isinstance(r, list) or len(r) != n or not all(isinstance(x, dict) for x in r)
                           for r in runs)):
                raise OrgsimError(f"{source}: runs: expected {n} replications for each of the {len(scenarios)} "
                                  "scenarios; the file was changed or cut short — run the comparison again")
            return cls(scenarios, runs, int(body["seed"]), n, list(body.get("sources", [])))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise OrgsimError(f"{source}: not a study file this orgsim can read ({type(exc).__name__}: {exc})") from None


def _plain(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"cannot save {type(x).__name__}")


@checks(scenarios=many(a_scenario, what="scenarios (designs)"), replications=whole(2, optional=True), seed=a_seed,
        progress=optional(a_callable), workers=workers, scheduler=a_scheduler, sources=sources_of_scenarios,
        detail=flag, allow_large=flag)
def run_study(
    scenarios: Sequence[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = 1,
    scheduler: str | None = None,
    sources: Sequence[str] = (),
    detail: bool = True,
    allow_large: bool = False,
) -> Study:
    """Run every design on the same child seeds and keep every replication's figures and detail.

    Defaults for ``replications`` and ``seed`` come from the first (baseline)
    scenario's ``run:``; ``workers`` and ``scheduler`` are as in
    :func:`orgsim.experiment.parallel.run_pool`. ``detail=False`` keeps the
    figures only (enough for :attr:`Study.table`; what ``compare`` without
    ``--out`` needs).
    """
    if not scenarios:
        raise ValueError("a study needs at least one scenario")
    settings = Settings.fold(scenarios[0].run, replications=replications, seed=seed, workers=workers,
                             scheduler=scheduler, allow_large=allow_large)
    return study_with(scenarios, settings, progress=progress, sources=sources, detail=detail)


def study_runs(scenarios: Sequence[Scenario], settings: Settings) -> int:
    """The runs a study makes (what its progress counts to): every design's replications."""
    return len(scenarios) * settings.replications


def study_with(scenarios: Sequence[Scenario], settings: Settings, *, progress: Callable[[int], None] | None = None,
               sources: Sequence[str] = (), detail: bool = True) -> Study:
    """:func:`run_study` on settings already folded (from the baseline's ``run:``; ``orgsim compare`` folds them)."""
    if not scenarios:
        raise ValueError("a study needs at least one scenario")
    names = [s.name for s in scenarios]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice and detail:  # a bare table (compare) tells designs apart by design_id; a report by name
        raise OrgsimError(f"two designs are both named {twice[0]!r}; give each scenario its own `name:` so the report can tell them apart")
    n, s0 = settings.replications, settings.seed
    if n < 2:  # the CLI's rule (compare and report take --replications >= 2): one replication has no interval
        raise ArgumentError(f"run_study: replications: the baseline's run.replications is {n}; a comparison needs "
                            "at least 2 for its intervals: pass replications=2 or more")
    for s in scenarios:
        check_arguments(s, n, s0, settings.workers)
    check_work(scenarios, n, "designs", allow_large=settings.allow_large)
    jobs = [Job(s, child, detail=detail) for s in scenarios for child in replication_seeds(s0, n)]
    flat = run_jobs(jobs, workers=settings.workers, scheduler=settings.scheduler, progress=progress)
    runs = [flat[i * n:(i + 1) * n] for i in range(len(scenarios))]
    return Study(list(scenarios), runs, s0, n, list(sources))


#: the most replications ``--precision`` adds up to (a stated budget: 64 runs of a 42-day design take minutes)
PRECISION_CAP = 64


def precision_gaps(study: Study, precision: float) -> list[str]:
    """Primary metrics whose 95% CI half-width is above ``precision`` × |mean|, as readable lines (empty: precise).

    Metrics whose mean is zero or undefined (nothing to be relative to) are left out.
    """
    gaps = []
    table = study.table
    for row in table[table["primary"]].itertuples(index=False):
        low, high, mean = (float("nan") if v is None else float(v) for v in (row.ci_low, row.ci_high, row.mean))
        if low != low or high != high or mean != mean or mean == 0:
            continue
        half = (high - low) / 2
        if half > precision * abs(mean):
            gaps.append(f"{row.design}: {row.label} ±{100 * half / abs(mean):.0f}% of its mean")
    return gaps


def run_to_precision(scenarios: Sequence[Scenario], precision: float, settings: Settings, cap: int = PRECISION_CAP,
                     **kwargs: Any) -> tuple[Study, list[str]]:
    """Run a study, doubling its replications until every primary metric is precise enough (or ``cap``).

    Precise enough: its 95% CI half-width within ``precision`` × |mean|. Starts at ``settings.replications``
    (at least 2); ``kwargs`` go to :func:`study_with`. Returns the study and the metrics still too wide (empty
    when the precision was reached). Replication seeds are spawned in order, so the first n runs of a larger
    study are the same runs.
    """
    n = max(2, settings.replications)
    while True:
        study = study_with(scenarios, settings.with_replications(n), **kwargs)
        gaps = precision_gaps(study, precision)
        if not gaps or n >= cap:
            return study, gaps
        n = min(cap, 2 * n)


def _key_columns(keys: Sequence[tuple[str, int, str, int]]) -> dict[str, np.ndarray]:
    """The design, replication and department columns of a long table: each key repeated for its count of rows."""
    counts = [k[3] for k in keys]
    return {"design": np.repeat(np.array([k[0] for k in keys], dtype=object), counts),
            "replication": np.repeat(np.array([k[1] for k in keys], dtype=np.int64), counts),
            "department": np.repeat(np.array([k[2] for k in keys], dtype=object), counts)}
