"""One pure function per section of the tally, each with its known answers in
tests/test_tally_sections.py; ``Cells`` gives their problems the cells they concern."""

from __future__ import annotations

import math
from datetime import date
from typing import Any, Iterable

from macros.core.assess import (
    Individual, ScoringRule, UnitFacts, competition_ranks, grade_for, item_points,
    total_score, usable_rules,
)
from macros.core.grid import row_records
from macros.core.commend import commend_grade, commendable_units
from macros.core.dept_returns import resolve_due
from macros.core.normalize import display_text, name_key, parse_number, parse_yesno
from macros.core.targets import TargetResult, evaluate_target
from macros.core.tasks import TaskResult, evaluate_task, split_departments
from macros.problems import Problem, problem
from macros.schema import (
    OTHER_DEPARTMENTS, SCORING_METHODS, TABLES, UNIT_CATEGORIES,
)

from macros.core.tally.records import (
    CategoryTally, DEPARTMENT_CATEGORY, ItemTally, OTHER_TOPIC, TopicTally, UnitTally, is_valid_status, match_key,
)


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


class Cells:
    """Cell references for problems, from the raw tables when the campaign has them."""

    def __init__(self, campaign: Any):
        self.tables = getattr(campaign, "tables", None) or {}

    def ref(self, key: str, column: str, row: int | None) -> dict[str, Any]:
        table = TABLES[key]
        data = self.tables.get(key)
        cell = data.cell(column, row) if (data is not None and row is not None) else None
        return {"sheet": table.sheet, "cell": cell, "row": row, "column": table.column(column).header}

    def raw(self, key: str, column: str, row: int | None) -> Any:
        data = self.tables.get(key)
        if data is None or row is None:
            return None
        try:
            return data.value(row, column)
        except KeyError:
            return None


def _category_canonical(text: str | None) -> str | None:
    if text is None:
        return None
    key = name_key(text)
    return next((c for c in UNIT_CATEGORIES if name_key(c) == key), text)


def quota_rules(frame) -> dict[str, tuple[int, bool]]:
    """配额规则: name_key(category) → (最少报送数, 是否考核); the first row of a category counts."""
    rules_by_cat: dict[str, tuple[int, bool]] = {}
    for _row, rec in row_records(frame):
        cat = display_text(rec.get("category"))
        if cat is None:
            continue
        minimum = rec.get("min_items")
        minimum = int(minimum) if isinstance(minimum, (int, float)) and minimum > 0 else 0
        rules_by_cat.setdefault(name_key(cat), (minimum, parse_yesno(rec.get("assessed")) == "是"))
    return rules_by_cat


def roster_tally(frame, rules_by_cat: dict[str, tuple[int, bool]], cells: Cells, problems: list[Problem]
                 ) -> tuple[list[UnitTally], dict[str, UnitTally], list[str]]:
    """单位名册: a UnitTally per listed unit (应报 from its own 配额, else its category's rule),
    the units by code, and the names of the 机关部室 (for 任务分工)."""
    roster: list[UnitTally] = []
    by_code: dict[str, UnitTally] = {}
    departments: list[str] = []
    for row, rec in row_records(frame):
        code, name = display_text(rec.get("code")), display_text(rec.get("name"))
        if code is None and name is None:
            continue
        category = display_text(rec.get("category"))
        rule = rules_by_cat.get(name_key(category)) if category else None
        own = rec.get("quota")
        if isinstance(own, (int, float)) and not isinstance(own, bool):
            quota = int(own)
            if quota < 0:
                problems.append(problem("W312", **cells.ref("units", "quota", row), value=own,
                                        text=display_text(own), unit=name or code))
                quota = 0
        elif rule is not None:
            quota = rule[0]
        else:
            quota = 0
            if category:
                problems.append(problem("W302", **cells.ref("units", "category", row), value=category,
                                        text=category, unit=name or code))
        cat_assessed = bool(rule and rule[1])
        u = UnitTally(
            code=code or "", name=name or code or "", category=_category_canonical(category), quota=quota,
            category_assessed=cat_assessed, assessed=cat_assessed and quota > 0, row=row,
            contact=display_text(rec.get("contact")), post=display_text(rec.get("post")),
            phone=display_text(rec.get("phone")), email=display_text(rec.get("email")),
        )
        roster.append(u)
        if code is not None:
            by_code.setdefault(match_key(code), u)
        if category and name and name_key(category) == name_key(DEPARTMENT_CATEGORY):
            departments.append(name)
    return roster, by_code, departments


def topic_list(frame) -> tuple[list[TopicTally], dict[str, TopicTally]]:
    """主题领域 in list order, and by matching key."""
    topics: list[TopicTally] = []
    topic_by_key: dict[str, TopicTally] = {}
    for _row, rec in row_records(frame):
        text = display_text(rec.get("topic"))
        if text is None:
            continue
        code = rec.get("code")
        code = int(code) if isinstance(code, float) and code.is_integer() else code
        t = TopicTally(code=code, topic=text)
        topics.append(t)
        topic_by_key.setdefault(match_key(text), t)
    return topics, topic_by_key


def item_tally(items_frame, deadline: date | None, roster: list[UnitTally], by_code: dict[str, UnitTally],
               topics: list[TopicTally], topic_by_key: dict[str, TopicTally], cells: Cells,
               problems: list[Problem]) -> list[ItemTally]:
    """征集明细: an ItemTally per row; counts added to its unit and topic (items outside the topic
    list under OTHER_TOPIC, appended to ``topics`` when there are any); mean scores per unit."""
    other_topic = TopicTally(code=None, topic=OTHER_TOPIC)
    item_records = row_records(items_frame)
    if item_records and deadline is None:
        problems.append(problem("W303", sheet="设置", cell=None, column="截止日期"))
    items: list[ItemTally] = []
    scores: dict[str, list[float]] = {}
    for row, rec in item_records:
        code = display_text(rec.get("unit_code"))
        unit = by_code.get(match_key(code)) if code else None
        valid = is_valid_status(rec.get("status"))
        submitted_on = rec.get("submitted_on") if isinstance(rec.get("submitted_on"), date) else None
        late = bool(deadline and submitted_on and submitted_on > deadline)
        adopted = parse_yesno(rec.get("adopted")) == "是"
        score = rec.get("score")
        score = float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None
        if score is not None and not (0 <= score <= 100):
            problems.append(problem("W311", **cells.ref("items", "score", row), value=score,
                                    text=f"{score:g}"))
        topic_text = display_text(rec.get("topic"))
        topic = topic_by_key.get(match_key(topic_text)) if topic_text else None
        item = ItemTally(
            row=row, item_id=display_text(rec.get("item_id")), unit_code=code,
            unit_name=display_text(rec.get("unit_name")), title=display_text(rec.get("title")), topic=topic_text,
            topic_code=topic.code if topic else None, author=display_text(rec.get("author")),
            author_org=display_text(rec.get("author_org")), submitted_on=submitted_on,
            status=display_text(rec.get("status")), valid=valid, late=late, adopted=adopted, score=score,
            known_unit=unit is not None, adoption_marked=parse_yesno(rec.get("adopted")) in ("是", "否"),
        )
        items.append(item)
        t = topic or other_topic
        t.submitted += 1
        t.valid += int(valid)
        t.late += int(late)
        t.adopted += int(valid and adopted)
        if unit is None:
            problems.append(problem("W301", **cells.ref("items", "unit_code", row), value=code,
                                    text=code or ""))
            continue
        unit.submitted += 1
        unit.late += int(late)
        if row is not None:
            unit.item_rows.append(row)
        if valid:
            unit.valid += 1
            unit.on_time_valid += int(not late)
            unit.adopted += int(adopted)
            if score is not None:
                scores.setdefault(unit.code, []).append(score)
    for u in roster:
        s = scores.get(u.code)
        if s:
            u.scored, u.mean_score = len(s), sum(s) / len(s)
    if other_topic.submitted:
        topics.append(other_topic)
    return items


def category_tally(units: list[UnitTally]) -> tuple[list[CategoryTally], CategoryTally]:
    """按类别 in the schema's category order (others after, as first met), and the 合计."""
    cats: dict[str, CategoryTally] = {}
    order = {c: i for i, c in enumerate(UNIT_CATEGORIES)}
    for u in units:
        key = u.category or "（未填类别）"
        c = cats.setdefault(key, CategoryTally(key))
        c.assessed = c.assessed or u.category_assessed
        c.add(u)
    categories = sorted(cats.values(), key=lambda c: (order.get(c.category, len(order)), list(cats).index(c.category)))
    totals = CategoryTally("合计")
    for u in units:
        totals.add(u)
    return categories, totals


def assessment(units: list[UnitTally], frames, settings, cells: Cells, problems: list[Problem]):
    """考核: points, score, rank and grade of each assessed unit; (rules, thresholds, ranking,
    excellent units, their number from 设置)."""
    rules, thresholds = _scoring(frames, cells, problems)
    assessed = [u for u in units if u.assessed]
    if assessed:
        if rules:
            weight_sum = sum(r.weight for r in rules)
            if not math.isclose(weight_sum, 100, abs_tol=1e-9):
                problems.append(problem("W304", sheet=TABLES["scoring_rules"].sheet, column="权重",
                                        total=f"{weight_sum:g}"))
        if not thresholds:
            problems.append(problem("W306", sheet=TABLES["grades"].sheet, column="最低分"))
    for u in assessed:
        facts = UnitFacts(u.quota, u.valid, u.on_time_valid, u.adopted, u.mean_score)
        u.points = {r.item: item_points(r.method, facts) for r in rules}
        u.score = total_score(u.points, rules)
    for u, rank in zip(assessed, competition_ranks([u.score for u in assessed])):
        u.rank = rank
        u.grade = grade_for(u.score, thresholds)
    ranking = sorted(assessed, key=lambda u: u.rank)  # stable: ties in roster order
    n_excellent = settings.get("excellent_units")
    n_excellent = int(n_excellent) if isinstance(n_excellent, (int, float)) and n_excellent > 0 else 0
    excellent = commendable_units(ranking, n_excellent, commend_grade(settings.get("commend_min_grade")),
                                  thresholds)
    return rules, thresholds, ranking, excellent, n_excellent


def target_tally(target_source, cells: Cells, problems: list[Problem]) -> list[TargetResult]:
    """指标: each target evaluated (values with units as typed when the raw table is there)."""
    targets: list[TargetResult] = []
    for row, rec in row_records(target_source):
        if rec.get("name") is None and rec.get("target") is None:
            continue
        t = evaluate_target(rec, row)
        targets.append(t)
        for key, bad in (("target", t.target_unreadable), ("actual", t.actual_unreadable)):
            if bad:
                problems.append(problem("W307", **cells.ref("targets", key, row), value=rec.get(key),
                                        name=t.name, text=display_text(rec.get(key))))
        for key in t.unit_mismatch or []:
            problems.append(problem("W308", **cells.ref("targets", key, row), value=rec.get(key),
                                    name=t.name, text=display_text(rec.get(key)), unit=t.unit,
                                    number=getattr(t, key)))
    return targets


def task_tally(frame, departments: list[str], today: date, cells: Cells, problems: list[Problem]
               ) -> list[TaskResult]:
    """任务分工: each task evaluated as of ``today`` against the 机关部室 of the roster."""
    tasks: list[TaskResult] = []
    for row, rec in row_records(frame):
        if rec.get("task") is None and rec.get("seq") is None:
            continue
        if rec.get("due") is None and rec.get("due_rule"):
            rec = dict(rec, due=resolve_due(rec))  # "活动结束后15日内" from 活动结束日期
        t = evaluate_task(rec, departments, today, row)
        tasks.append(t)
        seq = t.seq if t.seq is not None else ""
        raw_due = cells.raw("tasks", "due", row)
        if t.due is None and not _blank(raw_due):
            problems.append(problem("W310", **cells.ref("tasks", "due", row), value=raw_due, seq=seq,
                                    text=display_text(raw_due)))
        lead_names = {name_key(n) for n in split_departments(rec.get("lead"))}
        for dept in t.unknown_departments:
            column = "lead" if name_key(dept) in lead_names else "support"
            ref = cells.ref("tasks", column, row)
            problems.append(problem("W309", **ref, value=rec.get(column), seq=seq, dept=dept))
        if not departments and any(name_key(n) == name_key(OTHER_DEPARTMENTS)
                                   for n in split_departments(rec.get("support"))):
            problems.append(problem("W313", **cells.ref("tasks", "support", row),
                                    value=rec.get("support"), seq=seq))
    return tasks


def pioneer_places(settings) -> int:
    """How many 先锋 the review names (设置 先锋名额, default 3)."""
    n = settings.get("pioneer_places")
    return int(n) if isinstance(n, (int, float)) and not isinstance(n, bool) and n >= 0 else 3


def _scoring(frames, cells: Cells, problems: list[Problem]) -> tuple[list[ScoringRule], list[tuple[str, float]]]:
    rules: list[ScoringRule] = []
    seen: set[str] = set()
    for row, rec in row_records(frames.get("scoring_rules")):
        item, method = display_text(rec.get("item")), display_text(rec.get("method"))
        weight = rec.get("weight")
        weight = parse_number(weight) if weight is not None else None
        if item is None and method is None:
            continue
        rule = ScoringRule(item or method or "", float(weight or 0), method or "", row)
        if not usable_rules([rule]) or rule.item in seen:
            problems.append(problem("W305", **cells.ref("scoring_rules", "method", row), value=method,
                                    item=rule.item, text=method or "", choices="、".join(SCORING_METHODS)))
            continue
        seen.add(rule.item)
        rules.append(rule)
    thresholds: list[tuple[str, float]] = []
    for _row, rec in row_records(frames.get("grades")):
        grade, minimum = display_text(rec.get("grade")), rec.get("min_score")
        if grade is not None and isinstance(minimum, (int, float)) and not isinstance(minimum, bool):
            thresholds.append((grade, float(minimum)))
    thresholds.sort(key=lambda g: -g[1])
    return rules, thresholds


def individual_tally(items: Iterable[ItemTally], roster: list[UnitTally]) -> list[Individual]:
    """先进个人 candidates: the authors of valid adopted items, each with their units and titles."""
    position = {match_key(u.code): i for i, u in enumerate(roster)}
    by_code = {match_key(u.code): u for u in roster}
    people: dict[tuple[str, str], Individual] = {}
    first: dict[tuple[str, str], int] = {}
    for n, it in enumerate(items):
        if not (it.valid and it.adopted and it.author):
            continue
        key = (name_key(it.author), name_key(it.author_org or ""))
        person = people.get(key)
        if person is None:
            unit = by_code.get(match_key(it.unit_code))
            person = Individual(it.author, it.author_org, it.unit_code,
                                unit.name if unit else it.unit_name)
            people[key], first[key] = person, n
        person.adopted += 1
        if it.title:
            person.titles.append(it.title)
        if it.row is not None:
            person.rows.append(it.row)

    def order(key):
        p = people[key]
        return (-p.adopted, position.get(match_key(p.unit_code), len(position)), first[key])

    return [people[k] for k in sorted(people, key=order)]
