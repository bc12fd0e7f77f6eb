"""Every file orgsim writes, written one way: whole, durable, and never over something it should not touch.

A single file (``report -o``, ``init``, ``demo-data``, ``calibrate --out``, a
saved study) goes through :func:`writing` (or :func:`write_text`): it is
written to a temporary name beside its destination (same folder, so the
rename is atomic on any disk), flushed and fsynced, then renamed into place;
the folder is fsynced after. A destination that is a folder, a device, a pipe
or a socket is refused, ``--force`` or not; without ``force`` an existing file
is kept. On any failure (a full or read-only disk, Ctrl-C, an error) the
temporary file is removed and nothing appears under the final name; an
``OSError`` becomes one :class:`~orgsim.errors.OrgsimError` line. Two outputs of
one command on the same path are refused up front (:func:`distinct_targets`).

Results folders (``run --out``, ``compare --out``) are claimed, staged and published whole by
:mod:`orgsim.folders`.

What a ``kill -9`` leaves (a temporary file or staging folder named with the
dead process's id) is removed by the next orgsim write into the same folder
(:func:`remove_leftovers`); nothing of a live process is touched.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import re
import shutil
import signal
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from orgsim.errors import OrgsimError

__all__ = ["WriteError", "distinct_targets", "check_file_target", "ending_cleanly",
           "publish_file", "remove_leftovers", "sibling", "strict_json", "write_text", "write_with", "writing"]

#: what orgsim leaves beside a destination while writing it: ``.NAME.orgsim-PID[.ext]`` (a file or a staging
#: folder) and ``.NAME.orgsim-old-PID`` (old results being replaced); the id says whose it is
_LEFTOVER = re.compile(r"^\..+\.orgsim-(?:old-)?(\d+)(?:\.[A-Za-z0-9]{1,8})?$")


class WriteError(OrgsimError):
    """A write that failed on the disk (full, read-only, gone); ``reason`` is the system's word for it."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _check_parent(out: Path, option: str) -> None:
    parent = out.parent
    if not parent.is_dir():
        raise OrgsimError(f"{option} {out}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):  # access(2) also answers EROFS for a read-only disk, even to root
        raise OrgsimError(f"{option} {out}: folder {parent} is not writable")


def check_file_target(path: Path, force: bool, option: str = "--output") -> Path:
    """Refuse a file destination orgsim must not write; return the path to write (a link's target, resolved).

    Refused: a dangling link, a folder, anything that is not a regular file
    (a device, a named pipe, a socket: ``--force`` does not replace those), an
    existing file without ``force``, a missing or unwritable folder.
    """
    path = Path(path)
    if path.is_symlink():
        if not path.exists():
            raise OrgsimError(f"{option} {path}: is a dangling symbolic link; remove it or choose another name")
        path = path.resolve()  # --force writes the file the link points to; the link stays
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OrgsimError(f"{option} {path}: cannot be checked: {_reason(exc)}") from None
    if mode is not None:
        if stat.S_ISDIR(mode):
            raise OrgsimError(f"{option} {path}: is a folder; give a file name")
        if not stat.S_ISREG(mode):
            raise OrgsimError(f"{option} {path}: is {_kind(mode)}, not a regular file; orgsim writes only "
                              "regular files, --force or not")
        if not force:
            raise OrgsimError(f"{option} {path}: already exists; pass --force to overwrite it")
    _check_parent(path, option)
    return path


def distinct_targets(targets: Iterable[tuple[str, Path | None]]) -> None:
    """Refuse two outputs of one command on the same file (``report -o X --pptx X``): the second would replace the first.

    ``targets`` are (option, path) pairs; ``None`` paths are options not given.
    """
    seen: dict[str, str] = {}
    for option, path in targets:
        if path is None:
            continue
        key = os.path.realpath(path)
        if key in seen:
            raise OrgsimError(f"{option} {path}: is also the {seen[key]} file; give each output its own name")
        seen[key] = option


def remove_leftovers(folder: Path) -> None:
    """Remove what killed orgsim processes left in ``folder``: temporary files and staging folders of dead ids.

    Only names orgsim makes (``.NAME.orgsim-PID...``) are looked at, and only
    those whose process is no longer running are removed.
    """
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        match = _LEFTOVER.match(name)
        if match is None or _alive(int(match.group(1))):
            continue
        path = Path(folder) / name
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only folder: nothing this run can do about it


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.EROFS):  # some filesystems cannot sync a folder
            raise
    finally:
        os.close(fd)


def publish_file(tmp: Path, output: Path, force: bool, option: str = "--output") -> None:
    """Rename a finished ``tmp`` into ``output``; without ``force`` refuse a file that appeared meanwhile.

    With ``force`` only a regular file is replaced: something else that appeared
    under the name meanwhile (a pipe, a device, a folder) is refused and kept.
    """
    try:
        if force:
            with contextlib.suppress(FileNotFoundError):
                mode = os.lstat(output).st_mode
                if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
                    what = "a folder" if stat.S_ISDIR(mode) else _kind(mode)
                    raise OrgsimError(f"{option} {output}: is {what}, not a regular file; kept it")
            os.replace(tmp, output)
            return
        try:
            os.link(tmp, output)  # atomic and exclusive: fails if output exists
        except FileExistsError:
            raise OrgsimError(f"{option} {output}: appeared while this ran; kept it. Pass --force to overwrite "
                              "it") from None
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EIO):
                raise
            # a filesystem without hard links
            if output.exists() or output.is_symlink():
                raise OrgsimError(f"{option} {output}: appeared while this ran; kept it") from None
            os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)


def sibling(path: Path) -> Path:
    """A temporary name beside ``path`` for writing it whole before it is renamed into place."""
    return path.parent / f".{path.stem}.orgsim-{os.getpid()}{path.suffix}"  # the suffix kept: writers may go by it


@contextlib.contextmanager
def writing(path: Path, force: bool = False, option: str = "--output", *, checked: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write; on success make it durable and rename it into place.

    The destination is checked first (:func:`check_file_target`; ``checked``
    when the caller already did, before a long run, and ``path`` is the path
    it returned). Leftovers of killed runs in the folder are removed. On any
    failure the temporary file goes and ``path`` is untouched; an ``OSError``
    (a full or read-only disk) becomes one :class:`~orgsim.errors.OrgsimError`.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     with writing(Path(d) / "a.txt") as tmp:
    ...         _ = tmp.write_text("hello")
    ...     (Path(d) / "a.txt").read_text(), sorted(os.listdir(d))
    ('hello', ['a.txt'])
    """
    path = Path(path) if checked else check_file_target(Path(path), force, option)
    remove_leftovers(path.parent)
    tmp = sibling(path)
    try:
        yield tmp
        if not tmp.is_file():
            raise OrgsimError(f"{option} {path}: nothing was written (internal: the writer made no file)")
        _fsync_path(tmp)
        publish_file(tmp, path, force, option)
        _fsync_dir(path.parent)
    except OSError as exc:
        raise WriteError(f"{option} {path}: could not write it ({_reason(exc)}); nothing was written there",
                         _reason(exc)) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str, force: bool = False, option: str = "--output", *,
               checked: bool = False) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through :func:`writing`; return the path written."""
    with writing(path, force, option, checked=checked) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def write_with(path: Path, write: Callable[[Path], Any], force: bool = False, option: str = "--output", *,
               checked: bool = False) -> Path:
    """Call ``write(tmp)`` (a library that writes to a path: pandas, python-pptx) through :func:`writing`."""
    with writing(path, force, option, checked=checked) as tmp:
        write(tmp)
    return path


@contextlib.contextmanager
def ending_cleanly() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP end this process through Python's exit, so every ``finally`` runs.

    By default those signals end Python at once, leaving temporary files,
    staging folders and locks behind; here they raise ``SystemExit(128 +
    signal)`` in the main process instead. A forked pool worker that inherits
    the handler dies of the signal as before. Outside the main thread (where
    handlers cannot be set) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    main = os.getpid()

    def end(signum: int, _frame: Any) -> None:
        if os.getpid() != main:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise SystemExit(128 + signum)

    signals = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    before = {s: signal.getsignal(s) for s in signals}
    for s in signals:
        if before[s] in (signal.SIG_DFL, None):
            signal.signal(s, end)
    try:
        yield
    finally:
        for s, handler in before.items():
            if handler in (signal.SIG_DFL, None):
                signal.signal(s, signal.SIG_DFL)


def __getattr__(name: str) -> Any:
    """``claim_folder`` and ``hold_folder`` live in :mod:`orgsim.folders` (imported from here before they moved)."""
    if name in ("claim_folder", "hold_folder"):
        from orgsim import folders

        return getattr(folders, name)
    raise AttributeError(f"module 'orgsim.writes' has no attribute {name!r}")


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
