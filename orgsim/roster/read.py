"""Reading a roster, row by row: every bad cell reported by its file, row and column; nothing guessed.

Each cell is checked with the scenario's own rules (time zones, shifts and
holiday regions validate as they would in a scenario file) and a problem
is a :class:`~orgsim.calibrate.logs.RowProblem`, the calibration's
positioned line: ``people.csv:4: column 'Time zone': unknown time zone:
expected ..., got 'Europe/Londn'``. A roster with any problem is refused
whole (every problem listed, at most 20, then a count): a team with a
person missing is not the team.

Sizes are checked before the rows are: a file over :data:`MAX_ROSTER_BYTES`
or with more people than the scenario limit (``MAX_PEOPLE``, lifted by
``orgsim --allow-large``) is one line.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import TypeAdapter, ValidationError

from orgsim.calibrate.logs import RowProblem
from orgsim.errors import OrgsimError
from orgsim.roster.columns import HEADERS, REQUIRED, RosterColumns, key, name_of
from orgsim.scenario.clock import Hours, TimeZone
from orgsim.scenario.limits import HOW, MAX_PEOPLE
from orgsim.scenario.references import _unknown_region
from orgsim.scenario.team import DIMENSIONS
from orgsim.scenario.types import WEEKDAYS
from orgsim.tables import read_table, row_number

__all__ = ["MAX_ROSTER_BYTES", "Roster", "RosterPerson", "parse_days", "read_roster"]

#: a roster of 1,000 people with forty columns is under 1 MB; ten times that is not a roster
MAX_ROSTER_BYTES = 10_000_000
#: problems listed before the rest are counted (as ``orgsim validate`` does)
SHOWN = 20
_TIMEZONE = TypeAdapter(TimeZone)
_HOURS = TypeAdapter(Hours)
_DAY = {d: d for d in WEEKDAYS} | {
    full: d for d, full in zip(WEEKDAYS, ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                          "sunday"), strict=True)}
_TRUE = {"yes", "y", "true", "x", "1", "lead"}
_FALSE = {"", "no", "n", "false", "0", "-"}
_LIST = re.compile(r"\s*[;,|]\s*")
_ITEM = re.compile(r"^(.*?)\s*(?:[:=]\s*(.+?)|\((.+?)\))?\s*$")
_MONEY = re.compile(r"^[^\d\-]{0,4}?\s*(-?[\d][\d,\s]*(?:\.\d+)?)\s*[A-Za-z]{0,3}$")


@dataclass(frozen=True)
class RosterPerson:
    """One person as the scenario will have them, and where they came from."""

    id: str
    row: int
    #: the ``team.people.<id>`` fields
    data: dict[str, Any]
    #: what was derived rather than read (a shift from weekly hours), for the written file's comments
    note: str = ""


@dataclass(frozen=True)
class Roster:
    """A checked roster: the people, the lead, and the catalogue their skills name."""

    file: str
    people: tuple[RosterPerson, ...]
    lead: str | None
    channels: tuple[str, ...]
    functions: tuple[str, ...]
    audiences: tuple[str, ...]
    #: the most common time zone of the team (ties: the first person's)
    timezone: str


def parse_days(text: str) -> list[str] | None:
    """Working days as a scenario lists them: ``mon-fri``, ``sat-wed`` (wraps), ``Mon, Wed, Fri``; else ``None``.

    >>> parse_days("Sat-Wed"), parse_days("mon, wed,fri"), parse_days("someday")
    (['sat', 'sun', 'mon', 'tue', 'wed'], ['mon', 'wed', 'fri'], None)
    """
    days: list[str] = []
    for part in re.split(r"\s*[,;/]\s*|\s+and\s+", text.strip().lower()):
        if not part:
            continue
        ends = re.split(r"\s*(?:-|–|—|\bto\b)\s*", part)
        if len(ends) == 1 and ends[0] in _DAY:
            days.append(_DAY[ends[0]])
        elif len(ends) == 2 and ends[0] in _DAY and ends[1] in _DAY:
            i, j = WEEKDAYS.index(_DAY[ends[0]]), WEEKDAYS.index(_DAY[ends[1]])
            days += [WEEKDAYS[(i + k) % 7] for k in range((j - i) % 7 + 1)]
        else:
            return None
    return list(dict.fromkeys(days)) or None


def _slug(name: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_") or "person"


def _ids(names: list[str]) -> list[str]:
    """Short ids from names: the first name, then first name and surname where two share it, then a number."""
    first = [_slug(n).split("_")[0] for n in names]
    full = [_slug(n) for n in names]
    counts = Counter(first)
    out: list[str] = []
    for f, whole in zip(first, full, strict=True):
        cand = f if counts[f] == 1 else whole
        base, i = cand, 2
        while cand in out:
            cand, i = f"{base}_{i}", i + 1
        out.append(cand)
    return out


def _columns(table: pd.DataFrame, cols: RosterColumns, shown: str) -> dict[str, str]:
    """The table's header for each role it has (role -> header)."""
    by_key = {key(c): c for c in table.columns}
    found: dict[str, str] = {}
    for role, headers in HEADERS.items():
        if role in cols.people:
            mapped = cols.people[role]
            if key(mapped) not in by_key:
                raise OrgsimError(f"{shown}: missing column {mapped!r} (people.{role} in {cols.source}); found "
                                  f"{', '.join(map(repr, list(table.columns)[:12]))}")
            found[role] = by_key[key(mapped)]
            continue
        hit = next((by_key[key(h)] for h in headers if key(h) in by_key), None)
        if hit is not None:
            found[role] = hit
        elif role in REQUIRED:
            raise OrgsimError(f"{shown}: missing column for {role}: expected a column headed {headers[0]!r} (or "
                              f"{', '.join(map(repr, headers[1:]))}; map yours with --columns); found "
                              f"{', '.join(map(repr, list(table.columns)[:12]))}")
    if "hours" not in found and "weekly_hours" not in found:
        raise OrgsimError(f"{shown}: missing column for working time: expected a shift column headed 'shift' "
                          f"(\"09:00-17:30\") or a 'weekly hours' column (map yours with --columns)")
    return found


def _check_size(path: Path, allow_large: bool) -> None:
    if path.is_file() and path.stat().st_size > MAX_ROSTER_BYTES:
        raise OrgsimError(f"{path}: {path.stat().st_size / 1e6:.1f} MB; a roster over {MAX_ROSTER_BYTES / 1e6:.0f} MB "
                          "is not read (one row per person is well under 1 KB)")


def read_roster(path: str | Path, cols: RosterColumns | None = None, lead: str | None = None, *,
                allow_large: bool = False) -> Roster:
    """Read and check a roster (CSV, Parquet or Excel); raise :class:`~orgsim.errors.OrgsimError` listing every problem.

    ``lead`` names the head of social (a name or id) where no ``lead`` column marks them.
    """
    cols = cols or RosterColumns()
    path = Path(path)
    shown = str(path)
    _check_size(path, allow_large)
    table = read_table(path, sheet=cols.sheet, max_rows=None if allow_large else MAX_PEOPLE + 1)
    if len(table) > MAX_PEOPLE and not allow_large:
        raise OrgsimError(f"{shown}: more than {MAX_PEOPLE:,} people (rows), over the limit of {MAX_PEOPLE:,}; {HOW}")
    if table.empty:
        raise OrgsimError(f"{shown}: no people: expected a row per person under the header row")
    roles = _columns(table, cols, shown)
    skill_columns = {c: hit for c in table.columns if (hit := cols.skill_header(c)) is not None
                     and c not in roles.values()}
    problems: list[RowProblem] = []
    people: list[RosterPerson] = []
    names: dict[str, int] = {}
    leads: list[tuple[str, int, str]] = []
    catalogue: dict[str, list[str]] = {d: [] for d in DIMENSIONS}
    for dim, name in skill_columns.values():
        catalogue[dim].append(name)
    ids = _ids([str(v).strip() for v in table[roles["name"]]])
    if "id" in roles:
        ids = [_slug(v) if str(v).strip() else ids[i] for i, v in enumerate(table[roles["id"]])]
    for i, row in enumerate(table.to_dict("records")):
        line = row_number(path, i, table)

        def bad(role_or_col: str, reason: str, expected: str, line: int = line, row: dict[str, Any] = row) -> None:
            column = roles.get(role_or_col, role_or_col)
            problems.append(RowProblem(shown, line, column, reason, expected, str(row.get(column, ""))))

        person = _person(row, roles, skill_columns, cols, bad, catalogue)
        name = str(row[roles["name"]]).strip()
        if not name:
            bad("name", "missing value", "the person's name")
            continue
        if key(name) in names:
            bad("name", "duplicate name", f"each person once (also on row {names[key(name)]})")
            continue
        names[key(name)] = line
        if "lead" in roles:
            flag = str(row[roles["lead"]]).strip().lower()
            if flag in _TRUE:
                leads.append((ids[i], line, str(row[roles["lead"]])))
            elif flag not in _FALSE:
                bad("lead", "not yes or no", "yes (the head of social) or empty")
        if person is not None:
            people.append(RosterPerson(ids[i], line, {"name": name, **person[0]}, person[1]))
    if len(leads) > 1:
        problems.append(RowProblem(shown, leads[1][1], roles["lead"], "a second lead",
                                   f"one lead (row {leads[0][1]} is marked already)", leads[1][2]))
    if problems:
        lines = [str(p) for p in problems[:SHOWN]]
        if len(problems) > SHOWN:
            lines.append(f"{shown}: ... and {len(problems) - SHOWN} more problem(s)")
        raise OrgsimError("\n".join(lines))
    the_lead = leads[0][0] if leads else _find_lead(lead, people, shown)
    zones = Counter(p.data["timezone"] for p in people)
    zone = max(zones, key=lambda z: (zones[z], -[p.data["timezone"] for p in people].index(z)))
    return Roster(shown, tuple(people), the_lead, tuple(dict.fromkeys(catalogue["channels"])),
                  tuple(dict.fromkeys(catalogue["functions"])), tuple(dict.fromkeys(catalogue["audiences"])), zone)


def _find_lead(lead: str | None, people: list[RosterPerson], shown: str) -> str | None:
    if lead is None:
        return None
    for p in people:
        if key(lead) in (key(p.id), key(p.data["name"])):
            return p.id
    raise OrgsimError(f"--lead: no one called {lead!r} in {shown}; expected one of "
                      f"{', '.join(repr(p.data['name']) for p in people[:8])}")


def _person(row: dict[str, Any], roles: dict[str, str], skill_columns: dict[str, tuple[str, str]],
            cols: RosterColumns, bad: Callable[..., None], catalogue: dict[str, list[str]]) -> tuple[dict[str, Any], str] | None:
    """One row's person fields, or ``None`` after reporting what is wrong with it."""
    out: dict[str, Any] = {}
    note = ""
    ok = True

    def cell(role: str) -> str:
        return str(row[roles[role]]).strip() if role in roles else ""

    if cell("role"):
        out["role"] = cell("role")
    zone = cell("timezone")
    try:
        out["timezone"] = _TIMEZONE.validate_python(zone) if zone else None
    except ValidationError:
        out["timezone"] = None
    if out["timezone"] is None:
        ok = False
        bad("timezone", "missing value" if not zone else "unknown time zone",
            "an IANA time zone like Europe/London or America/New_York, or UTC+05:30")
    days = parse_days(cell("days")) if cell("days") else ["mon", "tue", "wed", "thu", "fri"]
    if days is None:
        ok = False
        bad("days", "unreadable days", "days like mon-fri, sat-wed or mon, wed, fri")
    else:
        out["days"] = days
    shift, weekly = cell("hours"), cell("weekly_hours")
    if shift:
        try:
            out["hours"] = _HOURS.validate_python(shift)
        except ValidationError:
            ok = False
            bad("hours", "unreadable shift", 'a shift like "09:00-17:30" (local time; may wrap midnight)')
        if weekly:
            note = f"weekly hours {weekly} in the roster; the shift decides when they work"
    elif weekly:
        value = pd.to_numeric(weekly, errors="coerce")
        per_day = value / len(days) if days and pd.notna(value) else float("nan")
        if not (pd.notna(value) and 0 < value and 0 < per_day <= 15):
            ok = False
            bad("weekly_hours", "not a working week", "hours a week above 0 and at most 15 a working day")
        else:
            end = 9 + per_day  # a day starting at 09:00 local: an assumption where the roster gives no shift
            out["hours"] = f"09:00-{int(end):02d}:{round(end % 1 * 60):02d}"
            note = f"shift assumed from {weekly} h a week: {per_day:g} h a day from 09:00"
    else:
        ok = False
        bad("hours" if "hours" in roles else "weekly_hours", "missing value", 'a shift like "09:00-17:30" or hours a week')
    if cell("capacity"):
        text = cell("capacity")
        share = pd.to_numeric(text.rstrip("%"), errors="coerce")
        share = share / 100 if text.endswith("%") else share
        if not (pd.notna(share) and 0 < share <= 1):
            ok = False
            bad("capacity", "not a share", "the share of their time for this work, like 0.8 or 80%")
        else:
            out["capacity"] = float(share)
    if cell("cost"):
        m = _MONEY.match(cell("cost"))
        value = pd.to_numeric(re.sub(r"[,\s]", "", m.group(1)), errors="coerce") if m else float("nan")
        if not (pd.notna(value) and value >= 0):
            ok = False
            bad("cost", "not a yearly cost", "a number like 62000, 62,000 or £62,000")
        else:
            out["cost_per_year"] = float(value)
    if cell("holidays"):
        region = cell("holidays").upper()
        wrong = _unknown_region(region, ())
        if wrong:
            ok = False
            bad("holidays", "unknown holiday region", "a country code such as GB, US, DE, PH, optionally with a "
                "region (GB-ENG, US-NY)")
        else:
            out["holidays"] = region
    proficiency: dict[str, dict[str, str]] = {}
    listed: dict[str, list[str]] = {}
    for column, (dim, name) in skill_columns.items():
        word = str(row[column]).strip()
        level = cols.level(word) if word else cols.blank
        if level is None:
            ok = False
            bad(column, "not a level", _LEVEL_HELP)
        else:
            proficiency.setdefault(dim, {})[name] = level
    for dim in DIMENSIONS:
        text = cell(dim)
        for item in filter(None, _LIST.split(text)):
            m = _ITEM.match(item)
            assert m is not None
            name, word = name_of(m.group(1)), (m.group(2) or m.group(3) or "").strip()
            if not name:
                continue
            catalogue[dim].append(name)
            if not word:
                listed.setdefault(dim, []).append(name)
                continue
            level = cols.level(word)
            if level is None:
                ok = False
                bad(dim, "not a level", _LEVEL_HELP)
            else:
                proficiency.setdefault(dim, {})[name] = level
    if listed:
        out["skills"] = listed
    if proficiency:
        out["proficiency"] = proficiency
    return (out, note) if ok else None


_LEVEL_HELP = "expert, practised, novice or none, or empty (map your own words under levels: in a --columns file)"
