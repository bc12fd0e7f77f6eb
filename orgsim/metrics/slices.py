"""Figures of one slice of a run's work: the messages of one channel, the requests that need one skill.

The headline figures (:mod:`orgsim.metrics.latency`) are team-wide; a
resilience study (:mod:`orgsim.resilience`) also asks what happens to the
work of one channel or one skill while someone is away ("Instagram replies
within 1 h"). A :class:`Slice` names that work: request kinds (as
``department/request_type``) and a filter on messages. The figures are the
same definitions as the team-wide ones, restricted to the slice:

- **reply within T h share** of the slice's messages that arrived after the
  warm-up and whose T-hour mark falls before the horizon (an open message
  counts as not answered within T);
- **restricted mean silo latency** of the slice's requests that arrived after
  the warm-up, open ones counted at their age (:func:`orgsim.metrics.censored.censored_latency`).

Both are NaN when the slice has no such message or request in the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from orgsim.metrics.censored import censored_latency
from orgsim.sim.result import Result

__all__ = ["Slice", "slice_figures", "slice_latency_rmst", "slice_reply_share"]


@dataclass(frozen=True)
class Slice:
    """Some of a run's work: request kinds, and messages by channel and/or audience.

    ``channels`` / ``audiences`` filter messages (``None``: no filter on that
    column); ``messages=False`` takes no message at all.
    """

    kinds: frozenset[str] = frozenset()
    messages: bool = True
    channels: frozenset[str] | None = None
    audiences: frozenset[str] | None = None


def _message_mask(result: Result, part: Slice) -> np.ndarray:
    msg = result.messages
    mask = msg["in_window"].to_numpy(dtype=bool).copy()
    if not part.messages:
        return np.zeros(len(msg), dtype=bool)
    if part.channels is not None:
        mask &= msg["channel"].astype(str).isin(part.channels).to_numpy()
    if part.audiences is not None:
        mask &= msg["audience"].astype(str).isin(part.audiences).to_numpy()
    return mask


def slice_reply_share(result: Result, part: Slice, target_hours: float) -> float:
    """Share of the slice's messages answered within ``target_hours`` (NaN when none was due)."""
    mask = _message_mask(result, part)
    arrived = result.messages["arrived"].to_numpy(dtype=float)[mask]
    reply = result.messages["reply_hours"].to_numpy(dtype=float)[mask]
    due = arrived <= result.horizon_hours - target_hours
    n = int(due.sum())
    return float((due & (reply <= target_hours)).sum() / n) if n else float("nan")


def slice_latency_rmst(result: Result, part: Slice) -> float:
    """Restricted mean silo latency of the slice's requests, open ones counted (NaN when none arrived)."""
    if not part.kinds:
        return float("nan")
    req = result.requests
    key = req["department"].astype(str) + "/" + req["request_type"].astype(str)
    mask = req["in_window"].to_numpy(dtype=bool) & key.isin(part.kinds).to_numpy()
    if not mask.any():
        return float("nan")
    figures = censored_latency(req["arrived"].to_numpy(dtype=float)[mask], req["answered"].to_numpy(dtype=float)[mask],
                               result.horizon_hours, result.window_hours)
    return float(figures["rmst"])


def slice_figures(result: Result, parts: Mapping[str, tuple[Slice, str, float]]) -> dict[str, float]:
    """Every named figure: ``name -> (slice, "reply" or "rmst", target hours)``; a flat record."""
    out: dict[str, float] = {}
    for name, (part, what, target) in parts.items():
        out[name] = slice_reply_share(result, part, target) if what == "reply" else slice_latency_rmst(result, part)
    return out
