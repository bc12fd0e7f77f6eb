"""Property-based fuzz of whole scenario files (issue #21): structural edits, hostile values and YAML constructs.

Each case is either a positioned one-line error or a scenario that runs a
short horizon to completion with conservation holding (every request
answered or still open, never answered before it arrived; every insight pair
reached or missed). A case that raises anything else is a crash; one that
runs past its time budget is a hang. The tally goes to the test summary
(see conftest.py); 0 crashes and 0 hangs are asserted.
"""

from __future__ import annotations

import copy
import io
import math
import signal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from orgsim.errors import OrgsimError, ScenarioError
from orgsim.metrics import run_figures
from orgsim.org.lint import check_file
from orgsim.scenario.overrides import with_run_settings
from orgsim.sim.engine import simulate
from tests.test_fuzz import BASE, _paths  # the same starter scenario and tree walk as the mutation fuzz

_yaml = YAML(typ="safe", pure=True)
#: seconds one case may take (load + a two-day run of a three-person team takes well under one)
BUDGET = 20

VALUES = [None, "", "junk", -1, 0, 1, True, [], {}, [1, "x"], {"x": 1}, "09:00-17:00", "all",
          1e300, -1e300, 1e13, 1e-300, 5e-324, 2**63, -(2**63), float("inf"), float("-inf"), float("nan"),
          "é" * 3, "👩‍💻🚀", "\u202e\u200b", "x" * 5000, "2026-02-30", "2026-01-01"]
#: raw YAML dropped in for a value: tags, merge keys, dates, aliases, flow oddities
RAW = ["!!python/name:os.system", "!!python/object/apply:os.system [ls]", "!foo 1", "!!omap [{a: 1}]",
       "!!set {a}", "!!binary aGk=", "!!timestamp 2026-02-30", "2026-13-01", "{<<: {a: 1}}",
       "{<<: [{a: 1}, {b: 2}]}", "!replace {}", "!replace [1]", ".inf", "-.inf", ".nan", "1e999", "0x10", "0o17",
       "'\\x00'", "\"\\u0007\"", "[[[[[[[[[[1]]]]]]]]]]", "&a [*a]", "*undefined", "{? [1]: 2}", "|\n  text",
       "~", "!!str 5", "!!int '7'", "!!float '1e309'", "!!null ''", "\"" + "é" * 300 + "\""]


def _edit(data: Any, op: str, pick: int, value: Any) -> Any:
    paths = [p for p in _paths(data) if p]
    path = paths[pick % len(paths)]
    parent = data
    for k in path[:-1]:
        parent = parent[k]
    key = path[-1]
    if op == "delete":
        del parent[key]
    elif op == "value":
        parent[key] = copy.deepcopy(value)
    elif op == "swap":  # a value of another place, another type
        other = paths[(pick * 7 + 3) % len(paths)]
        node = data
        for k in other:
            node = node[k]
        parent[key] = copy.deepcopy(node)
    elif op == "duplicate" and isinstance(parent, list):
        parent.extend([parent[key]] * 50)
    elif op == "rename" and isinstance(parent, dict):
        parent[f"{key}\u00e9"] = parent.pop(key)
    return data


def _raw_edit(text: str, pick: int, raw: str) -> str:
    """Put a raw YAML snippet where a scalar value was (``key: value`` lines only)."""
    lines = text.split("\n")
    spots = [i for i, line in enumerate(lines) if ": " in line and not line.rstrip().endswith(":")]
    if not spots:
        return text
    i = spots[pick % len(spots)]
    head = lines[i][: lines[i].index(": ") + 2]
    lines[i] = head + raw.replace("\n", "\n" + " " * (len(head) - len(head.lstrip()) + 2))
    return "\n".join(lines)


class _Hang(Exception):
    pass


def _alarm(_signum: int, _frame: Any) -> None:
    raise _Hang


def _conserved(scenario: Any) -> None:
    result = simulate(with_run_settings(scenario, horizon_days=2.0, warmup_days=0.0, replications=1), seed=1)
    req = result.requests
    answered = req["answered"].dropna()
    assert (answered >= req.loc[answered.index, "arrived"] - 1e-9).all()
    assert (answered <= 2 * 24 + 1e-6).all()
    fig = run_figures(result).get("insight_reach") or {}
    if fig.get("pairs"):
        assert fig["reached"] + fig["missed"] == fig["pairs"]
    for value in (fig.get("share_within_horizon"),):
        assert value is None or (isinstance(value, float) and (math.isnan(value) or 0 <= value <= 1))


def _fuzz(tmp_path: Path, examples: int, record_property: Any) -> None:
    tally = {"cases": 0, "errors": 0, "runs": 0, "crashes": 0, "hangs": 0}
    crashes: list[str] = []
    edit = st.tuples(st.sampled_from(["delete", "value", "swap", "duplicate", "rename"]), st.integers(0, 10_000),
                     st.sampled_from(VALUES))

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(edits=st.lists(edit, min_size=0, max_size=2),
           raw=st.one_of(st.none(), st.none(), st.tuples(st.integers(0, 10_000), st.sampled_from(RAW))),
           cut=st.one_of(st.none(), st.floats(0, 1)))
    def one(edits: list[tuple[str, int, Any]], raw: tuple[int, str] | None, cut: float | None) -> None:
        data = copy.deepcopy(BASE)
        for op, pick, value in edits:
            data = _edit(data, op, pick, value)
        buf = io.StringIO()
        _yaml.dump(data, buf)
        text = buf.getvalue()
        if raw is not None:
            text = _raw_edit(text, *raw)
        if cut is not None:
            text = text[: int(len(text) * cut)]
        path = tmp_path / f"case{tally['cases']}.yaml"
        path.write_text(text, encoding="utf-8")
        tally["cases"] += 1
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(BUDGET)
        try:
            try:
                scenario, _warnings = check_file(path)
            except ScenarioError as exc:
                tally["errors"] += 1
                for problem in exc.problems:
                    line = str(problem)
                    assert problem.file == str(path) and "\n" not in line and len(line) < 1000, line
                    assert problem.line is not None or not problem.key or "missing" in problem.message, line
                return
            try:
                _conserved(scenario)
            except OrgsimError:
                tally["errors"] += 1  # refused when run (a budget, say): the project's own error, one line
                return
            tally["runs"] += 1
        except _Hang:
            tally["hangs"] += 1
        except AssertionError:
            raise
        except Exception as exc:  # noqa: BLE001 - counting crashes is the point
            tally["crashes"] += 1
            crashes.append(f"{type(exc).__name__}: {exc} in\n{text[:2000]}")
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)

    one()
    record_property("structural_fuzz", tally)
    assert tally["crashes"] == 0, crashes[:3]
    assert tally["hangs"] == 0
    assert tally["cases"] >= examples


def test_structural_fuzz_never_crashes_or_hangs(tmp_path: Path, record_property: Any) -> None:
    _fuzz(tmp_path, 120, record_property)


@pytest.mark.slow
def test_structural_fuzz_at_length(tmp_path: Path, record_property: Any) -> None:
    _fuzz(tmp_path, 3000, record_property)
