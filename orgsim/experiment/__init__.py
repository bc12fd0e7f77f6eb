"""Experiments layer: many runs of one or several scenarios."""

from orgsim.experiment.replications import replicate, replication_seeds

__all__ = ["replicate", "replication_seeds"]
