"""The scenario's small shared types: the strict base model, priorities, weekdays, number ranges."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "PRIORITY_RANK",
    "WEEKDAYS",
    "NonNegFloat",
    "PositiveFloat",
    "Priority",
    "Share",
    "Strict",
    "Weekday",
    "workweek",
]

Priority = Literal["crisis", "executive", "urgent", "high", "normal", "low"]
#: Lower rank is more urgent; the engine only ever sees these integers.
PRIORITY_RANK: dict[str, int] = {
    "crisis": 0,
    "executive": 1,
    "urgent": 2,
    "high": 3,
    "normal": 4,
    "low": 5,
}
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def workweek() -> list[Weekday]:
    """Monday to Friday: the default working days."""
    return ["mon", "tue", "wed", "thu", "fri"]


PositiveFloat = Annotated[float, Field(gt=0)]
NonNegFloat = Annotated[float, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]


class Strict(BaseModel):
    """Base for every block: unknown keys are errors, values are frozen."""

    # No inf/nan even for a model built from Python: they pass every ``gt=0`` and break the run.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
