"""The engine's direct path for single-task requests gives exactly what the full request process gives."""

from __future__ import annotations

import pandas as pd

from orgsim.analytic.reductions import mmc_scenario
from orgsim.sim.engine import Model


def run(direct: bool, trace: bool) -> Model:
    return Model(mmc_scenario(2, 1.5, 1.0, horizon_days=20, warmup_days=2), seed=5, trace=trace, direct=direct)


def test_direct_path_matches_request_process() -> None:
    for trace in (False, True):
        a, b = run(True, trace), run(False, trace)
        assert any(d is not None for d in a.flows.direct) and all(d is None for d in b.flows.direct)
        ra, rb = a.run(), b.run()
        pd.testing.assert_frame_equal(ra.requests, rb.requests)
        pd.testing.assert_frame_equal(ra.people, rb.people)
        assert ra.in_system_hours == rb.in_system_hours
        if trace:
            # Same events at the same times; only the order within one instant differs (the
            # answer is logged before, not after, the worker starts its next task).
            def key(log: pd.DataFrame) -> pd.DataFrame:
                return log.sort_values(list(log.columns)).reset_index(drop=True)

            pd.testing.assert_frame_equal(key(ra.log), key(rb.log))
