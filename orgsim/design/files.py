"""``orgsim designs``: every generated design of a base scenario, written as files that extend it.

The folder is claimed and written whole (:func:`orgsim.writes.claim_folder`):
a folder that holds anything is refused without ``--force``, and each file
is loaded back (through its ``extends:``) before the folder is published, so
what appears validates.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orgsim.design.generate import DESIGN_KINDS, Design, DesignOptions, design_scenario, generate_design
from orgsim.design.render import design_text
from orgsim.errors import OrgsimError
from orgsim.scenario.loading import load_scenario
from orgsim.scenario.model import Scenario
from orgsim.scenario.schema import schema_ref
from orgsim.writes import claim_folder

__all__ = ["Written", "write_designs"]


@dataclass(frozen=True)
class Written:
    """What ``orgsim designs`` did: each design's file, and the kinds it could not make (with why)."""

    files: tuple[tuple[Path, Design], ...]
    skipped: tuple[tuple[str, str], ...]


def write_designs(base: Path, scenario: Scenario, out: Path, force: bool = False,
                  kinds: Sequence[str] = DESIGN_KINDS, options: DesignOptions | None = None, *,
                  allow_large: bool = False) -> Written:
    """Generate ``kinds`` from ``scenario`` (loaded from ``base``) and write them into ``out`` as ``<kind>.yaml``."""
    unknown = [k for k in kinds if k not in DESIGN_KINDS]
    if unknown:
        raise OrgsimError(f"--only: unknown design {unknown[0]!r}; expected some of {', '.join(DESIGN_KINDS)}")
    designs: list[Design] = []
    skipped: list[tuple[str, str]] = []
    for kind in kinds:
        try:
            design = generate_design(scenario, kind, options)
            design_scenario(scenario, design, allow_large=allow_large)
        except OrgsimError as exc:
            skipped.append((kind, str(exc).splitlines()[0]))
            continue
        designs.append(design)
    if not designs:
        raise OrgsimError(f"{base}: no design could be made: " + "; ".join(f"{k}: {why}" for k, why in skipped))
    out = Path(out)
    ref = Path(os.path.relpath(base.resolve(), out.resolve())).as_posix()
    schema = schema_ref(out)
    written = []
    with claim_folder(out, force) as stage:
        for design in designs:
            path = stage / f"{design.kind}.yaml"
            path.write_text(design_text(design, ref, str(base), schema, scenario.company), encoding="utf-8")
            try:
                load_scenario(path, allow_large=allow_large)
            except OrgsimError as exc:  # a bug, not the user's: say which file and why
                raise OrgsimError(f"{out / path.name}: the written design does not load: "
                                  f"{str(exc).splitlines()[0]}") from None
            written.append((out / path.name, design))
    return Written(tuple(written), tuple(skipped))
