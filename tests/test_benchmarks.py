"""Smoke test of ``python -m benchmarks.bench``: the table's structure and that the contenders agree.

No timing is asserted (the machine is shared): only that every contender
ran, that each one's mean wait holds Erlang C inside its 95% interval (the
contenders simulate the same M/M/5 queue), and that the target lines are
there. The runs are seeded, so the check is deterministic.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from benchmarks.bench import BEFORE, CONTENDERS, RATIO_TARGETS, Runs, contenders, main, report
from benchmarks.child import LAM, MEAN, C, batch_means
from benchmarks.models import simpy_hand, simpy_resource, simpy_store
from orgsim.analytic.queueing import mmc_wait
from tests.conftest import ROOT


def rows(lines: list[str], case: str) -> dict[str, list[str]]:
    """The contender rows of one case's table, split on whitespace, by contender name."""
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{case}: "))
    out = {}
    for line in lines[start + 2:]:
        if not line.startswith("  ") or line.startswith("  identical"):
            break
        cells = line.split()
        out[cells[0]] = cells
    return out


def test_batch_means_cuts_equal_consecutive_batches() -> None:
    assert batch_means([1.0, 3.0, 5.0, 7.0, 9.0], k=2) == [2.0, 6.0]
    assert batch_means([1.0], k=2) == []


def test_the_three_simpy_idioms_simulate_the_same_draws() -> None:
    # Same seed, same draw order: the store workers, the process per customer and the
    # hand-written model must see identical customers and waits.
    args = (C, LAM, MEAN, 24.0 * 5, 24.0)
    a, b = simpy_store(*args, seed=3), simpy_hand(*args, seed=3)
    c = simpy_resource([(C, MEAN)], LAM, 24.0 * 5, 24.0, seed=3)
    assert a.done == b.done == c.done > 0
    assert a.waits == pytest.approx(b.waits) and a.waits == pytest.approx(c.waits)


def test_quick_mmc_table_agrees_with_erlang_c() -> None:
    lines = "\n".join(main(["--quick", "--only", "mmc", "--repeats", "2"])).splitlines()
    assert any(line.startswith("load average") for line in lines)
    head = next(line for line in lines if line.startswith("mmc: "))
    assert f"closed form {mmc_wait(C, LAM, MEAN):.3f} h" in head
    table = rows(lines, "mmc")
    assert list(table) == list(CONTENDERS["mmc"])
    for who, cells in table.items():
        # ... mean +- half-width agrees
        assert cells[-1] == "yes", f"{who}: mean wait does not hold Erlang C: {' '.join(cells)}"
        assert cells[-3] == "+-"
    for case, num, den, goal in RATIO_TARGETS:
        if case == "mmc":
            line = next(x for x in lines if re.match(rf"\s+mmc\s+{num} / {den}\s", x))
            assert f"target >= {goal}" in line and line.rstrip().endswith("met")


@pytest.mark.slow
def test_quick_run_of_every_case() -> None:
    lines = "\n".join(main(["--quick", "--repeats", "1"])).splitlines()
    for case, names in CONTENDERS.items():
        assert list(rows(lines, case)) == list(names)
    assert any("identical numbers serial vs pool, round by round: yes" in x for x in lines)
    assert any(re.match(r"\s+base\s+orgsim items per CPU-s\s", x) for x in lines)
    assert any(re.match(r"\s+base\s+orgsim / simpy-floor\s+\d", x) for x in lines)
    assert any(re.match(r"\s+scale\s+CPU/item 1,000 / 100 people\s.*target <= 1.15", x) for x in lines)


def test_a_baseline_adds_the_orgsim_contenders_again_and_only_them() -> None:
    assert contenders("mmc", None) == CONTENDERS["mmc"]
    assert contenders("mmc", "/elsewhere") == (*CONTENDERS["mmc"], "orgsim@before", "orgsim-summary@before")
    assert contenders("scale", "/elsewhere")[3:] == tuple(n + "@before" for n in CONTENDERS["scale"])
    assert contenders("pool", "/elsewhere") == ("serial", "pool", "serial@before", "pool@before")
    assert contenders("tandem", "/elsewhere") == CONTENDERS["tandem"]


def test_a_baseline_pairs_the_code_before_with_the_same_references() -> None:
    # --baseline reruns only orgsim: its "before" ratios divide by the SimPy and Ciw runs of the same round
    def runs(cpu: float) -> Runs:
        out = {"done": 100, "items": 100, "cpu": cpu, "wall": cpu, "mean": 2.0, "batches": [2.0] * 10}
        return Runs([out, {**out, "cpu": 2 * cpu, "wall": 2 * cpu}])

    cpu = {"orgsim": 1.0, "orgsim-summary": 1.0, "orgsim@before": 2.0, "orgsim-summary@before": 2.0}
    results = {"mmc": {who: runs(cpu.get(who, 1.5)) for who in contenders("mmc", "/elsewhere")}}
    lines = report(results, {"mmc": {"days": 1, "warmup": 0}}, 2)
    now = next(x for x in lines if re.match(r"\s+mmc\s+orgsim / simpy-store\s", x))
    before = next(x for x in lines if re.match(rf"\s+mmc\s+orgsim{BEFORE} / simpy-store\s", x))
    assert now.split()[4] == "1.50" and before.split()[4] == "0.75"


def test_steps_benchmark_times_the_same_tandem_both_ways(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.steps import main as steps_main

    table = steps_main(["--days", "1", "--rounds", "1"])
    assert set(table) == {"task path", "workflow path"} and all(v > 0 for v in table.values())
    assert "workflow / task, per visit" in capsys.readouterr().out


def test_instruction_counts_cover_the_timed_call_only() -> None:
    # callgrind counts from the switch at the timed call to the exit before teardown: a day
    # of the M/M/5 reduction is some millions of instructions, where the whole process
    # (importing pandas and scipy, building the scenario, the warm-up) is over a billion.
    from benchmarks.instructions import count

    if shutil.which("valgrind") is None:  # .ci/run installs it: under CI a skip would hide a broken install
        if os.environ.get("CI"):
            pytest.fail("valgrind is missing under CI")
        pytest.skip("valgrind is not installed (Debian: apt-get install valgrind)")
    n, out = count({"case": "mmc", "who": "orgsim", "days": 1, "warmup": 0, "seed": 1})
    assert out["items"] == round(LAM * 24) and 1_000_000 < n < 100_000_000


def test_the_wait_cases_run_every_contender_again_on_the_baseline() -> None:
    from benchmarks import waits

    assert contenders("dask", None) == ("pool", "dask")
    assert contenders("summary", "/elsewhere") == ("full", "summary", "full@before", "summary@before")
    assert contenders("readme", "/elsewhere") == ("orgsim", "orgsim@before")
    assert set(waits.CONTENDERS) == set(waits.WAIT_CASES)


def test_the_wait_table_gives_phases_ratios_and_before_after() -> None:
    # synthetic rounds (no timing is measured here): the table's arithmetic and its lines
    from benchmarks import waits

    def rounds(**out: float | str | bool | dict[str, float]) -> Runs:
        return Runs([dict(out), dict(out)])

    phases = {"imports_cpu": 1.0, "runs_cpu": 8.0, "page_cpu": 1.0, "cpu": 10.0, "wall": 6.0, "page_wall": 1.0}
    explore = {"cpu": 100.0, "wall": 60.0, "peak_mb": 500.0, "own_peak_mb": 200.0, "worker_peak_mb": 300.0,
               "refused": False, "refusal_wall": 0.0, "chose": "sized to the budget ...", "worlds": "60 worlds"}
    results = {
        "readme": {"orgsim": rounds(**phases), "orgsim@before": rounds(**{**phases, "page_cpu": 3.0, "cpu": 12.0})},
        "explore": {"orgsim": rounds(**explore), "orgsim@before": rounds(**{**explore, "refused": True})},
        "summary": {who: rounds(cpu=cpu, wall=cpu, items=10.0, figures={"a": 1.0, "b": 2.0 + cpu / 100})
                    for who, cpu in (("full", 4.0), ("summary", 3.0), ("full@before", 4.0), ("summary@before", 5.0))},
        "dask": {who: rounds(cpu=w, wall=w, digest="d") for who, w in
                 (("pool", 10.0), ("dask", 11.0), ("pool@before", 10.0), ("dask@before", 15.0))},
    }
    lines = waits.report(results, waits.sizes(False), 2)
    text = "\n".join(lines)
    row = next(x.split() for x in lines if x.startswith("  orgsim@before") and "%" in x)
    assert "25%" in row  # the page's share before: 3 of 12 CPU-s
    assert re.search(r"summary / full CPU\s+0\.75 .*largest relative difference 0\.49% \(b\)", text)
    assert re.search(r"summary / full CPU@before\s+1\.25 ", text)
    assert re.search(r"Dask / pool wall\s+1\.10 ", text) and re.search(r"Dask / pool wall@before\s+1\.50 ", text)
    assert "identical results pool vs Dask, round by round: yes" in text
    assert "refused first: the default stopped over the budget" in text and "sized to the budget" in text


@pytest.mark.slow
def test_quick_run_of_the_wait_cases() -> None:
    lines = "\n".join(main(["--waits", "--quick", "--repeats", "1"])).splitlines()
    for case in ("readme", "explore", "summary", "dask"):
        assert any(line.startswith(f"{case}: ") for line in lines), case
    assert any("identical results pool vs Dask, round by round: yes" in x for x in lines)


def test_the_startup_case_runs_validate_on_the_baseline_too(tmp_path: Path) -> None:
    # one real run each side (a second of CPU): the child ran the command on the asked checkout's orgsim, and
    # the table pairs the rounds; no figure is asserted (no test asserts time)
    from benchmarks import startup

    assert contenders("startup", None) == ("network", "pipeline")
    assert contenders("startup", "/elsewhere") == ("network", "pipeline", "network@before", "pipeline@before")
    shutil.copytree(ROOT / "orgsim", tmp_path / "orgsim")  # a "before" checkout: the same code, elsewhere
    now, before = startup.run("network"), startup.run("network@before", str(tmp_path))
    assert now["code"] == before["code"] == 0 and now["digest"] == before["digest"]
    assert not now["numpy"] and now["modules"] == before["modules"] and now["cpu"] > 0
    with pytest.raises(SystemExit, match="orgsim came from"):  # a "before" that silently ran this checkout fails
        startup.run("network@before", str(tmp_path / "nowhere"))
    lines = startup.report({"startup": {"network": Runs([now]), "network@before": Runs([before])}}, 1)
    assert any(re.match(r"\s+network\s+saved -?\d\.\d{3} .* same output: yes$", x) for x in lines)
