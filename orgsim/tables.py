"""A company's own tables in: exports read as text (CSV, Parquet, Excel) and the files that map their columns.

Shared by the calibration (message and request logs, :mod:`orgsim.calibrate`)
and the roster (:mod:`orgsim.roster`), so that both read a file the same way,
number its rows the same way in errors, and take a column-mapping file of
the same shape::

    preset: helpdesk            # the caller's own keys, checked against what it allows
    requests: {department: "Team"}   # role -> the export's column

Every cell is read as text; the caller parses what it needs and reports a
bad cell by its row (:func:`row_number`) and column.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Mapping, MutableMapping
from pathlib import Path
from typing import Any

import pandas as pd
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from orgsim.errors import OrgsimError

__all__ = ["EXCEL", "PARQUET", "mapping_error", "override_roles", "read_mapping", "read_table", "row_number"]

PARQUET = (".parquet", ".pq")
EXCEL = (".xlsx", ".xlsm")


def row_number(path: str | Path, index: int, table: pd.DataFrame | None = None) -> int:
    """The row a reader finds ``index`` (0-based, header excluded) at: the line in CSV, the sheet row in Excel.

    Both count the header as row 1; Parquet has no header row, so its rows count from 1. Given the ``table``
    :func:`read_table` returned for a CSV, the row's own first line (blank lines and values spanning several
    lines counted), which is where an editor shows it.

    >>> row_number("people.csv", 0), row_number("people.xlsx", 0), row_number("log.parquet", 0)
    (2, 2, 1)
    """
    if table is not None and "lines" in table.attrs:
        return int(table.attrs["lines"][index])
    return index + 1 if Path(path).suffix.lower() in PARQUET else index + 2


def _record_lines(path: Path, sep: str, max_rows: int | None) -> list[int]:
    """The line each CSV record after the header starts on, skipping blank lines as pandas does.

    pandas numbers records, not lines: a quoted value over several lines (a note with a line break) or a
    blank line would put every later error on the wrong line.
    """
    starts: list[int] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=sep)
        last = 0
        for row in reader:
            if any(cell.strip() for cell in row):
                starts.append(last + 1)
            last = reader.line_num
            if max_rows is not None and len(starts) > max_rows:
                break
    return starts[1:]


def _with_lines(table: pd.DataFrame, path: Path, sep: str, max_rows: int | None) -> pd.DataFrame:
    try:
        lines = _record_lines(path, sep, max_rows)
    except csv.Error:  # pandas read it; keep the plain numbering rather than fail on a quirk of the csv module
        return table
    if len(lines) == len(table):  # otherwise the two readers disagree on the records: plain numbering
        table.attrs["lines"] = lines
    return table


def _excel(path: Path, sheet: str | None, max_rows: int | None) -> pd.DataFrame:
    try:
        import openpyxl  # noqa: F401  (pandas reads .xlsx through it)
    except ImportError:
        raise OrgsimError(f"{path}: reading Excel files needs openpyxl: pip install 'orgsim[xlsx]' (or save the "
                          "sheet as CSV)") from None
    try:
        table = pd.read_excel(path, sheet_name=sheet or 0, dtype=str, nrows=max_rows, engine="openpyxl")
    except ValueError as exc:
        if sheet is not None and "not found" in str(exc):
            raise OrgsimError(f"{path}: no sheet named {sheet!r}") from None
        raise
    return table.where(table.notna(), "")


def read_table(path: str | Path, *, sheet: str | None = None, max_rows: int | None = None) -> pd.DataFrame:
    """Every cell of a CSV, Parquet or Excel (``.xlsx``) file as text, empty cells as ``""``.

    ``max_rows`` stops reading after that many rows (a caller with a limit
    reads one more to tell that it was passed); ``sheet`` picks an Excel
    sheet (default: the first). A file that cannot be read is an
    :class:`~orgsim.errors.OrgsimError` of one line naming it.
    """
    path = Path(path)
    shown = str(path)
    if not path.is_file():
        raise OrgsimError(f"{shown}: no such file")
    suffix = path.suffix.lower()
    kind = "Parquet" if suffix in PARQUET else "Excel" if suffix in EXCEL else "CSV"
    try:
        if suffix in PARQUET:
            table = pd.read_parquet(path)
            table = table.head(max_rows) if max_rows is not None else table
            return table.astype(object).where(table.notna(), "").astype(str)
        if suffix in EXCEL:
            return _excel(path, sheet, max_rows)
        # utf-8-sig: a CSV saved by Excel starts with a byte-order mark that would otherwise stick to the first header
        sep = ","
        table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True, nrows=max_rows,
                            encoding="utf-8-sig")
        if len(table.columns) == 1 and ";" in str(table.columns[0]):  # a spreadsheet's export with ';' between cells
            sep = ";"
            table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True, nrows=max_rows,
                                encoding="utf-8-sig", sep=sep)
        return _with_lines(table, path, sep, max_rows)
    except UnicodeDecodeError as exc:
        raise OrgsimError(f"{shown}: not UTF-8 text (byte {exc.start})") from None
    except pd.errors.EmptyDataError:
        raise OrgsimError(f"{shown}: the file is empty: expected a header row and a row per item") from None
    except (pd.errors.ParserError, ValueError, OSError, KeyError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise OrgsimError(f"{shown}: cannot be read as {kind}: {first}") from None
    except Exception as exc:  # openpyxl's own errors for a file that is not a workbook (zipfile.BadZipFile ...)
        raise OrgsimError(f"{shown}: cannot be read as {kind}: {type(exc).__name__}: {exc}") from None


def mapping_error(file: str, key: str, message: str) -> OrgsimError:
    """A problem of a mapping file, as one line: ``file: key: message``."""
    return OrgsimError(f"{file}: {key}: {message}" if key else f"{file}: {message}")


def read_mapping(path: str | Path, allowed: Collection[str]) -> dict[str, Any]:
    """A mapping file's top level: a YAML mapping whose keys are all among ``allowed``."""
    shown = str(path)
    keys = ", ".join(allowed)
    try:
        data = YAML(typ="safe", pure=True).load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError) as exc:
        raise mapping_error(shown, "", f"cannot be read ({exc})") from None
    except YAMLError as exc:
        raise mapping_error(shown, "", f"not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise mapping_error(shown, "", f"expected a mapping with {keys}")
    unknown = sorted(set(map(str, data)) - set(allowed))
    if unknown:
        raise mapping_error(shown, unknown[0], f"unknown key; expected {keys}")
    return data


def override_roles(data: Mapping[str, Any], shown: str, kind: str, roles: Collection[str], required: Collection[str],
                   target: MutableMapping[str, str]) -> None:
    """Apply ``data[kind]`` (role -> column, or null to switch an optional role off) to ``target``."""
    over = data.get(kind) or {}
    if not isinstance(over, dict):
        raise mapping_error(shown, kind, f"expected a mapping of role -> column name ({', '.join(roles)})")
    for role, column in over.items():
        if role not in roles:
            raise mapping_error(shown, f"{kind}.{role}", f"unknown role; expected one of {', '.join(roles)}")
        if column is None:
            if role in required:
                raise mapping_error(shown, f"{kind}.{role}", "is required and cannot be switched off")
            target.pop(role, None)
        else:
            target[role] = str(column)
