"""The 统计 sheet: live formulas recalculated by LibreOffice equal the values Python computed —
as written, and after staff edit 征集明细 — plus native charts, the no-save refresh and the demo step."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

import tally_rows
from macros.adapters.file_engine import FileEngine
from macros.app.campaign import load_campaign
from macros.app.tally import refresh_stats, run_tally, write_stats
from macros.core.tally import compute_tally
from macros.schema import STATS_ASSESSMENT, STATS_RULE_COLUMNS_BEFORE, STATS_SHEET, STATS_UNITS, TABLES

TODAY = date(2010, 10, 25)

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalculate(soffice: str, files: list[Path], work: Path) -> list[Path]:
    """Open ``files`` in one headless LibreOffice with a private profile that always recalculates
    on load, and save them as xlsx (with cached values) into ``work/recalc``."""
    profile = work / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    out = work / "recalc"
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)],
                   check=True, capture_output=True, timeout=180)
    return [out / f.name for f in files]


def same(got, expected) -> bool:
    if expected in (None, ""):
        return got in (None, "")
    if isinstance(expected, bool) or not isinstance(expected, (int, float)):
        return got == expected
    return isinstance(got, (int, float)) and abs(got - expected) < 1e-9


def formula_cells(path: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(path)[STATS_SHEET]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("=")}


def unit_cells(layout, result) -> dict[str, dict[str, str]]:
    """unit code → {key: cell} for the 按单位 and 考核 tables of a layout."""
    header = int(layout.anchors[STATS_UNITS.key][1:])
    cells: dict[str, dict[str, str]] = {}
    for i, u in enumerate(result.units):
        cells[u.code] = {k: f"{chr(65 + j)}{header + 1 + i}" for j, k in enumerate(STATS_UNITS.keys)}
    header = int(layout.anchors[STATS_ASSESSMENT.key][1:])
    split = STATS_ASSESSMENT.keys.index(STATS_RULE_COLUMNS_BEFORE)
    for i, u in enumerate(result.ranking):
        for j, k in enumerate(STATS_ASSESSMENT.keys):
            col = j + (len(result.rules) if j >= split else 0)
            cells[u.code]["a_" + k] = f"{chr(65 + col)}{header + 1 + i}"
    return cells


# A topic and a unit code holding COUNTIFS wildcards (* ? ~): counted literally via SUMPRODUCT.
WILD_TOPIC = "科普*信息化?"
WILD_CODE = "XH~16*"


def _item(n, code, topic, day, status=None, score=None, adopted=None):
    row = dict(tally_rows.item_rows()[0])
    row.update(item_id=f"XW{n}", unit_code=code, unit_name="丹东市科普研究会", topic=topic,
               submitted_on=day, status=status, score=score, adopted=adopted, author=f"作者{n}")
    return row


WILDCARD_ITEMS = [
    _item(1, WILD_CODE, WILD_TOPIC, tally_rows.ON_TIME, score=70, adopted="是"),
    _item(2, WILD_CODE, WILD_TOPIC, tally_rows.LATE, score=90),
    _item(3, WILD_CODE, "科普和信息化！", tally_rows.ON_TIME, status="重复", score=10),  # a wildcard match only
    _item(4, "XH16", "科普工作信息化了", tally_rows.ON_TIME),  # would match WILD_CODE/WILD_TOPIC as patterns
]


def _add_wildcards(master: Path) -> None:
    engine = FileEngine(master)
    units = engine.read_table(TABLES["units"]).records()
    units.append({"code": WILD_CODE, "name": "丹东市科普研究会", "category": "市级学会", "weight": 1})
    units.append({"code": "XH16", "name": "丹东市科普研究会二", "category": "市级学会", "weight": 1})
    topics = engine.read_table(TABLES["topics"]).records()
    topics.append({"code": 21, "topic": WILD_TOPIC})
    engine.write_table(TABLES["units"], units)
    engine.write_table(TABLES["topics"], topics)
    engine.save()


@pytest.fixture(scope="module")
def tallied(demo_master_template, tmp_path_factory, soffice):
    """A tallied demo workbook, a copy edited by staff afterwards, both recalculated by LibreOffice."""
    work = tmp_path_factory.mktemp("stats")
    master = work / "tallied.xlsx"
    shutil.copy2(demo_master_template, master)
    _add_wildcards(master)
    tally_rows.write_items(master, tally_rows.item_rows() + WILDCARD_ITEMS)
    engine = FileEngine(master)
    campaign = load_campaign(engine)
    result = compute_tally(campaign, TODAY)
    layout = write_stats(engine, campaign, result)
    engine.save()

    # Staff edit 征集明细 after the tally, without running it again.
    edited = work / "edited.xlsx"
    wb = openpyxl.load_workbook(master)
    ws = wb[TABLES["items"].sheet]
    col = {c.value: c.column for c in ws[1]}
    rows = {ws.cell(r, col["单位编号"]).value: r for r in range(2, ws.max_row + 1)}  # last row per unit
    ws.cell(rows["XH05"], col["状态"]).value = "无效"  # XH05 falls to 2 valid
    ws.cell(rows["XH06"], col["评分"]).value = 50  # XH06's quality drops
    ws.cell(rows["QY01"], col["是否采纳"]).value = "是"
    new = ws.max_row + 1  # a late item typed in by hand for XH04
    for header, value in (("编号", "XC9999"), ("单位编号", "XH04"), ("报送单位", "丹东市电子学会"),
                          ("题目", "补报"), ("主题领域", tally_rows.DANDONG_TOPICS[5]),
                          ("报送日期", date(2010, 10, 22)), ("评分", 77)):
        ws.cell(new, col[header]).value = value
    wb.save(edited)
    recalculated = recalculate(soffice, [master, edited], work)
    after = compute_tally(load_campaign(FileEngine(edited)), TODAY)
    return dict(master=master, edited=edited, result=result, layout=layout, after=after,
                recalculated=recalculated)


def test_every_formula_cell_equals_the_python_value(tallied):
    formulas = formula_cells(tallied["master"])
    expected = tallied["layout"].expected
    assert set(formulas) == set(expected)  # every formula has its Python value, and only those
    assert len(formulas) > 400
    for needle in ("COUNTIFS(", "AVERAGEIFS(", "SUMIFS(", "RANK(", "'征集明细'!$", "'设置'!$B$"):
        assert any(needle in f for f in formulas.values()), needle
    ws = openpyxl.load_workbook(tallied["recalculated"][0], data_only=True)[STATS_SHEET]
    wrong = {cell: (ws[cell].value, value) for cell, value in expected.items() if not same(ws[cell].value, value)}
    assert not wrong


def test_assessment_columns_sit_under_their_headers(tallied):
    """Read back by header, not by position: the 考核规则 items stand between 单位类别 and 总分,
    and each unit's code, name, points, 总分 and 等次 are under their own headers."""
    result = tallied["result"]
    ws = openpyxl.load_workbook(tallied["master"])[STATS_SHEET]
    anchor = tallied["layout"].anchors[STATS_ASSESSMENT.key]
    header_row = int(anchor[1:])
    headers = [c.value for c in ws[header_row] if c.value not in (None, "")]
    items = [r.item for r in result.rules]
    assert len(items) >= 2
    names = STATS_ASSESSMENT.headers
    split = names.index(STATS_ASSESSMENT.column(STATS_RULE_COLUMNS_BEFORE).header)
    assert headers == names[:split] + items + names[split:]
    col = {h: i + 1 for i, h in enumerate(headers)}
    recalculated = openpyxl.load_workbook(tallied["recalculated"][0], data_only=True)[STATS_SHEET]
    for i, unit in enumerate(result.ranking):
        r = header_row + 1 + i
        assert ws.cell(r, col["单位编号"]).value == unit.code
        assert ws.cell(r, col["单位名称"]).value == unit.name
        assert same(recalculated.cell(r, col["总分"]).value, unit.score)
        for item in items:
            assert same(recalculated.cell(r, col[item]).value, unit.points[item]), (unit.code, item)


def test_wildcard_characters_are_matched_literally(tallied):
    result, formulas = tallied["result"], formula_cells(tallied["master"])
    wild = result.unit(WILD_CODE)
    assert (wild.submitted, wild.valid, wild.late, wild.mean_score, wild.adopted) == (3, 2, 1, 80, 1)
    assert result.unit("XH16").submitted == 1
    topic = next(t for t in result.topics if t.topic == WILD_TOPIC)
    assert (topic.submitted, topic.valid, topic.late, topic.adopted) == (2, 2, 1, 1)
    assert sum("SUMPRODUCT(" in f for f in formulas.values()) >= 10  # and LibreOffice agreed above


def test_formulas_follow_staff_edits_of_the_items(tallied):
    result, after, layout = tallied["result"], tallied["after"], tallied["layout"]
    ws = openpyxl.load_workbook(tallied["recalculated"][1], data_only=True)[STATS_SHEET]
    cells = unit_cells(layout, result)
    checked = 0
    for u in after.units:
        c = cells[u.code]
        for key in ("submitted", "valid", "late", "shortfall"):
            assert ws[c[key]].value == getattr(u, key), (u.code, key)
        if u.assessed:
            assert same(ws[c["a_score"]].value, u.score), u.code
            assert ws[c["a_rank"]].value == u.rank and ws[c["a_grade"]].value == u.grade, u.code
            checked += 1
    assert checked == 31
    # the edits did change the numbers
    assert (after.unit("XH05").valid, after.unit("XH04").late) == (2, 1)
    assert after.unit("XH06").score < result.unit("XH06").score
    assert after.unit("XH05").rank != result.unit("XH05").rank


def test_native_charts_are_written_and_regenerated(tallied, tmp_path):
    def charts(path):
        with zipfile.ZipFile(path) as zf:
            return {n: zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("xl/charts/chart")}

    found = charts(tallied["master"])
    assert len(found) == 2
    text = "".join(found.values())
    assert "各单位实报与应报" in text and "各主题领域报送条数" in text
    assert "<strRef><f>'统计'!$" in text.replace("c:", "")  # category labels are text references
    copy = tmp_path / "again.xlsx"
    shutil.copy2(tallied["master"], copy)
    run_tally(FileEngine(copy), TODAY)  # a second run replaces the sheet and its charts
    assert len(charts(copy)) == 2
    assert openpyxl.load_workbook(copy).sheetnames == openpyxl.load_workbook(tallied["master"]).sheetnames


def test_refresh_stats_sees_items_written_in_the_same_session(demo_master):
    engine = FileEngine(demo_master)
    rows = tally_rows.item_rows()
    engine.write_table(TABLES["items"], rows)  # as consolidation does, before its save
    result = refresh_stats(engine, TODAY)  # the engine's reads see the pending rows
    assert refresh_stats(engine, TODAY, items=rows).to_json() == result.to_json()
    engine.save()
    assert result.totals.submitted == len(rows) - 1  # all but the XX99 item
    fresh = compute_tally(load_campaign(FileEngine(demo_master)), TODAY)
    assert fresh.to_json() == result.to_json()
    ws = openpyxl.load_workbook(demo_master)[STATS_SHEET]
    assert any(isinstance(c.value, str) and "COUNTIFS" in c.value for row in ws.iter_rows() for c in row)


def test_empty_items_and_the_demo_step(demo_master, tmp_path):
    from macros.app.demo import DemoContext
    from macros.demo.tally import demo_step

    ctx = DemoContext(out=tmp_path, master=demo_master)
    demo_step(ctx)  # 征集明细 still empty: everything is 0, nothing breaks
    assert ctx.notes and "实报 0 条" in ctx.notes[0]
    ws = openpyxl.load_workbook(demo_master)[STATS_SHEET]
    text = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "一、按单位统计（应报、实报、有效、逾期、差额、完成率）" in text
    assert "九、各部门牵头、配合任务数" in text
