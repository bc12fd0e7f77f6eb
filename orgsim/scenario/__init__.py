"""Scenario layer: load YAML, merge ``extends:``, validate into plain data."""

from orgsim.scenario.loading import load_data, load_scenario, scenario_from_data
from orgsim.scenario.model import PRIORITY_RANK, Scenario

__all__ = ["PRIORITY_RANK", "Scenario", "load_data", "load_scenario", "scenario_from_data"]
