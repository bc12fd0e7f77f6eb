"""Organisation layer: the graph of people, pods and departments, and routing."""

from orgsim.org.graph import Leg, build_org, handoff_legs
from orgsim.org.structures import STRUCTURES, Route, Structure, Work, structure_for

__all__ = ["STRUCTURES", "Leg", "Route", "Structure", "Work", "build_org", "handoff_legs", "structure_for"]
