"""Results folders (``run --out``, ``compare --out``, ``sweep --out``): claimed before anything runs, published whole.

A results folder is claimed before anything runs: a lock beside it
(``.NAME.orgsim-lock``, an OS lock taken with ``filelock``, released by the OS
if the process dies, holding the claiming process id for the message) so that
a second run into the same folder is refused instead of merged, and a staging
folder beside it (``.NAME.orgsim-PID``) where the results are written and
fsynced. Only when every file is written is the staging folder renamed into
place (``--force`` moves the old folder away first and then deletes it, so no
old file stays beside new ones). A failure at any point removes the staging
folder and leaves the destination as it was. Single files are written by
:mod:`orgsim.writes`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from orgsim.errors import OrgsimError
from orgsim.writes import _check_parent, _fsync_dir, _fsync_path, _reason, remove_leftovers

__all__ = ["claim_folder", "hold_folder"]


def _check_destination(out: Path, option: str, force: bool) -> None:
    _check_place(out, option)
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OrgsimError(f"{option} {out}: folder is not empty; choose another or pass --force to replace it")


def _check_place(out: Path, option: str) -> None:
    if out.is_symlink() and not out.exists():
        raise OrgsimError(f"{option} {out}: is a dangling symbolic link; remove it or choose another folder")
    if out.exists() and not out.is_dir():
        raise OrgsimError(f"{option} {out}: is a file, expected a folder")
    _check_parent(out, option)


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


class _Lock:
    """The folder lock: an OS lock (``filelock``) on ``.NAME.orgsim-lock``, with the holder's id written in it."""

    def __init__(self, out: Path, option: str) -> None:
        from filelock import FileLock, Timeout

        self.path = out.parent / f".{out.name}.orgsim-lock"
        self.lock = FileLock(self.path, timeout=0)
        try:
            self.lock.acquire()
        except Timeout:
            pid = self._holder()
            who = f" (process {pid})" if pid else ""
            raise OrgsimError(f"{option} {out}: another orgsim run{who} is writing there; wait for it or choose "
                              "another folder") from None
        except OSError as exc:
            raise OrgsimError(f"{option} {out}: cannot write beside it: {_reason(exc)}") from None
        with contextlib.suppress(OSError):  # only for the message of a refused second run
            with open(self.path, "w") as handle:
                handle.write(f"{os.getpid()}\n")

    def _holder(self) -> int:
        try:
            return int(self.path.read_text().strip() or 0)
        except (OSError, ValueError):
            return 0

    def release(self) -> None:
        with contextlib.suppress(OSError):
            self.lock.release()  # filelock removes the lock file when it lets go
        if self.path.exists() and self._holder() == os.getpid():
            with contextlib.suppress(OSError):
                self.path.unlink()


def _fsync_tree(root: Path) -> None:
    """Flush every file under ``root`` (and the folders) to the disk, so a rename publishes what is really there."""
    for folder, _, files in os.walk(root):
        for name in files:
            _fsync_path(Path(folder) / name)
        _fsync_dir(Path(folder))


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
    lock = _Lock(out, option)
    stage = out.parent / f".{out.name}.orgsim-{os.getpid()}"
    try:
        remove_leftovers(out.parent)
        shutil.rmtree(stage, ignore_errors=True)
        try:
            stage.mkdir()
        except OSError as exc:
            raise OrgsimError(f"{option} {out}: cannot write there: {_reason(exc)}") from None
        try:
            yield stage
            _fsync_tree(stage)
        except OSError as exc:  # a full disk, a quota: the staging folder goes, the destination stays as it was
            raise OrgsimError(f"{option} {out}: could not write the results ({_reason(exc)}); nothing was "
                              "written there") from None
        _publish_folder(stage, out, option)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        lock.release()


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
    lock = _Lock(out, option)
    try:
        remove_leftovers(out.parent)
        if out.is_dir():
            remove_leftovers(out)
        yield
    finally:
        lock.release()


def _publish_folder(stage: Path, out: Path, option: str) -> None:
    old = out.parent / f".{out.name}.orgsim-old-{os.getpid()}"
    moved = False
    try:
        if out.is_dir():
            out.rename(old)  # --force, or an empty folder: the old results go whole, none stay beside the new
            moved = True
        stage.rename(out)
        _fsync_dir(out.parent)
    except OSError as exc:
        if moved and not out.exists():
            old.rename(out)
        raise OrgsimError(f"{option} {out}: could not put the results in place: {_reason(exc)}") from None
    if moved:
        shutil.rmtree(old, ignore_errors=True)
