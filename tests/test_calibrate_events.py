"""Event logs: the round trip from a known scenario, a hand-made log with a known matrix, every bad-row kind.

The round trip draws an event log from ``scenarios/calibration/handoffs.yaml``
(requests passed between pods and the CMO), calibrates a workflow scenario
from it and back-tests that. Claims about many figures at once use
family-wise (Bonferroni) levels: at 95% each, one figure in twenty of a
perfect model falls outside by chance.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from orgsim.calibrate.api import calibrate
from orgsim.calibrate.backtest import backtest
from orgsim.calibrate.columns import load_mapping
from orgsim.calibrate.demo import DEFAULT_EVENT_SCENARIO, demo_event_log, write_event_log
from orgsim.calibrate.events import EVENT_REASONS
from orgsim.calibrate.handoffs import observed_visits
from orgsim.calibrate.logs import read_logs
from orgsim.calibrate.routing import DONE
from orgsim.cli import app
from orgsim.errors import OrgsimError
from orgsim.scenario import load_scenario

runner = CliRunner()
DAYS, SEED = 42.0, 3


def _doer(step: object) -> str:
    return str(step.pod or step.person or step.external or step.role)  # type: ignore[attr-defined]


def truth_matrix(scenario: object) -> dict[tuple[str, str], dict[str, dict[str, float]]]:
    """Per (department, type): group -> next group (or done) -> probability, from the workflow's steps."""
    out = {}
    for dname, dept in scenario.demand.departments.items():  # type: ignore[attr-defined]
        for tname, rt in dept.requests.items():
            steps = rt.steps
            by_name = {st.name: _doer(st) for st in steps}
            m: dict[str, dict[str, float]] = {}
            for i, st in enumerate(steps):
                row = m.setdefault(_doer(st), {})
                rest = 1.0
                for br in st.branches.values():
                    to = DONE if br.to == DONE else by_name[br.to]
                    row[to] = row.get(to, 0.0) + br.probability
                    rest -= br.probability
                then = st.then or (steps[i + 1].name if i + 1 < len(steps) else DONE)
                to = DONE if then == DONE else by_name[then]
                row[to] = row.get(to, 0.0) + rest
            out[(dname, tname)] = m
    return out


@pytest.fixture(scope="module")
def trip(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("events")
    truth = load_scenario(DEFAULT_EVENT_SCENARIO)
    demo = demo_event_log(truth, days=DAYS, seed=SEED)
    path = write_event_log(demo, folder)
    cal, logs = calibrate([], DEFAULT_EVENT_SCENARIO, folder / "company.yaml", event_logs=[path])
    return {"folder": folder, "truth": truth, "demo": demo, "path": path, "cal": cal, "logs": logs}


def test_the_demo_event_log_is_a_log_of_handoffs(trip: dict) -> None:
    events = trip["demo"].events
    assert list(events.columns) == ["case_id", "timestamp", "group", "activity", "resource", "lifecycle", "department",
                                    "case_type"]
    assert trip["demo"].parallel == 0
    assert set(events["lifecycle"]) >= {"schedule", "start", "complete", "suspend", "resume"}
    assert set(events["group"]) == {"maya", "community", "insights", "content", "CMO", "paid", "employer_brand_governance"}
    closed = events.groupby("case_id")["activity"].last().eq("answered")
    assert 0.9 < closed.mean() < 1.0  # most cases answered by the export, a few still open
    # the activity is the step the group does (the lead's first visit is the triage)
    assert set(events.loc[events["group"] == "insights", "activity"]) == {"analyse", "answered"}
    assert set(events.loc[(events["group"] == "maya") & (events["activity"] != "received"), "activity"]) == {"triage"}


def test_round_trip_recovers_the_routing_within_its_intervals(trip: dict) -> None:
    truth = truth_matrix(trip["truth"])
    routing = trip["cal"].routing
    assert set(routing) == set(truth)
    pairs = [(key, g, to) for key, m in truth.items() for g, row in m.items() for to in row]
    level = 1 - 0.05 / len(pairs)  # all of them at once at 95%
    for key, g, to in pairs:
        fit = routing[key].groups[g]
        p, lo, hi = fit.probability(to, level)
        assert lo <= truth[key][g][to] <= hi, (key, g, to, p, lo, hi, truth[key][g][to])
        assert sum(fit.exits.values()) >= 5  # enough exits for the check to bite
    # every case starts after the lead's triage, at the type's first step
    for key, r in routing.items():
        assert r.intake == r.cases - (r.cases - r.intake)
        first = _doer(trip["truth"].demand.departments[key[0]].requests[key[1]].steps[0])
        assert r.starts.most_common(1)[0][0] == first


def test_round_trip_recovers_each_steps_effort(trip: dict) -> None:
    """The work in the log, divided by the team's factors, is the steps' effort: its mean is the truth's.

    For a lognormal truth with sigma^2 = log(1 + cv^2), the log of the
    maximum-likelihood mean from n draws has the standard error
    sqrt(sigma^2 / n x (1 + sigma^2 / 2)) (delta method); the check is on that
    scale, all steps at once at 95%. A sample's own spread would understate
    the error of a skewed mean.
    """
    routing = trip["cal"].routing
    checks = []
    for (dname, tname), r in routing.items():
        for st in trip["truth"].demand.departments[dname].requests[tname].steps:
            fit = r.groups[_doer(st)]
            if fit.effort_from == "work" and st.effort_hours.dist == "lognormal":
                checks.append((fit, st.effort_hours.expected, st.effort_hours.cv))
    assert len(checks) >= 5
    z = stats.norm.ppf(1 - 0.05 / (2 * len(checks)))
    for fit, mean, cv in checks:
        s2 = np.log1p(cv**2)
        se = np.sqrt(s2 / fit.effort.n * (1 + s2 / 2))
        assert abs(np.log(fit.effort.mean / mean)) <= z * se, (fit.group, fit.effort.mean, mean, fit.effort.n)


def test_round_trip_the_calibrated_workflow_loads_and_says_its_counts(trip: dict) -> None:
    company = load_scenario(trip["folder"] / "company.yaml")
    rt = company.demand.departments["Product"].requests["product_content"]
    assert [(st.name, _doer(st)) for st in rt.steps] == [("content", "content"), ("CMO", "CMO"), ("paid", "paid")]
    assert rt.steps[1].external == "CMO" and rt.steps[1].hours == "08:30-18:00"  # the approver's calendar copied
    assert rt.steps[1].timezone == "Europe/London"
    assert {b.to for b in rt.steps[1].branches.values()} | {rt.steps[1].then} == {"content", "paid", DONE}
    text = (trip["folder"] / "company.yaml").read_text()
    assert "exits; 95% CI" in text and "holding time median" in text and "from its work;" in text


def test_round_trip_backtest_recovers_handoffs_and_holding_times(trip: dict) -> None:
    result = backtest(load_scenario(trip["folder"] / "company.yaml"), trip["logs"], replications=8, seed=11,
                      familywise=True)
    t = result.table
    handoffs, held = t[t["figure"] == "handoffs per case"], t[t["figure"] == "time in group p50 (h)"]
    assert len(handoffs) == 3 and len(held) == 7
    assert t["inside"].all(), t[~t["inside"]].to_string()
    # the bands have width and are centred near the observed figures, not wide open
    assert (handoffs["simulated_high"] - handoffs["simulated_low"] < 2.5).all()
    assert (abs(handoffs["simulated"] - handoffs["observed"]) < 0.3).all()
    # and the check bites: a model that sends 90% of escalations to insights (truth 30%) is told apart
    text = (trip["folder"] / "company.yaml").read_text()
    right = re.search(r"to insights: \{to: insights, probability: ([0-9.]+)\}", text)
    assert right is not None and 0.2 < float(right[1]) < 0.4  # the first one: social_escalation's community step
    (trip["folder"] / "wrong.yaml").write_text(text.replace(right[0], "to insights: {to: insights, probability: 0.9}", 1))
    t = backtest(load_scenario(trip["folder"] / "wrong.yaml"), trip["logs"], replications=8, seed=11,
                 familywise=True).table
    row = t[(t["figure"] == "handoffs per case") & (t["group"] == "Customer Care / social_escalation")].iloc[0]
    assert row["verdict"] == "model higher", row.to_dict()


HEADER = "case_id,timestamp,group,activity,resource,lifecycle,department,case_type"


def _case(case: str, day: int, route: list[str], close: bool = True) -> list[str]:
    """A case at 10:00 on ``day``: the lead's triage, then each group for an hour (half of it worked)."""
    rows = [f"{case},2026-01-{day:02d}T10:00:00Z,maya,received,,complete,Customer Care,social_escalation",
            f"{case},2026-01-{day:02d}T10:10:00Z,maya,triage,maya,complete,Customer Care,social_escalation"]
    for i, group in enumerate(route):
        h = 11 + i
        rows += [f"{case},2026-01-{day:02d}T{h}:00:00Z,{group},work,,schedule,Customer Care,social_escalation",
                 f"{case},2026-01-{day:02d}T{h}:20:00Z,{group},work,elena,start,Customer Care,social_escalation",
                 f"{case},2026-01-{day:02d}T{h}:50:00Z,{group},work,elena,complete,Customer Care,social_escalation"]
    if close:
        rows.append(f"{case},2026-01-{day:02d}T{11 + len(route)}:00:00Z,{route[-1]},answered,,complete,"
                    "Customer Care,social_escalation")
    return rows


def test_a_hand_made_log_of_a_dozen_cases_gives_its_known_matrix(tmp_path: Path) -> None:
    routes = [["community"]] * 6 + [["community", "insights"]] * 3 + [["community", "insights", "community"]] * 2 + \
        [["insights", "community"]]
    rows = [HEADER]
    for k, route in enumerate(routes, 1):
        rows += _case(f"c{k}", 5 + k, route)
    rows += _case("c13", 20, ["community"], close=False)  # still open at export
    path = tmp_path / "events.csv"
    path.write_text("\n".join(rows) + "\n")
    cal, logs = calibrate([], DEFAULT_EVENT_SCENARIO, tmp_path / "company.yaml", event_logs=[path])
    r = cal.routing[("Customer Care", "social_escalation")]
    assert r.cases == 13 and r.intake == 13
    assert r.matrix().to_dict(orient="index") == {
        "start": {"community": 12, "insights": 1, DONE: 0},
        "community": {"community": 0, "insights": 5, DONE: 9},
        "insights": {"community": 3, "insights": 0, DONE: 3},
    }
    community = r.groups["community"]
    assert community.open == 1 and community.visits == 15
    assert community.probability("insights")[0] == pytest.approx(5 / 14)
    # a visit holds from the previous group's last event to its own last: 10:10 -> 12:00 (110 min) for a case
    # community alone holds; 10:10 -> 11:50 (100) when it hands over; 12:50 -> 14:00 (70) when it has it back
    v = observed_visits(logs, load_scenario(DEFAULT_EVENT_SCENARIO))
    c10 = v[v["case"] == "c10"]
    assert list(c10["group"]) == ["maya", "community", "insights", "community"]
    assert list(c10["hours"] * 60) == pytest.approx([10, 100, 60, 70])
    assert list(c10["next"]) == ["community", "insights", "community", DONE] and c10["intake"].tolist()[0]
    assert list(v.loc[v["case"] == "c1", "hours"] * 60) == pytest.approx([10, 110])
    assert community.holding_median == pytest.approx(100 / 60)  # 3 x 70, 6 x 100 (one open), 6 x 110
    company = load_scenario(tmp_path / "company.yaml")
    reqs = company.demand.departments["Customer Care"].requests
    main, other = reqs["social_escalation"], reqs["social_escalation (starts at insights)"]
    assert [st.name for st in main.steps] == ["community", "insights"]
    assert [st.name for st in other.steps] == ["insights", "community"]
    branch = next(iter(main.steps[0].branches.values()))
    assert (branch.to, branch.probability, main.steps[0].then) == ("insights", 0.357, DONE)
    assert main.steps[1].then in ("community", DONE)  # 3 and 3: a tie, either way on
    assert sum(b.probability for b in main.steps[1].branches.values()) == pytest.approx(0.5)
    assert logs.requests["type"].value_counts().to_dict() == {"social_escalation": 12,
                                                              "social_escalation (starts at insights)": 1}


def _bad_log(tmp_path: Path) -> Path:
    good = _case("g1", 6, ["community"])
    rows = [HEADER, *good,
            "b1,06/01/2026 10:00,community,work,,complete,Customer Care,social_escalation",   # unparseable time
            "b2,2026-01-06T10:00:00Z,marketing,work,,complete,Customer Care,social_escalation",  # unknown group
            good[2],                                                                           # duplicated event
            ",2026-01-06T10:00:00Z,community,work,,complete,Customer Care,social_escalation",  # missing value
            "b3,9999-12-31T00:00:00Z,community,work,,complete,Customer Care,social_escalation",  # out of range
            "b4,2026-01-06T11:00:00Z,community,work,,start,Customer Care,social_escalation",     # rest of b4 ...
            "b4,2026-01-06T12:00:00Z,insights,work",                                           # ... cut short
            ]
    path = tmp_path / "events.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_every_bad_event_row_is_reported_at_its_row_and_counted(tmp_path: Path) -> None:
    path = _bad_log(tmp_path)
    logs = read_logs([], load_mapping(), load_scenario(DEFAULT_EVENT_SCENARIO).channels,
                     scenario=load_scenario(DEFAULT_EVENT_SCENARIO), event_logs=[path])
    report = logs.reports[0]
    assert report.kind == "events" and report.rows == 13
    assert report.used + sum(report.unusable.values()) == report.rows
    assert report.unusable == {"unparseable time stamp": 1, "unknown group": 1, "duplicated event": 1,
                               "missing value": 1, "time stamp out of range": 1, "too few fields": 1,
                               "in a case with an unusable row": 1}
    text = [str(p) for p in report.problems]
    assert text[0].startswith(f"{path}:8: column 'timestamp': unparseable time stamp: expected an ISO 8601 time")
    assert text[1].startswith(f"{path}:9: column 'group': unknown group: expected a group of the team file")
    assert "got 'marketing'" in text[1]
    assert text[2].startswith(f"{path}:10: column 'case_id': duplicated event")
    assert text[3] == f"{path}:11: column 'case_id': missing value: expected a value, got ''"
    assert text[4].startswith(f"{path}:12: column 'timestamp': time stamp out of range: expected a time between")
    assert text[5].startswith(f"{path}:13: column 'case_id': in a case with an unusable row")
    assert text[6].startswith(f"{path}:14: column 'case_id': too few fields: expected 8 values, as in the header")
    assert set(report.unusable) | {"end before start"} == set(EVENT_REASONS)


def test_end_before_start_and_a_mapping_with_constants_for_a_process_mining_export(tmp_path: Path) -> None:
    (tmp_path / "map.yaml").write_text("preset: xes\nevents: {department: {value: Customer Care}, type: {value: "
                                       "social_escalation}}\ngroup_names: {'Social Care L1': 'pod:community'}\n"
                                       "end_activities: [Closed]\n")
    rows = ["case:concept:name,concept:name,org:group,org:resource,start_timestamp,time:timestamp",
            "1,Reply,Social Care L1,tom,2026-01-06T10:00:00Z,2026-01-06T10:30:00Z",
            "1,Closed,SOCIAL CARE L1,tom,,2026-01-06T11:00:00Z",
            "2,Reply,social care l1,tom,2026-01-06T12:00:00Z,2026-01-06T11:30:00Z"]  # end before start
    (tmp_path / "log.csv").write_text("\n".join(rows) + "\n")
    s = load_scenario(DEFAULT_EVENT_SCENARIO)
    logs = read_logs([], load_mapping(tmp_path / "map.yaml"), s.channels, scenario=s, event_logs=[tmp_path / "log.csv"])
    report = logs.reports[0]
    assert report.unusable == {"end before start": 1}
    assert str(report.problems[0]).startswith(f"{tmp_path / 'log.csv'}:4: column 'start_timestamp': end before start")
    assert list(logs.events["group"]) == ["community", "community"]
    assert logs.requests["completed"].notna().all()  # closed by its "Closed" event
    assert any("read as one: 'community'" in w for w in logs.warnings)


@pytest.mark.parametrize(("text", "message"), [
    ("", ":1: empty file: expected a header line and one row per item"),
    (HEADER + "\n", ":2: no rows after the header: expected one row per item"),
    (HEADER + "\n\n\n", ":2: no rows after the header: expected one row per item"),
])
def test_an_empty_or_header_only_log_is_one_positioned_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "events.csv"
    path.write_text(text)
    res = runner.invoke(app, ["calibrate", "--event-log", str(path), "--team", str(DEFAULT_EVENT_SCENARIO), "-o",
                              str(tmp_path / "out.yaml")])
    assert res.exit_code == 1 and res.stderr == f"error: {path}{message}\n"
    assert not (tmp_path / "out.yaml").exists()


def test_a_log_over_the_limits_is_refused_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import orgsim.calibrate.logs as logs_module
    import orgsim.calibrate.table as table

    path = _bad_log(tmp_path)
    monkeypatch.setattr(table, "MAX_LOG_BYTES", 100)
    res = runner.invoke(app, ["calibrate", "--event-log", str(path), "--team", str(DEFAULT_EVENT_SCENARIO), "-o",
                              str(tmp_path / "out.yaml")])
    assert res.exit_code == 1 and len(res.stderr.splitlines()) == 1
    assert res.stderr.startswith(f"error: {path}: 1 KB; a CSV log is limited to 100 bytes") and "--allow-large" in res.stderr
    monkeypatch.setattr(table, "MAX_LOG_BYTES", 10**9)
    monkeypatch.setattr(logs_module, "MAX_LOG_CELLS", 50)
    with pytest.raises(OrgsimError, match=r"104 values together; logs are limited to 50"):
        read_logs([], load_mapping(), [], scenario=load_scenario(DEFAULT_EVENT_SCENARIO), event_logs=[path])
    logs = read_logs([], load_mapping(), [], scenario=load_scenario(DEFAULT_EVENT_SCENARIO), event_logs=[path],
                     allow_large=True)
    assert logs.reports[0].rows == 13


def test_demo_data_event_log_refuses_a_scenario_that_splits_work(tmp_path: Path) -> None:
    """A by-network team splits a cross-channel request over its pods: no single holder, so no event log."""
    res = runner.invoke(app, ["demo-data", str(tmp_path / "d"), "--event-log", "--days", "2", "--scenario",
                              str(Path(DEFAULT_EVENT_SCENARIO).parents[1] / "network.yaml")])
    assert res.exit_code == 1 and "worked in parallel parts" in res.stderr and len(res.stderr.splitlines()) == 1
    assert not (tmp_path / "d" / "events.csv").exists()
    res = runner.invoke(app, ["demo-data", str(tmp_path / "d"), "--event-log", "--days", "2"])
    assert res.exit_code == 0, res.output
    assert "events of" in res.stdout and (tmp_path / "d" / "events.csv").exists()


def _xes(rows: list[str]) -> str:
    """The CSV rows of ``_case`` as an XES log: one trace per case, its department and type as trace attributes."""
    traces: dict[str, list[list[str]]] = {}
    for row in rows[1:]:
        values = row.split(",")
        traces.setdefault(values[0], []).append(values)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">',
           '  <string key="concept:name" value="hand-made"/>']
    for case, events in traces.items():
        out += ["  <trace>", f'    <string key="concept:name" value="{case}"/>',
                f'    <string key="department" value="{events[0][6]}"/>', f'    <string key="type" value="{events[0][7]}"/>',
                '    <list key="tags"><values><string key="tag" value="nested: not read"/></values></list>']
        for _, stamp, group, activity, resource, life, *_ in events:
            out += ["    <event>", f'      <string key="concept:name" value="{activity}"/>',
                    f'      <string key="org:group" value="{group}"/>', f'      <date key="time:timestamp" value="{stamp}"/>',
                    f'      <string key="lifecycle:transition" value="{life}"/>']
            out += [f'      <string key="org:resource" value="{resource}"/>'] if resource else []
            out += ["    </event>"]
        out += ["  </trace>"]
    return "\n".join([*out, "</log>", ""])


def test_an_xes_log_reads_as_its_csv_does(tmp_path: Path) -> None:
    rows = [HEADER]
    for k, route in enumerate([["community"]] * 8 + [["community", "insights"]] * 4, 1):
        rows += _case(f"c{k}", 5 + k, route)
    (tmp_path / "events.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "events.xes").write_text(_xes(rows))
    s = load_scenario(DEFAULT_EVENT_SCENARIO)
    (tmp_path / "map.yaml").write_text("preset: xes\nend_activities: [answered]\n")
    from_csv = read_logs([], load_mapping(), s.channels, scenario=s, event_logs=[tmp_path / "events.csv"])
    from_xes = read_logs([], load_mapping(tmp_path / "map.yaml"), s.channels, scenario=s,
                         event_logs=[tmp_path / "events.xes"])
    cols = ["case", "time", "group", "doer", "activity", "lifecycle", "resource", "department", "type"]
    assert from_xes.events[cols].equals(from_csv.events[cols])
    assert from_xes.requests["completed"].notna().all()
    # each row's place is the line of its <event>
    first = from_xes.events.sort_values("line").iloc[0]
    assert first["activity"] == "received" and first["line"] == 9
    text = _xes(rows).replace('value="2026-01-07T10:10:00Z"', 'value="7 January"', 1)
    (tmp_path / "bad.xes").write_text(text)
    bad = read_logs([], load_mapping(tmp_path / "map.yaml"), s.channels, scenario=s, event_logs=[tmp_path / "bad.xes"])
    (wrong,) = [p for p in bad.reports[0].problems if p.reason == "unparseable time stamp"]
    assert str(wrong).startswith(f"{tmp_path / 'bad.xes'}:{wrong.row}: column 'time:timestamp': unparseable time stamp")
    assert _xes(rows).splitlines()[wrong.row - 1].strip() == "<event>" and wrong.got == "7 January"
    assert bad.reports[0].unusable["in a case with an unusable row"] == 5  # the rest of its case


@pytest.mark.parametrize(("text", "message"), [
    ("<log><trace><event>", r"bad.xes:1:20: not valid XES \(XML\): no element found"),
    ("<log></log>", r"bad.xes: no <event> inside a <trace>: expected an XES event log"),
    ('<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
     '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
     '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
     '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
     '<log><trace><string key="concept:name" value="&h;"/><event/></trace></log>',
     r"not valid XES \(XML\): limit on input amplification factor"),
])
def test_a_broken_or_hostile_xes_file_is_one_positioned_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "bad.xes").write_text(text)
    s = load_scenario(DEFAULT_EVENT_SCENARIO)
    with pytest.raises(OrgsimError, match=message):
        read_logs([], load_mapping(), s.channels, scenario=s, event_logs=[tmp_path / "bad.xes"])
