"""The schema rules of one table: structure, required cells, types, vocabularies, unique keys."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Sequence

from openpyxl.utils import get_column_letter

from macros.core.grid import TableData
from macros.core.normalize import name_key
from macros.core.validate.common import _Sink
from macros.core.validate.context import ValidationContext
from macros.core.validate.judge import Verdict, _judge
from macros.problems import Problem, problem
from macros.schema import TEXT_TYPES, Column


def _unique_key(col: Column, typed: Any) -> Any:
    if typed is None:
        return None
    if isinstance(typed, str):
        return name_key(typed)
    if isinstance(typed, float) and typed.is_integer():
        return int(typed)
    return typed


def _next_letter(data: TableData) -> str:
    from openpyxl.utils import column_index_from_string

    used = [column_index_from_string(x) for x in data.letters.values()] or [0]
    return get_column_letter(max(used) + 1)


def _structure(data: TableData, sheet_names: Sequence[str] | None, out: list[Problem],
               sheet: str | None = None) -> bool:
    """Missing sheet / header / columns. Returns False when the table cannot be read at all."""
    table = data.table
    name = sheet or table.sheet
    if sheet_names is not None and name not in sheet_names:
        out.append(problem("E001", sheet=name, cell="A1", row=1))
        return False
    if not data.found:
        out.append(problem("E116", sheet=name, cell="A1", row=1, table=table.description or table.sheet,
                           headers="、".join(table.headers[:6]) + ("…" if len(table.headers) > 6 else "")))
        return False
    where = f"{_next_letter(data)}{data.header_row}"
    for key in data.missing:
        col = table.column(key)
        code = "E002" if col.required else "W101"
        out.append(problem(code, sheet=name, cell=where, row=data.header_row, column=col.header))
    return True


def validate_table(data: TableData, ctx: ValidationContext, *,
                   sheet_names: Sequence[str] | None = None, sheet: str | None = None,
                   typed_out: dict[str, list[Any]] | None = None) -> list[Problem]:
    """The schema rules of one table: required cells, types, vocabularies, unique keys.

    ``typed_out`` (optional) receives the typed values per column key, in frame row order, for
    the caller's cross-row rules (None where blank or unreadable).
    """
    out: list[Problem] = []
    data = _clean(data)
    if not _structure(data, sheet_names, out, sheet):
        return out
    sink = _Sink(data, sheet)
    rows = data.index
    columns = set(data.columns)
    for col in data.table.columns:
        if col.key not in data.letters or col.key not in columns:
            continue
        typed = _check_column(col, data.column(col.key), rows, ctx, sink)
        if typed_out is not None:
            typed_out[col.key] = typed
    return out + sink.items


def _clean(data: TableData) -> TableData:
    """Frames built by callers (not by the engines) may have typed columns holding NaN/NaT:
    make them object-typed with None for blanks, as the engines deliver them. (NaN in an object
    column is treated as blank wherever it is read.) Tables held as rows are as delivered."""
    if data._frame is None:
        return data
    frame = data.frame
    if all(dt == object for dt in frame.dtypes):
        return data
    clean = frame.astype(object).where(frame.notna(), None)
    return TableData(data.table, clean, data.letters, data.header_row, data.missing, data.extra)


def _plain_text(col: Column) -> bool:
    return col.type in TEXT_TYPES and not col.vocab and not col.multi


# Up to this many rows (a returned form has tens), a column of plain Python values is judged
# by a dict: numpy and pandas cost more to set up than the judging itself.
SMALL_COLUMN = 256
_NATIVE = frozenset({str, int, float, bool, date, datetime, time, type(None)})


def _check_column(col: Column, values: list[Any], rows: list[int], ctx: ValidationContext,
                  sink: _Sink) -> list[Any]:
    """Judge one column: each distinct value once, problems only where found.

    Returns the typed values in row order (None where blank or unreadable).
    """
    n = len(values)
    if n == 0:
        return []
    if n <= SMALL_COLUMN and all(v.__class__ in _NATIVE for v in values):
        return _check_small(col, values, rows, ctx, sink)
    import numpy as np  # a long column (a master's 征集明细): grouped by pandas.factorize

    array = np.empty(n, dtype=object)
    array[:] = values
    return _check_large(col, array, rows, ctx, sink)


def _check_small(col: Column, values: list[Any], rows: list[int], ctx: ValidationContext,
                 sink: _Sink) -> list[Any]:
    """``_check_large`` for a short column of Python values: the same verdicts, problems and
    order (pandas.factorize and a dict group values by the same equality and hash)."""
    plain = _plain_text(col)
    judged: dict[Any, tuple[Any, Verdict | None]] = {}  # value -> (typed, verdict); typed BLANK = blank
    typed: list[Any] = []
    missing: list[int] = []
    bad: list[int] = []
    for i, v in enumerate(values):
        if v is None or (v.__class__ is float and v != v):
            typed.append(None)
            missing.append(i)
            continue
        seen = judged.get(v)
        if seen is None:
            if v.__class__ is str and not v.strip():
                seen = (_BLANK, None)
            elif plain:
                seen = (v, None)
            else:
                verdict = _judge(col, v, ctx)
                seen = (verdict[0], verdict if verdict[1] is not None else None)
            judged[v] = seen
        if seen[0] is _BLANK:
            typed.append(None)
            missing.append(i)
            continue
        typed.append(seen[0])
        if seen[1] is not None:
            bad.append(i)
    if col.required:
        for i in missing:
            sink.add("E101", col.key, rows[i], None)
    for i in bad:
        _tv, code, sug, fields = judged[values[i]][1]  # type: ignore[misc]
        sink.add(code, col.key, rows[i], values[i], sug, **fields)
    if col.unique:
        first: dict[Any, int] = {}
        for i, t in enumerate(typed):  # blanks are None: no key
            k = _unique_key(col, t)
            if k is None:
                continue
            if k in first:
                sink.add("E108", col.key, rows[i], values[i], None, other_row=rows[first[k]])
            else:
                first[k] = i
    return typed


_BLANK = object()


def _check_large(col: Column, values, rows: list[int], ctx: ValidationContext,
                 sink: _Sink) -> list[Any]:
    """A column of any length (an object ndarray) judged through pandas.factorize (each
    distinct value once)."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    n_u = len(uniques)
    typed_u = np.empty(n_u + 1, dtype=object)  # the extra last slot is None: codes -1 index it
    blank_u = np.zeros(n_u, dtype=bool)
    bad_u = np.zeros(n_u, dtype=bool)
    verdicts: list[Verdict | None] = [None] * n_u
    plain = _plain_text(col)
    for j, u in enumerate(uniques):
        if isinstance(u, str) and not u.strip():
            blank_u[j] = True
            continue
        if plain:
            typed_u[j] = u
            continue
        v = _judge(col, u, ctx)
        verdicts[j] = v
        typed_u[j] = v[0]
        if v[1] is not None:
            bad_u[j] = True
    present = codes >= 0
    if blank_u.any():
        codes = np.where(present & blank_u[np.where(present, codes, 0)], -1, codes)
        present = codes >= 0
    safe = np.where(present, codes, 0)
    if col.required:
        for i in np.flatnonzero(~present):
            sink.add("E101", col.key, rows[i], None)
    if bad_u.any():
        for i in np.flatnonzero(present & bad_u[safe]):
            tv, code, sug, fields = verdicts[codes[i]]  # type: ignore[misc]
            sink.add(code, col.key, rows[i], values[i], sug, **fields)
    typed = typed_u[codes].tolist()
    if col.unique:
        ids: dict[Any, int] = {}
        kid_u = np.full(n_u + 1, -1, dtype=np.int64)
        for j in range(n_u):
            k = _unique_key(col, typed_u[j])
            if k is not None:
                kid_u[j] = ids.setdefault(k, len(ids))
        kid = kid_u[codes]
        if len(ids) < int((kid >= 0).sum()):  # some key occurs twice
            dup = pd.Series(kid).duplicated(keep="first").to_numpy() & (kid >= 0)
            _ks, first_idx = np.unique(kid, return_index=True)
            first_of = dict(zip(_ks.tolist(), first_idx.tolist()))
            for i in np.flatnonzero(dup):
                sink.add("E108", col.key, rows[i], values[i], None, other_row=rows[first_of[kid[i]]])
    return typed
