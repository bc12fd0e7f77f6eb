"""A roster in: the sample reads as written, Excel reads as CSV does, and every bad roster is one positioned line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.errors import OrgsimError
from orgsim.roster import load_roster_mapping, read_roster
from orgsim.roster.read import parse_days
from orgsim.scenario import load_scenario
from tests.conftest import ROOT

SAMPLE = ROOT / "docs" / "your-company" / "people.csv"
runner = CliRunner()

HEADER = "Name,Time zone,Shift,channel: TikTok,channel: Instagram,function: community"
GOOD = ["Tia Lee,Europe/London,09:00-17:30,expert,,", "Ivan Cole,Europe/London,09:00-17:30,,expert,expert",
        "Inez Park,Asia/Manila,09:00-17:30,,expert,expert"]


def _write(tmp_path: Path, lines: list[str], name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _init(tmp_path: Path, roster: Path, *extra: str) -> tuple[int, list[str], str]:
    res = runner.invoke(app, ["init", str(tmp_path / "base.yaml"), "--roster", str(roster), "--company", "Acme", *extra])
    return res.exit_code, res.stderr.strip().splitlines(), res.stdout


def test_the_sample_roster_reads_as_written() -> None:
    roster = read_roster(SAMPLE)
    assert len(roster.people) == 12 and roster.lead == "nadia"
    assert roster.channels == ("instagram", "tiktok", "facebook", "x", "linkedin", "youtube")
    assert set(roster.audiences) == {"consumers", "b2b_buyers", "candidates", "creators", "press_investors"}
    people = {p.id: p for p in roster.people}
    keiko = people["keiko"].data
    assert keiko["proficiency"]["channels"]["tiktok"] == "expert"
    assert keiko["proficiency"]["channels"]["youtube"] == "novice"  # an empty skill cell
    assert keiko["proficiency"]["functions"]["paid"] == "none"
    assert keiko["days"] == ["sat", "sun", "mon", "tue", "wed"] and keiko["hours"] == "10:00-18:30"
    assert people["liza"].data["timezone"] == "Asia/Manila" and people["liza"].row == 6
    # a list column: levels where given, a bare name is the short form's "practised"
    assert people["jonas"].data["proficiency"]["audiences"] == {"b2b_buyers": "expert", "press_investors": "practised"}
    assert people["keiko"].data["skills"]["audiences"] == ["creators"]
    # weekly hours without a shift: 20 h over five days from 09:00, and said so
    assert people["tomasz"].data["hours"] == "09:00-13:00" and "20 h a week" in people["tomasz"].note
    assert people["owen"].data["cost_per_year"] == 58000


def test_an_excel_roster_reads_as_its_csv(tmp_path: Path) -> None:
    xlsx = tmp_path / "people.xlsx"
    pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).to_excel(xlsx, index=False, sheet_name="Team")
    from_csv, from_xlsx = read_roster(SAMPLE), read_roster(xlsx)
    assert [p.data for p in from_xlsx.people] == [p.data for p in from_csv.people]
    assert [p.row for p in from_xlsx.people] == [p.row for p in from_csv.people]  # the sheet's rows, header = 1


def test_init_writes_a_base_that_validates_and_names_every_row(tmp_path: Path) -> None:
    code, err, out = _init(tmp_path, SAMPLE, "--currency", "GBP")
    assert code == 0, err
    base = tmp_path / "base.yaml"
    text = base.read_text()
    s = load_scenario(base)
    assert len(s.team.people) == 12 and s.structure.lead == "nadia" and s.run.currency == "GBP"
    assert s.company == "Acme" and s.name == "base, by network" and "PLACEHOLDER" in text
    assert all(f"people.csv row {r}" in text for r in range(2, 14))
    # nothing the user has is overwritten
    again = _init(tmp_path, SAMPLE)
    assert again[0] == 1 and "already exists" in again[1][0]


def test_a_spreadsheet_csv_with_a_byte_order_mark_and_semicolons_reads(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes("\ufeffName;Time zone;Shift;channel: TikTok\r\nTia Lee;Europe/London;09:00-17:30;expert\r\n"
                     .encode("utf-8"))
    (tia,) = read_roster(path).people
    assert tia.data["name"] == "Tia Lee" and tia.data["proficiency"] == {"channels": {"tiktok": "expert"}}


def test_a_mapping_file_maps_headers_and_level_words(tmp_path: Path) -> None:
    roster = _write(tmp_path, ["Employee,Location TZ,Hours,IG,Community mgmt",
                               "Tia Lee,Europe/London,09:00-17:30,Advanced,Beginner",
                               "Ivan Cole,Europe/London,09:00-17:30,-,Advanced"])
    mapping = tmp_path / "map.yaml"
    mapping.write_text("people: {name: Employee, timezone: Location TZ, hours: Hours}\n"
                       "skills: {channels: {IG: instagram}, functions: {Community mgmt: community}}\n"
                       "levels: {Advanced: expert, Beginner: novice, '-': none}\n")
    r = read_roster(roster, load_roster_mapping(mapping))
    tia, ivan = (p.data["proficiency"] for p in r.people)
    assert tia == {"channels": {"instagram": "expert"}, "functions": {"community": "novice"}}
    assert ivan["channels"] == {"instagram": "none"}
    mapping.write_text("people: {nam: Employee}\n")
    with pytest.raises(OrgsimError, match=r"map.yaml: people.nam: unknown role"):
        load_roster_mapping(mapping)


def test_days_are_read_as_people_write_them() -> None:
    assert parse_days("Mon-Fri") == ["mon", "tue", "wed", "thu", "fri"]
    assert parse_days("Friday to Monday") == ["fri", "sat", "sun", "mon"]
    assert parse_days("tue, thu") == ["tue", "thu"] and parse_days("weekdays") is None


BAD = {
    "unknown time zone": ([HEADER, GOOD[0], "Ivan Cole,Europe/Londn,09:00-17:30,,expert,expert"],
                          "people.csv:3: column 'Time zone': unknown time zone: expected an IANA time zone"),
    "duplicate names": ([HEADER, *GOOD, "tia lee,Europe/London,09:00-17:30,,,"],
                        "people.csv:5: column 'Name': duplicate name: expected each person once (also on row 2)"),
    "a word that is not a level": ([HEADER, GOOD[0], "Ivan Cole,Europe/London,09:00-17:30,guru,,expert"],
                                   "people.csv:3: column 'channel: TikTok': not a level: expected expert, practised, "
                                   "novice or none"),
    "a missing column": (["Name,Shift,channel: TikTok", "Tia Lee,09:00-17:30,expert"],
                         "people.csv: missing column for timezone: expected a column headed 'timezone'"),
    # the line an editor shows: a blank line and a quoted note over two lines move the next rows down
    "a bad row after a blank line": ([HEADER, GOOD[0], "", "Ivan Cole,Europe/Londn,09:00-17:30,,expert,expert"],
                                     "people.csv:4: column 'Time zone': unknown time zone"),
    "a bad row after a note over two lines": (
        [HEADER + ",Notes", GOOD[0] + ',"prefers\nmornings"', "Ivan Cole,Europe/Londn,09:00-17:30,,expert,expert,"],
        "people.csv:4: column 'Time zone': unknown time zone"),
    "an empty file": ([""], "people.csv: the file is empty"),
    "a header and no one": ([HEADER], "people.csv: no people"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_a_bad_roster_is_one_positioned_line_and_exit_1(tmp_path: Path, case: str) -> None:
    lines, expected = BAD[case]
    code, err, _ = _init(tmp_path, _write(tmp_path, lines))
    assert code == 1
    assert len(err) == 1 and err[0].startswith("error: ") and "Traceback" not in err[0], err
    assert expected in err[0], err[0]
    assert not (tmp_path / "base.yaml").exists()


def test_an_unknown_structure_is_refused_before_the_roster_is_read(tmp_path: Path) -> None:
    code, err, _ = _init(tmp_path, tmp_path / "not-read.csv", "--structure", "matrix")
    assert code == 1 and len(err) == 1, err
    assert "--structure: expected one of network, function, audience, embedded, hybrid, got 'matrix'" in err[0]


def test_init_refuses_a_folder_where_the_base_goes(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").mkdir()
    code, err, _ = _init(tmp_path, _write(tmp_path, [HEADER, *GOOD]), "--force")
    assert code == 1 and len(err) == 1 and "base.yaml: is a folder; give a file name" in err[0], err


def test_a_roster_over_the_limits_is_one_line(tmp_path: Path) -> None:
    rows = [HEADER] + [f"Person {i},Europe/London,09:00-17:30,expert,,expert" for i in range(10_000)]
    code, err, _ = _init(tmp_path, _write(tmp_path, rows))
    assert code == 1 and len(err) == 1
    assert "people.csv: more than 1,000 people (rows), over the limit of 1,000" in err[0] and "--allow-large" in err[0]


def test_every_bad_row_is_listed_and_counted(tmp_path: Path) -> None:
    rows = [HEADER] + [f"Person {i},Mars/Base,09:00-17:30,expert,," for i in range(25)]
    code, err, _ = _init(tmp_path, _write(tmp_path, rows))
    assert code == 1 and len(err) == 21 and err[-1].endswith("and 5 more problem(s)")
    assert [e.split(":")[2] for e in err[:3]] == ["2", "3", "4"]


def test_excel_without_openpyxl_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    xlsx = tmp_path / "people.xlsx"
    shutil.copy(SAMPLE, tmp_path / "people.csv")
    pd.read_csv(SAMPLE, dtype=str).to_excel(xlsx, index=False)
    import builtins

    real = builtins.__import__

    def no_openpyxl(name: str, *args: object, **kwargs: object) -> object:
        if name == "openpyxl":
            raise ImportError(name)
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_openpyxl)
    with pytest.raises(OrgsimError, match=r"people.xlsx: reading Excel files needs openpyxl: pip install 'orgsim\[xlsx\]'"):
        read_roster(xlsx)


def test_init_with_logs_fits_the_demand_through_the_calibration(tmp_path: Path) -> None:
    assert runner.invoke(app, ["demo-data", str(tmp_path / "logs"), "--days", "7"]).exit_code == 0
    logs = ["--logs", str(tmp_path / "logs" / "messages.csv"), "--logs", str(tmp_path / "logs" / "requests.csv")]
    code, err, out = _init(tmp_path, SAMPLE, *logs)
    assert code == 0, err
    team, base = tmp_path / "base-team.yaml", tmp_path / "base.yaml"
    assert "PLACEHOLDER" in team.read_text() and "extends: base-team.yaml" in base.read_text()
    fitted = load_scenario(base)
    assert fitted.team == load_scenario(team).team
    assert 250 < fitted.demand.messages["instagram"].daily < 350  # the demo's truth is 300 a day
    assert "fitted arrivals" in out


def test_a_failed_calibration_leaves_nothing_behind(tmp_path: Path) -> None:
    bad = _write(tmp_path, ["message_id,received_at,channel", "M1,not a time,instagram"], "messages.csv")
    code, err, _ = _init(tmp_path, SAMPLE, "--logs", str(bad))
    assert code == 1 and err and "no usable rows" in err[-1]
    assert not (tmp_path / "base-team.yaml").exists() and not (tmp_path / "base.yaml").exists()
