"""Random durations as a scenario writes them (``effort_hours: {dist: lognormal, mean: 2, cv: 0.8}``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from orgsim.scenario.types import NonNegFloat, PositiveFloat, Strict

__all__ = ["Distribution"]

def _number_is_fixed(value: Any) -> Any:
    # ``effort_hours: 2`` is the common case in hand-written files.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"dist": "fixed", "mean": value}
    return value


#: the smallest coefficient of variation taken: a millionth of the mean is already no spread at all
MIN_CV = 1e-6


def _a_real_spread(cv: float) -> float:
    if cv < MIN_CV:
        raise ValueError(f"a spread of {cv:g} times the mean is no spread (the least taken is {MIN_CV:g}); "
                         "for a constant duration use dist: fixed")
    return cv


class _Distribution(Strict):
    """A non-negative random duration.

    ``fixed`` and ``exponential`` need ``mean``; ``lognormal`` and ``gamma``
    need ``mean`` and ``cv`` (coefficient of variation); ``uniform`` needs
    ``low`` and ``high``; ``triangular`` needs ``low``, ``mode`` and ``high``.
    A bare number means ``fixed``.
    """

    dist: Literal["fixed", "exponential", "lognormal", "gamma", "uniform", "triangular"] = (
        "exponential"
    )
    mean: PositiveFloat | None = None
    #: a duration whose spread is 100 times its mean is not a duration any more;
    #: beyond it lognormal's sigma and gamma's shape leave floating point. Below :data:`MIN_CV` a spread
    #: is no spread (gamma's shape 1/cv² once overflowed: cv 1e-155 crashed a run): use ``fixed``
    cv: Annotated[float, Field(gt=0, le=100), AfterValidator(_a_real_spread)] | None = None
    low: NonNegFloat | None = None
    mode: NonNegFloat | None = None
    high: NonNegFloat | None = None

    @model_validator(mode="after")
    def _parameters_fit(self) -> _Distribution:
        needs = {
            "fixed": ("mean",),
            "exponential": ("mean",),
            "lognormal": ("mean", "cv"),
            "gamma": ("mean", "cv"),
            "uniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
        }[self.dist]
        missing = [k for k in needs if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.dist} distribution needs {', '.join(missing)}")
        extra = [
            k for k in ("mean", "cv", "low", "mode", "high") if k not in needs and getattr(self, k) is not None
        ]
        if extra:
            raise ValueError(f"a {self.dist} distribution takes {', '.join(needs)}, not {', '.join(extra)}")
        if self.dist == "uniform" and not self.low < self.high:  # type: ignore[operator]
            raise ValueError("uniform needs low < high")
        if self.dist == "triangular" and not (self.low <= self.mode <= self.high and self.low < self.high):  # type: ignore[operator]
            raise ValueError("triangular needs low <= mode <= high and low < high (for a constant, use fixed)")
        return self

    @property
    def expected(self) -> float:
        """The distribution's mean, whatever its parameters."""
        if self.mean is not None:
            return self.mean
        if self.dist == "uniform":
            return (self.low + self.high) / 2  # type: ignore[operator]
        return (self.low + self.mode + self.high) / 3  # type: ignore[operator]


Distribution = Annotated[_Distribution, BeforeValidator(_number_is_fixed)]
