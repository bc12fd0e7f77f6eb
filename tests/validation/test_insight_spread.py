"""Insight spread on a small graph against closed forms.

The graph (``tests/tiny_insights.py``): an insight on Instagram is noticed by
the Instagram pod (one person, on duty around the clock, no other work,
``notice_minutes: 0``, so noticing is instant); it reaches Product along

    pod:instagram --via_lead (a, 1.5 h)--> lead --department_intake (b, 2 h)--> Product

or, when the cross-pod tie passes (c, 3 h), by the detour through the
LinkedIn pod and its own via-lead tie (a, 1.5 h). Every tie flips its own coin
once per insight (first-passage relay), so with one department per insight:

- reach probability  P = b · (1 − (1 − a)(1 − c·a));  with c = 0 it is the
  path product a·b = p^k;
- fixed delays: the time to reach is exactly 3.5 h on the direct path and
  6.5 h on the detour; the value kept is 0.5 ** (hours / half-life);
- a window shorter than the path misses every pair (kept in the table, not
  dropped);
- exponential delays, p = 1, no detour: the time to reach is Exp(mean 1.5) +
  Exp(mean 2), a hypoexponential law, and the reach curve is its ECDF.

Replications and tolerance: one run of 168 days at 300 insights a week
(~7,000 independent insights; coins are hashed per insight and tie). Counts
must pass a two-sided exact binomial test / a chi-square goodness-of-fit at
level 0.001; the time distribution a Kolmogorov–Smirnov test at 0.001 and the
DKW band; identities (fixed delays, value, window, curve = ECDF) are exact.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

from orgsim.metrics.insights import insight_reach, reach_curve
from orgsim.sim import simulate
from tests.tiny_insights import make

ALPHA = 0.001
HALF_LIFE = 48.0
DIRECT, DETOUR = 1.5 + 2.0, 3.0 + 1.5 + 2.0


@functools.cache
def _pairs(a: float, b: float, c: float, fixed: bool = True, window_days: float = 7.0, seed: int = 11) -> Any:
    scenario = make(
        policies={"handoff_delay": "fixed" if fixed else "exponential"},
        run={"horizon_days": 168, "warmup_days": 0},
        insights={
            "horizon_days": window_days,
            "notice_minutes": 0,
            "pass_probability": {"via_lead": a, "department_intake": b, "cross_pod": c},
            "kinds": {"quality": {"per_week": 300, "channel": "instagram", "audience": "consumers",
                                  "departments": ["Product"], "half_life_hours": HALF_LIFE}},
        },
    )
    result = simulate(scenario, seed=seed)
    ins = result.insights
    return result, ins[ins["in_window"]]


def _binomial_ok(hits: int, n: int, p: float) -> tuple[bool, str]:
    test = stats.binomtest(hits, n, p)
    ci = test.proportion_ci(confidence_level=1 - ALPHA)
    return test.pvalue >= ALPHA, f"{hits}/{n} = {hits / n:.4f}, theory {p:.4f}, 99.9% CI [{ci.low:.4f}, {ci.high:.4f}]"


def test_noticing_is_instant_here() -> None:
    _, pairs = _pairs(1.0, 1.0, 0.0)
    assert len(pairs) > 2000
    assert np.allclose(pairs["noticed"], pairs["appeared"])


@pytest.mark.parametrize("p", [0.3, 0.6, 0.9])
def test_reach_on_one_path_is_the_product_of_tie_probabilities(p: float) -> None:
    _, pairs = _pairs(p, p, 0.0)
    ok, msg = _binomial_ok(int(pairs["reached_within"].sum()), len(pairs), p**2)
    assert ok, msg


def test_two_routes_give_the_first_passage_distribution() -> None:
    a, b, c = 0.5, 0.8, 0.6
    _, pairs = _pairs(a, b, c)
    hours = pairs["hours_to_reach"].to_numpy()
    reached = ~np.isnan(hours)
    # only the two path lengths occur, exactly
    assert set(np.round(hours[reached], 9)) <= {DIRECT, DETOUR}  # to clock rounding
    p_direct = a * b
    p_detour = (1 - a) * c * a * b
    observed = [np.sum(np.isclose(hours, DIRECT)), np.sum(np.isclose(hours, DETOUR)), np.sum(~reached)]
    expected = np.array([p_direct, p_detour, 1 - p_direct - p_detour]) * len(hours)
    chi = stats.chisquare(observed, expected)
    assert chi.pvalue >= ALPHA, f"observed {observed}, expected {expected.round(1).tolist()}, p = {chi.pvalue:.2g}"
    ok, msg = _binomial_ok(int(reached.sum()), len(hours), b * (1 - (1 - a) * (1 - c * a)))
    assert ok, msg


def test_fixed_delays_add_up_and_value_halves_every_half_life() -> None:
    result, pairs = _pairs(1.0, 1.0, 0.0)
    assert np.allclose(pairs["hours_to_reach"], DIRECT, rtol=0, atol=1e-9)
    assert (pairs["via"] == "tie:person:lead->dept:Product").all()
    kept = 0.5 ** (DIRECT / HALF_LIFE)
    assert np.allclose(pairs["value_share"], kept, rtol=0, atol=1e-9)
    figures = insight_reach(result, 7 * 24)
    assert figures["share_within_horizon"] == 1.0
    assert figures["value_weighted_reach"] == pytest.approx(kept, abs=1e-9)
    assert figures["median_time_hours"] == pytest.approx(DIRECT, abs=1e-9)


def test_value_weighted_reach_is_reach_times_value_kept() -> None:
    a, b = 0.7, 0.7
    result, pairs = _pairs(a, b, 0.0)
    reach = float(pairs["reached_within"].mean())
    assert insight_reach(result, 7 * 24)["value_weighted_reach"] == pytest.approx(reach * 0.5 ** (DIRECT / HALF_LIFE),
                                                                                  abs=1e-9)


def test_a_window_shorter_than_the_path_misses_every_pair() -> None:
    result, pairs = _pairs(1.0, 1.0, 0.0, window_days=3.0 / 24)
    assert len(pairs) > 2000  # kept, not dropped
    before_the_end = pairs[pairs["appeared"] + DIRECT < 168 * 24]
    assert np.allclose(before_the_end["hours_to_reach"], DIRECT, rtol=0, atol=1e-9)  # they do arrive ...
    assert not pairs["reached_within"].any() and (pairs["value_share"] == 0).all()  # ... too late to count
    assert insight_reach(result, 3.0)["share_within_horizon"] == 0.0


def _hypoexponential_cdf(t: np.ndarray, m1: float = 1.5, m2: float = 2.0) -> np.ndarray:
    l1, l2 = 1 / m1, 1 / m2
    t = np.maximum(np.asarray(t, dtype=float), 0.0)
    return 1 - (l2 * np.exp(-l1 * t) - l1 * np.exp(-l2 * t)) / (l2 - l1)


def test_exponential_delays_give_the_hypoexponential_reach_curve() -> None:
    _, pairs = _pairs(1.0, 1.0, 0.0, fixed=False)
    hours = pairs["hours_to_reach"].to_numpy()
    n = len(hours)
    ks = stats.kstest(hours, _hypoexponential_cdf)
    assert ks.pvalue >= ALPHA, f"KS D = {ks.statistic:.4f}, p = {ks.pvalue:.2g} over {n} insights"
    assert hours.mean() == pytest.approx(3.5, abs=4 * math.sqrt(1.5**2 + 2**2) / math.sqrt(n))
    # the curve the report draws is the empirical CDF, and it sits in the DKW band of the closed form
    curve = reach_curve(pairs, 48.0, step=0.5)
    grid = np.array(curve["hours"])
    ecdf = np.array([np.mean(hours <= h) for h in grid])
    assert np.allclose(curve["share"], ecdf, rtol=0, atol=1e-12)
    band = math.sqrt(math.log(2 / ALPHA) / (2 * n))
    assert np.max(np.abs(ecdf - _hypoexponential_cdf(grid))) <= band
