"""Writes that cannot lose results: a destination checked and claimed before simulating, published by rename.

A results folder (``run --out``, ``compare --out``) is claimed before
anything runs: a lock file beside it (``.NAME.orgsim-lock``, created
exclusively, holding the claiming process id) so that a second run into the
same folder is refused instead of merged, and a staging folder beside it
(``.NAME.orgsim-PID``) where the results are written. Only when every file is
written is the staging folder renamed into place (``--force`` moves the old
folder away first and then deletes it, so no old file stays beside new ones).
A failure at any point removes the staging folder and leaves the destination
as it was. A single file (``report -o``) is written to a sibling and renamed
into place; without ``--force`` the rename refuses a file that appeared
during the run.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from orgsim.errors import OrgsimError

__all__ = ["claim_folder", "hold_folder", "publish_file", "sibling", "strict_json"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _check_destination(out: Path, option: str, force: bool) -> None:
    _check_place(out, option)
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OrgsimError(f"{option} {out}: folder is not empty; choose another or pass --force to replace it")


def _check_place(out: Path, option: str) -> None:
    if out.is_symlink() and not out.exists():
        raise OrgsimError(f"{option} {out}: is a dangling symbolic link; remove it or choose another folder")
    if out.exists() and not out.is_dir():
        raise OrgsimError(f"{option} {out}: is a file, expected a folder")
    parent = out.parent
    if not parent.is_dir():
        raise OrgsimError(f"{option} {out}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OrgsimError(f"{option} {out}: folder {parent} is not writable")


def _check_space(out: Path, option: str, need_bytes: int) -> None:
    if need_bytes <= 0:
        return
    try:
        free = shutil.disk_usage(out.parent).free
    except OSError:  # not knowable here: the write itself will tell
        return
    if free < need_bytes:
        raise OrgsimError(f"{option} {out}: the disk holding it has {_size(free)} free and these results need about "
                          f"{_size(need_bytes)}; free some space or choose another place")


def _size(n: float) -> str:
    """Bytes as a reader says them: ``512 bytes``, ``65.5 KB``, ``1.2 GB``."""
    if n < 1000:
        return f"{n:.0f} bytes"
    for unit in ("KB", "MB"):
        n /= 1000
        if n < 1000:
            return f"{n:.1f} {unit}"
    return f"{n / 1000:.1f} GB"


def _lock(out: Path, option: str) -> Path:
    lock = out.parent / f".{out.name}.orgsim-lock"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                pid = int(lock.read_text().strip() or 0)
            except (OSError, ValueError):
                pid = 0
            if pid and _alive(pid):
                raise OrgsimError(f"{option} {out}: another orgsim run (process {pid}) is writing there; wait for it "
                                  "or choose another folder") from None
            lock.unlink(missing_ok=True)  # left by a run that was killed
            continue
        except OSError as exc:
            raise OrgsimError(f"{option} {out}: cannot write beside it: {exc.strerror or exc}") from None
        with os.fdopen(fd, "w") as handle:
            handle.write(f"{os.getpid()}\n")
        return lock
    raise OrgsimError(f"{option} {out}: another orgsim run is claiming it; try again")


@contextlib.contextmanager
def claim_folder(out: Path, force: bool, option: str = "--out", need_bytes: int = 0) -> Iterator[Path]:
    """Claim ``out`` before simulating; yield the staging folder to write into; publish it on success.

    Raises :class:`~orgsim.errors.OrgsimError` at once (before any simulation
    the caller runs inside the block) if ``out`` is not writable, a dangling
    link, a file, not empty without ``force``, claimed by another run, or on a
    disk with less free space than ``need_bytes`` (the caller's estimate).
    """
    out = Path(out)
    _check_destination(out, option, force)
    _check_space(out, option, need_bytes)
    lock = _lock(out, option)
    stage = out.parent / f".{out.name}.orgsim-{os.getpid()}"
    try:
        shutil.rmtree(stage, ignore_errors=True)
        try:
            stage.mkdir()
        except OSError as exc:
            raise OrgsimError(f"{option} {out}: cannot write there: {exc.strerror or exc}") from None
        try:
            yield stage
        except OSError as exc:  # a full disk, a quota: the staging folder goes, the destination stays as it was
            raise OrgsimError(f"{option} {out}: could not write the results ({exc.strerror or exc}); nothing was "
                              "written there") from None
        _publish_folder(stage, out, option)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        lock.unlink(missing_ok=True)


@contextlib.contextmanager
def hold_folder(out: Path, option: str = "--out") -> Iterator[None]:
    """Hold ``out`` for a job that writes into it in place as it goes (a resumable sweep).

    The same lock as :func:`claim_folder`, without staging: a second job
    into the same folder is refused at once instead of interleaving its
    parts; an unwritable place is refused before anything runs.
    """
    out = Path(out)
    _check_place(out, option)
    if out.is_dir() and not os.access(out, os.W_OK | os.X_OK):
        raise OrgsimError(f"{option} {out}: folder is not writable")
    lock = _lock(out, option)
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def _publish_folder(stage: Path, out: Path, option: str) -> None:
    old = out.parent / f".{out.name}.orgsim-old-{os.getpid()}"
    moved = False
    try:
        if out.is_dir():
            out.rename(old)  # --force, or an empty folder: the old results go whole, none stay beside the new
            moved = True
        stage.rename(out)
    except OSError as exc:
        if moved and not out.exists():
            old.rename(out)
        raise OrgsimError(f"{option} {out}: could not put the results in place: {exc.strerror or exc}") from None
    if moved:
        shutil.rmtree(old, ignore_errors=True)


def publish_file(tmp: Path, output: Path, force: bool, option: str = "--output") -> None:
    """Rename a finished ``tmp`` into ``output``; without ``force`` refuse a file that appeared meanwhile."""
    try:
        if force:
            os.replace(tmp, output)
            return
        try:
            os.link(tmp, output)  # atomic and exclusive: fails if output exists
        except FileExistsError:
            raise OrgsimError(f"{option} {output}: appeared while this ran; kept it. Pass --force to overwrite "
                              "it") from None
        except OSError:  # a filesystem without hard links
            if output.exists():
                raise OrgsimError(f"{option} {output}: appeared while this ran; kept it") from None
            os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)


def sibling(path: Path) -> Path:
    """A temporary name beside ``path`` for writing it whole before it is renamed into place."""
    return path.parent / f".{path.stem}.orgsim-{os.getpid()}{path.suffix}"  # the suffix kept: writers may go by it


def strict_json(data: Any) -> str:
    """``data`` as JSON that every parser reads: a figure that is NaN or infinite (undefined) becomes null.

    Python's json writes ``NaN`` and ``Infinity``, which are not JSON; the
    summary's ``undefined`` note says why a figure is missing.
    """
    undefined: list[str] = []

    def clean(x: Any, where: str) -> Any:
        if isinstance(x, float) and not math.isfinite(x):
            undefined.append(where)
            return None
        if isinstance(x, dict):
            return {k: clean(v, f"{where}.{k}" if where else str(k)) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [clean(v, f"{where}[{i}]") for i, v in enumerate(x)]
        return x

    cleaned = clean(data, "")
    if undefined and isinstance(cleaned, dict):
        cleaned.setdefault("undefined", {k: "not a finite number (no observations, or a division by zero)"
                                         for k in undefined})
    return json.dumps(cleaned, indent=2, allow_nan=False, default=str)
