"""统计 written straight into the package (xlsx_report_xml / xlsx_report_parts) equals what the
openpyxl path writes: both paths run on copies of the same real workbook for the same
ReportSheet and the results are read back with openpyxl and python-calamine (and opened by
LibreOffice)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath

import openpyxl
import pytest
import tally_rows
from hypothesis import HealthCheck, given, settings, strategies as st
from python_calamine import CalamineWorkbook

from consolidate_kit import add_staff_chart
from macros.adapters.engine import Block, CellMark, ChartSpec, Formula, ReportSheet
from macros.adapters.file_engine import FileEngine
from macros.adapters.safe_write import _rels, _sheet_parts
from macros.adapters.xlsx_cells import cell_text
from macros.adapters.xlsx_splice import SpliceUnsupported, splice_tables
from macros.app.campaign import load_campaign
from macros.app.tally import write_stats
from macros.core.tally import compute_tally
from macros.schema import ITEMS, STATS_SHEET

TODAY = date(2010, 10, 25)


def tally_report(master: Path) -> ReportSheet:
    engine = FileEngine(master)
    campaign = load_campaign(engine)
    return write_stats(engine, campaign, compute_tally(campaign, TODAY)).report


def awkward_report(name: str = STATS_SHEET) -> ReportSheet:
    rows = [["名称", "数量", "日期", "比例", "备注"],
            ["=SUM(1)", 3, date(2010, 10, 1), 0.25, None],
            ["+86 0415", 2.5, datetime(2010, 10, 2, 9, 30), Formula("=B3/B4"), "@某人"],
            ["-1", True, time(8, 15), 1 / 3, "行一\n行二\r\n行三"],
            ["a\x01b\ufffe", 10 ** 12, None, Formula("=SUM(B2:B4)"), "🎉\u202e\u200b"]]
    return ReportSheet(name, blocks=[
        Block("A1", [["标题行", "说明"]], title="=总表", header=False, widths={0: 22.5}),
        Block("A5", rows, title="各项", formats={1: "0.0", 2: "yyyy年m月d日", 3: "0.00%"},
              widths={0: 14, 1: 9, 4: 30}),
        Block("H5", [["类别", "件数"], ["甲", 4], ["乙", 7], ["丙", 1]], title="分类"),
    ], charts=[
        ChartSpec("bar", "条形", "K2", "H7:H9", [("件数", "I7:I9")], y_title="件"),
        ChartSpec("col", "柱形", "K20", "H7:H9", [("件数", "I7:I9"), ("再来", "I7:I9")]),
        ChartSpec("line", "折线", "K38", "H7:H9", [("件数", "I7:I9")]),
        ChartSpec("pie", "饼图", "K56", "H7:H9", [("件数", "I7:I9")], width_cm=10, height_cm=10),
    ])


def write(path: Path, report: ReportSheet, openpyxl_path: bool) -> None:
    engine = FileEngine(path)
    if openpyxl_path:
        engine.workbook()  # today's path: the sheet is drawn into a loaded workbook
    engine.write_report(report)
    engine.save()


def both(src: Path, tmp: Path, report: ReportSheet) -> tuple[Path, Path]:
    direct, viaopx = tmp / "direct.xlsx", tmp / "openpyxl.xlsx"
    shutil.copy(src, direct)
    shutil.copy(src, viaopx)
    write(direct, report, False)
    write(viaopx, report, True)
    return direct, viaopx


def style_of(cell) -> tuple:
    f, fill, al = cell.font, cell.fill, cell.alignment
    return (cell.number_format, bool(f.b), f.color.rgb if f.color is not None else None, f.sz, f.name,
            fill.fill_type, fill.fgColor.rgb if fill.fill_type else None, al.horizontal, bool(al.wrap_text),
            bool(cell.quotePrefix))


def cells(ws) -> dict[str, tuple]:
    return {c.coordinate: (c.value, c.data_type, style_of(c)) for row in ws.iter_rows() for c in row
            if c.value is not None or c.has_style}


def charts(ws) -> list[tuple]:
    out = []
    for ch in ws._charts:
        refs = [(s.val.numRef.f, s.cat.strRef.f if s.cat.strRef is not None else s.cat.numRef.f,
                 s.tx.v) for s in ch.series]
        anchor = ch.anchor._from
        out.append((type(ch).__name__, getattr(ch, "type", None), refs, anchor.col, anchor.row))
    return out


def layout(ws) -> tuple:
    ps, pm = ws.page_setup, ws.page_margins
    return (ps.orientation, ps.paperSize, ps.fitToWidth, ps.fitToHeight,
            ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None,
            ws.print_options.horizontalCentered, pm.left, pm.right, pm.top, pm.bottom,
            ws.oddFooter.center.text, ws.print_title_rows,
            {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth})


def assert_same_sheet(a: Path, b: Path, name: str = STATS_SHEET) -> None:
    wa, wb = openpyxl.load_workbook(a)[name], openpyxl.load_workbook(b)[name]
    ca, cb = cells(wa), cells(wb)
    assert ca.keys() == cb.keys()
    for ref in ca:
        assert ca[ref] == cb[ref], ref
    assert layout(wa) == layout(wb)
    assert charts(wa) == charts(wb)
    grid_a = CalamineWorkbook.from_path(str(a)).get_sheet_by_name(name).to_python()
    grid_b = CalamineWorkbook.from_path(str(b)).get_sheet_by_name(name).to_python()
    assert grid_a == grid_b


def part_bytes(path: Path, sheet: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(_sheet_parts(zf)[sheet])


def assert_nothing_dangles(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        ct = zf.read("[Content_Types].xml").decode("utf-8")
        for part in re.findall(r'PartName="/([^"]+)"', ct):
            assert part in names, part
        targets = set()
        for rels in (n for n in names if n.endswith(".rels")):
            p = PurePosixPath(rels)
            source = "" if str(p.parent.parent) == "." else str(p.parent.parent / p.name[:-5])
            assert source == "" or source in names, rels
            for _rid, _type, target in _rels(zf, source):
                if not target.startswith(("http:", "https:", "mailto:", "file:")):
                    assert target in names, (rels, target)
                    targets.add(target)
        for part in names:
            if part.startswith(("xl/charts/", "xl/drawings/")) and not part.endswith(".rels"):
                assert part in targets, f"{part} is referenced by nothing"
                assert f"/{part}" in ct, f"{part} has no content type"


# --- the real 统计 of a campaign ----------------------------------------------------------------

def test_the_tally_sheet_is_the_same_through_both_paths(demo_master, tmp_path):
    report = tally_report(demo_master)
    direct, viaopx = both(demo_master, tmp_path, report)
    assert_same_sheet(direct, viaopx)
    assert len(openpyxl.load_workbook(direct)[STATS_SHEET]._charts) == len(report.charts) > 0
    assert_nothing_dangles(direct)


def test_the_direct_path_copies_every_other_part_as_it_is(demo_master, tmp_path):
    """An XML comment in 设置 (which an openpyxl load and save drops) survives: the package
    is copied, not rewritten by openpyxl."""
    mark_sheet(demo_master, "设置")
    direct, viaopx = both(demo_master, tmp_path, tally_report(demo_master))
    for sheet in ("设置", "单位名册", ITEMS.sheet):
        assert part_bytes(direct, sheet) == part_bytes(demo_master, sheet)
    assert MARK in part_bytes(direct, "设置") and MARK not in part_bytes(viaopx, "设置")


MARK = b"<!-- kept by a lossless save -->"


def mark_sheet(path: Path, sheet: str) -> None:
    """Put MARK into ``sheet``'s part (rewriting the package with zipfile)."""
    with zipfile.ZipFile(path) as zf:
        part = _sheet_parts(zf)[sheet]
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename == part:
                end = data.index(b">", data.index(b"<worksheet")) + 1
                data = data[:end] + MARK + data[end:]
            out.writestr(info, data)


def test_rerunning_leaves_one_drawing_and_the_charts_of_the_last_run(demo_master, tmp_path):
    report = tally_report(demo_master)
    write(demo_master, report, False)
    styles = zipfile.ZipFile(demo_master).read("xl/styles.xml")
    fewer = ReportSheet(report.name, report.blocks, report.charts[:1])
    write(demo_master, fewer, False)
    write(demo_master, report, False)
    with zipfile.ZipFile(demo_master) as zf:
        names = zf.namelist()
        assert len([n for n in names if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)]) == 1
        assert len([n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]) == len(report.charts)
        assert zf.read("xl/styles.xml") == styles  # the formats of the first run are found again
    assert_nothing_dangles(demo_master)
    openpyxl.load_workbook(demo_master)
    write(demo_master, ReportSheet(report.name, report.blocks, []), False)  # no charts: no drawing
    with zipfile.ZipFile(demo_master) as zf:
        assert not [n for n in zf.namelist() if n.startswith(("xl/charts/", "xl/drawings/"))]
    assert_nothing_dangles(demo_master)


def test_tables_and_the_tally_sheet_in_one_pass_keep_a_staff_chart(demo_master, tmp_path):
    """Rows spliced and 统计 generated without openpyxl: the save is lossless, so a chart staff
    put on 单位名册 is no reason to refuse and is kept."""
    add_staff_chart(demo_master)
    report = tally_report(demo_master)
    engine = FileEngine(demo_master)
    rows = tally_rows.item_rows()
    engine.write_table(ITEMS, rows + [dict(rows[0], title="=HYPERLINK(\"x\")")])
    engine.write_report(report)
    engine.save()
    wb = openpyxl.load_workbook(demo_master)
    assert len(wb["单位名册"]._charts) == 1
    assert len(wb[STATS_SHEET]._charts) == len(report.charts)
    items = FileEngine(demo_master).read_table(ITEMS).records()
    assert len(items) == len(rows) + 1 and items[-1]["title"] == '=HYPERLINK("x")'
    quoted = [c for row in wb[ITEMS.sheet].iter_rows() for c in row if c.value == '=HYPERLINK("x")']
    assert len(quoted) == 1 and quoted[0].data_type == "s" and quoted[0].quotePrefix
    assert_nothing_dangles(demo_master)


# --- awkward content ----------------------------------------------------------------------------

def test_awkward_values_formats_and_every_chart_kind(demo_master, tmp_path):
    direct, viaopx = both(demo_master, tmp_path, awkward_report())
    assert_same_sheet(direct, viaopx)
    ws = openpyxl.load_workbook(direct)[STATS_SHEET]
    assert ws["A7"].value == "=SUM(1)" and ws["A7"].data_type == "s" and ws["A7"].quotePrefix
    assert ws["A1"].value == "=总表" and ws["A1"].data_type == "s"  # a title is text too
    assert ws["D8"].value == "=B3/B4" and ws["D8"].data_type == "f"
    assert ws["A10"].value == "ab"  # control character and non-character removed
    assert ws["C7"].number_format == "yyyy年m月d日" and ws["C7"].value == datetime(2010, 10, 1)
    assert ws["A6"].font.b and ws["A6"].fill.fgColor.rgb == "FF1F4E79" and ws["A5"].font.sz == 12
    assert [type(c).__name__ for c in ws._charts] == ["BarChart", "BarChart", "LineChart", "PieChart"]


def test_print_titles_and_a_replaced_table_sheet(demo_master, tmp_path):
    """A report on a sheet whose layout repeats its header row: the print titles go into
    workbook.xml like openpyxl puts them; the old sheet's table part goes away."""
    report = awkward_report("配额规则")
    direct, viaopx = both(demo_master, tmp_path, report)
    assert_same_sheet(direct, viaopx, "配额规则")
    wb = openpyxl.load_workbook(direct)
    assert wb["配额规则"].print_title_rows == "$1:$1"
    assert not wb["配额规则"].tables
    assert_nothing_dangles(direct)


TEXTS = ["=SUM(1)", "+1", "-", "@", "=", "\x00\x07\x1f控制", "x" * 32768, "长" * 40000 + "=",
         "😀👨‍👩‍👧", "\u202eabc\u202c\u2066d\u2069\u200e", "<b>&amp;</b>", "a\r\nb\rc", "  两端空格  ",
         "#N/A", "\ufeff"]


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_awkward_texts(demo_master, tmp_path, text):
    report = ReportSheet(STATS_SHEET, [Block("B2", [["头", text], [text, Formula("=LEN(C3)")]], title=text)])
    direct, viaopx = both(demo_master, tmp_path, report)
    assert_same_sheet(direct, viaopx)
    value = openpyxl.load_workbook(direct)[STATS_SHEET]["B4"].value
    assert value == cell_text(text) and len(value) <= 32767


@pytest.fixture(scope="module")
def small_book(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.create_sheet(STATS_SHEET)["A1"] = "旧内容"
    wb.save(path)
    return path


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=40), min_size=1, max_size=4))
def test_any_text_reads_back_the_same(small_book, tmp_path, texts):
    report = ReportSheet(STATS_SHEET, [Block("A1", [texts, texts], title=texts[0] or None)])
    direct, viaopx = both(small_book, tmp_path, report)
    assert_same_sheet(direct, viaopx)


# --- when openpyxl is still needed -------------------------------------------------------------

def test_a_master_without_the_sheet_falls_back_to_openpyxl(demo_master, tmp_path):
    wb = openpyxl.load_workbook(demo_master)
    del wb[STATS_SHEET]
    wb.save(demo_master)
    mark_sheet(demo_master, "设置")
    report = tally_report(demo_master)
    direct, viaopx = both(demo_master, tmp_path, report)
    assert_same_sheet(direct, viaopx)
    assert STATS_SHEET in openpyxl.load_workbook(direct).sheetnames
    assert MARK not in part_bytes(direct, "设置")  # went through openpyxl


def test_a_chart_sheet_of_that_name_falls_back_to_openpyxl(small_book, tmp_path):
    path = tmp_path / "chartsheet.xlsx"
    wb = openpyxl.load_workbook(small_book)
    del wb[STATS_SHEET]
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.add_data(Reference(wb["说明"], min_col=1, min_row=1, max_row=3))
    wb.create_chartsheet(STATS_SHEET).add_chart(chart)
    wb.save(path)
    with pytest.raises(SpliceUnsupported):
        splice_tables(path, tmp_path / "x.xlsx", [], reports=[awkward_report()])
    write(path, awkward_report(), False)
    ws = openpyxl.load_workbook(path)[STATS_SHEET]
    assert ws["A7"].value == "=SUM(1)" and len(ws._charts) == 4


def test_pending_marks_take_the_openpyxl_path(demo_master, tmp_path):
    report = tally_report(demo_master)
    engine = FileEngine(demo_master)
    engine.write_report(report)
    engine.mark_cells("单位名册", [CellMark("单位名册", "A2", "测试标记")])
    engine.save()
    wb = openpyxl.load_workbook(demo_master)
    assert wb["单位名册"]["A2"].comment is not None
    assert len(wb[STATS_SHEET]._charts) == len(report.charts)


@pytest.mark.libreoffice
def test_libreoffice_opens_the_direct_result(demo_master, tmp_path, soffice):
    write(demo_master, awkward_report(), False)
    write(demo_master, tally_report(demo_master), False)
    out = tmp_path / "out"
    profile = tmp_path / "lo-profile"
    r = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", "xlsx", "--outdir", str(out), str(demo_master)],
                       capture_output=True, text=True, timeout=180)
    converted = out / demo_master.name
    assert r.returncode == 0 and converted.exists(), r.stderr
    ws = openpyxl.load_workbook(converted)[STATS_SHEET]
    assert ws["A1"].value == openpyxl.load_workbook(demo_master)[STATS_SHEET]["A1"].value
    assert len(ws._charts) == len(tally_report(demo_master).charts)
