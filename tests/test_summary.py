"""Summary mode: running tallies give the full tables' figures, without keeping a row per item."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from orgsim.analytic.reductions import mmc_scenario
from orgsim.cli import app
from orgsim.metrics import run_figures
from orgsim.metrics.censored import FULL_MODE_ONLY
from orgsim.scenario import load_scenario
from orgsim.scenario.overrides import with_run_settings
from orgsim.sim import record as record_module
from orgsim.sim import simulate
from orgsim.sim import tally as tally_module
from orgsim.sim.answers import Answer
from orgsim.sim.demand import BLOCK_HOURS
from orgsim.sim.engine import Model
from orgsim.sim.tally import HIGH, LOW, RATIO, Histogram, Tally
from tests.conftest import ROOT

PERCENTILES = {"p50", "p90", "p95"}


def _compare(full: Any, summary: Any, path: str = "") -> list[str]:
    """Every figure that differs: exactly for counts, to 1e-9 for sums and means, 1% for percentiles."""
    bad = []
    if isinstance(full, dict):
        full = {k: v for k, v in full.items() if k != "backlog"}  # sampled from the full tables only
        if path.endswith("silo_latency_censored"):
            full = {k: v for k, v in full.items() if k not in FULL_MODE_ONLY}
            summary = {k: v for k, v in summary.items() if k not in FULL_MODE_ONLY}
        assert set(full) == set(summary), f"{path}: keys {set(full) ^ set(summary)}"
        for k in full:
            bad += _compare(full[k], summary[k], f"{path}.{k}")
    elif isinstance(full, float) and math.isnan(full):
        if not (isinstance(summary, float) and math.isnan(summary)):
            bad.append(f"{path}: full nan, summary {summary}")
    elif isinstance(full, (int, float)) and not isinstance(full, bool):
        tol = 0.01 if path.rsplit(".", 1)[-1] in PERCENTILES else 1e-9
        if abs(full - summary) > tol * max(abs(full), 1e-3):
            bad.append(f"{path}: full {full}, summary {summary}")
    else:
        if full != summary:
            bad.append(f"{path}: full {full!r}, summary {summary!r}")
    return bad


def test_summary_mode_gives_the_full_figures() -> None:
    scenario = with_run_settings(load_scenario(ROOT / "scenarios/network.yaml"), horizon_days=42)
    full = simulate(scenario, seed=3)
    summary = simulate(scenario, seed=3, summary=True)
    assert len(summary.requests) == 0 and len(summary.messages) == 0  # no row per item ...
    assert summary.tally is not None and full.tally is None
    assert _compare(run_figures(full), run_figures(summary)) == []  # ... and the same figures


def test_summary_mode_draws_a_year_at_a_time_and_matches_over_two_years() -> None:
    scenario = mmc_scenario(3, 2.0, 1.0, horizon_days=400, warmup_days=10)
    model = Model(scenario, 5, summary=True)
    assert model.arrivals.block.msg_time.size == 0 and model.arrivals.block.req_time.max() < BLOCK_HOURS  # only the first year, so far
    full, summary = simulate(scenario, seed=5), simulate(scenario, seed=5, summary=True)
    assert full.requests["arrived"].max() > BLOCK_HOURS  # the run crosses into the second block
    f, s = run_figures(full), run_figures(summary)
    assert f["requests"] == s["requests"]
    assert _compare(f, s) == []


@pytest.mark.parametrize("values", [
    np.random.default_rng(1).lognormal(2, 1, 5000),
    np.random.default_rng(2).exponential(3, 40),
    np.array([0.0, 0.0005, 2.0, 2.0, 7.5]),
    np.array([12.0]),
], ids=["lognormal", "few", "ties-and-zero", "one"])
def test_histogram_percentiles_are_within_one_percent_of_numpy(values: np.ndarray) -> None:
    h = Histogram()
    for x in values:
        h.add(float(x))
    assert h.n == len(values) and h.mean == pytest.approx(values.mean())
    for q in (0, 10, 50, 90, 95, 100):
        exact = float(np.percentile(values, q))
        assert h.percentile(q) == pytest.approx(exact, rel=0.01, abs=1e-3), q


def test_cli_run_summary_writes_no_per_request_tables(tmp_path: Any) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(ROOT / "scenarios/solo.yaml"), "--summary", "--replications", "1",
                                   "--horizon-days", "10", "--warmup-days", "1", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "summary.json").exists() and (out / "people.csv").exists()
    assert not (out / "requests.parquet").exists() and not (out / "messages.parquet").exists()


def _answer_by_answer(t: Tally, messages: list[tuple[float, float]], requests: list[tuple[Any, ...]]) -> Tally:
    """A tally of the same answers folded one at a time, in plain Python (the tally before it held a batch)."""
    ref = Tally(t.names, t.warmup, t.horizon, t.targets, t.clock)
    replies, within, kinds, arrival_sum = ref._replies, ref._within, ref._kinds, 0.0
    for arrived, answered in messages:
        if arrived >= t.warmup:
            replies.add(answered - arrived)
            for j, target in enumerate(t.targets):
                if arrived <= t.due_by[j] and answered - arrived <= target:
                    within[0, j] += 1
                    within[1, j] += t.clock.off_hours_at(arrived)
    for record in requests:
        if record.arrived >= t.warmup:
            k = kinds[record.kind]
            arrival_sum += record.arrived
            k.latency.add(record.answered - record.arrived)
            for name in k.sums:
                k.sums[name] += getattr(record, name)
    ref.answered_arrival_sum = arrival_sum
    return ref


def _histogram_state(h: Histogram) -> tuple[Any, ...]:
    return h.counts.tolist(), h.n, h.total, h.low, h.high


def test_answers_folded_in_batches_tally_as_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # base.yaml's demand keeps London time: the run crosses the clocks going forward (29 March 2026)
    scenario = with_run_settings(load_scenario(ROOT / "scenarios/base.yaml"), horizon_days=21, warmup_days=2,
                                 start_date="2026-03-20")
    monkeypatch.setattr(tally_module, "BATCH", 50)  # many full batches of replies, and a part-full one at the end
    monkeypatch.setattr(record_module, "BATCH", 50)  # ... and of answers
    messages: list[tuple[float, float]] = []
    requests: list[tuple[Any, ...]] = []
    message, add_answers = Tally.message, Tally.add_answers

    def seen_message(self: Tally, *answer: Any) -> None:
        messages.append(answer)
        message(self, *answer)

    def seen_requests(self: Tally, records: list[tuple[Any, ...]]) -> None:
        requests.extend(Answer(*r) for r in records)
        add_answers(self, records)

    monkeypatch.setattr(Tally, "message", seen_message)
    monkeypatch.setattr(Tally, "add_answers", seen_requests)
    t = simulate(scenario, seed=4, summary=True).tally
    assert t is not None and t.clock.changes  # the clocks change inside the run
    assert len(messages) > 10 * 50 and len(requests) > 3 * 50 and len(requests) % 50  # several batches
    ref = _answer_by_answer(t, messages, requests)
    # exactly: counts, bins, and sums to the bit (added in the same order)
    assert _histogram_state(t.replies) == _histogram_state(ref.replies)
    assert t.within.tolist() == ref.within.tolist() and t.within[1].sum() > 0
    assert t.answered_arrival_sum == ref.answered_arrival_sum
    for k, r in zip(t.kinds, ref.kinds, strict=True):
        assert _histogram_state(k.latency) == _histogram_state(r.latency)
        assert k.sums == r.sums


def test_histogram_bins_many_as_one_at_a_time_at_the_bin_edges() -> None:
    edges = LOW * RATIO ** np.arange(0, 1900, 7.0)  # values on and beside the bin edges, where np.log may round off
    values = np.concatenate([[0.0, LOW / 2, HIGH, 2 * HIGH], edges, np.nextafter(edges, 0), np.nextafter(edges, 1e9)])
    one, many = Histogram(), Histogram()
    for x in values:
        one.add(float(x))
    many.add_many(values[:100])
    many.add_many(values[100:])
    assert _histogram_state(many) == _histogram_state(one)
