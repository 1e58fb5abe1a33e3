"""Write a free-layout product sheet (统计) with openpyxl: blocks of values/formulas and charts."""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.chart.reference import DummyWorksheet
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string, range_boundaries

from macros.adapters.xlsx_cells import set_cell
from macros.adapters.engine import ChartSpec, ReportSheet
from macros.adapters.xlsx_print import apply_page_setup
from macros.adapters.xlsx_tables import HEADER_FILL, HEADER_FONT

HEADER_ALIGNMENT = Alignment(horizontal="center", wrap_text=True)
TITLE_FONT = Font(name="微软雅黑", bold=True, size=12, color="FF1F4E79")


def _fresh_sheet(wb, name: str):
    """Drop the old sheet (and its charts) and put an empty one at the same position."""
    index = None
    if name in wb.sheetnames:
        index = wb.sheetnames.index(name)
        wb.remove(wb[name])
    return wb.create_sheet(name, index)


def _ref(sheet: str, cells: str) -> Reference:
    """A chart reference to ``cells`` of the sheet named ``sheet`` (no worksheet object needed)."""
    c1, r1, c2, r2 = range_boundaries(cells)
    return Reference(DummyWorksheet(sheet), min_col=c1, min_row=r1, max_col=c2, max_row=r2)


def build_chart(spec: ChartSpec, sheet: str):
    """The openpyxl chart for ``spec``, over ranges of the sheet named ``sheet`` (not yet
    anchored; both writers of 统计 — the openpyxl one and ``xlsx_report_xml`` — use it)."""
    from openpyxl.chart.data_source import AxDataSource, StrRef
    from openpyxl.chart.series import SeriesLabel

    kind = {"bar": BarChart, "col": BarChart, "line": LineChart, "pie": PieChart}[spec.kind]
    chart = kind()
    if spec.kind in ("bar", "col"):
        chart.type = "bar" if spec.kind == "bar" else "col"
    chart.title = spec.title
    chart.width, chart.height = spec.width_cm, spec.height_cm
    if spec.y_title and hasattr(chart, "y_axis"):
        chart.y_axis.title = spec.y_title
    for title, values in spec.series:
        chart.add_data(_ref(sheet, values), titles_from_data=False)
        chart.series[-1].tx = SeriesLabel(v=title)
    chart.set_categories(_ref(sheet, spec.categories))
    for series in chart.series:  # category labels are text: a string reference, not numRef
        series.cat = AxDataSource(strRef=StrRef(f=series.cat.numRef.f))
    if hasattr(chart, "x_axis"):
        # openpyxl leaves <c:delete> out, which recent Excel reads as "axis deleted"
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        if spec.kind == "bar":  # horizontal bars read top-down in the order of the table
            chart.x_axis.scaling.orientation = "maxMin"
            chart.y_axis.crosses = "max"
    return chart


def write_report_sheet(wb, report: ReportSheet) -> None:

    ws = _fresh_sheet(wb, report.name)
    for block in report.blocks:
        col_letter, row = coordinate_from_string(block.anchor)
        col0 = column_index_from_string(col_letter)
        r = row
        if block.title:
            title = ws.cell(row=r, column=col0)
            set_cell(title, block.title)  # text, never a formula
            title.font = TITLE_FONT
            r += 1
        for i, values in enumerate(block.rows):
            for j, value in enumerate(values):
                cell = ws.cell(row=r + i, column=col0 + j)
                set_cell(cell, value, None if (block.header and i == 0) else block.formats.get(j))
                if block.header and i == 0:
                    cell.font, cell.fill = HEADER_FONT, HEADER_FILL
                    cell.alignment = HEADER_ALIGNMENT
        for j, width in block.widths.items():
            ws.column_dimensions[get_column_letter(col0 + j)].width = width
    for spec in report.charts:
        ws.add_chart(build_chart(spec, ws.title), spec.anchor)

    apply_page_setup(ws)
