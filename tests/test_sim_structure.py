"""The engine's layout holds: no import cycle inside ``orgsim.sim``, type-only and in-function imports included."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

from tests.conftest import ROOT


def _imports(source: str, package: str, modules: set[str]) -> set[str]:
    """The modules of ``modules`` that a file imports, anywhere in it (top level, ``TYPE_CHECKING``, functions)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from orgsim.sim import answers`` imports the submodule; ``from orgsim.sim.x import y`` the module x
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in modules and name != package}
    return found


def import_graph(root: Path, package: str) -> nx.DiGraph:
    """Which module of ``package`` imports which (the package's ``__init__`` left out: it only re-exports)."""
    files = {".".join(p.relative_to(root).with_suffix("").parts): p
             for p in (root / package.replace(".", "/")).glob("*.py") if p.name != "__init__.py"}
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for name, path in files.items():
        graph.add_edges_from((name, other) for other in _imports(path.read_text(), package, set(files)) - {name})
    return graph


def test_no_import_cycle_in_the_engine() -> None:
    graph = import_graph(ROOT, "orgsim.sim")
    assert {"orgsim.sim.kernel", "orgsim.sim.engine", "orgsim.sim.flows", "orgsim.sim.record"} <= set(graph)
    assert list(nx.simple_cycles(graph)) == []
    # the kernel knows event order and nothing of the organisation: it imports no other part of the engine
    assert set(graph.successors("orgsim.sim.kernel")) == set()


def test_the_cycle_scan_sees_a_cycle_kept_quiet_by_a_type_only_import(tmp_path: Path) -> None:
    """The check can fail: the old engine's cycle (a part importing ``Model`` for its types only) is found."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "engine.py").write_text("from pkg import approvals\n")
    (package / "approvals.py").write_text("from typing import TYPE_CHECKING\n"
                                          "if TYPE_CHECKING:\n    from pkg.engine import Model\n")
    assert [sorted(cycle) for cycle in nx.simple_cycles(import_graph(tmp_path, "pkg"))] == [["pkg.approvals",
                                                                                              "pkg.engine"]]
