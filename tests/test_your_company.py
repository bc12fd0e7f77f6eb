"""docs/your-company.md is a test: its commands, run verbatim, take a roster and two exports to a report.

Every ``$ `` line of the page's ``console`` blocks runs, in order, in one
shell from a scratch folder that holds the page's sample roster at the path
the page names; each must exit 0. The report must name the company and
compare the five generated designs. Short by the page's own options: two
weeks of exports make a 17-day run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orgsim.design import DESIGN_KINDS
from orgsim.scenario import load_scenario
from tests.conftest import ROOT

PAGE = ROOT / "docs" / "your-company.md"
COMPANY = "Lumen Coffee"


def page_commands(text: str) -> list[str]:
    """The ``$ `` lines of every ```console block, in order."""
    blocks = re.findall(r"```console\n(.*?)```", text, flags=re.S)
    return [line[2:].strip() for block in blocks for line in block.splitlines() if line.startswith("$ ")]


def test_the_page_names_its_commands() -> None:
    commands = page_commands(PAGE.read_text(encoding="utf-8"))
    assert [c.split()[1] for c in commands] == ["init", "demo-data", "calibrate", "designs", "validate", "report"]


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("walkthrough")
    (work / "docs" / "your-company").mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "your-company" / "people.csv", work / "docs" / "your-company" / "people.csv")
    bindir = Path(sys.executable).parent  # the orgsim of this environment
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", "COLUMNS": "120"}
    for command in page_commands(PAGE.read_text(encoding="utf-8")):
        done = subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"$ {command}\n{done.stdout}\n{done.stderr}"
    return work


def test_the_walkthrough_reports_the_company_and_compares_the_generated_designs(walked: Path) -> None:
    html = (walked / "lumen" / "report.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", html)
    assert title is not None and COMPANY in title.group(1)
    assert "Northwind" not in html  # nothing of the example company's name is left
    designs = {kind: load_scenario(walked / "lumen" / "designs" / f"{kind}.yaml") for kind in DESIGN_KINDS}
    for kind, s in designs.items():
        assert s.company == COMPANY and f">{s.name}<" in html, kind
    # the same people, head count and demand in every design; only the grouping differs
    first = designs["network"]
    for s in designs.values():
        assert s.team == first.team and s.demand == first.demand and s.policies == first.policies
        assert s.structure.intake == first.structure.intake
    assert len({str(s.structure.pods) for s in designs.values()}) == len(designs)
    # the demand is the exports' (the stand-ins' truth: 300 Instagram messages a day), not the placeholder
    base, company = load_scenario(walked / "lumen" / "base.yaml"), load_scenario(walked / "lumen" / "company.yaml")
    assert 250 < company.demand.messages["instagram"].daily < 350
    assert abs(base.demand.messages["instagram"].daily - company.demand.messages["instagram"].daily) > 20


def test_the_page_python_runs_in_the_walked_folder(walked: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)
    assert blocks
    monkeypatch.chdir(walked)
    for block in blocks:
        namespace: dict[str, object] = {}
        exec(compile(block, str(PAGE), "exec"), namespace)  # noqa: S102 (the page's own example)
    hired = namespace["bigger"]
    assert "kim" in hired.team.people  # type: ignore[attr-defined]
