"""Start-up stays light: the everyday commands never load the heavy libraries (checked without a clock)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

HEAVY = ("scipy", "pandas", "matplotlib")

_PROBE = """
import json, sys
from orgsim.cli import app
try:
    app({args!r}, standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _loaded_after(args: list[str]) -> list[str]:
    """The heavy modules a fresh interpreter holds after running ``orgsim ARGS`` in-process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", _PROBE.format(args=args, heavy=HEAVY)], capture_output=True,
                         text=True, cwd=ROOT, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [
    ["--help"],
    ["validate", "scenarios/network.yaml"],
    ["estimate", "scenarios/network.yaml"],
], ids=["help", "validate", "estimate"])
def test_light_commands_load_no_heavy_library(args: list[str]) -> None:
    assert _loaded_after(args) == []


def test_the_probe_sees_a_heavy_import() -> None:
    """The check can fail: `run` needs pandas, and the probe reports it."""
    assert "pandas" in _loaded_after(["run", "scenarios/network.yaml", "--horizon-days", "2", "--warmup-days", "1",
                                      "--replications", "1", "--json"])


def test_import_orgsim_is_light_and_names_load_on_use() -> None:
    code = ("import sys, orgsim; before = 'pandas' in sys.modules; orgsim.summarize; "
            "print(before, 'pandas' in sys.modules, sorted(orgsim.__all__) == sorted(n for n in dir(orgsim) "
            "if n in orgsim.__all__))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert out.stdout.split() == ["False", "True", "True"]
