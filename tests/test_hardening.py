"""Hardening (issue #21): every reproducer of a crash, hang or silent wrong number, as a regression test.

Each hostile file either gives a positioned one-line error (exit 1) or runs;
never an internal error, never a hang.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from orgsim.errors import ScenarioError
from orgsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SOLO = ROOT / "scenarios" / "solo.yaml"
NETWORK = ROOT / "scenarios" / "network.yaml"


def _file(tmp_path: Path, body: str, base: Path = SOLO, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"extends: {base}\n{body}", encoding="utf-8")
    return path


def _refused(path: Path) -> str:
    """The one problem a file is refused with; it must carry a line and column in that file."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    first = info.value.problems[0]
    assert first.file == str(path) and first.line is not None and first.column is not None, str(first)
    return str(first)


def _chain(review: str) -> str:
    return f"policies:\n  approval_chain:\n    - external: CMO\n      review_hours: {review}\n"


# --- 1. finite numbers and non-degenerate distributions ------------------------------------------


@pytest.mark.parametrize(("body", "line", "says"), [
    ("team:\n  people:\n    sam: {cost_per_year: .inf}\n", 4, "finite number, got inf"),
    ("team:\n  people:\n    sam: {cost_per_year: .nan}\n", 4, "finite number, got nan"),
    (_chain("{dist: uniform, low: 1, high: .inf}"), 5, "finite number"),
    (_chain("{dist: lognormal, mean: 1, cv: 1e308}"), 5, "too large"),
    (_chain("{dist: lognormal, mean: 1, cv: 1000}"), 5, "less than or equal to 100"),
    (_chain("{dist: triangular, low: 1, mode: 1, high: 1}"), 5, "low < high"),
    (_chain(".nan"), 5, "finite number"),
    ("demand:\n  messages:\n    tiktok: {daily_profile: [" + ", ".join(["1e308"] * 24) + "]}\n", 4, "too large"),
    ("demand:\n  messages:\n    tiktok: {audience_mix: {consumers: .inf}}\n", 4, "finite number"),
])
def test_non_finite_and_degenerate_numbers_are_refused_where_written(tmp_path: Path, body: str, line: int,
                                                                     says: str) -> None:
    message = _refused(_file(tmp_path, body, NETWORK))
    assert f"x.yaml:{line}:" in message and says in message


def test_insight_levers_that_would_never_end_are_refused(tmp_path: Path) -> None:
    burst = _file(tmp_path, "insights:\n  kinds:\n    trend: {bursts: [{start_day: 1, days: 2, multiplier: .inf}]}\n",
                  NETWORK)
    assert "x.yaml:4:" in _refused(burst)
    big = _file(tmp_path, "insights:\n  kinds:\n    trend: {bursts: [{start_day: 1, days: 2, multiplier: 100000}]}\n",
                NETWORK, "big.yaml")
    assert "less than or equal to 1000" in _refused(big)
    brief = _file(tmp_path, "insights:\n  trend_briefing: {every_days: 1e-300, departments: [Executive]}\n",
                  NETWORK, "brief.yaml")
    assert "every_days" in _refused(brief) and "greater than or equal to 1" in _refused(brief)


def test_a_seed_is_an_identifier_not_a_quantity(tmp_path: Path) -> None:
    assert load_scenario(_file(tmp_path, "run: {seed: 123456789012345678}\n")).run.seed == 123456789012345678


# --- 2. limits on what a run will cost -------------------------------------------------------------


def test_work_over_the_budget_is_refused_with_its_estimate_and_drivers() -> None:
    from orgsim.errors import OrgsimError
    from orgsim.experiment import replicate
    from orgsim.scenario.limits import MAX_ARRIVALS, arrivals_per_replication

    s = load_scenario(NETWORK)
    one, drivers = arrivals_per_replication(s)
    assert drivers["messages"] == pytest.approx(800)  # base.yaml: 800 messages a day before bursts
    n = int(MAX_ARRIVALS // one) + 1
    with pytest.raises(OrgsimError, match=r"would simulate about .* work items, over the budget of 10,000,000 \(.*800 "
                                          r"messages.*× 42 days × [\d,]+ replications\)"):
        replicate(s, n)


def test_a_load_checks_one_replication_and_each_command_its_own_count(tmp_path: Path) -> None:
    from orgsim.errors import OrgsimError
    from orgsim.experiment import replicate

    path = _file(tmp_path, "run: {horizon_days: 3650, replications: 1000}\n", NETWORK)
    s = load_scenario(path)  # one replication of ten years fits; a thousand would not
    with pytest.raises(OrgsimError, match=r"over the budget .* × 1,000 replications\)"):
        replicate(s)
    path = _file(tmp_path, "run: {horizon_days: 3650}\ndemand:\n  messages:\n    instagram: {per_day: 9000}\n",
                 NETWORK)
    message = _refused(path)  # not even one replication fits: refused at the line of what drives it most
    assert "x.yaml:4:" in message and "demand.messages" in message and "× 1 replication)" in message
    assert load_scenario(path, allow_large=True).run.horizon_days == 3650


def test_with_changes_and_run_settings_go_through_the_budget() -> None:
    from orgsim.errors import OrgsimError
    from orgsim.scenario.overrides import with_changes, with_run_settings

    s = load_scenario(NETWORK)
    with pytest.raises(ScenarioError, match="would simulate"):
        with_changes(s, {"demand.messages.instagram.per_day": 50_000, "run.horizon_days": 3000})
    with pytest.raises(OrgsimError, match="--horizon-days 3000: would simulate"):
        with_run_settings(with_changes(s, {"demand.messages.instagram.per_day": 5_000}), horizon_days=3000)
    # the file's replications are the default of a command, not a limit of the scenario
    assert with_run_settings(s.model_copy(update={"run": s.run.model_copy(update={"replications": 1000})}),
                             horizon_days=3000).run.horizon_days == 3000
    with pytest.raises(OrgsimError, match="finite number"):
        with_run_settings(s, horizon_days=float("inf"))


def test_sweep_points_multiply_the_work(tmp_path: Path) -> None:
    from orgsim.errors import OrgsimError
    from orgsim.experiment.sweep import sweep

    with pytest.raises(OrgsimError, match=r"over the budget .*× 6 sweep points\)"):
        sweep(NETWORK, [("run.horizon_days", [400, 500, 600, 700, 800, 900])], replications=30)


def test_a_pod_listing_one_person_many_times_is_refused_quickly(tmp_path: Path) -> None:
    members = ", ".join(["tom"] * 9_000)  # below the list cap (MAX_LIST_ITEMS), so the repeats are what is refused
    path = _file(tmp_path, f"structure:\n  pods:\n    instagram:\n      members: [{members}]\n", NETWORK)
    assert "listed more than once (8999 repeats)" in _refused(path)


def test_growing_a_team_past_the_limit_is_refused_not_built(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="100000 people exceed the limit"):
        load_scenario(NETWORK, {"team.size": 100_000})


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_only_regular_files_are_read(tmp_path: Path, special: str) -> None:
    import os

    path = Path(special)
    if special == "fifo":
        path = tmp_path / "fifo.yaml"
        os.mkfifo(path)
    with pytest.raises(ScenarioError, match="is not a regular file"):
        load_scenario(path)


def test_files_are_read_with_a_byte_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from orgsim.scenario import loading

    monkeypatch.setattr(loading, "MAX_FILE_BYTES", 100)
    path = _file(tmp_path, "# " + "x" * 200 + "\n")
    with pytest.raises(ScenarioError, match="is over 100 bytes"):
        load_scenario(path)


def test_a_file_of_plain_values_is_counted_before_the_slow_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 4.9 MB file of plain lists took 42 s and 1.1 GB, then was blamed on anchors; now libyaml counts it first."""
    from orgsim.scenario import counting, loading

    monkeypatch.setattr(counting, "MAX_NODES", 1_000)  # the libyaml pass (orgsim.scenario.counting) counts
    read = []
    monkeypatch.setattr(loading, "_plain", lambda *args, **kwargs: read.append(1))  # the slow reader never runs
    path = _file(tmp_path, "extra: [" + ", ".join(["1"] * 2_000) + "]\n")
    message = _refused(path)
    assert "has more than 1000 values" in message and "alias" not in message, message
    assert message.startswith(f"{path}:2:"), message
    assert not read


def test_an_alias_bomb_is_blamed_on_its_aliases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from orgsim.scenario import loading

    monkeypatch.setattr(loading, "MAX_NODES", 1_000)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [" + ", ".join(["*a"] * 10) + "]\nc: [" + ", ".join(["*b"] * 10) + "]\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb, encoding="utf-8")
    with pytest.raises(ScenarioError, match="through aliases"):
        load_scenario(path)


# --- 3. every YAML construct ---------------------------------------------------------------------


def test_merge_keys_are_read_and_positioned_at_the_merge(tmp_path: Path) -> None:
    ok = _file(tmp_path, "policies:\n  <<: {triage_minutes: 5}\n")
    assert load_scenario(ok).policies.triage_minutes == 5
    bad = _file(tmp_path, "policies:\n  <<: {triage_minutes: abc}\n", name="bad.yaml")
    assert "bad.yaml:3:3: policies.triage_minutes" in _refused(bad)


@pytest.mark.parametrize(("body", "line", "says"), [
    ("run:\n  start_date: 2026-02-30\n", 3, "not a valid date"),
    ("name: !!omap [{a: 1}]\n", 2, "!!omap"),
    ("name: !!set {a}\n", 2, "!!set"),
    ("name: !!binary aGk=\n", 2, "!!binary"),
    ("description: !!python/name:os.system\n", 2, "tag !!python/name:os.system is not allowed"),
    ("description: !!python/object/apply:os.system [ls]\n", 2, "is not allowed"),
    ("description: !custom x\n", 2, "tag !custom is not allowed"),
    ("policies: !foo {triage_minutes: 5}\n", 2, "tag !foo is not allowed"),
    ("name: a\x07b\n", 2, "control character 0x07"),
    ("x: " + "[" * 60 + "]" * 60 + "\n", 2, "nested deeper than 50"),
])
def test_unusual_yaml_is_refused_with_its_line(tmp_path: Path, body: str, line: int, says: str) -> None:
    message = _refused(_file(tmp_path, body))
    assert f"x.yaml:{line}:" in message and says in message


def test_a_long_extends_path_and_a_cycle_are_positioned(tmp_path: Path) -> None:
    long = tmp_path / "long.yaml"
    long.write_text("extends: " + "a" * 300 + ".yaml\n", encoding="utf-8")
    assert "long.yaml:1:1: extends: base file cannot be opened" in _refused(long)
    (tmp_path / "c1.yaml").write_text("extends: c2.yaml\n", encoding="utf-8")
    (tmp_path / "c2.yaml").write_text("name: two\nextends: c1.yaml\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "c1.yaml")
    assert str(info.value) == f"{tmp_path / 'c2.yaml'}:2:1: extends: extends itself in a cycle: c1.yaml -> c2.yaml -> c1.yaml"


def test_a_duplicated_key_gives_a_short_line(tmp_path: Path) -> None:
    message = _refused(_file(tmp_path, "name: " + "x" * 10_000 + "\nname: y\n"))
    assert "duplicate key" in message and len(message) < 500


# --- 4. writes that cannot lose results ----------------------------------------------------------

import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from typer.testing import CliRunner  # noqa: E402

from orgsim.cli import app  # noqa: E402
from orgsim.errors import OrgsimError  # noqa: E402
from orgsim.folders import claim_folder  # noqa: E402
from orgsim.writes import publish_file, strict_json  # noqa: E402

QUICK = ["--horizon-days", "2", "--warmup-days", "0", "--replications", "1", "--workers", "1"]


def _orgsim(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_a_folder_claimed_by_a_running_process_is_refused_before_simulating(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with claim_folder(out, force=False) as stage:
        (stage / "summary.json").write_text("{}")
        code, _, err = _orgsim("run", str(SOLO), *QUICK, "--out", str(out))
        assert code == 1 and "another orgsim run" in err and "is writing there" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no lock, no staging folder left
    assert (out / "summary.json").read_text() == "{}"


def test_two_runs_into_one_folder_at_once_one_wins_the_other_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "orgsim", "run", str(NETWORK), *QUICK, "--out", str(out)]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outcomes = sorted((p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs)
    codes = [c for c, _ in outcomes]
    # one wins; the other is refused (busy, or finds the winner's results and will not mix with them)
    assert codes == [0, 1], outcomes
    assert "another orgsim run" in outcomes[1][1] or "not empty" in outcomes[1][1]
    assert json.loads((out / "summary.json").read_text())["replications"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_read_only_destination_fails_before_simulating_and_leaves_nothing(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders; the permission check cannot be seen")
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        code, _, err = _orgsim("run", str(SOLO), *QUICK, "--out", str(parent / "out"))
        assert code == 1 and "is not writable" in err
        assert list(parent.iterdir()) == []
    finally:
        parent.chmod(0o755)


def test_a_full_disk_fails_cleanly_and_leaves_nothing(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.decode().strip()[:80]}); a full disk takes "
                    "the same path as test_a_failed_write_leaves_nothing_half_written")
    try:
        code, _, err = _orgsim("run", str(NETWORK), *QUICK, "--out", str(disk / "out"))
        assert code == 1 and "could not write the results" in err and "nothing was written" in err, err
        assert list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_too_little_free_space_is_refused_before_simulating(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from orgsim import writes
    from orgsim.output import results_bytes
    from orgsim.scenario.overrides import with_changes

    network = load_scenario(NETWORK)
    month, year = (with_changes(network, {"run.horizon_days": d, "run.warmup_days": 0}) for d in (30, 360))
    assert results_bytes(year, 1, False) > 10 * results_bytes(month, 1, False) > 10 * results_bytes(month, 1, True)
    need = results_bytes(month, 2, False)
    monkeypatch.setattr(writes.shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(10**9, 10**9 - need, need - 1))
    with pytest.raises(OrgsimError, match="free some space"), claim_folder(tmp_path / "out", False, need_bytes=need):
        raise AssertionError("simulated although the results cannot fit")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_nothing_half_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(OrgsimError, match="No space left"), claim_folder(out, force=False) as stage:
        (stage / "requests.parquet").write_bytes(b"half")
        raise OSError(28, "No space left on device")
    assert list(tmp_path.iterdir()) == []


def test_a_dangling_link_is_refused_before_simulating(tmp_path: Path) -> None:
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "nowhere")
    code, _, err = _orgsim("run", str(SOLO), *QUICK, "--out", str(link))
    assert code == 1 and "dangling symbolic link" in err


def test_force_replaces_the_old_results_rather_than_mixing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _orgsim("run", str(SOLO), *QUICK, "--out", str(out))[0] == 0
    assert (out / "requests.parquet").exists()
    code, _, err = _orgsim("run", str(SOLO), *QUICK, "--summary", "--out", str(out))
    assert code == 1 and "--force" in err
    assert _orgsim("run", str(SOLO), *QUICK, "--summary", "--force", "--out", str(out))[0] == 0
    assert not (out / "requests.parquet").exists() and (out / "summary.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_report_file_that_appears_during_the_run_is_kept(tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    tmp = tmp_path / "new.html"
    tmp.write_text("new")
    output.write_text("theirs")
    with pytest.raises(OrgsimError, match="appeared while this ran"):
        publish_file(tmp, output, force=False)
    assert output.read_text() == "theirs" and not tmp.exists()


def test_sweep_out_a_file_is_a_clean_error(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    code, _, err = _orgsim("sweep", str(SOLO), "--set", "policies.approval_steps=0,1", "--replications", "1",
                           "--out", str(target))
    assert code == 1 and "is a file, expected a folder" in err


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the pool's processes")
def test_kill_9_of_a_pooled_sweep_leaves_no_orphan(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "orgsim", "sweep", str(NETWORK), "--set", "policies.approval_steps=0,1,2",
           "--replications", "3", "--workers", "2", "--out", str(tmp_path / "sweep")]
    parent = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    for _ in range(600):  # until the pool is up (at most a minute)
        workers = _children(parent.pid)
        if len(workers) >= 2 or parent.poll() is not None:
            break
        time.sleep(0.1)
    assert workers, "the sweep started no pool"
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    alive = workers
    for _ in range(100):
        alive = [w for w in workers if Path(f"/proc/{w}").exists() and "Z" not in
                 (Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1].split()[0:1] or [""])[0]]
        if not alive:
            break
        time.sleep(0.1)
    for pid in alive:  # a failing run must not leave them running
        os.kill(pid, signal.SIGKILL)
    assert alive == [], f"orphaned workers: {alive}"


# --- 5. valid JSON always ------------------------------------------------------------------------


def test_json_never_carries_nan_or_infinity() -> None:
    text = strict_json({"a": float("nan"), "b": [1.0, float("inf")], "c": 2})
    body = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert body["a"] is None and body["b"] == [1.0, None] and body["c"] == 2
    assert set(body["undefined"]) == {"a", "b[1]"}


def test_run_json_is_strict_json() -> None:
    code, out, _ = _orgsim("run", str(SOLO), *QUICK, "--json")
    assert code == 0
    json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))


# --- 6. the Python API checks its arguments ------------------------------------------------------


def test_the_api_raises_its_own_error_for_bad_arguments() -> None:
    from orgsim.experiment import replicate
    from orgsim.metrics import summarize
    from orgsim.sim.engine import simulate

    s = load_scenario(SOLO)
    with pytest.raises(OrgsimError, match="expected a Scenario, got str .load it first"):
        simulate("x.yaml")  # type: ignore[arg-type]
    with pytest.raises(OrgsimError, match="seed: expected a whole number >= 0, got -1"):
        simulate(s, seed=-1)
    with pytest.raises(OrgsimError, match="replications: expected a whole number >= 1, got -1"):
        replicate(s, -1)
    with pytest.raises(OrgsimError, match="workers: expected a whole number >= 1"):
        replicate(s, 1, workers=-3)
    with pytest.raises(OrgsimError, match="summarize: results: expected at least 1 results"):
        summarize([])


@pytest.mark.parametrize("tamper", [
    lambda b: b.update(runs=[[1, 2]] * len(b["runs"])),
    lambda b: b.update(replications=b["replications"] + 5),
    lambda b: b.update(scenarios="nope"),
    lambda b: b["scenarios"][0]["run"].update(horizon_days=float("inf")),
])
def test_a_tampered_study_is_refused_cleanly(tmp_path: Path, tamper: object) -> None:
    out = tmp_path / "cmp"
    assert _orgsim("compare", str(SOLO), str(NETWORK), "--replications", "2", "--workers", "1", "--out",
                   str(out))[0] == 0
    body = json.loads((out / "study.json").read_text())
    tamper(body)  # type: ignore[operator]
    (out / "study.json").write_text(json.dumps(body))
    code, _, err = _orgsim("report", "--from", str(out), "-o", str(tmp_path / "r.html"))
    assert code == 1 and err.startswith("error: "), err
    assert not (tmp_path / "r.html").exists()
