"""An open Jackson network of five multi-server stations, written with ``steps:``, against its product form.

Stations (c, mean exponential work in hours): s1 (2, 0.5), s2 (3, 0.8),
s3 (2, 0.6), s4 (2, 0.5), s5 (3, 0.7), each an always-on pod. Poisson
arrivals enter at two stations: Product (1.5/h) at s1, Brand (1.0/h) at s3.
Product: s1 → s2 → (0.3: skip s3) s3 → s4 → (0.2: back to s2) s5 → done.
Brand: s3 → s4 → s5 → done. Visit ratios (traffic equations) for Product:
s1 1, s2 1.25, s3 0.875, s4 1.25, s5 1; Brand 1 each. Station arrival rates
1.5, 1.875, 2.3125, 2.875, 2.5; loads 0.375, 0.5, 0.69, 0.72, 0.58. Jackson's
theorem: each station is an independent M/M/c at its total rate, so its mean
wait is Erlang C, and a request's mean sojourn is Σ visits × (wait + work).

Replications: fast 4 × 120 days (tolerance 10%), full (``--runslow``) 12 × 365 days (5%); the
simulated mean must also lie within 4 standard errors of theory
(:func:`tests.validation._theory.assert_close`).
"""

from __future__ import annotations

import numpy as np
import pytest

from orgsim.analytic import mmc_wait
from orgsim.analytic.estimate import estimate, visit_ratios
from orgsim.analytic.reductions import jackson_data
from orgsim.metrics.latency import run_figures
from orgsim.org.plan import routing_plan
from orgsim.scenario.model import Scenario
from orgsim.sim.engine import Model
from tests.validation._theory import assert_close

STATIONS = {"s1": (2, 0.5), "s2": (3, 0.8), "s3": (2, 0.6), "s4": (2, 0.5), "s5": (3, 0.7)}
PRODUCT = [{"at": "s1"}, {"at": "s2", "branches": {"skip": {"to": "s4", "probability": 0.3}}}, {"at": "s3"},
           {"at": "s4", "branches": {"again": {"to": "s2", "probability": 0.2}}}, {"at": "s5"}]
BRAND = [{"at": "s3"}, {"at": "s4"}, {"at": "s5"}]
FLOWS = {"Product": (1.5, PRODUCT), "Brand": (1.0, BRAND)}
#: per-station total arrival rates from the visit ratios in the docstring
RATES = {"s1": 1.5, "s2": 1.875, "s3": 1.3125 + 1.0, "s4": 1.875 + 1.0, "s5": 1.5 + 1.0}
SIZES = {"fast": (4, 120, 0.10), "full": (12, 365, 0.05)}


def _scenario(days: float) -> Scenario:
    return Scenario.model_validate(jackson_data(STATIONS, FLOWS, horizon_days=days + 20, warmup_days=20, seed=7))


def _theory_wait(station: str) -> float:
    c, mean = STATIONS[station]
    return mmc_wait(c, RATES[station], mean)


def _theory_sojourn() -> float:
    total = 0.0
    for per_hour, steps in FLOWS.values():
        kind = [k for k in routing_plan(_scenario(10)).kinds if k.steps[0].queues == (f"pod:{steps[0]['at']}",)][0]
        visits = visit_ratios(kind)
        total += per_hour * sum(v * (_theory_wait(st["at"]) + STATIONS[st["at"]][1]) for v, st in zip(visits, steps, strict=True))
    return total / sum(r for r, _ in FLOWS.values())


def test_visit_ratios_solve_the_traffic_equations() -> None:
    plan = routing_plan(_scenario(10))
    product = next(k for k in plan.kinds if k.kind.department == "Product")
    assert visit_ratios(product) == pytest.approx([1.0, 1.25, 0.875, 1.25, 1.0])


def test_estimate_equals_the_product_form() -> None:
    est = estimate(_scenario(365))
    for name in STATIONS:
        assert est["stations"][f"pod:{name}"]["mean_wait_hours"] == pytest.approx(_theory_wait(name), rel=1e-9)
    assert est["silo_latency_hours"]["mean"] == pytest.approx(_theory_sojourn(), rel=1e-9)


@pytest.fixture(scope="module", params=["fast", pytest.param("full", marks=pytest.mark.slow)])
def runs(request: pytest.FixtureRequest) -> tuple[list[Model], list[dict], float]:
    reps, days, tol = SIZES[request.param]
    s = _scenario(days)
    models, figures = [], []
    for seed in np.random.SeedSequence(2026).spawn(reps):
        m = Model(s, seed)
        figures.append(run_figures(m.run()))
        models.append(m)
    return models, figures, tol


def _station_wait(m: Model, station: str) -> float:
    n = total = 0.0
    for k, kind in enumerate(m.context.plan.kinds):
        for i, st in enumerate(kind.steps):
            if st.queues == (f"pod:{station}",) and (k, i) in m.flows.step_waits:
                n += m.flows.step_waits[k, i][0]
                total += m.flows.step_waits[k, i][1]
    return total / n


@pytest.mark.parametrize("station", list(STATIONS))
def test_each_station_waits_as_erlang_c(runs: tuple[list[Model], list[dict], float], station: str) -> None:
    models, _, tol = runs
    x = np.array([_station_wait(m, station) for m in models])
    # a light station's wait is small in absolute terms: allow twice the relative tolerance
    assert_close(f"{station} wait", float(x.mean()), float(x.std(ddof=1) / len(x) ** 0.5), _theory_wait(station), 2 * tol)


def test_mean_sojourn_is_the_product_form(runs: tuple[list[Model], list[dict], float]) -> None:
    _, figures, tol = runs
    x = np.array([f["silo_latency_answered_hours"]["mean"] for f in figures])
    assert_close("sojourn", float(x.mean()), float(x.std(ddof=1) / len(x) ** 0.5), _theory_sojourn(), tol)
