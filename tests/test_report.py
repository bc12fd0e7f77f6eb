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
        "silo_latency_hours": {"mean": latency, "p90": 2 * latency}, "silo_overhead_share": 0.5,
        "silo_latency_censored": {"rmst": latency, "p90": 2 * latency, "answered_share": 1.0},
        "handoffs_per_request": 2.0, "reply_within_24h_share": 0.9, "utilization_mean": 0.7,
        "utilization_max": busiest, "after_hours_share": 0.01, "head_count": 12, "cost_per_year": 1000.0,
        "insight_reach": {"share_within_horizon": reach, "value_weighted_reach": reach, "by_department": {}},
        "by_department": {"Product": {"silo_latency_hours": {"mean": latency}}},
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
        text = _texts(fig)
        assert all(n in text for n in names), f"{what}: a design is not named ({names})"


def test_the_org_chart_names_each_pod(study: Study) -> None:
    text = _texts(plots.org_network(study.scenarios[0]))
    assert all(p in text for p in study.scenarios[0].structure.pods)


def test_tradeoff_points_sit_at_the_study_means(study: Study) -> None:
    fig = plots.tradeoff(study)
    points = np.vstack([c.get_offsets() for c in fig.axes[0].collections if isinstance(c, PathCollection)])
    for (x, y), design in zip(points, study.designs, strict=True):
        assert x == pytest.approx(np.nanmean(study.values("silo_latency_rmst", design)))
        assert y == pytest.approx(100 * np.nanmean(study.values("insight reach within horizon", design)))


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
    calls: list[tuple[int, int]] = []
    page = render_report(study, progress=lambda done, total: calls.append((done, total)))
    charts = page.count('<figure class="chart"')
    assert calls == [(i, charts) for i in range(1, charts + 1)]  # the end known from the first chart on
    with pytest.raises(OrgsimError, match="progress: expected a function"):
        render_report(study, progress=3)  # type: ignore[arg-type]


def test_charts_drawn_by_several_processes_give_the_same_page(study: Study) -> None:
    calls: list[tuple[int, int]] = []
    alone = render_report(study, command="c")
    shared = render_report(study, command="c", workers=2, progress=lambda done, total: calls.append((done, total)))
    assert shared == alone
    charts = alone.count('<figure class="chart"')
    assert calls == [(i, charts) for i in range(1, charts + 1)]


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
    assert not re.search(r"-\d", card), "a wide interval is shown below zero"  # 2 replications: t(1) = 12.7
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


# --- the deck -------------------------------------------------------------------------------


def _deck(study: Study, tmp_path: Path) -> Any:
    from pptx import Presentation

    from orgsim.report.deck import write_deck

    path = write_deck(study, tmp_path / "deck.pptx", "Which structure?", command="orgsim report a.yaml b.yaml")
    return Presentation(str(path))


def test_the_deck_has_its_slides_and_the_studys_numbers(study: Study, tmp_path: Path) -> None:
    from pptx.oxml.ns import qn

    from orgsim.report.deck import SLIDES, tradeoff_points
    from orgsim.report.html import _scorecard_rows
    from orgsim.report.verdicts import scorecard

    prs = _deck(study, tmp_path)
    slides = list(prs.slides)
    assert [s.shapes.title.text for s in slides][1:] == list(SLIDES[1:])
    assert slides[0].shapes.title.text == "Which structure?"
    table = next(sh for sh in slides[2].shapes if sh.has_table).table  # a native table, not a picture
    expected = _scorecard_rows(scorecard(study), study.scenarios[0].run.currency)
    assert "GBP" in expected[-1]["label"]  # money shows its currency (run.currency in base.yaml)
    assert len(table.rows) == len(expected) + 1
    for i, row in enumerate(expected, start=1):
        assert table.cell(i, 0).text == row["label"]
        for j, cell in enumerate(row["cells"], start=1):
            assert table.cell(i, j).text == cell["value"] + (f" {cell['mark']}" if cell["mark"] else "")
    chart = next(sh for sh in slides[3].shapes if sh.has_chart).chart  # a native, editable bubble chart
    points = tradeoff_points(study)
    series = list(chart.plots[0].series)
    assert len(series) == len(points) == len(study.designs)
    for s, (_design, x, y, head) in zip(series, points, strict=True):
        xs = [float(v.text) for v in s._element.find(qn("c:xVal")).iter(qn("c:v"))]
        sizes = [float(v.text) for v in s._element.find(qn("c:bubbleSize")).iter(qn("c:v"))]
        assert xs == [round(x, 2)] and list(s.values) == [round(y, 2)] and sizes == [head]
    latency = study.table[study.table["metric"] == "silo_latency_rmst"]["mean"].tolist()
    assert [p[1] for p in points] == pytest.approx(latency)  # the chart's x is the scorecard's mean latency


def test_the_deck_keeps_scenario_text_as_text(tmp_path: Path) -> None:
    hostile = _hostile(tmp_path)
    study = run_study([hostile, hostile.model_copy(update={"name": "plain — by audience"})], replications=2, seed=3,
                      workers=1)
    prs = _deck(study, tmp_path)
    text = "\n".join(sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame)
    assert "<img src=x onerror=alert(2)>" in text or "<script>alert(1)</script>" in text
    import zipfile

    with zipfile.ZipFile(tmp_path / "deck.pptx") as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    assert "<script>" not in xml and "<img src" not in xml  # escaped in the XML, not markup


def test_cli_deck_refuses_to_overwrite(tmp_path: Path) -> None:
    deck = tmp_path / "deck.pptx"
    deck.write_text("mine", encoding="utf-8")
    r = runner.invoke(app, ["report", str(ROOT / "scenarios" / "network.yaml"), "-o", str(tmp_path / "r.html"),
                            "--pptx", str(deck)])
    assert r.exit_code == 1 and "--pptx" in r.output and "--force" in r.output
    assert deck.read_text(encoding="utf-8") == "mine" and not (tmp_path / "r.html").exists()


def test_backlog_chart_draws_each_designs_mean_backlog(study: Study) -> None:
    fig = plots.backlog_over_time(study)
    lines = fig.axes[0].lines
    assert len(lines) == len(study.designs)
    expected = np.mean([f["backlog"]["open"] for f in study.runs[0]], axis=0)
    assert lines[0].get_ydata() == pytest.approx(expected)
