"""An exploration on disk: its tables as CSV and one strict JSON (no NaN or Infinity), and reading it back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from orgsim.errors import OrgsimError
from orgsim.experiment.parts import write_atomic
from orgsim.experiment.saved import check_exploration
from orgsim.explore.run import Exploration
from orgsim.writes import strict_json

__all__ = ["TABLES", "exploration_json", "read_exploration", "write_exploration"]

#: the tables written as ``NAME.csv``
TABLES = ("inputs", "samples", "outcomes", "differences", "indices", "rules")


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
            for r in df.to_dict(orient="records")]


def exploration_json(ex: Exploration) -> dict[str, Any]:
    """Everything a report needs, as plain data (strict JSON through :func:`orgsim.writes.strict_json`)."""
    return {"format": 1, "method": ex.method, "designs": ex.designs, "design_ids": ex.design_ids,
            "replications": ex.replications, "seed": ex.seed, "defaults_used": ex.defaults_used,
            "points": len(ex.samples), **{name: _records(getattr(ex, name)) for name in TABLES}}


def write_exploration(ex: Exploration, out: Path) -> None:
    """``out/NAME.csv`` for every table and ``out/exploration.json``."""
    for name in TABLES:
        table = getattr(ex, name)
        if name == "rules" and not table.empty:
            table = table.assign(box=[json.dumps(b) for b in table["box"]])
        write_atomic(out / f"{name}.csv", table.to_csv(index=False))
    write_atomic(out / "exploration.json", strict_json(exploration_json(ex)) + "\n")


def read_exploration(folder: Path) -> dict[str, Any]:
    """The JSON of an exploration folder (``orgsim explore --out``), for a report."""
    path = Path(folder) / "exploration.json"
    if not path.is_file():
        raise OrgsimError(f"--explore {folder}: holds no exploration.json; give the --out folder of orgsim explore")
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise OrgsimError(f"--explore {path}: cannot be read as an exploration ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != 1:
        raise OrgsimError(f"--explore {path}: is not an exploration of this orgsim version (format 1)")
    check_exploration(data, f"--explore {path}")  # the schema, and every metric id one this orgsim knows
    return data
