"""WorkbookEngine over a workbook open in Excel (xlwings), unsaved edits included.

The ribbon (macros.ribbon) hands this engine to the same use cases the CLI runs on files. It
mirrors FileEngine's behaviour on the live book:

- reads: one call per sheet, ``sheet.used_range.options(ndim=2).value``, padded so the grid
  starts at A1 like the file engine's; values, never formulas; whole-day datetimes become dates
  (as calamine returns them for date cells);
- write_table: the same column rules as macros.adapters.xlsx_tables.write_table_rows (columns by
  header, staff columns kept, the Excel Table resized), one write per column; text is written
  with Excel's text prefix (') so "001", "2010-10-09" or "=HYPERLINK(...)" typed by a unit stay
  text; Formula values become live formulas;
- write_report: clears the product sheet in place (formulas elsewhere that point at it keep
  working), writes blocks, adds native charts;
- mark_cells: fill + note, with the cell's previous fill remembered in the same hidden
  ``_kexie_marks`` sheet the file engine uses, so marks made headless can be cleared in Excel
  and the other way round;
- progress: Excel's status bar; save: nothing — results stay in the open book and staff save
  it as usual (saving would also commit their unsaved edits behind their back).

xlwings is imported lazily (never at module import), so Linux and headless runs never need
Excel. The planning steps are pure functions (``grid_from_used_range``, ``plan_table_write``,
``plan_marks``, ``excel_value``) tested without Excel; the methods only move their results
into the book.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping, Sequence

from macros.adapters.engine import CellMark, ChartSpec, Formula, GridReading, ReportSheet
from macros.adapters.xlsx_cells import EXCEL_MAX_CELL
from macros.adapters.xlsx_marks import (
    MARK_FILLS, MEMO_HEADER, MEMO_SHEET, NOTE_OURS, NOTE_STAFF, merge_marks,
)
from macros.core.grid import header_key, is_blank, locate_table
from macros.schema import Table

HEADER_RGB = (0x1F, 0x4E, 0x79)
TITLE_RGB = (0x1F, 0x4E, 0x79)
CM_TO_PT = 72 / 2.54
STATUS_PREFIX = "科协工作台："


# --------------------------------------------------------------------------- pure helpers


def _cell_value(value: Any) -> Any:
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


def grid_from_used_range(values: Any, first_row: int, first_col: int) -> list[list[Any]]:
    """The used range's values (2-D, from ``.options(ndim=2).value``) as a rectangular grid
    starting at A1, like FileEngine.read_grid."""
    rows = values if isinstance(values, list) else [[values]]
    rows = [r if isinstance(r, list) else [r] for r in rows]
    width = (first_col - 1) + max((len(r) for r in rows), default=0)
    grid: list[list[Any]] = [[None] * width for _ in range(first_row - 1)]
    for r in rows:
        line = [None] * (first_col - 1) + [_cell_value(v) for v in r]
        grid.append(line + [None] * (width - len(line)))
    return grid


def excel_value(value: Any) -> Any:
    """A value as it must be handed to Excel so that it is stored as meant: text stays text
    (the ' prefix is Excel's "this is text" mark, not part of the value), Formula objects
    become formulas, blanks clear the cell."""
    if value is None:
        return None
    if isinstance(value, Formula):
        return str(value)
    if isinstance(value, str):
        if value == "":
            return None
        return "'" + value[: EXCEL_MAX_CELL - 1]
    if isinstance(value, (int, float, date, datetime)):
        if value != value:  # NaN, and pandas' NaT (a datetime subclass)
            return None
        return value
    try:  # pandas NaT / numpy scalars
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    return "'" + str(value)


@dataclass
class ColumnWrite:
    column: int  # 1-based worksheet column
    values: list[Any]  # from first_row down, already converted with excel_value
    number_format: str | None = None


@dataclass
class TableWritePlan:
    header_row: int
    first_row: int  # first data row
    last_row: int  # last row any column write reaches (old rows are cleared up to here)
    new_last: int  # last data row of the new content (header_row when there are no rows)
    columns: list[ColumnWrite] = field(default_factory=list)
    table_ref: tuple[int, int, int, int] | None = None  # (row1, col1, row2, col2) of the resized Table


def plan_table_write(header: Sequence[Any], header_row: int, table: Table,
                     rows: Sequence[Mapping[str, Any]], old_last: int,
                     span: tuple[int, int] | None = None) -> TableWritePlan:
    """What write_table must put where: the rules of xlsx_tables.write_table_rows.

    ``header`` is the header row's values from column A; ``span`` the (first, last) columns of
    the sheet's Excel Table when there is one; ``old_last`` the last row of the old content.
    """
    headers: dict[str, int] = {}
    for idx, value in enumerate(header, start=1):
        if not is_blank(value):
            headers.setdefault(header_key(value), idx)
    positions: dict[str, int] = {}
    for col in table.columns:
        pos = headers.get(header_key(col.header))
        if pos is not None:
            positions[col.key] = pos
    min_col, max_col = span if span else (None, None)
    span_end = max_col if max_col is not None else max(positions.values(), default=0)
    while span_end < len(header) and not is_blank(header[span_end]):
        span_end += 1  # staff typed a header right of the table: Excel would have grown it
    for h, pos in headers.items():
        if (min_col is None or min_col <= pos) and pos <= span_end and pos not in positions.values():
            positions[h] = pos
    formats = {col.key: col.format for col in table.columns}
    by_position = {pos: key for key, pos in positions.items()}
    first = header_row + 1
    new_last = header_row + len(rows)
    last = max(old_last, new_last)
    plan = TableWritePlan(header_row=header_row, first_row=first, last_row=last, new_last=new_last)
    if last < first:
        return plan
    for pos in sorted(by_position):
        key = by_position[pos]
        column_values: list[Any] = []
        for row in rows:
            value = row.get(key)
            if value is None and key not in row:
                value = next((v for k, v in row.items() if header_key(k) == key), None)
            column_values.append(excel_value(value))
        column_values += [None] * (last - new_last)
        plan.columns.append(ColumnWrite(pos, column_values, formats.get(key)))
    if span is not None:
        plan.table_ref = (header_row, min_col, max(new_last, header_row + 1), max_col)
    return plan


@dataclass
class MarkPlan:
    remove: list[list[Any]]  # memo rows (sheet, cell, fill_type, fg, note) of marks to undo
    add: list[CellMark]  # one per cell
    previous: dict[str, list[Any]]  # cell -> its memo row, for cells marked before and again now
    memo_rows: list[list[Any]]  # memo rows of the other sheets (kept as they are)


def plan_marks(memo_rows: Sequence[Sequence[Any]], sheet: str,
               marks: Sequence[CellMark]) -> MarkPlan:
    """Which earlier marks of ``sheet`` to undo and which to set; ``memo_rows`` are the memo
    sheet's data rows (sheet, cell, fill_type, fg, note) — the memo xlsx_marks keeps too."""
    wanted = list(merge_marks(marks).values())  # the file engine's rule: one mark per cell
    cells = {m.cell for m in wanted}
    plan = MarkPlan(remove=[], add=wanted, previous={}, memo_rows=[])
    for row in memo_rows:
        row = (list(row) + [None] * len(MEMO_HEADER))[: len(MEMO_HEADER)]
        row = [None if is_blank(v) else v for v in row]
        if row[0] is None or row[1] is None:
            continue
        if row[0] != sheet:
            plan.memo_rows.append(row)
        elif row[1] in cells:
            plan.previous[row[1]] = row
        else:
            plan.remove.append(row)
    return plan


def rgb_from_argb(argb: str | None) -> tuple[int, int, int] | None:
    if not argb or len(argb) < 6:
        return None
    hex6 = argb[-6:]
    return int(hex6[0:2], 16), int(hex6[2:4], 16), int(hex6[4:6], 16)


def argb_from_rgb(rgb: tuple[int, int, int] | None) -> str | None:
    if rgb is None:
        return None
    return "FF" + "".join(f"{c:02X}" for c in rgb[:3])


def chart_source_box(spec: ChartSpec) -> tuple[int, int, int, int]:
    """Bounding box (row1, col1, row2, col2) of a chart's categories and series ranges."""
    from openpyxl.utils.cell import range_boundaries

    boxes = [range_boundaries(spec.categories)] + [range_boundaries(v) for _, v in spec.series]
    c1 = min(b[0] for b in boxes)
    r1 = min(b[1] for b in boxes)
    c2 = max(b[2] for b in boxes)
    r2 = max(b[3] for b in boxes)
    return r1, c1, r2, c2


XL_CHART_TYPES = {"bar": "bar_clustered", "col": "column_clustered", "line": "line", "pie": "pie"}


# --------------------------------------------------------------------------- the engine


class XlwingsEngine(GridReading):
    """A WorkbookEngine over an open ``xlwings.Book``."""

    def __init__(self, book: Any):
        self.book = book
        self.name = book.name
        full = Path(book.fullname) if getattr(book, "fullname", None) else None
        self.path = full if full is not None and full.is_absolute() else None
        self._grids: dict[str, list[list[Any]]] = {}
        self._last_status: str | None = None

    # --- reading -----------------------------------------------------------------------
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def read_grid(self, sheet: str) -> list[list[Any]]:
        if sheet not in self._grids:
            rng = self.book.sheets[sheet].used_range
            values = rng.options(ndim=2).value
            self._grids[sheet] = grid_from_used_range(values, rng.row, rng.column)
        return self._grids[sheet]

    # --- writing -----------------------------------------------------------------------
    def _sheet(self, name: str):
        """The sheet called ``name``, added at the end when missing (without changing the
        sheet the user is looking at)."""
        if name in self.sheet_names():
            return self.book.sheets[name]
        active = self.book.sheets.active
        sh = self.book.sheets.add(name, after=self.book.sheets[len(self.book.sheets) - 1])
        try:
            active.activate()
        except Exception:
            pass
        return sh

    def _excel_table(self, sh, table: Table):
        for xt in sh.tables:
            if xt.name == table.excel_name or getattr(xt, "display_name", None) == table.excel_name:
                return xt
        return None

    def _new_table_sheet(self, table: Table):
        sh = self._sheet(table.sheet)
        first = table.first_col
        header = [c.header for c in table.columns]
        sh.range((1, first)).value = [header]
        head = sh.range((1, first), (1, first + len(header) - 1))
        head.font.bold = True
        head.font.color = (255, 255, 255)
        head.color = HEADER_RGB
        for j, col in enumerate(table.columns):
            sh.range((1, first + j)).column_width = col.width
        sh.tables.add(source=sh.range((1, first), (2, first + len(header) - 1)), name=table.excel_name)
        self._grids.pop(table.sheet, None)
        return sh

    def write_table(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        if table.sheet not in self.sheet_names():
            self._new_table_sheet(table)
        sh = self.book.sheets[table.sheet]
        grid = self.read_grid(table.sheet)
        xt = self._excel_table(sh, table)
        if xt is not None:
            rng = xt.range
            header_row, min_col = rng.row, rng.column
            max_col = rng.last_cell.column
            old_last = max(rng.last_cell.row, header_row)
            span: tuple[int, int] | None = (min_col, max_col)
        else:
            located = locate_table(grid, table)
            if not located.found:
                raise ValueError(f"sheet {table.sheet} has no header for {table.key}")
            header_row, old_last, span = located.header_row, len(grid), None
        header = grid[header_row - 1] if header_row - 1 < len(grid) else []
        plan = plan_table_write(header, header_row, table, rows, old_last, span)
        for cw in plan.columns:
            target = sh.range((plan.first_row, cw.column), (plan.last_row, cw.column))
            if cw.number_format and plan.new_last >= plan.first_row:
                sh.range((plan.first_row, cw.column), (plan.new_last, cw.column)).number_format = cw.number_format
            target.value = [[v] for v in cw.values]
        if xt is not None and plan.table_ref is not None:
            r1, c1, r2, c2 = plan.table_ref
            xt.resize(sh.range((r1, c1), (r2, c2)))
        self._grids.pop(table.sheet, None)

    def write_report(self, report: ReportSheet) -> None:
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

        sh = self._sheet(report.name)
        for chart in list(sh.charts):
            chart.delete()
        sh.clear()
        for block in report.blocks:
            letter, row = coordinate_from_string(block.anchor)
            col = column_index_from_string(letter)
            r = row
            if block.title:
                title = sh.range((r, col))
                title.value = excel_value(block.title)
                title.font.bold = True
                title.font.size = 12
                title.font.color = TITLE_RGB
                r += 1
            if block.rows:
                width = max(len(v) for v in block.rows)
                values = [[excel_value(v) for v in line] + [None] * (width - len(line)) for line in block.rows]
                body_first = r + (1 if block.header else 0)
                for j, fmt in block.formats.items():
                    if fmt and body_first <= r + len(values) - 1:
                        sh.range((body_first, col + j), (r + len(values) - 1, col + j)).number_format = fmt
                sh.range((r, col)).value = values
                if block.header:
                    head = sh.range((r, col), (r, col + width - 1))
                    head.font.bold = True
                    head.font.color = (255, 255, 255)
                    head.color = HEADER_RGB
            for j, w in block.widths.items():
                sh.range((1, col + j)).column_width = w
        for spec in report.charts:
            self._add_chart(sh, spec)
        self._grids.pop(report.name, None)

    def _add_chart(self, sh, spec: ChartSpec) -> None:
        anchor = sh.range(spec.anchor)
        chart = sh.charts.add(left=anchor.left, top=anchor.top,
                              width=spec.width_cm * CM_TO_PT, height=spec.height_cm * CM_TO_PT)
        chart.chart_type = XL_CHART_TYPES[spec.kind]
        r1, c1, r2, c2 = chart_source_box(spec)
        chart.set_source_data(sh.range((r1, c1), (r2, c2)))
        try:  # Windows (COM): exact series, names and title
            xl_chart = chart.api[1]
            while xl_chart.SeriesCollection().Count:
                xl_chart.SeriesCollection(1).Delete()
            for title, values in spec.series:
                series = xl_chart.SeriesCollection().NewSeries()
                series.Name = title
                series.Values = sh.range(values).api
                series.XValues = sh.range(spec.categories).api
            xl_chart.HasTitle = True
            xl_chart.ChartTitle.Text = spec.title
        except Exception:  # macOS (AppleScript) object model: keep the source-data chart
            pass

    def mark_cells(self, sheet: str, marks: Sequence[CellMark]) -> None:
        """Replace kexie's marks on ``sheet``; the rules of macros.adapters.xlsx_marks: a mark
        is undone only where it is still ours (our fill colour, our note), a staff note is never
        touched, and the memo sheet goes away once no mark is left."""
        if sheet not in self.sheet_names():
            return
        names = self.sheet_names()
        memo_rows = self.read_grid(MEMO_SHEET)[1:] if MEMO_SHEET in names else []
        plan = plan_marks(memo_rows, sheet, marks)
        if not plan.add and not plan.remove and not plan.previous:
            return
        target = self.book.sheets[sheet]
        ours = {rgb_from_argb(v) for v in MARK_FILLS.values()}
        for _s, ref, fill_type, fg, note in plan.remove:
            cell = target.range(ref)
            if note != NOTE_STAFF and cell.note is not None:
                cell.note.delete()
            if cell.color in ours:  # recoloured by the staff since: theirs now
                cell.color = rgb_from_argb(fg) if fill_type and fg else None
        rows = list(plan.memo_rows)
        for mark in plan.add:
            cell = target.range(mark.cell)
            entry = plan.previous.get(mark.cell)
            before = cell.color
            if entry is None:
                entry = [sheet, mark.cell, None, None, NOTE_STAFF if cell.note is not None else NOTE_OURS]
            if entry is plan.previous.get(mark.cell) and before in ours:
                pass  # still our mark: keep the remembered look
            else:
                entry[2], entry[3] = ("solid", argb_from_rgb(before)) if before else (None, None)
            if entry[4] != NOTE_STAFF:
                if cell.note is None:
                    cell.add_note(mark.message)
                else:
                    cell.note.text = mark.message
            cell.color = rgb_from_argb(MARK_FILLS[mark.level])
            rows.append(entry)
        self._write_memo(rows)

    def _write_memo(self, rows: list[list[Any]]) -> None:
        exists = MEMO_SHEET in self.sheet_names()
        self._grids.pop(MEMO_SHEET, None)
        if not rows:
            if exists:
                self.book.sheets[MEMO_SHEET].delete()  # xlwings suppresses Excel's prompt
            return
        memo = self._sheet(MEMO_SHEET)
        if exists:
            memo.used_range.clear_contents()
        memo.range((1, 1)).value = [MEMO_HEADER] + [[excel_value(v) for v in r] for r in rows]
        try:
            memo.visible = False
        except Exception:
            pass

    def progress(self, done: int, total: int, message: str = "") -> None:
        if total and done >= total:
            text: str | bool = False  # hand the status bar back to Excel
        else:
            pct = f"{100 * done // total}%" if total else ""
            text = f"{STATUS_PREFIX}{message} {pct}".strip()
        if text == self._last_status:
            return
        self._last_status = text  # type: ignore[assignment]
        try:
            self.book.app.status_bar = text
        except Exception:
            pass

    def save(self) -> None:
        """Nothing to do: the results are in the open book; staff save it themselves."""
