"""Mutated scenarios either validate or give a positioned error — never a crash."""

from __future__ import annotations

import copy
import io
import random
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from orgsim.errors import ScenarioError
from orgsim.org.lint import check_file
from orgsim.scenario.overrides import with_run_settings
from orgsim.scenario.templates import starter
from orgsim.sim.engine import simulate

EXAMPLES = 1000

_yaml = YAML(typ="safe", pure=True)
BASE: Any = _yaml.load(starter("network", 3))
JUNK = [None, "", "junk", -1, 0, 1e300, [], {}, [1, "x"], {"x": 1}, True, "09:00-17:00", "all"]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for k, v in items:
        out += _paths(v, (*path, k))
    return out


def _mutate(data: Any, rnd: random.Random) -> Any:
    paths = [p for p in _paths(data) if p]
    path = rnd.choice(paths)
    parent = data
    for k in path[:-1]:
        parent = parent[k]
    key = path[-1]
    op = rnd.choice(["delete", "type", "junk", "swap", "rename"])
    if op == "delete":
        del parent[key]
    elif op in ("type", "junk"):
        # a copy: JUNK's lists and dicts, inserted as they are, were mutated by later steps (JUNK itself changed
        # between examples, and a list put inside itself made _paths recurse without end: a flaky RecursionError)
        parent[key] = copy.deepcopy(rnd.choice(JUNK))
    elif op == "swap":
        other = rnd.choice(paths)
        node = data
        try:
            for k in other:
                node = node[k]
            parent[key] = node if not isinstance(node, (dict, list)) else str(node)
        except (KeyError, IndexError, TypeError):
            pass
    elif isinstance(parent, dict):
        parent[str(key) + "x"] = parent.pop(key)
    return data


def test_mutated_scenarios_never_crash(tmp_path: Path, record_property: Any) -> None:
    """At least EXAMPLES mutants; the tally goes to the terminal summary (see conftest), workers or not."""
    count = {"examples": 0, "valid": 0, "errors": 0, "warned": 0, "simulated": 0}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4), truncate=st.integers(0, 20))
    def one(seed: int, n: int, truncate: int) -> None:
        rnd = random.Random(seed)
        data = copy.deepcopy(BASE)
        for _ in range(n):
            data = _mutate(data, rnd)
        buf = io.StringIO()
        _yaml.dump(data, buf)
        text = buf.getvalue()
        if truncate == 0:  # 1 in 21: cut the file short anywhere
            text = text[: rnd.randrange(len(text) + 1)]
        path = tmp_path / f"f{seed}.yaml"
        path.write_text(text, encoding="utf-8")
        count["examples"] += 1
        try:
            scenario, warnings = check_file(path)
        except ScenarioError as exc:
            count["errors"] += 1
            assert exc.problems
            for problem in exc.problems:
                assert problem.file == str(path)
                # a top-level key that is missing has no line to point at
                assert problem.line is not None or not problem.key or "missing" in problem.message, str(problem)
            return
        count["valid"] += 1
        count["warned"] += bool(warnings)
        assert all(w.file == str(path) for w in warnings)
        if count["simulated"] < 10:  # a few valid mutants run, very short
            count["simulated"] += 1
            simulate(with_run_settings(scenario, horizon_days=1.0, warmup_days=0.0), seed=1)

    one()
    record_property("fuzz", count)
    assert count["examples"] >= EXAMPLES
