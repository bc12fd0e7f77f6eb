"""Messages whose writers gave up, by channel and local hour of arrival (full mode's tables).

A message is abandoned when nobody has started on it before its writer's
patience runs out (``demand.messages.<channel>.patience_hours``,
:mod:`orgsim.sim.patience`). Where abandonment happens says where the team is
missing: at night, on one platform.
"""

from __future__ import annotations

import pandas as pd

from orgsim.arguments import a_result, checks
from orgsim.sim.result import Result

__all__ = ["abandoned_by_channel_hour"]


@checks(result=a_result)
def abandoned_by_channel_hour(result: Result) -> pd.DataFrame:
    """Per channel and local hour of arrival (``demand.timezone``): messages arrived in the window, abandoned, share.

    Only the full tables hold each message (a summary-mode run gives an empty table).

    >>> from orgsim import load_scenario, simulate
    >>> t = abandoned_by_channel_hour(simulate(load_scenario("scenarios/base.yaml"), seed=1))
    >>> t.columns.tolist()
    ['channel', 'hour', 'arrived', 'abandoned', 'abandoned_share']
    """
    m = result.messages[result.messages["in_window"]]
    frame = pd.DataFrame({"channel": m["channel"].astype(str), "hour": result.clock.local_hour(m["arrived"].to_numpy()),
                          "abandoned": m["abandoned"].notna().astype(int)})
    out = frame.groupby(["channel", "hour"], sort=True).agg(arrived=("abandoned", "size"),
                                                            abandoned=("abandoned", "sum")).reset_index()
    out["abandoned_share"] = out["abandoned"] / out["arrived"]
    return out
