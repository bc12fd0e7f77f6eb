"""The presentation notebooks are kept in git without outputs (they run under nbmake in the suite)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_the_presentation_notebooks_are_there() -> None:
    assert {p.name for p in NOTEBOOKS} >= {"compare_structures.ipynb", "analyst_walkthrough.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stripped_and_seeded(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code), "strip outputs before committing"
    assert "widgets" not in nb.metadata
    setup = code[0].source
    assert "SEED = " in setup and "ORGSIM_NB_REPLICATIONS" in setup  # one seed; effort from the environment
