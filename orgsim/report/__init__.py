"""Report layer: charts of a study and the one-page HTML report a CMO reads.

``write_study_report(study, path)`` writes the page of a study that has run
(:func:`orgsim.experiment.study.run_study`, or ``Study.load`` of a ``compare
--out`` folder); :mod:`orgsim.report.plots` draws each chart on its own for
notebooks. Matplotlib is imported only when a chart or
a report is made, so the CLI starts quickly.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from orgsim.arguments import a_callable, a_path, a_string, a_study, checks, flag, optional, workers

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from orgsim.experiment.attribution import Attribution
    from orgsim.experiment.study import Study

__all__ = ["render_report", "write_study_report"]


@checks(study=a_study, command=a_string, progress=optional(a_callable), workers=workers)
def render_report(study: Study, command: str = "", attributions: Sequence[Attribution] = (),
                  explore: dict[str, Any] | None = None, resilience: dict[str, Any] | None = None,
                  progress: Callable[[int], None] | None = None, workers: int | None = 1) -> str:
    """The report of a study as one HTML string (see :func:`orgsim.report.html.render_report`).

    ``workers`` processes draw the charts (``None``: every core); the page is the same whatever their number.
    """
    from orgsim.report.html import render_report as render

    return render(study, command=command, attributions=attributions, explore=explore, resilience=resilience,
                  progress=progress, workers=workers)


@checks(study=a_study, path=a_path, command=a_string, force=flag, progress=optional(a_callable), workers=workers)
def write_study_report(study: Study, path: Path, command: str = "", attributions: Sequence[Attribution] = (),
                       explore: dict[str, Any] | None = None, resilience: dict[str, Any] | None = None,
                       force: bool = True, progress: Callable[[int], None] | None = None,
                       workers: int | None = 1) -> Path:
    """Write the HTML report of a study that has already run (e.g. loaded from a ``compare --out`` folder).

    ``attributions``: each lever's share of a design's difference (``orgsim report --attribute``);
    ``explore``: an exploration's JSON (:func:`orgsim.explore.read_exploration`) for the "holds unless" block;
    ``resilience``: a resilience study's JSON (:func:`orgsim.resilience.resilience_json`) for "what breaks
    without key people"; ``progress``: called with the number of charts drawn (:func:`orgsim.report.html.chart_count`
    in all); ``workers``: processes drawing the charts (``None``: every core; the same page whatever their
    number). The file is written whole (:func:`orgsim.writes.write_text`); ``force=False`` keeps one already at
    ``path``.
    """
    from orgsim.writes import write_text

    html = render_report(study, command=command, attributions=attributions, explore=explore, resilience=resilience,
                         progress=progress, workers=workers)
    return write_text(Path(path), html, force, "--output")
