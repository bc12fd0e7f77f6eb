"""Reading one exported log into text columns, each row with the line it came from.

A log is refused before it is read when it is larger than the limits (so a
1 GB export is one error line, not a machine out of memory), when it is empty
or has only a header, or when a line holds more fields than the header; a
line with fewer fields (an export cut mid-line) is kept as a row and marked,
so the checks count it as unusable at its line. Lines are those of the file:
a quoted value spanning several lines (a post's text) moves the next row's
line down, and blank lines are skipped, as a reader of the file counts them.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from orgsim.errors import OrgsimError
from orgsim.scenario.limits import HOW

__all__ = ["MAX_LOG_BYTES", "MAX_LOG_CELLS", "Table", "read_table", "size_text"]

#: a CSV log larger than this is refused before reading, unless ``--allow-large``: reading costs about
#: 10 bytes of memory per byte of CSV (measured: a 38 MB, 518,040-row message log peaked at 519 MB in
#: ``orgsim calibrate``), so 200 MB needs about 2 GB, what a laptop can spare
MAX_LOG_BYTES = 200_000_000
#: rows x columns over all logs of one command, for the same reason (measured: about 120 bytes of memory a
#: value, 3.1 million values in the run above); Parquet is compressed, so it is held to this, not to its bytes
MAX_LOG_CELLS = 20_000_000
_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_EOF = re.compile(r"EOF inside string starting at row (\d+)")


@dataclass
class Table:
    """One file's rows as text (missing trailing fields as ``""``), and where each row is."""

    file: str
    frame: pd.DataFrame
    #: the line of each row in a CSV file (header = line 1), its 1-based row in Parquet
    lines: np.ndarray
    #: rows with fewer fields than the header (a line cut short)
    short: np.ndarray

    @property
    def cells(self) -> int:
        return int(self.frame.shape[0] * self.frame.shape[1])


def size_text(n: float) -> str:
    """Bytes as a reader says them: ``812 bytes``, ``65 KB``, ``200 MB``, ``1.2 GB``."""
    if n < 1000:
        return f"{n:.0f} bytes"
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB" if n >= 1e6 else f"{n / 1e3:.0f} KB"


def _parquet(path: Path, allow_large: bool) -> Table:
    import pyarrow.parquet as pq

    meta = pq.read_metadata(path)
    if not allow_large and meta.num_rows * meta.num_columns > MAX_LOG_CELLS:
        raise OrgsimError(f"{path}: {meta.num_rows:,} rows x {meta.num_columns} columns; logs are limited to "
                          f"{MAX_LOG_CELLS:,} values (about 2.4 GB of memory to read); {HOW}")
    table = pd.read_parquet(path)
    frame = table.astype(object).where(table.notna(), "").astype(str)
    n = len(frame)
    return Table(str(path), frame, np.arange(1, n + 1), np.zeros(n, bool))


def _records(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The line each CSV record after the header starts on, and its number of fields (0: a blank line).

    pandas fills a missing trailing field with an empty value, as it does a
    value left empty, so a line cut short is only seen by counting.
    """
    starts, fields = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        last = 0
        for row in reader:
            starts.append(last + 1)
            fields.append(len(row))
            last = reader.line_num
    return np.asarray(starts[1:], dtype=np.int64), np.asarray(fields[1:], dtype=np.int64)


def _csv(path: Path, allow_large: bool) -> Table:
    size = path.stat().st_size
    if not allow_large and size > MAX_LOG_BYTES:
        raise OrgsimError(f"{path}: {size_text(size)}; a CSV log is limited to {size_text(MAX_LOG_BYTES)} (about 2 GB of memory "
                          f"to read; split it by period, or) {HOW}")
    if size == 0:
        raise OrgsimError(f"{path}:1: empty file: expected a header line and one row per item")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True, skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise OrgsimError(f"{path}:1: empty file: expected a header line and one row per item") from None
    except pd.errors.ParserError as exc:
        text = str(exc)
        if m := _FIELDS.search(text):
            raise OrgsimError(f"{path}:{m[2]}: {m[3]} fields; expected {m[1]}, as in the header "
                              "(a separator inside a value needs quotes)") from None
        if m := _EOF.search(text):
            raise OrgsimError(f"{path}: a quoted value opened in row {m[1]} never closes (the file is cut short?)") from None
        raise OrgsimError(f"{path}: cannot be read as CSV: {text.splitlines()[0]}") from None
    try:
        lines, fields = _records(path)
    except csv.Error as exc:
        raise OrgsimError(f"{path}: cannot be read as CSV: {exc}") from None
    if len(lines) != len(frame):  # the two readers disagree on the records (a stray quote): count plainly
        lines, fields = np.arange(2, len(frame) + 2), np.full(len(frame), frame.shape[1])
    blank = fields == 0
    short = (fields < frame.shape[1]) & ~blank
    frame = frame.fillna("")[~blank].reset_index(drop=True)
    return Table(str(path), frame, lines[~blank], short[~blank])


def read_table(path: Path, allow_large: bool = False) -> Table:
    """One CSV, Parquet or XES log as text columns; one error line for a file that cannot be one."""
    from orgsim.calibrate.xes import is_xes, read_xes

    shown = str(path)
    if not path.is_file():
        raise OrgsimError(f"{shown}: no such file" if not path.exists() else f"{shown}: not a regular file")
    if is_xes(path):
        return read_xes(path, allow_large)
    parquet = path.suffix.lower() in (".parquet", ".pq")
    try:
        table = _parquet(path, allow_large) if parquet else _csv(path, allow_large)
    except UnicodeDecodeError as exc:
        raise OrgsimError(f"{shown}: not UTF-8 text (byte {exc.start})") from None
    except (ValueError, OSError) as exc:
        raise OrgsimError(f"{shown}: cannot be read as {'Parquet' if parquet else 'CSV'}: "
                          f"{str(exc).splitlines()[0]}") from None
    if len(table.frame) == 0:
        raise OrgsimError(f"{shown}:2: no rows after the header: expected one row per item")
    return table
