"""Each lever's share of a difference between two designs (``orgsim compare --attribute``).

Two designs usually differ in several levers at once. The levers are found by
diffing the resolved scenarios: **grouping** (``structure.kind`` and
``structure.pods`` together), each other key of ``structure`` (``intake``,
``liaisons``, ``embedded``, ``handoff_hours``...), each key of ``policies``,
``team`` as one lever, and any other top-level section that differs.

Every combination of the levers (a full factorial: 2^k designs, each the
baseline with the levers of the combination taken from the design) runs on the
same child seeds as the comparison (common random numbers). A lever's share of
a metric's difference is its **Shapley value** over the factorial: its
marginal effect, v(S ∪ {lever}) − v(S), averaged over every order in which the
levers could be switched on (exact, not sampled: with k levers, the weight of
a set S is |S|!(k − |S| − 1)!/k!). It is computed per replication, so the
shares add up to the total difference replication by replication, and each
share's 95% CI is the Student-t interval over the paired replications.

Some combinations are not valid scenarios (pods that name people only the
design's team has, a structure kind that needs its pods): levers that cannot
be switched apart are grouped into one, named with a ``+``, and the result says
so (``grouped``). At most :data:`MAX_LEVERS` levers are attributed (2^4 = 16
designs); beyond that the policy keys are grouped as one ``policies`` lever.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orgsim.errors import OrgsimError
from orgsim.experiment.settings import Settings
from orgsim.metrics.registry import Metric, metrics_for
from orgsim.metrics.stats import mean_ci
from orgsim.scenario.loading import scenario_from_data
from orgsim.scenario.model import Scenario

if TYPE_CHECKING:
    from orgsim.experiment.study import Study

__all__ = ["MAX_LEVERS", "Attribution", "attribute", "attribute_study", "attribute_with", "lever_phrase", "levers", "shapley"]

MAX_LEVERS = 4

#: the keys that never count as a lever (names and text)
_IGNORED = {"name", "company", "description", "extends"}

Lever = tuple[str, tuple[tuple[str, ...], ...]]  # (name, the key paths it sets)


def _dump(s: Scenario) -> dict[str, Any]:
    return s.model_dump(mode="json", by_alias=True)


def levers(base: Scenario, design: Scenario) -> list[Lever]:
    """The levers in which ``design`` differs from ``base``, each with the key paths it sets."""
    a, b = _dump(base), _dump(design)
    out: list[Lever] = []
    for key in dict.fromkeys([*a, *b]):
        if key in _IGNORED or a.get(key) == b.get(key):
            continue
        if key == "structure":
            sa, sb = a[key], b[key]
            if (sa.get("kind"), sa.get("pods")) != (sb.get("kind"), sb.get("pods")):
                out.append(("grouping", (("structure", "kind"), ("structure", "pods"))))
            for sub in dict.fromkeys([*sa, *sb]):
                if sub not in ("kind", "pods", *_IGNORED) and sa.get(sub) != sb.get(sub):
                    out.append((sub, (("structure", sub),)))
        elif key == "policies":
            pa, pb = a[key], b[key]
            out += [(f"policies.{sub}", (("policies", sub),)) for sub in dict.fromkeys([*pa, *pb])
                    if pa.get(sub) != pb.get(sub)]
        else:
            out.append((key, ((key,),)))
    policies = [lv for lv in out if lv[0].startswith("policies.")]
    if len(out) > MAX_LEVERS and len(policies) > 1:
        out = [lv for lv in out if lv not in policies] + [("policies", tuple(p for lv in policies for p in lv[1]))]
    return out


def _combine(base: dict[str, Any], design: dict[str, Any], chosen: Sequence[Lever]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for _name, paths in chosen:
        for path in paths:
            src: Any = design
            dst: Any = out
            for k in path[:-1]:
                src, dst = src.get(k, {}), dst.setdefault(k, {})
            if path[-1] in src:
                dst[path[-1]] = copy.deepcopy(src[path[-1]])
            else:
                dst.pop(path[-1], None)
    return out


def _merge(a: Lever, b: Lever) -> Lever:
    return f"{a[0]} + {b[0]}", a[1] + b[1]


def _factorial(base: Scenario, design: Scenario, found: list[Lever]) -> tuple[list[Lever], list[Scenario], list[str]]:
    """Levers (grouped until every combination is a valid scenario) and the 2^k scenarios, by bit mask."""
    a, b = _dump(base), _dump(design)
    grouped: list[str] = []
    while True:
        scenarios: list[Scenario] = []
        bad: int | None = None
        for mask in range(2 ** len(found)):
            chosen = [lv for i, lv in enumerate(found) if mask >> i & 1]
            data = _combine(a, b, chosen)
            data["name"] = f"{base.name} + " + ", ".join(lv[0] for lv in chosen) if chosen else base.name
            try:
                scenarios.append(scenario_from_data(data, file=f"attribution: {data['name']}", allow_large=True))
            except OrgsimError:
                bad = mask
                break
        if bad is None:
            return found, scenarios, grouped
        # the levers switched on in the invalid combination cannot stand without one switched off: group them
        on = [i for i in range(len(found)) if bad >> i & 1]
        off = [i for i in range(len(found)) if not bad >> i & 1]
        i, j = (on[0], off[0]) if off else (on[0], on[1])
        merged = _merge(found[i], found[j])
        grouped.append(f"{found[i][0]} and {found[j][0]} are attributed together: a design with one and not the "
                       "other is not a valid scenario")
        found = [lv for k, lv in enumerate(found) if k not in (i, j)] + [merged]


def shapley(values: Callable[[int], float], k: int) -> list[float]:
    """Exact Shapley values of k players from the value of every coalition (a bit mask).

    >>> shapley(lambda m: [0, 1, 2, 5][m], 2)  # v({a}) = 1, v({b}) = 2, v({a, b}) = 5
    [2.0, 3.0]
    """
    out = []
    for i in range(k):
        phi = 0.0
        for mask in range(2**k):
            if mask >> i & 1:
                continue
            s = bin(mask).count("1")
            weight = math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k)
            phi += weight * (values(mask | 1 << i) - values(mask))
        out.append(phi)
    return out


@dataclass
class Attribution:
    """One design's difference from the baseline, lever by lever."""

    design: str
    levers: list[str]
    #: per metric id: (total difference mean, its CI) and per lever (share mean, CI)
    rows: list[dict[str, Any]] = field(default_factory=list)
    grouped: list[str] = field(default_factory=list)

    def json(self) -> list[dict[str, Any]]:
        """The ``attribution`` list of ``compare --json``: {lever, metric, difference, ci95}."""
        return [{k: r[k] for k in ("lever", "metric", "difference", "ci95")} for r in self.rows]


def attribute(base: Scenario, design: Scenario, replications: int, seed: int, *, workers: int | None = 1,
              scheduler: str | None = None, progress: Callable[[int], None] | None = None,
              metrics: Sequence[Metric] | None = None) -> Attribution:
    """Run the factorial of the levers between ``base`` and ``design``; each lever's Shapley share per metric."""
    settings = Settings.fold(base.run, replications=replications, seed=seed, workers=workers, scheduler=scheduler)
    return attribute_with(base, design, settings, progress=progress, metrics=metrics)


def attribute_with(base: Scenario, design: Scenario, settings: Settings, *,
                   progress: Callable[[int], None] | None = None,
                   metrics: Sequence[Metric] | None = None) -> Attribution:
    """:func:`attribute` on folded settings (a report's: the study's seed and replications, the command's workers)."""
    from orgsim.experiment.study import study_with

    found = levers(base, design)
    if not found:
        return Attribution(design.name, [])
    found, scenarios, grouped = _factorial(base, design, found)
    study = study_with(scenarios, settings, progress=progress, detail=False)
    chosen = list(metrics) if metrics is not None else \
        [m for m in metrics_for([f for r in study.runs for f in r]) if m.primary and m.direction != 0]
    out = Attribution(design.name, [lv[0] for lv in found], grouped=grouped)
    k = len(found)
    for m in chosen:
        per_rep = [[m.of(study.runs[mask][r]) for mask in range(2**k)] for r in range(settings.replications)]
        if any(math.isnan(v) for rep in per_rep for v in rep):
            continue
        shares = [shapley(rep.__getitem__, k) for rep in per_rep]
        total = [rep[-1] - rep[0] for rep in per_rep]
        for i, lv in enumerate(found):
            mean, low, high = mean_ci([s[i] for s in shares])
            out.rows.append({"lever": lv[0], "metric": m.id, "label": m.label, "difference": mean, "ci95": [low, high]})
        mean, low, high = mean_ci(total)
        out.rows.append({"lever": "total", "metric": m.id, "label": m.label, "difference": mean, "ci95": [low, high]})
    return out


def attribute_study(study: Study, *, workers: int | None = 1, scheduler: str | None = None,
                    progress: Callable[[int], None] | None = None) -> list[Attribution]:
    """The attributions a report shows: each design that differs from the baseline in two or more levers.

    A design with one lever needs no split (the whole difference is that lever's). A design that does not
    keep up with its work, or a baseline that does not, is left out: its latency has no steady state, so
    splitting it would only split the length of the run. Runs on the study's own seed and replications.
    """
    shaky = study.table.attrs.get("unstable") or {}
    ids = study.design_ids
    if shaky.get(ids[0]):
        return []
    base = study.scenarios[0]
    settings = Settings.fold(base.run, replications=study.replications, seed=study.seed, workers=workers,
                             scheduler=scheduler)
    return [attribute_with(base, s, settings, progress=progress)
            for s, i in zip(study.scenarios[1:], ids[1:], strict=True)
            if not shaky.get(i) and len(levers(base, s)) >= 2]


def lever_phrase(lever: str, design: Scenario) -> str:
    """A lever in words, from the design's value of it ("sending requests straight to the pods").

    Levers attributed together ("grouping + team") read "grouping by function with the team".
    """
    parts = [p.strip() for p in lever.split(" + ")]
    return " with ".join(_one_phrase(p, design) for p in parts)


def _one_phrase(lever: str, design: Scenario) -> str:
    st = design.structure
    if lever == "grouping":
        return f"grouping by {st.kind}"
    if lever == "intake":
        return "sending requests straight to the pods" if st.intake == "pod" else "routing requests through the lead"
    if lever == "embedded":
        where = sorted({link.department for link in st.embedded})
        return "embedding experts in " + " and ".join(where) if where else "no embedded experts"
    if lever == "liaisons":
        return "liaisons to departments"
    if lever == "team":
        n = len(design.team.people)
        return f"a team of {n} {'person' if n == 1 else 'people'}"
    if lever == "lead":
        return f"{st.lead} as head of social" if st.lead else "no head of social"
    if lever.startswith("policies."):
        return "a different " + lever.removeprefix("policies.").replace("_", " ")
    return lever.replace("_", " ")
