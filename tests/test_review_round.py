"""A review round end to end on real files: assign, score forms, returns, consolidation, results."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from macros.adapters.file_engine import FileEngine
from macros.adapters.review_form import review_subject
from macros.adapters.secret import load_secret
from macros.app.consolidate import consolidate
from macros.demo.review import fill_review_form
from macros.app.forms import run_forms
from macros.app.new import new_campaign
from macros.app.review import assign_reviewers
from macros.app.review_awards import awards
from macros.core.review_assign import Entry, Reviewer, conflicts
from macros.core.tokens import verify_token
from macros.presets import preset
from macros.schema import FORM_META_SHEET, REVIEW_FORM_SHEET

UNITS = ["丹东市农学会", "辽东学院科协", "东港市科协", "丹东市医学会"]
CRITERIA = [{"criterion": "针对性", "max_points": 40}, {"criterion": "可行性", "max_points": 60}]


def _campaign(per_entry: int = 3, **settings):
    data = preset("献策")
    data.settings.update({"review_per_entry": per_entry, "award1_count": 1, "award2_count": 1,
                          "review_recheck_spread": 30, **settings})
    data.tables["units"] = [{"code": f"U{i}", "name": n, "category": "市级学会"} for i, n in enumerate(UNITS, 1)]
    data.tables["items"] = [
        {"item_id": f"U{i % 4 + 1}-{i:03d}", "unit_code": f"U{i % 4 + 1}", "unit_name": UNITS[i % 4],
         "title": f"计策{i}", "topic": "大力发展现代农业", "author": f"献策人{i}", "author_org": UNITS[i % 4],
         "phone": "13900000000", "body": "正文" * 20}
        for i in range(6)]
    data.tables["reviewers"] = [
        {"code": "Z1", "name": "甲", "org": "辽东学院"}, {"code": "Z2", "name": "乙", "org": "丹东市农学会"},
        {"code": "Z3", "name": "丙", "org": "丹东市中心医院"}, {"code": "Z4", "name": "丁", "org": "丹东市财政局"},
        {"code": "Z5", "name": "戊", "org": "东港市科协"}]
    data.tables["criteria"] = list(CRITERIA)
    return data


@pytest.fixture()
def round_(tmp_path):
    master = tmp_path / "活动.xlsx"
    new_campaign(master, data=_campaign())
    run = assign_reviewers(FileEngine(master))
    forms = run_forms(master, tmp_path / "forms")
    return master, run, forms, tmp_path


def _pairs(master):
    wb = openpyxl.load_workbook(master, read_only=True)
    rows = list(wb["评审分配"].iter_rows(min_row=2, values_only=True))
    return [(r[0], r[4]) for r in rows if r[0]]


def test_assignment_written_no_own_unit_and_n_each(round_):
    master, run, _forms, _ = round_
    pairs = _pairs(master)
    assert len(pairs) == 6 * 3
    orgs = {"Z1": "辽东学院", "Z2": "丹东市农学会", "Z3": "丹东市中心医院", "Z4": "丹东市财政局", "Z5": "东港市科协"}
    units = {f"U{i % 4 + 1}-{i:03d}": UNITS[i % 4] for i in range(6)}
    for e, r in pairs:
        assert not conflicts(Entry(e, (units[e],)), Reviewer(r, orgs[r]))
    loads = sorted(run.loads.values())
    assert loads[-1] - loads[0] <= 1
    # a re-run keeps everything
    again = assign_reviewers(FileEngine(master))
    assert again.changed == 0 and sorted(_pairs(master)) == sorted(pairs)


def test_score_forms_are_token_bound_with_bounds_and_formula(round_):
    master, _run, forms, _ = round_
    paths = forms.review.paths
    assert len(paths) == 5 and all(p.name.startswith("评分表_") for p in paths)
    secret = load_secret(master)
    wb = openpyxl.load_workbook(paths[0])
    meta = {r[0]: r[1] for r in wb[FORM_META_SHEET].iter_rows(min_row=2, values_only=True)}
    assert meta["kind"] == "review"
    assert verify_token(secret, meta["campaign_id"], review_subject(meta["reviewer_code"]), meta["form_version"],
                        meta["token"])
    assert not verify_token(secret, meta["campaign_id"], meta["reviewer_code"], meta["form_version"], meta["token"])
    ws = wb[REVIEW_FORM_SHEET]
    headers = [c.value for c in ws[4]]
    assert headers[:4] == ["编号", "题目", "主题领域", "内容摘要"]
    assert headers[4:] == ["针对性（满分40）", "可行性（满分60）", "总分", "评语"]
    bounds = sorted((dv.formula1, dv.formula2) for dv in ws.data_validations.dataValidation)
    assert bounds == [("0", "40"), ("0", "60")]
    assert str(ws["G5"].value).startswith("=IF(COUNT(E5:F5)")
    assert ws.protection.sheet and not ws["E5"].protection.locked and ws["A5"].protection.locked
    assigned = {e for e, r in _pairs(master) if r == meta["reviewer_code"]}
    listed = {ws.cell(row=r, column=1).value for r in range(5, ws.max_row + 1)} - {None}
    assert listed == assigned


def _fill_all(master, forms, inbox: Path, score=lambda e, r: (30, 45), skip=()):
    inbox.mkdir(exist_ok=True)
    for p in forms.review.paths:
        code = p.stem.split("_")[1]
        if code in skip:
            continue
        pairs = [e for e, r in _pairs(master) if r == code]
        pts = {e: dict(zip(("针对性", "可行性"), score(e, code))) for e in pairs}
        fill_review_form(p, inbox / p.name, pts)
    return inbox


def test_consolidate_takes_score_forms_back_and_writes_results(round_):
    master, _run, forms, tmp = round_
    score = {"Z1": (40, 60), "Z2": (20, 30), "Z3": (30, 45), "Z4": (35, 50), "Z5": (25, 40)}
    inbox = _fill_all(master, forms, tmp / "inbox", score=lambda e, r: score[r])
    result = consolidate(master, inbox, workers=0)
    review = [f for f in result.files if f.kind == "review_form"]
    assert len(review) == 5 and all(f.status == "ingested" for f in review)
    assert result.written
    wb = openpyxl.load_workbook(master)
    rows = [r for r in wb["评审结果"].iter_rows(min_row=2, values_only=True) if r[1]]
    assert len(rows) == 6
    header = [c.value for c in wb["评审结果"][1]]
    col = {h: i for i, h in enumerate(header)}
    pairs = _pairs(master)
    for r in rows:
        totals = sorted(sum(score[z]) for e, z in pairs if e == r[col["编号"]])
        assert r[col["评分人数"]] == 3
        assert r[col["平均分"]] == pytest.approx(round(sum(totals) / 3, 2))
        assert r[col["写入评分"]] == pytest.approx(round(r[col["最终得分"]], 1))  # 满分 100
    items = wb["征集明细"]
    ih = [c.value for c in items[1]]
    written = {r[ih.index("编号")]: r[ih.index("评分")] for r in items.iter_rows(min_row=2, values_only=True)}
    assert all(v is not None for v in written.values())
    assert {a.level for a in awards(master)} <= {"一等奖", "二等奖"} and awards(master)[0].level == "一等奖"
    again = consolidate(master, inbox, workers=0)
    assert not again.written
    assert all(f.status == "unchanged" for f in again.files if f.kind == "review_form")


def test_bad_rows_rejected_with_codes_and_later_form_supersedes(round_):
    master, _run, forms, tmp = round_
    inbox = tmp / "inbox"
    inbox.mkdir()
    z1 = next(p for p in forms.review.paths if "_Z1_" in p.name)
    mine = [e for e, r in _pairs(master) if r == "Z1"]
    stranger = next(e for e, r in _pairs(master) if e not in mine)
    pts = {e: {"针对性": 30, "可行性": 40} for e in mine}
    pts[mine[0]] = {"针对性": 45, "可行性": 40}  # above 40
    fill_review_form(z1, inbox / "early.xlsx", pts, extra=[(stranger, {"针对性": 10, "可行性": 10})])
    os.utime(inbox / "early.xlsx", (1_000_000_000, 1_000_000_000))
    result = consolidate(master, inbox, workers=0)
    (f,) = [f for f in result.files if f.kind == "review_form"]
    codes = sorted(p["code"] for p in f.problems)
    assert "E603" in codes and "E605" in codes
    assert f.status == "ingested" and f.rows == len(mine) - 1
    # the corrected form, sent later, replaces the first one entirely
    fill_review_form(z1, inbox / "later.xlsx", {e: {"针对性": 20, "可行性": 20} for e in mine})
    result = consolidate(master, inbox, workers=0)
    by = {f.file: f.status for f in result.files if f.kind == "review_form"}
    assert by == {"early.xlsx": "superseded", "later.xlsx": "ingested"}
    wb = openpyxl.load_workbook(master)
    header = [c.value for c in wb["评审结果"][1]]
    rows = {r[header.index("编号")]: r for r in wb["评审结果"].iter_rows(min_row=2, values_only=True)}
    assert all(rows[e][header.index("各专家评分")] == "40" for e in mine)


def test_forged_score_form_rejected(round_):
    master, _run, forms, tmp = round_
    inbox = tmp / "inbox"
    inbox.mkdir()
    src = forms.review.paths[0]
    wb = openpyxl.load_workbook(src)
    meta = wb[FORM_META_SHEET]
    for row in meta.iter_rows(min_row=2, max_col=2):
        if row[0].value == "reviewer_code":
            row[1].value = "Z9" if row[1].value != "Z9" else "Z8"
    wb.save(inbox / "forged.xlsx")
    result = consolidate(master, inbox, workers=0)
    (f,) = [f for f in result.files if f.kind == "review_form"]
    assert f.status == "rejected" and f.problems[0]["code"] == "E601"


def test_staff_score_is_never_overwritten(round_):
    master, _run, forms, tmp = round_
    wb = openpyxl.load_workbook(master)
    ws = wb["征集明细"]
    ih = [c.value for c in ws[1]]
    ws.cell(row=2, column=ih.index("评分") + 1, value=66)
    staff_id = ws.cell(row=2, column=ih.index("编号") + 1).value
    ws.cell(row=3, column=ih.index("评分") + 1, value="待定")  # text typed by staff stays too
    text_id = ws.cell(row=3, column=ih.index("编号") + 1).value
    wb.save(master)
    inbox = _fill_all(master, forms, tmp / "inbox")
    result = consolidate(master, inbox, workers=0)
    assert any(p["code"] == "W604" for f in result.files for p in f.problems)
    wb = openpyxl.load_workbook(master)
    ws = wb["征集明细"]
    scores = {r[ih.index("编号")]: r[ih.index("评分")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert scores[staff_id] == 66 and scores[text_id] == "待定"
    assert all(v == 75 for k, v in scores.items() if k not in (staff_id, text_id))  # 30 + 45 of 100
    rh = [c.value for c in wb["评审结果"][1]]
    prov = {r[rh.index("编号")]: r[rh.index("评分来源")] for r in wb["评审结果"].iter_rows(min_row=2, values_only=True)}
    assert prov[staff_id] == "工作人员填写，未覆盖"
    # a kexie-written 评分 is kexie's: new scores replace it
    shutil.rmtree(inbox)
    inbox = _fill_all(master, forms, tmp / "inbox2", score=lambda e, r: (20, 40))
    consolidate(master, inbox, workers=0)
    ws = openpyxl.load_workbook(master)["征集明细"]
    scores = {r[ih.index("编号")]: r[ih.index("评分")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert scores[staff_id] == 66 and all(v == 60 for k, v in scores.items() if k not in (staff_id, text_id))


def test_cli_review_assign_and_collect_json(tmp_path, capsys):
    import json

    from macros.cli import main

    master = tmp_path / "活动.xlsx"
    new_campaign(master, data=_campaign(per_entry=2, review_topic_match="是"))
    assert main(["review", "assign", str(master), "--json"]) == 1  # nobody's 专业 matches: W601
    data = json.loads(capsys.readouterr().out)
    assert len(data["assignments"]) == 6 and all(len(a["reviewers"]) == 2 for a in data["assignments"])
    assert {p["code"] for p in data["problems"]} == {"W601"}
    assert data["changed"] == 12 and data["per_entry"] == 2
    forms = run_forms(master, tmp_path / "forms")
    inbox = _fill_all(master, forms, tmp_path / "inbox")
    assert main(["review", "collect", str(master), str(inbox), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["written"] and data["entries_scored"] == 6
    assert [a["level"] for a in data["awards"]].count("一等奖") >= 1
    assert all(f["status"] == "ingested" and f["kind"] == "review_form" for f in data["files"])
    assert main(["review", "collect", str(master), str(inbox), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["written"] is False


def test_no_reviewers_is_a_usage_error(tmp_path, capsys):
    from macros.cli import main

    master = new_campaign(tmp_path / "活动.xlsx", "献策")
    assert main(["review", "assign", str(master)]) == 2
    assert "评审专家" in capsys.readouterr().err
