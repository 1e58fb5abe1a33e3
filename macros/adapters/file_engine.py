"""WorkbookEngine over a workbook file: calamine reads, openpyxl writes, safe_write saves.

Reads always come from the file on disk through python-calamine (fast, values only — the cached
result of a formula, never the formula). ``write_table`` keeps the new rows and a read of that
table in the same session sees them; ``save`` streams them into the package (xlsx_splice: no
openpyxl load, seconds → fractions of a second at 40,000 rows), falling back to openpyxl when the
sheet holds something the streaming rewrite does not handle. A report sheet (统计) is kept until
``save`` too: when nothing else needs openpyxl (no marks, no table the rewrite cannot take, an
.xlsx whose report sheet exists) the same streaming pass generates it (xlsx_report_parts) and the
save copies every other part as it is. Otherwise reports and marks go to an openpyxl workbook
loaded on first use (without the old rows of tables being rewritten, so it loads fast).
``save`` goes through ``safe_write.save_with`` (lock files, lock, lossy-content check, backup,
atomic replace). Other reads see the file as it was on disk.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Mapping, Sequence

from macros.adapters.engine import (
    CellMark, GridReading, ReportSheet,
)
from macros.adapters.safe_write import save_with, temp_path
from macros.adapters.xlsx_marks import replace_marks
from macros.adapters.xlsx_report import write_report_sheet
from macros.adapters import xlsx_splice  # splice_tables is looked up when called (a test stands in for it)
from macros.adapters.xlsx_splice import SpliceUnsupported, TableSplice
from macros.adapters.xlsx_tables import write_table_rows
from macros.core.grid import HEADER_SCAN_ROWS, TableData, header_key, is_blank, locate_table
from macros.errors import ConfigError
from macros.schema import Table, tables_on

class FileEngine(GridReading):
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.name = self.path.name
        if not self.path.exists():
            raise ConfigError(f"找不到工作簿：{self.path}")
        self._calamine = None
        self._grids: dict[str, list[list[Any]]] = {}
        self._wb = None  # openpyxl workbook, loaded on first write
        self._wb_stripped: set[str] = set()  # sheets loaded into _wb without their old data rows
        self._wb_blank: set[str] = set()  # sheets about to be regenerated whole: loaded without cells
        self._pending: dict[str, tuple[Table, list[Mapping[str, Any]]]] = {}  # table key -> new rows
        self._reports: dict[str, ReportSheet] = {}  # report sheets not yet drawn into _wb
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

    def read_table(self, table: Table):
        """A table with pending rows reads back as those rows (no grid built, nothing parsed)."""
        if table.key in self._pending and sum(t.sheet == table.sheet for t, _r in self._pending.values()) == 1:
            return self._pending_table(table, self._pending[table.key][1])
        return super().read_table(table)

    def _pending_table(self, table: Table, rows: Sequence[Mapping[str, Any]]):
        from openpyxl.utils import get_column_letter

        layout = self._layout(table)
        if layout is None:
            header_row = 1
            positions = {c.key: i for i, c in enumerate(table.columns, start=table.first_col)}
        else:
            header_row, positions = layout
        extra = [k for k in positions if k not in table.keys]
        own = [k for k in table.keys if k in positions]
        columns = table.keys + extra
        by_header = {header_key(k): k for k in extra}
        values = []
        index = []
        present = [k if k in positions else None for k in columns]
        own_idx = [j for j, k in enumerate(columns) if k in own]
        for i, row in enumerate(rows):
            if extra and any(k not in positions for k in row):
                row = {by_header.get(header_key(k), k): v for k, v in row.items()}
            get = row.get
            line = []
            append = line.append
            for k in present:
                v = get(k) if k is not None else None
                if v is not None:  # blanks become None (plain text handled inline)
                    c = v.__class__
                    if c is str:
                        if not v.strip():
                            v = None
                    elif c is not int and is_blank(v):
                        v = None
                append(v)
            if all(line[j] is None for j in own_idx):
                continue  # a blank row, as a reader of the saved file would skip it
            values.append(line)
            index.append(header_row + 1 + i)
        letters = {k: get_column_letter(v) for k, v in positions.items()}
        missing = [k for k in table.keys if k not in positions]
        return TableData(table, None, letters, header_row, missing=missing, extra=extra,
                         index=index, columns=columns, values=values)

    def read_grid(self, sheet: str) -> list[list[Any]]:
        pending = [(t, rows) for t, rows in self._pending.values() if t.sheet == sheet]
        if pending:
            return self._pending_grid(sheet, pending)
        return self._disk_grid(sheet)

    def _disk_grid(self, sheet: str) -> list[list[Any]]:
        if sheet not in self._grids:
            ws = self._book().get_sheet_by_name(sheet)
            self._grids[sheet] = ws.to_python(skip_empty_area=False)
        return self._grids[sheet]

    def sheet_names(self) -> list[str]:
        names = list(self._book().sheet_names)
        for table, _rows in self._pending.values():
            if table.sheet not in names:
                names.append(table.sheet)
        return names

    def _head_grid(self, sheet: str, nrows: int) -> list[list[Any]]:
        """The first ``nrows`` rows of ``sheet`` on disk (without keeping the whole sheet)."""
        if sheet in self._grids:
            return self._grids[sheet][:nrows]
        key = f"\0head:{sheet}"
        if key not in self._grids:
            ws = self._book().get_sheet_by_name(sheet)
            self._grids[key] = ws.to_python(skip_empty_area=False, nrows=nrows)
        return self._grids[key][:nrows]

    def _layout(self, table: Table):
        """Header row and column of each row key of ``table`` in the file on disk, or None."""
        from openpyxl.utils import column_index_from_string

        if table.sheet not in self._book().sheet_names:
            return None
        located = locate_table(self._head_grid(table.sheet, HEADER_SCAN_ROWS), table)
        if not located.found:
            return None
        positions = {k: column_index_from_string(v) for k, v in located.letters.items()}
        return located.header_row, positions

    def _pending_grid(self, sheet: str, pending) -> list[list[Any]]:
        """The grid of ``sheet`` as it will be once the pending rows are saved.

        On a sheet holding one table, only the rows above its data come from disk (the old data
        rows are being replaced), so a large table is never loaded twice."""
        shared = len(tables_on(sheet)) > 1
        if sheet not in self._book().sheet_names:
            disk: list[list[Any]] = []
        elif shared:
            disk = self._disk_grid(sheet)
        else:
            disk = self._head_grid(sheet, HEADER_SCAN_ROWS)
        grid = [list(r) for r in disk]
        for table, rows in pending:
            layout = self._layout(table)
            if layout is None:  # the sheet or table will be created: header in row 1
                header_row = 1
                positions = {c.key: i for i, c in enumerate(table.columns, start=table.first_col)}
                if not grid:
                    grid.append([])
                grid[0].extend([None] * max(0, max(positions.values()) - len(grid[0])))
                for c in table.columns:
                    grid[0][positions[c.key] - 1] = c.header
            else:
                header_row, positions = layout
            by_header = {header_key(k): v for k, v in positions.items()}
            width = max(positions.values())
            last = header_row + len(rows)
            if not shared:
                del grid[last:]
            while len(grid) < last:
                grid.append([])
            for r in range(header_row, len(grid)):
                line = grid[r]
                if len(line) < width:
                    line.extend([None] * (width - len(line)))
                for col in positions.values():
                    line[col - 1] = None
                i = r - header_row
                if i < len(rows):
                    for key, value in rows[i].items():
                        col = positions.get(key) or by_header.get(header_key(key))
                        if col is not None:
                            line[col - 1] = value
        return grid

    # --- writing -----------------------------------------------------------------------
    def workbook(self):
        """The openpyxl workbook for writing (loaded once).

        Tables with pending rows (``write_table``) are loaded without their old data rows — they
        are replaced when saving anyway — so a large 征集明细 does not slow the load down; so is
        the report sheet whose writing loads the workbook (it is replaced whole)."""
        if self._wb is None:
            import openpyxl

            keep_vba = self.path.suffix.lower() == ".xlsm"
            source: Any = self.path
            splices, _fallback = self._plan()
            if (splices or self._wb_blank) and not keep_vba:
                from macros.adapters.xlsx_splice import SpliceUnsupported, strip_tables

                try:
                    source = io.BytesIO(strip_tables(self.path, splices, blank=self._wb_blank))
                    self._wb_stripped = {sp.sheet for sp in splices}
                except SpliceUnsupported:
                    source = self.path
            self._wb = openpyxl.load_workbook(source, keep_vba=keep_vba, rich_text=True)
            for report in self._reports.values():  # deferred by write_report
                write_report_sheet(self._wb, report)
            self._reports.clear()
        return self._wb

    def write_table(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """Replace the data rows of ``table`` (kept, not copied, until ``save``; reads of the
        table see them)."""
        self._pending[table.key] = (table, list(rows))
        self.regenerated.add(table.sheet)

    def _plan(self):
        """Split pending tables into streamed splices and tables openpyxl must write."""
        splices, fallback = [], []
        per_sheet: dict[str, int] = {}
        for table, _rows in self._pending.values():
            per_sheet[table.sheet] = per_sheet.get(table.sheet, 0) + 1
        for table, rows in self._pending.values():
            layout = self._layout(table) if self.path.suffix.lower() == ".xlsx" else None
            if layout is None or per_sheet[table.sheet] > 1 or self.path.suffix.lower() != ".xlsx":
                fallback.append((table, rows))
                continue
            header_row, positions = layout
            formats = {c.key: c.format for c in table.columns}
            splices.append(TableSplice(table.sheet, table.excel_name, header_row, positions, rows, formats))
        return splices, fallback

    def write_report(self, report: ReportSheet) -> None:
        """Regenerate the report sheet. Kept until ``save`` (or until something else needs the
        openpyxl workbook): when nothing else goes through openpyxl, ``save`` writes the sheet
        straight into the package (``xlsx_report_parts``) in the pass that splices the tables."""
        if self._wb is None:  # the old sheet is dropped whole: openpyxl need not parse its cells
            self._wb_blank = self._wb_blank | {report.name}
            self._reports[report.name] = report
        else:
            write_report_sheet(self._wb, report)
        self.regenerated.add(report.name)

    def _direct_reports(self, fallback) -> list[ReportSheet]:
        """The pending report sheets when ``save`` can write them without openpyxl, else []."""
        if not self._reports or self._wb is not None or fallback or self.path.suffix.lower() != ".xlsx":
            return []
        names = self._book().sheet_names
        return list(self._reports.values()) if all(n in names for n in self._reports) else []

    def mark_cells(self, sheet: str, marks: Sequence[CellMark]) -> None:
        replace_marks(self.workbook(), sheet, marks)

    def progress(self, done: int, total: int, message: str = "") -> None:
        pass  # the CLI shows progress itself (tqdm on a terminal)

    def save(self) -> None:
        if self._wb is None and not self._pending and not self._reports:
            return

        splices, fallback = self._plan()
        direct = bool(self._direct_reports(fallback))
        # nothing goes through openpyxl: every part is copied, spliced or generated
        if self._reports and not direct:
            self.workbook()  # the openpyxl path draws the deferred report sheets
        splice_only = self._wb is None and not fallback and (bool(splices) or direct)
        save_with(self.path, self._write_to, regenerated=self.regenerated, lossless=splice_only)
        self._pending.clear()
        self._reports.clear()
        self._wb = None
        self._wb_stripped = set()
        self._wb_blank = set()
        if self._calamine is not None:
            self._calamine.close()
        self._calamine = None
        self._grids.clear()

    def _write_to(self, tmp: Path) -> None:
        """Write the saved workbook to ``tmp``: openpyxl for reports, marks and tables the
        streaming rewrite cannot handle; then the pending tables spliced in."""
        splices, fallback = self._plan()
        reports = self._direct_reports(fallback)
        if reports and self._write_direct(tmp, splices, reports):
            return
        mid = temp_path(self.path, "1")
        try:
            src: Path = self.path
            if fallback or self._wb is not None:
                wb = self.workbook()
                for table, rows in fallback:
                    write_table_rows(wb, table, rows)
                if not splices:
                    wb.save(tmp)
                    return
                wb.save(mid)
                src = mid
            try:
                xlsx_splice.splice_tables(src, tmp, splices)  # checks its own XML as it writes it
            except SpliceUnsupported:
                import openpyxl

                from macros.adapters.safe_write import refuse_if_lossy

                refuse_if_lossy(self.path, list(self.regenerated))  # the fallback goes through openpyxl

                wb = openpyxl.load_workbook(src, keep_vba=src.suffix.lower() == ".xlsm", rich_text=True)
                for table, rows in self._pending.values():
                    if any(sp.sheet == table.sheet for sp in splices):
                        write_table_rows(wb, table, rows)
                wb.save(tmp)
        finally:
            mid.unlink(missing_ok=True)

    def _write_direct(self, tmp: Path, splices, reports: list[ReportSheet]) -> bool:
        """One streaming pass: tables spliced and report sheets generated (no openpyxl load or
        save). False when the rewrite cannot handle the workbook: the report sheets are then
        drawn by openpyxl, the save being no longer lossless."""
        try:
            xlsx_splice.splice_tables(self.path, tmp, splices, reports=reports)
            return True
        except SpliceUnsupported:
            from macros.adapters.safe_write import refuse_if_lossy

            tmp.unlink(missing_ok=True)
            refuse_if_lossy(self.path, list(self.regenerated))  # the fallback goes through openpyxl
            self.workbook()  # loads the workbook and draws the deferred report sheets
            return False
