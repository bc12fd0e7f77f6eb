"""An approver with work of their own: the approval wait against M/M/1 and M/G/1 theory.

Mapping (:func:`orgsim.analytic.reductions.tandem_data` plus ``other_work``):
a fast always-on pod of two, then one outside approver, always on duty.
Approvals reach the approver at the request rate λa (the pod's departures
are Poisson, Burke's theorem) with exponential reviews of mean ``s``; the
approver's own work arrives as Poisson at λo. Both share one first come,
first served queue, so the approver is an M/G/1 queue at λ = λa + λo whose
service is the mixture of the two; with equal means it is M/M/1. The
approval clock of a request is the approver's sojourn: wait + review, with
the wait from Pollaczek–Khinchine, ``λ E[S²] / (2 (1 − ρ))``.

The check: the mean approval hours of the replications within 8% (fast: 6
replications of 240 days) of the formula and within 4 standard errors, at
three loads of other work — so the approval wait grows with the approver's
own work as theory says, and with none it is the bare M/M/1. ``orgsim
estimate`` gives the same M/M/1 value (its approver station is M/M/1 at the
total load).
"""

from __future__ import annotations

from typing import Any

import pytest

from orgsim.analytic.estimate import estimate
from orgsim.analytic.reductions import tandem_data
from orgsim.scenario.model import Scenario
from tests.validation._theory import assert_close, replicated

LAM_A = 0.2  # approvals per hour
REVIEW = 1.0  # mean review hours (exponential): the approvals alone load the approver 0.2
POD = (2, 0.05)  # a fast pod, so that the approver is the only queue worth the name


def _scenario(other: dict[str, Any] | None, days: int = 240, seed: int = 5) -> Scenario:
    d = tandem_data(POD[0], LAM_A, POD[1], [REVIEW], horizon_days=days + 30, warmup_days=30, seed=seed)
    if other is not None:
        d["policies"]["approval_chain"][0]["other_work"] = other
    return Scenario.model_validate(d)


def _approval_hours(result: Any) -> float:
    from orgsim.metrics.latency import run_figures

    return float(run_figures(result)["latency_breakdown_hours"]["approval"])


def _mg1_sojourn(classes: list[tuple[float, float]]) -> float:
    """Mean sojourn of the first class at a FIFO M/G/1 with exponential classes (rate, mean)."""
    lam = sum(r for r, _ in classes)
    rho = sum(r * m for r, m in classes)
    es2 = sum(r / lam * 2 * m * m for r, m in classes)
    return lam * es2 / (2 * (1 - rho)) + classes[0][1]


EXP1 = {"dist": "exponential", "mean": 1.0}
CASES = [
    ("none", None, [(LAM_A, REVIEW)]),
    ("share 0.3 (M/M/1 at 0.5)", {"share": 0.3, "effort_hours": EXP1}, [(LAM_A, REVIEW), (0.3, 1.0)]),
    ("per_day 12 of 1 h (M/M/1 at 0.7)", {"per_day": 12, "effort_hours": EXP1}, [(LAM_A, REVIEW), (0.5, 1.0)]),
    ("per_day 4.8 of 2.5 h (M/G/1 at 0.7)", {"per_day": 4.8, "effort_hours": {"dist": "exponential", "mean": 2.5}},
     [(LAM_A, REVIEW), (0.2, 2.5)]),
]


@pytest.mark.parametrize(("label", "other", "classes"), CASES, ids=[c[0] for c in CASES])
def test_approval_wait_grows_with_the_approvers_own_work_as_theory_says(
        label: str, other: dict[str, Any] | None, classes: list[tuple[float, float]]) -> None:
    sim, se = replicated(_scenario(other), 6, _approval_hours)
    assert_close(f"approval sojourn, other work {label}", sim, se, _mg1_sojourn(classes), 0.08)


@pytest.mark.parametrize(("label", "other", "classes"), CASES[:3], ids=[c[0] for c in CASES[:3]])
def test_estimate_gives_the_mm1_approver(label: str, other: dict[str, Any] | None,
                                         classes: list[tuple[float, float]]) -> None:
    station = estimate(_scenario(other))["stations"]["approver:approver0"]
    lam, rho = sum(r for r, _ in classes), sum(r * m for r, m in classes)
    assert station["load"] == pytest.approx(rho)
    assert station["mean_wait_hours"] == pytest.approx(rho * REVIEW / (1 - rho) if lam else 0.0)
