"""An exploration as text for the terminal: what was varied, which inputs matter most, where each design wins."""

from __future__ import annotations

from collections.abc import Callable

from orgsim.explore.run import Exploration

__all__ = ["render_exploration"]


def render_exploration(ex: Exploration, echo: Callable[[str], None]) -> None:
    """Print the inputs, the ranking of inputs per primary metric (difference of the first pair), and the rules."""
    what = "Morris mu* (mean absolute elementary effect)" if ex.method == "morris" else "Sobol total index ST"
    if ex.defaults_used:
        echo("no --vary: exploring the inputs that have no source in the field (stated assumptions):")
    else:
        echo("inputs:")
    for row in ex.inputs.itertuples():
        note = f"  — {row.default_reason}" if row.default_reason else (f"  — {row.meaning}" if row.meaning else "")
        echo(f"  {row.input} from {row.low:g} to {row.high:g}{note}")
    echo(f"{len(ex.samples)} sampled worlds ({ex.method}) x {len(ex.designs)} designs x {ex.replications} "
         f"replications, seed {ex.seed}")
    if ex.sizing:
        echo(f"({ex.sizing})")
    diff = ex.indices[ex.indices["kind"] == "difference"] if not ex.indices.empty else ex.indices
    if not diff.empty:
        target = diff["target"].iloc[0]
        echo(f"\nwhat moves the difference {target}, by {what}:")
        for (_, label), part in diff[diff["target"] == target].groupby(["metric", "label"], sort=False):
            ranked = part.sort_values("importance", ascending=False)
            echo(f"  {label}: " + ", ".join(f"{r.input} {r.importance:.3g}" for r in ranked.itertuples()))
    if not ex.rules.empty:
        echo("\nwhere each design wins:")
        for rule in ex.rules["rule"]:
            echo(f"  {rule}")
