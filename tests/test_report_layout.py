"""Charts laid out by hand (orgsim.report.layout): every text inside the figure, no two panels overlapping."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from orgsim.experiment.attribution import Attribution
from orgsim.experiment.study import Study, run_study
from orgsim.report import html, plots
from orgsim.report.layout import fit_layout, text_box
from orgsim.report.style import rc
from orgsim.scenario import load_scenario
from orgsim.scenario.overrides import with_run_settings

ROOT = Path(__file__).resolve().parent.parent
#: one pixel at the charts' 100 dpi: a text's box may touch the figure's edge, not cross it
SLACK = 1.0


def _short(name: str) -> Any:
    return with_run_settings(load_scenario(ROOT / "scenarios" / name), horizon_days=10.0, warmup_days=2.0)


@pytest.fixture(scope="module")
def study() -> Study:
    """README command 1's five designs (long names, an unstable one, five legends' entries), briefly."""
    names = ("network", "function", "audience", "embedded", "solo")
    return run_study([_short(f"{n}.yaml") for n in names], replications=2, seed=3, workers=1)


def _problems(fig: Figure) -> list[str]:
    """Texts that leave the figure and panels whose text overlaps another's, as drawn."""
    with rc():
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    page = fig.bbox.padded(SLACK)
    out = []
    # tick labels are checked through their panel's box below, which holds only the ticks drawn (in view)
    ticks = {id(t) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
             for tick in axis.get_major_ticks() + axis.get_minor_ticks() for t in (tick.label1, tick.label2)}
    for t in fig.findobj(Text):
        if id(t) in ticks or not (t.get_visible() and t.get_text().strip()):
            continue
        if t.axes is not None and t.get_clip_on() and t in t.axes.texts:
            continue  # a label inside a chart's data (a bar's value) is the chart's business, clipped to its axes
        box = t.get_window_extent(renderer)
        if not (page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1):
            out.append(f"{t.get_text()!r} leaves the figure: {box.bounds} in {fig.bbox.bounds}")
    panels = [(ax, ax.get_tightbbox(renderer)) for ax in fig.axes if ax.get_visible()]
    for ax, box in panels:
        if box is not None and not (page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1):
            out.append(f"panel {ax.get_title(loc='left') or ax.get_title()!r} (its ticks, labels, title) leaves the "
                       f"figure: {box.bounds} in {fig.bbox.bounds}")
    for i, (a, box_a) in enumerate(panels):
        for b, box_b in panels[i + 1:]:
            if box_a is not None and box_b is not None and Bbox.intersection(box_a.shrunk(1, 1).padded(-SLACK),
                                                                             box_b.padded(-SLACK)) is not None:
                out.append(f"panels {a.get_title(loc='left') or a.get_title()!r} and "
                           f"{b.get_title(loc='left') or b.get_title()!r} overlap")
    plt.close(fig)
    return out


def test_every_chart_of_the_page_keeps_its_text_inside_and_its_panels_apart(study: Study) -> None:
    charts = [c for sec in html.sections(study) for c in sec.charts]
    assert len(charts) >= 14  # README command 1's page: trade-off, waits, reach, load, five organisations
    problems = {c.id: p for c in charts if (p := _problems(c.draw()))}
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_the_notebook_charts_keep_their_text_inside() -> None:
    rows = [{"lever": lever, "metric": "silo_latency_rmst", "label": "x", "difference": d, "ci95": [d - 1, d + 1]}
            for lever, d in (("intake", -9.0), ("grouping", -3.0), ("total", -12.0))]
    sweep = [{"point": p, "policies.approval_steps": p, "metric": m, "label": m.replace("_", " "),
              "unit": "h" if m.startswith("silo") else "share", "mean": v, "ci_low": v - 1, "ci_high": v + 2,
              "replications": 4}
             for p in range(3) for m, v in (("silo_latency_rmst", 10.0 + p), ("insight_reach_share", 0.1 * p))]
    for fig in (plots.attribution_waterfall(Attribution("by audience", ["intake", "grouping"], rows)),
                plots.sweep_chart(pd.DataFrame(sweep))):
        assert not _problems(fig)


def test_a_long_label_gets_the_margin_it_needs() -> None:
    """The check can fail: the same chart with matplotlib's default margins clips the label; laid out, it fits."""
    label = "a design with a very long name indeed"

    def chart() -> Figure:
        with rc():
            fig, ax = plt.subplots(figsize=(5.5, 3))
            ax.barh([0, 1], [3, 4])
            ax.set_yticks([0, 1], ["short", label])
            ax.set_title("A title")
            ax.set_xlabel("hours")
        return fig

    assert any("leaves the figure" in p for p in _problems(chart()))
    fig = chart()
    with rc():
        fit_layout(fig)
    left = fig.subplotpars.left * 5.5
    assert left >= text_box(label, 10)[0]
    assert not _problems(fig)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="only where processes fork")
def test_a_forked_child_measures_text_with_its_own_font() -> None:
    """The page's drawing processes are forked: each must open the font itself, not share the parent's file."""
    import multiprocessing as mp

    from orgsim.report import fit

    fit.text_width("warm the parent's font", 10)
    held = fit._font.cache_info().currsize
    assert held >= 1  # the regular font, and the bold one if an earlier chart's title was measured here
    ctx = mp.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_cached_fonts, args=(writer,))
    child.start()
    child.join(60)
    assert reader.recv() == 0  # nothing inherited: the child opens its own
    assert fit._font.cache_info().currsize == held  # and the parent keeps its own


def _cached_fonts(writer: Any) -> None:
    from orgsim.report import fit

    writer.send(fit._font.cache_info().currsize)
