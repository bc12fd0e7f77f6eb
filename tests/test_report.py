"""The CMO report: verdicts never beyond their intervals, text escaped, page self-contained, CLI safe."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.text import Text
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.errors import OrgsimError
from orgsim.experiment.study import Study, run_study
from orgsim.report import plots, render_report
from orgsim.report.style import short_names
from orgsim.report.verdicts import findings
from orgsim.scenario import load_scenario
from orgsim.scenario.loading import scenario_from_data
from orgsim.scenario.overrides import with_run_settings
from orgsim.scenario.templates import starter

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _short(name: str) -> Any:
    return with_run_settings(load_scenario(ROOT / "scenarios" / name), horizon_days=12.0, warmup_days=2.0)


@pytest.fixture(scope="module")
def study() -> Study:
    return run_study([_short("network.yaml"), _short("audience.yaml")], replications=3, seed=7, workers=1,
                     sources=["scenarios/network.yaml", "scenarios/audience.yaml"])


# --- verdicts: synthetic studies whose intervals are known ---------------------------------


def _figures(latency: float, reach: float, busiest: float = 0.8) -> dict[str, Any]:
    return {
        "silo_latency_answered_hours": {"mean": latency, "p90": 2 * latency}, "silo_overhead_share": 0.5,
        "silo_latency_censored": {"rmst": latency, "p90": 2 * latency, "answered_share": 1.0},
        "handoffs_per_request": 2.0, "reply_within_24h_share": 0.9, "utilization_mean": 0.7,
        "utilization_max": busiest, "after_hours_share": 0.01, "head_count": 12, "cost_per_year": 1000.0,
        "insight_reach": {"share_within_horizon": reach, "value_weighted_reach": reach, "by_department": {}},
        "by_department": {"Product": {"silo_latency_answered_hours": {"mean": latency}}},
    }


def _synthetic(base: list[float], other: list[float], reach_base: list[float], reach_other: list[float]) -> Study:
    a, b = _short("network.yaml"), _short("audience.yaml")
    runs = [[_figures(x, r) for x, r in zip(base, reach_base, strict=True)],
            [_figures(x, r) for x, r in zip(other, reach_other, strict=True)]]
    return Study([a, b], runs, seed=1, replications=len(base))


def test_a_clear_difference_is_named_with_its_interval() -> None:
    base = [30.0, 32.0, 31.0, 29.0, 33.0]
    other = [x * 0.6 + d for x, d in zip(base, [0.2, -0.1, 0.0, 0.1, -0.2], strict=True)]  # 40% faster, tight
    text = " ".join(f.text for f in findings(_synthetic(base, other, [0.5] * 5, [0.8, 0.82, 0.79, 0.81, 0.8])))
    m = re.search(r"“by audience” answers other departments (\d+)% faster than “by network” "
                  r"\(95% CI (\d+)% to (\d+)% faster\)", text)
    assert m, text
    pct, low, high = map(int, m.groups())
    assert low <= pct <= high and 38 <= pct <= 42
    assert "80% of the time with “by audience”, vs 50% with “by network” (+30 points" in text


def test_no_claim_where_the_interval_spans_zero() -> None:
    base = [30.0, 20.0, 40.0, 25.0, 35.0]
    other = [32.0, 18.0, 37.0, 27.0, 36.0]  # differences +2 -2 -3 +2 +1: mean 0, interval spans zero
    found = findings(_synthetic(base, other, [0.5, 0.6, 0.4, 0.5, 0.5], [0.6, 0.5, 0.4, 0.5, 0.5]))
    text = " ".join(f.text for f in found)
    assert not re.search(r"answers [^.]*(faster|slower) than", text), text
    assert "no clear difference in how fast departments are answered" in text
    assert "Insight reach within 7 days: “by audience” 50%, “by network” 50% — no clear difference." in text
    assert all(f.tone in ("unclear", "info") for f in found)


def test_too_few_replications_says_so() -> None:
    text = " ".join(f.text for f in findings(_synthetic([30.0, 31.0], [20.0, 21.0], [0.5, 0.5], [0.5, 0.5])))
    assert "Only 2 replication(s)" in text


# --- charts --------------------------------------------------------------------------------


def _texts(fig: Figure) -> str:
    fig.canvas.draw()  # tick labels exist once drawn
    return "\n".join(t.get_text() for t in fig.findobj(Text))


def test_every_study_chart_draws_data_and_names_every_design(study: Study) -> None:
    names = short_names(study.designs)
    figs = {"tradeoff": plots.tradeoff(study), "latency_by_department": plots.latency_by_department(study),
            "ecdf": plots.latency_ecdf(study), "ecdf Product": plots.latency_ecdf(study, department="Product"),
            "time_breakdown": plots.time_breakdown(study), "reach_over_time": plots.reach_over_time(study),
            "reach_by_department": plots.reach_by_department(study), "utilisation": plots.utilisation(study),
            "after_hours": plots.after_hours(study), "bus_factor": plots.bus_factor_chart(study)}
    for what, fig in figs.items():
        drawn = sum(len(ax.lines) + len(ax.collections) + len(ax.patches) + len(ax.texts) for ax in fig.axes)
        assert drawn > 0, f"{what}: nothing drawn"
        text = " ".join(_texts(fig).split())  # a name wrapped over two lines ("by\nnetwork") still names it
        assert all(n in text for n in names), f"{what}: a design is not named ({names})"


def test_the_org_chart_names_each_pod(study: Study) -> None:
    text = _texts(plots.org_network(study.scenarios[0]))
    assert all(p in text for p in study.scenarios[0].structure.pods)


@pytest.mark.parametrize("example", ["solo.yaml", "network.yaml", "audience.yaml"])
def test_the_org_chart_wraps_names_between_words_never_inside_one(example: str) -> None:
    import matplotlib.pyplot as plt

    scenario = load_scenario(f"scenarios/{example}")
    fig = plots.org_network(scenario)
    words = _texts(fig).split()
    plt.close(fig)  # pyplot keeps its figures open: more than 20 in one worker draws a warning
    for name in scenario.structure.pods:
        whole = name in words or all(w in words for w in name.replace("_", " ").split())  # long names: one word a line
        assert whole, f"{name!r} is cut inside a word: {words}"


def test_tradeoff_points_sit_at_the_study_means(study: Study) -> None:
    fig = plots.tradeoff(study)
    points = np.vstack([c.get_offsets() for c in fig.axes[0].collections if isinstance(c, PathCollection)])
    for (x, y), design in zip(points, study.designs, strict=True):
        assert x == pytest.approx(np.nanmean(study.values("silo_latency_rmst", design)))
        assert y == pytest.approx(100 * np.nanmean(study.values("insight_reach_share", design)))


def test_an_unstable_design_leaves_the_tradeoff_axes_named_with_its_value() -> None:
    from orgsim.report.plots_tradeoff import axis_range, tradeoff_points

    study = run_study([_short("network.yaml"), _short("audience.yaml"), _short("solo.yaml")], replications=2,
                      seed=3, workers=1)
    points = tradeoff_points(study)
    assert [p.unstable for p in points] == [False, False, True]
    fig = plots.tradeoff(study)
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    assert (x0, x1) == pytest.approx(axis_range(points, "x"))
    solo = points[2]
    assert solo.x > x1  # off the scale: drawn on it, it would squeeze the others into a corner
    stable = [p for p in points if not p.unstable]
    assert all(x0 < (p.x_low or p.x) and (p.x_high or p.x) < x1 for p in stable)  # intervals inside the frame
    text = _texts(fig)
    assert f"{solo.x:.0f} h, off scale" in text and "unstable" in text
    scattered = np.vstack([c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)])
    assert len(scattered) == 2  # only the stable designs are drawn on the scale


def test_ecdf_marks_the_median_and_p90(study: Study) -> None:
    fig = plots.latency_ecdf(study)
    lat = study.latencies()
    xs = lat.loc[lat["design"] == study.designs[0], "latency_hours"].to_numpy()
    markers = [line.get_xdata()[0] for line in fig.axes[0].lines if line.get_marker() == "o"]
    assert markers[0] == pytest.approx(max(np.percentile(xs, 50), 0.05))
    assert markers[1] == pytest.approx(max(np.percentile(xs, 90), 0.05))


def test_breakdown_sums_to_the_mean_latency(study: Study) -> None:
    bd = study.breakdown()
    mine = bd[(bd["design"] == study.designs[0]) & (bd["department"] == "all")]
    per_rep = mine.groupby("replication")["hours"].sum().to_numpy()
    assert per_rep == pytest.approx(study.values("silo_latency_mean", 0), rel=1e-6)


# --- the page ------------------------------------------------------------------------------


def test_page_one_marks_agree_with_compare_json(study: Study) -> None:
    """Page one's rule: ▲/▼ where the comparison's verdict is better/worse, ≈ where it is no clear difference."""
    from orgsim.output import comparison_json

    verdicts = comparison_json(study.table)["designs"]
    page = render_report(study)
    card = page[page.index('<div id="scorecard">'):page.index("</table>", page.index('<div id="scorecard">'))]
    rows = re.findall(r'<tr data-metric="([^"]+)">(.*?)</tr>', card, re.S)
    assert {mid for mid, _ in rows} == {m for m, v in verdicts[study.design_ids[0]]["metrics"].items() if v["primary"]
                                        and not np.isnan(v["mean"] if v["mean"] is not None else np.nan)}
    marks = 0
    for mid, body in rows:
        cells = re.findall(r'<td[^>]*data-design="([^"]+)"[^>]*>(.*?)</td>', body, re.S)
        assert [d for d, _ in cells] == study.design_ids
        direction = study.metric(mid).direction
        for j, (design, cell) in enumerate(cells):
            shown = re.findall(r'class="mark[^"]*"[^>]*>([▲▼≈])<', cell)
            expected = {"better": ["▲"], "worse": ["▼"], "no clear difference": ["≈"]}.get(
                verdicts[design]["metrics"][mid]["verdict"], []) if j and direction else []
            assert shown == expected, (mid, design, verdicts[design]["metrics"][mid]["verdict"], shown)
            marks += len(shown)
    assert marks > 0
    said = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "where the 95% interval of the difference excludes zero" in said  # the rule is stated beside them


def test_how_sure_counts_the_unclear_marks_of_the_chosen_column() -> None:
    """"How sure we are" says how many ≈ the recommended design's column holds (it once counted findings instead)."""
    from orgsim.report.decision import decide

    study = run_study([_short("network.yaml"), _short("function.yaml")], replications=3, seed=7, workers=1)
    page = render_report(study)
    said = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    card = page[page.index('<div id="scorecard">'):page.index("</table>", page.index('<div id="scorecard">'))]
    choice = decide(study).choice
    assert choice == 1  # by function is recommended on these runs: a column to count
    design = study.design_ids[choice]
    cells = re.findall(rf'<td[^>]*data-design="{design}"[^>]*>(.*?)</td>', card, re.S)
    unclear = sum("≈" in c for c in cells)
    judged = sum(bool(re.search("[▲▼≈]", c)) for c in cells)
    if unclear:
        assert f"{unclear} of its {judged} are not (≈ in its column)" in said
    else:
        assert "are not (≈ in its column)" not in said


def test_abandoned_messages_are_a_secondary_row_only_where_patience_is_set() -> None:
    """#30's abandonment is in the appendix's secondary table where a channel sets patience_hours, else absent."""
    from orgsim.report.page import secondary_rows
    from tests.test_patience import _office

    def two(patience: Any) -> Study:
        late = _office(patience, days=6)
        late["name"] = "office hours, late shift"
        late["team"]["people"]["una"]["hours"] = "13:00-21:00"
        return run_study([scenario_from_data(_office(patience, days=6)), scenario_from_data(late)], 2, 5, workers=1)

    with_patience = {r["id"]: r for r in secondary_rows(two(2.0))}
    shown = with_patience["messages_abandoned_share"]
    assert shown["label"] == "messages abandoned unanswered"
    assert all(c["value"].endswith("%") and c["value"] != "—" for c in shown["cells"])
    assert "messages_abandoned_share" not in {r["id"] for r in secondary_rows(two(None))}
    assert "switching_share" not in with_patience  # no switch_minutes set


def test_renaming_a_metric_label_changes_no_figure_on_the_page(study: Study, monkeypatch: pytest.MonkeyPatch) -> None:
    """Charts, scorecard and sentences pick and format a figure by its id, never by its label's words."""
    import dataclasses

    from orgsim.metrics import registry

    def figures_of(page: str) -> list[str]:  # every number a reader sees, charts' drawing left out
        text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(svg|style)\b.*?</\1>", " ", page, flags=re.S)))
        return re.findall(r"[−+-]?\d[\d,.]*\s*(?:%|h\b|pts?\b|points\b)?", text)

    before = figures_of(render_report(study, command="orgsim report"))

    def renamed(m: registry.Metric) -> registry.Metric:  # no digit in the new label: none can be miscounted
        return dataclasses.replace(m, label="renamed " + m.id.translate(str.maketrans("0123456789", "abcdefghij")))

    make = registry._m
    monkeypatch.setattr(registry, "_m", lambda *a, **k: renamed(make(*a, **k)))
    monkeypatch.setattr(registry, "METRICS", tuple(renamed(m) for m in registry.METRICS))
    monkeypatch.setattr(registry, "_FIXED", {m.id: renamed(m) for m in registry.METRICS})
    assert registry.metric("cost_per_year").label == "renamed cost_per_year"
    assert registry.metric("reply_within_24h_share").label.startswith("renamed")
    after = figures_of(render_report(study, command="orgsim report"))
    assert len(before) > 100 and after == before


def test_shading_follows_the_stated_rule(study: Study) -> None:
    from orgsim.report.verdicts import scorecard

    for row in scorecard(study).rows:
        if row.best is None:
            continue
        for other in range(len(study.designs)):
            if other != row.best:
                _, low, high = study.paired(row.id, row.best, other)
                assert low is not None and high is not None and not (low <= 0 <= high), row.id
                assert (low > 0) == (row.direction > 0), row.id  # and ahead in the better direction
        if row.best:
            assert row.cells[row.best][3] == "better"  # a shaded design is also ▲ against the baseline


def test_page_is_self_contained_with_every_chart(study: Study) -> None:
    page = render_report(study)
    assert page.count('<figure class="chart"') == 9 + len(study.designs)
    assert page.count("<svg") == page.count('<figure class="chart"')
    refs = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page)
    assert all(r.startswith(("#", "data:image/png;base64,")) for r in refs), refs  # nothing outside the page
    assert "<script" not in page and "@import" not in page and "url(http" not in page
    assert 'id="recommendation"' in page and 'id="scorecard"' in page and "seed 7" in page
    from orgsim.report.decision import decide

    assert decide(study).lead in html.unescape(page)  # page one leads with the trade-off


def test_progress_counts_every_chart_of_the_page_as_it_is_drawn(study: Study) -> None:
    from orgsim.report.html import chart_count

    calls: list[int] = []
    page = render_report(study, progress=calls.append)
    charts = page.count('<figure class="chart"')
    assert charts == chart_count(study) > 5 and calls == list(range(1, charts + 1))
    with pytest.raises(OrgsimError, match="progress: expected a function"):
        render_report(study, progress=3)  # type: ignore[arg-type]


def test_charts_drawn_by_several_processes_give_the_same_page(study: Study) -> None:
    calls: list[int] = []
    alone = render_report(study, command="c")
    shared = render_report(study, command="c", workers=2, progress=calls.append)
    assert shared == alone
    assert calls == list(range(1, alone.count('<figure class="chart"') + 1))


def _pid_chart(folder: Path, fail: bool = False) -> Any:
    import os

    import matplotlib.pyplot as plt

    (folder / str(os.getpid())).touch()
    if fail:
        raise ValueError("this chart cannot be drawn")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    return fig


def test_the_page_charts_are_drawn_in_other_processes_and_their_errors_come_back(tmp_path: Path) -> None:
    import functools
    import multiprocessing as mp
    import os

    from orgsim.report.drawing import draw_svgs

    if "fork" not in mp.get_all_start_methods():
        pytest.skip("charts are drawn in this process where processes cannot be forked")
    charts = [(f"c{i}", functools.partial(_pid_chart, tmp_path)) for i in range(4)]
    svgs = draw_svgs(charts, workers=2)
    assert [s.count(f'id="c{i}-') > 0 for i, s in enumerate(svgs)] == [True] * 4  # each in its place
    assert {p.name for p in tmp_path.iterdir()} - {str(os.getpid())}  # drawn elsewhere
    with pytest.raises(ValueError, match="this chart cannot be drawn"):
        draw_svgs([*charts, ("bad", functools.partial(_pid_chart, tmp_path, fail=True))], workers=2)


def test_the_study_latency_table_holds_every_answered_request(study: Study) -> None:
    lat = study.latencies()
    assert list(lat.columns) == ["design", "replication", "department", "latency_hours"]
    for d, runs in zip(study.designs, study.runs, strict=True):
        for r, f in enumerate(runs):
            for dept, xs in f["detail"]["latency_hours"].items():
                mine = lat[(lat["design"] == d) & (lat["replication"] == r) & (lat["department"] == dept)]
                assert mine["latency_hours"].tolist() == [float(x) for x in xs]
    assert len(lat) == sum(len(xs) for runs in study.runs for f in runs for xs in f["detail"]["latency_hours"].values())


def _hostile(tmp_path: Path) -> Any:
    text = starter("audience", 3, "x.yaml")
    text = text.replace("name: Starter — audience, 3 people", "name: \"<script>alert(1)</script> — by audience\"")
    text = text.replace("    Product:", "    \"<img src=x onerror=alert(2)>\":")
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return with_run_settings(load_scenario(path), horizon_days=5.0, warmup_days=1.0)


def test_scenario_text_is_escaped_everywhere(tmp_path: Path) -> None:
    hostile = _hostile(tmp_path)
    page = render_report(run_study([hostile, hostile.model_copy(update={"name": "plain — by audience"})],
                                   replications=2, seed=1, workers=1))
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    card = page[page.index('id="scorecard"'):page.index("</section>", page.index('id="scorecard"'))]
    shown = re.sub(r"<[^>]+>", " ", card)  # the text a reader sees (a design id in an attribute may hold "-1")
    assert not re.search(r"[-−]\d", shown), "a wide interval is shown below zero"  # 2 replications: t(1) = 12.7
    assert "identical on the same demand" in page


def test_names_with_dollars_are_not_maths(tmp_path: Path) -> None:
    s = _short("network.yaml")
    data = s.model_dump(mode="json", by_alias=True)
    data["name"] = "Acme $x^2$ — by network"
    fig = plots.org_network(scenario_from_data(data))
    fig.canvas.draw()  # would raise on unbalanced maths if names were parsed as TeX
    titles = [t for t in fig.findobj(Text) if "Acme $x^2$" in t.get_text()]
    assert titles and not any(t.get_parse_math() for t in titles)  # the dollars are shown, not typeset


# --- the command ---------------------------------------------------------------------------


def _files(tmp_path: Path) -> list[str]:
    out = []
    for name in ("network.yaml", "audience.yaml"):
        p = tmp_path / name
        p.write_text(f"extends: {ROOT / 'scenarios' / name}\nrun:\n  horizon_days: 8\n  warmup_days: 1\n")
        out.append(str(p))
    return out


def test_cli_report_and_report_from_a_compare_folder_agree(tmp_path: Path) -> None:
    files = _files(tmp_path)
    direct = tmp_path / "direct.html"
    r = runner.invoke(app, ["report", *files, "--replications", "2", "--workers", "1", "-o", str(direct)])
    assert r.exit_code == 0, r.output
    assert "wrote" in r.output and direct.stat().st_size > 50_000
    r = runner.invoke(app, ["compare", *files, "--replications", "2", "--workers", "1", "--out", str(tmp_path / "cmp"),
                            "--json"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "cmp" / "study.json").is_file()
    later = tmp_path / "later.html"
    r = runner.invoke(app, ["report", "--from", str(tmp_path / "cmp"), "-o", str(later)])
    assert r.exit_code == 0, r.output

    def headline(p: Path) -> str:
        return re.search(r'<section id="decision">.*?</section>', p.read_text(), re.S).group(0)  # type: ignore[union-attr]

    assert headline(direct) == headline(later)


def test_cli_report_never_overwrites_silently(tmp_path: Path) -> None:
    files = _files(tmp_path)
    target = tmp_path / "report.html"
    target.write_text("the CMO's annotated copy")
    r = runner.invoke(app, ["report", *files, "-o", str(target)])
    assert r.exit_code == 1 and "already exists; pass --force" in r.output
    assert target.read_text() == "the CMO's annotated copy"


@pytest.mark.parametrize(("args", "expected"), [
    ([], "give the scenario files to compare, or --from"),
    (["--from", "nowhere"], "nowhere: no study here"),
    (["x.yaml", "--from", "nowhere"], "not both"),
    (["--from", "nowhere", "--seed", "3"], "--seed and --replications apply when running"),
])
def test_cli_report_errors_are_one_line(tmp_path: Path, args: list[str], expected: str) -> None:
    r = runner.invoke(app, ["report", *args, "-o", str(tmp_path / "r.html")])
    assert r.exit_code == 1
    assert expected in r.output and "Traceback" not in r.output


def test_a_damaged_study_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "study.json").write_text('{"format": 2, "seed": 1}')
    r = runner.invoke(app, ["report", "--from", str(tmp_path), "-o", str(tmp_path / "r.html")])
    assert r.exit_code == 1 and "study.json: (the top): required key replications is missing" in r.output, r.output


# --- the deck: tests/test_deck.py ------------------------------------------------------------


def test_backlog_chart_draws_each_designs_mean_backlog(study: Study) -> None:
    fig = plots.backlog_over_time(study)
    lines = fig.axes[0].lines
    assert len(lines) == len(study.designs)
    expected = np.mean([f["backlog"]["open"] for f in study.runs[0]], axis=0)
    assert lines[0].get_ydata() == pytest.approx(expected)


def test_undefined_figures_are_listed_under_the_scorecard(study: Study) -> None:
    """A figure with no value in some replication is named on the page, not only on stderr (#34's finding)."""
    import copy

    from orgsim.experiment.saved import undefined_figures

    assert undefined_figures(study.designs, study.runs) == []  # the example designs leave none undefined
    runs = copy.deepcopy(study.runs)
    runs[1][0]["insight_reach"]["share_within_horizon"] = float("nan")
    broken = Study(study.scenarios, runs, seed=study.seed, replications=study.replications, sources=study.sources)
    page = html.unescape(render_report(broken))
    note = page.split('id="undefined"')[1].split("</p>")[0]
    assert f"{study.designs[1]}: insight reach within horizon (1 of 3 replications)" in note
    assert "shows as —" in note


def test_a_share_never_reads_100_or_0_unless_it_is() -> None:
    from orgsim.metrics.registry import metric, percent_text

    share = metric("reply_within_24h_share")
    assert share.format_value(0.9962) == "99.6%" and share.format_value(1.0) == "100%"
    assert share.format_value(0.99999) == "99.99%" and share.format_value(0.0004) == "0.04%"
    assert share.format_diff(-0.004) == "-0.4 pts" and share.format_diff(0.0) == "0 pts"
    assert percent_text(0.0004) != "0" and percent_text(-0.004, signed=True) == "-0.4"
