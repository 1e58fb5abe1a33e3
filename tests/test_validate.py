"""kexie validate on real workbooks: planted problems reported with code and cell, clean rows
silent, marks set and cleared, staff values and formatting untouched, the JSON contract."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.styles.colors import Color

from macros import problems as problems_mod
from macros.adapters.file_engine import FileEngine
from macros.core.normalize import count_chars
from macros.core.validate import as_table_data, build_context, validate_items
from macros.schema import FORM, TABLES

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2010-10-25"
CLEAN_BODY = "建议加快丹东新区基础设施建设，2011年前完成主干道路网，引进3至5个大型项目。"


def kexie(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "macros.cli", *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=ROOT, timeout=300)


def run_json(path: Path) -> tuple[int, dict]:
    r = kexie("validate", str(path), "--json", "--today", TODAY)
    assert r.stdout.count("\n") <= 1, "stdout must hold exactly one JSON object"
    return r.returncode, json.loads(r.stdout)


def item(n: int, **kw) -> list:
    row = {
        "item_id": f"XH01-{n:03d}", "unit_code": "XH01", "unit_name": "丹东市医学会",
        "title": f"关于建设新丹东的建议{n}", "topic": "重大项目谋划", "author": "王丽娟",
        "author_org": "丹东市医学会", "author_post": "秘书长", "phone": "0415-2812345",
        "email": "xh01@ddkx.example.cn", "body": CLEAN_BODY, "word_count": None,
        "submitted_on": date(2010, 10, 9), "source_file": "XH01-报送表.xlsx", "status": None,
        "score": 85, "adopted": "是", "remark": None,
    }
    row.update(kw)
    return [row[k] for k in TABLES["items"].keys]


def write_items(path: Path, rows: list[list]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["征集明细"]
    for i, row in enumerate(rows, start=2):
        for j, v in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=v)
    wb.save(path)


def put(path: Path, sheet: str, cells: dict[str, object]) -> None:
    wb = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        wb[sheet][ref] = value
    wb.save(path)


def found(data: dict) -> set[tuple[str, str, str]]:
    return {(p["sheet"], p["cell"], p["code"]) for p in data["problems"]}


# --------------------------------------------------------------------------------------------


def test_clean_demo_has_no_errors_and_clean_items_produce_nothing(demo_master):
    write_items(demo_master, [item(1), item(2, word_count=count_chars(CLEAN_BODY)),
                              item(3, unit_code="QX01", unit_name="丹东市元宝区科协",
                                   author_org="丹东市元宝区科协", submitted_on=date(2010, 10, 20))])
    stamp = demo_master.read_bytes()
    code, data = run_json(demo_master)
    assert code == 0
    assert data["problems"] == [] and data["errors"] == 0 and data["warnings"] == 0
    assert data["written"] is False and demo_master.read_bytes() == stamp  # clean stays untouched


def test_phases_out_of_order_and_overlapping(demo_master):
    # The seed's two phases both start 9月初 and run in parallel: that is not an overlap.
    put(demo_master, "阶段安排", {"A4": "总结阶段", "B4": date(2010, 10, 10), "C4": date(2010, 10, 30),
                              "A5": "补报阶段", "B5": date(2010, 10, 1), "C5": date(2010, 10, 5)})
    code, data = run_json(demo_master)
    assert code == 0
    assert found(data) == {("阶段安排", "B4", "W114"), ("阶段安排", "B5", "W113")}


def test_planted_problems_are_reported_with_code_and_cell(demo_master):
    long_body = "丹东" * 1600  # 3200 字 > 字数上限 3000
    write_items(demo_master, [
        item(1),  # row 2: clean
        item(2),  # row 3: clean
        item(3, unit_code="XH99"),  # row 4
        item(4, topic="重大项目谋画"),  # row 5
        item(5, phone="123"),  # row 6
        item(6, submitted_on=date(2010, 10, 22)),  # row 7: 逾期
        item(7, word_count=999),  # row 8
        item(8, body=long_body),  # row 9
        item(9, score=150),  # row 10
        item(10, adopted="Y"),  # row 11
        item(11, title="关于建设新丹东的建议1"),  # row 12: same unit and title as row 2
        item(12, author=None),  # row 13
        item(13, unit_name="丹东市农学会"),  # row 14: name of XH02 under code XH01
        item(14, topic="l0"),  # row 15: topic number typed with a letter (seed 000)
        item(15, email="XH01＠ddkx．example．cn"),  # row 16: full-width
        item(16, submitted_on="2010年10月8日"),  # row 17: readable text date
    ])
    put(demo_master, "单位名册", {"C3": "市级学会会", "B4": "丹东市医學會", "A5": "XH01", "H6": -2,
                              "G7": "abc@", "F8": "0415-28123"})
    put(demo_master, "领导小组", {"D3": "副组长长"})
    put(demo_master, "阶段安排", {"C2": date(2010, 8, 1)})
    put(demo_master, "任务分工", {"D2": "宣传部", "E3": "其它部室", "G4": date(2000, 8, 1), "A5": 3,
                              "H6": "完成了", "D7": "其他部室"})
    put(demo_master, "指标", {"B2": "很多", "D3": ">=", "B6": "100万元"})
    put(demo_master, "考核规则", {"B2": 50, "G3": 95})
    put(demo_master, "配额规则", {"B2": "三个"})

    code, data = run_json(demo_master)
    assert code == 1
    expected = {
        ("单位名册", "C3", "E107"), ("单位名册", "B4", "E108"), ("单位名册", "A5", "E108"),
        ("单位名册", "H6", "E109"), ("单位名册", "G7", "E106"), ("单位名册", "F8", "E105"),
        ("配额规则", "B2", "E103"),
        ("领导小组", "D3", "E107"),
        ("阶段安排", "C2", "E112"),
        ("任务分工", "D2", "E113"), ("任务分工", "E3", "E113"), ("任务分工", "G4", "E112"),
        ("任务分工", "A5", "E108"), ("任务分工", "H6", "E107"), ("任务分工", "D7", "E114"),
        ("指标", "B2", "E104"), ("指标", "D3", "W102"), ("指标", "B6", "W117"),
        ("考核规则", "B5", "E115"), ("考核规则", "G3", "W118"),
        ("征集明细", "B4", "E110"), ("征集明细", "E5", "E107"), ("征集明细", "I6", "E105"),
        ("征集明细", "M7", "W104"), ("征集明细", "L8", "W106"), ("征集明细", "K9", "W105"),
        ("征集明细", "P10", "E109"), ("征集明细", "Q11", "W102"), ("征集明细", "D12", "W110"),
        ("征集明细", "F13", "E101"), ("征集明细", "C14", "W109"), ("征集明细", "E15", "W103"),
        ("征集明细", "J16", "W102"), ("征集明细", "M17", "W102"),
    }
    assert found(data) == expected
    by_cell = {(p["sheet"], p["cell"]): p for p in data["problems"]}
    # suggestions: the closest vocabulary value / roster entry / computed value
    assert by_cell[("单位名册", "C3")]["suggestion"] == "市级学会"
    assert by_cell[("任务分工", "H6")]["suggestion"] == "已完成"
    assert by_cell[("任务分工", "E3")]["suggestion"] == "其他部室"
    assert by_cell[("征集明细", "E5")]["suggestion"] == "重大项目谋划"
    assert by_cell[("征集明细", "E15")]["suggestion"] == "重大项目谋划"
    assert by_cell[("征集明细", "L8")]["suggestion"] == str(count_chars(CLEAN_BODY))
    assert by_cell[("征集明细", "C14")]["suggestion"] == "丹东市医学会"
    assert by_cell[("征集明细", "J16")]["suggestion"] == "XH01@ddkx.example.cn"
    assert by_cell[("征集明细", "M17")]["suggestion"] == "2010-10-08"
    assert by_cell[("指标", "D3")]["suggestion"] == "≥"
    assert by_cell[("指标", "B6")]["suggestion"] == "100"
    assert by_cell[("单位名册", "B4")]["value"] == "丹东市医學會"
    for p in data["problems"]:
        assert re.fullmatch(r"[EW]1\d\d", p["code"]), p
        assert p["level"] == ("error" if p["code"][0] == "E" else "warning")
        assert p["row"] == int(re.sub(r"[A-Z]+", "", p["cell"]))
        assert re.search(r"[\u4e00-\u9fff]", p["message"]) and "{" not in p["message"]


def test_json_shape_is_the_contract(demo_master):
    put(demo_master, "单位名册", {"C3": "学会"})
    code, data = run_json(demo_master)
    assert code == 1
    assert set(data) >= {"problems"}
    keys = {"sheet", "cell", "row", "column", "code", "level", "message", "value", "suggestion"}
    for p in data["problems"]:
        assert set(p) == keys
        assert isinstance(p["sheet"], str) and isinstance(p["cell"], str) and isinstance(p["row"], int)
        assert p["level"] in ("error", "warning")
    p = next(p for p in data["problems"] if p["cell"] == "C3")
    assert p == {"sheet": "单位名册", "cell": "C3", "row": 3, "column": "单位类别", "code": "E107",
                 "level": "error", "message": p["message"], "value": "学会", "suggestion": "市级学会"}


def test_settings_problems(demo_master):
    put(demo_master, "设置", {"B6": date(2010, 11, 1), "B8": 0, "B17": "12345", "B2": None,
                            "B18": "ddkxxhb@163", "B12": "二〇一〇年八月三十日"})
    code, data = run_json(demo_master)
    assert code == 1
    got = {(p["cell"], p["code"]) for p in data["problems"] if p["sheet"] == "设置"}
    assert got == {("B2", "E101"), ("B7", "E112"), ("B8", "E109"), ("B17", "E105"),
                   ("B18", "E106"), ("B12", "W102")}


def test_marks_are_set_then_cleared_and_staff_formatting_survives(demo_master):
    wb = openpyxl.load_workbook(demo_master)
    units = wb["单位名册"]
    units["C3"] = "学会"
    units["C3"].fill = PatternFill("solid", fgColor="FF00B050")  # staff colour on a bad cell
    units["C4"] = "协会"
    units["C4"].fill = PatternFill("solid", fgColor=Color(theme=9, tint=0.0))  # theme colour
    units["C5"] = "学会会"
    units["C5"].comment = Comment("请核实类别", "刘勇")  # staff comment on a bad cell
    units["D6"].fill = PatternFill("solid", fgColor="FFFFFF00")  # staff colour, cell is fine
    wb.save(demo_master)

    code, data = run_json(demo_master)
    assert code == 1 and data["written"] is True
    wb = openpyxl.load_workbook(demo_master)
    units = wb["单位名册"]
    for ref in ("C3", "C4", "C5"):
        assert units[ref].fill.fgColor.rgb == "FFFFC7CE"
    assert units["C3"].comment.author == "kexie" and "E107" in units["C3"].comment.text
    assert units["C5"].comment.text == "请核实类别" and units["C5"].comment.author == "刘勇"
    assert units["D6"].fill.fgColor.rgb == "FFFFFF00"
    results = wb["校验结果"]
    assert [c.value for c in results[1]][:7] == TABLES["validation"].headers
    assert results["A2"].value == "单位名册" and results["C2"].value == "错误"
    assert wb["_kexie_marks"].sheet_state == "hidden"

    put(demo_master, "单位名册", {"C3": "市级学会", "C4": "市级学会", "C5": "市级学会"})
    code, data = run_json(demo_master)
    assert code == 0
    wb = openpyxl.load_workbook(demo_master)
    units = wb["单位名册"]
    assert units["C3"].fill.fgColor.rgb == "FF00B050" and units["C3"].comment is None
    assert units["C4"].fill.fill_type == "solid" and units["C4"].fill.fgColor.rgb == "FFF79646"  # accent6 of the theme openpyxl writes
    assert units["C5"].comment.text == "请核实类别" and units["C5"].fill.fill_type is None
    assert units["D6"].fill.fgColor.rgb == "FFFFFF00"
    assert [c.value for c in wb["校验结果"]["A"][1:] if c.value] == []
    assert "_kexie_marks" not in wb.sheetnames  # no mark left: the memo goes too


def test_staff_values_are_never_changed(demo_master):
    write_items(demo_master, [item(1, topic="l0", adopted="Y", submitted_on="2010年10月8日"),
                              item(2, phone="0415 2812345", unit_code="xh01")])
    put(demo_master, "单位名册", {"B3": "丹东市農學會 ", "F4": "0415 2134567"})

    def values(path):
        wb = openpyxl.load_workbook(path)
        return {ws.title: [[c.value for c in row] for row in ws.iter_rows()]
                for ws in wb.worksheets if ws.title not in ("校验结果", "_kexie_marks")}

    before = values(demo_master)
    code, data = run_json(demo_master)
    assert data["written"] is True and data["problems"]
    assert values(demo_master) == before


def test_a_clean_workbook_is_not_rewritten(tmp_path):
    from macros.app.new import new_campaign

    path = new_campaign(tmp_path / "课题.xlsx", "课题")
    stamp = path.read_bytes()
    code, data = run_json(path)
    assert code == 0 and data["problems"] == [] and data["written"] is False
    assert path.read_bytes() == stamp


def test_refuses_to_write_while_open_elsewhere_but_still_reports(demo_master):
    put(demo_master, "单位名册", {"C3": "学会"})
    lock = demo_master.with_name("~$" + demo_master.name)
    lock.write_bytes(b"x")
    stamp = demo_master.read_bytes()
    code, data = run_json(demo_master)
    assert code == 3 and data["written"] is False and "refused" in data
    assert ("单位名册", "C3", "E107") in found(data)
    assert demo_master.read_bytes() == stamp


def test_human_output_in_chinese(demo_master):
    put(demo_master, "单位名册", {"C3": "学会"})
    r = kexie("validate", str(demo_master), "--today", TODAY)
    assert r.returncode == 1
    assert "发现 1 个错误" in r.stdout and "单位名册!C3" in r.stdout


def test_missing_sheet_and_column(tmp_path, demo_master):
    wb = openpyxl.load_workbook(demo_master)
    del wb["领导小组"]
    ws = wb["单位名册"]
    ws["C1"] = "类别"  # the 单位类别 header renamed: a required column is missing
    ws["J1"] = None  # 备注 header removed: optional
    wb.save(demo_master)
    code, data = run_json(demo_master)
    assert code == 1
    got = found(data)
    assert ("领导小组", "A1", "E001") in got
    assert any(s == "单位名册" and c == "E002" for s, _cell, c in got)
    assert any(s == "单位名册" and c == "W101" for s, _cell, c in got)


# --- validate_items on its own (consolidation reuses it for returned forms) ----------------


def _ctx(demo_master):
    engine = FileEngine(demo_master)
    tables = {k: engine.read_table(TABLES[k]) for k in ("units", "topics", "quota_rules")}
    return build_context(engine.read_settings(), tables, today=date(2010, 10, 25))


def test_validate_items_on_form_rows(demo_master):
    ctx = _ctx(demo_master)
    keys = [c.key for c in FORM.columns]
    rows = [
        {"title": "关于发展现代农业的建议", "topic": "大力发展现代农业", "author": "李国华",
         "author_org": "丹东市农学会", "author_post": "秘书长", "phone": "0415-2134567",
         "email": "xh02@ddkx.example.cn", "body": "发展现代农业。", "word_count": 7},
        {"title": "关于区域合作的建议", "topic": "区域经济合做", "author": "李国华",
         "author_org": "丹东市农学会", "author_post": None, "phone": "２１３４５６７",
         "email": None, "body": "区域合作。", "word_count": "5"},
        {"title": None, "topic": "3", "author": "李国华", "author_org": "丹东市农学会",
         "author_post": None, "phone": "not a phone", "email": "x@", "body": "正文", "word_count": None},
    ]
    frame = pd.DataFrame(rows, columns=keys, index=pd.Index([3, 4, 5], name="row"))
    probs = validate_items(frame, ctx, sheet="报送", unit_code="XH02")
    got = {(p.cell, p.code) for p in probs}
    assert got == {("B4", "E107"), ("A5", "E101"), ("B5", "W103"), ("F5", "E105"), ("G5", "E106")}
    assert all(p.sheet == "报送" for p in probs)
    b4 = next(p for p in probs if p.cell == "B4")
    assert b4.suggestion == "区域经济合作" and b4.value == "区域经济合做"


def test_validate_items_unit_names_and_codes(demo_master):
    ctx = _ctx(demo_master)
    frame = pd.DataFrame(
        [{"unit_code": "XH99", "unit_name": "丹东市医學會", "title": "甲"},
         {"unit_code": None, "unit_name": "丹东医学会", "title": "乙"},
         {"unit_code": "XH01", "unit_name": "丹东市医学会", "title": "丙"}],
        index=pd.Index([2, 3, 4]))
    data = as_table_data(frame, TABLES["items"])
    probs = [p for p in validate_items(data, ctx) if p.code not in ("E101", "E002", "W101")]
    got = {(p.cell, p.code, p.suggestion) for p in probs}
    assert ("A2", "E110", "XH01") in got  # unknown code; the name points at XH01
    assert ("B2", "W102", "丹东市医学会") in got  # the roster's name, in Traditional characters
    assert ("B3", "E111", "丹东市医学会") in got  # unknown name: closest roster name
    assert not any(p.row == 4 for p in probs)


def test_validate_items_counts_words_by_the_documented_rule(demo_master):
    from macros.core.normalize import count_chars

    ctx = _ctx(demo_master)
    body = "计策l0条，共3000字。"
    assert count_chars(body) == 9
    # 9 by the rule; 13 non-space characters (Word's 字符数) is accepted too; 12 is neither
    frame = pd.DataFrame([{"body": body, "word_count": 9}, {"body": body, "word_count": 13},
                          {"body": body, "word_count": 12}], index=pd.Index([2, 3, 4]))
    probs = validate_items(as_table_data(frame, FORM), ctx, sheet="报送")
    assert [(p.cell, p.code, p.suggestion) for p in probs if p.code == "W106"] == [("B4", "W106", "9")]


# --- the code table -------------------------------------------------------------------------


def test_every_code_used_is_registered_with_a_chinese_text():
    source = "".join(p.read_text(encoding="utf-8")
                     for p in sorted((ROOT / "macros" / "core" / "validate").glob("*.py")))
    used = set(re.findall(r'"([EW]\d{3})"', source))
    assert used and used <= set(problems_mod.CODES)
    for code in used:
        info = problems_mod.CODES[code]
        assert re.search(r"[\u4e00-\u9fff]", info.template) and re.search(r"[\u4e00-\u9fff]", info.title)


def test_code_table_doc_is_current():
    doc = ROOT / "docs" / "codes.md"
    assert doc.read_text(encoding="utf-8") == problems_mod.codes_markdown(), (
        "docs/codes.md is stale: run `kexie codes --markdown > docs/codes.md`")


@pytest.mark.parametrize("cmd", [("codes",), ("codes", "--markdown")])
def test_kexie_codes_prints_the_table(cmd):
    r = kexie(*cmd)
    assert r.returncode == 0 and "| E107 |" in r.stdout and "| W104 |" in r.stdout


# --- robustness: any cell content yields problems, never an exception ------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

CELL = st.one_of(st.none(), st.text(max_size=12), st.integers(-10**6, 10**12),
                 st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                 st.dates(), st.datetimes(), st.sampled_from(["XH01", "丹东市医学会", "l0", "是", "其他部室",
                                                               "2010年10月20日", "20万人次", "有效"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.fixed_dictionaries({k: CELL for k in TABLES["items"].keys}), min_size=1, max_size=6),
       st.sampled_from(["tasks", "units", "targets", "phases", "scoring_rules", "grades", "leaders"]),
       st.lists(st.lists(CELL, min_size=10, max_size=10), min_size=1, max_size=4))
def test_rules_never_raise_on_any_cell_content(items, other, other_rows):
    from macros.core.validate import validate_campaign, validate_table

    ctx = build_context({"deadline": "10月20日", "start_date": 40422, "word_limit": "3000"}, {},
                        today=date(2010, 10, 25))
    frame = pd.DataFrame(items, index=pd.RangeIndex(2, 2 + len(items)))
    for p in validate_items(as_table_data(frame, TABLES["items"]), ctx):
        assert p.code in problems_mod.CODES and p.cell
    table = TABLES[other]
    rows = [dict(zip(table.keys, r)) for r in other_rows]
    data = as_table_data(pd.DataFrame(rows, columns=table.keys, index=pd.RangeIndex(2, 2 + len(rows))), table)
    validate_table(data, ctx)
    validate_campaign({}, [["项目", "值"]], {other: data, "items": as_table_data(frame, TABLES["items"])})


def test_one_mark_per_cell_holds_every_message():
    from macros.app.validate import cell_marks
    from macros.problems import problem

    probs = [problem("W104", sheet="征集明细", cell="M2", row=2, date="2010-10-22",
                     deadline="2010-10-20", days=2),
             problem("W108", sheet="征集明细", cell="M2", row=2, column="报送日期", date="2010-10-22",
                     today="2010-10-21"),
             problem("E101", sheet="征集明细", cell="F2", row=2, column="献策人")]
    marks = cell_marks(probs)
    assert set(marks) >= {"设置", "单位名册", "征集明细"} and marks["单位名册"] == []
    m2 = next(m for m in marks["征集明细"] if m.cell == "M2")
    assert m2.level == "warning" and "[W104]" in m2.message and "[W108]" in m2.message
    assert next(m for m in marks["征集明细"] if m.cell == "F2").level == "error"


def test_writes_beside_the_charts_of_the_stats_sheet(demo_master):
    """After `kexie tally` the 统计 sheet holds kexie's own charts: validation still writes its
    results and marks, and the charts come through unchanged."""
    import zipfile

    from macros.adapters.engine import Block, ChartSpec, ReportSheet

    engine = FileEngine(demo_master)
    engine.write_report(ReportSheet("统计", blocks=[Block("A1", [["单位", "实报"], ["甲", 3], ["乙", 5]])],
                                    charts=[ChartSpec("col", "实报", "E2", "A2:A3", [("实报", "B2:B3")])]))
    engine.save()

    def charts(path):
        with zipfile.ZipFile(path) as zf:
            return {n: zf.read(n) for n in zf.namelist() if n.startswith("xl/charts/chart")}

    before = charts(demo_master)
    assert before
    put(demo_master, "单位名册", {"C3": "学会"})
    code, data = run_json(demo_master)
    assert code == 1 and data["written"] is True
    assert charts(demo_master) == before
    assert openpyxl.load_workbook(demo_master)["单位名册"]["C3"].comment.author == "kexie"
