"""Report layer: charts of a study and the one-page HTML report a CMO reads.

``write_report(scenarios, path, replications)`` runs the designs on common
random numbers and writes the page; :mod:`orgsim.report.plots` draws each
chart on its own for notebooks. Matplotlib is imported only when a chart or
a report is made, so the CLI starts quickly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orgsim.experiment.study import Study
    from orgsim.scenario.model import Scenario

__all__ = ["render_report", "write_report", "write_study_report"]


def render_report(study: Study, command: str = "") -> str:
    """The report of a study as one HTML string (see :func:`orgsim.report.html.render_report`)."""
    from orgsim.report.html import render_report as render

    return render(study, command=command)


def write_study_report(study: Study, path: Path, command: str = "") -> Path:
    """Write the HTML report of a study that has already run (e.g. loaded from a ``compare --out`` folder)."""
    path.write_text(render_report(study, command=command), encoding="utf-8")
    return path


def write_report(
    scenarios: Sequence[Scenario],
    path: Path,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = 1,
    sources: Sequence[str] = (),
    progress: Callable[[int], None] | None = None,
    command: str = "",
    **run: Any,
) -> Path:
    """Run every design on the same seeds and write the report to ``path``; the first scenario is the baseline.

    ``run`` passes on to :func:`orgsim.experiment.study.run_study` (e.g. ``scheduler``).
    """
    from orgsim.experiment.study import run_study

    study = run_study(scenarios, replications, seed, progress=progress, workers=workers, sources=sources, **run)
    return write_study_report(study, path, command)
