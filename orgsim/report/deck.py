"""A slide deck of a study for a board (python-pptx): 16:9, each slide's title its message, every text measured.

Slides: the question; the recommendation with its margin; the scorecard (a native table, every figure with
its 95% interval and its ▲/▼/≈ against the baseline); the trade-off (the report's chart, with intervals and
axes that span the designs that keep up); what each design changes; where the difference comes from (with
``--attribute``); what could make this wrong; the assumptions; then an appendix (every finding, the
secondary measures, how to reproduce). A slide is never filled with a guess: without attributions there
is no attribution slide.

Every text frame is sized with :mod:`orgsim.report.fit` — shrunk to fit, down to a floor, and what still
does not fit goes on a continuation slide — so no line runs off its frame; the tests read the deck back
and measure again. Words and numbers are the report's (:mod:`orgsim.report.page`): a figure reads the same
on the page and on a slide. Text from a scenario is written as text (python-pptx escapes it in the XML).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orgsim.arguments import a_path, a_string, a_study, checks, flag
from orgsim.errors import OrgsimError
from orgsim.experiment.attribution import Attribution, lever_phrase, levers
from orgsim.experiment.study import Study
from orgsim.report import fit
from orgsim.report.decision import decide, split_sentence
from orgsim.report.inputs import key_inputs
from orgsim.report.page import decision_context, measured_days, scorecard_rows, secondary_rows, unstable_line
from orgsim.report.style import short_names, tags
from orgsim.report.verdicts import _leader, findings, scorecard
from orgsim.report.wording import LIMITS

__all__ = ["FONT", "HEIGHT", "WIDTH", "write_deck"]

#: 16:9 at PowerPoint's default widescreen size, inches
WIDTH, HEIGHT = 13.333, 7.5
#: the font every run names; measured as DejaVu Sans, which is wider (:mod:`orgsim.report.fit`)
FONT = "Arial"
MARGIN = 0.5
#: a text frame's inner margins (inches), set on every frame so measuring and drawing agree
INSET_X, INSET_Y = 0.08, 0.05
TITLE_TOP, TITLE_HEIGHT = 0.35, 1.15
BODY_TOP = TITLE_TOP + TITLE_HEIGHT + 0.15
BODY_HEIGHT = HEIGHT - BODY_TOP - 0.45
#: body text sizes: start here, shrink to the floor, then continue on another slide
BODY_SIZE, BODY_FLOOR = 18, 13
TITLE_SIZE, TITLE_FLOOR = 28, 20
SPACE_AFTER = 6  # points after each paragraph


def _require() -> Any:
    try:
        import pptx
    except ImportError:
        raise OrgsimError("--pptx needs python-pptx: pip install 'orgsim[present]'") from None
    return pptx


@dataclass
class _Deck:
    prs: Any

    def slide(self) -> Any:
        return self.prs.slides.add_slide(self.prs.slide_layouts[6])  # blank: every frame is placed and measured here


def _frame(slide: Any, left: float, top: float, width: float, height: float) -> Any:
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    tf = box.text_frame
    tf.word_wrap = True
    tf.margin_left = tf.margin_right = Inches(INSET_X)
    tf.margin_top = tf.margin_bottom = Inches(INSET_Y)
    return tf


def _write(tf: Any, paragraphs: Sequence[str], size: float, bold: bool = False, colour: str | None = None) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    for k, text in enumerate(paragraphs):
        para = tf.paragraphs[0] if k == 0 else tf.add_paragraph()
        para.space_after = Pt(SPACE_AFTER)
        run = para.add_run()
        run.text = text
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = FONT
        if colour:
            run.font.color.rgb = RGBColor.from_string(colour)


def _title(slide: Any, text: str) -> None:
    """The slide's message as its title, shrunk until it fits two lines of the title frame."""
    width, height = WIDTH - 2 * MARGIN - 2 * INSET_X, TITLE_HEIGHT - 2 * INSET_Y
    size = fit.fit_size(text, width, height, TITLE_SIZE, TITLE_FLOOR, bold=True, space_after=SPACE_AFTER)
    if size is None:
        raise OrgsimError(f"a slide title is too long for its frame: {text!r}")  # titles are written short below
    _write(_frame(slide, MARGIN, TITLE_TOP, WIDTH - 2 * MARGIN, TITLE_HEIGHT), [text], size, bold=True,
           colour="1D2330")


def _pages(paragraphs: list[str], width: float, height: float) -> list[tuple[list[str], float]]:
    """Split paragraphs over as few frames as they need: each page's paragraphs and the size they fit at."""
    inner_w, inner_h = width - 2 * INSET_X, height - 2 * INSET_Y
    out: list[tuple[list[str], float]] = []
    rest = list(paragraphs)
    while rest:
        size = fit.fit_size("\n".join(rest), inner_w, inner_h, BODY_SIZE, BODY_FLOOR, space_after=SPACE_AFTER)
        if size is not None:
            out.append((rest, size))
            break
        k = len(rest)  # the most paragraphs that fit at the floor size
        while k > 1 and not fit.fits("\n".join(rest[:k]), BODY_FLOOR, inner_w, inner_h, space_after=SPACE_AFTER):
            k -= 1
        out.append((rest[:k], BODY_FLOOR))
        rest = rest[k:]
    return out


def _text_slides(deck: _Deck, title: str, paragraphs: list[str]) -> None:
    """A titled slide of paragraphs; what does not fit at the floor size goes on "(continued)" slides."""
    for n, (page, size) in enumerate(_pages(paragraphs or ["—"], WIDTH - 2 * MARGIN, BODY_HEIGHT)):
        slide = deck.slide()
        _title(slide, title if n == 0 else f"{title} (continued)")
        _write(_frame(slide, MARGIN, BODY_TOP, WIDTH - 2 * MARGIN, BODY_HEIGHT), page, size)


# --- the slides -----------------------------------------------------------------------------------------------


def _q(name: str) -> str:
    return f"“{name}”"


def _title_slide(deck: _Deck, study: Study, title: str) -> None:
    slide = deck.slide()
    width = WIDTH - 2 * MARGIN
    size = fit.fit_size(title, width - 2 * INSET_X, 2.2 - 2 * INSET_Y, 40, 24, bold=True) or 24
    _write(_frame(slide, MARGIN, 1.8, width, 2.2), [title], size, bold=True, colour="1D2330")
    short = short_names(study.designs)
    lines = [f"{len(study.designs)} designs on the same simulated demand: {', '.join(_q(s) for s in short)}.",
             f"{study.replications} replications of {measured_days(study)}; seed {study.seed}. "
             f"Baseline: {_q(short[0])}."]
    inner = width - 2 * INSET_X
    size = fit.fit_size("\n".join(lines), inner, 2.0 - 2 * INSET_Y, 20, 12, space_after=SPACE_AFTER) or 12
    _write(_frame(slide, MARGIN, 4.2, width, 2.0), lines, size, colour="5B6472")


def _recommendation(deck: _Deck, study: Study, ctx: dict[str, Any], unstable: str) -> None:
    tag = tags(study.designs)
    if ctx["keep"]:
        title = f"Keep {_q(tag[0])}: no design is clearly better on more measures than it is worse"
    else:
        up, down = ctx["score"]
        who = " or ".join(_q(tag[j]) for j in ctx["tied"]) if len(ctx["tied"]) > 1 else _q(ctx["choice_tag"])
        title = f"Move to {who}: clearly better on {up} of {ctx['measures']} primary measures, " \
                f"worse on {down or 'none'}"
    lines = [ctx["lead"]]
    if ctx["between"]:
        lines.append(ctx["between"])
    if ctx["margin"]:
        lines.append(ctx["margin"])
    if ctx["gains_text"]:
        lines.append("▲ " + ctx["gains_text"])
    lines.append("▼ " + (ctx["losses_text"] or "Nothing clearly worse among the primary measures."))
    if unstable:
        lines.append(unstable)
    _text_slides(deck, title, lines)
    if ctx["others_worse"]:
        skip = set(ctx["tied"]) | {ctx["choice_index"]}
        costs = [(o["name"], o["down"]) for j, o in enumerate(ctx["others"], start=1)
                 if j not in skip and o["down"] and not o["unstable"]]
        if len(costs) == 1:
            name, down = costs[0]
            title = f"{_q(name)} would be clearly worse than {_q(tag[0])} on {down} primary measures"
        else:
            title = f"The other designs would be clearly worse than {_q(tag[0])}: " + "; ".join(
                f"{_q(name)} on {down} measures" for name, down in costs)
        _text_slides(deck, title, [f"▼ {o}" for o in ctx["others_worse"]] + [
            "The rule: each design scores its clear improvements minus its clear deteriorations over the primary "
            "measures (paired 95% intervals); no measure is weighed above another."])


#: ▲ green, ▼ red, ≈ grey: the report's colours
_MARK_COLOURS = {"▲": "0B7A4B", "▼": "B3261E", "≈": "6B7280"}


def _scorecard(deck: _Deck, study: Study, ctx: dict[str, Any], currency: str | None) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    card = scorecard(study)
    rows = scorecard_rows(study, card, currency)
    tag = tags(study.designs)
    base = short_names(study.designs)[0]
    if ctx["keep"]:
        title = f"Against {_q(base)}: no design is clearly better on more primary measures than it is worse"
    else:
        up, down = ctx["score"]
        title = f"{_q(ctx['choice_tag'])} is clearly better than {_q(tags(study.designs)[0])} on {up} of " \
                f"{ctx['measures']} primary measures and clearly worse on {down or 'none'}"
    slide = deck.slide()
    _title(slide, title)
    first, other = 3.3, (WIDTH - 2 * MARGIN - 3.3) / len(study.designs)
    size = _table_size(rows, tag, first, other, BODY_HEIGHT - 0.45)
    shape = slide.shapes.add_table(len(rows) + 1, len(study.designs) + 1, Inches(MARGIN), Inches(BODY_TOP),
                                   Inches(WIDTH - 2 * MARGIN), Inches(0.3 * (len(rows) + 1)))
    table = shape.table
    table.columns[0].width = Inches(first)
    for j in range(len(study.designs)):
        table.columns[j + 1].width = Inches(other)
    texts = _table_texts(rows, tag)
    for r, row in enumerate(texts):
        table.rows[r].height = Inches(_row_height(row, size, first, other))
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            cell.margin_left = cell.margin_right = Inches(INSET_X)
            cell.margin_top = cell.margin_bottom = Inches(INSET_Y / 2)
            tf = cell.text_frame
            tf.word_wrap = True
            for k, line in enumerate(text.split("\n")):
                para = tf.paragraphs[0] if k == 0 else tf.add_paragraph()
                mark = line[-1] if k == 0 and line[-1:] in _MARK_COLOURS else ""
                for part in ([line[:-1], mark] if mark else [line]):
                    run = para.add_run()
                    run.text = part
                    run.font.size = Pt(size if k == 0 else size - 2)
                    run.font.name = FONT
                    run.font.bold = r == 0 or (c > 0 and r > 0 and rows[r - 1]["cells"][c - 1]["best"] and k == 0)
                    if part == mark:
                        run.font.color.rgb = RGBColor.from_string(_MARK_COLOURS[mark])
    note = ("▲ clearly better, ▼ clearly worse than the baseline (the paired 95% interval of the difference "
            "excludes zero), ≈ no clear difference; bold: clearly better than every other design. Under each "
            "figure its 95% interval.")
    longer = [f"{t} = {n}" for t, n in zip(tag, short_names(study.designs), strict=True) if t != n]
    text = note + (" " + "; ".join(longer) + "." if longer else "")
    top = BODY_TOP + sum(_row_height(row, size, first, other) for row in texts) + 0.1
    height = HEIGHT - top - 0.2
    nsize = fit.fit_size(text, WIDTH - 2 * MARGIN - 2 * INSET_X, height - 2 * INSET_Y, 12, 9) or 9
    _write(_frame(slide, MARGIN, top, WIDTH - 2 * MARGIN, height), [text], nsize, colour="5B6472")


def _table_texts(rows: list[dict[str, Any]], tag: list[str]) -> list[list[str]]:
    head = ["primary measure", *tag]
    body = [[row["label"], *(f"{c['value']} {c['mark']}".strip() + (f"\n{c['ci']}" if c["ci"] else "")
                             for c in row["cells"])] for row in rows]
    return [head, *body]


def _row_height(row: list[str], size: float, first: float, other: float) -> float:
    """A table row's height in inches: its tallest cell, wrapped to the column (a second line 2 pt smaller)."""
    tallest = 0.0
    for c, text in enumerate(row):
        width = (first if c == 0 else other) - 2 * INSET_X
        lines = text.split("\n")
        h = fit.text_height(lines[0], size, width, bold=True) + sum(fit.text_height(x, size - 2, width) for x in lines[1:])
        tallest = max(tallest, h)
    return tallest + INSET_Y + 0.02


def _table_size(rows: list[dict[str, Any]], tag: list[str], first: float, other: float, height: float) -> float:
    """The largest font (14 pt down to 9) at which the whole table fits ``height`` inches."""
    texts = _table_texts(rows, tag)
    for size in range(14, 8, -1):
        if sum(_row_height(r, size, first, other) for r in texts) <= height:
            return float(size)
    return 9.0


def _tradeoff(deck: _Deck, study: Study) -> None:
    import matplotlib.pyplot as plt
    from pptx.util import Inches

    from orgsim.report import plots
    from orgsim.report.plots_tradeoff import tradeoff_y

    names = [_q(n) for n in tags(study.designs)]
    fast, fast_clear = _leader(study, "silo_latency_rmst", -1)
    wide, wide_clear = _leader(study, tradeoff_y(study), +1)
    what = "gets insights furthest" if tradeoff_y(study) == "insight_reach_share" else "answers customers best"

    def but(ranked: list[int], clear: bool) -> str:  # the runner-up, when the leader is not clearly ahead of it
        return "" if clear or len(ranked) < 2 else f" (not clearly ahead of {names[ranked[1]]})"

    if fast and wide and fast[0] == wide[0]:
        title = f"{names[fast[0]]} answers fastest{but(fast, fast_clear)} and {what}{but(wide, wide_clear)}"
    elif fast and wide:
        title = f"{names[fast[0]]} answers fastest{but(fast, fast_clear)}; {names[wide[0]]} {what}{but(wide, wide_clear)}"
    else:
        title = "How fast each design answers, against how far its insights reach"
    slide = deck.slide()
    _title(slide, title)
    fig = plots.tradeoff(study)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=200)
    plt.close(fig)
    buf.seek(0)
    height = BODY_HEIGHT - 0.1
    pic = slide.shapes.add_picture(buf, Inches(MARGIN), Inches(BODY_TOP), height=Inches(height))
    left = MARGIN + pic.width / 914400 + 0.3
    text = ("Bars: 95% intervals across replications. The axes span the designs that keep up with their work; "
            "a design that does not is marked at the edge, off the scale, with its value. Left is faster; up is "
            "better.")
    width = WIDTH - left - MARGIN
    size = fit.fit_size(text, width - 2 * INSET_X, height - 2 * INSET_Y, 16, 11) or 11
    _write(_frame(slide, left, BODY_TOP, width, height), [text], size, colour="5B6472")


def _changes(deck: _Deck, study: Study) -> None:
    base = study.scenarios[0]
    short = short_names(study.designs)
    lines = [f"{_q(short[0])} (the baseline): {base.description.strip() or base.structure.kind}"]
    changed_team = []
    for name, s in zip(short[1:], study.scenarios[1:], strict=True):
        found = levers(base, s)
        if any(lv[0] == "team" for lv in found):
            changed_team.append(_q(name))
        what = "; ".join(lever_phrase(lv[0], s) for lv in found) or "nothing but its name"
        lines.append(f"{_q(name)}: {what}. {s.description.strip()}".strip())
    people = len(base.team.people)
    title = f"Every design has the same demand and the same {people} people; what changes is how they are organised"
    if changed_team:
        title = f"Every design faces the same demand; {', '.join(changed_team)} also changes the team"
    _text_slides(deck, title, lines)


def _attribution(deck: _Deck, study: Study, attributions: Sequence[Attribution]) -> None:
    by_name = dict(zip(study.designs, study.scenarios, strict=True))
    short = dict(zip(study.designs, short_names(study.designs), strict=True))
    lines = [f"{_q(short[a.design])}: {sentence}" for a in attributions
             if a.levers and (sentence := split_sentence(a, by_name[a.design]))]
    if not lines:
        return
    _text_slides(deck, "Where each design's difference in the average wait comes from, lever by lever", lines + [
        "Each lever's share is its Shapley value over every combination of the levers, run on the same demand; "
        "the shares add up to the total."])


def _risks(deck: _Deck, study: Study, ctx: dict[str, Any]) -> None:
    lines = []
    if ctx["losses_text"]:
        lines.append(f"The choice is clearly worse on some measures. {ctx['losses_text']}")
    unclear = [f.text for f in ctx["unclear"]]
    lines += [f"Not clear either way: {t}" for t in unclear[:3]]
    if study.replications < 5:
        lines.append(f"Only {study.replications} replications per design: intervals are wide.")
    lines += [f"Model limit: {limit}" for limit in LIMITS]
    title = f"What could change the call: {len(lines)} things the numbers do not settle"
    _text_slides(deck, title, lines)


def _assumptions(deck: _Deck, study: Study) -> None:
    inputs = [key_inputs(s) for s in study.scenarios]
    shared = [kv for kv in inputs[0] if all(kv in other for other in inputs[1:])]
    demand = [f"{k}: {v}" for k, v in shared if k.startswith(("requests: ", "inbound", "insights a week"))]
    other = [f"{k}: {v}" for k, v in shared if not k.startswith(("requests: ", "inbound", "insights a week"))]
    base = study.scenarios[0]
    weekly = sum(7 * r.daily for d in base.demand.departments.values() for r in d.requests.values())
    daily = sum(m.daily for m in base.demand.messages.values())
    title = (f"Every design faces the same demand: about {weekly:,.0f} requests a week from "
             f"{len(base.demand.departments)} departments and {daily:,.0f} customer messages a day")
    _text_slides(deck, title, demand + other)


def _differences(deck: _Deck, study: Study, command: str) -> None:
    inputs = [key_inputs(s) for s in study.scenarios]
    shared = [kv for kv in inputs[0] if all(kv in other for other in inputs[1:])]
    short = short_names(study.designs)
    lines = []
    for name, mine in zip(short, inputs, strict=True):
        differs = [f"{k}: {v}" for k, v in mine if (k, v) not in shared]
        lines.append(f"{_q(name)} — " + ("; ".join(differs) if differs else "as shared"))
    lines.append(f"Reproduce: {command}" if command else f"Seed {study.seed}, {study.replications} replications.")
    _text_slides(deck, "Appendix: where each design differs from the shared inputs", lines)


def _appendix(deck: _Deck, study: Study) -> None:
    short = dict(zip(study.designs, short_names(study.designs), strict=True))
    lines = [("▲ " if f.tone == "better" else "▼ " if f.tone == "worse" else "≈ " if f.tone == "unclear" else "")
             + (f"{_q(short[f.design])}: " if f.design and not f.text.startswith("“") else "") + f.text
             for f in findings(study)]
    _text_slides(deck, "Appendix: every finding, design by design", lines)
    rows = secondary_rows(study)
    tag = tags(study.designs)
    sec = [f"{row['label']}: " + "; ".join(f"{t} {c['value']}" + (f" ({c['verdict']})" if c["verdict"] else "")
                                            for t, c in zip(tag, row["cells"], strict=True)) for row in rows]
    _text_slides(deck, "Appendix: how each design gets there (secondary measures, Holm-corrected)", sec)


@checks(study=a_study, path=a_path, title=a_string, command=a_string, force=flag)
def write_deck(study: Study, path: Path, title: str, command: str = "",
               attributions: Sequence[Attribution] = (), force: bool = True) -> Path:
    """Write the deck of ``study`` (first design = baseline) to ``path`` (whole, by :func:`orgsim.writes.writing`).

    ``attributions``: each lever's share of a design's difference (``--attribute``), for the slide on where the
    difference comes from; ``force=False`` keeps a file already at ``path``.
    """
    _require()
    from pptx import Presentation
    from pptx.util import Inches

    from orgsim.report.html import _currency

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(WIDTH), Inches(HEIGHT)
    deck = _Deck(prs)
    card = scorecard(study)
    ctx = decision_context(study, card, attributions)
    decision = decide(study, card)
    ctx["unclear"], ctx["tied"] = decision.unclear, decision.tied
    ctx["choice_tag"] = tags(study.designs)[decision.choice]
    ctx["choice_index"] = decision.choice
    _title_slide(deck, study, title)
    _recommendation(deck, study, ctx, unstable_line(study))
    _scorecard(deck, study, ctx, _currency(study))
    _tradeoff(deck, study)
    _changes(deck, study)
    _attribution(deck, study, attributions)
    _risks(deck, study, ctx)
    _assumptions(deck, study)
    _appendix(deck, study)
    _differences(deck, study, command)
    from orgsim.writes import write_with

    return write_with(path, lambda tmp: prs.save(str(tmp)), force, "--pptx")
