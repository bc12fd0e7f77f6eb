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


#: tallies tests leave with ``record_property("fuzz", ...)``; reports reach the controller under xdist too
FUZZ: list[dict[str, int]] = []
#: tallies of the structural fuzz (tests/test_fuzz_structural.py)
STRUCTURAL: list[dict[str, int]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        FUZZ.extend(value for name, value in report.user_properties if name == "fuzz")  # type: ignore[misc]
        STRUCTURAL.extend(value for name, value in report.user_properties if name == "structural_fuzz")  # type: ignore[misc]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Report how many fuzzed scenarios ran, so a run shows the fuzz was not skipped."""
    for c in FUZZ:
        terminalreporter.write_line(
            f"fuzz: {c['examples']} mutated scenarios — {c['valid']} valid ({c['warned']} with warnings, "
            f"{c['simulated']} simulated), {c['errors']} positioned errors, 0 crashes"
        )
    for c in STRUCTURAL:
        terminalreporter.write_line(
            f"structural fuzz: {c['cases']} cases — {c['errors']} positioned errors, {c['runs']} ran to completion "
            f"(conservation held), {c['crashes']} crashes, {c['hangs']} hangs"
        )
