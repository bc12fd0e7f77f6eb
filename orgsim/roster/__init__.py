"""A company's roster in: people, hours, time zones and skills from an HR or spreadsheet export.

From Python::

    roster = read_roster("people.csv")  # checked, every bad cell positioned
    data, scenario, design = base_scenario(roster, "Lumen Coffee")  # the base scenario, validated
"""

from orgsim.roster.base import base_scenario, base_text
from orgsim.roster.columns import RosterColumns, load_roster_mapping
from orgsim.roster.read import Roster, RosterPerson, read_roster

__all__ = ["Roster", "RosterColumns", "RosterPerson", "base_scenario", "base_text", "load_roster_mapping",
           "read_roster"]
