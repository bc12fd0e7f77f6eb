"""Shared test options: ``--runslow`` runs the tests marked ``slow`` (the full validation grids)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "scenarios").glob("*.yaml"))
#: one-lever variants of the examples (``scenarios/what-if/``)
WHAT_IFS = sorted((ROOT / "scenarios" / "what-if").glob("*.yaml"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Report how many fuzzed scenarios ran (issue 6 asks for the count)."""
    import sys

    fuzz = sys.modules.get("tests.test_fuzz")
    if fuzz is not None and fuzz.COUNT["examples"]:
        c = fuzz.COUNT
        terminalreporter.write_line(
            f"fuzz: {c['examples']} mutated scenarios — {c['valid']} valid ({c['simulated']} simulated), "
            f"{c['errors']} positioned errors, 0 crashes"
        )
