"""Department forms (部门报送表): a form per 牵头/责任 department, returned through the ledger
into 任务分工 and 指标进度 — wrong department rejected with a code, closed period warned, nothing
typed lost; periods, latest cumulative actual, relative deadlines."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import date

import openpyxl

from macros.adapters.file_engine import FileEngine
from macros.app.new import new_campaign
from macros.core.dept_returns import latest_actuals, period_key, resolve_due
from macros.schema import TABLES


def kexie(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "macros.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def test_periods_order_and_latest_actual():
    assert period_key("2019年第3季度") < period_key("2019年10月") < period_key("2019年下半年")
    assert period_key("2019年第一季度") == (2019, 3) and period_key("2020年上半年") == (2020, 6)
    hist = [{"name": "甲", "period": "2019年第3季度", "value": 30},
            {"name": "甲", "period": "2019年第2季度", "value": 10},
            {"name": "乙", "period": "2019年第1季度", "value": None}]
    assert latest_actuals(hist) == {"甲": 30}


def test_relative_deadline_from_activity_end():
    rec = {"due": None, "due_rule": "活动结束后15日内报送", "activity_end": date(2019, 10, 1)}
    assert resolve_due(rec) == date(2019, 10, 16)
    assert resolve_due({"due": date(2019, 9, 1), "due_rule": "活动结束后15日内"}) == date(2019, 9, 1)


def _forms(tmp_path, preset):
    master = new_campaign(tmp_path / f"{preset}.xlsx", preset)
    out = tmp_path / "forms"
    r = kexie("forms", str(master), "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    from macros.app.forms import run_forms

    run = run_forms(master, tmp_path / "forms-again")
    return master, out, {"forms": run.departments}


def test_task_campaign_gives_each_lead_department_its_form(tmp_path):
    master, out, data = _forms(tmp_path, "任务")
    names = {f["unit"] for f in data["forms"]}
    assert names == {"组宣部", "党总支", "创新办", "学企部", "普及部", "办公室", "改革办"}
    wb = openpyxl.load_workbook(next(out.glob("*组宣部*")))
    meta = {r[0]: r[1] for r in wb["_kexie"].iter_rows(values_only=True)}
    assert meta["kind"] == "tasks" and meta["period"] == "2019年第3季度" and len(meta["token"]) == 32
    assert wb["_kexie"].sheet_state == "veryHidden" and wb["报送"].protection.sheet
    seqs = [r[0] for r in wb["报送"].iter_rows(min_row=5, values_only=True) if r[0] is not None]
    assert seqs == [1, 3]  # the tasks 组宣部 leads (1: 组宣部、党总支; 3: 组宣部)


def test_task_returns_update_the_plan_and_reject_foreign_tasks(tmp_path):
    master, out, _ = _forms(tmp_path, "任务")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    wb = openpyxl.load_workbook(next(out.glob("*组宣部*")))
    ws = wb["报送"]
    ws["D5"], ws["E5"], ws["F5"], ws["G5"] = "已完成", "已召开中心组学习会", date(2019, 9, 20), "学习会纪要"
    ws["A7"], ws["D7"], ws["E7"] = 2, "已完成", "替党总支报的"  # 党总支 leads task 2
    wb.save(inbox / "组宣部.xlsx")
    r = kexie("consolidate", str(master), str(inbox), "--json")
    assert r.returncode == 1, r.stdout + r.stderr
    data = json.loads(r.stdout)
    codes = [p["code"] for f in data["files"] for p in f["problems"]]
    assert "E803" in codes
    tasks = FileEngine(master).read_table(TABLES["tasks"]).frame.set_index("seq")
    assert tasks.loc[1, "status"] == "已完成" and tasks.loc[1, "materials"] == "学习会纪要"
    assert tasks.loc[1, "done_on"] == date(2019, 9, 20) or str(tasks.loc[1, "done_on"]).startswith("2019-09-20")
    assert tasks.loc[2, "status"] is None  # the foreign row did not touch 党总支's task
    # nothing typed is lost: the rejected row is in the ledger as typed
    ledger = next(master.parent.glob("*kexie-ledger.sqlite"))
    rows = sqlite3.connect(ledger).execute("SELECT original FROM received_rows").fetchall()
    assert any("替党总支报的" in r[0] for r in rows)
    # a second run with nothing new changes nothing and keeps a hand edit
    wb = openpyxl.load_workbook(master)
    ws = wb["任务分工"]
    head = [c.value for c in ws[1]]
    ws.cell(2, head.index("进展说明") + 1).value = "工作人员改过"
    wb.save(master)
    kexie("consolidate", str(master), str(inbox))
    tasks = FileEngine(master).read_table(TABLES["tasks"]).frame.set_index("seq")
    assert tasks.loc[1, "progress"] == "工作人员改过"


def test_indicator_returns_keep_history_and_warn_closed_periods(tmp_path):
    master, out, data = _forms(tmp_path, "指标")
    assert {f["unit"] for f in data["forms"]} == {"普及部", "办公室", "学企部"}
    wb = openpyxl.load_workbook(master)
    for row in wb["设置"].iter_rows(min_row=2):
        if row[0].value == "已结束期次":
            row[1].value = "2011年第1季度"
    wb.save(master)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    form = openpyxl.load_workbook(next(out.glob("*普及部*")))
    ws = form["报送"]
    for r in range(5, ws.max_row + 1):
        if ws.cell(r, 1).value == "青少年科技创新大赛获奖":
            ws.cell(r, 5).value = 30
        if ws.cell(r, 1).value == "接受科普宣传群众":
            ws.cell(r, 5).value, ws.cell(r, 6).value = "8万人次", "含线上"
    r = ws.max_row + 1
    ws.cell(r, 1).value, ws.cell(r, 5).value = "争取中央、省财政资金", 50  # 办公室's indicator
    form.save(inbox / "普及部.xlsx")
    r = kexie("consolidate", str(master), str(inbox), "--json")
    codes = [p["code"] for f in json.loads(r.stdout)["files"] for p in f["problems"]]
    assert "E806" in codes and "W804" in codes
    engine = FileEngine(master)
    hist = engine.read_table(TABLES["target_progress"]).frame
    assert sorted(zip(hist["name"], hist["period"], hist["value"])) == [
        ("接受科普宣传群众", "2011年第1季度", 80000), ("青少年科技创新大赛获奖", "2011年第1季度", 30)]
    actual = dict(zip(*[engine.read_table(TABLES["targets"]).frame[k] for k in ("name", "actual")]))
    assert actual["青少年科技创新大赛获奖"] == 30 and actual["争取中央、省财政资金"] is None
    r = kexie("tally", str(master), "--json")
    periods = json.loads(r.stdout)["target_periods"]
    assert [(p["name"], p["completion"]) for p in periods] == [("青少年科技创新大赛获奖", 0.5), ("接受科普宣传群众", 0.4)]


def test_demo_has_the_task_campaign_with_department_returns(tmp_path):
    from macros.demo.run import DemoContext
    from macros.demo.tasks import demo_step

    ctx = DemoContext(out=tmp_path, master=tmp_path / "unused.xlsx")
    demo_step(ctx)
    folder = tmp_path / "国庆70周年任务"
    assert {p.name for p in (folder / "文档").iterdir()} == {"红头通知.docx", "任务分工表.docx"}
    tasks = FileEngine(folder / "国庆70周年-活动工作簿.xlsx").read_table(TABLES["tasks"]).frame.set_index("seq")
    assert tasks.loc[2, "status"] == "已完成" and tasks.loc[10, "status"] is None  # E803 row rejected
    assert "E803（报送了非本部门牵头的任务）1 处" in ctx.notes[-1]


def test_unknown_lead_department_is_a_coded_problem_with_a_suggestion(tmp_path):
    master = new_campaign(tmp_path / "任务.xlsx", "任务")
    wb = openpyxl.load_workbook(master)
    ws = wb["任务分工"]
    head = [c.value for c in ws[1]]
    ws.cell(2, head.index("牵头部门") + 1).value = "组宣部、党总支部"
    wb.save(master)
    r = kexie("validate", str(master), "--json")
    data = json.loads(r.stdout)
    hit = [p for p in data["problems"] if p["code"] == "E113"]
    assert hit and hit[0]["suggestion"] == "党总支"
