"""Every import is declared: the package's in ``dependencies``, what only an extra needs in that extra.

A module imported at the top of a package file must come from ``dependencies`` (a bare ``pip install .``
has nothing else). One imported inside a function may come from an extra (the function says which when it
is missing). The test suite, the benchmarks and the docs scripts may use the ``test`` and ``bench`` extras.
``.ci/run`` also runs a short ``orgsim report`` in a venv holding only the declared dependencies.
"""

from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string (``"dask[distributed]>=2024.1"`` -> ``dask``)."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)).lower()


def _extra(name: str) -> set[str]:
    """The distributions an extra brings, following ``orgsim[...]`` self-references."""
    out: set[str] = set()
    for req in PROJECT["optional-dependencies"][name]:
        if _name(req) == "orgsim":
            for inner in re.search(r"\[(.*)\]", req).group(1).split(","):
                out |= _extra(inner.strip())
        else:
            out.add(_name(req))
    return out


CORE = {_name(r) for r in PROJECT["dependencies"]}
EXTRAS = set().union(*(_extra(e) for e in PROJECT["optional-dependencies"]))


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(top-level module, imported at module level?) for each absolute import of a file, TYPE_CHECKING aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            guarded |= {id(n) for n in ast.walk(node)}
    top = {id(n) for n in tree.body} | {id(n) for stmt in tree.body if isinstance(stmt, ast.Try) for n in stmt.body}
    found = []
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], id(node) in top))
    return found


@functools.cache
def _installed() -> dict[str, list[str]]:
    return packages_distributions()


def _distributions(module: str) -> set[str]:
    """The distributions that provide ``module`` here; its own name when none is installed (an extra not here)."""
    return {_name(d) for d in _installed().get(module, [])} or {_name(module)}


def _undeclared(files: list[Path], allowed_top: set[str], allowed_lazy: set[str], root: Path = ROOT) -> list[str]:
    local = {"orgsim", "tests", "benchmarks", "docs", "_pytest"}
    bad = []
    for path in files:
        for module, at_top in _imports(path):
            if module in sys.stdlib_module_names or module in local:
                continue
            dists = _distributions(module)
            allowed = allowed_top if at_top else allowed_lazy
            if not dists & allowed:
                where = "at module level" if at_top else "in a function"
                bad.append(f"{path.relative_to(root)}: imports {module} {where}, from {sorted(dists) or '?'}")
    return bad


def test_the_package_imports_only_what_it_declares():
    files = sorted((ROOT / "orgsim").rglob("*.py"))
    assert not _undeclared(files, CORE, CORE | EXTRAS)


def test_tests_benchmarks_and_docs_import_only_declared_extras():
    files = [ROOT / "conftest.py", *sorted((ROOT / "tests").rglob("*.py")), *sorted((ROOT / "benchmarks").rglob("*.py")),
             *sorted((ROOT / "docs").rglob("*.py"))]
    allowed = CORE | _extra("test") | _extra("bench")
    assert not _undeclared(files, allowed, allowed)


def test_the_check_sees_an_undeclared_import(tmp_path):
    """The check itself: top-level imports from outside ``dependencies`` are reported, lazy extras are not."""
    probe = tmp_path / "probe.py"
    probe.write_text("import click\nimport hypothesis\nimport numpy\n\ndef f():\n    import pptx\n    import hypothesis\n")
    assert _undeclared([probe], CORE, CORE | EXTRAS, root=tmp_path) == [
        "probe.py: imports click at module level, from ['click']",
        "probe.py: imports hypothesis at module level, from ['hypothesis']",
    ]
