"""``calibrate``: logs + the analyst's team file -> a validated, commented scenario file."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from ruamel.yaml import YAML

from orgsim.calibrate.build import WARMUP_DAYS, Calibration, build_document
from orgsim.calibrate.columns import ColumnMap, load_mapping
from orgsim.calibrate.logs import Logs, cut, read_logs
from orgsim.errors import OrgsimError
from orgsim.scenario.loading import load_data, load_scenario, scenario_from_data
from orgsim.writes import check_file_target, writing

__all__ = ["calibrate", "dump", "parse_time"]


def parse_time(text: str | None, option: str = "--export-time") -> pd.Timestamp | None:
    """An ISO 8601 time (UTC unless it says otherwise), or None."""
    if text is None:
        return None
    try:
        t = pd.Timestamp(text)
    except ValueError:
        raise OrgsimError(f"{option}: expected an ISO 8601 time like 2026-02-01T00:00Z, got {text!r}") from None
    return t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")


def dump(cal: Calibration) -> str:
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    buf = io.StringIO()
    yaml.dump(cal.document, buf)
    return buf.getvalue()


def calibrate(logs: Sequence[str | Path], team: str | Path, out: str | Path, columns: ColumnMap | None = None,
              export_time: pd.Timestamp | None = None, force: bool = False,
              warmup_days: float = WARMUP_DAYS, until: pd.Timestamp | None = None) -> tuple[Calibration, Logs]:
    """Fit a scenario from ``logs`` over ``team`` and write it to ``out``.

    The file is written only once it loads as a valid scenario; an existing
    ``out`` is kept unless ``force``. ``until`` fits only what an export taken
    then would have shown (later arrivals left out, later answers still open),
    so that ``orgsim backtest --holdout-from`` compares on unseen data.
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
    checked = read_logs(logs, columns or load_mapping(), scenario.channels, export_time)
    if until is not None:
        checked = cut(checked, until)
    cal = build_document(checked, scenario, data, team, out, warmup_days)
    text = dump(cal)
    with writing(target, force, "--out", checked=True) as tmp:
        tmp.write_text(text, encoding="utf-8")
        try:
            load_scenario(tmp)
        except OrgsimError as exc:
            raise OrgsimError(f"{out}: the calibrated scenario does not load: {str(exc).splitlines()[0]}") from None
    return cal, checked
