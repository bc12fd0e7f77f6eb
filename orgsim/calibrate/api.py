"""``calibrate``: logs + the analyst's team file -> a validated, commented scenario file."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from orgsim.calibrate.build import WARMUP_DAYS, Calibration, build_document
from orgsim.calibrate.columns import ColumnMap, load_mapping
from orgsim.calibrate.logs import Logs, cut, read_logs
from orgsim.calibrate.routing import Routing, route_cases
from orgsim.calibrate.times import EARLIEST, LATEST
from orgsim.errors import OrgsimError
from orgsim.scenario.loading import load_data, load_scenario, scenario_from_data
from orgsim.scenario.yamltext import dump_yaml
from orgsim.writes import check_file_target, writing

__all__ = ["calibrate", "dump", "parse_time"]

_AT = re.compile(r"^\S+?:\d+:\d+: ")


def parse_time(text: str | None, option: str = "--export-time") -> pd.Timestamp | None:
    """An ISO 8601 time (UTC unless it says otherwise), or None.

    >>> parse_time("2026-02-01T00:00Z")
    Timestamp('2026-02-01 00:00:00+0000', tz='UTC')
    """
    if text is None:
        return None
    try:
        t = pd.Timestamp(text)
    except (ValueError, OverflowError):
        t = pd.NaT
    if pd.isna(t):
        raise OrgsimError(f"{option}: expected an ISO 8601 time like 2026-02-01T00:00Z, got {text!r}")
    t = t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")
    if not EARLIEST <= t < LATEST:
        raise OrgsimError(f"{option}: expected a time between {EARLIEST:%Y-%m-%d} and "
                          f"{LATEST - pd.Timedelta(days=1):%Y-%m-%d} (when logs can have been written), got {text!r}")
    return t


def dump(cal: Calibration) -> str:
    return dump_yaml(cal.document)


def calibrate(logs: Sequence[str | Path], team: str | Path, out: str | Path, columns: ColumnMap | None = None,
              export_time: pd.Timestamp | None = None, force: bool = False,
              warmup_days: float = WARMUP_DAYS, until: pd.Timestamp | None = None, *,
              event_logs: Sequence[str | Path] = (), bursts: bool = True, min_burst: float = 0.0,
              allow_large: bool = False) -> tuple[Calibration, Logs]:
    """Fit a scenario from ``logs`` (and ``event_logs``) over ``team`` and write it to ``out``.

    The file is written only once it loads as a valid scenario; an existing
    ``out`` is kept unless ``force``. ``until`` fits only what an export taken
    then would have shown (later arrivals left out, later answers still open),
    so that ``orgsim backtest --holdout-from`` compares on unseen data. An
    event log's case types get workflows (steps, branches, doers) reproducing
    its routing. ``bursts=False`` fits no bursts; a burst must bring at least
    ``min_burst`` arrivals above the expectation. ``allow_large`` lifts the
    size limits of the logs.
    """
    out, team = Path(out), Path(team)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OrgsimError(f"--out {out}: cannot create its folder: {exc.strerror or exc}") from None
    target = check_file_target(out, force, "--out")  # before the logs are read, and again as it is written
    if out.resolve() == team.resolve():
        raise OrgsimError(f"{out}: is the team file itself; write the calibrated scenario elsewhere")
    data, positions = load_data(team)
    scenario = scenario_from_data(data, positions, str(team))
    checked = read_logs(logs, columns or load_mapping(), scenario.channels, export_time, scenario=scenario,
                        event_logs=event_logs, allow_large=allow_large)
    if until is not None:
        first = min(t.min() for t in (checked.messages.get("received"), checked.requests.get("created"))
                    if t is not None and len(t))
        if not first < until <= checked.export_time:
            raise OrgsimError(f"--until: expected a time after the logs' first {first:%Y-%m-%d %H:%M} and not after "
                              f"their export {checked.export_time:%Y-%m-%d %H:%M} UTC, got {until}")
        checked = cut(checked, until)
    routing: dict[tuple[str, str], Routing] = {}
    if len(checked.events):
        checked, routing = route_cases(checked, scenario)
    cal = build_document(checked, scenario, data, team, out, warmup_days, routing=routing, bursts=bursts,
                         min_burst=min_burst)
    text = dump(cal)
    with writing(target, force, "--out", checked=True) as tmp:
        tmp.write_text(text, encoding="utf-8")
        try:
            load_scenario(tmp)
        except OrgsimError as exc:  # named by the file it would have been and the key, never the temporary file
            first = _AT.sub("", str(exc).splitlines()[0]).replace(f"{tmp}: ", "").replace(str(tmp), str(out))
            raise OrgsimError(f"{out}: not written: the scenario fitted from the logs does not load: {first} (a value "
                              "fitted from the logs; the rows listed above are what it rests on)") from None
    return cal, checked
