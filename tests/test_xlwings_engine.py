"""The xlwings engine's planning steps, checked without Excel: they must put the same values in
the same cells as the file engine does (xlsx_tables.write_table_rows, xlsx_marks)."""

from __future__ import annotations

import copy
from datetime import date, datetime

import openpyxl
import pandas as pd

from macros.adapters.engine import CellMark, ChartSpec, Formula
from macros.adapters.file_engine import FileEngine
from macros.adapters.xlwings_engine import (
    NOTE_OURS, NOTE_STAFF, argb_from_rgb, chart_source_box, excel_value, grid_from_used_range,
    plan_marks, plan_table_write, rgb_from_argb,
)
from macros.core.grid import locate_table
from macros.schema import TABLES

ITEMS = TABLES["items"]


def test_grid_is_padded_to_start_at_a1():
    grid = grid_from_used_range([["a", 1.0], ["b", datetime(2010, 10, 9)]], first_row=3, first_col=2)
    assert grid == [
        [None, None, None],
        [None, None, None],
        [None, "a", 1.0],
        [None, "b", date(2010, 10, 9)],  # whole-day datetimes read as dates, like calamine
    ]
    assert grid_from_used_range(None, 1, 1) == [[None]]  # an empty sheet: used range A1
    assert grid_from_used_range([[datetime(2010, 10, 9, 8, 30)]], 1, 1) == [[datetime(2010, 10, 9, 8, 30)]]


def test_excel_value_keeps_text_text():
    assert excel_value("001") == "'001"
    assert excel_value("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert excel_value("'quoted") == "''quoted"
    assert excel_value(Formula("=SUM(B2:B9)")) == "=SUM(B2:B9)"
    assert excel_value("") is None and excel_value(None) is None
    assert excel_value(float("nan")) is None and excel_value(pd.NaT) is None
    assert excel_value(3) == 3 and excel_value(date(2010, 1, 2)) == date(2010, 1, 2)
    assert len(excel_value("字" * 40000)) == 32767


def _apply(grid, plan):
    """What Excel would hold after the plan's writes (the ' prefix is not part of a value)."""
    out = copy.deepcopy(grid)
    width = max(len(r) for r in out)
    for cw in plan.columns:
        width = max(width, cw.column)
    while len(out) < plan.last_row:
        out.append([None] * width)
    out = [r + [None] * (width - len(r)) for r in out]
    for cw in plan.columns:
        for i, v in enumerate(cw.values):
            if isinstance(v, str) and v.startswith("'"):
                v = v[1:]
            out[plan.first_row - 1 + i][cw.column - 1] = v
    return out


ROWS = [
    {"item_id": "XH01-001", "unit_code": "XH01", "unit_name": "丹东市医学会", "title": "建设沿江经济带",
     "phone": "0415-2812345", "submitted_on": date(2010, 10, 9), "word_count": 1200, "责任处室": "学会部"},
    {"item_id": "XH01-002", "unit_code": "XH01", "unit_name": "丹东市医学会", "title": "发展港口物流",
     "adopted": "是", "责任处室": None},
]


def _records(grid):
    frame = locate_table(grid, ITEMS).frame
    return [{k: (v.date() if isinstance(v, datetime) else v) for k, v in r.items()} for r in frame.to_dict("records")]


def test_table_plan_matches_the_file_engine(demo_master):
    # Staff added a column right of the table, and there are old rows to clear.
    wb = openpyxl.load_workbook(demo_master)
    ws = wb[ITEMS.sheet]
    ws.cell(row=1, column=len(ITEMS.columns) + 1, value="责任处室")
    wb.save(demo_master)
    old = FileEngine(demo_master)
    old.write_table(ITEMS, ROWS * 3)
    old.save()

    before = FileEngine(demo_master).read_grid(ITEMS.sheet)
    xt = openpyxl.load_workbook(demo_master)[ITEMS.sheet].tables[ITEMS.excel_name]
    from openpyxl.utils.cell import range_boundaries

    c1, r1, c2, r2 = range_boundaries(xt.ref)
    plan = plan_table_write(before[0], r1, ITEMS, ROWS, old_last=r2, span=(c1, c2))
    simulated = _apply(before, plan)

    engine = FileEngine(demo_master)
    engine.write_table(ITEMS, ROWS)
    engine.save()
    actual = FileEngine(demo_master).read_grid(ITEMS.sheet)
    assert _records(simulated) == _records(actual)
    assert plan.table_ref == (1, c1, 3, c2)
    assert plan.last_row == 7  # the four old rows below the new two are cleared
    formats = {cw.column: cw.number_format for cw in plan.columns}
    assert formats[ITEMS.keys.index("submitted_on") + 1] == "yyyy-mm-dd"


def test_table_plan_without_excel_table_and_no_rows():
    header = ITEMS.headers
    plan = plan_table_write(header, 1, ITEMS, [], old_last=1)
    assert plan.columns == [] and plan.table_ref is None
    plan = plan_table_write(header, 1, ITEMS, [], old_last=4)
    assert all(cw.values == [None] * 3 for cw in plan.columns)


def test_mark_plan():
    memo = [
        ["单位名册", "C2", "solid", "FF00B050", NOTE_OURS],
        ["单位名册", "C3", None, None, None],
        ["任务分工", "B2", None, None, NOTE_STAFF],
        [None, None, None, None, None],
    ]
    plan = plan_marks(memo, "单位名册", [CellMark("单位名册", "C3", "单位类别为空", "warning"),
                                        CellMark("单位名册", "D9", "电话格式不对"),
                                        CellMark("单位名册", "D9", "电话为空", "warning")])
    assert plan.remove == [["单位名册", "C2", "solid", "FF00B050", NOTE_OURS]]
    assert [(m.cell, m.level) for m in plan.add] == [("C3", "warning"), ("D9", "error")]
    assert plan.add[1].message == "电话格式不对\n电话为空"  # one mark per cell, as xlsx_marks
    assert plan.previous == {"C3": ["单位名册", "C3", None, None, None]}
    assert plan.memo_rows == [["任务分工", "B2", None, None, NOTE_STAFF]]


def test_colours_and_chart_box():
    assert rgb_from_argb("FFFFC7CE") == (255, 199, 206)
    assert argb_from_rgb((0, 176, 80)) == "FF00B050"
    assert rgb_from_argb(None) is None and argb_from_rgb(None) is None
    spec = ChartSpec("col", "有效条数", "E2", "A3:A40", [("应报", "B3:B40"), ("有效", "D3:D40")])
    assert chart_source_box(spec) == (3, 1, 40, 4)


# --- the engine's own code over the simulated xlwings object model (tests/simulated_xlwings.py)


def test_marks_restore_fill_and_spare_staff_notes(demo_master):
    import simulated_xlwings

    from macros.adapters.xlwings_engine import XlwingsEngine

    book = simulated_xlwings.Book(demo_master)
    sheet = book.sheets["单位名册"]
    sheet.range("C2").color = (0, 176, 80)  # staff colour
    sheet.range("C3").add_note("请核对类别")  # a staff note
    engine = XlwingsEngine(book)
    engine.mark_cells("单位名册", [CellMark("单位名册", "C2", "单位类别不在下拉列表中"),
                                   CellMark("单位名册", "C3", "单位类别为空", "warning")])
    assert book.active_name == "说明"  # the hidden memo sheet did not take the user's view
    assert sheet.range("C2").color == (0xFF, 0xC7, 0xCE) and sheet.range("C2").note.text == "单位类别不在下拉列表中"
    assert sheet.range("C3").color == (0xFF, 0xEB, 0x9C) and sheet.range("C3").note.text == "请核对类别"
    assert not book.sheets["_kexie_marks"].visible
    # Validation runs again: C2 is fine now, C3 changes message.
    engine.mark_cells("单位名册", [CellMark("单位名册", "C3", "单位类别仍为空", "warning")])
    assert sheet.range("C2").color == (0, 176, 80) and sheet.range("C2").note is None
    assert sheet.range("C3").note.text == "请核对类别"
    sheet.range("C3").color = (0, 0, 255)  # the staff recolour a marked cell
    engine.mark_cells("单位名册", [])
    assert sheet.range("C3").color == (0, 0, 255) and sheet.range("C3").note.text == "请核对类别"
    assert "_kexie_marks" not in engine.sheet_names()  # no mark left: no memo


def test_marks_made_headless_are_cleared_live_and_back(demo_master):
    import simulated_xlwings

    from macros.adapters.xlwings_engine import XlwingsEngine

    headless = FileEngine(demo_master)
    headless.mark_cells("单位名册", [CellMark("单位名册", "C2", "单位类别不在下拉列表中")])
    headless.save()
    book = simulated_xlwings.Book(demo_master)
    engine = XlwingsEngine(book)
    engine.mark_cells("单位名册", [CellMark("单位名册", "D4", "职务为空", "warning")])
    sheet = book.sheets["单位名册"]
    assert sheet.range("C2").note is None and sheet.range("C2").color is None
    assert sheet.range("D4").note.text == "职务为空"
    book.wb.save(demo_master)  # as if saved in Excel
    headless = FileEngine(demo_master)
    headless.mark_cells("单位名册", [])
    headless.save()
    wb = openpyxl.load_workbook(demo_master)
    assert wb["单位名册"]["D4"].fill.fill_type is None and "_kexie_marks" not in wb.sheetnames


def test_report_is_rewritten_in_place(demo_master):
    import simulated_xlwings

    from macros.adapters.engine import Block, ReportSheet
    from macros.adapters.xlwings_engine import XlwingsEngine

    book = simulated_xlwings.Book(demo_master)
    position = book.wb.sheetnames.index("统计")
    engine = XlwingsEngine(book)
    engine.write_report(ReportSheet("统计", [Block("A1", [["单位", "有效"]] + [[f"单位{i}", i] for i in range(9)])],
                                    [ChartSpec("col", "有效", "E2", "A2:A10", [("有效", "B2:B10")])]))
    engine.write_report(ReportSheet("统计", [Block("A1", [["单位", "有效"], ["甲", 1]])]))
    assert book.wb.sheetnames.index("统计") == position
    grid = engine.read_grid("统计")
    assert grid[:2] == [["单位", "有效"], ["甲", 1.0]] and all(v is None for row in grid[2:] for v in row)
    assert len(book.sheets["统计"].charts) == 0


def test_status_bar_progress(demo_master):
    import simulated_xlwings

    from macros.adapters.xlwings_engine import XlwingsEngine

    book = simulated_xlwings.Book(demo_master)
    engine = XlwingsEngine(book)
    engine.progress(3, 10, "正在校验")
    assert book.app.status_bar == "科协工作台：正在校验 30%"
    engine.progress(10, 10)
    assert book.app.status_bar is False


def test_write_table_creates_a_missing_product_sheet(demo_master):
    import simulated_xlwings

    from macros.adapters.xlwings_engine import XlwingsEngine

    subs = TABLES["submissions"]
    book = simulated_xlwings.Book(demo_master)
    book.wb.remove(book.wb[subs.sheet])
    engine = XlwingsEngine(book)
    engine.write_table(subs, [{"file": "丹东市医学会.xlsx", "unit": "丹东市医学会", "rows": 3, "result": "已汇总"}])
    frame = engine.read_table(subs).frame
    assert frame.to_dict("records")[0]["file"] == "丹东市医学会.xlsx" and frame.iloc[0]["rows"] == 3
    assert book.wb[subs.sheet].tables[subs.excel_name].ref == "A1:F2"
