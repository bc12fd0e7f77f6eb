"""The report's resilience part: page one names the most resilient design and the top risks; the appendix has the
heat map, the stresses in words and the bus factors, and reads on a phone without sideways scrolling."""

from __future__ import annotations

import json
import os
import re
import shutil
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from orgsim.experiment.study import run_study
from orgsim.report import render_report
from orgsim.resilience import Options, resilience, resilience_json
from orgsim.scenario import load_scenario
from tests.resilience_cases import shared_keeper, sole_keeper

CHROMIUM = Path(os.environ.get("ORGSIM_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("resilience-report")
    files = [sole_keeper(tmp), shared_keeper(tmp)]
    data = resilience_json(resilience(files, Options(absent_days=5, after_days=2, crisis=("b",), launch=False,
                                                     freeze=(), bus_max=1), replications=3))
    study = run_study([load_scenario(f) for f in files], replications=3, sources=[str(f) for f in files])
    return render_report(study, resilience=data), data


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_page_one_names_the_most_resilient_design_and_the_top_risk(page: tuple[str, dict[str, Any]]) -> None:
    html, data = page
    assert data["designs"][data["most_resilient"]]["name"] == "shared keeper of b"  # b1 is covered by a3 there
    lead = _text(html[html.index('id="resilience-lead"'):html.index('id="glossary"')])
    assert "Most resilient: “shared keeper of b”" in lead
    # the baseline (today's team) and the most resilient design are both named, whichever is recommended
    assert re.search(r"“sole keeper of b” \((recommended, )?baseline\): 1 of 4 people's absence misses a target; "
                     r"worst: Without b1", lead)
    assert re.search(r"“shared keeper of b” \((recommended, )?most resilient\): 0 of 4 people's absence", lead)
    assert html.index('id="resilience-lead"') < html.index('id="contents"')  # page one, before the appendix


def test_the_appendix_has_a_heat_map_per_design_the_stresses_and_the_bus_factors(page: tuple[str, dict[str, Any]]
                                                                                 ) -> None:
    html, data = page
    section = html[html.index('<section id="resilience"'):html.index('<section id="assumptions"')]
    assert section.count('<table class="heat"') == 2
    sole = section[section.index("<h3>“sole keeper of b”</h3>"):section.index("<h3>“shared keeper of b”</h3>")]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', sole, re.S)
    assert [name for name, _ in rows] == ["a1", "a2", "a3", "b1"]
    marks = {name: cells.count("✕") for name, cells in rows}
    assert marks["b1"] >= 1 and marks["a1"] == marks["a2"] == marks["a3"] == 0
    assert "crisis on B: 10× its messages for 2 days" in _text(sole)
    bus = _text(section[section.index('<table class="bus">'):])
    assert re.search(r"\bB 0 ≥ 1\b", bus)  # channel b: one absence breaks it alone, not when shared


def test_the_section_reads_on_a_phone_without_sideways_scrolling(page: tuple[str, dict[str, Any]],
                                                                 tmp_path: Path) -> None:
    if shutil.which(str(CHROMIUM)) is None:
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    sync = pytest.importorskip("playwright.sync_api")
    out = tmp_path / "report.html"
    out.write_text(page[0], encoding="utf-8")
    with sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for width in (390, 1280):
            tab = browser.new_page(viewport={"width": width, "height": 900})
            tab.goto(out.as_uri())
            wide = tab.evaluate("""() => Array.from(document.querySelectorAll('#resilience *, #resilience-lead *'))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5
                             || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
                .map(e => e.tagName + ' ' + (e.textContent || '').slice(0, 30))""")
            assert wide == [], (width, wide)
            smallest = tab.evaluate("""() => Math.min(...Array.from(document.querySelectorAll(
                '#resilience th, #resilience td, #resilience li, #resilience p, #resilience-lead li'))
                .map(e => parseFloat(getComputedStyle(e).fontSize)))""")
            assert smallest >= 9, (width, smallest)
            tab.close()
        browser.close()


@pytest.mark.parametrize(("damage", "says"), [
    (lambda d: d["designs"][next(iter(d["designs"]))]["stresses"][0].update(severity="12"),
     r"designs\.sole-keeper-of-b\.stresses\[0\]\.severity: expected \['number', 'null'\], got '12'"),
    (lambda d: d["designs"][next(iter(d["designs"]))].pop("bus_factors"),
     r"designs\.sole-keeper-of-b: required key bus_factors is missing"),
    (lambda d: d.update(most_resilient="nobody"), r"most_resilient: 'nobody' is none of its designs"),
    (lambda d: d.update(designs={}), r"designs: expected at least one item|designs: .*should be non-empty"),
])
def test_a_damaged_saved_study_is_refused_at_its_first_bad_value(page: tuple[str, dict[str, Any]], tmp_path: Path,
                                                                 damage: Any, says: str) -> None:
    import copy

    from orgsim.errors import OrgsimError
    from orgsim.resilience import read_resilience
    from orgsim.writes import strict_json

    data = copy.deepcopy(page[1])
    (tmp_path / "resilience.json").write_text(strict_json(data))
    assert read_resilience(tmp_path) == json.loads(strict_json(data))  # the intact study reads back as written
    damage(data)
    (tmp_path / "resilience.json").write_text(strict_json(data))
    with pytest.raises(OrgsimError, match=says) as refused:
        read_resilience(tmp_path)
    assert str(refused.value).startswith(f"--resilience-from {tmp_path / 'resilience.json'}: ")
    assert "run orgsim resilience --out again" in str(refused.value)
