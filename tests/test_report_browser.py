"""The report in a real headless Chromium, offline: it loads cleanly, shows its charts, and stays inert.

Every request that is not ``file://`` (or an inline ``data:`` image) is
blocked and recorded; a report that reaches for a CDN, a font or a script
fails here. A full-page screenshot of each page is saved as a test artefact
in ``test-artifacts/`` (or ``$ORGSIM_ARTIFACTS``).

Needs Debian's ``chromium`` and the ``playwright`` package (``.ci/run``
installs both). Skipped when either is missing on a developer's machine; a
failure under CI (``CI`` set), where a skip would hide a broken install.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.scenario.templates import starter

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("ORGSIM_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("ORGSIM_ARTIFACTS", ROOT / "test-artifacts"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def _missing() -> str | None:
    if shutil.which(str(CHROMIUM)) is None:
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run under CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """A page opened offline, with everything it tried to do that it should not."""

    page: Any
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def _open(browser: Any, html: Path, shot: str) -> Visit:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    visit = Visit(page)

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file://", "data:")):
            route.continue_()
        else:
            visit.blocked.append(url)
            route.abort()

    page.route("**/*", guard)
    page.on("console", lambda m: visit.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: visit.errors.append(str(e)))
    page.on("dialog", lambda d: (visit.dialogs.append(d.message), d.dismiss()))
    page.goto(html.resolve().as_uri(), wait_until="load")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    return visit


def _report(tmp_path: Path, files: list[Path], name: str) -> Path:
    out = tmp_path / name
    result = CliRunner().invoke(app, ["report", *map(str, files), "-o", str(out), "--replications", "2",
                                      "--workers", "1"])
    assert result.exit_code == 0, result.output
    return out


def _short(tmp_path: Path, name: str) -> Path:
    p = tmp_path / name
    p.write_text(f"extends: {ROOT / 'scenarios' / name}\nrun:\n  horizon_days: 10\n  warmup_days: 2\n",
                 encoding="utf-8")
    return p


def test_report_loads_offline_with_every_chart(browser: Any, tmp_path: Path) -> None:
    html = _report(tmp_path, [_short(tmp_path, "network.yaml"), _short(tmp_path, "audience.yaml")], "report.html")
    expected = html.read_text(encoding="utf-8").count('<figure class="chart"')
    assert expected == 9 + 2  # nine study charts and one organisation drawing per design
    visit = _open(browser, html, "report.png")
    page = visit.page
    assert visit.blocked == [] and visit.errors == [] and visit.dialogs == []
    assert page.locator("#recommendation").is_visible()
    assert re.search(r"by audience", page.locator("#recommendation").inner_text())
    assert page.locator("#scorecard").is_visible()
    charts = page.locator("figure.chart svg")
    assert charts.count() == expected
    for i in range(expected):  # each drawn at a readable size, none collapsed or hidden
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150, (i, box)
    assert page.locator("figure.chart figcaption").count() == expected
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    page.close()


def test_hostile_names_stay_text_in_the_browser(browser: Any, tmp_path: Path) -> None:
    text = starter("audience", 3, "hostile.yaml")
    text = text.replace("name: Starter — audience, 3 people", 'name: "<script>alert(1)</script> — by audience"')
    text = text.replace("    Product:", '    "<img src=x onerror=alert(2)>":')
    text = text.replace("  horizon_days: 28\n  warmup_days: 7\n", "  horizon_days: 5\n  warmup_days: 1\n")
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(text, encoding="utf-8")
    plain = tmp_path / "plain.yaml"
    plain.write_text("extends: hostile.yaml\nname: plain — by audience\n", encoding="utf-8")
    visit = _open(browser, _report(tmp_path, [hostile, plain], "hostile.html"), "report-hostile.png")
    page = visit.page
    assert visit.dialogs == [] and visit.errors == [] and visit.blocked == []
    assert page.locator("script").count() == 0
    assert page.locator("img[onerror]").count() == 0 and page.locator("img[src=x]").count() == 0
    body = page.locator("body").inner_text()
    assert "<script>alert(1)</script> — by audience" in body
    assert "<img src=x onerror=alert(2)>" in body
    page.close()


# --- layout: widths, chart text, the printed first page -------------------------------------

DESIGNS = ["network.yaml", "function.yaml", "audience.yaml", "embedded.yaml", "solo.yaml"]

#: every pair of text boxes of one chart that overlap by more than a pixel each way, as (chart, text a, text b)
OVERLAPS = """
() => {
  const out = [];
  for (const fig of document.querySelectorAll('figure.chart')) {
    const boxes = [];
    for (const t of fig.querySelectorAll('svg text')) {
      const s = t.textContent.trim();
      const r = t.getBoundingClientRect();
      if (s && r.width > 0 && r.height > 0) boxes.push([s, r]);
    }
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i][1], b = boxes[j][1];
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) out.push([fig.id, boxes[i][0], boxes[j][0]]);
    }
  }
  return out;
}
"""


@pytest.fixture(scope="module")
def five(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every example design, the long embedded name included, on a short horizon."""
    tmp = tmp_path_factory.mktemp("five")
    return _report(tmp, [_short(tmp, name) for name in DESIGNS], "five.html")


#: every element (the scorecard's box included) whose content is wider than its box: it would scroll sideways
SCROLLS = """() => [...document.querySelectorAll('body, body *')].filter(e => !e.closest('svg'))
    .filter(e => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
    .map(e => `${e.tagName}#${e.id}.${e.className} ${e.scrollWidth} > ${e.clientWidth}`)"""

#: the on-screen size (px) of every chart text: its font size times the SVG's scale, whatever its rotation
CHART_TEXT = """() => [...document.querySelectorAll('figure.chart svg text')].map(t => {
    const m = t.getScreenCTM(); const scale = Math.hypot(m.a, m.b);
    return [t.closest('figure').id, t.textContent.trim().slice(0, 40), parseFloat(getComputedStyle(t).fontSize) * scale];
})"""


@pytest.mark.parametrize("width", [390, 1280, 1920])
def test_no_sideways_scroll_at_any_width(browser: Any, five: Path, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(five.resolve().as_uri(), wait_until="load")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-first-screen-{width}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(SCROLLS) == []  # no element of the page scrolls sideways, the scorecard's box included
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')].filter(e => {
        if (e.closest('svg')) return false;  // charts scale with the page
        const r = e.getBoundingClientRect(); return r.right > window.innerWidth + 1; }).map(e => e.tagName + '#' + e.id)""")
    assert wide == []  # nothing is cut off at the right edge either
    page.close()


def test_on_a_phone_the_scorecard_is_a_card_per_measure_and_chart_text_is_readable(browser: Any, five: Path) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(five.resolve().as_uri(), wait_until="load")
    # every design's figure of a row on screen, labelled with the design: the recommended one is never off screen
    first = page.locator("#scorecard tbody tr").first
    cells = first.locator("td")
    assert cells.count() == len(DESIGNS)
    for i in range(cells.count()):
        box = cells.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    label = page.evaluate("getComputedStyle(document.querySelector('#scorecard td'), '::before').content")
    assert "by network" in label
    sizes = page.evaluate(CHART_TEXT)
    assert len(sizes) > 100
    small = [(fig, text, round(px, 1)) for fig, text, px in sizes if text and px < 9]
    assert small == []  # at 390 px every chart letter is 9 px or more (at 8 inches wide it was 6 px)
    page.close()


def test_the_tradeoff_labels_each_stable_design_apart(browser: Any, five: Path) -> None:
    """At 1,280 px each stable design has its own label, none overlapping; the unstable one is marked off scale."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(five.resolve().as_uri(), wait_until="load")
    texts = page.evaluate("""() => [...document.querySelectorAll('#chart-tradeoff svg text')].map(t => {
        const r = t.getBoundingClientRect(); return [t.textContent.trim(), r.left, r.top, r.right, r.bottom]; })""")
    tags = ["by network", "by function", "by audience", "by function, experts…"]
    boxes = [next(b for b in texts if b[0] == tag) for tag in tags]  # each stable design named on its own
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i], boxes[j]
            assert min(a[4], b[4]) - max(a[2], b[2]) <= 1, (a[0], b[0])  # a label's lines never overlap another's
    assert any("off scale" in t[0] for t in texts) and any("one-person team" in t[0] for t in texts)
    page.close()


def test_no_two_texts_of_a_chart_overlap(browser: Any, five: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(five.resolve().as_uri(), wait_until="load")
    assert page.locator("figure.chart svg text").count() > 100  # text is text, so it can be checked
    assert page.evaluate(OVERLAPS) == []
    page.close()


def test_the_first_printed_page_decides(browser: Any, five: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    page = browser.new_page()
    page.goto(five.resolve().as_uri(), wait_until="load")
    pdf = tmp_path / "five.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.close()
    reader = PdfReader(pdf)
    first = " ".join(unicodedata.normalize("NFKC", reader.pages[0].extract_text()).split())  # "ﬀ" -> "ff"
    assert "how should the social-media team be organised?" in first  # the question
    assert "Recommendation" in first and re.search(r"(Move to|Keep) “", first)
    assert "What gets worse" in first and "How sure we are" in first
    card = five.read_text(encoding="utf-8").split('id="scorecard"')[1].split("</table>")[0]
    rows = re.findall(r'<tr data-metric="[^"]+"><th scope="row">([^<]+)<', card)
    assert len(rows) >= 10
    squeezed = re.sub(r"\s+", "", first)  # a label may wrap at its hyphen in a narrow column
    for label in map(html.unescape, rows):  # the whole scorecard, every row, is on page one ("person's", not "&#39;")
        assert re.sub(r"\s+", "", label) in squeezed, label
    print(f"report PDF: {len(reader.pages)} A4 pages")


def test_cli_pdf_prints_the_report_and_never_overwrites(browser: Any, tmp_path: Path) -> None:
    from pypdf import PdfReader

    files = [str(_short(tmp_path, "network.yaml")), str(_short(tmp_path, "audience.yaml"))]
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    args = ["report", *files, "-o", str(html), "--pdf", str(pdf), "--replications", "2", "--workers", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    reader = PdfReader(pdf)
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=2)  # A4 portrait, in points
    assert "Recommendation" in reader.pages[0].extract_text() and len(reader.pages) > 1
    before = pdf.read_bytes()
    html.unlink()
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 1 and "--pdf" in again.output and "--force" in again.output
    assert pdf.read_bytes() == before and not html.exists()
