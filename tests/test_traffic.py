"""A workflow's traffic equations solved exactly, each visit the float nearest the exact one (issue #27).

The same solve serves the run-cost budget (:func:`orgsim.scenario.cost.expected_visits`), design generation and
the estimate (:func:`orgsim.analytic.estimate.visit_ratios`); no floating-point solve remains whose last digit
depends on the CPU's kernels.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orgsim.analytic.estimate import visit_ratios
from orgsim.errors import ScenarioError
from orgsim.org.plan import routing_plan
from orgsim.scenario import load_scenario
from orgsim.scenario.cost import expected_visits
from orgsim.scenario.traffic import MAX_STEPS, mean_visits, solve_visits
from orgsim.scenario.workflow import Step, exits

ROOT = Path(__file__).resolve().parents[1]
PIPELINE = ROOT / "scenarios" / "what-if" / "network-content-pipeline.yaml"


def _reference(ex: list[list[tuple[int, float]]]) -> list[Fraction] | None:
    """Gauss–Jordan in fractions on the dense system, written as plainly as possible: the check of the solve."""
    n = len(ex)
    a = [[Fraction(int(i == j)) for i in range(n)] + [Fraction(int(j == 0))] for j in range(n)]
    for i, go in enumerate(ex):
        for j, p in go:
            if j < n:
                a[j][i] -= Fraction(p)
    for k in range(n):
        r = next((r for r in range(k, n) if a[r][k] != 0), None)
        if r is None:
            return None
        a[k], a[r] = a[r], a[k]
        a[k] = [x / a[k][k] for x in a[k]]
        for r in range(n):
            if r != k and a[r][k] != 0:
                f = a[r][k]
                a[r] = [x - f * y for x, y in zip(a[r], a[k], strict=True)]
    return [row[n] for row in a]


def test_a_review_loop_has_its_closed_form() -> None:
    # draft → review; review sends 1/4 back to draft (exactly a float): every step is visited 1 / (1 - 1/4) = 4/3
    assert solve_visits([[(1, 1.0)], [(0, 0.25), (2, 0.75)]]) == [Fraction(4, 3), Fraction(4, 3)]
    assert mean_visits([[(1, 1.0)], [(0, 0.25), (2, 0.75)]]) == [float(Fraction(4, 3))] * 2


def test_the_doctests_loops() -> None:
    half = [Step(name="a", effort_hours=1), Step(name="b", effort_hours=1, branches={"r": {"to": "a", "probability": 0.5}})]
    assert expected_visits(half) == [2.0, 2.0]
    assert mean_visits([[(1, 1.0)], [(0, 0.2), (2, 0.8)]]) == [1.25, 1.25]


def test_a_loop_with_a_rational_answer_through_three_steps() -> None:
    # a → b → c; c sends 1/2 back to a and 1/4 back to b: v_a = 1 + v_c/2, v_b = v_a + v_c/4, v_c = v_b
    # → v_c = 1 + 3 v_c / 4 → v = (3, 4, 4)
    assert solve_visits([[(1, 1.0)], [(2, 1.0)], [(0, 0.5), (1, 0.25), (3, 0.25)]]) == [3, 4, 4]


def test_a_loop_never_left_is_singular_and_counts_as_never_ending() -> None:
    assert solve_visits([[(1, 1.0)], [(0, 1.0)]]) is None  # a ⇄ b for ever
    assert mean_visits([[(1, 1.0)], [(0, 1.0)]]) == [math.inf, math.inf]
    # a never-left loop no request reaches is singular too, and counted as never ending (as before)
    assert mean_visits([[(2, 1.0)], [(1, 1.0)]]) == [math.inf, math.inf]
    assert math.isinf(max(expected_visits([Step(name="a", effort_hours=1, then="a")])))


def test_a_zero_pivot_that_is_not_singular_is_solved() -> None:
    # 'a' sends all back to itself and half on to b (chances past 1, which validation refuses): I − Pᵀ is then no
    # M-matrix, its first pivot is 0, and the system is still solvable, by the row below
    ex = [[(0, 1.0), (1, 0.5)], [(0, 1.0)]]
    assert solve_visits(ex) == _reference(ex)


def test_negative_visits_count_as_never_ending() -> None:
    ex = [[(1, 1.0)], [(0, 1.5)]]  # probabilities past 1 at a step: the exact solution is negative
    exact = solve_visits(ex)
    assert exact is not None and exact[0] < 0
    assert mean_visits(ex) == [math.inf, math.inf]


def test_no_steps_no_visits() -> None:
    assert solve_visits([]) == [] and mean_visits([]) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(0, 6), st.floats(0.0, 1.0)), max_size=3), min_size=1, max_size=6))
def test_the_solve_is_exact_and_each_visit_the_nearest_float(raw: list[list[tuple[int, float]]]) -> None:
    n = len(raw)
    ex = []
    for go in raw:  # a step's chances sum to at most 1, as validation keeps them
        total = sum(p for _, p in go)
        ex.append([(j % (n + 1), p / total if total > 1 else p) for j, p in go])
    exact = solve_visits(ex)
    assert exact == _reference(ex)
    floats = mean_visits(ex)
    if exact is None or min(exact) < 0:  # a loop never left, or chances past 1 (rounding of the division above)
        assert floats == [math.inf] * n or (exact is not None and min(exact) >= -1e-9)
        return
    for v, f in zip(exact, floats, strict=True):
        assert f == float(v)  # correctly rounded: no float is nearer the exact visit
        assert abs(Fraction(f) - v) <= min(abs(Fraction(math.nextafter(f, -math.inf)) - v),
                                           abs(Fraction(math.nextafter(f, math.inf)) - v))


def test_the_largest_workflow_is_solved_exactly() -> None:
    rng = random.Random(27)  # every step branching to every step: the worst a file can write
    ex = []
    for _ in range(MAX_STEPS):
        w = [rng.random() for _ in range(MAX_STEPS + 1)]
        ex.append([(j, x / (sum(w) * 1.001)) for j, x in enumerate(w)])
    v = solve_visits(ex)
    assert v is not None
    for j in range(MAX_STEPS):  # the traffic equations hold exactly
        assert v[j] == int(j == 0) + sum((v[i] * Fraction(p) for i, go in enumerate(ex) for k, p in go if k == j),
                                         Fraction(0))


def test_a_workflow_over_the_limit_is_refused_at_its_step(tmp_path: Path) -> None:
    steps = "".join(f"            - {{name: s{i}, effort_hours: 1}}\n" for i in range(MAX_STEPS + 1))
    path = tmp_path / "long.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'network.yaml'}\ndemand:\n  departments:\n    Product:\n"
                    "      requests:\n        long:\n          per_week: 1\n          function: content\n"
                    f"          channels: [instagram]\n          steps:\n{steps}", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, allow_large=True)  # never lifted: about arithmetic, not the run's size
    first = info.value.problems[0]
    assert first.line == 11 + MAX_STEPS and f"steps.{MAX_STEPS}" in str(first)
    assert f"{MAX_STEPS + 1} steps, over the limit of {MAX_STEPS}" in str(first)


def test_the_estimate_and_the_budget_read_the_same_visits() -> None:
    s = load_scenario(PIPELINE)
    kind = next(k for k in routing_plan(s).kinds if k.steps)
    spec = kind.kind.spec
    assert spec.steps is not None
    assert visit_ratios(kind) == expected_visits(spec.steps, s.policies.planning_seat)
    exact = solve_visits(exits(list(spec.steps), s.policies.planning_seat))
    assert exact is not None and visit_ratios(kind) == [float(v) for v in exact]
