"""Coercion of a cell to a column type (the type names of ``schema.Column.type``)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

from macros.core.normalize.contact import normalize_email, normalize_phone, parse_yesno
from macros.core.normalize.dates import parse_date, parse_datetime
from macros.core.normalize.numeric import parse_int, parse_number, parse_quantity
from macros.core.normalize.text import _display, nfkc
from macros.schema import COLUMN_TYPES


@dataclass(frozen=True, slots=True)
class Coerced:
    """A cell read as a column type.

    ``value`` is the typed value (the raw value when ``ok`` is false); ``ok`` says whether the
    raw value can be read as the type; ``changed`` says whether the typed value differs from
    what the person typed (``" 2010年10月20日"`` read as a date is ``changed``; a date cell is
    not), so callers can offer the normalised form as a suggestion.
    """

    value: Any
    ok: bool
    changed: bool


COERCE_TYPES = COLUMN_TYPES

_BLANK = Coerced(None, True, False)


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _is_num(raw: Any) -> bool:
    return isinstance(raw, (int, float)) and not isinstance(raw, bool)


def coerce(type_name: str, raw: Any, *, default_year: int | None = None) -> Coerced:
    """Read ``raw`` as ``type_name``; blank (``None``, ``""``, whitespace) → ``Coerced(None, True,
    False)``.

    Types: ``text`` (NFKC, stripped), ``longtext`` (``str`` and strip only — staff prose is kept
    as typed), ``int``, ``number``, ``quantity`` (value: the number, unit dropped), ``date``,
    ``datetime``, ``phone``, ``email``, ``yesno`` (``"是"``/``"否"``). An unknown type name is
    read as ``text``. Never raises.
    """
    if _is_blank(raw):
        return _BLANK
    try:
        return _COERCERS.get(type_name, _coerce_text)(raw, default_year)
    except Exception:  # pragma: no cover - defensive: a cell never stops validation
        return Coerced(raw, False, False)


def _coerce_text(raw: Any, _y: Any) -> Coerced:
    v = nfkc(raw)
    return Coerced(v, True, v != _display(raw))


def _coerce_longtext(raw: Any, _y: Any) -> Coerced:
    d = _display(raw)
    v = d.strip()
    return Coerced(v, True, v != d)


def _coerce_int(raw: Any, _y: Any) -> Coerced:
    v = parse_int(raw)
    if v is None:
        return Coerced(raw, False, False)
    return Coerced(v, True, not (_is_num(raw) and raw == v))


def _coerce_number(raw: Any, _y: Any) -> Coerced:
    v = parse_number(raw)
    if v is None:
        return Coerced(raw, False, False)
    return Coerced(v, True, not (_is_num(raw) and raw == v))


def _coerce_quantity(raw: Any, _y: Any) -> Coerced:
    v, _unit = parse_quantity(raw)
    if v is None:
        return Coerced(raw, False, False)
    return Coerced(v, True, not (_is_num(raw) and raw == v))


def _coerce_date(raw: Any, y: Any) -> Coerced:
    v = parse_date(raw, y)
    if v is None:
        return Coerced(raw, False, False)
    if isinstance(raw, _dt.datetime):
        changed = raw.time() != _dt.time()
    else:
        changed = not isinstance(raw, _dt.date)
    return Coerced(v, True, changed)


def _coerce_datetime(raw: Any, y: Any) -> Coerced:
    v = parse_datetime(raw, y)
    if v is None:
        return Coerced(raw, False, False)
    return Coerced(v, True, not isinstance(raw, _dt.datetime))


def _coerce_phone(raw: Any, _y: Any) -> Coerced:
    v = normalize_phone(raw)
    if v is None:
        return Coerced(raw, False, False)
    return Coerced(v, True, v != _display(raw))


def _coerce_email(raw: Any, _y: Any) -> Coerced:
    v = normalize_email(raw)
    if v is None:
        return Coerced(raw, False, False)
    return Coerced(v, True, v != raw)


def _coerce_yesno(raw: Any, _y: Any) -> Coerced:
    v = parse_yesno(raw)
    if v is None:
        return Coerced(raw, False, False)
    return Coerced(v, True, v != raw)


_COERCERS = {
    "text": _coerce_text,
    "longtext": _coerce_longtext,
    "int": _coerce_int,
    "number": _coerce_number,
    "quantity": _coerce_quantity,
    "date": _coerce_date,
    "datetime": _coerce_datetime,
    "phone": _coerce_phone,
    "email": _coerce_email,
    "yesno": _coerce_yesno,
}
