"""A stand-in for the part of the xlwings object model XlwingsEngine uses, over an openpyxl
workbook held in memory, so the engine's code runs in the contract suite on machines without
Excel. It imitates what Excel does with values handed over COM (numbers come back as floats,
a leading ' marks text and is not part of the value, "=..." becomes a formula) — it is a
simulation of xlwings, not of Excel's every behaviour; the real thing is the "xlwings"
parameter of the contract suite, run where Excel is present.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font as XlFont, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries


def _excel_read(cell) -> Any:
    v = cell.value
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return float(v)  # COM hands every number over as a double
    if cell.data_type == "f":
        return None  # a formula's value: not computed here
    if isinstance(v, str) and v == "":
        return None
    return v


def _excel_write(cell, v: Any) -> None:
    if isinstance(v, str) and v.startswith("'"):
        cell.value = v[1:]
        cell.data_type = "s"
    else:
        cell.value = v


class App:
    def __init__(self):
        self.status_bar: str | bool = False
        self.screen_updating = True
        self.alerts: list[tuple[str, str | None, str | None]] = []

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append((prompt, title, mode))
        return "ok"


class Book:
    def __init__(self, path: Path):
        self.fullname = str(path)
        self.name = Path(path).name
        self.wb = openpyxl.load_workbook(path, rich_text=False)
        self.app = App()
        self.active_name = self.wb.sheetnames[0]

    @property
    def sheets(self) -> "Sheets":
        return Sheets(self)


class Sheets:
    def __init__(self, book: Book):
        self.book = book

    def __iter__(self):
        return iter(Sheet(self.book, n) for n in self.book.wb.sheetnames)

    def __len__(self):
        return len(self.book.wb.sheetnames)

    def __getitem__(self, key):
        name = self.book.wb.sheetnames[key] if isinstance(key, int) else key
        if name not in self.book.wb.sheetnames:
            raise KeyError(name)
        return Sheet(self.book, name)

    @property
    def active(self) -> "Sheet":
        return Sheet(self.book, self.book.active_name)

    def add(self, name=None, before=None, after=None) -> "Sheet":
        index = self.book.wb.sheetnames.index(after.name) + 1 if after is not None else None
        ws = self.book.wb.create_sheet(name, index)
        self.book.active_name = ws.title  # Excel activates a new sheet
        return Sheet(self.book, ws.title)


class Sheet:
    def __init__(self, book: Book, name: str):
        self.book, self.name = book, name

    @property
    def ws(self):
        return self.book.wb[self.name]

    def activate(self):
        self.book.active_name = self.name

    def delete(self):
        self.book.wb.remove(self.ws)

    @property
    def visible(self):
        return self.ws.sheet_state == "visible"

    @visible.setter
    def visible(self, value):
        self.ws.sheet_state = "visible" if value else "hidden"

    def range(self, first, second=None) -> "Range":
        if isinstance(first, str):
            c1, r1, c2, r2 = range_boundaries(first)
            return Range(self, r1, c1, r2, c2)
        r1, c1 = first
        r2, c2 = second if second is not None else first
        return Range(self, r1, c1, r2, c2)

    def __getitem__(self, ref):
        return self.range(ref)

    @property
    def used_range(self) -> "Range":
        ws = self.ws
        return Range(self, ws.min_row, ws.min_column, ws.max_row, ws.max_column)

    @property
    def tables(self) -> list["Table"]:
        return Tables(self)

    @property
    def charts(self) -> "Charts":
        return Charts(self)

    def clear(self):
        ws = self.ws
        for row in ws.iter_rows():
            for cell in row:
                cell.value = None
                cell.style = "Normal"
                cell.comment = None


class Tables(list):
    def __init__(self, sheet: Sheet):
        super().__init__(Table(sheet, t) for t in sheet.ws.tables.values())
        self.sheet = sheet

    def add(self, source=None, name=None, **_):
        from openpyxl.worksheet.table import Table as XlTable

        t = XlTable(displayName=name, ref=source.address)
        self.sheet.ws.add_table(t)
        return Table(self.sheet, t)


class Table:
    def __init__(self, sheet: Sheet, xt):
        self.sheet, self.xt = sheet, xt

    @property
    def name(self):
        return self.xt.name

    @property
    def display_name(self):
        return self.xt.displayName

    @property
    def range(self) -> "Range":
        return self.sheet.range(self.xt.ref)

    def resize(self, rng: "Range"):
        self.xt.ref = rng.address
        if self.xt.autoFilter is not None:
            self.xt.autoFilter.ref = rng.address


class Charts(list):
    def __init__(self, sheet: Sheet):
        super().__init__(Chart(sheet, c) for c in sheet.ws._charts)
        self.sheet = sheet

    def add(self, left=0, top=0, width=355, height=211, **_):
        from openpyxl.chart import BarChart

        c = BarChart()
        self.sheet.ws.add_chart(c, "A1")
        return Chart(self.sheet, c)


class Chart:
    def __init__(self, sheet: Sheet, chart):
        self.sheet, self.chart = sheet, chart
        self.chart_type = None
        self.source = None

    def set_source_data(self, rng):
        self.source = rng.address

    @property
    def api(self):
        raise AttributeError("no COM here")

    def delete(self):
        self.sheet.ws._charts.remove(self.chart)


class Font:
    def __init__(self, rng: "Range"):
        self.rng = rng

    def _set(self, **kw):
        for cell in self.rng.cells():
            f = cell.font
            cell.font = XlFont(name=f.name, size=kw.get("size", f.size), bold=kw.get("bold", f.bold),
                               color=kw.get("color", f.color))

    bold = property(lambda self: None, lambda self, v: self._set(bold=v))
    size = property(lambda self: None, lambda self, v: self._set(size=v))
    color = property(lambda self: None,
                     lambda self, v: self._set(color="FF%02X%02X%02X" % tuple(v)))


class Note:
    def __init__(self, cell):
        self.cell = cell

    @property
    def text(self):
        return self.cell.comment.text

    @text.setter
    def text(self, value):
        self.cell.comment = Comment(value, "simulated user")

    def delete(self):
        self.cell.comment = None


class Range:
    def __init__(self, sheet: Sheet, r1, c1, r2, c2):
        self.sheet, self.row, self.column, self.r2, self.c2 = sheet, r1, c1, r2, c2

    @property
    def address(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}:{get_column_letter(self.c2)}{self.r2}"

    @property
    def last_cell(self) -> "Range":
        return Range(self.sheet, self.r2, self.c2, self.r2, self.c2)

    def cells(self):
        ws = self.sheet.ws
        for r in range(self.row, self.r2 + 1):
            for c in range(self.column, self.c2 + 1):
                yield ws.cell(row=r, column=c)

    def options(self, ndim=None, **_):
        self._ndim = ndim
        return self

    @property
    def value(self):
        ws = self.sheet.ws
        rows = [[_excel_read(ws.cell(row=r, column=c)) for c in range(self.column, self.c2 + 1)]
                for r in range(self.row, self.r2 + 1)]
        if getattr(self, "_ndim", None) == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        return rows[0] if len(rows) == 1 else rows

    @value.setter
    def value(self, v):
        ws = self.sheet.ws
        rows = v if isinstance(v, list) and v and isinstance(v[0], list) else (
            [v] if isinstance(v, list) else [[v]])
        for i, line in enumerate(rows):
            for j, x in enumerate(line):
                _excel_write(ws.cell(row=self.row + i, column=self.column + j), x)

    def clear_contents(self):
        for cell in self.cells():
            cell.value = None

    @property
    def number_format(self):
        return self.sheet.ws.cell(row=self.row, column=self.column).number_format

    @number_format.setter
    def number_format(self, fmt):
        for cell in self.cells():
            cell.number_format = fmt

    @property
    def color(self):
        fill = self.sheet.ws.cell(row=self.row, column=self.column).fill
        if fill.fill_type != "solid" or not isinstance(fill.fgColor.rgb, str):
            return None
        h = fill.fgColor.rgb[-6:]
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)

    @color.setter
    def color(self, rgb):
        for cell in self.cells():
            cell.fill = PatternFill() if rgb is None else PatternFill("solid", fgColor="FF%02X%02X%02X" % tuple(rgb))

    @property
    def font(self):
        return Font(self)

    @property
    def column_width(self):
        return self.sheet.ws.column_dimensions[get_column_letter(self.column)].width

    @column_width.setter
    def column_width(self, w):
        for c in range(self.column, self.c2 + 1):
            self.sheet.ws.column_dimensions[get_column_letter(c)].width = w

    left = property(lambda self: 0.0)
    top = property(lambda self: 0.0)

    @property
    def note(self):
        cell = self.sheet.ws.cell(row=self.row, column=self.column)
        return Note(cell) if cell.comment is not None else None

    def add_note(self, text):
        if self.note is not None:
            raise ValueError("This cell already has a note")
        cell = self.sheet.ws.cell(row=self.row, column=self.column)
        cell.comment = Comment(text, "simulated user")
        return Note(cell)
