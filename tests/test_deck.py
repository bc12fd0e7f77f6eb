"""The deck read back: 16:9, every text measured against its frame, the scorecard with intervals, titles as messages."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from orgsim.experiment.study import Study, run_study
from orgsim.report import fit
from tests.test_report import _hostile, _short

pptx = pytest.importorskip("pptx")

EMU = 914400  # per inch


@pytest.fixture(scope="module")
def study() -> Study:
    """Three designs, the unstable one-person team among them, on a short horizon."""
    return run_study([_short("network.yaml"), _short("embedded.yaml"), _short("solo.yaml")], replications=3, seed=5,
                     workers=1)


@pytest.fixture(scope="module")
def deck(study: Study, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from orgsim.report.deck import write_deck
    from orgsim.report.html import report_title

    path = tmp_path_factory.mktemp("deck") / "deck.pptx"
    write_deck(study, path, report_title(study), command="orgsim report network.yaml embedded.yaml solo.yaml")
    return pptx.Presentation(str(path))


def _frames(slide: Any) -> list[Any]:
    return [sh for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text.strip()]


def _measured_height(tf: Any, width: float) -> float:
    """The height (inches) a text frame's paragraphs need at their own font sizes, wrapped to ``width``."""
    total = 0.0
    for para in tf.paragraphs:
        runs = [r for r in para.runs if r.text]
        if not runs:
            continue
        assert all(r.font.size is not None for r in runs), "every run carries its size, so it can be measured"
        size = max(r.font.size.pt for r in runs)
        bold = any(r.font.bold for r in runs)
        after = para.space_after.pt if para.space_after is not None else 0.0
        total += fit.text_height("".join(r.text for r in runs), size, width, bold, space_after=after)
    return total


def test_slides_are_16_by_9(deck: Any) -> None:
    assert deck.slide_width / deck.slide_height == pytest.approx(16 / 9, rel=0.005)


def test_every_text_frame_fits_its_box(deck: Any) -> None:
    checked = 0
    for n, slide in enumerate(deck.slides, start=1):
        for shape in _frames(slide):
            tf = shape.text_frame
            width = (shape.width - tf.margin_left - tf.margin_right) / EMU
            height = (shape.height - tf.margin_top - tf.margin_bottom) / EMU
            need = _measured_height(tf, width)
            assert need <= height + 1e-6, f"slide {n}: {tf.text[:60]!r} needs {need:.2f} in, has {height:.2f} in"
            for word in tf.text.split():
                size = max(r.font.size.pt for p in tf.paragraphs for r in p.runs if r.text)
                assert fit.text_width(word, size) <= width, f"slide {n}: {word!r} is wider than its frame"
            assert (shape.left + shape.width) <= deck.slide_width and (shape.top + shape.height) <= deck.slide_height
            checked += 1
    assert checked > 15


def test_every_table_fits_its_slide(deck: Any) -> None:
    for n, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            if not shape.has_table:
                continue
            table, bottom = shape.table, shape.top
            for r, row in enumerate(table.rows):
                need = 0.0
                for c, cell in enumerate(row.cells):
                    width = (table.columns[c].width - cell.margin_left - cell.margin_right) / EMU
                    need = max(need, _measured_height(cell.text_frame, width) - len(cell.text_frame.paragraphs)
                               * 0)  # cells have no space after
                assert need <= row.height / EMU + 1e-6, f"slide {n}, table row {r} is too short for its text"
                bottom += row.height
            assert bottom <= deck.slide_height, f"slide {n}: the table runs off the slide"


def test_the_scorecard_table_has_every_interval_and_mark(study: Study, deck: Any) -> None:
    from orgsim.report.html import _currency
    from orgsim.report.page import scorecard_rows
    from orgsim.report.verdicts import scorecard

    tables = [sh.table for s in deck.slides for sh in s.shapes if sh.has_table]
    assert len(tables) == 1  # a native table, not a picture
    table = tables[0]
    expected = scorecard_rows(study, scorecard(study), _currency(study))
    assert len(table.rows) == len(expected) + 1
    intervals = 0
    for i, row in enumerate(expected, start=1):
        assert table.cell(i, 0).text == row["label"]
        for j, cell in enumerate(row["cells"], start=1):
            text = table.cell(i, j).text
            assert text.split("\n")[0] == f"{cell['value']} {cell['mark']}".strip()
            if cell["ci"]:
                assert text.split("\n")[1] == cell["ci"]
                intervals += 1
    # the deck used to drop every interval; now each one the report shows is there (a constant figure has none)
    assert intervals == sum(1 for r in expected for c in r["cells"] if c["ci"]) >= len(expected)


def test_titles_are_messages_and_the_trade_off_is_the_reports_chart(study: Study, deck: Any) -> None:
    from orgsim.report.decision import decide

    titles = [_frames(s)[0].text_frame.text for s in deck.slides]
    assert titles[0].endswith("how should the social-media team be organised?")
    assert not {"Recommendation", "Scorecard", "The trade-off", "Risks", "Assumptions"} & set(titles)
    d = decide(study)
    assert re.match(r"(Move to|Keep) “", titles[1])
    up, down = d.scores[d.choice]
    assert f"clearly better on {up} of" in titles[1] if d.choice else titles[1].startswith("Keep")
    pictures = [sh for s in deck.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == 1  # the trade-off, drawn by the report's own chart (intervals, honest axes)


def test_the_risks_are_true_now(deck: Any) -> None:
    from orgsim.report.wording import LIMITS

    text = "\n".join(sh.text_frame.text for s in deck.slides for sh in _frames(s))
    assert "daylight-saving" not in text and "README" not in text
    assert all(limit in text for limit in LIMITS)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    limits = readme[readme.index("Limits we know of"):].split("\n\n")[0]
    for words in ("one task at a time", "give up waiting", "receiver", "calibrate"):
        assert words in limits, words  # the README says the same limits


def test_each_design_is_described_not_only_the_baseline(study: Study, deck: Any) -> None:
    text = "\n".join(sh.text_frame.text for s in deck.slides for sh in _frames(s))
    assert "“by function, experts embedded in People and Customer Care”: grouping by function; embedding experts" \
        in text
    assert "“one-person team”: a team of 1 person; grouping by network; sam as head of social" in text


def test_attributions_get_a_slide_of_their_own(study: Study, tmp_path: Path) -> None:
    from orgsim.experiment.attribution import attribute
    from orgsim.report.deck import write_deck

    split = attribute(study.scenarios[0], study.scenarios[1], 2, 5, workers=1)
    path = write_deck(study, tmp_path / "a.pptx", "Which structure?", attributions=[split])
    titles = [_frames(s)[0].text_frame.text for s in pptx.Presentation(str(path)).slides]
    assert "Where each design's difference in the average wait comes from, lever by lever" in titles


def test_the_deck_keeps_scenario_text_as_text(tmp_path: Path) -> None:
    from orgsim.report.deck import write_deck

    hostile = _hostile(tmp_path)
    study = run_study([hostile, hostile.model_copy(update={"name": "plain — by audience"})], replications=2, seed=3,
                      workers=1)
    write_deck(study, tmp_path / "deck.pptx", "Which structure?")
    prs = pptx.Presentation(str(tmp_path / "deck.pptx"))
    text = "\n".join(sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame)
    assert "<img src=x onerror=alert(2)>" in text or "<script>alert(1)</script>" in text
    with zipfile.ZipFile(tmp_path / "deck.pptx") as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    assert "<script>" not in xml and "<img src" not in xml  # escaped in the XML, not markup
