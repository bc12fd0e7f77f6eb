"""The recommendation page in a real headless Chromium: nothing scrolls sideways on a phone, tables on a desktop.

Needs Debian's ``chromium`` and the ``playwright`` package, as ``tests/test_report_browser.py`` does (skipped
without them on a developer's machine; a failure under ``CI``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from orgsim.analytic.reductions import mmc_data
from orgsim.recommend import recommend
from orgsim.scenario import scenario_from_data
from tests import test_report_browser
from tests.test_report_browser import ARTIFACTS

#: the report page's Chromium (skipped without it on a developer's machine, a failure under CI)
browser = test_report_browser.browser

#: every element of the page whose content is wider than its box (charts scale, so they are left out)
WIDER = """() => [...document.querySelectorAll('main *')].filter(e => !e.closest('svg') && e.clientWidth > 0
    && e.scrollWidth > e.clientWidth + 1).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)"""


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A recommendation with every section: targets, two objectives, a split of the levers, a written design."""
    from ruamel.yaml import YAML

    mine = tmp_path_factory.mktemp("mine")
    out = tmp_path_factory.mktemp("rec")
    base = scenario_from_data(mmc_data(3, 2.0, 1.0, horizon_days=10, warmup_days=2))
    with (mine / "five.yaml").open("w") as handle:  # a design written by hand: five people
        YAML(typ="safe").dump(mmc_data(5, 2.0, 1.0, horizon_days=10, warmup_days=2), handle)
    always = {"hours": "00:00-24:00", "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}
    recommend(base, {"targets": ["silo_latency_rmst <= 1.4 h", "requests_answered_share >= 50%"],
                     "written": [str(mine / "five.yaml")],
                     "objectives": ["cost_per_year", "silo_latency_rmst", "requests_answered_share"],
                     "levers": {"structures": ["keep"], "hires": {
                         "a_community_manager_with_a_long_name": {"joins": ["pod"], "cost_per_year": 30000,
                                                                  "at_most": 2, **always}},
                         "policies": {"as_is": {}, "slower": {"set": {"policies.request_handling_factor": 1.1}}}},
                     "search": {"seed": 2}}, out=out)
    return out / "recommendation.html"


@pytest.mark.parametrize("width", [390, 1280])
def test_the_answer_page_never_scrolls_sideways(browser: Any, page_file: Path, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(page_file.resolve().as_uri(), wait_until="load")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"recommendation-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(WIDER) == []  # no table (or anything) scrolls inside its own box either
    assert page.evaluate("[...document.querySelectorAll('#levers tbody tr, #written tbody tr')].length") >= 3
    header_shown = page.evaluate("getComputedStyle(document.querySelector('#candidates thead')).display")
    # on a phone every row is a card, each value beside its column's name; on a desktop it is a table
    assert header_shown == ("none" if width < 600 else "table-header-group")
    label = page.evaluate("getComputedStyle(document.querySelector('#candidates td:nth-child(2)'), '::before').content")
    assert (label == '"cost per year"') == (width < 600)
    page.close()


def test_the_report_section_never_scrolls_sideways_on_a_phone(browser: Any, page_file: Path, tmp_path: Path) -> None:
    from ruamel.yaml import YAML
    from typer.testing import CliRunner

    from orgsim.cli import app

    files = []
    for c in (3, 4):
        files.append(tmp_path / f"mm{c}.yaml")
        with files[-1].open("w") as handle:
            YAML(typ="safe").dump(mmc_data(c, 2.0, 1.0, horizon_days=6, warmup_days=1), handle)
    out = tmp_path / "report.html"
    res = CliRunner().invoke(app, ["report", *map(str, files), "--replications", "2", "--workers", "1",
                                   "--recommend", str(page_file.parent), "-o", str(out)])
    assert res.exit_code == 0, res.output
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(out.resolve().as_uri(), wait_until="load")
    page.query_selector("#searched").screenshot(path=str(ARTIFACTS / "report-recommendation-390.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(WIDER.replace("'main *'", "'#searched *'")) == []
    assert page.evaluate("getComputedStyle(document.querySelector('#searched thead')).display") == "none"
    page.close()
