"""One self-contained HTML page from a study: headline, scorecard, charts as inline SVG, assumptions.

The page loads nothing from anywhere (no scripts, fonts or stylesheets
outside it), so it works offline and survives being emailed. Text from a
scenario goes through Jinja2's autoescaping; chart text through
matplotlib's SVG writer, which escapes it too.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import matplotlib.pyplot as plt
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from matplotlib.figure import Figure

from orgsim.experiment.attribution import Attribution
from orgsim.experiment.saved import undefined_figures
from orgsim.experiment.study import Study
from orgsim.report import plots
from orgsim.report.decision import decide, split_sentence
from orgsim.report.inputs import key_inputs
from orgsim.report.page import (
    decision_context,
    headline,
    measured_days,
    scorecard_rows,
    secondary_rows,
    unstable_details,
    unstable_line,
)
from orgsim.report.style import colours, rc, short_names, tags
from orgsim.report.verdicts import LATENCY, scorecard
from orgsim.report.wording import glossary

__all__ = ["Chart", "Section", "SECTIONS", "render_report", "report_title", "svg"]


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
class Chart:
    """One chart of the appendix: drawn only when the page is written (``draw``), captioned in words."""

    id: str
    draw: Callable[[], Figure]
    caption: str


@dataclass
class Section:
    """One section of the appendix: a title, an introduction, and its charts in order."""

    id: str
    title: str
    intro: str = ""
    grid: bool = False
    charts: list[Chart] = field(default_factory=list)


def _grows(study: Study) -> bool:
    """Does any design's backlog grow (flagged unstable, or growing in most of its replications)?"""
    if any((study.table.attrs.get("unstable") or {}).values()):
        return True
    return any(sum(bool(f.get("backlog", {}).get("growing")) for f in runs) * 2 > len(runs) for runs in study.runs)


def _tradeoff(study: Study, attributions: Sequence[Attribution]) -> Section | None:
    has_insights = len(study.reach_curves()) > 0
    y = "how often insights reach the departments that need them (up is better)" if has_insights else \
        "the share of messages answered within 24 h (up is better)"
    return Section("tradeoff", "The trade-off", charts=[Chart(
        "chart-tradeoff", lambda: plots.tradeoff(study),
        f"Each design's average wait for an answer (left is faster) against {y}; bars are 95% intervals across "
        "replications. The axes span the designs that keep up with their work: a design that does not is marked "
        "at the edge with its value, off the scale.")])


def _attribution(study: Study, attributions: Sequence[Attribution]) -> Section | None:
    """One waterfall per attributed design: each lever's share of its difference in silo latency."""
    by_name = dict(zip(study.designs, study.scenarios, strict=True))
    charts = [Chart(f"chart-attribution-{i}", partial(plots.attribution_waterfall, a, LATENCY, by_name[a.design]),
                    split_sentence(a, by_name[a.design]) + " Each lever's share is its Shapley value over every "
                    "combination of the levers, run on the same demand; the shares add up to the total.")
              for i, a in enumerate(attributions) if a.levers and any(r["metric"] == LATENCY for r in a.rows)]
    if not charts:
        return None
    return Section("attribution", "Where the difference comes from", charts=charts,
                   intro="A design changes several levers at once; each chart splits its difference from the "
                         "baseline in the average wait for an answer lever by lever, with 95% intervals.")


def _waits(study: Study, attributions: Sequence[Attribution]) -> Section | None:
    left_out = plots.left_out_note(study)
    charts = [
        Chart("chart-latency-departments", lambda: plots.latency_by_department(study),
              "Wait for an answer per department, answered requests pooled over replications: the box holds the "
              "middle half of requests, the black line is the median, whiskers reach the 10th and 90th "
              "percentiles. Log scale." + left_out),
        Chart("chart-latency-ecdf", lambda: plots.latency_ecdf(study),
              "Share of all requests answered within a given time; dots mark the median and the 90th percentile."
              + left_out),
        Chart("chart-breakdown", lambda: plots.time_breakdown(study),
              "Mean hours per answered request in each clock along its critical path: waiting in a queue, hands-on "
              "work, handoffs between people, pods and departments, and approval." + left_out),
    ]
    if _grows(study):
        charts.insert(0, Chart(
            "chart-backlog", lambda: plots.backlog_over_time(study),
            "Requests open (arrived, not yet answered) through the measured window, mean over replications. A line "
            "that keeps climbing is a team that does not keep up: its unanswered work grows without bound."))
    return Section("silo-latency", "How fast departments are answered", charts=charts)


def _reach(study: Study, attributions: Sequence[Attribution]) -> Section | None:
    if len(study.reach_curves()) == 0:
        return None
    return Section("insight-reach", "Do social insights reach the people who need them?", charts=[
        Chart("chart-reach", lambda: plots.reach_over_time(study),
              "Share of (insight, department) pairs reached, by days since the insight appeared; line = mean over "
              "replications, band = its 95% interval."),
        Chart("chart-reach-departments", lambda: plots.reach_by_department(study),
              "The same, per department that needs insights."),
    ])


def _load(study: Study, attributions: Sequence[Attribution]) -> Section | None:
    return Section("load", "Load and resilience", charts=[
        Chart("chart-utilisation", lambda: plots.utilisation(study),
              "Each person's hours worked over hours on duty (mean over replications); above the dashed line means "
              "work beyond their hours, the dark part is work done after hours."),
        Chart("chart-after-hours", lambda: plots.after_hours(study),
              "Team-wide share of work done after hours, and the busiest person's load, with 95% intervals."),
        Chart("chart-bus-factor", lambda: plots.bus_factor_chart(study),
              "How many people can cover each channel, function and audience in each design: the design routes "
              "that work to them and they are practised at it or better. 1 means one absence leaves the work "
              "waiting or to someone slower; — means no work of that kind in that design."),
    ])


def _organisations(study: Study, attributions: Sequence[Attribution]) -> Section | None:
    nets = [Chart(f"chart-org-{i}", partial(plots.org_network, s),
                  f"“{name}”: people coloured by their pod, departments and approvers around; node size grows with "
                  "the share of fastest routes through it, red rings mark the main bottlenecks.")
            for i, (s, name) in enumerate(zip(study.scenarios, short_names(study.designs), strict=True))]
    return Section("organisations", "The organisations", charts=nets,
                   intro="Who is tied to whom in each design: the routes requests and insights travel.")


#: the appendix's chart sections, in order: each a function of the study (and the attributions) that returns its
#: section, or None when the study has nothing to show there. A new section is one function added here.
SECTIONS: list[Callable[[Study, Sequence[Attribution]], Section | None]] = [
    _tradeoff, _attribution, _waits, _reach, _load, _organisations]


def sections(study: Study, attributions: Sequence[Attribution] = ()) -> list[Section]:
    """The appendix's sections of a study; no chart is drawn yet (each chart's ``draw`` does it)."""
    return [sec for build in SECTIONS if (sec := build(study, attributions)) is not None]


def _currency(study: Study) -> str | None:
    """The scenarios' money unit, when they agree on one (designs priced in different currencies get none)."""
    found = {s.run.currency for s in study.scenarios}
    return found.pop() if len(found) == 1 else None


def _version() -> str:
    try:
        return version("orgsim")
    except PackageNotFoundError:
        return "dev"


def report_title(study: Study) -> str:
    """The question the report answers, titled after the baseline's ``company:`` (none set: no company named).

    The company is a setting, never guessed from the design names: a copied example that kept another
    company's name in its designs' names is warned about by ``orgsim validate`` instead.
    """
    company = study.scenarios[0].company
    question = "how should the social-media team be organised?"
    return f"{company}: {question}" if company else question[0].upper() + question[1:]


def _drawn(parts: list[Section], progress: Callable[[int], None] | None, workers: int | None = 1) -> list[dict[str, Any]]:
    """Every chart drawn once as inline SVG, in order; ``progress`` hears the count of charts done.

    ``workers`` processes draw them (:mod:`orgsim.report.drawing`: the same bytes whatever their number).
    """
    from orgsim.report.drawing import draw_svgs

    drawn = iter(draw_svgs([(c.id, c.draw) for sec in parts for c in sec.charts], workers, progress))
    return [{"id": sec.id, "title": sec.title, "intro": sec.intro, "grid": sec.grid,
             "charts": [{"id": c.id, "svg": next(drawn), "caption": c.caption} for c in sec.charts]} for sec in parts]


def chart_count(study: Study, attributions: Sequence[Attribution] = ()) -> int:
    """How many charts :func:`render_report` draws (for a progress bar)."""
    return sum(len(sec.charts) for sec in sections(study, attributions))


def render_report(study: Study, command: str = "", attributions: Sequence[Attribution] = (),
                  explore: dict[str, Any] | None = None, resilience: dict[str, Any] | None = None,
                  progress: Callable[[int], None] | None = None, workers: int | None = 1) -> str:
    """The report as one HTML string. ``command`` is shown as the way to reproduce it.

    ``attributions`` (:func:`orgsim.experiment.attribution.attribute_study`, ``orgsim report --attribute``) add
    a waterfall per design that differs from the baseline in several levers, and page one says where the
    recommended design's difference in silo latency comes from. ``explore``: the JSON of an
    ``orgsim explore --out`` folder, shown after page one (:mod:`orgsim.report.explore`). ``resilience``: the
    JSON of a resilience study, a few lines on page one and a section of the appendix
    (:mod:`orgsim.report.resilience`). ``progress`` is called with the number of charts drawn so far
    (:func:`chart_count` of them in all); ``workers`` processes draw them (``None``: every core), the page the
    same whatever their number.
    """
    env = Environment(loader=PackageLoader("orgsim.report", "templates"), autoescape=select_autoescape(["j2", "html"]),
                      trim_blocks=True, lstrip_blocks=True)
    names = study.designs
    short = short_names(names)
    tag = tags(names)
    col = colours(names)
    sources = study.sources or [""] * len(names)
    inputs = [key_inputs(s) for s in study.scenarios]
    shared = [kv for kv in inputs[0] if all(kv in other for other in inputs[1:])] if len(inputs) > 1 else []
    shaky = study.table.attrs.get("unstable") or {}
    designs = [{"name": s.name, "short": sh, "tag": tg, "colour": col[s.name], "description": s.description,
                "source": src, "inputs": [kv for kv in mine if kv not in shared], "id": did,
                "unstable": bool(shaky.get(did))}
               for s, sh, tg, src, mine, did in zip(study.scenarios, short, tag, sources, inputs, study.design_ids,
                                                   strict=True)]
    card = scorecard(study)
    currency = _currency(study)
    has_insights = any(r.id.startswith("insight_") for r in card.rows)
    return env.get_template("report.html.j2").render(
        title=report_title(study), company=study.scenarios[0].company,
        designs=designs, shared_inputs=shared, **headline(study), scorecard=scorecard_rows(study, card, currency),
        secondary=secondary_rows(study), decision=decision_context(study, card, attributions), currency=currency,
        few=study.replications < 5, has_insights=has_insights, glossary=glossary(short[0], has_insights),
        replications=study.replications, seed=study.seed, run_days=measured_days(study),
        command=command or "orgsim report " + " ".join(s or "<scenario>" for s in sources)
        + f" --replications {study.replications} --seed {study.seed}",
        version=_version(), generated=dt.date.today().isoformat(),
        stability=unstable_line(study), unstable_details=unstable_details(study),
        undefined=undefined_figures(study.designs, study.runs),
        correction_note=study.table.attrs.get("correction_note", ""),
        explore=_explore(study, explore, short),
        resilience=_resilience(study, resilience, short),
        sections=_drawn(sections(study, attributions), progress, workers),
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
