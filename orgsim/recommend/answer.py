"""The answer in words and files: the headline, what the pick gives up, the front, the design as YAML.

``write_answer`` fills the ``--out`` folder: ``candidates.csv`` (every
candidate made: choices, cost, head count, why out, replications, means,
verdicts), ``front.csv`` (the Pareto front: cost against each objective, among
the candidates that meet every target), ``front.png`` (the same, drawn),
``recommended.yaml`` (the pick as a scenario file to edit and run),
``recommendation.json`` (everything, strict JSON) and ``recommendation.html``
(the report section). Nothing in them depends on the time or the machine, so a
resumed recommendation writes the same bytes.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orgsim.metrics.registry import Metric
from orgsim.recommend.question import Target
from orgsim.recommend.search import EXACT

if TYPE_CHECKING:
    from orgsim.recommend.run import Recommendation

__all__ = ["answer_json", "gives_up", "headline", "render", "target_text", "write_answer"]


def _money(r: Recommendation, x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "—"
    cur = r.base.run.currency
    return f"{cur} {x:,.0f}" if cur else f"{x:,.0f}"


def _m(r: Recommendation, mid: str) -> Metric:
    from orgsim.recommend.page import metric_of

    return metric_of(r, mid)


def _budget(r: Recommendation) -> str:
    b = r.question.budget
    parts = []
    if b.money_per_year is not None:
        parts.append(f"{_money(r, b.money_per_year)} a year")
    if b.head_count is not None:
        parts.append(f"{b.head_count} people")
    return "Within " + " and ".join(parts) if parts else "With no budget set"


def target_text(r: Recommendation, t: Target) -> str:
    """A target as a reader sees it: ``messages answered within 1 h ≥ 35%``."""
    m = _m(r, t.metric)
    return f"{m.label} {'≥' if t.op == '>=' else '≤'} {m.format_value(t.value)}"


def _targets(r: Recommendation) -> str:
    return "; ".join(target_text(r, t) for t in r.question.targets)


def gives_up(r: Recommendation) -> list[dict[str, Any]]:
    """Per simulated objective: the best design that meets every target (any cost) and what the pick loses to it."""
    pick = r.pick
    if pick is None:
        return []
    rows = r.candidates.set_index("key")
    ok = rows[(rows["out"] == "") & _meets_all(r, rows)]
    out = []
    for mid in r.question.objectives:
        if mid in EXACT or mid not in ok:
            continue
        m = _m(r, mid)
        best_key = (ok[mid].idxmin() if m.direction < 0 else ok[mid].idxmax()) if ok[mid].notna().any() else None
        if best_key is None or best_key == pick.key():
            continue
        here, there = float(rows.loc[pick.key(), mid]), float(ok.loc[best_key, mid])
        out.append({"metric": mid, "label": m.label, "pick": here, "best": there, "best_design": ok.loc[best_key, "label"],
                    "best_cost_per_year": float(ok.loc[best_key, "cost_per_year"]),
                    "best_within_budget": bool(ok.loc[best_key, "within_budget"]),
                    "difference": here - there})
    return out


def _meets_all(r: Recommendation, rows: Any) -> Any:
    ok = rows["out"] == ""
    for i, _ in enumerate(r.question.targets):
        ok = ok & rows[f"target{i}_verdict"].astype(str).str.startswith("meets")
    return ok


def headline(r: Recommendation) -> list[str]:
    """The answer in sentences, for the terminal, the report and the JSON."""
    q, conf = r.question, r.confirmation
    level = f"{q.confirm.confidence:.0%}"
    rows = r.candidates.set_index("key")
    said: list[str] = []
    targets = f" ({_targets(r)})" if q.targets else ""
    if r.pick is None:
        said.append(f"{_budget(r)}, no design meets every target{targets} at {level} confidence: "
                    f"{len(rows)} candidates made, {int((rows['out'] != '').sum())} out before simulation.")
        over = [c for c in conf.verdicts if conf.meets(c) and not rows.loc[c.key(), "within_budget"]]
        if over:
            cheapest = min(over, key=lambda c: (rows.loc[c.key(), "cost_per_year"], c.key()))
            row = rows.loc[cheapest.key()]
            said.append(f"The cheapest design that does is {row['label']}: {_money(r, row['cost_per_year'])} a year, "
                        f"{row['head_count']} people.")
        else:
            said.append("No candidate run meets them at any cost: widen the levers (more hires, other structures) "
                        "or relax a target.")
        return said
    row = rows.loc[r.pick.key()]
    meets = f"it meets every target{targets} at {level} confidence" if q.targets else "there are no targets"
    said.append(f"{_budget(r)}: {row['label']} — {_money(r, row['cost_per_year'])} a year, {row['head_count']} "
                f"people; {meets}.")
    if conf.decided_on and conf.decided_on not in EXACT:
        m = _m(r, conf.decided_on)
        if conf.separated:
            said.append(f"It is the best on {m.label} among the finalists at {level} confidence (differences under "
                        f"{m.format_value(conf.indifference).replace('.0 h', ' h')} count as ties).")
        else:
            tied = ", ".join(r.labels[c] for c in conf.tied)
            said.append(f"On {m.label} it could not be told apart from {tied} within "
                        f"{q.confirm.max_replications} replications: choose among them on other grounds.")
    nxt = [c for c in conf.feasible[1:] if rows.loc[c.key(), "cost_per_year"] > row["cost_per_year"] + 1e-9]
    if nxt and q.targets:
        other = min(nxt, key=lambda c: (rows.loc[c.key(), "cost_per_year"], c.key()))
        said.append(f"The next-cheapest design that meets them is {r.labels[other]} at "
                    f"{_money(r, rows.loc[other.key(), 'cost_per_year'])}.")
    cheaper = [c for c in conf.verdicts if rows.loc[c.key(), "cost_per_year"] < row["cost_per_year"] - 1e-9
               and not conf.meets(c)]
    for c in sorted(cheaper, key=lambda c: -rows.loc[c.key(), "cost_per_year"])[:2]:
        failed = [target_text(r, t) for t, v in zip(q.targets, conf.verdicts[c], strict=True) if v != "meets"]
        said.append(f"Cheaper, {r.labels[c]} ({_money(r, rows.loc[c.key(), 'cost_per_year'])}) "
                    f"{'fails' if 'fails' in conf.verdicts[c] else 'cannot be shown to meet'} {', '.join(failed)}.")
    for g in gives_up(r):
        m = _m(r, g["metric"])
        said.append(f"It gives up {m.format_diff(abs(g['difference'])).lstrip('+')} of {m.label} against {g['best_design']} "
                    f"({_money(r, g['best_cost_per_year'])} a year{'' if g['best_within_budget'] else ', over budget'}).")
    return said


def answer_json(r: Recommendation) -> dict[str, Any]:
    """The whole answer as plain data (strict JSON through :func:`orgsim.writes.strict_json`)."""
    conf = r.confirmation
    return {
        "format": 1, "kind": "recommendation", "scenario": r.base.name, "company": r.base.company,
        "currency": r.base.run.currency, "seed": r.seed, "question": r.question.model_dump(mode="json"),
        "headline": headline(r), "recommended": None if r.pick is None else r.row(r.pick),
        "separated": conf.separated if r.pick is not None else None,
        "confidence": r.question.confirm.confidence, "decided_on": conf.decided_on or None,
        "indifference": conf.indifference or None, "tied": [r.labels[c] for c in conf.tied],
        "gives_up": gives_up(r), "runs": r.runs, "candidates": r.candidates.to_dict(orient="records"),
    }


def write_answer(r: Recommendation, out: Path) -> None:
    """Write the answer's files into ``out`` (see the module docstring), each whole or not at all."""
    from orgsim.experiment.parts import write_atomic, write_whole
    from orgsim.recommend.page import front_figure, section_html, yaml_of
    from orgsim.writes import strict_json

    write_atomic(out / "candidates.csv", r.candidates.to_csv(index=False))
    write_atomic(out / "front.csv", r.candidates[r.candidates["pareto"]].to_csv(index=False))
    write_whole(out / "front.png", lambda p: _png(front_figure(r), p))
    if r.pick_scenario is not None:
        write_atomic(out / "recommended.yaml", yaml_of(r))
    write_atomic(out / "recommendation.json", strict_json(answer_json(r)) + "\n")
    write_atomic(out / "recommendation.html", section_html(r))



def _png(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig.savefig(path, format="png", metadata={"Software": None})
    plt.close(fig)


def render(r: Recommendation, echo: Any) -> None:
    """The answer on the terminal: the headline, then the front (cost against each objective)."""
    for line in headline(r):
        echo(line)
    front = r.candidates[r.candidates["pareto"]]
    if front.empty:
        return
    echo("")
    echo("The front (designs that meet every target on the search's replications; none is better on every objective):")
    from orgsim.recommend.page import metric_of

    shown = [m for m in r.question.objectives if m not in EXACT]
    for rec in front.to_dict(orient="records"):
        figures = ", ".join(f"{metric_of(r, m).label} {metric_of(r, m).format_value(rec[m])}" for m in shown)
        mark = "* " if rec["pick"] else "  "
        echo(f"{mark}{_money(r, rec['cost_per_year'])} a year, {rec['head_count']} people: {rec['label']}"
             + (f" — {figures}" if figures else ""))
