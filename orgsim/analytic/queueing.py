"""Closed forms for the queues the engine reduces to.

An always-on pod of ``c`` interchangeable people fed by Poisson requests with
exponential effort is an M/M/c queue; a chain of such stations in sequence
(a pod, then approvers one after the other) is an open Jackson network in
tandem, whose stations behave, in steady state, as independent M/M/c queues
fed at the same rate (Jackson's product form). Times are in hours.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["erlang_c", "mmc_wait", "mmc_sojourn", "tandem_sojourn"]


def erlang_c(c: int, offered: float) -> float:
    """Probability that an arrival waits in an M/M/c queue with ``offered`` = λ/μ erlangs.

    >>> round(erlang_c(1, 0.5), 6)
    0.5
    >>> round(erlang_c(2, 1.0), 6)
    0.333333
    """
    if offered >= c:
        return 1.0
    # Erlang B by the stable recursion, then C from B.
    b = 1.0
    for k in range(1, c + 1):
        b = offered * b / (k + offered * b)
    rho = offered / c
    return b / (1 - rho + rho * b)


def mmc_wait(c: int, arrival_rate: float, mean_service: float) -> float:
    """Mean time in queue (before service starts), Erlang C: ``C(c, a) / (cμ − λ)``.

    >>> round(mmc_wait(1, 0.5, 1.0), 6)
    1.0
    """
    offered = arrival_rate * mean_service
    if offered >= c:
        return math.inf
    return erlang_c(c, offered) * mean_service / (c - offered)


def mmc_sojourn(c: int, arrival_rate: float, mean_service: float) -> float:
    """Mean time in system: wait plus service."""
    return mmc_wait(c, arrival_rate, mean_service) + mean_service


def tandem_sojourn(arrival_rate: float, stations: Sequence[tuple[int, float]]) -> float:
    """Mean end-to-end time through M/M/c stations ``(servers, mean service)`` in series.

    >>> round(tandem_sojourn(0.5, [(1, 1.0), (1, 1.0)]), 6)
    4.0
    """
    return sum(mmc_sojourn(c, arrival_rate, s) for c, s in stations)
