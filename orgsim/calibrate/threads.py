"""Threading a post log: each customer's message gets its first reply's time as its response time.

A sample of a social network's posts has one row per post, the brand's
replies among them, each pointing at the post it answers (``reply_to``). A
reply to a message of the logs becomes that message's response (the first
reply wins); it is used, but it is not a message. A reply to a post not in
the logs (``reply to an unknown message``), or earlier than what it answers
(``answered before received``), is unusable, counted at its row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from orgsim.calibrate.logs import RowProblem

if TYPE_CHECKING:
    from orgsim.calibrate.logs import _Rows

__all__ = ["thread"]


def thread(replies: list[tuple[pd.DataFrame, _Rows]], frames: list[pd.DataFrame]) -> None:
    """Each message's first reply becomes its response time; replies leave the message table."""
    if not replies:
        return
    posts = pd.concat([f[~f["is_reply"]] if "is_reply" in f else f for f in frames])
    first: dict[str, pd.Timestamp] = {}
    arrived = dict(zip(posts["id"], posts["received"], strict=True))
    for out, rows in replies:
        rep = out[out["is_reply"]]
        unknown = ~rep["reply_to"].isin(arrived.keys())
        early = ~unknown & (rep["received"] < rep["reply_to"].map(arrived))
        for mask, why, expected in ((unknown, "reply to an unknown message", "the id of a customer's message in the logs"),
                                    (early, "answered before received", "a reply after the message it answers")):
            for i in mask[mask].index:
                rows.report.problems.append(RowProblem(rows.table.file, int(out.at[i, "line"]),
                                                       rows.roles.get("reply_to", "reply_to"), why, expected,
                                                       str(out.at[i, "reply_to"])))
            rows.report.unusable[why] += int(mask.sum())
        rows.report.problems.sort(key=lambda p: p.row)
        good = rep[~unknown & ~early]
        rows.report.replies = len(good)
        for target, when in good.groupby("reply_to")["received"].min().items():
            first[str(target)] = min(first.get(str(target), when), when)
    for k, f in enumerate(frames):
        if "is_reply" in f:
            f = frames[k] = f[~f["is_reply"]].drop(columns=["is_reply", "reply_to"])
        reply = f["id"].map(first).astype(f["responded"].dtype)
        f["responded"] = f["responded"].where(f["responded"].notna() & ~(reply < f["responded"]), reply)
