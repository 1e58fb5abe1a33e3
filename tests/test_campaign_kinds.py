"""Presets hold the seeds' plans (no invented progress, validate clean), allocate --write,
commendation rules (quota met, grade reached, never 不合格) and the 草稿 assessment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from macros.adapters.file_engine import FileEngine
from macros.app.campaign import load_campaign
from macros.app.new import new_campaign
from macros.app.report import build_context, generate
from macros.core.commend import commend_grade, commendable_units, grade_reached
from macros.core.tally import compute_tally
from macros.presets import PRESETS, preset

from test_tally import GRADES, QUOTAS, TODAY, campaign, item, unit


def kexie(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "macros.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


# --- presets ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", PRESETS)
def test_fresh_workbook_of_every_preset_validates_clean(name, tmp_path):
    path = new_campaign(tmp_path / f"{name}.xlsx", name)
    r = kexie("validate", str(path), "--json")
    assert r.returncode == 0, r.stdout + r.stderr


def test_presets_hold_the_plan_without_progress():
    tasks = preset("任务").tables["tasks"]
    assert len(tasks) == 11
    assert all(t["status"] is None and t["materials_date"] is None and t["progress"] is None for t in tasks)
    targets = preset("指标").tables["targets"]
    assert [t["target"] for t in targets] == [60, 200000, 10, 20, 100, 1]
    assert all(t["actual"] is None for t in targets)
    s = preset("指标").settings
    assert (s["start_date"].isoformat(), s["deadline"].isoformat()) == ("2011-01-01", "2011-12-31")
    assert preset("任务").settings["campaign_kind"] == "实施方案"
    assert preset("指标").settings["campaign_kind"] == "工作要点"


def test_tally_summary_leads_with_what_the_campaign_is_about(tmp_path):
    for name, first in (("任务", "任务 11 项"), ("指标", "指标 6 项")):
        path = new_campaign(tmp_path / f"{name}.xlsx", name)
        r = kexie("tally", str(path), "--today", "2011-06-30")
        lines = r.stdout.splitlines()
        assert lines[1].strip().startswith(first), r.stdout
        assert "应报单位" not in r.stdout  # nobody has a quota in these campaigns


# --- allocate --write ----------------------------------------------------------------------------

def test_allocate_write_puts_the_allocation_into_quota_with_a_backup(demo_master, tmp_path):
    weights = tmp_path / "权重.csv"
    weights.write_text("单位,权重\n东港市科协,5\n凤城市科协,3\n丹东市振兴区科協会,2\n", encoding="utf-8")
    r = kexie("allocate", "--total", "20", "--weights", str(weights), "--write", str(demo_master), "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    ws = openpyxl.load_workbook(demo_master)["单位名册"]
    head = [c.value for c in ws[1]]
    by_name = {row[head.index("单位名称")]: row[head.index("配额")] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert by_name["东港市科协"] == 10 and by_name["凤城市科协"] == 6
    assert by_name["丹东市医学会"] is None  # units outside the weights file untouched
    import json

    w802 = [p for p in json.loads(r.stdout)["problems"] if p["code"] == "W802"]
    assert w802 and w802[0]["suggestion"] == "丹东市振兴区科协"  # the suggestion
    assert list((demo_master.parent / "备份").glob("*.xlsx"))


def test_allocate_write_refuses_an_open_workbook(demo_master, tmp_path):
    weights = tmp_path / "w.csv"
    weights.write_text("单位,权重\n东港市科协,1\n", encoding="utf-8")
    lock = demo_master.with_name("~$" + demo_master.name)
    lock.write_bytes(b"x")
    before = demo_master.read_bytes()
    r = kexie("allocate", "--total", "3", "--weights", str(weights), "--write", str(demo_master))
    assert r.returncode == 3, r.stdout + r.stderr
    assert demo_master.read_bytes() == before


# --- commendation ---------------------------------------------------------------------------------

def test_commend_grade_setting():
    assert commend_grade(None) == "良好" and commend_grade("优秀") == "优秀"
    assert commend_grade("不合格") == "良好"  # never commend 不合格
    assert grade_reached("优秀", "良好", GRADES) and grade_reached("良好", "良好", GRADES)
    assert not grade_reached("合格", "良好", GRADES) and not grade_reached("不合格", "合格", GRADES)


def test_commendation_takes_only_units_that_met_quota_and_reached_the_grade():
    full = [item("A", score=95, adopted="是")] * 3 + [item("B", score=70, adopted="否")] * 3
    short = [item("C", score=99, adopted="是")] * 2  # high marks but short of its quota of 3
    weak = [item("D", score=10, adopted="否")] * 3  # 不合格/合格
    c = campaign(quota_rules=QUOTAS, units=[unit(x) for x in "ABCD"], items=full + short + weak,
                 settings={"excellent_units": 5})
    r = compute_tally(c, TODAY)
    grades = {u.code: u.grade for u in r.ranking}
    assert grades["D"] in ("合格", "不合格")
    assert [u.code for u in r.excellent_units] == [x for x in "AB" if grades[x] in ("优秀", "良好")]
    assert "C" not in [u.code for u in r.excellent_units] and "D" not in [u.code for u in r.excellent_units]
    c.settings["commend_min_grade"] = "优秀"
    r = compute_tally(c, TODAY)
    assert all(u.grade == "优秀" for u in r.excellent_units)


def test_commendable_units_ties_within_places():
    class U:
        def __init__(self, score, grade, shortfall=0):
            self.score, self.grade, self.shortfall = score, grade, shortfall

    ranking = [U(95, "优秀"), U(90, "优秀"), U(90, "优秀"), U(80, "良好"), U(50, "不合格")]
    assert len(commendable_units(ranking, 2, "良好", GRADES)) == 3
    assert len(commendable_units(ranking, 10, "良好", GRADES)) == 4  # never the 不合格 one


def test_unscored_components_make_the_assessment_a_draft(demo_master, tmp_path):
    # demo workbook: no item has 评分 or 是否采纳 → 质量 and 采纳 unscored
    r = kexie("tally", str(demo_master), "--json")
    import json

    data = json.loads(r.stdout)
    assert data["unscored"] == ["计策质量", "采纳情况"]
    r = kexie("tally", str(demo_master))
    assert "W801" in r.stdout
    camp = load_campaign(FileEngine(demo_master))
    tally = compute_tally(camp, TODAY)
    ctx = build_context("assessment", camp, tally, TODAY, tmp_path)
    assert ctx["draft"] is True and [u["item"] for u in ctx["unscored"]] == ["计策质量", "采纳情况"]
    out = tmp_path / "out"
    generate(camp, ["assessment"], out, today=TODAY, tally=tally)
    text = "".join(p.text for p in __import__("docx").Document(next(out.glob("*.docx"))).paragraphs)
    assert "草稿" in text and "尚未评分" in text
    final = tmp_path / "final"
    r = kexie("report", str(demo_master), "--kind", "assessment", "--out", str(final), "--final",
              "--today", TODAY.isoformat())
    assert r.returncode in (0, 1), r.stdout + r.stderr
    text = "".join(p.text for p in __import__("docx").Document(next(final.glob("*.docx"))).paragraphs)
    assert "草稿" not in text and "尚未评分" in text  # confirmed, still honest about the zeros


def test_confirmed_setting_clears_the_draft(demo_master, tmp_path):
    camp = load_campaign(FileEngine(demo_master))
    camp.settings["results_confirmed"] = "是"
    tally = compute_tally(camp, TODAY)
    assert build_context("assessment", camp, tally, TODAY, tmp_path)["draft"] is False


# --- a notice per kind of campaign -----------------------------------------------------------------

def _notice_text(path: Path, tmp_path: Path, *extra: str) -> tuple[subprocess.CompletedProcess, str]:
    import docx

    out = tmp_path / f"out-{path.stem}"
    r = kexie("report", str(path), "--kind", "notice", "--out", str(out), *extra)
    files = list(out.glob("*.docx")) if out.exists() else []
    text = "\n".join(p.text for p in docx.Document(files[0]).paragraphs) if files else ""
    if files:
        for table in docx.Document(files[0]).tables:
            text += "\n" + "\n".join(c.text for row in table.rows for c in row.cells)
    return r, text


def test_task_notice_prints_the_plan_and_the_task_table(tmp_path):
    r, text = _notice_text(new_campaign(tmp_path / "任务.xlsx", "任务"), tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "现将《保定市科协庆祝中华人民共和国成立70周年活动实施方案》印发给你们" in text
    assert "一、指导思想" in text and "二、重点任务" in text and "三、工作要求" in text
    assert "按照市委部署要求及时组织好相关活动" in text and "组宣部、党总支" in text and "其他部室" in text
    for wrong in ("建言献策", "活动”活动", "0个方面", "献策人", "活动时间为至"):
        assert wrong not in text, wrong


def test_points_notice_prints_indicators_with_targets_and_departments(tmp_path):
    r, text = _notice_text(new_campaign(tmp_path / "指标.xlsx", "指标"), tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "主要指标" in text and "青少年科技创新大赛获奖" in text and "60个以上" in text and "普及部" in text
    assert "20万人次以上" in text
    for wrong in ("活动时间为至", "请于前", "工作要点工作要点", "征集意见建议"):
        assert wrong not in text, wrong


def test_collect_notice_drops_empty_sections_and_says_equal_quotas_once(tmp_path):
    path = new_campaign(tmp_path / "献策.xlsx", "献策")
    r, text = _notice_text(path, tmp_path)
    assert "均不少于3篇" in text and "分别不少于" not in text
    assert "市级学会、县（市）区科协、企事业科协报送数量均不少于3篇" in text
    wb = openpyxl.load_workbook(path)
    ws = wb["主题领域"]
    ws.delete_rows(2, ws.max_row)
    wb.save(path)
    _r, text = _notice_text(path, tmp_path)
    assert "征集内容" not in text and "0个方面" not in text and "二、报送要求" in text


def test_report_refuses_an_official_document_while_settings_are_wrong(tmp_path):
    path = new_campaign(tmp_path / "指标.xlsx", "指标")
    wb = openpyxl.load_workbook(path)
    for row in wb["设置"].iter_rows(min_row=2):
        if row[0].value == "截止日期":
            row[1].value = None
    wb.save(path)
    r, text = _notice_text(path, tmp_path)
    assert r.returncode == 1 and "E401" in r.stdout and "截止日期" in r.stdout and text == ""
    out = tmp_path / "all"
    r = kexie("report", str(path), "--kind", "all", "--out", str(out))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "跳过计策汇编" in r.stdout and "跳过任务分工表" in r.stdout
    assert {f.name for f in out.glob("*.docx")} == {"指标完成情况.docx"}
