"""``orgsim init --roster``: the base scenario written, and with ``--logs`` its demand fitted by the calibration.

Without logs, ``PATH`` is the roster's base scenario (placeholder demand).
With logs, the roster's scenario goes beside it as ``<stem>-team.yaml`` and
``PATH`` is what ``orgsim calibrate`` writes over it (``extends:`` the team
file, demand from the logs), through the calibration's own API. No file is
overwritten without ``force``; each is written whole and renamed into place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from orgsim.design.generate import DESIGN_KINDS, Design
from orgsim.errors import OrgsimError
from orgsim.roster.base import base_scenario, base_text
from orgsim.roster.columns import RosterColumns
from orgsim.roster.read import Roster, read_roster
from orgsim.scenario.loading import load_scenario
from orgsim.scenario.schema import schema_ref
from orgsim.writes import check_file_target, writing

if TYPE_CHECKING:
    from orgsim.calibrate.build import Calibration
    from orgsim.calibrate.columns import ColumnMap
    from orgsim.calibrate.logs import Logs

__all__ = ["Initialised", "init_from_roster", "team_path"]


@dataclass(frozen=True)
class Initialised:
    """What ``init --roster`` wrote."""

    roster: Roster
    team_file: Path
    design: Design
    #: the calibrated scenario and what the calibration fitted and read, with ``--logs``
    calibrated: Path | None = None
    calibration: tuple[Calibration, Logs] | None = None


def team_path(path: Path) -> Path:
    """Where the roster's scenario goes when ``path`` is to be the calibrated one.

    >>> team_path(Path("company/base.yaml")).as_posix()
    'company/base-team.yaml'
    """
    return path.with_name(f"{path.stem}-team{path.suffix or '.yaml'}")


def init_from_roster(path: Path, roster_file: Path, company: str, columns: RosterColumns | None = None, *,
                     structure: str = "network", timezone: str | None = None, currency: str | None = None,
                     lead: str | None = None, force: bool = False, logs: Sequence[Path] = (),
                     log_columns: ColumnMap | None = None, command: str = "orgsim init", allow_large: bool = False) -> Initialised:
    """Read ``roster_file``, write the base scenario (and, with ``logs``, calibrate it into ``path``)."""
    if not company.strip():
        raise OrgsimError("--company: name the company (it titles every design and report)")
    if structure not in DESIGN_KINDS:  # before the roster is read: a typo costs no reading
        raise OrgsimError(f"--structure: expected one of {', '.join(DESIGN_KINDS)}, got {structure!r}")
    team_file = team_path(path) if logs else path
    team_file.parent.mkdir(parents=True, exist_ok=True)
    team_file = check_file_target(team_file, force, "init")  # a folder, a device, an existing file: refused now
    if logs:
        check_file_target(path, force, "init")
    fresh = not team_file.exists()
    roster = read_roster(roster_file, columns, lead, allow_large=allow_large)
    data, _, design = base_scenario(roster, company.strip(), structure, timezone, currency, allow_large=allow_large)
    text = base_text(roster, data, design, schema_ref(team_file.parent), command)
    with writing(team_file, force, "init", checked=True) as tmp:  # a full disk: one line, nothing published
        tmp.write_text(text, encoding="utf-8")
        try:
            load_scenario(tmp, allow_large=allow_large)  # what is published validates
        except OrgsimError as exc:
            raise OrgsimError(f"{team_file}: the written scenario does not load: {str(exc).splitlines()[0]}") from None
    if not logs:
        return Initialised(roster, team_file, design)
    from orgsim.calibrate import api

    try:
        fitted = api.calibrate(list(logs), team_file, path, log_columns, force=force)
    except OrgsimError:
        if fresh:  # nothing half done is left behind: the team file goes with the failed calibration
            team_file.unlink(missing_ok=True)
        raise
    return Initialised(roster, team_file, design, path, fitted)
