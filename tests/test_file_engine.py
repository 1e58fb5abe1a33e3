"""The file engine reads tables by header name and writes product sheets without losing staff work."""

from __future__ import annotations

import zipfile
from datetime import date

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from consolidate_kit import add_staff_chart
from macros.adapters.engine import WorkbookEngine
from macros.adapters.file_engine import FileEngine
from macros.adapters.safe_write import BACKUP_DIR, BACKUPS_KEPT, master_lock
from macros.errors import RefusedError
from macros.schema import TABLES

UNITS = TABLES["units"]
ITEMS = TABLES["items"]


def test_file_engine_implements_the_interface(demo_master):
    assert isinstance(FileEngine(demo_master), WorkbookEngine)


def test_reads_by_header_with_title_row_reordered_columns_extras_and_blank_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "单位名册"
    ws.append(["丹东市科协单位名册（2010年）"])  # a title row above the header
    ws.append([])
    ws.append(["单位名称", "我的备注列", "单位编号", "单位类别", " 配 额 "])
    ws.append(["丹东市医学会", "重点", "XH01", "市级学会", 5])
    ws.append([None, None, None, None, None])  # blank row
    ws.append(["东港市科协", None, "QX04", "县(市)区科协", None])
    path = tmp_path / "roster.xlsx"
    wb.save(path)

    data = FileEngine(path).read_table(UNITS)
    assert data.header_row == 3
    assert list(data.frame.index) == [4, 6]
    assert list(data.frame["code"]) == ["XH01", "QX04"]
    assert data.frame.loc[4, "quota"] == 5
    assert data.frame.loc[6, "quota"] is None
    assert data.extra == ["我的备注列"] and data.frame.loc[4, "我的备注列"] == "重点"
    assert "contact" in data.missing
    assert data.cell("code", 6) == "C6"


def test_staff_edits_survive_a_product_write(demo_master):
    wb = openpyxl.load_workbook(demo_master)
    units = wb["单位名册"]
    units["B2"].fill = PatternFill("solid", fgColor="FF00B050")  # staff colour a cell
    units.column_dimensions["B"].width = 44
    items = wb["征集明细"]
    items.cell(row=1, column=len(ITEMS.columns) + 1, value="责任处室")  # staff add a column
    extra = wb.create_sheet("我的草稿")  # and a sheet of their own
    extra["A1"] = "别删我"
    extra["B2"] = "=1+1"
    wb.save(demo_master)

    engine = FileEngine(demo_master)
    rows = [{"item_id": "XH01-001", "unit_code": "XH01", "unit_name": "丹东市医学会", "title": "建设沿江经济带",
             "topic": "提升开发开放水平", "author": "王丽娟", "author_org": "丹东市医学会",
             "phone": "0415-2812345", "body": "=HYPERLINK(\"http://evil\")", "submitted_on": date(2010, 10, 9),
             "责任处室": "学会部"}]
    engine.write_table(ITEMS, rows)
    engine.save()

    wb = openpyxl.load_workbook(demo_master)
    assert wb["单位名册"]["B2"].fill.fgColor.rgb == "FF00B050"
    assert wb["单位名册"].column_dimensions["B"].width == 44
    assert wb["我的草稿"]["A1"].value == "别删我" and wb["我的草稿"]["B2"].value == "=1+1"
    items = wb["征集明细"]
    headers = [c.value for c in items[1]]
    assert headers[-1] == "责任处室" and items.cell(row=2, column=len(headers)).value == "学会部"
    body = items.cell(row=2, column=ITEMS.keys.index("body") + 1)
    assert body.data_type == "s" and body.value.startswith("=HYPERLINK")  # text, never a live formula
    assert items.tables[ITEMS.excel_name].ref.endswith("2")
    # and the read side sees exactly the new row
    frame = FileEngine(demo_master).read_table(ITEMS).frame
    assert list(frame["item_id"]) == ["XH01-001"] and frame.iloc[0]["submitted_on"] == date(2010, 10, 9)
    assert len(list((demo_master.parent / BACKUP_DIR).glob("*.xlsx"))) == 1


def test_rewrite_shrinks_the_table(demo_master):
    engine = FileEngine(demo_master)
    many = [{"item_id": f"X{i}", "unit_code": "XH01", "unit_name": "丹东市医学会", "title": f"题目{i}"} for i in range(5)]
    engine.write_table(ITEMS, many)
    engine.save()
    engine = FileEngine(demo_master)
    engine.write_table(ITEMS, many[:2])
    engine.save()
    assert len(FileEngine(demo_master).read_table(ITEMS).frame) == 2


@pytest.mark.parametrize("lock_name", ["~${name}", ".~lock.{name}#"])
def test_refuses_while_open_in_excel_or_libreoffice(demo_master, lock_name):
    before = demo_master.read_bytes()
    (demo_master.parent / lock_name.format(name=demo_master.name)).write_text("x")
    engine = FileEngine(demo_master)
    engine.write_table(ITEMS, [])
    with pytest.raises(RefusedError) as exc:
        engine.save()
    assert exc.value.exit_code == 3 and "打开" in exc.value.message
    assert demo_master.read_bytes() == before


def test_refuses_while_another_run_holds_the_lock(demo_master):
    import subprocess
    import sys

    code = ("import sys,time;from pathlib import Path;from macros.adapters.safe_write import master_lock\n"
            "with master_lock(Path(sys.argv[1])):\n print('locked',flush=True);time.sleep(30)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(demo_master)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        engine = FileEngine(demo_master)
        engine.write_table(ITEMS, [])
        with pytest.raises(RefusedError):
            engine.save()
    finally:
        proc.kill()
        proc.wait()
    with master_lock(demo_master):
        pass  # free again once the other run is gone


def test_refuses_to_drop_a_chart_staff_put_on_their_sheet(demo_master):
    add_staff_chart(demo_master)
    before = demo_master.read_bytes()
    engine = FileEngine(demo_master)
    engine.workbook()  # a save that goes through openpyxl (marks, reports) would drop the chart
    engine.write_table(ITEMS, [])
    with pytest.raises(RefusedError) as exc:
        engine.save()
    assert "图表" in exc.value.message and "单位名册" in exc.value.message
    assert demo_master.read_bytes() == before


def test_a_splice_that_cannot_stream_refuses_instead_of_dropping_a_chart(demo_master, monkeypatch):
    """A table-only save streams the rows in and keeps the chart; when the streaming rewrite
    cannot handle the file, the openpyxl fallback is refused rather than dropping the chart."""
    from macros.adapters import xlsx_splice

    add_staff_chart(demo_master)
    engine = FileEngine(demo_master)
    engine.write_table(ITEMS, [])
    engine.save()
    assert any(n.startswith("xl/charts/") for n in zipfile.ZipFile(demo_master).namelist())
    before = demo_master.read_bytes()

    def unsupported(*_a, **_k):
        raise xlsx_splice.SpliceUnsupported("test: pretend the sheet XML is unusual")

    monkeypatch.setattr(xlsx_splice, "splice_tables", unsupported)
    engine = FileEngine(demo_master)
    engine.write_table(ITEMS, [])
    with pytest.raises(RefusedError) as exc:
        engine.save()
    assert "图表" in exc.value.message
    assert demo_master.read_bytes() == before


def test_backups_are_capped(demo_master):
    for _ in range(BACKUPS_KEPT + 3):
        engine = FileEngine(demo_master)
        engine.write_table(ITEMS, [])
        engine.save()
    assert len(list((demo_master.parent / BACKUP_DIR).glob("*.xlsx"))) == BACKUPS_KEPT
    with zipfile.ZipFile(demo_master) as zf:
        assert zf.testzip() is None


def test_a_table_spliced_in_beside_charts_is_saved_and_the_charts_stay(demo_master):
    """Only the spliced table changes (no openpyxl round trip), so 统计's charts are no reason to refuse."""
    import zipfile

    from macros.app.tally import run_tally
    from macros.schema import TABLES

    run_tally(FileEngine(demo_master))
    charts = sorted(n for n in zipfile.ZipFile(demo_master).namelist() if n.startswith("xl/charts/"))
    assert charts
    engine = FileEngine(demo_master)
    engine.write_table(TABLES["members"], [{"member_no": "M1", "name": "王建国"}])
    engine.save()
    assert sorted(n for n in zipfile.ZipFile(demo_master).namelist() if n.startswith("xl/charts/")) == charts
    assert FileEngine(demo_master).read_table(TABLES["members"]).records()[0]["name"] == "王建国"
