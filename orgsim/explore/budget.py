"""An exploration sized from the work budget when ``--samples`` is not given, and the sentence that says so.

The budget is the one every command has (:data:`orgsim.scenario.limits.MAX_ARRIVALS`
simulated arrivals). An exploration's work is worlds × designs ×
replications × arrivals per run, and the worlds come in steps: ``k + 1`` per
Morris trajectory, ``k + 2`` per Sobol base point (``k`` inputs). Without
``--samples`` the exploration takes as many steps as fit, up to the point
where more add little; without ``--replications`` it runs
:data:`REPLICATIONS` per world. What it chose is said before anything runs.

A world's arrivals depend on where it lies when an input moves a rate or the
horizon (``volumes``, ``run.horizon_days``...), so each design is costed at
the corner of the ranges where every input is at the end that costs more:
the exploration cannot exceed the estimate wherever its sample falls.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orgsim.errors import OrgsimError
from orgsim.explore.inputs import Input, scenarios_at
from orgsim.scenario import limits
from orgsim.scenario.limits import HOW, arrivals_per_replication
from orgsim.scenario.model import Scenario

__all__ = ["MORRIS_MOST", "REPLICATIONS", "SOBOL_MOST", "Size", "size_exploration", "worlds_per_sample"]

#: replications per world when ``--replications`` is not given (a stated assumption). A screen ranks
#: inputs by how much they move the outcome across worlds; at a fixed budget, more worlds sharpen that
#: ranking more than more replications of each (the indices average over worlds, and the designs are
#: paired on the same seeds in every world, which takes most of the noise out of their difference). Two,
#: not one, so that each world's mean is not a single run's luck: the README's advice for a screen.
REPLICATIONS = 2
#: Morris trajectories, at most: the usual screening range is 10-20 (Saltelli et al. 2008, *Global
#: Sensitivity Analysis: The Primer*, ch. 3; Campolongo, Cariboni and Saltelli 2007); beyond 20 the
#: ranking rarely changes, so a budget that holds more is not spent on them.
MORRIS_MOST = 20
#: Morris trajectories, at least: with one, each input has a single elementary effect and no spread.
MORRIS_FEWEST = 2
#: Sobol base points (a power of two), at most: 64 is the README's figure for 3 inputs (320 worlds).
SOBOL_MOST = 64
#: Sobol base points, at least (a stated assumption): below 8 the bootstrap intervals of the indices span
#: most of [0, 1] and rank nothing.
SOBOL_FEWEST = 8


@dataclass(frozen=True)
class Size:
    """How big an exploration is, and whether it was sized from the budget."""

    samples: int
    replications: int
    worlds: int
    #: estimated arrivals of the whole exploration (at the costliest corner of the ranges)
    arrivals: float
    #: what was chosen and why, when a size was not given (empty when both were)
    chosen: str


def worlds_per_sample(k: int, method: str) -> int:
    """Worlds a Morris trajectory (``k + 1``) or a Sobol base point (``k + 2``) adds, for ``k`` inputs."""
    return k + (1 if method == "morris" else 2)


def size_exploration(paths: Sequence[str | Path], bases: Sequence[Scenario], inputs: Sequence[Input], method: str,
                     samples: int | None, replications: int, *, replications_given: bool = True,
                     allow_large: bool = False, budget: float | None = None) -> Size:
    """The samples to run: as given, or the most that fit ``budget`` (see the module's note).

    ``replications`` per world are the exploration's folded settings (:data:`REPLICATIONS` unless given;
    ``replications_given=False`` says so in the sentence). ``budget`` defaults to
    :data:`orgsim.scenario.limits.MAX_ARRIVALS`.

    Raises :class:`~orgsim.errors.OrgsimError` when even the fewest samples do not fit (unless
    ``allow_large``, which lifts the budget for sizes given, and sizes a default as if it held).
    """
    budget = limits.MAX_ARRIVALS if budget is None else budget
    n = replications
    per_world = sum(_costliest(p, b, inputs, allow_large) for p, b in zip(paths, bases, strict=True))
    step = worlds_per_sample(len(inputs), method)
    per_sample = step * n * per_world
    if samples is not None:
        if samples * per_sample > budget and not allow_large:  # refused before a world is drawn or built
            raise OrgsimError(
                f"explore: {samples} samples ({samples * step} worlds × {len(bases)} designs × {n} replications) "
                f"would simulate about {samples * per_sample:,.0f} arrivals, over the budget of {budget:,.0f}; "
                f"give fewer --samples or --replications, or {HOW}")
        return Size(samples, n, samples * step, samples * per_sample,
                    "" if replications_given else f"{n} replications per world (give --replications to choose)")
    fit = math.floor(budget / per_sample) if per_sample > 0 else MORRIS_MOST
    if method == "morris":
        most, fewest, unit = MORRIS_MOST, MORRIS_FEWEST, "Morris trajectories"
        chosen = min(most, fit)
    else:
        most, fewest, unit = SOBOL_MOST, SOBOL_FEWEST, "Sobol base points"
        chosen = 2 ** int(math.log2(min(most, fit))) if fit >= 1 else 0
    if chosen < fewest:
        if not allow_large:
            raise OrgsimError(
                f"explore: even {fewest} {unit} ({fewest * step} worlds × {len(bases)} designs × {n} replications) "
                f"would simulate about {fewest * per_sample:,.0f} arrivals, over the budget of {budget:,.0f}; "
                f"give fewer designs, --vary ranges or --replications, shorter run.horizon_days, or {HOW}")
        chosen = fewest
    runs = chosen * step * len(bases) * n
    capped = " (the most that add to a ranking)" if chosen == most else ""
    sentence = (f"sized to the budget of {_millions(budget)} arrivals: {chosen} {unit}{capped} = {chosen * step} worlds × "
                f"{len(bases)} designs × {n} replications = {runs:,} runs, about {_millions(chosen * per_sample)} arrivals; "
                "give --samples and --replications to choose")
    return Size(chosen, n, chosen * step, chosen * per_sample, sentence)


def _millions(x: float) -> str:
    return f"{x / 1e6:.1f} million" if x >= 1e6 else f"{x:,.0f}"


def _costliest(path: str | Path, base: Scenario, inputs: Sequence[Input], allow_large: bool) -> float:
    """Arrivals of one run of ``base`` at the corner of the ranges where each input is at its costlier end."""
    if not inputs:
        return arrivals_per_replication(base)[0]
    ends = scenarios_at(path, base, inputs, [[i.low for i in inputs], [i.high for i in inputs]],
                        allow_large=allow_large)
    low, high = (arrivals_per_replication(s)[0] for s in ends)
    if low == high:  # no input moves the arrivals (the default inputs): every world costs the same
        return low
    corner = []
    for i in inputs:  # each input alone, at each end, from the rest at their lows
        alone = scenarios_at(path, base, inputs, [[j.low for j in inputs],
                                                  [i.high if j is i else j.low for j in inputs]],
                             allow_large=allow_large)
        at_low, at_high = (arrivals_per_replication(s)[0] for s in alone)
        corner.append(i.high if at_high >= at_low else i.low)
    worst = scenarios_at(path, base, inputs, [corner], allow_large=allow_large)[0]
    return max(low, high, arrivals_per_replication(worst)[0])
