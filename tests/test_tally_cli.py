"""``kexie tally`` as a real subprocess: the documented JSON on stdout and nothing else,
exit codes, --today."""

from __future__ import annotations

import json
import subprocess
import sys

import openpyxl

import tally_rows

SPEC_UNIT_KEYS = {"unit_code", "unit", "category", "quota", "submitted", "valid", "late", "shortfall",
                  "score", "rank", "grade"}


def kexie(*args):
    return subprocess.run([sys.executable, "-m", "macros.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_tally_json_shape_and_known_answers(demo_master):
    tally_rows.write_items(demo_master)
    r = kexie("tally", str(demo_master), "--json", "--today", "2010-10-25")
    out = json.loads(r.stdout)  # the whole of stdout is one JSON object
    assert r.returncode == 1  # data problem: an item of unit XX99, not in the roster
    assert [(p["code"], p["sheet"]) for p in out["problems"]] == [("W301", "征集明细")]
    assert "W301" in r.stderr
    assert {"units", "short_of_quota", "targets", "overdue_tasks"} <= set(out)
    for u in out["units"]:
        assert SPEC_UNIT_KEYS <= set(u)
    units = {u["unit_code"]: u for u in out["units"]}
    assert {k: units["XH02"][k] for k in SPEC_UNIT_KEYS} == {
        "unit_code": "XH02", "unit": "丹东市农学会", "category": "市级学会", "quota": 3, "submitted": 4,
        "valid": 3, "late": 1, "shortfall": 0, "score": 76.46, "rank": 5, "grade": "良好"}
    assert (units["XH05"]["rank"], units["XH06"]["rank"]) == (3, 3)
    assert units["GX01"]["score"] is None and units["GX01"]["rank"] is None
    assert out["short_of_quota"][:4] == ["XH03", "XH04", "XH07", "XH08"]
    assert len(out["short_of_quota"]) == 24
    assert {"name": "新发展农技协", "target": 10, "actual": 8, "completion": 0.8}.items() <= out["targets"][2].items()
    assert out["overdue_tasks"] == [4, 6, 7, 9, 10, 11]  # seed 004's tasks, due 2010-10-20 in the demo
    # the 统计 sheet was written
    assert "统计" in openpyxl.load_workbook(demo_master, read_only=True).sheetnames


def test_today_overrides_the_date_for_overdue_tasks(demo_master):
    r = kexie("tally", str(demo_master), "--json", "--today", "2010-10-21")
    assert r.returncode == 0, r.stderr  # short of quota and overdue tasks are results, not problems
    out = json.loads(r.stdout)
    assert out["overdue_tasks"] == [4, 6, 7, 9, 10, 11] and out["problems"] == []
    assert out["today"] == "2010-10-21"
    r = kexie("tally", str(demo_master), "--json", "--today", "2010年10月20日")
    assert json.loads(r.stdout)["overdue_tasks"] == []


def test_human_output_and_errors(demo_master, tmp_path):
    r = kexie("tally", str(demo_master), "--today", "2010-10-25")
    assert r.returncode == 0 and "统计完成" in r.stdout and "未完成配额的单位 29 个" in r.stdout
    r = kexie("tally", str(tmp_path / "无此文件.xlsx"), "--json")
    assert r.returncode == 2 and "找不到" in json.loads(r.stdout)["error"]
    other = tmp_path / "其他.xlsx"
    openpyxl.Workbook().save(other)
    r = kexie("tally", str(other))
    assert r.returncode == 2 and "不是活动工作簿" in r.stderr
    lock = demo_master.with_name(f"~${demo_master.name}")  # the workbook is open in Excel
    lock.write_bytes(b"")
    before = demo_master.read_bytes()
    r = kexie("tally", str(demo_master), "--json")
    assert r.returncode == 3 and demo_master.read_bytes() == before
