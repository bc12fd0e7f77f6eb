"""The README's figures are what a fresh run with its seed gives (``python -m docs.readme_figures --check``)."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_readme_figures_are_current() -> None:
    from docs.readme_figures import main

    assert main(["--check"]) == 0, "README figures drifted: run python -m docs.readme_figures"


def test_every_marked_span_is_computed() -> None:
    import inspect

    from docs import readme_figures

    text = readme_figures.README.read_text(encoding="utf-8")
    names = {m["name"] for m in readme_figures.MARK.finditer(text)}
    assert names >= {"run", "compare-table", "finding-latency", "finding-reach", "notebook-what-if"}
    source = inspect.getsource(readme_figures.figures)
    assert all(f'out["{n}"]' in source for n in names)
