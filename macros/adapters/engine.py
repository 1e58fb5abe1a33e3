"""The workbook engine interface: one API over a workbook file and the workbook open in Excel.

As xlwings has one API over per-platform engines, kexie's use cases talk to a WorkbookEngine and
never to openpyxl, calamine or xlwings directly. ``FileEngine`` (file_engine.py) works on files
headless; ``XlwingsEngine`` (xlwings_engine.py) works on the open book, unsaved edits included.
The table-finding logic is shared (macros.core.grid); engines only move grids of values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping, Protocol, Sequence, runtime_checkable

from macros.core.grid import TableData, locate_table, read_settings_grid
from macros.schema import SETTINGS_SHEET, Table


class Formula(str):
    """A cell value that is an Excel formula. Plain strings are never written as formulas,
    even when they start with '=' (text typed into a form must stay text)."""


@dataclass(frozen=True)
class CellMark:
    """A validation mark on a cell: fill colour and a comment holding the message."""

    sheet: str
    cell: str
    message: str
    level: Literal["error", "warning"] = "error"


@dataclass
class Block:
    """A rectangular block of a report sheet: an optional title line, then rows.

    The first row is a header when ``header`` is true. Values may be Formula objects.
    ``formats`` maps a 0-based column index within the block to an Excel number format.
    """

    anchor: str  # top-left cell, e.g. "A1"
    rows: list[list[Any]]
    title: str | None = None
    header: bool = True
    formats: dict[int, str] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)


@dataclass
class ChartSpec:
    """A native Excel chart over ranges of a report sheet."""

    kind: Literal["bar", "col", "line", "pie"]
    title: str
    anchor: str  # where the chart's top-left corner goes
    categories: str  # range such as "A3:A40" on the same sheet
    series: list[tuple[str, str]]  # (series title, values range)
    width_cm: float = 16
    height_cm: float = 8
    y_title: str | None = None


@dataclass
class ReportSheet:
    name: str
    blocks: list[Block] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)


@runtime_checkable
class WorkbookEngine(Protocol):
    #: display name for messages (file name or book name)
    name: str
    #: where the workbook lives, when it is a file
    path: Path | None

    def sheet_names(self) -> list[str]: ...

    def read_grid(self, sheet: str) -> list[list[Any]]:
        """Raw values of a sheet as rows starting at A1 (values, never formulas)."""

    def read_table(self, table: Table) -> TableData: ...

    def read_settings(self) -> dict[str, Any]: ...

    def write_table(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """Replace the data rows of a table; row keys are schema keys or extra header names.
        Header, formats, validations and columns staff added are kept."""

    def write_report(self, report: ReportSheet) -> None:
        """Regenerate a product-owned free-layout sheet (统计) from blocks and charts."""

    def mark_cells(self, sheet: str, marks: Sequence[CellMark]) -> None:
        """Replace kexie's own marks on ``sheet`` with ``marks`` (earlier marks disappear)."""

    def progress(self, done: int, total: int, message: str = "") -> None: ...

    def save(self) -> None: ...


class GridReading:
    """Mixin: the read_table/read_settings every engine derives from read_grid."""

    def read_table(self, table: Table) -> TableData:
        if table.sheet not in self.sheet_names():  # type: ignore[attr-defined]
            return locate_table([], table)
        return locate_table(self.read_grid(table.sheet), table)  # type: ignore[attr-defined]

    def read_settings(self) -> dict[str, Any]:
        if SETTINGS_SHEET not in self.sheet_names():  # type: ignore[attr-defined]
            return {}
        return read_settings_grid(self.read_grid(SETTINGS_SHEET))  # type: ignore[attr-defined]
