"""Which column of a roster holds what: default headers, and a mapping file of the calibration's shape.

A roster has one row per person. Each column has a *role*; a column is
found by its header, compared without case, spaces, hyphens or underscores
(``Time zone`` = ``timezone`` = ``time_zone``). The default headers of each
role are in :data:`HEADERS`. Skills come two ways, mixed as you like:

- a column per skill, headed ``channel: instagram``, ``function: content``
  or ``audience: consumers`` (``:`` ``.`` or ``/`` after the dimension),
  each cell a level or empty;
- a list column per dimension (``channels``, ``functions``, ``audiences``):
  ``instagram: expert; tiktok`` — a name with its level, or a bare name
  (``practised``, as the scenario's ``skills:`` short form reads it).

A mapping file (``--columns roster-map.yaml``, the same shape as the
calibration's: a YAML mapping, roles to your headers) overrides any of it::

    people: {name: Employee, timezone: Location TZ, hours: Shift}
    skills:                          # columns holding one skill's level each
      channels: {IG: instagram, TT: tiktok}
      functions: {Community mgmt: community}
    levels: {Advanced: expert, Intermediate: practised, Beginner: novice, "-": none}
    blank: novice                    # the level of an empty skill cell
    sheet: Team                      # an Excel workbook's sheet (default: the first)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from orgsim.scenario.team import DIMENSIONS, LEVELS
from orgsim.tables import mapping_error, override_roles, read_mapping

__all__ = ["HEADERS", "REQUIRED", "ROLES", "RosterColumns", "key", "load_roster_mapping", "name_of"]

ROLES = ("id", "name", "role", "timezone", "hours", "days", "weekly_hours", "capacity", "cost", "holidays", "lead",
         "channels", "functions", "audiences")
#: without these a person cannot be placed in a simulated week
REQUIRED = ("name", "timezone")
#: headers each role is found under when no mapping names its column (compared by :func:`key`)
HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("id", "person id", "employee id"),
    "name": ("name", "full name", "employee", "person"),
    "role": ("role", "job title", "title", "position"),
    "timezone": ("timezone", "time zone", "tz"),
    "hours": ("shift", "hours", "working hours"),
    "days": ("days", "working days", "work days"),
    "weekly_hours": ("weekly hours", "hours per week", "contract hours"),
    "capacity": ("capacity", "availability"),
    "cost": ("cost per year", "cost", "annual cost", "salary"),
    "holidays": ("holidays", "holiday region", "public holidays"),
    "lead": ("lead", "head of social", "is lead"),
    "channels": ("channels",),
    "functions": ("functions",),
    "audiences": ("audiences",),
}
#: words read as levels without a mapping (the scenario's four, and the US spelling of one)
WORDS: dict[str, str] = {**{level: level for level in LEVELS}, "practiced": "practised"}
_SKILL_HEADER = re.compile(r"^\s*(channel|function|audience)s?\s*[:./]\s*(\S.*?)\s*$", re.IGNORECASE)


def key(header: str) -> str:
    """A header as compared: lower case, without spaces, hyphens and underscores.

    >>> key(" Time-zone "), key("time_zone")
    ('timezone', 'timezone')
    """
    return re.sub(r"[\s_\-]+", "", str(header)).lower()


def name_of(text: str) -> str:
    """A channel, function or audience name as a scenario writes it: lower case, words joined by ``_``.

    >>> name_of("Employer brand"), name_of(" TikTok ")
    ('employer_brand', 'tiktok')
    """
    return re.sub(r"[\s\-]+", "_", str(text).strip()).lower()


@dataclass(frozen=True)
class RosterColumns:
    """What a mapping file says (empty: the defaults)."""

    #: role -> header, for the roles the mapping names
    people: dict[str, str] = field(default_factory=dict)
    #: dimension -> {header: skill name}: columns holding one skill's level each
    skills: dict[str, dict[str, str]] = field(default_factory=dict)
    #: word (lower case) -> level
    levels: dict[str, str] = field(default_factory=lambda: dict(WORDS))
    #: the level of an empty skill cell: novice, as the scenario's short form reads a name a person does not list
    blank: str = "novice"
    sheet: str | None = None
    source: str = ""

    def level(self, word: str) -> str | None:
        """The level a cell's word stands for, or ``None``."""
        return self.levels.get(word.strip().lower())

    def skill_header(self, header: str) -> tuple[str, str] | None:
        """(dimension, skill name) if ``header`` is a column of one skill."""
        for dim, columns in self.skills.items():
            for mapped, skill in columns.items():
                if key(mapped) == key(header):
                    return dim, skill
        m = _SKILL_HEADER.match(str(header))
        return (f"{m.group(1).lower()}s", name_of(m.group(2))) if m else None


def load_roster_mapping(path: str | Path | None) -> RosterColumns:
    """The mapping file at ``path`` (see the module docstring), checked; ``None``: the defaults.

    >>> load_roster_mapping(None).level("Expert")
    'expert'
    """
    if path is None:
        return RosterColumns()
    shown = str(path)
    data = read_mapping(path, ("people", "skills", "levels", "blank", "sheet"))
    people: dict[str, str] = {}
    override_roles(data, shown, "people", ROLES, REQUIRED, people)
    skills: dict[str, dict[str, str]] = {}
    given = data.get("skills") or {}
    if not isinstance(given, dict):
        raise mapping_error(shown, "skills", f"expected {', '.join(DIMENSIONS)}, each a mapping of column -> name")
    for dim, columns in given.items():
        if dim not in DIMENSIONS:
            raise mapping_error(shown, f"skills.{dim}", f"unknown dimension; expected one of {', '.join(DIMENSIONS)}")
        if not isinstance(columns, dict):
            raise mapping_error(shown, f"skills.{dim}", "expected a mapping of column header -> skill name")
        skills[dim] = {str(h): name_of(str(n)) for h, n in columns.items()}
    levels = dict(WORDS)
    words = data.get("levels") or {}
    if not isinstance(words, dict):
        raise mapping_error(shown, "levels", f"expected a mapping of your word -> {', '.join(LEVELS)}")
    for word, level in words.items():
        if str(level) not in LEVELS:
            raise mapping_error(shown, f"levels.{word}", f"expected one of {', '.join(LEVELS)}, got {level!r}")
        levels[str(word).strip().lower()] = str(level)
    blank = str(data.get("blank") or "novice")
    if blank not in LEVELS:
        raise mapping_error(shown, "blank", f"expected one of {', '.join(LEVELS)}, got {blank!r}")
    sheet = data.get("sheet")
    return RosterColumns(people, skills, levels, blank, None if sheet is None else str(sheet), shown)
