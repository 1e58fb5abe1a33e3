"""Known answers of each section of the tally (``macros.core.tally``), one pure function each."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pandas as pd

from macros.core.tally import sections as T


def frame(rows: list[dict], first_row: int = 2) -> pd.DataFrame:
    return pd.DataFrame(rows, index=pd.RangeIndex(first_row, first_row + len(rows)), dtype=object)


CELLS = T.Cells(SimpleNamespace())  # no raw tables: problems carry sheet, row and column


def codes(problems) -> list[tuple[str, int | None]]:
    return [(p.code, p.row) for p in problems]


def test_quota_rules_first_row_per_category_wins():
    rules = T.quota_rules(frame([
        {"category": "市级学会", "min_items": 1, "assessed": "是"},
        {"category": "县（市）区科协", "min_items": 3.0, "assessed": "否"},
        {"category": "市级学会", "min_items": 9, "assessed": "否"},  # a repeat: ignored
        {"category": "老科协", "min_items": -2, "assessed": "Y"},
        {"category": None, "min_items": 5, "assessed": "是"},
    ]))
    assert rules == {"市级学会": (1, True), "县(市)区科协": (3, False), "老科协": (0, True)}
    assert T.quota_rules(None) == {}


def _roster(problems):
    rules = {"市级学会": (2, True), "机关部室": (0, False)}
    return T.roster_tally(frame([
        {"code": "XH01", "name": "丹东市医学会", "category": "市级学会", "quota": None, "phone": 4152812345.0},
        {"code": "XH02", "name": "丹东市农学会", "category": "市级学会", "quota": 5},
        {"code": "XH03", "name": "丹东市林学会", "category": "市级学会", "quota": -1},
        {"code": "QT01", "name": "某协会", "category": "外省学会", "quota": None},
        {"code": "JG01", "name": "学会部", "category": "机关部室", "quota": None},
        {"code": None, "name": None, "category": "市级学会"},
    ]), rules, CELLS, problems)


def test_roster_quota_from_own_value_else_category_rule():
    problems: list = []
    roster, by_code, departments = _roster(problems)
    assert [(u.code, u.quota, u.assessed, u.row) for u in roster] == [
        ("XH01", 2, True, 2), ("XH02", 5, True, 3), ("XH03", 0, False, 4), ("QT01", 0, False, 5),
        ("JG01", 0, False, 6)]
    assert roster[0].phone == "4152812345" and set(by_code) == {"xh01", "xh02", "xh03", "qt01", "jg01"}
    assert departments == ["学会部"]
    assert codes(problems) == [("W312", 4), ("W302", 5)]


def test_topic_list_in_order_with_numbers():
    topics, by_key = T.topic_list(frame([{"code": 1.0, "topic": "提升开发开放水平"}, {"code": 2, "topic": "区域经济合作"},
                                         {"code": 3, "topic": None}]))
    assert [(t.code, t.topic) for t in topics] == [(1, "提升开发开放水平"), (2, "区域经济合作")]
    assert by_key[T.match_key("区域经济合作")] is topics[1]


def test_item_tally_counts_units_and_topics():
    problems: list = []
    roster, by_code, _ = _roster([])
    topics, by_key = T.topic_list(frame([{"code": 1, "topic": "提升开发开放水平"}]))
    deadline = date(2010, 10, 20)
    items = T.item_tally(frame([
        {"unit_code": "XH01", "topic": "提升开发开放水平", "submitted_on": date(2010, 10, 20), "score": 80,
         "adopted": "是", "author": "王丽娟", "title": "甲"},
        {"unit_code": "xh01", "topic": "其他话题", "submitted_on": date(2010, 10, 21), "score": 60.0},
        {"unit_code": "XH01", "topic": "提升开发开放水平", "status": "重复", "score": 100, "adopted": "是"},
        {"unit_code": "XX99", "topic": "提升开发开放水平", "submitted_on": date(2010, 10, 1)},
        {"unit_code": "XH02", "score": 120},
    ]), deadline, roster, by_code, topics, by_key, CELLS, problems)
    assert [(i.row, i.valid, i.late, i.adopted, i.known_unit, i.topic_code) for i in items] == [
        (2, True, False, True, True, 1), (3, True, True, False, True, None), (4, False, False, True, True, 1),
        (5, True, False, False, False, 1), (6, True, False, False, True, None)]
    xh01 = by_code["xh01"]
    assert (xh01.submitted, xh01.valid, xh01.late, xh01.on_time_valid, xh01.adopted) == (3, 2, 1, 1, 1)
    assert xh01.item_rows == [2, 3, 4] and (xh01.scored, xh01.mean_score) == (2, 70.0)
    assert by_code["xh02"].mean_score == 120.0  # out of range: warned, still counted as typed
    assert [(t.topic, t.submitted, t.valid, t.late, t.adopted) for t in topics] == [
        ("提升开发开放水平", 3, 2, 0, 1), (T.OTHER_TOPIC, 2, 2, 1, 0)]
    assert codes(problems) == [("W301", 5), ("W311", 6)]
    p: list = []
    T.item_tally(frame([{"unit_code": "XH01"}]), None, *_roster([])[:2], [], {}, CELLS, p)
    assert codes(p) == [("W303", None)]


def _units(*specs):
    return [T.UnitTally(code=c, name=c, category=cat, quota=q, category_assessed=a, assessed=a and q > 0,
                        submitted=s, valid=v, on_time_valid=v, adopted=ad)
            for c, cat, q, a, s, v, ad in specs]


def test_category_tally_in_schema_order_and_totals():
    units = _units(("QX01", "县(市)区科协", 3, True, 2, 2, 0), ("XH01", "市级学会", 1, True, 1, 1, 1),
                   ("XX01", None, 0, False, 1, 1, 0), ("XH02", "市级学会", 1, True, 0, 0, 0))
    cats, total = T.category_tally(units)
    assert [(c.category, c.units, c.quota, c.submitted, c.valid) for c in cats] == [
        ("市级学会", 2, 2, 1, 1), ("县(市)区科协", 1, 3, 2, 2), ("（未填类别）", 1, 0, 1, 1)]
    assert (total.category, total.units, total.quota, total.submitted, total.valid) == ("合计", 4, 5, 4, 4)


def test_assessment_points_ranks_grades_and_excellent():
    units = _units(("A", "市级学会", 2, True, 2, 2, 2), ("B", "市级学会", 2, True, 1, 1, 0),
                   ("C", "市级学会", 2, True, 2, 2, 2), ("D", "市级学会", 0, False, 1, 1, 0))
    frames = {"scoring_rules": frame([{"item": "报送数量", "weight": 50, "method": "数量"},
                                      {"item": "采纳情况", "weight": 50, "method": "采纳"},
                                      {"item": "乱写", "weight": 10, "method": "不知道"}]),
              "grades": frame([{"grade": "合格", "min_score": 60}, {"grade": "优秀", "min_score": 90}])}
    problems: list = []
    rules, thresholds, ranking, excellent, n = T.assessment(units, frames, {"excellent_units": 1}, CELLS, problems)
    assert [r.item for r in rules] == ["报送数量", "采纳情况"] and thresholds == [("优秀", 90.0), ("合格", 60.0)]
    assert [(u.code, u.score, u.rank, u.grade) for u in ranking] == [
        ("A", 100.0, 1, "优秀"), ("C", 100.0, 1, "优秀"), ("B", 25.0, 3, None)]
    assert [u.code for u in excellent] == ["A", "C"] and n == 1  # ties share the rank
    assert units[3].score is None and codes(problems) == [("W305", 4)]


def test_targets_and_tasks():
    problems: list = []
    targets = T.target_tally(frame([{"name": "科普活动", "target": "20场", "actual": "25场"},
                                    {"name": "培训人次", "target": "许多", "actual": 10},
                                    {"name": None, "target": None}]), CELLS, problems)
    assert [(t.name, t.target, t.actual) for t in targets] == [("科普活动", 20, 25), ("培训人次", None, 10)]
    assert codes(problems) == [("W307", 3)]
    problems = []
    tasks = T.task_tally(frame([{"seq": 1, "task": "宣传", "lead": "学会部", "support": "普及部",
                                 "due": date(2010, 10, 1), "status": None},
                                {"seq": 2, "task": "总结", "lead": "学会部", "due": date(2010, 12, 1)},
                                {"seq": None, "task": None}]), ["学会部"], date(2010, 10, 25), CELLS, problems)
    assert [(t.seq, t.overdue) for t in tasks] == [(1, True), (2, False)]
    assert codes(problems) == [("W309", 2)]
