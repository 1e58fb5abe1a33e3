"""WorkbookEngine over a workbook file: calamine reads, openpyxl writes, safe_write saves.

Reads always come from the file on disk through python-calamine (fast, values only — the cached
result of a formula, never the formula). Writes go to an openpyxl workbook loaded on the first
write; ``save`` hands it to ``safe_write.save_workbook`` (lock files, lock, backup, atomic replace).
A read after a write in the same session sees the file as it was on disk.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping, Sequence

from macros.adapters.engine import (
    Block, CellMark, ChartSpec, Formula, GridReading, ReportSheet, WorkbookEngine,
)
from macros.errors import ConfigError
from macros.schema import Table

MARK_AUTHOR = "kexie"
MARK_FILLS = {"error": "FFFFC7CE", "warning": "FFFFEB9C"}
# openpyxl refuses these control characters in cell text (they are illegal in XML).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
EXCEL_MAX_CELL = 32767


def cell_text(value: str) -> str:
    """Text that openpyxl can store and Excel can open: no XML-illegal characters, capped length."""
    value = _ILLEGAL.sub("", value)
    return value[:EXCEL_MAX_CELL]


def set_cell(cell, value: Any, number_format: str | None = None) -> None:
    """Write one value; plain strings stay text even when they start with '='."""
    if isinstance(value, Formula):
        cell.value = str(value)
    elif isinstance(value, str):
        cell.value = cell_text(value)
        cell.data_type = "s"  # never a formula, whatever the first character
    else:
        cell.value = value
    if number_format and not isinstance(value, str):
        cell.number_format = number_format


class FileEngine(GridReading):
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.name = self.path.name
        if not self.path.exists():
            raise ConfigError(f"找不到工作簿：{self.path}")
        self._calamine = None
        self._grids: dict[str, list[list[Any]]] = {}
        self._wb = None  # openpyxl workbook, loaded on first write
        self.regenerated: set[str] = set()  # product sheets rewritten in this session

    # --- reading -----------------------------------------------------------------------
    def _book(self):
        if self._calamine is None:
            from python_calamine import CalamineWorkbook

            try:
                self._calamine = CalamineWorkbook.from_path(str(self.path))
            except Exception as exc:  # calamine raises its own error types
                raise ConfigError(f"无法读取工作簿“{self.name}”：{exc}") from exc
        return self._calamine

    def sheet_names(self) -> list[str]:
        return list(self._book().sheet_names)

    def read_grid(self, sheet: str) -> list[list[Any]]:
        if sheet not in self._grids:
            ws = self._book().get_sheet_by_name(sheet)
            self._grids[sheet] = ws.to_python(skip_empty_area=False)
        return self._grids[sheet]

    # --- writing -----------------------------------------------------------------------
    def workbook(self):
        """The openpyxl workbook for writing (loaded once)."""
        if self._wb is None:
            import openpyxl

            keep_vba = self.path.suffix.lower() == ".xlsm"
            self._wb = openpyxl.load_workbook(self.path, keep_vba=keep_vba, rich_text=True)
        return self._wb

    def write_table(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        from macros.adapters.xlsx_tables import write_table_rows

        write_table_rows(self.workbook(), table, rows)
        self.regenerated.add(table.sheet)

    def write_report(self, report: ReportSheet) -> None:
        from macros.adapters.xlsx_report import write_report_sheet

        write_report_sheet(self.workbook(), report)
        self.regenerated.add(report.name)

    def mark_cells(self, sheet: str, marks: Sequence[CellMark]) -> None:
        from macros.adapters.xlsx_marks import replace_marks

        replace_marks(self.workbook(), sheet, marks)

    def progress(self, done: int, total: int, message: str = "") -> None:
        pass  # the CLI shows progress itself (tqdm on a terminal)

    def save(self) -> None:
        if self._wb is None:
            return
        from macros.adapters.safe_write import save_workbook

        save_workbook(self._wb, self.path, regenerated=self.regenerated)
        self._calamine = None
        self._grids.clear()


