"""Social-inbox exports as they come, broken logs as they come, and a back-test that reads them right.

The inbox cases are shaped like a public sample of brands' replies to
customers on X (one row per post, X's time format, no channel column, the
brand's replies pointing at what they answer); the broken logs are the
hardening round's reproducers (issue #34, item 5), written here as cases.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from orgsim.calibrate import api
from orgsim.calibrate.api import calibrate
from orgsim.calibrate.backtest import _row, backtest
from orgsim.calibrate.columns import load_mapping
from orgsim.calibrate.demo import demo_logs, write_demo
from orgsim.calibrate.logs import read_logs
from orgsim.cli import app
from orgsim.errors import OrgsimError
from orgsim.scenario import load_scenario
from tests.conftest import ROOT

runner = CliRunner()
NETWORK = ROOT / "scenarios" / "network.yaml"
CHANNELS = ["instagram", "tiktok", "facebook", "x", "linkedin", "youtube"]
INBOX = """tweet_id,author_id,inbound,created_at,text,in_response_to_tweet_id
3,115712,True,Tue Oct 31 22:08:27 +0000 2017,"@brand I have sent several private messages
and no one is responding",
1,brand,False,Tue Oct 31 22:10:47 +0000 2017,@115712 I understand. Please send us a DM,3
2,115712,True,Tue Oct 31 22:11:45 +0000 2017,@brand and how do you propose we do that,1
4,brand,False,Tue Oct 31 22:12:45 +0000 2017,@115712 a second answer to the first post,3
5,115713,TRUE,Wed Nov 01 09:00:00 +0000 2017,@brand my order is late,
6,brand,False,Wed Nov 01 08:59:00 +0000 2017,@115713 answered before it was asked,5
7,brand,False,Wed Nov 01 10:00:00 +0000 2017,@115799 a reply to a post not in the sample,999
8,115714,maybe,Wed Nov 01 11:00:00 +0000 2017,@brand hello,
"""
MAPPING = """preset: generic
messages:
  id: tweet_id
  received: created_at
  channel: {value: X}
  reply_to: in_response_to_tweet_id
  inbound: inbound
  audience: ~
  responded: ~
  responder: author_id
  handle_minutes: ~
"""


def test_an_x_sample_is_read_threaded_and_counted(tmp_path: Path) -> None:
    (tmp_path / "sample.csv").write_text(INBOX)
    (tmp_path / "map.yaml").write_text(MAPPING)
    logs = read_logs([tmp_path / "sample.csv"], load_mapping(tmp_path / "map.yaml"), CHANNELS)
    report = logs.reports[0]
    assert report.rows == 8 and report.used + sum(report.unusable.values()) == 8
    assert report.unusable == {"answered before received": 1, "reply to an unknown message": 1, "missing value": 1}
    assert report.replies == 2 and "(2 of them replies threaded to their message)" in report.summary()
    m = logs.messages.set_index("id")
    assert sorted(m.index) == ["2", "3", "5"] and set(m["channel"]) == {"x"}
    # the first reply answers a post (22:10:47, not the second at 22:12:45); the follow-up and the late order wait
    assert m.at["3", "received"] == pd.Timestamp("2017-10-31T22:08:27Z")
    assert m.at["3", "responded"] == pd.Timestamp("2017-10-31T22:10:47Z")
    assert m[["responded"]].loc[["2", "5"]].isna().all().all()
    text = [str(p) for p in report.problems]
    # lines as the file has them: the first post's text spans two
    assert text[0].startswith(f"{tmp_path / 'sample.csv'}:8: column 'in_response_to_tweet_id': answered before received")
    assert text[1].startswith(f"{tmp_path / 'sample.csv'}:9: column 'in_response_to_tweet_id': reply to an unknown "
                              "message") and "got '999'" in text[1]
    assert text[2].startswith(f"{tmp_path / 'sample.csv'}:10: column 'inbound': missing value: expected true or false")


def test_a_stated_time_format_and_epoch_seconds(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("message_id,received_at,channel\n1,08/01/2026 10:40,instagram\n2,2026-01-08,x\n")
    (tmp_path / "map.yaml").write_text("time_format: '%d/%m/%Y %H:%M'\ntimezone: Europe/Berlin\n")
    logs = read_logs([tmp_path / "m.csv"], load_mapping(tmp_path / "map.yaml"), CHANNELS)
    assert logs.messages["received"].tolist() == [pd.Timestamp("2026-01-08T09:40Z")]  # day first, Berlin
    assert "expected a time in the format '%d/%m/%Y %H:%M'" in str(logs.reports[0].problems[0])
    (tmp_path / "e.csv").write_text("message_id,received_at,channel\n1,1767868800,instagram\n2,99999999999999,x\n")
    (tmp_path / "map.yaml").write_text("time_format: epoch\n")
    logs = read_logs([tmp_path / "e.csv"], load_mapping(tmp_path / "map.yaml"), CHANNELS)
    assert logs.messages["received"].tolist() == [pd.Timestamp("2026-01-08T10:40Z")]
    assert logs.reports[0].unusable == {"time stamp out of range": 1}


def test_department_and_channel_spellings_merge_with_a_warning(tmp_path: Path) -> None:
    rows = ["request_id,created_at,department,request_type", "r1,2026-01-08T10:00:00Z,SE,insight_request",
            "r2,2026-01-08T11:00:00Z,se,insight_request", "r3,2026-01-08T12:00:00Z,SE,insight_request",
            "r4,2026-01-08T13:00:00Z,customer care,instagram_escalation"]
    (tmp_path / "r.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "m.csv").write_text("message_id,received_at,channel\n1,2026-01-08T10:00Z,Instagram\n"
                                    "2,2026-01-08T10:01Z,instagram\n")
    scenario = load_scenario(NETWORK)
    logs = read_logs([tmp_path / "r.csv", tmp_path / "m.csv"], load_mapping(), CHANNELS, scenario=scenario)
    assert logs.requests["department"].tolist() == ["SE", "SE", "SE", "Customer Care"]  # the team file's spelling wins
    assert "department 'se' read as 'SE' (the same name in another case)" in logs.warnings
    assert "department 'customer care' read as 'Customer Care' (the same name in another case)" in logs.warnings
    assert any("channel spellings 'Instagram', 'instagram' read as one channel 'instagram'" in w for w in logs.warnings)
    assert set(logs.messages["channel"]) == {"instagram"}


def _spiky(tmp_path: Path) -> Path:
    """Two weeks of about 40 posts a day, and one day of 400 more (a crawl artefact, or a launch)."""
    rng = np.random.default_rng(5)
    start = pd.Timestamp("2026-01-05T00:00Z")
    times = list(start + pd.to_timedelta(np.sort(rng.uniform(0, 14 * 24, 560)), unit="h"))
    times += list(start + pd.Timedelta(days=9) + pd.to_timedelta(np.sort(rng.uniform(0, 24, 400)), unit="h"))
    frame = pd.DataFrame({"message_id": range(len(times)), "received_at": [t.isoformat() for t in times],
                          "channel": "instagram"})
    path = tmp_path / "messages.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("options", "bursts"), [((), None), (("--no-bursts",), 0), (("--min-burst", "500"), 0),
                                                 (("--min-burst", "300"), 1)])
def test_bursts_can_be_switched_off_or_held_to_a_size(tmp_path: Path, options: tuple[str, ...], bursts: int) -> None:
    path = _spiky(tmp_path)
    out = tmp_path / "company.yaml"
    res = runner.invoke(app, ["calibrate", str(path), "--team", str(NETWORK), "-o", str(out), "--json", *options])
    assert res.exit_code == 0, res.output
    found = load_scenario(out).demand.bursts
    assert json.loads(res.stdout)["messages"]["instagram"]["bursts"] == len(found)
    assert len(found) == bursts if bursts is not None else any(b.start_day == 3 + 9 for b in found.values())
    if bursts:  # the one that is left is the spike: day 9 of the logs, about 11 times the day's 40
        (spike,) = found.values()
        assert spike.start_day == 3 + 9 and 8 < spike.multiplier < 14


def test_the_backtest_compares_only_what_the_logs_observed(tmp_path: Path) -> None:
    """A message log alone: no request figure (the bug: requests per week observed 0, simulated 61, OUTSIDE)."""
    demo = demo_logs(load_scenario(NETWORK), days=8, seed=4)
    paths = write_demo(demo, tmp_path)
    logs = read_logs([paths[0]], load_mapping(), CHANNELS)
    result = backtest(load_scenario(NETWORK), logs, replications=2, seed=3)
    figures = set(result.table["figure"])
    assert "messages per week" in figures and "answered within 24 h" in figures
    assert not any(f.startswith(("requests", "latency")) for f in figures), figures
    # one channel's log is compared with that channel only, on both sides
    only_x = logs.messages[logs.messages["channel"] == "x"]
    logs.messages = only_x.reset_index(drop=True)
    result = backtest(load_scenario(NETWORK), logs, replications=2, seed=3)
    week = result.table[result.table["figure"] == "messages per week"].iloc[0]
    assert week["observed"] == len(only_x[only_x["received"] < only_x["received"].min().floor("D") + pd.Timedelta(days=7)])
    assert week["simulated"] < 2 * week["observed_high"]  # not all six channels' messages
    assert set(result.table.loc[result.table["figure"].str.startswith("reply"), "group"]) == {"x"}


def test_a_band_has_width_when_every_run_gives_the_same_figure() -> None:
    """Every run answers 100% within 24 h; 99.85% of 2,000 observed is inside, 95% is not."""
    runs = np.ones(5)
    inside = _row("answered within 24 h", "all channels", 0.9985, 0.9956, 0.9995, 2000, runs, 0.95)
    assert inside["inside"] and inside["simulated_low"] < 0.9985 < inside["simulated_high"] == 1.0
    outside = _row("answered within 24 h", "all channels", 0.95, 0.94, 0.96, 2000, runs, 0.95)
    assert not outside["inside"] and outside["verdict"] == "model higher"
    counts = _row("messages per week", "week 1", 120.0, 99.5, 143.5, 120, np.full(5, 100.0), 0.95)
    assert counts["inside"] and counts["simulated_high"] > 115  # a Poisson count of 100 swings by about 20
    missing = _row("time in group p50 (h)", "paid", 3.0, 2.0, 4.0, 10, np.full(5, np.nan), 0.95)
    assert not missing["inside"] and missing["verdict"] == "not in the runs"


# --- the hardening round's reproducers (issue #34, item 5) ------------------------------------------------

@pytest.fixture(scope="module")
def small_logs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("small")
    return write_demo(demo_logs(load_scenario(NETWORK), days=2, seed=2), folder)


def _with(path: Path, out: Path, edit: dict[tuple[int, str], str] | None = None, cut: bool = False) -> Path:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for (row, col), value in (edit or {}).items():
        table.loc[row, col] = value
    table.to_csv(out, index=False)
    if cut:  # the export stops in the third value of its 11th row
        lines = out.read_text().splitlines()[:12]
        lines[-1] = ",".join(lines[-1].split(",")[:3])[:-3]
        out.write_text("\n".join(lines))
    return out


def _flat(text: str) -> str:
    """Text without its white space: the terminal wraps long lines where it likes."""
    return "".join(text.split())


def _calibrate(tmp_path: Path, *logs: Path, extra: tuple[str, ...] = ()) -> object:
    return runner.invoke(app, ["calibrate", *map(str, logs), "--team", str(NETWORK), "-o", str(tmp_path / "c.yaml"),
                               *extra])


def test_header_only_logs_are_one_positioned_error(tmp_path: Path, small_logs: list[Path]) -> None:
    header = tmp_path / "requests.csv"
    header.write_text(small_logs[1].read_text().splitlines()[0] + "\n")
    res = _calibrate(tmp_path, small_logs[0], header)
    assert res.exit_code == 1
    assert res.stderr == f"error: {header}:2: no rows after the header: expected one row per item\n"


@pytest.mark.parametrize("value", ["1e308", "inf"])
def test_an_absurd_handling_time_is_blanked_and_counted_in_text_and_json(tmp_path: Path, small_logs: list[Path],
                                                                       value: str) -> None:
    bad = _with(small_logs[0], tmp_path / "messages.csv", {(4, "handle_minutes"): value})
    res = _calibrate(tmp_path, bad, small_logs[1])
    assert res.exit_code == 0, res.output
    assert "1 optional value(s) blanked" in res.stdout
    assert _flat(f"{bad}:6: column 'handle_minutes': value blanked: expected a non-negative number of minutes") in \
        _flat(res.stdout)
    res = _calibrate(tmp_path, bad, small_logs[1], extra=("--json", "--force"))
    data = json.loads(res.stdout)
    assert data["logs"]["files"][0]["blanked"] == 1 and data["logs"]["blanked"][0]["row"] == 6
    assert data["messages"]["instagram"]["per_day"] > 0


def test_a_log_cut_mid_line_counts_the_cut_row(tmp_path: Path, small_logs: list[Path]) -> None:
    bad = _with(small_logs[1], tmp_path / "requests.csv", cut=True)
    res = _calibrate(tmp_path, small_logs[0], bad)
    assert res.exit_code == 0, res.output
    out = _flat(res.stdout)
    assert _flat("10 used, 1 too few fields") in out and _flat(f"{bad}:12: column 'request_id': too few fields") in out


def test_a_far_future_time_stamp_is_a_counted_row_not_a_crash(tmp_path: Path, small_logs: list[Path]) -> None:
    bad = _with(small_logs[0], tmp_path / "messages.csv", {(7, "received_at"): "9999-12-31T00:00:00Z"})
    res = _calibrate(tmp_path, bad, small_logs[1])
    assert res.exit_code == 0, res.output
    assert _flat(f"{bad}:9: column 'received_at': time stamp out of range") in _flat(res.stdout)


@pytest.mark.parametrize(("value", "message"), [
    ("1900-01-01", "--export-time: expected a time between 1970-01-01 and 2199-12-31"),
    ("9999-12-31", "--export-time: expected a time between 1970-01-01 and 2199-12-31"),
    ("2026-01-01", "--export-time 2026-01-01 00:00: before the logs' latest time stamp"),
    ("soon", "--export-time: expected an ISO 8601 time like 2026-02-01T00:00Z, got 'soon'"),
])
def test_a_bad_export_time_is_one_error_line(tmp_path: Path, small_logs: list[Path], value: str, message: str) -> None:
    res = _calibrate(tmp_path, *small_logs, extra=("--export-time", value))
    assert res.exit_code == 1 and len(res.stderr.splitlines()) == 1 and message in res.stderr, res.output


def test_backtest_json_counts_every_unusable_row(tmp_path: Path, small_logs: list[Path]) -> None:
    bad = _with(small_logs[0], tmp_path / "messages.csv", {(3, "channel"): "myspace", (5, "received_at"): "later"})
    assert _calibrate(tmp_path, *small_logs).exit_code == 0
    res = runner.invoke(app, ["backtest", str(tmp_path / "c.yaml"), str(bad), str(small_logs[1]), "--replications",
                              "2", "--json"])
    assert res.exit_code == 0, res.output
    files = json.loads(res.stdout)["logs"]["files"]
    assert files[0]["unusable"] == {"unparseable time stamp": 1, "unknown channel": 1}
    assert files[0]["used"] + 2 == files[0]["rows"] and files[1]["unusable"] == {}
    problems = json.loads(res.stdout)["logs"]["problems"]
    assert [(p["row"], p["column"], p["reason"]) for p in problems] == [
        (5, "channel", "unknown channel"), (7, "received_at", "unparseable time stamp")]


def test_a_scenario_that_would_not_load_is_named_by_its_key_never_by_a_temporary_file(
        tmp_path: Path, small_logs: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path) -> None:
        raise OrgsimError(f"{path}:25:37: demand.messages.tiktok.per_day: 3e+14 is too large")

    monkeypatch.setattr(api, "load_scenario", refuse)
    out = tmp_path / "company.yaml"
    with pytest.raises(OrgsimError) as err:
        calibrate(small_logs, NETWORK, out)
    assert str(err.value).startswith(f"{out}: not written: the scenario fitted from the logs does not load: "
                                     "demand.messages.tiktok.per_day: 3e+14 is too large")
    assert ".tmp" not in str(err.value) and "orgsim-" not in str(err.value)
    assert list(tmp_path.iterdir()) == []  # nothing left behind, temporary or final


@pytest.mark.parametrize(("errno", "says"), [(28, "No space left on device"), (30, "Read-only file system")])
def test_a_full_or_read_only_disk_is_one_error_line_and_leaves_nothing(tmp_path: Path, small_logs: list[Path],
                                                                      monkeypatch: pytest.MonkeyPatch, errno: int,
                                                                      says: str) -> None:
    def fail(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno, says)

    monkeypatch.setattr(Path, "write_text", fail)
    res = _calibrate(tmp_path, *small_logs)
    assert res.exit_code == 1 and len(res.stderr.splitlines()) == 1, res.output
    assert str(tmp_path / "c.yaml") in res.stderr and ".tmp" not in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_mapping_is_checked_where_it_is_written(tmp_path: Path) -> None:
    with pytest.raises(OrgsimError, match=r"^--timezone: expected an IANA zone like 'Europe/London', got 'Mars/Base'$"):
        load_mapping(timezone="Mars/Base")
    cases = {
        "timezone: Mars/Base\n": r"map.yaml:1:1: timezone: expected an IANA zone",
        "messages:\n  received: {value: 2026-01-01}\n": r"map.yaml:2:3: messages.received: an id or a time cannot be one",
        "messages:\n  channel: {constant: x}\n": r"map.yaml:2:3: messages.channel: expected a column name, or \{value: X\}",
        "group_names: {L1: squad:community}\n": r"map.yaml:1:1: group_names: 'l1': expected KIND:NAME with KIND one of",
        "end_activities: Closed\n": r"map.yaml:1:1: end_activities: expected a list of activity names",
        "colums: {}\n": r"map.yaml:1:1: colums: unknown key; expected preset, timezone, time_format",
    }
    for text, message in cases.items():
        (tmp_path / "map.yaml").write_text(text)
        with pytest.raises(OrgsimError, match=message):
            load_mapping(tmp_path / "map.yaml")
