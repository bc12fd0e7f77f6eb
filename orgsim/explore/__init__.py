"""Where each design wins: sensitivity analysis and scenario discovery over uncertain inputs.

``explore(designs, inputs)`` samples the inputs (SALib's Morris or Sobol
designs), runs every point × design × replication on the local pool or Dask,
and returns DataFrames: the outcomes, the sensitivity indices per primary
metric and per paired difference between designs, and for each pair of designs
the rule of where each wins ("A beats B unless ...", :mod:`orgsim.explore.prim`).
"""

from orgsim.explore.inputs import DEFAULT_INPUTS, GROUPS, Input, default_inputs, parse_vary
from orgsim.explore.run import METHODS, Exploration, explore
from orgsim.explore.tables import exploration_json, read_exploration, write_exploration

__all__ = ["DEFAULT_INPUTS", "GROUPS", "METHODS", "Exploration", "Input", "default_inputs", "exploration_json",
           "explore", "parse_vary", "read_exploration", "write_exploration"]
