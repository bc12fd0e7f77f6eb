"""Analytic fast paths: queueing-theory figures without running the simulation."""

from orgsim.analytic.queueing import erlang_c, mmc_sojourn, mmc_wait, tandem_sojourn

__all__ = ["erlang_c", "mmc_wait", "mmc_sojourn", "tandem_sojourn"]
