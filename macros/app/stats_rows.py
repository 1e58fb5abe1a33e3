"""Rows of the 统计 sheet's tables by column key, with each table's formats and widths from the
schema: what every section of the sheet (macros.app.stats_sheet, macros.app.stats_pledges) uses,
so no section lists a table's columns by position."""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter

from macros.schema import Table

NO_VALUE = "—"  # shown where a ratio has no denominator (应报 0)


def row(table: Table, **values: Any) -> list[Any]:
    """One row of a 统计 table from values by column key, in the schema's column order (a key the
    table does not have is a programming error; a key not given is blank)."""
    unknown = set(values) - set(table.keys)
    if unknown:
        raise KeyError(f"{table.key} has no column {sorted(unknown)}")
    return [values.get(k) for k in table.keys]


def col(table: Table, key: str) -> str:
    """The sheet column letter of a table column (tables start in column A)."""
    return get_column_letter(table.keys.index(key) + 1)


def formats(table: Table) -> dict[int, str]:
    return {j: c.format for j, c in enumerate(table.columns) if c.format}


def widths(table: Table) -> dict[int, float]:
    return {j: c.width for j, c in enumerate(table.columns)}


def pct(value: float | None) -> Any:
    return NO_VALUE if value is None else value
