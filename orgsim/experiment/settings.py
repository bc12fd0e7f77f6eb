"""The settings of a run of many replications, folded once where a command or a public function starts.

A run of replications needs a base seed, a number of replications, where to
run them (local processes, or a Dask scheduler) and whether the size limits
are lifted. The scenario's ``run:`` block gives the first two, the command
line or the caller may override any of them: :meth:`Settings.fold` is the one
place where an override is weighed against the file. Everything below the
entry point receives the folded :class:`Settings` and reads it; nothing below
defaults a value again (``tests/test_settings.py`` scans for it), so the
replications a progress bar counts are the replications that run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from orgsim.scenario.limits import check_workers

if TYPE_CHECKING:
    from orgsim.scenario.policies import RunSettings

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    """What every layer of a run reads: folded from a scenario's ``run:`` block and the overrides, once.

    Example::

        settings = Settings.fold(scenario.run, replications=5, workers=None)
        settings.replications  # 5: the override; settings.seed is the file's run.seed
    """

    #: the base seed: replication ``i`` runs on child ``i`` of ``SeedSequence(seed)`` (common random numbers)
    seed: int
    #: replications of every design (or point, or stress)
    replications: int
    #: local processes; ``None`` is every core (:func:`orgsim.experiment.parallel.processes`), 1 runs here
    workers: int | None = 1
    #: a Dask scheduler address or cluster object, which then runs the replications instead of ``workers``
    scheduler: Any = None
    #: lift the size limits (work budget, workers above the cores), as ``orgsim --allow-large``
    allow_large: bool = False

    @classmethod
    def fold(
        cls,
        run: RunSettings,
        *,
        replications: int | None = None,
        seed: int | None = None,
        workers: int | None = 1,
        scheduler: Any = None,
        allow_large: bool = False,
        default_replications: int | None = None,
    ) -> Settings:
        """The settings of a run: each override given, else the value of ``run`` (a scenario's ``run:`` block).

        ``default_replications`` replaces the file's ``run.replications`` as the fallback where a command has
        its own (an exploration runs 2 per world, not the file's 10). More workers than this machine's cores
        are refused here, once, unless ``allow_large``.
        """
        if replications is None:
            replications = run.replications if default_replications is None else default_replications
        check_workers(workers, allow_large=allow_large)
        return cls(seed=run.seed if seed is None else seed, replications=replications, workers=workers,
                   scheduler=scheduler, allow_large=allow_large)

    def with_replications(self, replications: int) -> Settings:
        """The same settings with another count (``--precision`` doubles it; everything else stays)."""
        return replace(self, replications=replications)
