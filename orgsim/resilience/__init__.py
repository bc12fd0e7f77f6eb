"""What breaks without X: each design put through absences, a crisis, a launch and a hiring freeze.

``resilience(designs)`` runs, for every design, each person's absence (and
each shared role's), named stresses (a crisis burst on a channel, a launch
week, the lead away during the launch, a seat left empty), and the groups of
a skill's people its bus factor needs, each on common random numbers against
the same design at full strength; budgeted before it starts, resumable after a
kill, and run through the one pool (serial, local processes or Dask). The
result says, per design, whose absence misses a target, each skill's
simulated bus factor and what each stress costs, with 95% intervals
(:mod:`orgsim.resilience.summary`).
"""

from orgsim.resilience.run import Resilience, resilience
from orgsim.resilience.stresses import Options
from orgsim.resilience.tables import read_resilience, resilience_json, write_resilience

__all__ = ["Options", "Resilience", "read_resilience", "resilience", "resilience_json", "write_resilience"]
