"""The 统计 sheet as package parts, generated straight from a ``ReportSheet`` (no openpyxl load).

``xlsx_report.write_report_sheet`` draws the sheet into a loaded openpyxl workbook; this module
produces what openpyxl would save for it — the worksheet XML, its charts and drawing — so the
streaming rewrite (``xlsx_splice``) can replace the old sheet's part in the same pass that
splices the tables. It follows openpyxl's rules cell by cell (``set_cell``: text stays text with
a quote prefix when it starts like a formula, dates get a date format, a ``Formula`` becomes
``<f>`` without a cached value), takes its cell formats from ``xlsx_styles`` (appended to the
master's styles, never renumbering them), serialises the page layout from a scratch openpyxl
worksheet on which ``xlsx_print.apply_page_setup`` ran, and builds the charts with
``xlsx_report.build_chart`` — one definition of the layout and the charts for both writers.

Values it does not know raise ``ReportUnsupported`` (``SpliceUnsupported`` for the rewrite): the caller falls back to openpyxl.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta
from decimal import Decimal
from typing import Any

from openpyxl.styles.cell_style import CellStyle
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, to_excel
from openpyxl.xml.functions import tostring

from macros.adapters.engine import Formula, ReportSheet
from macros.adapters.xlsx_cells import cell_text, xml_escape
from macros.adapters.xlsx_quote import LIVE_PREFIXES
from macros.adapters.xlsx_report import HEADER_ALIGNMENT, TITLE_FONT, build_chart
from macros.adapters.xlsx_styles import StylesUnsupported, StylesXml
from macros.adapters.xlsx_tables import HEADER_FILL, HEADER_FONT

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")


class ReportUnsupported(Exception):
    """A value or a workbook the direct writer does not handle (the caller uses openpyxl)."""


_TIME_FORMATS = {datetime: "yyyy-mm-dd h:mm:ss", date: "yyyy-mm-dd", dtime: "h:mm:ss",
                 timedelta: "[hh]:mm:ss"}


@dataclass
class _Cell:
    """One cell as openpyxl would hold it after ``write_report_sheet``."""

    kind: str = "n"  # n(umber), s(tring), f(ormula), b(ool), e(rror), d(ate)
    value: Any = None
    number_format: str = "General"
    font: Any = None
    fill: Any = None
    alignment: Any = None
    quote: bool = False

    def put(self, value: Any, number_format: str | None) -> None:
        """``xlsx_cells.set_cell`` on this cell."""
        if isinstance(value, Formula):
            text = cell_text(str(value))
            self.kind = "f" if len(text) > 1 and text.startswith("=") else ("e" if text in _ERROR_CODES else "s")
            self.value = text
        elif isinstance(value, str):
            self.kind, self.value = "s", cell_text(value)
            if value[:1] in LIVE_PREFIXES:
                self.quote = True
        elif value is None:
            self.kind, self.value = "n", None
        elif isinstance(value, bool):
            self.kind, self.value = "b", value
        elif isinstance(value, (int, float, Decimal)):
            self.kind, self.value = "n", value
        elif isinstance(value, (date, dtime, timedelta)):
            if getattr(value, "tzinfo", None) is not None:
                raise ReportUnsupported("a date with a time zone")
            self.kind, self.value = "d", value
            if not is_date_format(self.number_format):
                self.number_format = _TIME_FORMATS[datetime if isinstance(value, datetime) else type(value)]
        else:
            raise ReportUnsupported(f"a value of type {type(value).__name__}")
        if number_format and not isinstance(value, str):
            self.number_format = number_format


@dataclass
class ReportXml:
    """The generated parts of one report sheet (chart parts are numbered by the caller)."""

    body: str  # the worksheet XML up to where the drawing reference goes
    charts: list = field(default_factory=list)  # openpyxl charts, anchored
    print_titles: str | None = None  # rows to repeat, e.g. "1:1"

    def sheet_xml(self, drawing_rid: str | None) -> bytes:
        drawing = f'<drawing r:id="{drawing_rid}"/>' if drawing_rid else ""
        return (self.body + drawing + "</worksheet>").encode("utf-8")


def report_cells(report: ReportSheet) -> dict[tuple[int, int], _Cell]:
    """Every cell of ``report`` by (row, column), as ``write_report_sheet`` fills them."""
    cells: dict[tuple[int, int], _Cell] = {}

    def at(r: int, c: int) -> _Cell:
        cell = cells.get((r, c))
        if cell is None:
            cell = cells[(r, c)] = _Cell()
        return cell

    for block in report.blocks:
        letters, r = coordinate_from_string(block.anchor)
        col0 = column_index_from_string(letters)
        if block.title:
            title = at(r, col0)
            title.put(block.title, None)
            title.font = TITLE_FONT
            r += 1
        for i, values in enumerate(block.rows):
            header = block.header and i == 0
            for j, value in enumerate(values):
                cell = at(r + i, col0 + j)
                cell.put(value, None if header else block.formats.get(j))
                if header:
                    cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
    return cells


class _Formats:
    """Cell format indexes for report cells, appended to the workbook's styles once each."""

    def __init__(self, styles: StylesXml):
        self.styles = styles
        self._ids: dict[tuple, int | None] = {}

    def index(self, cell: _Cell) -> int | None:
        key = (cell.number_format, id(cell.font), id(cell.fill), id(cell.alignment), cell.quote)
        if key not in self._ids:
            if cell.number_format == "General" and cell.font is cell.fill is cell.alignment is None and not cell.quote:
                self._ids[key] = None  # the workbook's default format, as openpyxl's style 0
            else:
                s = self.styles
                xf = CellStyle(numFmtId=s.number_format(cell.number_format),
                               fontId=s.font(cell.font) if cell.font is not None else 0,
                               fillId=s.fill(cell.fill) if cell.fill is not None else 0,
                               borderId=0, xfId=0, quotePrefix=cell.quote or None,
                               alignment=cell.alignment)
                self._ids[key] = s.cell_format(xf)
        return self._ids[key]


def _esc(text: str) -> str:
    """Character data as openpyxl's writer (lxml) escapes it (``cell_text`` removed what XML
    cannot hold)."""
    return xml_escape(text)


def _number(value: Any) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return "%.16g" % value


def cell_xml(ref: str, cell: _Cell, style: int | None, epoch) -> str:
    """The ``<c>`` element openpyxl writes for ``cell`` ('' for an unstyled empty cell)."""
    s = f' s="{style}"' if style is not None else ""
    kind, value = cell.kind, cell.value
    if value == "" and kind == "s":  # openpyxl keeps the (empty) text cell
        return f'<c r="{ref}"{s} t="inlineStr"/>'
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if s else ""
    if kind == "s":
        return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_esc(value)}</t></is></c>'
    if kind == "f":
        return f'<c r="{ref}"{s}><f>{_esc(value[1:])}</f><v></v></c>'
    if kind == "e":
        return f'<c r="{ref}"{s} t="e"><v>{_esc(value)}</v></c>'
    if kind == "b":
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    text = _number(to_excel(value, epoch) if kind == "d" else value)
    if text is None:
        return f'<c r="{ref}"{s}/>' if s else ""
    return f'<c r="{ref}"{s} t="n"><v>{text}</v></c>'


def _sheet_data(cells: dict[tuple[int, int], _Cell], formats: _Formats, epoch) -> tuple[str, str]:
    """(``<sheetData>`` element, dimension reference) of the cells."""
    rows: dict[int, list[str]] = {}
    for (r, c) in sorted(cells):
        x = cell_xml(f"{get_column_letter(c)}{r}", cells[(r, c)], formats.index(cells[(r, c)]), epoch)
        if x:
            rows.setdefault(r, []).append(x)
    body = "".join(f'<row r="{r}">{"".join(xs)}</row>' for r, xs in rows.items())
    if not cells:
        return "<sheetData/>", "A1"
    rs = [r for r, _c in cells]
    cs = [c for _r, c in cells]
    ref = f"{get_column_letter(min(cs))}{min(rs)}:{get_column_letter(max(cs))}{max(rs)}"
    return f"<sheetData>{body}</sheetData>", ref


def _scratch_sheet(report: ReportSheet):
    """An openpyxl worksheet (of a new, empty workbook: no load) holding the report's column
    widths and page layout, as ``write_report_sheet`` sets them."""
    from openpyxl import Workbook

    from macros.adapters.xlsx_print import apply_page_setup

    ws = Workbook().create_sheet(report.name)  # not the active sheet: no tabSelected
    for block in report.blocks:
        col0 = column_index_from_string(coordinate_from_string(block.anchor)[0])
        for j, width in block.widths.items():
            ws.column_dimensions[get_column_letter(col0 + j)].width = width
    apply_page_setup(ws)
    return ws


def _xml(obj) -> str:
    return tostring(obj.to_tree()).decode("utf-8") if obj else ""


def build_report_xml(report: ReportSheet, styles: StylesXml, date1904: bool = False) -> ReportXml:
    """The worksheet XML and charts of ``report``; its cell formats are appended to ``styles``."""
    try:
        cells = report_cells(report)
        data, dim = _sheet_data(cells, _Formats(styles), MAC_EPOCH if date1904 else WINDOWS_EPOCH)
    except StylesUnsupported as exc:
        raise ReportUnsupported(str(exc)) from exc
    ws = _scratch_sheet(report)
    cols = ws.column_dimensions.to_tree()
    head = (f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">' + _xml(ws.sheet_properties)
            + f'<dimension ref="{dim}"/>' + _xml(ws.views) + _xml(ws.sheet_format)
            + (tostring(cols).decode("utf-8") if cols is not None else ""))
    tail = (_xml(ws.print_options) + _xml(ws.page_margins) + _xml(ws.page_setup) + _xml(ws.HeaderFooter))
    charts = []
    for spec in report.charts:
        chart = build_chart(spec, report.name)
        chart.anchor = spec.anchor
        charts.append(chart)
    return ReportXml(head + data + tail, charts, ws.print_title_rows)
