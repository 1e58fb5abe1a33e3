"""One contract for every WorkbookEngine: run against the file engine always, and against the
xlwings engine on a workbook open in Excel where Excel is present (skipped elsewhere).

A third parameter runs the xlwings engine's code over tests/simulated_xlwings.py (the xlwings
object model imitated over an in-memory openpyxl workbook): it executes every line of the
engine on any OS, but it is a simulation — only the "xlwings" parameter proves it in Excel."""

from __future__ import annotations

import sys
from datetime import date

import pytest

from macros.adapters.engine import Block, CellMark, ChartSpec, ReportSheet, WorkbookEngine
from macros.schema import SETTINGS_SHEET, SHEET_NAMES, TABLES

UNITS = TABLES["units"]
ITEMS = TABLES["items"]
MEMO = "_kexie_marks"


def _excel_unavailable_reason() -> str | None:
    if sys.platform not in ("win32", "darwin"):
        return (f"Microsoft Excel does not run on {sys.platform}: the xlwings engine is checked "
                "on Windows/macOS with Excel; here the contract runs against the file engine only")
    try:
        import xlwings as xw

        app = xw.App(visible=False, add_book=False)
        app.quit()
    except Exception as exc:  # no Excel installed, or it cannot be automated here
        return f"Microsoft Excel cannot be started through xlwings here ({exc})"
    return None


class FileSession:
    def __init__(self, path):
        self.path = path

    def engine(self) -> WorkbookEngine:
        from macros.adapters.file_engine import FileEngine

        return FileEngine(self.path)

    def close(self):
        pass


class SimulatedExcelSession:
    def __init__(self, path):
        import simulated_xlwings

        self.book = simulated_xlwings.Book(path)

    def engine(self) -> WorkbookEngine:
        from macros.adapters.xlwings_engine import XlwingsEngine

        return XlwingsEngine(self.book)

    def close(self):
        pass


class ExcelSession:
    def __init__(self, path):
        import xlwings as xw

        self.app = xw.App(visible=False, add_book=False)
        self.app.display_alerts = False
        self.book = self.app.books.open(str(path))

    def engine(self) -> WorkbookEngine:
        from macros.adapters.xlwings_engine import XlwingsEngine

        return XlwingsEngine(self.book)

    def close(self):
        try:
            self.book.close()
        finally:
            self.app.quit()


@pytest.fixture(params=["file", "xlwings", "simulated-xlwings"])
def session(request, demo_master):
    if request.param == "simulated-xlwings":
        s = SimulatedExcelSession(demo_master)
    elif request.param == "xlwings":
        reason = _excel_unavailable_reason()
        if reason:
            pytest.skip(reason)
        s = ExcelSession(demo_master)
    else:
        s = FileSession(demo_master)
    yield s
    s.close()


def test_implements_the_interface(session):
    assert isinstance(session.engine(), WorkbookEngine)


def test_sheet_names(session):
    names = session.engine().sheet_names()
    assert [n for n in names if n in SHEET_NAMES] == list(SHEET_NAMES)


def test_read_grid_starts_at_a1(session):
    grid = session.engine().read_grid(UNITS.sheet)
    assert [grid[0][j] for j in range(3)] == UNITS.headers[:3]
    assert len({len(row) for row in grid}) == 1  # rectangular


def test_read_table_and_settings(session):
    engine = session.engine()
    data = engine.read_table(UNITS)
    assert data.found and data.header_row == 1
    assert data.frame.index[0] == 2 and data.cell("code", 2) == "A2"
    assert data.frame.loc[2, "code"] == "XH01"
    settings = engine.read_settings()
    assert settings["campaign_name"] == "献策“十二五”，建设新丹东"
    assert SETTINGS_SHEET in engine.sheet_names()


ROWS = [
    {"item_id": "XH01-001", "unit_code": "XH01", "unit_name": "丹东市医学会", "title": "建设沿江经济带",
     "author": "王丽娟", "phone": "0415-2812345", "body": "=HYPERLINK(\"http://evil\")",
     "word_count": 1200, "submitted_on": date(2010, 10, 9), "source_file": "001"},
    {"item_id": "XH01-002", "unit_code": "XH01", "unit_name": "丹东市医学会", "title": "发展港口物流",
     "submitted_on": date(2010, 10, 21)},
]


def test_write_table_round_trip(session):
    engine = session.engine()
    engine.write_table(ITEMS, ROWS)
    engine.save()
    frame = session.engine().read_table(ITEMS).frame
    assert list(frame["item_id"]) == ["XH01-001", "XH01-002"]
    first = frame.iloc[0]
    assert first["body"] == "=HYPERLINK(\"http://evil\")"  # text, never a live formula
    assert first["phone"] == "0415-2812345" and first["source_file"] == "001"  # text stays text
    assert first["submitted_on"] == date(2010, 10, 9)
    assert first["word_count"] == 1200
    assert frame.iloc[1]["body"] is None


def test_write_table_shrinks(session):
    engine = session.engine()
    engine.write_table(ITEMS, ROWS * 3)
    engine.save()
    engine = session.engine()
    engine.write_table(ITEMS, ROWS[:1])
    engine.save()
    assert list(session.engine().read_table(ITEMS).frame["item_id"]) == ["XH01-001"]


def test_write_report(session):
    engine = session.engine()
    report = ReportSheet("统计", blocks=[
        Block("A1", [["单位", "有效"], ["丹东市医学会", 3], ["东港市科协", 1]], title="按单位统计"),
    ], charts=[ChartSpec("col", "有效条数", "E2", "A3:A4", [("有效", "B3:B4")])])
    engine.write_report(report)
    engine.save()
    grid = session.engine().read_grid("统计")
    assert grid[0][0] == "按单位统计"
    assert grid[1][:2] == ["单位", "有效"]
    assert grid[2][:2] == ["丹东市医学会", 3] and grid[3][:2] == ["东港市科协", 1]


def test_marks_are_replaced(session):
    engine = session.engine()
    engine.mark_cells(UNITS.sheet, [CellMark(UNITS.sheet, "C2", "单位类别不在下拉列表中"),
                                    CellMark(UNITS.sheet, "C3", "单位类别为空", "warning")])
    engine.mark_cells("不存在的表", [CellMark("不存在的表", "A1", "x")])  # ignored
    engine.save()
    engine = session.engine()
    memo = [row[:2] for row in engine.read_grid(MEMO)[1:] if row and row[0]]
    assert sorted(memo) == [[UNITS.sheet, "C2"], [UNITS.sheet, "C3"]]
    engine.mark_cells(UNITS.sheet, [CellMark(UNITS.sheet, "C3", "单位类别为空", "warning")])
    engine.save()
    memo = [row[:2] for row in session.engine().read_grid(MEMO)[1:] if row and row[0]]
    assert memo == [[UNITS.sheet, "C3"]]


def test_progress_never_fails(session):
    engine = session.engine()
    engine.progress(0, 10, "正在校验")
    engine.progress(5, 10, "正在校验")
    engine.progress(10, 10)
    engine.progress(0, 0)
