"""One self-contained HTML page from a study: headline, scorecard, charts as inline SVG, assumptions.

The page loads nothing from anywhere (no scripts, fonts or stylesheets
outside it), so it works offline and survives being emailed. Text from a
scenario goes through Jinja2's autoescaping; chart text through
matplotlib's SVG writer, which escapes it too.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import matplotlib.pyplot as plt
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from matplotlib.figure import Figure

from orgsim.experiment.attribution import Attribution
from orgsim.experiment.study import Study
from orgsim.report import plots
from orgsim.report.decision import decide, split_sentence
from orgsim.report.inputs import key_inputs
from orgsim.report.style import colours, rc, short_names, tags
from orgsim.report.verdicts import LATENCY, Scorecard, findings, scorecard

__all__ = ["render_report", "svg"]


def svg(fig: Figure, prefix: str) -> Markup:
    """A figure as an inline ``<svg>`` element that scales with the page; ids get ``prefix`` so figures never clash."""
    buf = io.StringIO()
    with rc():  # the SVG settings (text as text, stable ids) apply when saving
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, count=1, flags=re.S)
    text = re.sub(r'id="([^"]+)"', rf'id="{prefix}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', text)
    # Scale with the page, but never beyond 1.25x the drawn size: fonts stay the size they were designed at.
    width_pt = float(re.search(r'<svg[^>]*? width="([\d.]+)pt"', text).group(1))  # type: ignore[union-attr]
    text = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"',
                  rf'<svg\1 role="img" style="max-width: {1.25 * width_pt * 4 / 3:.0f}px"', text, count=1)
    return Markup(text)  # noqa: S704 - matplotlib's SVG writer escapes every text it writes


@dataclass
class _Chart:
    """A chart of the page: drawn (``svg``) by :func:`_draw`, after every chart of the page is known."""

    id: str
    draw: Callable[[], Figure] = field(repr=False)
    caption: str
    svg: Markup = Markup("")


@dataclass
class _Section:
    id: str
    title: str
    intro: str = ""
    grid: bool = False
    charts: list[_Chart] = field(default_factory=list)


def _chart(cid: str, draw: Callable[[], Figure], caption: str) -> _Chart:
    return _Chart(cid, draw, caption)


def _draw(sections: Sequence[_Section], progress: Callable[[int, int], None] | None = None,
          workers: int | None = 1) -> None:
    """Draw every chart of ``sections`` once, on ``workers`` processes; ``progress(done, total)`` after each.

    The charts are counted first, so the progress shown while the page is written has its end.
    """
    from orgsim.report.drawing import draw_svgs

    charts = [c for section in sections for c in section.charts]
    for chart, drawn in zip(charts, draw_svgs([(c.id, c.draw) for c in charts], workers, progress), strict=True):
        chart.svg = drawn


def _grows(study: Study) -> bool:
    """Does any design's backlog grow (flagged unstable, or growing in most of its replications)?"""
    if any((study.table.attrs.get("unstable") or {}).values()):
        return True
    return any(sum(bool(f.get("backlog", {}).get("growing")) for f in runs) * 2 > len(runs) for runs in study.runs)


def _attribution_section(study: Study, attributions: Sequence[Attribution]) -> _Section | None:
    """One waterfall per attributed design: each lever's share of its difference in silo latency."""
    by_name = dict(zip(study.designs, study.scenarios, strict=True))
    charts = [_chart(f"chart-attribution-{i}", functools.partial(plots.attribution_waterfall, a, LATENCY, by_name[a.design]),
                     split_sentence(a, by_name[a.design]) + " Each lever's share is its Shapley value over every "
                     "combination of the levers, run on the same demand; the shares add up to the total.")
              for i, a in enumerate(attributions) if a.levers and any(r["metric"] == LATENCY for r in a.rows)]
    if not charts:
        return None
    return _Section("attribution", "Where the difference comes from", charts=charts,
                    intro="A design changes several levers at once; each chart splits its difference from the "
                          "baseline in silo latency (restricted mean) lever by lever, with 95% intervals.")


def _sections(study: Study, attributions: Sequence[Attribution] = ()) -> list[_Section]:
    has_insights = len(study.reach_curves()) > 0
    out = [
        _Section("tradeoff", "The trade-off", charts=[_chart(
            "chart-tradeoff", functools.partial(plots.tradeoff, study),
            "Each design's mean silo latency (left is faster) against "
            + ("its insight reach (up is wider)" if has_insights else "its share of messages answered within 24 h")
            + "; bubble area is head count, bars are 95% intervals across replications.")]),
        _Section("silo-latency", "How fast departments are answered", charts=[
            _chart("chart-latency-departments", functools.partial(plots.latency_by_department, study),
                   "Silo latency per department, pooled over replications: the box holds the middle half of requests, "
                   "the black line is the median, whiskers reach the 10th and 90th percentiles. Log scale."),
            _chart("chart-latency-ecdf", functools.partial(plots.latency_ecdf, study),
                   "Share of all requests answered within a given time; dots mark the median and the 90th percentile."),
            _chart("chart-breakdown", functools.partial(plots.time_breakdown, study),
                   "Mean hours per answered request in each clock along its critical path: waiting in a queue, hands-on "
                   "work, handoffs between people, pods and departments, and approval."),
        ]),
    ]
    if _grows(study):
        out[1].charts.insert(0, _chart(
            "chart-backlog", functools.partial(plots.backlog_over_time, study),
            "Requests open (arrived, not yet answered) through the measured window, mean over replications. A line "
            "that keeps climbing is a team that does not keep up: its unanswered work grows without bound."))
    split = _attribution_section(study, attributions)
    if split is not None:
        out.insert(1, split)
    if has_insights:
        out.append(_Section("insight-reach", "Do social insights reach the people who need them?", charts=[
            _chart("chart-reach", functools.partial(plots.reach_over_time, study),
                   "Share of (insight, department) pairs reached, by days since the insight appeared; line = mean over "
                   "replications, band = its 95% interval."),
            _chart("chart-reach-departments", functools.partial(plots.reach_by_department, study),
                   "The same, per department that needs insights."),
        ]))
    out.append(_Section("load", "Load and resilience", charts=[
        _chart("chart-utilisation", functools.partial(plots.utilisation, study),
               "Each person's hours worked over hours on duty (mean over replications); above the dashed line means "
               "work beyond their hours, the dark part is work done after hours."),
        _chart("chart-after-hours", functools.partial(plots.after_hours, study),
               "Team-wide share of work done after hours, and the busiest person's utilisation, with 95% intervals."),
        _chart("chart-bus-factor", functools.partial(plots.bus_factor_chart, study),
               "How many people can cover each channel, function and audience in each design: the design routes that "
               "work to them and they are practised at it or better. 1 means one absence leaves the work waiting or "
               "to someone slower; — means no work of that kind in that design."),
    ]))
    nets = [_chart(f"chart-org-{i}", functools.partial(plots.org_network, s),
                   f"“{name}”: people coloured by their pod, departments and approvers around; node size grows with "
                   "the share of fastest routes through it, red rings mark the main bottlenecks.")
            for i, (s, name) in enumerate(zip(study.scenarios, short_names(study.designs), strict=True))]
    out.append(_Section("organisations", "The organisations", charts=nets,
                        intro="Who is tied to whom in each design: the routes requests and insights travel."))
    return out


def _fmt(value: float | None, unit: str, label: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "share":
        return f"{100 * value:.0f}%".replace("-0%", "0%")
    if unit == "h":
        return f"{value:.1f} h"
    if label == "cost per year" or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.0f}" if label == "head count" else f"{value:.2f}"


_MARK = {"better": ("▲", "better"), "worse": ("▼", "worse"), "no clear difference": ("≈", "unclear")}


def _money_label(label: str, currency: str | None) -> str:
    if label != "cost per year":
        return label
    return f"cost per year ({currency})" if currency else "cost per year (currency not set: run.currency)"


def _scorecard_rows(card: Scorecard, currency: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for label, unit, _direction, cells, best in card.rows:
        out = []
        for j, (mean, low, high, verdict) in enumerate(cells):
            if low is not None and high is not None:  # every headline figure is >= 0, whatever the t-interval says
                low = max(low, 0.0)
                if unit == "share" and "utilisation" not in label:  # and a share <= 1 (utilisation counts overtime)
                    high = min(high, 1.0)
            ci = f"{_fmt(low, unit, label)} – {_fmt(high, unit, label)}" if low is not None and high is not None \
                and not (isinstance(low, float) and math.isnan(low)) and low != high else ""
            mark, mark_class = _MARK.get(verdict, ("", "")) if j > 0 else ("", "")
            out.append({"value": _fmt(mean, unit, label), "ci": ci, "best": best == j, "mark": mark,
                        "mark_class": mark_class, "verdict": verdict})
        rows.append({"label": _money_label(label, currency), "cells": out})
    return rows


def _headline(study: Study, short: list[str]) -> dict[str, Any]:
    """Study-wide sentences first, then each design's sentences against the baseline, grouped."""
    found = findings(study)
    label = dict(zip(study.designs, short, strict=True))
    groups = [{"design": label[d], "findings": [f for f in found if f.design == d]} for d in study.designs[1:]]
    return {"overall": [f for f in found if f.design is None], "groups": [g for g in groups if g["findings"]]}


def _version() -> str:
    try:
        return version("orgsim")
    except PackageNotFoundError:
        return "dev"


def _currency(study: Study) -> str | None:
    """The scenarios' money unit, when they agree on one (designs priced in different currencies get none)."""
    found = {s.run.currency for s in study.scenarios}
    return found.pop() if len(found) == 1 else None


def _decision(study: Study, card: Scorecard, short: list[str], tag: list[str],
              attributions: Sequence[Attribution] = ()) -> dict[str, Any]:
    """Page one's recommendation: the design, what it gains and loses, and how much of the card is signal."""
    d = decide(study, card)
    base = short[0]
    mine = [a for a in attributions if d.choice and a.design == study.designs[d.choice] and a.levers]
    split = split_sentence(mine[0], study.scenarios[d.choice]) if mine else ""
    return {"choice": short[d.choice], "keep": d.choice == 0, "base": base, "gains": d.gains, "losses": d.losses,
            "good": d.good, "bad": d.bad, "unclear": d.unclear, "n_clear": d.clear, "n_compared": d.compared,
            "score": d.scores[d.choice], "measures": sum(1 for r in card.rows if r[2] != 0),
            "others": [{"name": tag[j], "up": up, "down": down} for j, (up, down) in enumerate(d.scores) if j],
            "runner_up": short[d.runner_up] if d.runner_up is not None else None, "runner_losses": d.runner_losses,
            "lead": d.lead, "gains_text": d.gains_text, "losses_text": d.losses_text, "others_worse": d.others_worse, "split": split}


def report_title(study: Study) -> str:
    """The question the report answers, titled after the baseline's ``company:`` (none set: no company named).

    The company is a setting, never guessed from the design names: a copied example that kept another
    company's name in its designs' names is warned about by ``orgsim validate`` instead.
    """
    company = study.scenarios[0].company
    question = "how should the social-media team be organised?"
    return f"{company}: {question}" if company else question[0].upper() + question[1:]


def render_report(study: Study, command: str = "", attributions: Sequence[Attribution] = (),
                  explore: dict[str, Any] | None = None, resilience: dict[str, Any] | None = None,
                  progress: Callable[[int, int], None] | None = None, workers: int | None = 1) -> str:
    """The report as one HTML string. ``command`` is shown as the way to reproduce it.

    ``attributions`` (:func:`orgsim.experiment.attribution.attribute_study`, ``orgsim report --attribute``) add
    a waterfall per design that differs from the baseline in several levers, and page one says where the
    recommended design's difference in silo latency comes from. ``explore``: the JSON of an
    ``orgsim explore --out`` folder, shown after page one (:mod:`orgsim.report.explore`). ``resilience``: the
    JSON of a resilience study, a few lines on page one and a section of the appendix (:mod:`orgsim.report.resilience`).
    ``progress(done, total)`` is called as each chart is drawn (they are most of the time the page takes), by
    ``workers`` processes (:mod:`orgsim.report.drawing`: the same page whatever their number).
    """
    env = Environment(loader=PackageLoader("orgsim.report", "templates"), autoescape=select_autoescape(["j2", "html"]),
                      trim_blocks=True, lstrip_blocks=True)
    names = study.designs
    short = short_names(names)
    tag = tags(names)
    col = colours(names)
    sources = study.sources or [""] * len(names)
    base = study.scenarios[0].run
    inputs = [key_inputs(s) for s in study.scenarios]
    shared = [kv for kv in inputs[0] if all(kv in other for other in inputs[1:])] if len(inputs) > 1 else []
    designs = [{"name": s.name, "short": sh, "tag": tg, "colour": col[s.name], "description": s.description,
                "source": src, "inputs": [kv for kv in mine if kv not in shared]}
               for s, sh, tg, src, mine in zip(study.scenarios, short, tag, sources, inputs, strict=True)]
    sections = _sections(study, attributions)
    _draw(sections, progress, workers)
    card = scorecard(study)
    currency = _currency(study)
    return env.get_template("report.html.j2").render(
        title=report_title(study),
        designs=designs, shared_inputs=shared, **_headline(study, short), scorecard=_scorecard_rows(card, currency),
        sections=sections, decision=_decision(study, card, short, tag, attributions), currency=currency,
        few=study.replications < 5, has_insights=any("insight" in r[0] for r in card.rows),
        replications=study.replications, seed=study.seed,
        run_days=f"{base.horizon_days:g} simulated days after a {base.warmup_days:g}-day warm-up",
        command=command or "orgsim report " + " ".join(s or "<scenario>" for s in sources)
        + f" --replications {study.replications} --seed {study.seed}",
        version=_version(), generated=dt.date.today().isoformat(),
        stability=_stability(study, short), correction_note=study.table.attrs.get("correction_note", ""),
        explore=_explore(study, explore, short),
        resilience=_resilience(study, resilience, short),
    )


def _explore(study: Study, data: dict[str, Any] | None, short: list[str]) -> dict[str, Any] | None:
    """The exploration block (issue #17), or ``None`` without ``--explore``; designs named as on page one."""
    if data is None:
        return None
    from orgsim.report.explore import explore_context

    return explore_context(data, study.designs, decide(study).choice, dict(zip(study.designs, short, strict=True)))


def _resilience(study: Study, data: dict[str, Any] | None, short: list[str]) -> dict[str, Any] | None:
    """The resilience block (issue #31), or ``None`` without a resilience study; designs named as on page one."""
    if data is None:
        return None
    from orgsim.report.resilience import resilience_context

    return resilience_context(data, study.designs, short, decide(study).choice, study.scenarios, tags(study.designs))


def _stability(study: Study, short: list[str]) -> str:
    """Page one's word on designs that do not keep up with their work (empty when all do)."""
    reasons = study.table.attrs.get("unstable") or {}
    lines = [f"“{name}” is unstable — {'; '.join(reasons[i])}: its backlog grows without bound, so its latency "
             "figures only say how long the run was; it is never called faster, shaded best or recommended."
             for name, i in zip(short, study.design_ids, strict=True) if reasons.get(i)]
    return " ".join(lines)
