"""Every file written one way (issue #34, item 3): whole, durable, refused where it must not go.

The full disk is a 64 KB tmpfs mounted for the test (root on Linux), and
also a patched fsync (everywhere); the read-only folder is a read-only bind
mount (root ignores permission bits, so a chmod would prove nothing), or a
chmod 0555 folder when not root. Each mount test skips, saying why, where
mounting is not allowed; the patched variants always run.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.errors import OrgsimError
from orgsim.folders import claim_folder
from orgsim.writes import (
    check_file_target,
    distinct_targets,
    remove_leftovers,
    write_text,
    writing,
)

ROOT = Path(__file__).resolve().parents[1]
SOLO = ROOT / "scenarios" / "solo.yaml"
NETWORK = ROOT / "scenarios" / "network.yaml"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _orgsim(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _mount(args: list[str]) -> str | None:
    """Run mount; the reason it failed, or None."""
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    return None if done.returncode == 0 else (done.stderr.strip() or "mount failed")[:100]


@contextlib.contextmanager
def full_disk(where: Path) -> Iterator[Path]:
    """A 64 KB tmpfs at ``where``, filled to the last byte."""
    where.mkdir()
    why = _mount(["-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)])
    if why is not None:
        pytest.skip(f"cannot mount a small tmpfs here ({why}); test_a_failed_fsync_... covers the same path")
    try:
        with contextlib.suppress(OSError), open(where / "filler", "wb") as handle:
            handle.write(b"x" * 70_000)
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


@contextlib.contextmanager
def read_only(where: Path) -> Iterator[Path]:
    """A read-only folder: a read-only bind mount as root, a chmod 0555 folder otherwise."""
    source = where.with_name(where.name + "-source")
    source.mkdir()
    where.mkdir()
    if os.geteuid() != 0:
        where.chmod(0o555)
        try:
            yield where
        finally:
            where.chmod(0o755)
        return
    why = _mount(["--bind", "-o", "ro", str(source), str(where)])
    if why is not None:
        pytest.skip(f"root ignores permissions and a read-only bind mount is not allowed here ({why})")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("study") / "cmp"
    code, _, err = _orgsim("compare", str(SOLO), str(NETWORK), "--replications", "2", "--workers", "1",
                           "--out", str(out))
    assert code == 0, err
    return out


def _one_error(code: int, err: str) -> str:
    lines = [line for line in err.splitlines() if not line.startswith("warning:")]
    assert code == 1 and len(lines) == 1 and lines[0].startswith("error: "), (code, err)
    return lines[0]


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "filler")


# --- full disk: one error line, nothing under the final name ----------------------------------


def test_every_writer_on_a_full_disk_says_so_and_leaves_nothing(tmp_path: Path, study: Path) -> None:
    with full_disk(tmp_path / "disk") as disk:
        for args in (["report", "--from", str(study), "-o", str(disk / "r.html")],
                     ["demo-data", str(disk / "demo"), "--days", "3"],
                     ["init", str(disk / "i.yaml")],
                     ["run", str(SOLO), "--horizon-days", "2", "--warmup-days", "0", "--replications", "1", "--workers", "1",
                      "--out", str(disk / "run")]):
            line = _one_error(*_orgsim(*args)[::2])
            assert "No space left on device" in line or "free some space" in line, line
            assert _names(disk) == [], (args, _names(disk))


def test_show_into_a_file_on_a_full_disk_is_one_error_line(tmp_path: Path) -> None:
    with full_disk(tmp_path / "disk") as disk, open(disk / "shown.yaml", "w") as target:
        done = subprocess.run([sys.executable, "-m", "orgsim", "show", str(ROOT / "scenarios" / "base.yaml")],
                              stdout=target, stderr=subprocess.PIPE, text=True, env=ENV, timeout=120)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == "error: could not write the output: No space left on device", done.stderr


def test_a_failed_fsync_leaves_nothing_under_the_final_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            study: Path) -> None:
    def no_space(path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("orgsim.writes._fsync_path", no_space)
    for args, made in ((["report", "--from", str(study), "-o", str(tmp_path / "r.html")], "r.html"),
                       (["init", str(tmp_path / "i.yaml")], "i.yaml"),
                       (["demo-data", str(tmp_path / "demo"), "--days", "2"], "demo")):
        line = _one_error(*_orgsim(*args)[::2])
        assert "No space left on device" in line and "nothing was written there" in line, line
        assert not (tmp_path / made).exists()
    assert _names(tmp_path) == []


def test_a_full_disk_keeps_the_old_file_under_force(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "i.yaml"
    old.write_text("mine\n")
    monkeypatch.setattr("orgsim.writes._fsync_path", lambda p: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    _one_error(*_orgsim("init", str(old), "--force")[::2])
    assert old.read_text() == "mine\n" and _names(tmp_path) == ["i.yaml"]


# --- read-only folder --------------------------------------------------------------------------


def test_every_writer_into_a_read_only_folder_is_one_error_line(tmp_path: Path, study: Path) -> None:
    with read_only(tmp_path / "ro") as ro:
        for args in (["report", "--from", str(study), "-o", str(ro / "r.html")],
                     ["demo-data", str(ro / "demo"), "--days", "2"],
                     ["init", str(ro / "i.yaml")],
                     ["compare", str(SOLO), str(NETWORK), "--replications", "2", "--out", str(ro / "c")]):
            line = _one_error(*_orgsim(*args)[::2])
            assert "not writable" in line or "Read-only" in line or "Permission denied" in line, line
        assert list(ro.iterdir()) == []


# --- destinations refused -------------------------------------------------------------------------


def test_init_into_a_missing_folder_says_which(tmp_path: Path) -> None:
    line = _one_error(*_orgsim("init", str(tmp_path / "no" / "x.yaml"))[::2])
    assert line == f"error: init {tmp_path / 'no' / 'x.yaml'}: folder {tmp_path / 'no'} does not exist"


def test_two_outputs_of_one_report_on_one_path_are_refused(tmp_path: Path, study: Path) -> None:
    html = tmp_path / "x.html"
    html.write_text("keep")
    line = _one_error(*_orgsim("report", "--from", str(study), "-o", str(html), "--pptx", str(html), "--force")[::2])
    assert "is also the --output file" in line
    assert html.read_text() == "keep"
    with pytest.raises(OrgsimError, match="--pdf .*also the --output"):
        distinct_targets([("--output", tmp_path / "a"), ("--pdf", tmp_path / "." / "a")])


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_force_never_replaces_what_is_not_a_regular_file(tmp_path: Path, study: Path, kind: str) -> None:
    target = tmp_path / "target"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "device":
        target.symlink_to("/dev/null")
    else:
        target.mkdir()
    line = _one_error(*_orgsim("report", "--from", str(study), "-o", str(target), "--force")[::2])
    assert {"fifo": "named pipe", "device": "a device", "folder": "is a folder"}[kind] in line
    assert (target.is_fifo() if kind == "fifo" else target.is_symlink() if kind == "device" else target.is_dir())


def test_force_through_a_link_writes_the_file_it_points_to(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text("old")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    write_text(link, "new", force=True)
    assert link.is_symlink() and real.read_text() == "new"


def test_a_regular_file_that_turns_into_a_pipe_during_the_run_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    checked = check_file_target(target, True)
    with pytest.raises(OrgsimError, match="named pipe"):  # noqa: PT012
        with writing(checked, True, checked=True) as tmp:
            tmp.write_text("x")
            os.mkfifo(target)
    assert target.is_fifo() and _names(tmp_path) == ["r.html"]


# --- temporary files go on any exit ---------------------------------------------------------------


def test_an_error_inside_the_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), writing(tmp_path / "a.txt") as tmp:
        tmp.write_text("half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_killed_runs_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead, live = _dead_pid(), os.getpid()
    (tmp_path / f".cmp.orgsim-{dead}").mkdir()
    (tmp_path / f".cmp.orgsim-{dead}" / "study.json").write_text("{}")
    (tmp_path / f".r.orgsim-{dead}.html").write_text("half")
    (tmp_path / f".r.orgsim-{live}.html").write_text("being written")
    (tmp_path / ".mine.txt").write_text("not orgsim's")
    remove_leftovers(tmp_path)
    assert _names(tmp_path) == [".mine.txt", f".r.orgsim-{live}.html"]


def test_kill_9_of_compare_out_leaves_nothing_the_next_run_keeps(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    # two different designs: the same one twice is refused (duplicate names) before anything is staged
    cmd = [sys.executable, "-m", "orgsim", "compare", str(SOLO), str(NETWORK), "--replications", "2",
           "--workers", "1", "--out", str(out)]
    errors = tempfile.TemporaryFile("w+")  # not a pipe: a full pipe would stall the child; not in tmp_path
    child = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=errors)
    stage = tmp_path / f".cmp.orgsim-{child.pid}"
    for _ in range(1200):  # until it has claimed the folder (at most two minutes)
        if stage.exists() or child.poll() is not None:
            break
        time.sleep(0.1)
    if not stage.exists():
        child.kill()
        child.wait()
        errors.seek(0)
        raise AssertionError(f"compare never staged its results (exit {child.returncode}): {errors.read().strip()}")
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert stage.exists()  # what kill -9 leaves: nothing can run in the killed process
    code, _, err = _orgsim("compare", str(SOLO), str(NETWORK), "--replications", "2", "--workers", "1",
                           "--out", str(out))
    assert code == 0, err
    assert _names(tmp_path) == ["cmp"]  # the stage and the lock of the killed run are gone


def test_sigterm_during_a_run_removes_its_staging_folder(tmp_path: Path) -> None:
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "orgsim", "run", str(NETWORK), "--replications", "3", "--workers", "1",
           "--out", str(out)]
    child = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stage = tmp_path / f".run.orgsim-{child.pid}"
    for _ in range(1200):
        if stage.exists() or child.poll() is not None:
            break
        time.sleep(0.1)
    assert stage.exists(), "run never staged its results"
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=60) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


def test_claiming_removes_a_dead_runs_stage_and_takes_its_stale_lock(tmp_path: Path) -> None:
    dead = _dead_pid()
    (tmp_path / f".out.orgsim-{dead}").mkdir()
    (tmp_path / ".out.orgsim-lock").write_text(f"{dead}\n")  # a lock file no process holds
    with claim_folder(tmp_path / "out", force=False) as stage:
        (stage / "summary.json").write_text(json.dumps({"ok": 1}))
    assert _names(tmp_path) == ["out"]


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("logs") / "a" / "b"  # demo-data makes the missing folders
    code, _, err = _orgsim("demo-data", str(folder), "--days", "3")
    assert code == 0, err
    return [str(folder / "messages.csv"), str(folder / "requests.csv")]


def test_calibrate_on_a_full_or_read_only_disk_is_one_error_line(tmp_path: Path, logs: list[str]) -> None:
    args = ["calibrate", *logs, "--team", str(NETWORK), "-o"]
    with full_disk(tmp_path / "disk") as disk:
        line = _one_error(*_orgsim(*args, str(disk / "c.yaml"))[::2])
        assert "No space left on device" in line and _names(disk) == []
    with read_only(tmp_path / "ro") as ro:
        line = _one_error(*_orgsim(*args, str(ro / "c.yaml"))[::2])
        assert "not writable" in line and list(ro.iterdir()) == []


def test_a_resumed_sweep_ignores_and_removes_a_killed_runs_half_part(tmp_path: Path) -> None:
    from orgsim.experiment.sweep import sweep

    short = tmp_path / "short.yaml"
    short.write_text(f"extends: {NETWORK}\nrun: {{horizon_days: 2, warmup_days: 0}}\n")
    out = tmp_path / "sweep"
    sets = [("policies.approval_steps", [0, 1])]
    first = sweep(short, sets, replications=1, workers=1, out=out)
    half = out / "parts" / f".p0000-r000.orgsim-{_dead_pid()}.json"  # what a kill -9 mid-write leaves
    half.write_text('{"cut sh')
    again = sweep(short, sets, replications=1, workers=1, out=out, resume=True)
    assert again.equals(first) and not half.exists()
