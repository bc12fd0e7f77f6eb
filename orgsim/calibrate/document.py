"""What a calibration holds: the logs' window on the scenario clock, the fits, and the YAML helpers that write them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.tag import Tag

from orgsim.calibrate.fit import ArrivalFit, DurationFit, fit_duration
from orgsim.calibrate.logs import Logs
from orgsim.calibrate.routing import Routing
from orgsim.scenario.yamltext import flow_map, flow_seq

__all__ = ["DESCRIBE", "WARMUP_DAYS", "Calibration", "Window", "censored_fit", "duration", "flow",
           "rate_note", "replace_tag", "sig"]

#: the simulation starts empty; this many days before the logs' first day let
#: queues fill (replies in the example take hours, backlogs clear within days;
#: assumption, checked by the back-test)
WARMUP_DAYS = 3.0
#: response times and latencies are described, not simulated inputs: a lognormal
#: (with the exponential as the simplest rival) is enough, and censored gamma fits are slow
DESCRIBE = ("lognormal", "exponential")


@dataclass(frozen=True)
class Window:
    """The logs' period on the calibrated scenario's clock."""

    origin: pd.Timestamp  #: UTC midnight of the first logged day
    export: pd.Timestamp
    warmup_days: float = WARMUP_DAYS

    @property
    def start_date(self) -> dt.date:
        return (self.origin - pd.Timedelta(days=self.warmup_days)).date()

    @property
    def clock0(self) -> pd.Timestamp:
        return pd.Timestamp(dt.datetime.combine(self.start_date, dt.time(0)), tz="UTC")

    @property
    def start(self) -> float:
        return self.warmup_days * 24

    @property
    def end(self) -> float:
        return self.hours(self.export)

    @property
    def days(self) -> float:
        return (self.end - self.start) / 24

    def hours(self, t: Any) -> Any:
        """UTC time stamps -> hours on the scenario clock."""
        return (t - self.clock0) / pd.Timedelta(hours=1)

    @classmethod
    def of(cls, logs: Logs, warmup_days: float = WARMUP_DAYS) -> Window:
        firsts = [s.min() for s in (logs.messages.get("received"), logs.requests.get("created")) if s is not None and len(s)]
        return cls(min(firsts).floor("D"), logs.export_time, warmup_days)


@dataclass
class Calibration:
    document: CommentedMap
    window: Window
    #: what the logs could not tell, with what was used instead
    defaults: list[str] = field(default_factory=list)
    messages: dict[str, ArrivalFit] = field(default_factory=dict)
    departments: dict[str, ArrivalFit] = field(default_factory=dict)
    request_rates: dict[tuple[str, str], tuple[float, tuple[float, float], int]] = field(default_factory=dict)
    efforts: dict[tuple[str, str], DurationFit] = field(default_factory=dict)
    handle: dict[str, DurationFit] = field(default_factory=dict)
    replies: dict[str, DurationFit] = field(default_factory=dict)
    latencies: dict[str, DurationFit] = field(default_factory=dict)
    #: per (department, case type) of an event log: the routing the workflow was written from
    routing: dict[tuple[str, str], Routing] = field(default_factory=dict)
    #: what the reader should know (merged spellings, split case types)
    warnings: list[str] = field(default_factory=list)


def flow(values: Any) -> CommentedSeq:
    """A one-line list with numpy floats written as plain numbers."""
    return flow_seq([float(v) if isinstance(v, (float, np.floating)) else v for v in values])


def replace_tag(m: CommentedMap) -> CommentedMap:
    m.yaml_set_ctag(Tag(suffix="!replace"))
    return m


def sig(x: float) -> float:
    return float(f"{x:.3g}")


def rate_note(f: ArrivalFit, n: int, lo: float, hi: float, unit: str) -> str:
    text = f"n={n} in {f.days:.1f} days; 95% CI {lo:.3g}-{hi:.3g} {unit}"
    if np.isfinite(f.dispersion):
        text += f"; daily counts dispersion {f.dispersion:.2f} (Poisson 1, p={f.dispersion_p:.2f})"
    return text


def duration(cal: Calibration, node: CommentedMap, key: str, fit: DurationFit | None, unit: str,
             kept: Any, where: str, why: str) -> None:
    if fit is not None:
        node[key] = flow_map(fit.as_yaml())
        node.yaml_add_eol_comment(fit.comment(unit), key)
    elif kept is not None:
        node[key] = flow_map(kept) if isinstance(kept, dict) else kept
        node.yaml_add_eol_comment(f"kept from the team file: {why}", key)
        cal.defaults.append(f"{where}.{key}: {why}; kept the team file's value")


def censored_fit(start: pd.Series, end: pd.Series, export: pd.Timestamp) -> DurationFit | None:
    """Fit the hours from ``start`` to ``end``; items with no ``end`` count as open at their age at ``export``."""
    closed = end.notna()
    done = ((end - start) / pd.Timedelta(hours=1))[closed].to_numpy(float)
    ages = ((export - start) / pd.Timedelta(hours=1))[~closed].to_numpy(float)
    return fit_duration(done, ages, DESCRIBE)
