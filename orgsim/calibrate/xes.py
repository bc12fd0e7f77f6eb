"""XES event logs (IEEE 1849), read as a stream: one row per event, its trace's attributes beside it.

XES is XML: a ``<log>`` of ``<trace>`` elements (a case), each with its own
attributes and its ``<event>`` elements, every attribute a typed element
``<string|date|int|float|boolean|id key="..." value="..."/>``. A row holds
the event's attributes under their keys (``concept:name``,
``time:timestamp``, ``org:group`` ...) and the trace's under ``case:KEY``
(``case:concept:name`` is the case id), the names process-mining tools give
a log written as CSV, so the ``xes`` preset reads it. Nested attributes
(lists, containers) and the log's own attributes and ``<global>`` defaults
are not read. Each row's line is the line of its ``<event>``.

The reader is the standard library's expat parser, fed in blocks: memory
grows with the rows kept, not the file, and expat (2.4.1 and later, as
Python 3.11 ships it) refuses the entity-expansion attacks ("billion
laughs") and never fetches external entities. A ``.xes.gz`` file is
decompressed as it is read, and held to the same byte limit as a CSV log
(uncompressed), so a small archive cannot unpack into gigabytes.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import BinaryIO, cast
from xml.parsers import expat

import numpy as np
import pandas as pd

from orgsim.calibrate.table import MAX_LOG_BYTES, MAX_LOG_CELLS, Table, size_text
from orgsim.errors import OrgsimError
from orgsim.scenario.limits import HOW

__all__ = ["is_xes", "read_xes"]

_TYPES = frozenset({"string", "date", "int", "float", "boolean", "id"})
_BLOCK = 1 << 20


def is_xes(path: Path) -> bool:
    """Whether ``path`` is named as an XES log (``.xes``, ``.xes.gz``)."""
    name = path.name.lower()
    return name.endswith(".xes") or name.endswith(".xes.gz")


class _Reader:
    """Expat handlers that collect one row per event."""

    def __init__(self, path: Path, allow_large: bool) -> None:
        self.path, self.allow_large = path, allow_large
        self.rows: list[dict[str, str]] = []
        self.lines: list[int] = []
        self.trace: dict[str, str] | None = None
        self.event: dict[str, str] | None = None
        self.depth = 0  # of attribute elements inside the current trace or event (nested ones are skipped)
        self.cells = 0
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = name.rsplit(":", 1)[-1]
        if tag == "trace" and self.trace is None:
            self.trace = {}
        elif tag == "event" and self.trace is not None and self.event is None and self.depth == 0:
            self.event = {}
            self.lines.append(self.parser.CurrentLineNumber)
        elif tag in _TYPES or tag in ("list", "container", "values"):
            if self.depth == 0 and tag in _TYPES and "key" in attrs:
                target = self.event if self.event is not None else self.trace
                if target is not None:
                    key = attrs["key"] if self.event is not None else f"case:{attrs['key']}"
                    target[key] = attrs.get("value", "")
            self.depth += 1

    def end(self, name: str) -> None:
        tag = name.rsplit(":", 1)[-1]
        if tag in _TYPES or tag in ("list", "container", "values"):
            self.depth = max(self.depth - 1, 0)
        elif tag == "event" and self.event is not None and self.trace is not None:
            row = {**self.trace, **self.event}
            self.rows.append(row)
            self.cells += len(row)
            if self.cells > MAX_LOG_CELLS and not self.allow_large:
                raise OrgsimError(f"{self.path}:{self.parser.CurrentLineNumber}: more than {MAX_LOG_CELLS:,} values; "
                                  f"logs are limited to that (about 2.4 GB of memory to read); {HOW}")
            self.event = None
        elif tag == "trace":
            self.trace = None

    def feed(self, handle: BinaryIO) -> None:
        read = 0
        while block := handle.read(_BLOCK):
            read += len(block)
            if read > MAX_LOG_BYTES and not self.allow_large:
                raise OrgsimError(f"{self.path}: more than {size_text(MAX_LOG_BYTES)} of XES; a log is limited to that "
                                  f"(about 2 GB of memory to read); {HOW}")
            self.parser.Parse(block, False)
        self.parser.Parse(b"", True)


def read_xes(path: Path, allow_large: bool = False) -> Table:
    """One XES (or gzipped XES) file as a table of text; one positioned error line for a broken file."""
    reader = _Reader(path, allow_large)
    gz = path.name.lower().endswith(".gz")
    if not gz and path.stat().st_size > MAX_LOG_BYTES and not allow_large:
        raise OrgsimError(f"{path}: {size_text(path.stat().st_size)}; a log is limited to {size_text(MAX_LOG_BYTES)} "
                          f"(about 2 GB of memory to read); {HOW}")
    try:
        with (gzip.open(path, "rb") if gz else open(path, "rb")) as handle:
            reader.feed(cast(BinaryIO, handle))
    except expat.ExpatError as exc:
        raise OrgsimError(f"{path}:{exc.lineno}:{exc.offset + 1}: not valid XES (XML): "
                          f"{expat.ErrorString(exc.code)}") from None
    except (OSError, EOFError) as exc:  # a gzip file cut short or not gzip at all
        raise OrgsimError(f"{path}: cannot be read as {'gzipped ' if gz else ''}XES: {exc}") from None
    if not reader.rows:
        raise OrgsimError(f"{path}: no <event> inside a <trace>: expected an XES event log")
    frame = pd.DataFrame(reader.rows).fillna("").astype(str)
    return Table(str(path), frame, np.asarray(reader.lines, dtype=np.int64), np.zeros(len(frame), bool))
