"""Find a schema table in a raw grid of cell values, by header name.

Pure: engines (openpyxl/calamine files, xlwings live books) hand over a grid — a list of rows
of raw cell values starting at A1 — and this module locates the header row and the columns.
It tolerates reordered columns, extra staff columns, blank rows and title rows above the header.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any, Mapping, Sequence

from openpyxl.utils import get_column_letter

from macros.core.settings_grid import (  # noqa: F401 - also this module's interface
    HEADER_SCAN_ROWS, header_key, is_blank, read_settings_grid, settings_rows,
)
from macros.schema import Table


class TableData:
    """A table read from a sheet: raw values by schema key, indexed by worksheet row number.

    Held as plain rows — ``index`` (worksheet rows), ``columns`` (every schema key, None where
    missing, then extra headers) and one list of values per row, blanks None — so reading,
    validating and consolidating never need pandas. ``frame`` is the same table as a pandas
    DataFrame (object columns, index named "row"), built on first use; from then on the frame
    is the table (a caller may change it in place), as it is for a table made from a frame.
    """

    def __init__(self, table: Table, frame: Any = None, letters: dict[str, str] | None = None,
                 header_row: int = 0, missing: Sequence[str] | None = None, extra: Sequence[str] | None = None,
                 *, index: Sequence[int] | None = None, columns: Sequence[str] | None = None,
                 values: list[list[Any]] | None = None):
        self.table = table
        self.letters = letters if letters is not None else {}  # schema key or extra header -> letter
        self.header_row = header_row  # 1-based; 0 when the header was not found
        self.missing = list(missing) if missing is not None else []  # schema keys absent from the header
        self.extra = list(extra) if extra is not None else []  # headers not in the schema (staff columns)
        self._frame = frame
        self._index = list(index) if index is not None else []
        self._columns = list(columns) if columns is not None else list(table.keys)
        self._values = values if values is not None else []
        self._at: dict[int, int] | None = None  # worksheet row -> position, built on first value()

    def __repr__(self) -> str:
        return f"TableData({self.table.key!r}, rows={self.n_rows}, header_row={self.header_row})"

    @property
    def found(self) -> bool:
        return self.header_row > 0

    def cell(self, key: str, row: int) -> str | None:
        letter = self.letters.get(key)
        return f"{letter}{row}" if letter else None

    # --- the rows, without pandas -------------------------------------------------------------
    @property
    def index(self) -> list[int]:
        return self._index if self._frame is None else self._frame.index.tolist()

    @property
    def columns(self) -> list[str]:
        return self._columns if self._frame is None else list(self._frame.columns)

    @property
    def n_rows(self) -> int:
        return len(self._index) if self._frame is None else len(self._frame)

    def has(self, key: str) -> bool:
        return key in self.columns

    def column(self, key: str) -> list[Any]:
        """The values of one column in row order (KeyError when the table has no such column)."""
        if self._frame is not None:
            return self._frame[key].tolist()
        j = self._columns.index(key) if key in self._columns else None
        if j is None:
            raise KeyError(key)
        return [row[j] for row in self._values]

    def value(self, row: int, key: str) -> Any:
        """The value at worksheet ``row`` in column ``key`` (``frame.at[row, key]``); KeyError
        when the table holds no such row or column."""
        if self._frame is not None:
            return self._frame.at[row, key]
        if self._at is None:
            self._at = {r: i for i, r in enumerate(self._index)}
        if key not in self._columns:
            raise KeyError(key)
        return self._values[self._at[row]][self._columns.index(key)]

    def rows(self) -> list[list[Any]]:
        """One list of values per row, in ``columns`` order."""
        if self._frame is not None:
            return self._frame.to_numpy(dtype=object).tolist()
        return self._values

    def records(self) -> list[dict[str, Any]]:
        if self._frame is not None:
            return self._frame.to_dict("records")
        cols = self._columns
        return [dict(zip(cols, row)) for row in self._values]

    def with_values(self, index: Sequence[int], columns: Sequence[str], values: list[list[Any]]) -> "TableData":
        """The same table (letters, header, missing and extra columns) holding other rows."""
        return TableData(self.table, None, self.letters, self.header_row, self.missing, self.extra,
                         index=index, columns=columns, values=values)

    def with_cells(self, changes: Mapping[tuple[int, str], Any]) -> "TableData":
        """A copy with the values at (worksheet row, column) in ``changes`` replaced (cells of
        rows or columns the table does not hold are ignored); this table is not changed."""
        index, columns = self.index, self.columns
        at_row = {r: i for i, r in enumerate(index)}
        at_col = {c: j for j, c in enumerate(columns)}
        values = [list(r) for r in self.rows()]
        for (row, key), value in changes.items():
            i, j = at_row.get(row), at_col.get(key)
            if i is not None and j is not None:
                values[i][j] = value
        return self.with_values(index, columns, values)

    # --- the same as a pandas DataFrame ---------------------------------------------------------
    @property
    def frame(self):
        if self._frame is None:
            self._frame = _as_frame(self._index, self._columns, self._values)
            self._index, self._columns, self._values = [], [], []
        return self._frame

    @frame.setter
    def frame(self, frame) -> None:
        self._frame = frame


def _as_frame(index: Sequence[int], columns: Sequence[str], values: list[list[Any]]):
    """One object block, blanks already None: no dtype inference, no NaN to undo."""
    import numpy as np
    import pandas as pd

    block = np.empty((len(values), len(columns)), dtype=object)
    for i, row in enumerate(values):
        block[i, :] = row
    return pd.DataFrame(block, columns=list(columns), index=pd.Index(list(index), name="row"), dtype=object)


@lru_cache(maxsize=8192)
def _text_key(value: str) -> str:
    return header_key(value)


@lru_cache(maxsize=256)
def _wanted(table: Table) -> dict[str, str]:
    return {header_key(c.header): c.key for c in table.columns}


def _header_positions(row: Sequence[Any], table: Table) -> dict[str, int]:
    wanted = _wanted(table)
    found: dict[str, int] = {}
    for idx, value in enumerate(row):
        if value is None or value == "":
            continue
        if type(value) is str:
            if len(value) > 64:  # data, not a header (schema headers are a few characters)
                continue
            key = wanted.get(_text_key(value))
        else:
            key = wanted.get(header_key(value))
        if key and key not in found:
            found[key] = idx
    return found


def locate_table(grid: Sequence[Sequence[Any]], table: Table, blank_ignoring: Sequence[str] = ()) -> TableData:
    """Locate ``table`` in ``grid`` and return its rows as raw values.

    The header row is the row (among the first HEADER_SCAN_ROWS) matching most of the table's
    headers; ties go to the first. When two tables share a sheet (考核规则), each takes only its
    own columns, which is why extra headers are only collected right of the table's columns and
    up to the next blank header cell.

    A row blank in every one of the table's own columns is skipped; ``blank_ignoring`` names
    columns that do not count for that (a formula column such as 字数 shows "" or 0 in every
    row), unless no other column was found.
    """
    best_row, best = -1, {}
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        pos = _header_positions(row, table)
        if len(pos) > len(best):
            best_row, best = r, pos
            if len(best) == len(table.columns):  # every header: no later row can match more
                break
    if not best or len(best) < max(1, min(2, len(table.columns))):
        return TableData(table, None, {}, 0, missing=table.keys)

    header = list(grid[best_row])
    own = set(best.values())
    # Extra staff columns: contiguous non-empty header cells next to the table's span.
    lo, hi = min(own), max(own)
    extra_pos: dict[str, int] = {}
    other_headers = set()  # headers belonging to other schema tables on the same sheet
    from macros.schema import tables_on

    for t in tables_on(table.sheet):
        if t.key != table.key:
            other_headers |= {header_key(c.header) for c in t.columns}
    for idx in list(range(hi + 1, len(header))):
        h = header[idx]
        if is_blank(h) or header_key(h) in other_headers:
            break
        if idx not in own:
            extra_pos[str(h).strip()] = idx
    for idx in range(lo + 1, hi):
        h = header[idx]
        if idx not in own and not is_blank(h) and header_key(h) not in other_headers:
            extra_pos[str(h).strip()] = idx

    positions = {**best, **extra_pos}
    letters = {k: get_column_letter(i + 1) for k, i in positions.items()}
    columns = table.keys + list(extra_pos)
    at = [positions.get(c) for c in columns]
    rows, index = [], []
    own_cols = [positions[k] for k in best if k not in blank_ignoring] or [positions[k] for k in best]
    for r in range(best_row + 1, len(grid)):
        row = grid[r]
        width = len(row)
        for i in own_cols:  # a blank row (in this table's own columns) is skipped unread
            if i < width and not is_blank(row[i]):
                break
        else:
            continue
        values = [None if i is None or i >= width or is_blank(row[i]) else row[i] for i in at]
        rows.append(values)
        index.append(r + 1)
    missing = [k for k in table.keys if k not in best]
    return TableData(table, None, letters, best_row + 1, missing=missing, extra=list(extra_pos),
                     index=index, columns=columns, values=rows)


# --- frame → records ---------------------------------------------------------------------

def row_records(frame: Any) -> list[tuple[int | None, dict[str, Any]]]:
    """(worksheet row, {column: value or None when blank}) per row of ``frame`` (a TableData
    or a pandas DataFrame): the one table → records converter of the use cases (tally, reports,
    forms, allocation, certificates).

    Built column by column (no ``to_dict("records")``): the values are those ``to_dict`` gives
    (numpy scalars of object columns boxed to Python ones), blanks (None, NaN, empty or
    whitespace text) turned into None."""
    if isinstance(frame, TableData):
        if frame._frame is None:
            if not frame.n_rows:
                return []
            columns = frame.columns
            lists = [_clean_objects(list(col)) for col in zip(*frame.rows())]
            rows = [int(r) if isinstance(r, (int, float)) else None for r in frame.index]
            return [(row, dict(zip(columns, values))) for row, values in zip(rows, zip(*lists))]
        frame = frame.frame
    if frame is None or len(frame) == 0:
        return []
    columns = frame.columns.tolist()
    lists = []
    for j in range(len(columns)):
        series = frame.iloc[:, j]
        if series.dtype == object:
            lists.append(_clean_objects(series.tolist()))
        else:  # iterated as to_dict does (Python scalars, Timestamps)
            lists.append([None if _blank_cell(v) else v for v in series])
    rows = [int(r) if isinstance(r, (int, float)) else None for r in frame.index.tolist()]
    return [(row, dict(zip(columns, values))) for row, values in zip(rows, zip(*lists))]


_NATIVE = frozenset({str, int, float, bool, date, datetime, type(None)})


def _clean_objects(values: list[Any]) -> list[Any]:
    """``values`` of an object column with blanks as None and numpy scalars boxed to Python
    ones (as ``pandas.core.dtypes.cast.maybe_box_native`` does for ``to_dict``)."""
    out = []
    append = out.append
    for v in values:
        c = v.__class__
        if c is str:
            append(v if v.strip() else None)
        elif v is None:
            append(None)
        elif c is float:
            append(None if v != v else v)
        else:
            if c not in _NATIVE:
                v = _box_native(v)
            append(None if _blank_cell(v) else v)
    return out


def _box_native(v: Any) -> Any:
    from pandas.core.dtypes.cast import maybe_box_native

    return maybe_box_native(v)


def _blank_cell(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())
