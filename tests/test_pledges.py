"""三比一争当 (seed 002): the preset's phases, 承诺 → 承诺公示表, 比进度 ranking, 评选 with ties."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import docx
import openpyxl

from macros.app.new import new_campaign
from macros.core.pledges import progress_ranking, select_pioneers
from macros.presets import preset


def kexie(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "macros.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def test_preset_holds_the_seed_phases_with_dates():
    data = preset("三比一争当")
    phases = [(p["phase"], p["start"], p["end"]) for p in data.tables["phases"]]
    assert phases == [
        ("广泛宣传发动", date(2010, 7, 31), date(2010, 8, 15)),
        ("定目标亮承诺", date(2010, 8, 16), date(2010, 8, 31)),
        ("比进度赛成果", date(2010, 9, 1), date(2010, 12, 15)),
        ("搞好评选表彰", date(2010, 12, 16), date(2010, 12, 31)),
    ]
    assert data.settings["campaign_kind"] == "活动方案"
    assert "commitments" not in data.tables  # commitments come from the 部室, not the preset


def test_progress_ranks_departments_by_tasks_done_on_time():
    today = date(2010, 12, 20)
    rows = [
        {"department": "学会部", "goal": "甲", "due": date(2010, 10, 1), "status": "已完成", "done_on": date(2010, 9, 30)},
        {"department": "学会部", "goal": "乙", "due": date(2010, 11, 1), "status": "已完成", "done_on": date(2010, 11, 5)},
        {"department": "普及部", "goal": "丙", "due": date(2010, 10, 1), "status": "已完成", "done_on": date(2010, 10, 1)},
        {"department": "办公室", "goal": "丁", "due": date(2010, 10, 1), "status": "进行中"},
        {"department": "办公室", "goal": "戊", "due": None, "status": "已完成"},
        {"department": "组宣部", "goal": "己", "due": date(2010, 12, 31), "status": None},
        {"department": "组宣部", "goal": None},  # blank goal: not a commitment
    ]
    got = {p.department: (p.rank, p.total, p.done, p.on_time, p.overdue) for p in progress_ranking(rows, today)}
    # 普及部 1/1 on time, 学会部 1/2, 办公室 1/2 (one overdue) → 普及部 first, the two others tie
    assert got == {"普及部": (1, 1, 1, 1, 0), "学会部": (2, 2, 2, 1, 0), "办公室": (2, 2, 1, 1, 1),
                   "组宣部": (4, 1, 0, 0, 0)}


def test_pioneers_are_ranked_per_type_with_ties_and_places():
    reviews = [
        {"candidate": "学会部", "type": "集体", "score": 90}, {"candidate": "学会部", "type": "集体", "score": 80},
        {"candidate": "普及部", "type": "集体", "score": 85},
        {"candidate": "办公室", "type": "集体", "score": 70},
        {"candidate": "刘勇", "type": "个人", "department": "学会部", "score": 95},
        {"candidate": "邹静", "type": "个人", "score": 95},
        {"candidate": "柏青", "type": "个人", "score": 60},
        {"candidate": "某某", "type": "个人", "score": 150},  # out of range: ignored
    ]
    got = [(p.type, p.candidate, p.score, p.rank, p.selected) for p in select_pioneers(reviews, 1)]
    assert got == [("集体", "学会部", 85.0, 1, True), ("集体", "普及部", 85.0, 1, True),
                   ("集体", "办公室", 70.0, 3, False),
                   ("个人", "刘勇", 95.0, 1, True), ("个人", "邹静", 95.0, 1, True), ("个人", "柏青", 60.0, 3, False)]


def _fill(path):
    wb = openpyxl.load_workbook(path)
    ws = wb["承诺"]
    for row in (("学会部", "完成学术年会筹备", date(2010, 10, 31), "刘勇", "已完成", date(2010, 10, 20)),
                ("普及部", "科普日活动", date(2010, 9, 20), "喻晓光", "进行中", None),
                ("学会部", "编印计策汇编", date(2010, 12, 10), "刘勇", None, None)):
        ws.append(list(row))
    ws = wb["践诺评议"]
    for row in (("学会部", "集体", None, "甲", 90), ("普及部", "集体", None, "甲", 80), ("刘勇", "个人", "学会部", "甲", 88)):
        ws.append(list(row))
    wb.save(path)


def test_tally_and_pledge_board_from_the_sheets(tmp_path):
    path = new_campaign(tmp_path / "三比.xlsx", "三比一争当")
    _fill(path)
    r = kexie("validate", str(path))
    assert r.returncode == 0, r.stdout
    r = kexie("tally", str(path), "--json", "--today", "2010-12-20")
    data = json.loads(r.stdout)
    assert [(p["department"], p["rank"], p["on_time"]) for p in data["progress"]] == [("学会部", 1, 1), ("普及部", 2, 0)]
    assert [(p["candidate"], p["selected"]) for p in data["pioneers"]] == [("学会部", True), ("普及部", True),
                                                                           ("刘勇", True)]
    stats = openpyxl.load_workbook(path)["统计"]
    text = " ".join(str(c.value) for row in stats.iter_rows() for c in row if c.value is not None)
    assert "比进度" in text and "评选" in text
    out = tmp_path / "out"
    r = kexie("report", str(path), "--kind", "pledges", "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    doc = docx.Document(next(out.glob("承诺公示表*.docx")))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "完成学术年会筹备" in cells and "2010年10月31日" in cells and "刘勇" in cells
