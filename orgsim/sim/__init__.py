"""Simulation layer: a SimPy model of one scenario, one seed per run."""

from orgsim.sim.engine import Model, simulate
from orgsim.sim.result import Result

__all__ = ["Model", "Result", "simulate"]
