"""The page's charts drawn as SVG text, on the local cores: the same bytes whatever the number of processes.

Drawing is most of the time a report takes once its study has run (README command 1: 15 charts, about 3
CPU-seconds of matplotlib, none of it shared between charts), and it runs after the replications, when the
cores are idle again. So the charts are handed to a pool of forked processes, each draws whole charts and
sends back the SVG text, and the page puts them in page order. A forked child inherits the study, the chart
list and matplotlib as they are in this process, so nothing is pickled on the way out and each chart comes
back as the bytes this process would have written (``tests/test_report.py`` compares both).

Where processes cannot be forked (Windows, macOS's default) the charts are drawn here, one after the other:
starting fresh interpreters would cost more than the drawing saves.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from markupsafe import Markup
    from matplotlib.figure import Figure

__all__ = ["draw_svgs"]

#: (chart id, draw) of the page being written: set before the pool forks, so every child holds them
_CHARTS: Sequence[tuple[str, Callable[[], Figure]]] = ()


def draw_svgs(charts: Sequence[tuple[str, Callable[[], Figure]]], workers: int | None = 1,
              progress: Callable[[int], None] | None = None) -> list[Markup]:
    """Each chart ``(id, draw)`` as inline SVG (:func:`orgsim.report.html.svg`), in the order given.

    ``workers``: processes drawing at once (``None``: every core; 1 draws here). ``progress(done)``
    is called here after each chart (the count drawn so far), in the order they finish.
    """
    from orgsim.experiment.parallel import processes

    n = min(processes(workers), len(charts))
    if n <= 1 or "fork" not in mp.get_all_start_methods():
        out = []
        for done, chart in enumerate(charts, start=1):
            out.append(_svg(chart))
            if progress is not None:
                progress(done)
        return out
    return _on_pool(charts, n, progress)


def _svg(chart: tuple[str, Callable[[], Figure]]) -> Markup:
    from orgsim.report.html import svg

    cid, draw = chart
    return svg(draw(), cid)


def _draw_one(i: int) -> Markup:
    """In a forked child: chart ``i`` of the page its parent is writing."""
    return _svg(_CHARTS[i])


def _on_pool(charts: Sequence[tuple[str, Callable[[], Figure]]], n: int,
             progress: Callable[[int], None] | None) -> list[Markup]:
    """The charts drawn by ``n`` forked processes (the study's pool: fork where it exists, checked by the caller)."""
    global _CHARTS
    from orgsim.experiment.parallel import process_pool

    out: list[Markup | None] = [None] * len(charts)
    # The first chart is drawn here before the fork: matplotlib's first-use work (fonts found and loaded, the
    # SVG writer's caches) is then done once and inherited, not repeated in every child.
    out[0] = _svg(charts[0])
    if progress is not None:
        progress(1)
    _CHARTS = charts
    # Everything this process holds (the study, matplotlib) is put out of the collector's reach while the
    # children run: their collections would otherwise walk it, writing to every object's header and so copying
    # every page of it. README command 1: the children's page faults 42,000 -> 23,000, their CPU 2.1 -> 1.8 s.
    gc.freeze()
    try:
        with process_pool(min(n, len(charts) - 1)) as pool:
            futures = {pool.submit(_draw_one, i): i for i in range(1, len(charts))}
            for done, fut in enumerate(as_completed(futures), start=2):
                out[futures.pop(fut)] = fut.result()
                if progress is not None:
                    progress(done)
    finally:
        gc.unfreeze()  # back in the oldest generation: collected as before from here on
        _CHARTS = ()
    return cast("list[Markup]", out)  # every chart drawn: a chart that failed raised above
