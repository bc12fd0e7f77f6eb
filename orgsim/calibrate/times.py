"""Time stamps as exports write them: ISO 8601, the common export formats, or a stated ``strptime`` format.

Without a format, each value is tried as ISO 8601 (``2026-01-05 08:12``,
``...T08:12:00Z``, ``...+01:00``), then as the two other shapes exports write
without being asked: RFC 2822, the e-mail and RSS form (``Tue, 31 Oct 2017
22:10:47 +0000``), and the form of X's (Twitter's) API and its data exports
(``Tue Oct 31 22:10:47 +0000 2017``). Day-first and month-first numeric dates
(``08/01/2026``) are not guessed: the same text means two days; a mapping
file's ``time_format`` says which (``"%d/%m/%Y %H:%M"``), or ``epoch`` /
``epoch_ms`` for Unix seconds or milliseconds.

A time with an offset is read as written; one without is read in the
mapping's time zone. Times outside :data:`EARLIEST` .. :data:`LATEST` are
refused (``out of range``): no social inbox or ticket system predates 1970,
and a year like 9999 is a placeholder for "never", not a time.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pandas as pd

__all__ = ["EARLIEST", "EXPECTED", "LATEST", "parse_times"]

#: the range a logged time must fall in (see the module docstring)
EARLIEST, LATEST = pd.Timestamp("1970-01-01", tz="UTC"), pd.Timestamp("2200-01-01", tz="UTC")
#: what a bad time stamp is told it should have been (no format stated)
EXPECTED = "an ISO 8601 time like 2026-01-05T08:12:00Z (or RFC 2822, or X's 'Tue Oct 31 22:10:47 +0000 2017')"
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)
#: tried in this order on what ISO 8601 did not read
COMMON_FORMATS = ("%a, %d %b %Y %H:%M:%S %z", "%d %b %Y %H:%M:%S %z", "%a %b %d %H:%M:%S %z %Y")
_UNIT = "us"  # microseconds: pandas' nanoseconds end in 2262, and a bad year must be refused, not overflow


def _empty(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NaT, index=index, dtype=f"datetime64[{_UNIT}, UTC]")


def _localise(local: pd.Series, zone: ZoneInfo) -> pd.Series:
    return local.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")


def _iso(text: pd.Series, zone: ZoneInfo) -> pd.Series:
    out = _empty(text.index)
    aware = text.str.contains(_OFFSET)
    if aware.any():
        out[aware] = pd.to_datetime(text[aware], errors="coerce", utc=True, format="ISO8601").dt.as_unit(_UNIT)
    if (~aware).any():
        local = pd.to_datetime(text[~aware], errors="coerce", format="ISO8601").dt.as_unit(_UNIT)
        out[~aware] = _localise(local, zone)
    return out


def _with_format(text: pd.Series, fmt: str, zone: ZoneInfo) -> pd.Series:
    if fmt in ("epoch", "epoch_ms"):
        num = pd.to_numeric(text, errors="coerce")
        scale = 1.0 if fmt == "epoch" else 1e-3
        secs = num * scale
        ok = secs.between(EARLIEST.timestamp(), LATEST.timestamp())  # out of range: refused below, not overflowed
        out = _empty(text.index)
        out[ok] = pd.to_datetime(secs[ok], unit="s", utc=True).dt.as_unit(_UNIT)
        return out
    aware = "%z" in fmt or "%Z" in fmt
    parsed = pd.to_datetime(text, errors="coerce", format=fmt, utc=aware).dt.as_unit(_UNIT)
    return parsed if aware else _localise(parsed, zone)


def parse_times(values: pd.Series, zone: ZoneInfo, fmt: str | None = None) -> tuple[pd.Series, pd.Series]:
    """UTC times of ``values``, and which are out of range; unreadable ones are NaT (empty ones too).

    >>> t, far = parse_times(pd.Series(["Tue Oct 31 22:10:47 +0000 2017", "9999-12-31", "soon"]), ZoneInfo("UTC"))
    >>> [str(x) for x in t], far.tolist()
    (['2017-10-31 22:10:47+00:00', 'NaT', 'NaT'], [False, True, False])
    """
    text = values.astype(str).str.strip()
    filled = text != ""
    out = _empty(values.index)
    if filled.any():
        if fmt is not None:
            out[filled] = _with_format(text[filled], fmt, zone)
        else:
            out[filled] = _iso(text[filled], zone)
            for common in COMMON_FORMATS:
                todo = filled & out.isna()
                if not todo.any():
                    break
                out[todo] = pd.to_datetime(text[todo], errors="coerce", format=common, utc=True).dt.as_unit(_UNIT)
    far = out.notna() & ((out < EARLIEST) | (out >= LATEST))
    if fmt in ("epoch", "epoch_ms"):  # out of range never became a time: tell it apart from an unreadable value
        num = pd.to_numeric(text, errors="coerce") * (1.0 if fmt == "epoch" else 1e-3)
        far = far | (filled & num.notna() & out.isna())
    out[far] = pd.NaT
    return out, far
