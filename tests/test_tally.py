"""Known answers for every tally rule: quotas, 有效/逾期, shortfalls, topics, assessment (ties
1,2,2,4), grades, commendations, targets and tasks (seed 004's 其他部室)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest

import tally_rows
from macros.adapters.file_engine import FileEngine
from macros.app.campaign import load_campaign
from macros.core.assess import competition_ranks, excel_round, grade_for
from macros.core.targets import completion, evaluate_target, value_in_unit
from macros.core.tally import OTHER_TOPIC, compute_tally
from macros.core.tasks import expand_support, is_overdue, split_departments
from macros.presets import DEFAULT_GRADES, DEFAULT_SCORING

TODAY = date(2010, 10, 25)
GRADES = [(g["grade"], g["min_score"]) for g in DEFAULT_GRADES]


def campaign(settings=None, **tables):
    """A campaign as load_campaign gives it: typed frames indexed by worksheet row (2, 3, …)."""
    frames = {}
    tables = {"scoring_rules": SCORING, "grades": GRADE_ROWS, **tables}
    for key, rows in tables.items():
        frames[key] = pd.DataFrame.from_records(rows, index=pd.Index(range(2, 2 + len(rows)), name="row")
                                                ).astype(object) if rows else pd.DataFrame()
    base = {"deadline": tally_rows.DEADLINE, "campaign_name": "测试活动", "excellent_units": 3}
    return SimpleNamespace(settings={**base, **(settings or {})}, frames=frames, tables={})


QUOTAS = [{"category": "市级学会", "min_items": 3, "assessed": "是"},
          {"category": "高校科协", "min_items": 0, "assessed": "否"}]
SCORING = [{"item": r["item"], "weight": r["weight"], "method": r["method"]} for r in DEFAULT_SCORING]
GRADE_ROWS = [dict(g) for g in DEFAULT_GRADES]


def item(code, day=tally_rows.ON_TIME, status=None, score=None, adopted=None, topic="甲", author="张三"):
    return {"item_id": None, "unit_code": code, "unit_name": None, "title": "题", "topic": topic,
            "author": author, "author_org": "某单位", "submitted_on": day, "status": status,
            "score": score, "adopted": adopted}


def unit(code, name=None, category="市级学会", quota=None):
    return {"code": code, "name": name or f"单位{code}", "category": category, "quota": quota}


# --- quotas, 有效, 逾期, 差额 ------------------------------------------------------------------

def test_quota_is_own_quota_else_category_minimum():
    c = campaign(quota_rules=QUOTAS, units=[unit("A"), unit("B", quota=5), unit("C", category="老科协"),
                                            unit("D", quota=-2)], items=[])
    r = compute_tally(c, TODAY)
    quotas = {u.code: u.quota for u in r.units}
    assert quotas == {"A": 3, "B": 5, "D": 0}  # C: no rule, quota 0, not assessed, silent → not listed
    assert {p.code for p in r.problems} == {"W302", "W312"}


def test_valid_late_shortfall_and_completion():
    items = [
        item("A"),  # blank 状态 is 有效
        item("A", status="有效"),
        item("A", day=tally_rows.DEADLINE),  # the deadline day itself is on time
        item("A", day=date(2010, 10, 21)),  # the day after: 逾期, still 实报 and 有效
        item("B", status="无效"), item("B", status="重复"), item("B", status="作废"),
        item("B", day=date(2010, 10, 21), status="重复"),
    ]
    r = compute_tally(campaign(quota_rules=QUOTAS, units=[unit("A"), unit("B"), unit("C", quota=0)],
                               items=items), TODAY)
    a, b, c = r.units
    assert (a.quota, a.submitted, a.valid, a.late, a.shortfall, a.completion) == (3, 4, 4, 1, 0, 4 / 3)
    assert (b.quota, b.submitted, b.valid, b.late, b.shortfall, b.completion) == (3, 4, 0, 1, 3, 0.0)
    assert (c.quota, c.shortfall, c.completion, c.short) == (0, 0, None, False)
    assert r.short_of_quota == ["B"]
    assert r.totals.quota == 6 and r.totals.submitted == 8 and r.totals.valid == 4 and r.totals.shortfall == 3


def test_deadline_day_versus_day_after_from_the_demo_rows(demo_master):
    tally_rows.write_items(demo_master)
    r = compute_tally(load_campaign(FileEngine(demo_master)), TODAY)
    late_rows = {it.row for it in r.items if it.late}
    by_day = {it.row: it.submitted_on for it in r.items}
    assert all(by_day[row] == date(2010, 10, 21) for row in late_rows)
    assert any(d == tally_rows.DEADLINE for d in by_day.values())
    xh01 = r.unit("XH01")  # one item sent at 21:30 on the deadline day: on time
    assert (xh01.submitted, xh01.valid, xh01.late, xh01.shortfall) == (3, 3, 0, 0)
    xh02 = r.unit("XH02")
    assert (xh02.submitted, xh02.valid, xh02.late, xh02.shortfall) == (4, 3, 1, 0)
    xh03 = r.unit("XH03")
    assert (xh03.submitted, xh03.valid, xh03.late, xh03.shortfall, xh03.completion) == (2, 1, 0, 2, 1 / 3)
    assert r.unit("XH04").submitted == 0 and r.unit("XH04").shortfall == 3
    # 29 units with quota 3 plus 辽东学院科协 (quota 0, sent one item); 机关部室 left out
    assert len(r.units) == 30 and r.unit("GX01").quota == 0 and r.unit("JG01") is None
    assert "XH03" in r.short_of_quota and "XH01" not in r.short_of_quota and "GX01" not in r.short_of_quota
    assert [p.code for p in r.problems] == ["W301"]  # the XX99 item
    assert r.problems[0].cell.startswith("B") and r.problems[0].sheet == "征集明细"


def test_items_match_unit_codes_like_countifs_case_insensitively():
    r = compute_tally(campaign(quota_rules=QUOTAS, units=[unit("XH01")], items=[item("xh01")]), TODAY)
    assert r.units[0].submitted == 1 and not r.problems


def test_no_deadline_means_nothing_late_and_a_warning():
    r = compute_tally(campaign({"deadline": None}, quota_rules=QUOTAS, units=[unit("A")],
                               items=[item("A", day=date(2030, 1, 1))]), TODAY)
    assert r.units[0].late == 0 and [p.code for p in r.problems] == ["W303"]


def test_categories_sum_unit_shortfalls():
    units = [unit("A"), unit("B"), unit("G", category="高校科协")]
    items = [item("A")] * 5 + [item("G")]
    r = compute_tally(campaign(quota_rules=QUOTAS, units=units, items=items), TODAY)
    cats = {c.category: c for c in r.categories}
    # A's surplus of 2 does not cover B's gap of 3
    assert (cats["市级学会"].quota, cats["市级学会"].valid, cats["市级学会"].shortfall) == (6, 5, 3)
    assert cats["市级学会"].short_units == 1 and cats["高校科协"].completion is None
    assert [c.category for c in r.categories] == ["市级学会", "高校科协"]


def test_topics_in_list_order_with_unlisted_last():
    topics = [{"code": 1, "topic": "甲"}, {"code": 2, "topic": "乙"}]
    items = [item("A", topic="乙"), item("A", topic="乙", status="无效"), item("A", topic="丙", adopted="是"),
             item("Z", topic="甲", day=date(2010, 10, 30), adopted="是")]
    r = compute_tally(campaign(quota_rules=QUOTAS, units=[unit("A")], topics=topics, items=items), TODAY)
    got = [(t.code, t.topic, t.submitted, t.valid, t.late, t.adopted) for t in r.topics]
    assert got == [(1, "甲", 1, 1, 1, 1), (2, "乙", 2, 1, 0, 0), (None, OTHER_TOPIC, 1, 1, 0, 1)]


# --- assessment --------------------------------------------------------------------------------

def test_competition_ranking_and_grades():
    assert competition_ranks([90, 80, 80, 70]) == [1, 2, 2, 4]
    assert competition_ranks([50, 50, 50]) == [1, 1, 1]
    assert competition_ranks([10, 30, 20, 30]) == [4, 1, 3, 1]
    assert grade_for(90, GRADES) == "优秀" and grade_for(89.99, GRADES) == "良好"
    assert grade_for(60, GRADES) == "合格" and grade_for(0, GRADES) == "不合格"
    assert grade_for(-1, GRADES) is None and grade_for(None, GRADES) is None
    assert excel_round(87.125) == 87.13  # Excel's ROUND, not banker's rounding


def _assessed(units, items, settings=None):
    return compute_tally(campaign(settings, quota_rules=QUOTAS, units=units, items=items,
                                  scoring_rules=SCORING, grades=GRADE_ROWS), TODAY)


def test_weighted_score_per_method():
    items = [item("A", score=70), item("A", status="重复"), item("A", day=date(2010, 10, 21), score=75, adopted="是"),
             item("A", day=tally_rows.DEADLINE)]
    u = _assessed([unit("A")], items).units[0]
    assert u.points["报送数量"] == 100  # 3 valid of 3
    assert u.points["报送及时"] == pytest.approx(200 / 3)  # 2 of 3 valid on time
    assert u.points["计策质量"] == 72.5  # mean of the scored valid items
    assert u.points["采纳情况"] == pytest.approx(100 / 3)
    # 40·100 + 20·66.67 + 25·72.5 + 15·33.33 over 100 = 76.458… → 76.46
    assert u.score == 76.46 and u.grade == "良好" and u.rank == 1


def test_quantity_and_adoption_capped_quality_bounded():
    items = [item("A", score=150, adopted="是") for _ in range(5)]
    r = _assessed([unit("A")], items)
    u = r.units[0]
    assert u.points == {"报送数量": 100, "报送及时": 100, "计策质量": 100, "采纳情况": 100}
    assert u.score == 100 and u.grade == "优秀"
    assert {p.code for p in r.problems} == {"W311"}


def test_unit_without_items_scores_zero_on_every_item():
    r = _assessed([unit("A"), unit("B")], [item("B", status="无效", score=90)])
    for u in r.units:
        assert u.points == {"报送数量": 0, "报送及时": 0, "计策质量": 0, "采纳情况": 0}
        assert u.score == 0 and u.rank == 1 and u.grade == "不合格"


def test_ties_rank_1_2_2_4_and_excellent_units_include_ties():
    same = [item("B", score=80), item("B", score=80), item("B", score=80)]
    items = ([item("A", score=95, adopted="是")] * 3 + same + [dict(x, unit_code="C") for x in same]
             + [item("D", score=60)] * 3)
    r = _assessed([unit(c) for c in "ABCDE"], items, {"excellent_units": 2})
    assert [(u.code, u.rank) for u in r.ranking] == [("A", 1), ("B", 2), ("C", 2), ("D", 4), ("E", 5)]
    assert r.unit("B").score == r.unit("C").score == 80
    assert [u.code for u in r.excellent_units] == ["A", "B", "C"]  # tied at rank 2: both in
    r = _assessed([unit(c) for c in "AE"], [], {"excellent_units": 5})
    assert r.excellent_units == []  # a total of 0 is never 优秀


def test_quota_zero_and_unassessed_categories_are_not_ranked():
    units = [unit("A"), unit("X", quota=0), unit("G", category="高校科协")]
    r = _assessed(units, [item("X", score=90), item("G", score=99, adopted="是"), item("A")])
    assert [u.code for u in r.ranking] == ["A"]
    for code in "XG":
        u = r.unit(code)
        assert (u.assessed, u.score, u.rank, u.grade, u.short) == (False, None, None, None, False)
    assert r.unit("A").rank == 1


def test_weights_not_summing_to_100_are_normalised_and_warned():
    rules = [{"item": "数量", "weight": 30, "method": "数量"}, {"item": "质量", "weight": 30, "method": "质量"},
             {"item": "乱写", "weight": 10, "method": "人气"}]
    r = compute_tally(campaign(quota_rules=QUOTAS, units=[unit("A")], scoring_rules=rules, grades=GRADE_ROWS,
                               items=[item("A", score=80)]), TODAY)
    # 数量 33.33, 质量 80 → (30·33.33 + 30·80) / 60 = 56.67
    assert r.units[0].score == 56.67
    assert sorted(p.code for p in r.problems) == ["W304", "W305"]


def test_advanced_individuals_are_authors_of_valid_adopted_items(demo_master):
    tally_rows.write_items(demo_master)
    r = compute_tally(load_campaign(FileEngine(demo_master)), TODAY)
    got = [(p.author, p.adopted, p.unit_code) for p in r.individuals]
    # 陈元 twice first; then roster order; 孙机's adopted item is 无效 and does not count
    assert got == [("陈元", 2, "QX01"), ("王建国", 1, "XH01"), ("钱丰", 1, "XH02"), ("沈学", 1, "GX01")]
    assert [(u.code, u.rank) for u in r.ranking[:5]] == [("XH01", 1), ("QX01", 2), ("XH05", 3), ("XH06", 3),
                                                          ("XH02", 5)]
    assert [u.code for u in r.excellent_units] == ["XH01", "QX01", "XH05", "XH06", "XH02"]


# --- targets -------------------------------------------------------------------------------------

def test_target_values_with_units():
    assert value_in_unit("100万元以上", "万元") == (100, False)
    assert value_in_unit("120万", "万元") == (120, False)
    assert value_in_unit(120, "万元") == (120, False)
    assert value_in_unit("20万人次", "人次") == (200000, False)
    assert value_in_unit("六十个", "个") == (60, False)
    assert value_in_unit("3个", "万元") == (3, True)
    assert value_in_unit("很多", "个") == (None, False)


def test_completion_is_direction_aware():
    assert completion(60, 64, "≥") == (64 / 60, True)
    assert completion(10, 8, "≥") == (0.8, False)
    assert completion(100, 80, "≤") == (1.25, True)  # at most 100, spent 80
    assert completion(100, 125, "≤") == (0.8, False)
    assert completion(5, 0, "≤") == (1.0, True)
    assert completion(1, 1, "=") == (1.0, True)
    assert completion(10, 11, "=") == (1.1, False)
    assert completion(0, 0, "≥") == (1.0, True)
    assert completion(10, None, "≥") == (None, False)
    assert completion(60, 60, ">=") == (1.0, True)


def test_targets_of_seed_003(demo_master):
    r = compute_tally(load_campaign(FileEngine(demo_master)), TODAY)
    got = {t.name: (t.target, t.actual, t.status) for t in r.targets}
    assert got["青少年科技创新大赛获奖"] == (60, 64, "完成")
    assert got["新发展农技协"] == (10, 8, "未完成")
    assert got["争取中央、省财政资金"] == (100, 120, "完成")
    t = evaluate_target({"name": "经费", "target": "100万元", "unit": "万元", "compare": "≤", "actual": "80万元"})
    assert (t.target, t.actual, t.completion, t.status) == (100, 80, 1.25, "完成")
    t = evaluate_target({"name": "x", "target": 10, "unit": "个", "compare": "≥", "actual": None})
    assert (t.completion, t.status) == (None, "未完成")


# --- tasks ---------------------------------------------------------------------------------------

DEPTS = ["办公室", "学会部", "普及部", "组宣部", "党总支", "创新办", "学企部", "改革办"]


def test_other_departments_expand_against_the_demo_roster(demo_master):
    r = compute_tally(load_campaign(FileEngine(demo_master)), date(2010, 10, 1))
    t1 = r.tasks[0]  # (组宣部、党总支牵头，其他部室配合)
    assert t1.lead == ["组宣部", "党总支"]
    assert t1.support == ["办公室", "学会部", "普及部", "创新办", "学企部", "改革办"]
    t4 = r.tasks[3]  # (创新办、学企部、普及部牵头，其他部室配合)
    assert t4.lead == ["创新办", "学企部", "普及部"] and t4.support == ["办公室", "学会部", "组宣部", "党总支", "改革办"]
    loads = {d.department: (d.lead, d.join) for d in r.departments}
    assert loads["学企部"] == (6, 5)  # leads 4, 5, 7, 8, 9, 11
    assert loads["学会部"] == (0, 11)  # in the roster, named in no task: joins every task
    assert loads["普及部"] == (3, 8) and loads["改革办"] == (1, 10)
    assert sum(d.lead for d in r.departments) == sum(len(t.lead) for t in r.tasks)
    assert [d.department for d in r.departments] == DEPTS
    assert r.overdue_tasks == [] and not r.problems


def test_overdue_after_the_due_day_unless_done(demo_master):
    c = load_campaign(FileEngine(demo_master))
    assert compute_tally(c, date(2010, 10, 20)).overdue_tasks == []  # the due day itself
    r = compute_tally(c, date(2010, 10, 21))
    assert r.overdue_tasks == [4, 6, 7, 9, 10, 11]  # 进行中/未开始; 1,2,3,5,8 已完成
    assert r.tasks[3].days_overdue == 1
    assert {d.department: d.overdue for d in r.departments}["学企部"] == 4  # leads 7, 9, 11 and 4


def test_task_rules_pure():
    assert split_departments("组宣部、党总支，办公室; 学企部  改革办") == ["组宣部", "党总支", "办公室", "学企部", "改革办"]
    assert expand_support(["学企部"], ["其他部室"], DEPTS) == [d for d in DEPTS if d != "学企部"]
    assert expand_support(["学企部"], ["办公室", "其他部室"], DEPTS)[0] == "办公室"
    assert expand_support(["学企部"], ["办 公 室"], DEPTS) == ["办公室"]  # roster spelling
    assert is_overdue(date(2019, 10, 16), "进行中", date(2019, 10, 17))
    assert not is_overdue(date(2019, 10, 16), "已完成", date(2019, 10, 17))
    assert not is_overdue(date(2019, 10, 16), None, date(2019, 10, 16))
    assert is_overdue(date(2019, 10, 16), None, date(2019, 10, 17))
    assert not is_overdue(None, None, date(2019, 10, 17))


def test_unknown_departments_are_warned_with_cells():
    tasks = [{"seq": 1, "task": "甲", "lead": "宣传部", "support": "其他部室", "due": None, "status": None}]
    units = [unit(f"JG{i}", name=d, category="机关部室") for i, d in enumerate(DEPTS[:3])]
    rules = QUOTAS + [{"category": "机关部室", "min_items": 0, "assessed": "否"}]
    r = compute_tally(campaign(quota_rules=rules, units=units, tasks=tasks), TODAY)
    assert r.tasks[0].support == DEPTS[:3]
    assert [(p.code, p.column) for p in r.problems] == [("W309", "牵头部门")]
