"""Simulation layer: a SimPy model of one scenario, one seed per run.

``Model``, ``simulate`` and ``Result`` load on first use (PEP 562): the
analytic estimate reads the on-duty calendars of :mod:`orgsim.sim.calendar`
(the engine's rule, shared), and ``orgsim validate`` runs that estimate, so
importing a submodule must not load the engine and SimPy with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orgsim.sim.engine import Model, simulate
    from orgsim.sim.result import Result

_LAZY = {"Model": "orgsim.sim.engine", "simulate": "orgsim.sim.engine", "Result": "orgsim.sim.result"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'orgsim.sim' has no attribute {name!r}")


__all__ = ["Model", "Result", "simulate"]
