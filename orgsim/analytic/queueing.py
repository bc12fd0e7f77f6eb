"""Closed forms for the queues the engine reduces to.

An always-on pod of ``c`` interchangeable people fed by Poisson requests with
exponential effort is an M/M/c queue; a chain of such stations in sequence
(a pod, then approvers one after the other) is an open Jackson network in
tandem, whose stations behave, in steady state, as independent M/M/c queues
fed at the same rate (Jackson's product form). With customers who give up
after an exponential patience it is Erlang A, M/M/c+M (:func:`erlang_a`).
Times are in hours.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["erlang_a", "erlang_c", "mmc_wait", "mmc_sojourn", "tandem_sojourn"]


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


def erlang_a(c: int, arrival_rate: float, mean_service: float, mean_patience: float) -> tuple[float, float]:
    """M/M/c+M (Erlang A): (share of arrivals who abandon, mean wait of all arrivals before service or abandoning).

    A birth-death chain: arrivals at λ; in state n, ``min(n, c)`` servers
    finish at μ each and the ``max(n - c, 0)`` waiting give up at θ = 1 /
    ``mean_patience`` each. Stable at any load (the impatient leave), so the
    chain is summed until its terms vanish. With E[Q] the mean number waiting,
    the abandoned share is θ E[Q] / λ and the mean wait E[Q] / λ (Little).
    Garnett, Mandelbaum and Reiman, "Designing a call center with impatient
    customers", MSOM 4(3), 2002.

    >>> p, w = erlang_a(1, 1.0, 1.0, 1.0)  # M/M/1+M with λ = μ = θ: P(abandon) = 1/e
    >>> round(p, 6), round(w, 6)
    (0.367879, 0.367879)
    """
    lam, mu, theta = arrival_rate, 1 / mean_service, 1 / mean_patience
    term, total, queued = 1.0, 1.0, 0.0  # unnormalised π_n, Σ π_n, Σ (n - c)+ π_n
    n = 0
    while True:
        n += 1
        term *= lam / (min(n, c) * mu + max(n - c, 0) * theta)
        total += term
        queued += max(n - c, 0) * term
        if n > c and term < 1e-16 * total:
            break
    mean_queue = queued / total
    return theta * mean_queue / lam, mean_queue / lam
