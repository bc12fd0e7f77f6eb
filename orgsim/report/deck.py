"""A short slide deck of a study for a board: native, editable PowerPoint tables and charts (python-pptx).

Slides: title, recommendation, scorecard (a table), trade-off (a bubble chart: silo latency against insight
reach, bubble size = head count), risks, assumptions. An attribution slide (which lever makes the difference)
is left out until the study provides the attribution: a slide is never filled with a guess.

Every number comes from the same study and the same formatting as the HTML report; text from a scenario is
written as text (python-pptx escapes it in the XML), so a ``<script>`` in a name stays those characters.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from orgsim.arguments import a_path, a_string, a_study, checks, flag
from orgsim.errors import OrgsimError
from orgsim.experiment.study import Study
from orgsim.metrics import mean_ci
from orgsim.report.decision import decide
from orgsim.report.style import colours, short_names, tags
from orgsim.report.verdicts import findings, scorecard

__all__ = ["SLIDES", "tradeoff_points", "write_deck"]

#: the slide titles, in order (tests read the deck back against these)
SLIDES = ("title", "Recommendation", "Scorecard", "The trade-off", "Risks", "Assumptions")


def tradeoff_points(study: Study) -> list[tuple[str, float, float, float]]:
    """(design, silo latency h (restricted mean, open requests counted), insight reach % (or messages answered within 24 h %), head count) per design."""
    has_reach = any(math.isfinite(v) for d in study.designs for v in study.values("insight reach within horizon", d))
    y_label = "insight reach within horizon" if has_reach else "messages answered within 24 h"
    out = []
    for d in study.designs:
        x = float(mean_ci(list(study.values("silo_latency_rmst", d)))[0])
        y = float(mean_ci(list(study.values(y_label, d)))[0])
        head = float(mean_ci(list(study.values("head count", d)))[0])
        out.append((d, x, 100 * y, head))
    return out


def _require() -> Any:
    try:
        import pptx
    except ImportError:
        raise OrgsimError("--pptx needs python-pptx: pip install 'orgsim[present]'") from None
    return pptx


def _bullets(frame: Any, lines: list[str], size: int = 16) -> None:
    from pptx.util import Pt

    frame.word_wrap = True
    for k, line in enumerate(lines):
        para = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
        para.text = line
        para.font.size = Pt(size)


def _text_slide(prs: Any, title: str, lines: list[str], size: int = 16) -> Any:
    slide = prs.slides.add_slide(prs.slide_layouts[1])  # title and content
    slide.shapes.title.text = title
    _bullets(slide.placeholders[1].text_frame, lines or ["—"], size)
    return slide


@checks(study=a_study, path=a_path, title=a_string, command=a_string, force=flag)
def write_deck(study: Study, path: Path, title: str, command: str = "", force: bool = True) -> Path:
    """Write the deck of ``study`` (first design = baseline) to ``path`` (whole, by :func:`orgsim.writes.writing`).

    ``force=False`` keeps a file already at ``path``.
    """
    _require()
    from pptx import Presentation
    from pptx.chart.data import BubbleChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.oxml.ns import qn
    from pptx.util import Emu, Inches, Pt

    from orgsim.report.html import _currency, _scorecard_rows

    short, tag = short_names(study.designs), tags(study.designs)
    card = scorecard(study)
    decision = decide(study, card)
    prs = Presentation()  # the default 10 x 7.5 in template: its placeholders fit it

    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.text = title
    slide.placeholders[1].text = (f"{len(study.designs)} designs on the same simulated demand: {study.replications} "
                                  f"replications each, seed {study.seed}. Baseline: “{short[0]}”.")

    lines = [decision.lead] + [f"▲ {f.text}" for f in decision.good] + [f"▼ {f.text}" for f in decision.bad]
    lines += [f"▼ {o}" for o in decision.others_worse]
    lines.append("Rule: clear improvements minus clear deteriorations over the scorecard (paired 95% intervals); "
                 "no measure weighed above another.")
    _text_slide(prs, SLIDES[1], lines, 15)

    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    slide.shapes.title.text = SLIDES[2]
    rows = _scorecard_rows(card, _currency(study))
    shape = slide.shapes.add_table(len(rows) + 1, len(study.designs) + 1, Inches(0.3), Inches(1.4), Inches(9.4),
                                   Inches(0.3) * (len(rows) + 1))
    table = shape.table
    table.columns[0].width = Inches(2.4)
    for j in range(len(study.designs)):
        table.columns[j + 1].width = Emu(int(Inches(7.0) / len(study.designs)))
    table.cell(0, 0).text = "measure"
    for j, t in enumerate(tag):
        table.cell(0, j + 1).text = t
    for i, row in enumerate(rows, start=1):
        table.cell(i, 0).text = row["label"]
        for j, cell in enumerate(row["cells"], start=1):
            table.cell(i, j).text = cell["value"] + (f" {cell['mark']}" if cell["mark"] else "")
    for r in range(len(rows) + 1):
        for c in range(len(study.designs) + 1):
            for para in table.cell(r, c).text_frame.paragraphs:
                para.font.size = Pt(10)
    longer = [f"{t} = {n}" for t, n in zip(tag, short, strict=True) if t != n]
    if longer:  # a shortened design name, given in full under the table
        note = slide.shapes.add_textbox(Inches(0.3), Inches(6.7), Inches(9.4),
                                        Inches(0.5)).text_frame
        _bullets(note, ["; ".join(longer) + ". ▲ better, ▼ worse, ≈ no clear difference vs the baseline."], 10)

    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = SLIDES[3]
    data = BubbleChartData()
    points = tradeoff_points(study)
    for (_design, x, y, head), t in zip(points, tag, strict=True):
        if math.isfinite(x) and math.isfinite(y):
            data.add_series(t).add_data_point(round(x, 2), round(y, 2), head)
    chart = slide.shapes.add_chart(XL_CHART_TYPE.BUBBLE, Inches(0.3), Inches(1.4), Inches(9.4), Inches(5.8),
                                   data).chart
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.RIGHT
    chart.legend.include_in_layout = False
    col = colours(study.designs)
    drawn = [d for d, x, y, _ in points if math.isfinite(x) and math.isfinite(y)]
    for series, design in zip(chart.plots[0].series, drawn, strict=True):
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = RGBColor.from_string(col[design].lstrip("#"))
        # see-through, so a bubble behind another still shows (python-pptx has no API for alpha)
        srgb = series.format.fill._xPr.find(qn("a:solidFill")).find(qn("a:srgbClr"))
        srgb.append(srgb.makeelement(qn("a:alpha"), {"val": "60000"}))
    chart.plots[0].bubble_scale = 60
    chart.value_axis.has_title = chart.category_axis.has_title = True
    chart.category_axis.axis_title.text_frame.text = "silo latency, mean (hours) — left is better"
    has_reach = any(math.isfinite(v) for d in study.designs for v in study.values("insight reach within horizon", d))
    chart.value_axis.axis_title.text_frame.text = ("insight reach within horizon (%)" if has_reach else
                                                   "messages answered within 24 h (%)") + " — up is better"

    worse = [f"▼ {f.text}" for f in findings(study) if f.tone == "worse"]
    risks = worse[:8] + ([f"… and {len(worse) - 8} more in the report's appendix"] if len(worse) > 8 else [])
    if study.replications < 5:
        risks.append(f"Only {study.replications} replications per design: intervals are wide.")
    risks.append("Not modelled: daylight-saving changes within a run, people doing two tasks at once, handoffs "
                 "waiting for the receiver's hours (see the README's limits).")
    _text_slide(prs, SLIDES[4], risks, 13)

    from orgsim.report.inputs import key_inputs

    inputs = key_inputs(study.scenarios[0])
    lines = [f"{k}: {v}" for k, v in inputs if not k.startswith("requests: ")][:9]
    lines.append(f"Reproduce: {command}" if command else f"seed {study.seed}, {study.replications} replications")
    _text_slide(prs, SLIDES[5], lines, 12)
    from orgsim.writes import write_with

    return write_with(path, lambda tmp: prs.save(str(tmp)), force, "--pptx")
