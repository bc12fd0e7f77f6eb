"""The recorder: one record per answer, and a per-request quantity added through the recorder alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from orgsim.metrics.latency import quantity_mean
from orgsim.scenario import load_scenario
from orgsim.scenario.overrides import with_run_settings
from orgsim.sim.answers import FIELD, QUANTITIES, Answer, Quantity, as_array
from orgsim.sim.engine import Model
from tests.conftest import ROOT

#: latency that is not hands-on work, per request: a quantity no part of the engine knows of
OVERHEAD = Quantity("overhead_hours", lambda f: f["answered"] - f["arrived"] - f["work_hours"])
#: whether the request went through more than one handoff across groups (a count)
CROSSED = Quantity("crossed_more_than_once", lambda f: f["cross_group_handoffs"] > 1, count=True)


@pytest.fixture(scope="module")
def runs() -> tuple[pd.DataFrame, pd.DataFrame, Model, object]:
    scenario = with_run_settings(load_scenario(ROOT / "scenarios/network.yaml"), horizon_days=21, warmup_days=3)
    extra = (*QUANTITIES, OVERHEAD, CROSSED)
    full = Model(scenario, 3, quantities=extra).run()
    plain = Model(scenario, 3).run()
    summary_model = Model(scenario, 3, summary=True, quantities=extra)
    summary = summary_model.run()
    return full.requests, plain.requests, summary_model, (full, summary)


def test_a_new_per_request_quantity_is_a_column_of_the_full_table(runs) -> None:
    requests, plain, _, _ = runs
    # the column, worked out from each answer's record: latency minus hands-on work; empty while unanswered
    expected = requests["latency_hours"] - requests["work_hours"]
    assert np.array_equal(requests["overhead_hours"].to_numpy(), expected.to_numpy(), equal_nan=True)
    assert requests["overhead_hours"].notna().sum() == requests["answered"].notna().sum() > 100
    crossed = requests["crossed_more_than_once"]
    assert str(crossed.dtype) == "Int64" and crossed.isna().sum() == requests["answered"].isna().sum()
    assert crossed.sum() == (requests["cross_group_handoffs"] > 1).sum() > 0
    # nothing else moved: the same run, the same other columns
    pd.testing.assert_frame_equal(requests.drop(columns=["overhead_hours", "crossed_more_than_once"]), plain)


def test_a_new_per_request_quantity_is_tallied_per_kind_in_summary_mode(runs) -> None:
    requests, _, model, (full, summary) = runs
    tally = summary.tally
    done = requests[requests["in_window"] & requests["answered"].notna()]
    for (department, request_type), kind in zip(tally.names, tally.kinds, strict=True):
        mine = done[(done["department"] == department) & (done["request_type"] == request_type)]
        assert kind.sums["overhead_hours"] == pytest.approx(mine["overhead_hours"].sum(), rel=1e-12, abs=1e-9)
        assert kind.sums["crossed_more_than_once"] == int(mine["crossed_more_than_once"].sum())
    assert quantity_mean(full, "overhead_hours") == pytest.approx(quantity_mean(summary, "overhead_hours"), rel=1e-12)
    assert quantity_mean(full, "overhead_hours") == pytest.approx(done["overhead_hours"].mean(), rel=1e-12)


def test_records_pack_into_an_array_exactly() -> None:
    records = [Answer(7, 2, 1.25, 9.5, 0.1, 3.0, 0.25, 0.0, 4.5, 5, 3, 2, 1), (0, 0, 0.0, 1e-300, 1 / 3, 2.0, 0.0, 0.0,
                                                                                2.0, 0, 0, 1, 0)]
    rows = as_array(records)  # type: ignore[arg-type]
    assert rows.shape == (2, len(Answer._fields))
    assert rows.tolist() == [[float(x) for x in r] for r in records]
    assert rows[0, FIELD["cross_group_handoffs"]] == 3 and rows[1, FIELD["queue_hours"]] == 1 / 3
