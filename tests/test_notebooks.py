"""The presentation notebooks are kept in git without outputs (they run under nbmake in the suite)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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


DRAWS = re.compile(r"\b(?:plots\.\w+|plt\.(?:subplots|figure|plot))\(")


def _images(cell: Any) -> int:
    return sum(1 for o in cell.outputs if o.get("output_type") in ("display_data", "execute_result")
               and any(k.startswith("image/") for k in o.get("data", {})))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_cell_that_draws_shows_its_figure(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Executed headless as a reader's Jupyter would: each drawing cell has its image outputs, every one counted.

    A chart function that left matplotlib's settings changed (interactive mode off, as ``rc_context`` did on
    exit) made every later figure vanish while nbmake, which does not look at outputs, stayed green.
    """
    from nbclient import NotebookClient

    monkeypatch.setenv("ORGSIM_NB_REPLICATIONS", "2")
    monkeypatch.setenv("ORGSIM_NB_DAYS", "14")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    drawing = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code" and DRAWS.search(c.source)]
    assert drawing, "the notebook draws nothing?"
    missing = [(i, len(DRAWS.findall(c.source)), _images(c)) for i, c in drawing
               if _images(c) < len(DRAWS.findall(c.source))]
    assert missing == [], f"(cell, figures drawn, images shown) for cells whose figure is not shown: {missing}"
    silent = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and not DRAWS.search(c.source) and _images(c)]
    assert silent == []  # and no image turns up where nothing draws (a figure shown a cell late)
