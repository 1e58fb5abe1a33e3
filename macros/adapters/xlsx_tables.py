"""openpyxl helpers for schema tables: lay a table out on a sheet, and rewrite its data rows.

Shared by the workbook builder (kexie new), the form builder and every product-sheet write, so
header styling, widths, number formats, drop-downs and the Excel Table object come from one place.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from openpyxl.styles import Alignment, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table as XlTable, TableStyleInfo

from macros.adapters.xlsx_cells import set_cell
from macros.core.grid import header_key, locate_table
from macros.schema import TABLES, VOCABULARIES, Column, Table, VocabRef

HEADER_FILL = PatternFill("solid", fgColor="FF1F4E79")
HEADER_FONT = Font(name="微软雅黑", bold=True, color="FFFFFFFF")
STAFF_HEADER_FILL = PatternFill("solid", fgColor="FF7F6000")  # staff columns on product sheets
BODY_FONT = Font(name="宋体", size=11)
THIN = Side(style="thin", color="FFBFBFBF")
VALIDATION_ROWS = 5000  # drop-downs and formats are laid down this far below the header


def vocab_formula(col: Column) -> str | None:
    """The list formula of a drop-down: a literal list, or the range of another table's column."""
    if not col.vocab:
        return None
    vocab = VOCABULARIES[col.vocab]
    if isinstance(vocab, VocabRef):
        src = TABLES[vocab.table]
        idx = src.keys.index(vocab.column) + src.first_col
        letter = get_column_letter(idx)
        return f"{quote_sheetname(src.sheet)}!${letter}$2:${letter}${VALIDATION_ROWS}"
    return '"' + ",".join(vocab) + '"'


def layout_table(ws, table: Table, rows: Sequence[Mapping[str, Any]] = (), header_row: int = 1,
                 columns: Sequence[Column] | None = None, name: str | None = None,
                 validation_rows: int = VALIDATION_ROWS) -> None:
    """Write header, rows, widths, formats, drop-downs and the Excel Table for ``table``."""

    cols = list(columns or table.columns)
    first = table.first_col if columns is None else 1
    for j, col in enumerate(cols):
        c = ws.cell(row=header_row, column=first + j, value=col.header)
        c.font = HEADER_FONT
        c.fill = STAFF_HEADER_FILL if (table.owner == "product" and col.owner == "staff") else HEADER_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(first + j)].width = col.width
    for i, row in enumerate(rows, start=header_row + 1):
        for j, col in enumerate(cols):
            set_cell(ws.cell(row=i, column=first + j), row.get(col.key), col.format)
    last_data = header_row + max(1, len(rows))
    # Formats and alignment for the rows staff will type into.
    for j, col in enumerate(cols):
        fmt = col.format
        wrap = col.type == "longtext"
        if not fmt and not wrap:
            continue
        for r in range(header_row + 1, header_row + 1 + max(len(rows), 200)):
            cell = ws.cell(row=r, column=first + j)
            if fmt:
                cell.number_format = fmt
            if wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for j, col in enumerate(cols):
        formula = vocab_formula(col)
        if not formula:
            continue
        letter = get_column_letter(first + j)
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False)
        dv.error = f"请从下拉列表中选择“{col.header}”"
        dv.errorTitle = "输入值无效"
        dv.prompt = col.note or f"请选择{col.header}"
        dv.showErrorMessage = True
        dv.add(f"{letter}{header_row + 1}:{letter}{header_row + validation_rows}")
        ws.add_data_validation(dv)
    ref = f"{get_column_letter(first)}{header_row}:{get_column_letter(first + len(cols) - 1)}{last_data}"
    xt = XlTable(displayName=name or table.excel_name, ref=ref)
    xt.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(xt)


def _find_xl_table(ws, table: Table):
    for xt in ws.tables.values():
        if xt.displayName == table.excel_name or xt.name == table.excel_name:
            return xt
    return None


def _header_map(ws, header_row: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for cell in ws[header_row]:
        if cell.value is not None and str(cell.value).strip():
            out.setdefault(header_key(cell.value), cell.column)
    return out


def write_table_rows(wb, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Replace the data rows of ``table`` in the openpyxl workbook ``wb``.

    Columns are found by header, so staff may have reordered them or added their own; row keys
    are schema keys or the header text of such extra columns. Cell styles are kept; the Excel
    Table is resized to the new rows.
    """
    if table.sheet not in wb.sheetnames:
        from macros.adapters.xlsx_print import apply_page_setup

        ws = wb.create_sheet(table.sheet)
        layout_table(ws, table, rows)
        apply_page_setup(ws)
        return
    ws = wb[table.sheet]
    xt = _find_xl_table(ws, table)
    if xt is not None:
        from openpyxl.utils.cell import range_boundaries

        min_col, header_row, max_col, old_last = range_boundaries(xt.ref)
    else:
        grid = [[c.value for c in r] for r in ws.iter_rows(max_row=40)]
        located = locate_table(grid, table)
        if not located.found:
            raise ValueError(f"sheet {table.sheet} has no header for {table.key}")
        header_row, old_last = located.header_row, ws.max_row
        min_col = max_col = None
    headers = _header_map(ws, header_row)
    positions: dict[str, int] = {}
    for col in table.columns:
        pos = headers.get(header_key(col.header))
        if pos is not None:
            positions[col.key] = pos
    # Staff columns: inside the table's span, or typed next to it (contiguous headers on the right,
    # as Excel would have grown the table) — the same rule the reader uses.
    span_end = max_col if max_col is not None else max(positions.values(), default=0)
    while ws.cell(row=header_row, column=span_end + 1).value not in (None, ""):
        span_end += 1
    for h, pos in headers.items():
        if (min_col is None or min_col <= pos) and pos <= span_end and pos not in positions.values():
            positions[h] = pos
    formats = {col.key: col.format for col in table.columns}
    last = header_row + len(rows)
    clear_to = max(old_last, ws.max_row if xt is None else old_last)
    for r in range(header_row + 1, max(clear_to, last) + 1):
        for pos in positions.values():
            ws.cell(row=r, column=pos).value = None
    for i, row in enumerate(rows, start=header_row + 1):
        for key, value in row.items():
            pos = positions.get(key) or positions.get(header_key(key))
            if pos is None:
                continue
            set_cell(ws.cell(row=i, column=pos), value, formats.get(key))
    if xt is not None:
        xt.ref = f"{get_column_letter(min_col)}{header_row}:{get_column_letter(max_col)}{max(last, header_row + 1)}"
        if xt.autoFilter is not None:
            xt.autoFilter.ref = xt.ref
