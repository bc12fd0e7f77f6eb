"""A results folder written one finished run at a time, resumable after a kill (sweep, explore).

Every finished run is written at once as its own part (to a temporary name,
then renamed, so a half-written part is never read as done), beside a
manifest that says what the runs are. Opening the folder again with
``resume`` reads back the parts already there, and refuses a folder that
holds another study, so an interrupted-then-resumed study ends with exactly
the table of an uninterrupted one: nothing lost, nothing run twice.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from orgsim.errors import OrgsimError
from orgsim.experiment.parallel import Job, run_jobs
from orgsim.experiment.settings import Settings
from orgsim.folders import hold_folder
from orgsim.metrics.registry import record
from orgsim.writes import WriteError, remove_leftovers, write_text, write_with

__all__ = ["open_parts", "run_parts", "write_atomic", "write_part", "write_whole"]


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` whole to ``path`` (:func:`orgsim.writes.write_text`: beside it, fsynced, renamed)."""
    write_text(path, text, force=True, option="--out")


@contextlib.contextmanager
def open_parts(out: Path | None, manifest: dict[str, Any], resume: bool, what: str = "sweep",
               differs: str = "base, --set, replications or seed differ") -> Iterator[dict[str, Any]]:
    """Hold ``out`` for the study described by ``manifest``; yield the parts already done, by name (empty when new).

    A folder holding this kind of study needs ``resume``; one holding a different study
    (another manifest), or anything else, is refused and left as it is. While the block
    runs the folder is held (:func:`orgsim.folders.hold_folder`): a second study into it is
    refused instead of interleaving its parts. A failed write (a full disk) keeps the parts
    already written, so ``--resume`` continues. With no ``out`` nothing is written or held.
    """
    if out is None:
        yield {}
        return
    with hold_folder(out):
        found = _found_parts(out, manifest, resume, what, differs)
        try:
            yield found
        except (OSError, WriteError) as exc:
            reason = exc.reason if isinstance(exc, WriteError) else exc.strerror or str(exc)
            raise OrgsimError(f"--out {out}: could not write ({reason}); the runs already written are "
                              "kept: free some space and pass --resume to continue") from None


def _found_parts(out: Path, manifest: dict[str, Any], resume: bool, what: str, differs: str) -> dict[str, Any]:
    parts = out / "parts"
    if (out / "manifest.json").exists():
        if not resume:
            raise OrgsimError(f"--out {out}: holds a {what} already; pass --resume to continue it or choose another "
                              "folder")
        if json.loads((out / "manifest.json").read_text()) != json.loads(json.dumps(manifest, default=str)):
            raise OrgsimError(f"--out {out}: holds a different {what} ({differs})")
    elif out.exists() and any(out.iterdir()):
        raise OrgsimError(f"--out {out}: folder is not empty and holds no {what}; choose another folder")
    parts.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "manifest.json", json.dumps(manifest, indent=2, default=str))
    remove_leftovers(parts)  # half-written parts of a killed run (``.NAME.orgsim-PID.json``)
    return {f.stem: json.loads(f.read_text()) for f in parts.glob("*.json") if not f.name.startswith(".")}


def write_whole(path: Path, write: Callable[[Path], Any]) -> None:
    """Call ``write`` on a sibling of ``path``, then rename it into place (a failed write leaves no half file)."""
    write_with(path, write, force=True, option="--out")


def write_part(out: Path, name: str, data: Any) -> None:
    """One finished run, as ``out/parts/NAME.json``."""
    write_atomic(out / "parts" / f"{name}.json", json.dumps(data))


def run_parts(jobs: Mapping[str, Job], done: dict[str, Any], out: Path | None, settings: Settings,
              progress: Callable[[int], None] | None) -> None:
    """Run every job (by part name) not ``done`` yet; add each record to ``done``, and to ``out``, as it finishes.

    ``progress`` is told how many parts are done in all, those found on disk included.
    """
    todo = [name for name in jobs if name not in done]

    def finished(i: int, figures: dict[str, Any]) -> None:
        done[todo[i]] = record(figures)  # a flat record of metric ids: small, and the same for every part
        if out is not None:
            write_part(out, todo[i], done[todo[i]])

    already = len(done)
    run_jobs([jobs[name] for name in todo], settings.workers, settings.scheduler,
             None if progress is None else (lambda count: progress(already + count)), on_done=finished, keep=False)
