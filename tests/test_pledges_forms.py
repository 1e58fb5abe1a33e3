"""三比一争当 (seed 002, 定目标亮承诺): each 部室 gets its own 承诺报送表 from ``kexie forms``,
returns it filled in, and ``kexie consolidate`` takes it through the ledger into 承诺 — bad rows
coded and named in 报送记录, the clerk's columns kept on re-submission, the 承诺公示表 and tally
built from what came back. Real files: forms built by kexie, filled with openpyxl, the CLI."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import date, datetime

import docx
import openpyxl
import pytest

from macros.adapters.file_engine import FileEngine
from macros.app.new import new_campaign
from macros.core.pledge_returns import merge_pledges, parse_due
from macros.schema import TABLES


def kexie(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "macros.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def _column(ws, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def _campaign(tmp_path, clerk_rows=()):
    """A fresh 三比一争当 workbook; ``clerk_rows`` typed into 承诺 by hand (部室, 目标任务, 完成时限, 责任人)."""
    master = new_campaign(tmp_path / "三比一争当.xlsx", "三比一争当")
    if clerk_rows:
        wb = openpyxl.load_workbook(master)
        ws = wb["承诺"]
        for row, values in enumerate(clerk_rows, start=2):
            for col, value in enumerate(values, start=1):
                ws.cell(row, col).value = value
        wb.save(master)
    return master


def _forms(master, out, exit_code: int = 0) -> str:
    r = kexie("forms", str(master), "--out", str(out))
    assert r.returncode == exit_code, r.stdout + r.stderr
    return r.stdout


def _commitments(master) -> list[dict]:
    frame = FileEngine(master).read_table(TABLES["commitments"]).frame
    return [{k: (None if isinstance(v, float) and v != v else v) for k, v in rec.items()}
            for rec in frame.to_dict("records")]


def _fill(form, rows, dest):
    """Type rows into a 部室's form as its clerk would: {excel row: {column letter: value}}."""
    wb = openpyxl.load_workbook(form)
    ws = wb["报送"]
    for row, cells in rows.items():
        for letter, value in cells.items():
            ws[f"{letter}{row}"] = value
    wb.save(dest)
    return dest


# --- pure ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, due, kept", [
    ("2010年12月底", date(2010, 12, 31), "2010年12月底"),
    ("２０１０年１１月３０日", date(2010, 11, 30), None),  # full-width digits: a plain date
    ("2010-09-15", date(2010, 9, 15), None),
    ("12月中旬", date(2010, 12, 15), "12月中旬"),  # no year: the campaign's
    ("十月底前", date(2010, 10, 31), "十月底前"),
    ("年底前", date(2010, 12, 31), "年底前"),
    ("長期堅持", None, "長期堅持"),  # unreadable: kept as typed
    (date(2010, 10, 1), date(2010, 10, 1), None),
])
def test_due_dates_as_the_departments_write_them(typed, due, kept):
    assert parse_due(typed, 2010) == (due, kept)


def test_merge_keeps_clerk_columns_and_hand_typed_rows():
    existing = [
        {"department": "办公室", "goal": "甲", "source": None},
        {"department": "学会部", "goal": "年会", "owner": "刘勇", "review": "通过", "status": "已完成",
         "source": "承诺报送表 a.xlsx"},
        {"department": "学会部", "goal": "手工录入的", "source": None},
        {"department": "学会部", "goal": "撤下的", "review": "退回", "source": "承诺报送表 a.xlsx"},
        {"department": "学会部", "goal": "没人动过的", "source": "承诺报送表 a.xlsx"},
        {"department": "普及部", "goal": "乙", "source": None},
    ]
    m = merge_pledges(existing, "学会部", [{"goal": "年會", "owner": "邹静"}, {"goal": "新的"}], "承诺报送表 b.xlsx")
    got = [(r["department"], r["goal"], r.get("owner"), r.get("review"), r.get("source")) for r in m.rows]
    assert got == [
        ("办公室", "甲", None, None, None),
        ("学会部", "年會", "邹静", "通过", "承诺报送表 b.xlsx"),  # Traditional 會 matches 会: the same 承诺
        ("学会部", "新的", None, None, "承诺报送表 b.xlsx"),
        ("学会部", "手工录入的", None, None, None),
        ("学会部", "撤下的", None, "退回", "承诺报送表 a.xlsx（已撤回）"),
        ("普及部", "乙", None, None, None),
    ]
    assert m.withdrawn == [("撤下的", ["review"])] and m.changed


# --- forms -----------------------------------------------------------------------------------------

def test_each_department_gets_its_own_pledge_form(tmp_path):
    master = _campaign(tmp_path, [("学会部", "完成学术年会筹备", date(2010, 10, 31), "刘勇"),
                                  ("宣传部", "印发简报", None, None)])
    said = _forms(master, tmp_path / "forms", exit_code=1)  # 1: a data problem was found (W850)
    assert sorted(p.name for p in (tmp_path / "forms").iterdir()) == [
        "JG01_办公室_承诺报送表.xlsx", "JG02_学会部_承诺报送表.xlsx", "JG03_普及部_承诺报送表.xlsx",
        "JG04_组宣部_承诺报送表.xlsx", "JG05_党总支_承诺报送表.xlsx"]
    assert "W850" in said and "是否为“组宣部”" in said  # 宣传部 is not in the roster: closest name offered
    assert "已为 5 个部门生成部门报送表（承诺）" in said
    wb = openpyxl.load_workbook(next((tmp_path / "forms").glob("JG02_学会部_承诺报送表.xlsx")))
    meta = {r[0]: r[1] for r in wb["_kexie"].iter_rows(values_only=True)}
    assert meta["kind"] == "commitments" and meta["unit_code"] == "JG02" and len(meta["token"]) == 32
    assert wb["_kexie"].sheet_state == "veryHidden" and wb["报送"].protection.sheet
    ws = wb["报送"]
    assert [c.value for c in ws[4]] == ["序号", "部室", "目标任务", "具体措施", "完成时限", "责任人"]
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert rows[0][:3] == (1, "学会部", "完成学术年会筹备") and rows[0][5] == "刘勇"  # what it already has
    assert len(rows) == 11 and all(r[1] == "学会部" and r[2] is None for r in rows[1:])  # then blank rows
    assert not ws["C6"].protection.locked and ws["A6"].protection.locked
    assert "承诺" in wb["填报说明"]["A3"].value or "承诺" in wb["填报说明"]["A4"].value


# --- returns ---------------------------------------------------------------------------------------

def test_returned_pledges_fill_the_sheet_and_bad_rows_are_coded(tmp_path):
    master = _campaign(tmp_path)
    out = tmp_path / "forms"
    _forms(master, out)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _fill(out / "JG02_学会部_承诺报送表.xlsx", {
        5: {"C": "完成学术年会筹备", "D": "9月定方案，10月召开", "E": "2010年10月底", "F": "刘勇"},
        6: {"B": "學會部", "C": "编印计策汇编", "E": "２０１０年１２月１０日", "F": "刘勇"},  # Traditional 部室
        7: {"C": "走访企业", "E": "长期坚持", "F": "柏青"},  # unreadable 完成时限: warned, kept as text
        8: {"C": "科技周", "E": date(2011, 3, 1)},  # after the campaign's end: warned
        9: {"D": "只有措施，没有目标任务"},  # E852
        10: {"B": "普及部", "C": "替普及部报的承诺"},  # E851
        11: {"B": "宣传部", "C": "名册里没有的部室"},  # E850
    }, inbox / "学会部.xlsx")
    r = kexie("consolidate", str(master), str(inbox), "--json")
    assert r.returncode == 1, r.stdout + r.stderr
    (f,) = json.loads(r.stdout)["files"]
    assert f["status"] == "ingested" and f["rows"] == 4 and f["unit_code"] == "JG02#commitments#"
    by_code = {p["code"]: p for p in f["problems"]}
    assert set(by_code) == {"W851", "W852", "E852", "E851", "E850"}
    assert by_code["W851"]["cell"] == "E7" and by_code["W852"]["cell"] == "E8" and by_code["E852"]["cell"] == "C9"
    assert by_code["E851"]["cell"] == "B10" and "普及部" in by_code["E851"]["message"]
    assert "是否为“组宣部”" in by_code["E850"]["message"]
    rows = _commitments(master)
    got = [(r["department"], r["goal"], r["due"], r["due_text"], r["owner"]) for r in rows]
    assert got == [
        ("学会部", "完成学术年会筹备", date(2010, 10, 31), "2010年10月底", "刘勇"),
        ("学会部", "编印计策汇编", date(2010, 12, 10), None, "刘勇"),
        ("学会部", "走访企业", None, "长期坚持", "柏青"),
        ("学会部", "科技周", date(2011, 3, 1), None, None),
    ]
    assert rows[0]["measures"] == "9月定方案，10月召开"
    assert all(r["source"].startswith("承诺报送表 学会部.xlsx") for r in rows)
    # 报送记录 names the rows left out, with their codes
    subs = FileEngine(master).read_table(TABLES["submissions"]).frame
    result = subs["result"].tolist()[0]
    assert "3 行未汇总" in result and "E852 第9行" in result and "E851 第10行" in result and "E850 第11行" in result
    # nothing typed is lost: the rejected rows are in the ledger as typed
    ledger = next(master.parent.glob("*kexie-ledger.sqlite"))
    originals = " ".join(r[0] for r in sqlite3.connect(ledger).execute("SELECT original FROM received_rows"))
    assert "替普及部报的承诺" in originals and "只有措施，没有目标任务" in originals
    # validation knows the 承诺 sheet: clean here
    r = kexie("validate", str(master), "--json")
    assert not [p for p in json.loads(r.stdout)["problems"] if p["code"].startswith(("E85", "W85"))]


def test_resubmission_supersedes_and_keeps_what_the_clerk_typed(tmp_path):
    master = _campaign(tmp_path, [("学会部", "组织院士专家走基层", date(2010, 11, 30), "刘勇")])
    out = tmp_path / "forms"
    _forms(master, out)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    form = out / "JG02_学会部_承诺报送表.xlsx"
    _fill(form, {6: {"C": "完成学术年会筹备", "E": "2010年10月底", "F": "刘勇"},
                 7: {"C": "走访企业", "E": "2010年12月", "F": "柏青"}}, inbox / "学会部.xlsx")
    _fill(out / "JG03_普及部_承诺报送表.xlsx", {5: {"C": "科普日活动", "E": date(2010, 9, 20), "F": "喻晓光"}},
          inbox / "普及部.xlsx")
    r = kexie("consolidate", str(master), str(inbox))
    assert r.returncode == 0, r.stdout + r.stderr
    assert [r["goal"] for r in _commitments(master)] == ["组织院士专家走基层", "完成学术年会筹备", "走访企业", "科普日活动"]
    # the clerk reviews and records progress in 承诺
    wb = openpyxl.load_workbook(master)
    ws = wb["承诺"]
    review, status = _column(ws, "审核意见"), _column(ws, "完成情况")
    ws.cell(3, review).value, ws.cell(3, status).value = "通过", "已完成"  # 完成学术年会筹备
    ws.cell(4, review).value = "请细化措施"  # 走访企业
    wb.save(master)
    # a re-run with nothing new keeps it all
    r = kexie("consolidate", str(master), str(inbox), "--json")
    assert {f["status"] for f in json.loads(r.stdout)["files"]} == {"unchanged"}
    assert _commitments(master)[1]["review"] == "通过"
    # the next form is prefilled with what came back (完成时限 as the 部室 wrote it)
    _forms(master, tmp_path / "forms2")
    wb = openpyxl.load_workbook(tmp_path / "forms2" / "JG02_学会部_承诺报送表.xlsx")
    prefilled = [r[2:5:2] for r in wb["报送"].iter_rows(min_row=5, max_row=7, values_only=True)]
    assert prefilled == [("组织院士专家走基层", datetime(2010, 11, 30)), ("完成学术年会筹备", "2010年10月底"),
                         ("走访企业", "2010年12月")]
    # 学会部 sends a new version: 年会 re-dated, 走访企业 dropped, a new 承诺 added
    ws = wb["报送"]
    ws["E6"], ws["F6"] = "2010年10月20日", "邹静"
    ws["C7"] = ws["E7"] = ws["F7"] = None
    ws["C8"], ws["E8"] = "编印计策汇编", "2010年12月10日"
    wb.save(inbox / "学会部-修改.xlsx")
    r = kexie("consolidate", str(master), str(inbox), "--json")
    files = {f["file"]: f for f in json.loads(r.stdout)["files"]}
    assert files["学会部.xlsx"]["status"] == "superseded" and files["学会部-修改.xlsx"]["status"] == "ingested"
    assert files["普及部.xlsx"]["status"] == "unchanged"
    assert "W853" in [p["code"] for p in files["学会部-修改.xlsx"]["problems"]]
    rows = {r["goal"]: r for r in _commitments(master)}
    assert list(rows) == ["组织院士专家走基层", "完成学术年会筹备", "编印计策汇编", "走访企业", "科普日活动"]
    year = rows["完成学术年会筹备"]
    assert (year["due"], year["owner"], year["review"], year["status"]) == (date(2010, 10, 20), "邹静", "通过", "已完成")
    assert year["source"].startswith("承诺报送表 学会部-修改.xlsx")
    assert rows["走访企业"]["review"] == "请细化措施" and rows["走访企业"]["source"].endswith("（已撤回）")
    assert rows["组织院士专家走基层"]["source"].startswith("承诺报送表 学会部-修改.xlsx")  # the prefilled row came back


def test_a_form_cannot_be_turned_into_another_departments(tmp_path):
    master = _campaign(tmp_path)
    out = tmp_path / "forms"
    _forms(master, out)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    wb = openpyxl.load_workbook(out / "JG02_学会部_承诺报送表.xlsx")
    ws = wb["_kexie"]
    for row in ws.iter_rows():
        if row[0].value == "unit_code":
            row[1].value = "JG03"  # pretend to be 普及部
    wb["报送"]["C5"] = "冒名的承诺"
    wb.save(inbox / "冒名.xlsx")
    r = kexie("consolidate", str(master), str(inbox), "--json")
    (f,) = json.loads(r.stdout)["files"]
    assert f["status"] == "rejected" and [p["code"] for p in f["problems"]] == ["E205"]
    assert _commitments(master) == []


# --- what is published -----------------------------------------------------------------------------

def test_tally_counts_missing_pledges_and_the_board_lists_the_returned_ones(tmp_path):
    master = _campaign(tmp_path, [("办公室", "完善机关制度", date(2010, 9, 30), "王宏")])
    out = tmp_path / "forms"
    _forms(master, out)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _fill(out / "JG02_学会部_承诺报送表.xlsx", {5: {"C": "完成学术年会筹备", "D": "9月定方案，10月开会", "E": "2010年10月底", "F": "刘勇"}},
          inbox / "学会部.xlsx")
    assert kexie("consolidate", str(master), str(inbox)).returncode == 0
    r = kexie("tally", str(master), "--json", "--today", "2010-09-10")
    data = json.loads(r.stdout)
    assert data["pledge_departments"] == ["办公室", "学会部", "普及部", "组宣部", "党总支"]
    assert data["pledges_missing"] == ["普及部", "组宣部", "党总支"]
    r = kexie("tally", str(master), "--today", "2010-09-10")
    assert "承诺：5 个部室，已报送 2 个，未报送 3 个（普及部、组宣部、党总支）。" in r.stdout
    stats = openpyxl.load_workbook(master)["统计"]
    cells = [[c.value for c in row] for row in stats.iter_rows()]
    at = next(i for i, row in enumerate(cells) if row[0] == "承诺报送（5 个部室，已报送 2 个，未报送 3 个）")
    assert cells[at + 1][:2] == ["未报送承诺的部室", "普及部、组宣部、党总支"]
    r = kexie("report", str(master), "--kind", "pledges", "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stdout + r.stderr
    doc = docx.Document(next((tmp_path / "out").glob("承诺公示表*.docx")))
    table = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    body = [row for row in table if row and row[0].isdigit()]
    assert [row[1:] for row in body] == [["办公室", "完善机关制度", "", "2010年9月30日", "王宏"],
                                         ["学会部", "完成学术年会筹备", "9月定方案，10月开会", "2010年10月底", "刘勇"]]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "尚未提交承诺的部室：普及部、组宣部、党总支。" in text
