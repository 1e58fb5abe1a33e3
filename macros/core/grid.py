"""Find a schema table in a raw grid of cell values, by header name.

Pure: engines (openpyxl/calamine files, xlwings live books) hand over a grid — a list of rows
of raw cell values starting at A1 — and this module locates the header row and the columns.
It tolerates reordered columns, extra staff columns, blank rows and title rows above the header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Sequence

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from macros.core.settings_grid import (  # noqa: F401 - also this module's interface
    HEADER_SCAN_ROWS, header_key, is_blank, read_settings_grid, settings_rows,
)
from macros.schema import Table


@dataclass
class TableData:
    """A table read from a sheet: raw values by schema key, indexed by worksheet row number."""

    table: Table
    frame: pd.DataFrame  # columns: every schema key (None where missing) + extra headers
    letters: dict[str, str]  # schema key or extra header -> column letter
    header_row: int  # 1-based; 0 when the header was not found
    missing: list[str] = field(default_factory=list)  # schema keys absent from the header
    extra: list[str] = field(default_factory=list)  # headers not in the schema (staff columns)

    @property
    def found(self) -> bool:
        return self.header_row > 0

    def cell(self, key: str, row: int) -> str | None:
        letter = self.letters.get(key)
        return f"{letter}{row}" if letter else None

    def records(self) -> list[dict[str, Any]]:
        return self.frame.to_dict("records")


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
        empty = pd.DataFrame(columns=table.keys)
        return TableData(table, empty, {}, 0, missing=table.keys)

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
    records, index = [], []
    own_cols = [positions[k] for k in best if k not in blank_ignoring] or [positions[k] for k in best]
    for r in range(best_row + 1, len(grid)):
        row = grid[r]
        width = len(row)
        for i in own_cols:  # a blank row (in this table's own columns) is skipped unread
            if i < width and not is_blank(row[i]):
                break
        else:
            continue
        values = {k: (row[i] if i < width else None) for k, i in positions.items()}
        records.append({k: (None if is_blank(v) else v) for k, v in values.items()})
        index.append(r + 1)
    columns = table.keys + list(extra_pos)
    # One object block, blanks already None: no dtype inference, no NaN to undo.
    values = np.empty((len(records), len(columns)), dtype=object)
    for i, rec in enumerate(records):
        values[i, :] = [rec.get(c) for c in columns]
    frame = pd.DataFrame(values, columns=columns, index=pd.Index(index, name="row"), dtype=object)
    missing = [k for k in table.keys if k not in best]
    return TableData(table, frame, letters, best_row + 1, missing=missing, extra=list(extra_pos))


# --- frame → records ---------------------------------------------------------------------

def row_records(frame: pd.DataFrame | None) -> list[tuple[int | None, dict[str, Any]]]:
    """(worksheet row, {column: value or None when blank}) per row of ``frame``: the one
    frame → records converter of the use cases (tally, reports, forms, allocation, certificates).

    Built column by column (no ``to_dict("records")``): the values are those ``to_dict`` gives
    (numpy scalars of object columns boxed to Python ones), blanks (None, NaN, empty or
    whitespace text) turned into None."""
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
