"""Publishing a study: the HTML report a CMO reads, and with it a slide deck and a printed PDF.

``orgsim report`` is this sequence. Every output is checked before anything
runs (:meth:`Outputs.check`: a run of minutes must not end on a name it may
not write, or on a deck library or a Chromium that is missing); the saved
folders a page adds are read before it too (:func:`read_additions`). After the
run, :func:`publish` draws the page and writes it, then the deck and the PDF
of the same study. Each file is written whole beside its destination and then
renamed into place, never half-written; a file that appeared under the name
during the run is kept unless ``force`` (:mod:`orgsim.writes`).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orgsim.errors import OrgsimError
from orgsim.writes import check_file_target, distinct_targets

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from orgsim.experiment.attribution import Attribution
    from orgsim.experiment.study import Study

__all__ = ["Additions", "Outputs", "publish", "read_additions", "rebuild_command", "saved_study", "undefined_warning"]

@dataclass(frozen=True)
class Outputs:
    """Where a report goes: each file as the user named it, and the file to write (a link's target)."""

    html: Path
    pptx: Path | None = None
    pdf: Path | None = None
    force: bool = False
    #: option (``--output``, ``--pptx``, ``--pdf``) -> the file to write, checked by :func:`check_file_target`
    checked: dict[str, Path] = field(default_factory=dict)

    @classmethod
    def check(cls, html: Path, pptx: Path | None = None, pdf: Path | None = None, force: bool = False) -> Outputs:
        """Check every output before the run, not after it: distinct names, writable, the tools each needs."""
        targets = {"--output": html, "--pptx": pptx, "--pdf": pdf}
        distinct_targets(targets.items())
        checked = {option: check_file_target(t, force, option) for option, t in targets.items() if t is not None}
        if pptx is not None:
            from orgsim.report.deck import _require

            _require()
        if pdf is not None:
            from orgsim.report.pdf import chromium_path

            chromium_path()
        return cls(html, pptx, pdf, force, checked)


@dataclass(frozen=True)
class Additions:
    """What a report adds to the study's page, and the folders it was read from (named in the rebuild command)."""

    explore: dict[str, Any] | None = None
    explore_dir: Path | None = None
    resilience: dict[str, Any] | None = None
    resilience_from: Path | None = None
    recommendation: dict[str, Any] | None = None
    recommend_dir: Path | None = None


def read_additions(explore_dir: Path | None = None, recommend_dir: Path | None = None,
                   resilience_from: Path | None = None, *, run_resilience: bool = False) -> Additions:
    """Read the saved exploration, recommendation and resilience study a report adds (before anything runs).

    ``run_resilience``: the report runs its own resilience study (``--resilience``), so a saved one is refused.
    """
    explored = recommended = resilient = None
    if explore_dir is not None:
        from orgsim.explore.tables import read_exploration

        explored = read_exploration(explore_dir)
    if recommend_dir is not None:
        from orgsim.recommend.answer import read_recommendation

        recommended = read_recommendation(recommend_dir)
    if run_resilience and resilience_from is not None:
        raise OrgsimError("give --resilience (run it) or --resilience-from DIR (a saved one), not both")
    if resilience_from is not None:
        from orgsim.resilience import read_resilience

        resilient = read_resilience(resilience_from)
    return Additions(explored, explore_dir, resilient, resilience_from, recommended, recommend_dir)


def saved_study(folder: Path, *, allow_large: bool = False) -> Study:
    """A study saved by ``orgsim compare --out``, refused unless it holds designs to compare (two or more)."""
    from orgsim.experiment.study import Study

    study = Study.load(folder, allow_large=allow_large)
    if len(study.designs) < 2:
        raise OrgsimError(f"{folder}: the saved study has one design; a report compares designs against the "
                          "first: save at least two with `orgsim compare A.yaml B.yaml --out DIR`")
    return study


def undefined_warning(study: Study) -> str | None:
    """The figures of ``study`` with no value (NaN or null), in a line: said before drawing, so a gap is no surprise."""
    from orgsim.experiment.saved import undefined_figures

    gaps = undefined_figures(study.designs, study.runs)
    if not gaps:
        return None
    return ("undefined figures (NaN or null), left out of their means (a figure with no value left shows as —): "
            + "; ".join(gaps[:5]) + (f"; and {len(gaps) - 5} more" if len(gaps) > 5 else ""))


def rebuild_command(study: Study, output: Path, additions: Additions = Additions(), *, attribute: bool = False,
                    run_resilience: bool = False) -> str:
    """The command that rebuilds the report, written into it (and the deck) so a reader can run it again."""
    from orgsim.output import report_command

    return (report_command(study, output) + (" --attribute" if attribute else "")
            + (f" --explore {additions.explore_dir}" if additions.explore_dir is not None else "")
            + (" --resilience" if run_resilience else "")
            + (f" --resilience-from {additions.resilience_from}" if additions.resilience_from is not None else "")
            + (f" --recommend {additions.recommend_dir}" if additions.recommend_dir is not None else ""))


def publish(study: Study, outputs: Outputs, *, command: str, attributions: Sequence[Attribution] = (),
            additions: Additions = Additions(), workers: int | None = 1,
            charts: Callable[[int], AbstractContextManager[Callable[[int], None] | None]] | None = None,
            said: Callable[[str], Any] = print) -> None:
    """Write the report of ``study`` to ``outputs``: the page, then the deck and the PDF (each when asked).

    ``charts(total)``: a progress bar over the page's charts (``orgsim report`` shows one); ``workers``:
    processes drawing them (the page is the same whatever their number). ``said`` is told each file written,
    with its size, as it is written.
    """
    from orgsim.report import write_study_report
    from orgsim.report.html import chart_count

    bar: AbstractContextManager[Callable[[int], None] | None] = (
        nullcontext(None) if charts is None else charts(chart_count(study, attributions)))
    with bar as tick:
        write_study_report(study, outputs.checked["--output"], command=command, attributions=attributions,
                           explore=additions.explore, resilience=additions.resilience, force=outputs.force,
                           progress=tick, workers=workers, recommendation=additions.recommendation,
                           recommendation_folder=str(additions.recommend_dir or ""))
    said(f"wrote {outputs.html} ({_kilobytes(outputs.html)}): {len(study.designs)} designs, "
         f"{study.replications} replications, seed {study.seed}")
    if outputs.pptx is not None:
        from orgsim.report.deck import write_deck
        from orgsim.report.html import report_title

        write_deck(study, outputs.checked["--pptx"], report_title(study), command=command, attributions=attributions,
                   force=outputs.force)
        said(f"wrote {outputs.pptx} ({_kilobytes(outputs.pptx)})")
    if outputs.pdf is not None:
        from orgsim.report.pdf import print_pdf

        print_pdf(outputs.checked["--output"], outputs.checked["--pdf"], force=outputs.force)
        said(f"wrote {outputs.pdf} ({_kilobytes(outputs.pdf)})")


def _kilobytes(path: Path) -> str:
    return f"{path.stat().st_size / 1e3:,.0f} kB"
