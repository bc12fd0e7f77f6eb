"""Page one of the report: which design to choose, what it costs, and how sure the numbers are.

The recommendation is a rule applied to the scorecard's paired verdicts, stated on the page so a reader can
check it: each design other than the baseline scores its *clear* improvements minus its *clear* deteriorations
over the scorecard's rows that have a direction (a row counts only when its paired 95% interval excludes zero);
the highest score is recommended, ties going to fewer deteriorations, then to the order the designs were given.
If no design scores above zero, the recommendation is to keep the baseline. A design that does not keep up
with its work (unstable: its queue grows without bound) is never recommended. Nothing here weighs one measure
against another: that judgement is the reader's, and the trade-off is spelled out for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orgsim.experiment.study import Study
from orgsim.report.verdicts import Finding, Scorecard, findings, scorecard

__all__ = ["Decision", "decide"]


@dataclass(frozen=True)
class Decision:
    """What page one says."""

    #: index of the recommended design in ``study.designs`` (0: keep the baseline)
    choice: int
    #: scorecard rows where the choice is clearly better / clearly worse than the baseline
    gains: list[str]
    losses: list[str]
    #: (clear improvements, clear deteriorations) per design, baseline included as (0, 0)
    scores: list[tuple[int, int]]
    #: the headline sentences about the choice, split by tone
    good: list[Finding] = field(default_factory=list)
    bad: list[Finding] = field(default_factory=list)
    unclear: list[Finding] = field(default_factory=list)
    #: clear / all paired comparisons on the scorecard (how much of it is signal)
    clear: int = 0
    compared: int = 0
    #: when the baseline is kept: the best-scoring alternative and the rows where it is clearly worse
    runner_up: int | None = None
    runner_losses: list[str] = field(default_factory=list)


def decide(study: Study, card: Scorecard | None = None) -> Decision:
    """Apply the rule of this module's docstring to a study whose first design is the baseline."""
    card = scorecard(study) if card is None else card
    scores: list[tuple[int, int]] = [(0, 0)]
    clear = compared = 0
    for j in range(1, len(study.designs)):
        up = down = 0
        for _label, _unit, direction, cells, _best in card.rows:
            if direction == 0:
                continue
            verdict = cells[j][3]
            compared += 1
            up += verdict == "better"
            down += verdict == "worse"
        clear += up + down
        scores.append((up, down))
    shaky = study.table.attrs.get("unstable") or {}
    ranked = sorted((j for j in range(1, len(scores)) if not shaky.get(study.design_ids[j])),
                    key=lambda j: (-(scores[j][0] - scores[j][1]), scores[j][1], j))
    choice = ranked[0] if ranked and scores[ranked[0]][0] - scores[ranked[0]][1] > 0 else 0
    gains = [row[0] for row in card.rows if choice and row[2] != 0 and row[3][choice][3] == "better"]
    losses = [row[0] for row in card.rows if choice and row[2] != 0 and row[3][choice][3] == "worse"]
    mine = [f for f in findings(study) if choice and f.design == study.designs[choice]]
    runner = ranked[0] if ranked and not choice else None
    runner_losses = [row[0] for row in card.rows if runner and row[2] != 0 and row[3][runner][3] == "worse"]
    return Decision(choice, gains, losses, scores,
                    good=[f for f in mine if f.tone == "better"], bad=[f for f in mine if f.tone == "worse"],
                    unclear=[f for f in mine if f.tone == "unclear"], clear=clear, compared=compared,
                    runner_up=runner, runner_losses=runner_losses)
