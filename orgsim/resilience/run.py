"""Running a resilience study: every stress of every design on common random numbers, budgeted and resumable.

The runs go in rounds, because some stresses are chosen from others' results:

1. each person away, each shared role away, the crisis and the launch (and a
   named hiring freeze), each against its twin at full strength;
2. the default hiring freeze (the seat whose absence costs least) and, for each
   skill whose work survived its most-needed person's absence, its two
   most-needed people away together;
3. up to ``bus_max`` people of a skill away together, for the skills that
   survived one fewer.

Everything is counted before the first run: the upper bound of every round
(as if no skill's target were ever missed) is checked against the budget
(:data:`orgsim.scenario.limits.MAX_WORK`, work items counted by
:mod:`orgsim.scenario.cost`) and refused at once, with the
figure and the limit, unless ``allow_large``. Every finished run is written
as a part of ``out`` (:mod:`orgsim.experiment.parts`); the choices of later
rounds are worked out again from the parts on disk, so a study killed at any
point and resumed ends with the files of an uninterrupted one. Runs go
through :func:`orgsim.experiment.parallel.run_pool`: serial, a local pool or
Dask give the same numbers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orgsim.arguments import (
    a_callable,
    a_path,
    a_scenario_or_path,
    a_scheduler,
    a_seed,
    a_string,
    a_thing,
    checks,
    flag,
    many,
    optional,
    whole,
    workers,
)
from orgsim.errors import OrgsimError
from orgsim.experiment.paired import design_ids
from orgsim.experiment.parallel import run_pool
from orgsim.experiment.parts import open_parts, write_part
from orgsim.experiment.replications import replication_seeds
from orgsim.experiment.settings import Settings
from orgsim.resilience.figures import StressJob, judged_metrics, run_stressed, skill_metrics, target_ids
from orgsim.resilience.judge import Impact, bus_order, impacts, missed_on, severity
from orgsim.resilience.skills import skill_people
from orgsim.resilience.stresses import (
    Options,
    Stress,
    Window,
    check_names,
    first_stresses,
    freeze,
    group,
    start_days,
    stressed,
    twin,
    windows,
)
from orgsim.scenario.limits import HOW, MAX_WORK, arrivals_per_replication
from orgsim.scenario.loading import load_scenario
from orgsim.scenario.model import Scenario
from orgsim.sim.arguments import check_arguments

__all__ = ["Design", "Resilience", "resilience", "resilience_with", "study_size"]


@dataclass
class Design:
    """One design's stresses and the records of their runs (``records[name][r]``: replication ``r``)."""

    index: int
    scenario: Scenario
    stresses: list[Stress]
    records: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    people: dict[str, list[str]] = field(default_factory=dict)
    impacts: dict[str, list[Impact]] = field(default_factory=dict)

    def full(self, window: str) -> list[dict[str, float]]:
        return self.records[f"full-{window}"]


@dataclass
class Resilience:
    """A finished study: each design's stresses and impacts, and what was asked."""

    designs: list[Design]
    design_ids: list[str]
    options: Options
    replications: int
    seed: int
    starts: list[float]
    sources: list[str]

    @property
    def names(self) -> list[str]:
        return [d.scenario.name for d in self.designs]


def _part(d: int, name: str, r: int) -> str:
    return f"d{d:02d}-{name}-r{r:03d}"


def _fingerprint(s: Scenario) -> str:
    """A short hash of a design's whole data: a resumed study refuses a design file that changed since."""
    return hashlib.sha256(json.dumps(s.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()[:16]


class _Runner:
    """The rounds of one study: builds each round's jobs, runs the ones not on disk, keeps every record."""

    def __init__(self, designs: list[Design], options: Options, seeds: list[Any], starts: list[float],
                 wins: dict[str, Window], out: Path | None, done: dict[str, Any], settings: Settings,
                 progress: Callable[[int], None] | None) -> None:
        self.designs, self.options, self.seeds, self.starts, self.wins = designs, options, seeds, starts, wins
        self.out, self.done, self.settings, self.progress = out, done, settings, progress
        self.allow_large = settings.allow_large
        self.count = 0  # runs done or skipped, for progress
        self.twins: dict[tuple[int, str, int], Scenario] = {}  # built for the budget, run later
        self.bursts: dict[tuple[int, str, int], Scenario] = {}  # likewise

    def scenario(self, design: Design, stress: Stress | None, window: str, r: int) -> Scenario:
        win = self.wins.get(window)
        if stress is None:
            key = (design.index, window, r)
            if key not in self.twins:
                self.twins[key] = twin(design.scenario, win, self.starts[r], self.allow_large)
            return self.twins[key]
        if stress.burst is None:
            return stressed(design.scenario, stress, win, self.starts[r], self.options.absent_days, self.allow_large)
        key = (design.index, stress.id, r)  # a burst's scenario is counted for the budget, then run
        if key not in self.bursts:
            self.bursts[key] = stressed(design.scenario, stress, win, self.starts[r], self.options.absent_days,
                                        self.allow_large)
        return self.bursts[key]

    def run(self, wanted: list[tuple[Design, Stress | None, str]], skipped: int = 0) -> None:
        """Run (or read from disk) every replication of each (design, stress or twin, window)."""
        n = len(self.seeds)
        names = [(d, s, w, _part(d.index, s.id if s is not None else f"full-{w}", r), r)
                 for d, s, w in wanted for r in range(n)]
        todo = [x for x in names if x[3] not in self.done]
        self.count += skipped + len(names) - len(todo)
        self._tell(self.count)
        jobs = [StressJob(self.scenario(d, s, w, r), self.seeds[r]) for d, s, w, _, r in todo]
        base = self.count
        if not jobs:
            self._keep(wanted)
            return

        def finished(i: int, record: dict[str, float]) -> None:
            self.done[todo[i][3]] = record
            if self.out is not None:
                write_part(self.out, todo[i][3], record)

        run_pool(run_stressed, jobs, self.settings.workers, self.settings.scheduler,
                 None if self.progress is None else (lambda c: self._tell(base + c)), on_done=finished,
                 cost=lambda job: arrivals_per_replication(job.scenario)[0])  # a burst's runs start first
        self.count += len(todo)
        self._keep(wanted)

    def _keep(self, wanted: list[tuple[Design, Stress | None, str]]) -> None:
        n = len(self.seeds)
        for d, s, w in wanted:
            key = s.id if s is not None else f"full-{w}"
            d.records[key] = [self.done[_part(d.index, key, r)] for r in range(n)]

    def _tell(self, count: int) -> None:
        if self.progress is not None:
            self.progress(count)


def _judge(design: Design, options: Options) -> None:
    """The impacts of every stress of ``design`` that has run and has not been judged yet."""
    metrics = judged_metrics(design.scenario) + [m for ms in skill_metrics(design.scenario).values() for m in ms]
    targets = target_ids(design.scenario)
    for st in design.stresses:
        if st.id not in design.impacts and st.id in design.records:
            design.impacts[st.id] = impacts(st.id, metrics, design.records[st.id], design.full(st.window), options,
                                            targets)


def judged(design: Design, stress: str) -> list[Impact]:
    """A stress's impacts on the judged metrics (team-wide and per channel), not the skills' own figures."""
    ids = {m.id for m in judged_metrics(design.scenario)}
    return [i for i in design.impacts.get(stress, []) if i.metric.id in ids]


def on_skill(design: Design, stress: str, skill: str) -> list[Impact]:
    """A stress's impacts on the figures of one skill's own work."""
    ids = {m.id for m in skill_metrics(design.scenario).get(skill, [])}
    return [i for i in design.impacts.get(stress, []) if i.metric.id in ids]


def person_stress(design: Design, pid: str) -> Stress:
    """The stress of one person away on their own."""
    return next(s for s in design.stresses if s.kind == "person" and s.away == (pid,))


def severities(design: Design) -> dict[str, float]:
    """Each person's severity when away on their own (see :func:`orgsim.resilience.judge.severity`)."""
    return {pid: severity(judged(design, person_stress(design, pid).id)) for pid in design.scenario.team.people}


def skill_order(design: Design, skill: str) -> list[str]:
    """A skill's people, most needed by its work first (:func:`orgsim.resilience.judge.bus_order`)."""
    people = design.people[skill]
    skill_harm = {pid: severity(on_skill(design, person_stress(design, pid).id, skill)) for pid in people}
    return bus_order(people, list(design.scenario.team.people), skill_harm, severities(design))


def away_stress(design: Design, away: Sequence[str], options: Options) -> Stress:
    """The stress of these people away together: one person's own, or a group's."""
    return person_stress(design, away[0]) if len(away) == 1 else group(design.scenario, tuple(away), options)


def _next_groups(design: Design, k: int, options: Options) -> list[Stress]:
    """The groups of ``k`` a skill's people to take away next: for each skill whose work survived ``k - 1``."""
    out: dict[str, Stress] = {}
    known = {s.id for s in design.stresses}
    for skill, people in design.people.items():
        if len(people) < k:
            continue
        order = skill_order(design, skill)
        if any(missed_on(on_skill(design, away_stress(design, order[:j], options).id, skill)) for j in range(1, k)):
            continue
        g = away_stress(design, order[:k], options)
        if g.id not in known:
            out.setdefault(g.id, g)
    return list(out.values())


def _upper(design: Design, k: int, options: Options) -> int:
    """The most stresses round ``k`` can add to a design: a group per skill with ``k`` people, and the freeze."""
    groups = sum(len(p) >= k for p in design.people.values()) if k <= options.bus_max else 0
    return groups + (k == 2 and options.freeze is None)


def _least_missed(design: Design) -> Stress | None:
    """The default hiring freeze: the seat whose absence costs least (none in a team of one: no team would be left)."""
    people = list(design.scenario.team.people)
    if len(people) < 2:
        return None
    sev = severities(design)
    return freeze(design.scenario, min(people, key=lambda pid: (sev[pid], people.index(pid))))


def _windows_of(design: Design) -> list[str]:
    """The windows a design's twins are needed for: its stresses' and its own run."""
    return list(dict.fromkeys([*(s.window for s in design.stresses if s.window != "whole"), "absence", "whole"]))


def _check_budget(designs: Sequence[Design], options: Options, runner: _Runner, n: int) -> None:
    """Refuse the study before any run if its upper bound of simulated work is over the budget.

    Each run is counted by the cost model every command uses (:func:`orgsim.scenario.cost.replication_cost`):
    a twin and an absence over their window, a crisis or a launch as the stressed scenario itself (its burst
    multiplied where it overlaps the file's own, as the engine does).
    """
    total, runs = 0.0, 0
    for d in designs:
        per = {w: [arrivals_per_replication(runner.scenario(d, None, w, r))[0] for r in range(n)]
               for w in _windows_of(d)}
        total += sum(sum(v) for v in per.values())
        runs += len(per) * n
        for st in d.stresses:
            total += sum(arrivals_per_replication(runner.scenario(d, st, st.window, r))[0] for r in range(n)) \
                if st.burst is not None else sum(per[st.window])
            runs += n
        later = sum(_upper(d, k, options) for k in range(2, max(options.bus_max, 2) + 1))
        total += later * sum(per["absence"]) + (options.freeze is None) * (sum(per["whole"]) - sum(per["absence"]))
        runs += later * n
    if total > MAX_WORK and not runner.allow_large:
        raise OrgsimError(f"resilience: {len(designs)} design{'s' if len(designs) > 1 else ''} would simulate up to "
                          f"about {total:,.0f} work items in up to {runs:,} runs ({n} replications of every stress and "
                          f"its twin at full strength, bus factors up to {options.bus_max} people included), over the "
                          f"budget of {MAX_WORK:,}; lower --replications, --bus-max, --absent-days or the number "
                          f"of designs, or {HOW}")


def study_size(scenarios: Sequence[Scenario], options: Options, settings: Settings,
               sources: Sequence[str] | None = None) -> int:
    """The most runs a study of ``scenarios`` can take (every round's upper bound): what progress counts to.

    A crisis channel or a frozen seat a design does not have is refused here already (named by ``sources``).
    """
    n = settings.replications
    _check_options(options)
    total = 0
    for i, s in enumerate(scenarios):
        check_names(s, options, sources[i] if sources and i < len(sources) and sources[i] else repr(s.name))
        d = Design(i, s, first_stresses(s, options), people=skill_people(s))
        later = sum(_upper(d, k, options) for k in range(2, max(options.bus_max, 2) + 1))
        total += (len(_windows_of(d)) + len(d.stresses) + later) * n
    return total


def _check_options(options: Options) -> None:
    for name in ("absent_days", "crisis_days", "launch_days", "crisis_multiplier", "tolerance_points", "tolerance_share"):
        if not getattr(options, name) > 0:
            raise OrgsimError(f"--{name.replace('_', '-')} {getattr(options, name):g}: expected a number above 0")
    if options.after_days < 0:
        raise OrgsimError(f"--after-days {options.after_days:g}: expected 0 or more days")
    if options.bus_max < 1:
        raise OrgsimError(f"--bus-max {options.bus_max}: expected at least 1 person")


@checks(designs=many(a_scenario_or_path, what="designs (scenarios or scenario files)"),
        options=optional(a_thing("Options")), replications=whole(1, optional=True), seed=a_seed, workers=workers,
        scheduler=a_scheduler, out=optional(a_path), resume=flag, progress=optional(a_callable), allow_large=flag,
        sources=optional(many(a_string, least=0, what="file names")))
def resilience(
    designs: Sequence[str | Path | Scenario],
    options: Options | None = None,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = 1,
    scheduler: Any = None,
    out: Path | None = None,
    resume: bool = False,
    progress: Callable[[int], None] | None = None,
    allow_large: bool = False,
    sources: Sequence[str] | None = None,
) -> Resilience:
    """Put every design through its stresses (see the module) and judge each against its twin at full strength.

    ``designs`` are scenario files or scenarios; the first one's run settings give the default replications
    and seed and the days the stresses start. ``workers`` and ``scheduler`` are as in
    :func:`orgsim.experiment.parallel.run_pool`; ``out`` and ``resume`` as for a sweep. ``progress(done)`` counts
    runs up to :func:`study_size` (runs a skill's bus factor turned out not to need count as done). ``sources``
    names the files of designs given as scenarios (for the saved study).
    """
    options = options or Options()
    _check_options(options)
    scenarios = [d if isinstance(d, Scenario) else load_scenario(d, allow_large=allow_large) for d in designs]
    sources = list(sources) if sources and len(sources) == len(designs) else \
        ["" if isinstance(d, Scenario) else str(d) for d in designs]
    if not scenarios:
        raise OrgsimError("resilience needs at least one design")
    settings = Settings.fold(scenarios[0].run, replications=replications, seed=seed, workers=workers,
                             scheduler=scheduler, allow_large=allow_large)
    return resilience_with(scenarios, options, settings, out=out, resume=resume, progress=progress, sources=sources)


def resilience_with(scenarios: Sequence[Scenario], options: Options, settings: Settings, *, out: Path | None = None,
                    resume: bool = False, progress: Callable[[int], None] | None = None,
                    sources: Sequence[str] = ()) -> Resilience:
    """:func:`resilience` of loaded scenarios on settings already folded (from the first design's ``run:``).

    ``orgsim resilience`` folds them, counts its progress by them (:func:`study_size`) and calls this.
    """
    _check_options(options)
    if not scenarios:
        raise OrgsimError("resilience needs at least one design")
    sources = list(sources) if len(sources) == len(scenarios) else [""] * len(scenarios)
    for s, src in zip(scenarios, sources, strict=True):
        check_names(s, options, src or repr(s.name))
    n, s0 = settings.replications, settings.seed
    check_arguments(scenarios[0], n, s0, settings.workers)
    wins = windows(options)
    ds = [Design(i, s, first_stresses(s, options), people=skill_people(s)) for i, s in enumerate(scenarios)]
    longest = max(wins[w].days + wins[w].after for d in ds for w in _windows_of(d) if w != "whole")
    starts = start_days(scenarios[0], options, longest, n, s0)
    manifest = {"format": 1, "kind": "resilience", "replications": n, "seed": s0, "options": options.plain(),
                "designs": [{"source": src, "name": s.name, "data": _fingerprint(s)}
                            for s, src in zip(scenarios, sources, strict=True)]}
    seeds = replication_seeds(s0, n)
    runner = _Runner(ds, options, seeds, starts, wins, out, {}, settings, progress)
    _check_budget(ds, options, runner, n)  # before the folder is touched
    with open_parts(out, manifest, resume, "resilience study", "designs, their files, options, replications or "
                    "seed differ") as done:
        runner.done = done
        runner.run([(d, None, w) for d in ds for w in _windows_of(d)] + [(d, st, st.window) for d in ds
                                                                          for st in d.stresses])
        for d in ds:
            _judge(d, options)
        for k in range(2, max(options.bus_max, 2) + 1):
            wanted: list[tuple[Design, Stress | None, str]] = []
            skipped = 0
            for d in ds:
                new = [f for f in [_least_missed(d)] if f is not None] if k == 2 and options.freeze is None else []
                if k <= options.bus_max:
                    new += _next_groups(d, k, options)
                skipped += _upper(d, k, options) - len(new)
                d.stresses += new
                wanted += [(d, st, st.window) for st in new]
            runner.run(wanted, skipped * n)
            for d in ds:
                _judge(d, options)
    result = Resilience(ds, design_ids([s.name for s in scenarios]), options, n, s0, starts, sources)
    if out is not None:
        from orgsim.resilience.tables import write_resilience

        write_resilience(result, out)
    return result
