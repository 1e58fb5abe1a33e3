"""The streamed rewrite of table rows (xlsx_splice through FileEngine) keeps everything else."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from macros.adapters.engine import Formula
from macros.adapters.file_engine import FileEngine
from macros.adapters.xlsx_splice import SpliceUnsupported, TableSplice, sheet_part_of, splice_tables
from macros.schema import ITEMS, SUBMISSIONS


def _rows(n: int, start: int = 0) -> list[dict]:
    return [{"item_id": f"XH01-{i:03d}", "unit_code": "XH01", "unit_name": "丹东市医学会", "title": f"题目{i}",
             "topic": "提升开发开放水平", "body": f"正文{i}", "word_count": 3, "submitted_on": date(2010, 10, 9),
             "score": 80.5} for i in range(start, start + n)]


def _calamine_rows(path: Path, sheet: str) -> list[list]:
    wb = CalamineWorkbook.from_path(str(path))
    try:
        return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    finally:
        wb.close()


def _sheet_xml(path: Path, sheet: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(sheet_part_of(path, sheet))


def test_grow_then_shrink_keeps_cells_beside_the_table_and_row_heights(demo_master):
    wb = openpyxl.load_workbook(demo_master)
    ws = wb["征集明细"]
    ws["Z3"] = "旁边的批注"  # a note outside the table, in a data row
    ws.row_dimensions[3].height = 40
    wb.save(demo_master)

    engine = FileEngine(demo_master)
    engine.write_table(ITEMS, _rows(10))
    engine.save()
    wb = openpyxl.load_workbook(demo_master)
    ws = wb["征集明细"]
    assert ws["Z3"].value == "旁边的批注" and ws.row_dimensions[3].height == 40
    assert ws.tables[ITEMS.excel_name].ref == "A1:R11"
    assert ws["M2"].value == datetime(2010, 10, 9) and ws["M2"].number_format == "yyyy-mm-dd"
    assert ws["P2"].number_format == "0.0" and ws["K2"].alignment.wrap_text
    assert b"<dimension" not in _sheet_xml(demo_master, "征集明细")

    engine = FileEngine(demo_master)
    engine.write_table(ITEMS, _rows(3, start=100))
    engine.save()
    frame = FileEngine(demo_master).read_table(ITEMS).frame
    assert list(frame["item_id"]) == ["XH01-100", "XH01-101", "XH01-102"]
    ws = openpyxl.load_workbook(demo_master)["征集明细"]
    assert ws.tables[ITEMS.excel_name].ref == "A1:R4" and ws["Z3"].value == "旁边的批注"
    assert all(ws.cell(row=r, column=c).value is None for r in range(5, 12) for c in range(1, 19))


def test_text_is_escaped_and_read_back_exactly(demo_master):
    nasty = ['<b>&amp;"引号"</b>', "=1+1", "行一\r\n行二\r行三", "控制\x01字符\x1f", "长" * 40000, " 前后空格 ", "😀"]
    rows = [{"item_id": f"N{i}", "title": t} for i, t in enumerate(nasty)]
    engine = FileEngine(demo_master)
    engine.write_table(ITEMS, rows)
    engine.save()
    got = [r["title"] for r in FileEngine(demo_master).read_table(ITEMS).records()]
    assert got[0] == '<b>&amp;"引号"</b>' and got[1] == "=1+1"
    assert got[2] == "行一\n行二\r行三" and got[3] == "控制字符"
    assert got[4] == "长" * 32767  # Excel's limit for one cell
    assert got[5] == " 前后空格 " and got[6] == "😀"
    ws = openpyxl.load_workbook(demo_master)["征集明细"]
    assert ws["D3"].data_type == "s"


def test_reads_in_the_same_session_see_the_pending_rows(demo_master):
    engine = FileEngine(demo_master)
    engine.write_table(ITEMS, _rows(4) + [{"item_id": None, "title": None}] + _rows(1, start=9))
    data = engine.read_table(ITEMS)
    assert list(data.frame["item_id"]) == ["XH01-000", "XH01-001", "XH01-002", "XH01-003", "XH01-009"]
    assert list(data.frame.index) == [2, 3, 4, 5, 7]  # the blank row keeps its place
    assert data.cell("title", 7) == "D7"
    grid = engine.read_grid("征集明细")
    assert grid[0][0] == "编号" and grid[1][0] == "XH01-000" and len(grid) == 7
    assert FileEngine(demo_master).read_table(ITEMS).frame.empty  # nothing on disk before save


def test_calc_chain_and_shared_strings_of_an_excel_saved_master(demo_master, tmp_path):
    """A master last saved by Excel: shared strings and a calcChain.xml listing a formula cell."""
    engine = FileEngine(demo_master)
    engine.write_table(ITEMS, _rows(2))
    engine.save()
    src = demo_master
    excelish = tmp_path / "excel.xlsx"
    part = sheet_part_of(src, "征集明细")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(excelish, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                data = data.replace(b"</row></sheetData>", b'<c r="Z2"><f>1+1</f><v>2</v></c></row></sheetData>', 1)
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdCC" Type="http://schemas.openxml'
                                    b'formats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/>'
                                    b"</Relationships>")
            zout.writestr(info, data)
        zout.writestr("xl/calcChain.xml", b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                          b'<c r="Z2" i="9"/></calcChain>')
    engine = FileEngine(excelish)
    engine.write_table(ITEMS, _rows(5))
    engine.save()
    with zipfile.ZipFile(excelish) as zf:
        names = zf.namelist()
        assert "xl/calcChain.xml" not in names
        assert b"calcChain" not in zf.read("[Content_Types].xml")
        assert b"calcChain" not in zf.read("xl/_rels/workbook.xml.rels")
    ws = openpyxl.load_workbook(excelish)["征集明细"]
    assert ws["Z2"].value == "=1+1"  # a cell beside the table, formula and all
    assert len(FileEngine(excelish).read_table(ITEMS).frame) == 5


def test_a_prefixed_namespace_worksheet_is_spliced(demo_master, tmp_path):
    """Some writers spell every element with a prefix (<x:row>, <x:c>)."""
    part = sheet_part_of(demo_master, "征集明细")
    prefixed = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(demo_master) as zin, zipfile.ZipFile(prefixed, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                data = re.sub(rb"<(/?)(?!\?)([A-Za-z]\w*)(?=[\s/>])", rb"<\1x:\2", data)
                data = data.replace(b'<x:worksheet xmlns="', b'<x:worksheet xmlns:x="', 1)
            zout.writestr(info, data)
    assert b"<x:sheetData" in _sheet_xml(prefixed, "征集明细")
    engine = FileEngine(prefixed)
    engine.write_table(ITEMS, _rows(3))
    engine.save()
    assert b"<x:row" in _sheet_xml(prefixed, "征集明细")
    assert [r[0] for r in _calamine_rows(prefixed, "征集明细")[1:]] == ["XH01-000", "XH01-001", "XH01-002"]


def test_what_the_stream_does_not_handle_falls_back_to_openpyxl(demo_master):
    wb = openpyxl.load_workbook(demo_master)
    wb["征集明细"].tables[ITEMS.excel_name].totalsRowCount = 1
    wb.save(demo_master)
    with pytest.raises(SpliceUnsupported):
        splice_tables(demo_master, demo_master.with_name("x.xlsx"),
                      [TableSplice("征集明细", ITEMS.excel_name, 1, {"item_id": 1}, _rows(1))])
    engine = FileEngine(demo_master)
    engine.write_table(ITEMS, _rows(2))
    engine.write_table(SUBMISSIONS, [{"file": "a.xlsx", "unit": "丹东市医学会", "rows": 2,
                                      "received_at": datetime(2010, 10, 9, 9, 30), "result": "已汇总"}])
    engine.save()
    assert list(FileEngine(demo_master).read_table(ITEMS).frame["item_id"]) == ["XH01-000", "XH01-001"]
    sub = FileEngine(demo_master).read_table(SUBMISSIONS).records()[0]
    assert sub["received_at"] == datetime(2010, 10, 9, 9, 30) and sub["rows"] == 2


def test_formulas_go_through_openpyxl(demo_master):
    engine = FileEngine(demo_master)
    engine.write_table(ITEMS, [{"item_id": "F1", "word_count": Formula("=LEN(K2)"), "body": "三个字"}])
    engine.save()
    ws = openpyxl.load_workbook(demo_master)["征集明细"]
    assert ws["L2"].value == "=LEN(K2)" and ws["K2"].value == "三个字"


_ANY_VALUE = st.one_of(
    st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(["<b>&amp;</b>", "]]>", "=1+1", "-1", "@x", "\r\n", "\x00\x1f\ufffe\uffff", "\u202e题目"]),
    st.integers(-10**18, 10**18), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.dates(), st.datetimes(), st.times(),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.fixed_dictionaries({k: _ANY_VALUE for k in ("item_id", "title", "body", "submitted_on",
                                                                "word_count", "score")}), min_size=1, max_size=4))
def test_the_new_cells_are_well_formed_whatever_they_hold(demo_master_template, rows):
    """The streamed check leaves the new cells out (they are well-formed by construction): any
    value written must give a sheet that expat parses whole."""
    import io
    from xml.parsers import expat

    engine = FileEngine(demo_master_template)
    engine.write_table(ITEMS, rows)
    splices, _fallback = engine._plan()
    out = io.BytesIO()
    splice_tables(demo_master_template, out, splices)
    with zipfile.ZipFile(out) as zf:
        xml = zf.read(sheet_part_of(demo_master_template, ITEMS.sheet))
    expat.ParserCreate().Parse(xml, True)  # raises on anything not well-formed
    assert xml.count(b"<row ") >= len(rows)


def test_a_broken_cell_kept_from_the_old_sheet_is_still_caught(demo_master, tmp_path):
    """Cells beside the table are copied from the old sheet and still go through the check."""
    src = tmp_path / "broken.xlsx"
    part = sheet_part_of(demo_master, ITEMS.sheet)
    with zipfile.ZipFile(demo_master) as zin, zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:  # a cell beside the table whose text was never closed
                data = re.sub(rb"(<row [^>]*r=\"2\"[^>]*>)", rb'\1<c r="Z2" t="inlineStr"><is><t>x</is></c>', data, count=1)
                assert b'r="Z2"' in data
            zout.writestr(info, data)
    engine = FileEngine(demo_master)  # the layout, from the sound copy (calamine refuses the broken one)
    engine.write_table(ITEMS, _rows(3))
    splices, _fallback = engine._plan()
    with pytest.raises(SpliceUnsupported):
        splice_tables(src, tmp_path / "out.xlsx", splices)
