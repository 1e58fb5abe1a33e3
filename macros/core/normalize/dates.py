"""Dates as offices write them, Excel serial numbers, the campaign year for dates without one."""

from __future__ import annotations

import datetime as _dt
import math
import re
from functools import lru_cache
from numbers import Real
from typing import Any

from macros.core.normalize.numeric import _cn_int, _prep
from macros.core.normalize.text import _display


_EXCEL_EPOCH = _dt.date(1899, 12, 30)
_SERIAL_MIN = 7306  # 1920-01-01
_SERIAL_MAX = 109573  # 2199-12-31
_YEAR_MIN, _YEAR_MAX = 1900, 2199

_TIME_TAIL_RE = re.compile(
    r"(?:[ T]+|(?<=[日号]))(?P<h>\d{1,2})(?::|时|點|点)(?P<mi>\d{1,2})(?:(?::|分)(?P<s>\d{1,2}(?:\.\d+)?)秒?|分)?$"
)
_WEEKDAY_TAIL_RE = re.compile(r"\s*[(（]?\s*(?:星期|周|礼拜|禮拜)[一二三四五六日天七]\s*[)）]?$")
_YMD_SEP_RE = re.compile(r"(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})")
_CN_D = "〇零○一二三四五六七八九十两"
_YMD_CN_RE = re.compile(
    r"(?:(?P<y>[\d〇零○一二三四五六七八九]{4})\s*年)?\s*"
    r"(?P<m>\d{1,2}|[%s]{1,3})\s*月\s*(?P<d>\d{1,2}|[%s]{1,3})\s*(?:日|号|號)?" % (_CN_D, _CN_D)
)


def _mkdate(y: int, m: int, d: int) -> _dt.date | None:
    if not (_YEAR_MIN <= y <= _YEAR_MAX):
        return None
    try:
        return _dt.date(y, m, d)
    except ValueError:
        return None


def _serial_to_datetime(v: float) -> _dt.datetime | None:
    if not (_SERIAL_MIN <= v < _SERIAL_MAX + 1):
        return None
    days = math.floor(v)
    secs = round((v - days) * 86400)
    if secs >= 86400:
        days, secs = days + 1, 0
    base = _dt.datetime.combine(_EXCEL_EPOCH, _dt.time()) + _dt.timedelta(days=days, seconds=secs)
    return base if base.year <= _YEAR_MAX else None


def _cn_small(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    return _cn_int(s)


def _date_from_str(s: str, default_year: int | None) -> tuple[_dt.date, _dt.time | None] | None:
    s = _WEEKDAY_TAIL_RE.sub("", s).strip()
    t: _dt.time | None = None
    m = _TIME_TAIL_RE.search(s)
    if m:
        try:
            sec = float(m.group("s") or 0)
            t = _dt.time(int(m.group("h")), int(m.group("mi")), int(sec))
        except ValueError:
            return None
        s = s[: m.start()].strip()
    if not s:
        return None
    m = _YMD_SEP_RE.fullmatch(s)
    if m:
        d = _mkdate(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return (d, t) if d else None
    if s.isdigit() and s.isascii():
        if len(s) == 8:
            d = _mkdate(int(s[:4]), int(s[4:6]), int(s[6:]))
            return (d, t) if d else None
        if len(s) == 5 and t is None:
            dt = _serial_to_datetime(int(s))
            return (dt.date(), None) if dt else None
        return None
    m = _YMD_CN_RE.fullmatch(s)
    if m:
        ys, ms, ds = m.group("y"), m.group("m"), m.group("d")
        if ys is None:
            if default_year is None:
                return None
            y: int | None = int(default_year)
        else:
            y = int(ys) if ys.isdigit() else _cn_int(ys)
        mo, da = _cn_small(ms), _cn_small(ds)
        if y is None or mo is None or da is None:
            return None
        d = _mkdate(y, mo, da)
        return (d, t) if d else None
    return None


@lru_cache(maxsize=32768)
def _date_cached(raw: str, default_year: int | None):
    try:
        return _date_from_str(_prep(raw), default_year)
    except Exception:  # pragma: no cover - defensive
        return None


def _date_parts(value: Any, default_year: int | None):
    """(date, time | None) or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, _dt.datetime):
        return value.date(), value.time()
    if isinstance(value, _dt.date):
        return value, None
    if isinstance(value, Real) and not isinstance(value, str):
        try:
            v = float(value)
        except (TypeError, ValueError, OverflowError):
            return None
        if not math.isfinite(v):
            return None
        if v.is_integer() and 19000101 <= v <= 21991231:
            iv = int(v)
            d = _mkdate(iv // 10000, iv // 100 % 100, iv % 100)
            return (d, None) if d else None
        dt = _serial_to_datetime(v)
        if dt is None:
            return None
        return dt.date(), (dt.time() if not v.is_integer() else None)
    if isinstance(value, (_dt.time, _dt.timedelta)):
        return None
    if default_year is not None:
        try:
            default_year = int(default_year)
        except (TypeError, ValueError):
            default_year = None
    return _date_cached(_display(value), default_year)


def parse_date(value: Any, default_year: int | None = None) -> _dt.date | None:
    """A date, or ``None``.

    Accepts ``date``/``datetime`` objects; Excel serial numbers of the 1900 date system in a
    plausible range (1920–2199: ``40471`` → 2010-10-20); ``20101020`` as number or text; and
    text such as ``2010年10月20日``, ``2010年10月20号``, ``10月20日`` (year from
    ``default_year``, ``None`` without it), ``2010.10.20``, ``2010-10-20``, ``2010/10/20``,
    ``2010-10-20 00:00:00``, full-width digits, ``二〇一〇年十月二十日``, ``二零一零年十月二十日``,
    optionally followed by a weekday ``(星期三)``. Impossible dates (2010-02-30) → ``None``.
    """
    parts = _date_parts(value, default_year)
    return parts[0] if parts else None


def parse_datetime(value: Any, default_year: int | None = None) -> _dt.datetime | None:
    """Like :func:`parse_date` but keeps the time of day (midnight when none is given)."""
    parts = _date_parts(value, default_year)
    if not parts:
        return None
    d, t = parts
    return _dt.datetime.combine(d, t or _dt.time())
