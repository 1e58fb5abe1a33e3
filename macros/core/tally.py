"""Tallies of a campaign: quotas, 实报/有效/逾期/差额/完成率 per unit, category and topic, with
the targets, tasks and assessment results — everything ``kexie tally`` reports.

Pure: no I/O. The one entry point is :func:`compute_tally` (see its docstring for the stable
contract other use cases — the 统计 sheet, ``kexie report`` documents — rely on).

Rules
-----
* 应报 (quota) of a unit = its own 配额 in 单位名册, else its category's 最少报送数 in 配额规则
  (a category without a rule: 0, warned W302; a negative 配额: 0, warned W312).
* Items belong to the unit whose 单位编号 they carry (compared as text, ignoring case, as
  Excel's COUNTIFS does — the 统计 formulas count the same way). Items whose 单位编号 is not in
  the roster count for no unit (warned W301) but do count per topic.
* 实报 = every item row of the unit. 有效 = those whose 状态 is not 无效/重复/作废 (blank is
  有效). 逾期 = items dated after 截止日期 (the deadline day itself is on time; an undated item
  is not late); a late item still counts in 实报 and 有效. 差额 = max(0, 应报 − 有效).
  完成率 = 有效 / 应报 (not capped; None when 应报 is 0).
* Units listed: every roster unit whose quota is above 0, whose category is assessed (是否考核
  = 是), or which sent anything — roster order. Units with quota 0, not assessed and silent
  (e.g. 机关部室 in a 献策 campaign) are left out.
* Per category: the listed units of each category (vocabulary order, then others); 差额 is the
  sum of the units' shortfalls (one unit's surplus never covers another's gap).
* Per topic: items per 主题领域 in the topic list's order, matched on the exact text (case
  ignored); items whose topic is not in the list go to a last row with ``code`` None.
* Targets: macros.core.targets. Tasks: macros.core.tasks. Assessment: macros.core.assess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from macros.core.assess import (
    Individual, ScoringRule, UnitFacts, competition_ranks, grade_for, item_points,
    total_score, usable_rules,
)
from macros.core.grid import row_records
from macros.core.commend import commend_grade, commendable_units, unscored_rules
from macros.core.dept_returns import period_progress, resolve_due
from macros.core.kind_settings import campaign_kind
from macros.core.pledge_returns import missing_pledges
from macros.core.pledges import DepartmentProgress, Pioneer, progress_ranking, select_pioneers
from macros.core.normalize import display_text, name_key, parse_number, parse_yesno
from macros.core.targets import TargetResult, evaluate_target
from macros.core.tasks import DepartmentLoad, TaskResult, department_loads, evaluate_task, split_departments
from macros.problems import Problem, problem
from macros.schema import (
    INVALID_ITEM_STATUSES, OTHER_DEPARTMENTS, SCORING_METHODS, TABLES, UNIT_CATEGORIES,
)

DEPARTMENT_CATEGORY = "机关部室"
OTHER_TOPIC = "（未归入主题领域）"

__all__ = [
    "CategoryTally", "ItemTally", "OTHER_TOPIC", "TallyResult", "TopicTally", "UnitTally",
    "compute_tally", "is_valid_status", "match_key",
]


def match_key(value: Any) -> str:
    """Text compared the way COUNTIFS compares it: as shown, case ignored (leading/trailing
    spaces are already stripped by the reader)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().casefold()


def is_valid_status(status: Any) -> bool:
    """有效 unless 状态 is 无效, 重复 or 作废 (blank is 有效)."""
    return (str(status).strip() if status is not None else "") not in INVALID_ITEM_STATUSES


# --- result records ---------------------------------------------------------------------------

@dataclass
class ItemTally:
    """One row of 征集明细 with the flags the tally derived."""

    row: int | None  # worksheet row in 征集明细 (index of campaign.frames["items"])
    item_id: str | None
    unit_code: str | None
    unit_name: str | None
    title: str | None
    topic: str | None
    topic_code: Any  # 编号 of the matched topic; None when not in the topic list
    author: str | None
    author_org: str | None
    submitted_on: date | None
    status: str | None
    valid: bool
    late: bool
    adopted: bool  # 是否采纳 = 是 (whatever the 状态)
    score: float | None  # 评分 as typed (not bounded)
    known_unit: bool  # 单位编号 found in 单位名册
    adoption_marked: bool = False  # 是否采纳 filled in (是 or 否)


@dataclass
class UnitTally:
    """One unit's tally and assessment (a row of the 按单位统计 and 考核 tables)."""

    code: str
    name: str
    category: str | None
    quota: int  # 应报
    submitted: int = 0  # 实报
    valid: int = 0  # 有效
    late: int = 0  # 逾期 (of 实报)
    on_time_valid: int = 0  # 有效 and not 逾期
    adopted: int = 0  # 有效 and 是否采纳 = 是
    scored: int = 0  # 有效 with a 评分
    mean_score: float | None = None  # mean 评分 of those (unbounded)
    assessed: bool = False  # category 是否考核 = 是 and quota > 0
    category_assessed: bool = False  # category 是否考核 = 是
    points: dict[str, float] = field(default_factory=dict)  # 考核项目 → 0–100 points
    score: float | None = None  # total 0–100, 2 decimals; None when not assessed
    rank: int | None = None
    grade: str | None = None
    row: int | None = None  # worksheet row in 单位名册
    contact: str | None = None
    post: str | None = None
    phone: str | None = None
    email: str | None = None
    item_rows: list[int] = field(default_factory=list)  # its rows in 征集明细

    @property
    def shortfall(self) -> int:
        """差额 = max(0, 应报 − 有效)."""
        return max(0, self.quota - self.valid)

    @property
    def completion(self) -> float | None:
        """完成率 = 有效 / 应报 (None when 应报 is 0)."""
        return self.valid / self.quota if self.quota > 0 else None

    @property
    def short(self) -> bool:
        return self.shortfall > 0

    def to_json(self) -> dict[str, Any]:
        return {
            "unit_code": self.code, "unit": self.name, "category": self.category,
            "quota": self.quota, "submitted": self.submitted, "valid": self.valid,
            "late": self.late, "shortfall": self.shortfall, "score": self.score,
            "rank": self.rank, "grade": self.grade,
            "completion": None if self.completion is None else round(self.completion, 4),
            "assessed": self.assessed, "adopted": self.adopted,
            "points": {k: round(v, 2) for k, v in self.points.items()},
        }


@dataclass
class CategoryTally:
    category: str
    units: int = 0
    quota: int = 0
    submitted: int = 0
    valid: int = 0
    late: int = 0
    shortfall: int = 0  # Σ of the units' shortfalls
    short_units: int = 0
    assessed: bool = False

    @property
    def completion(self) -> float | None:
        return self.valid / self.quota if self.quota > 0 else None

    def add(self, u: UnitTally) -> None:
        self.units += 1
        self.quota += u.quota
        self.submitted += u.submitted
        self.valid += u.valid
        self.late += u.late
        self.shortfall += u.shortfall
        self.short_units += int(u.short)

    def to_json(self) -> dict[str, Any]:
        return {"category": self.category, "units": self.units, "quota": self.quota,
                "submitted": self.submitted, "valid": self.valid, "late": self.late,
                "shortfall": self.shortfall, "short_units": self.short_units,
                "completion": None if self.completion is None else round(self.completion, 4)}


@dataclass
class TopicTally:
    code: Any  # 编号 in 主题领域; None for the row of items outside the list
    topic: str
    submitted: int = 0
    valid: int = 0
    late: int = 0
    adopted: int = 0  # valid and adopted

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "topic": self.topic, "submitted": self.submitted,
                "valid": self.valid, "late": self.late, "adopted": self.adopted}


@dataclass
class TallyResult:
    """Everything ``kexie tally`` computes. See :func:`compute_tally` for the field contract."""

    today: date
    deadline: date | None
    campaign_name: str | None
    units: list[UnitTally]
    categories: list[CategoryTally]
    totals: CategoryTally  # category "合计": the listed units together
    topics: list[TopicTally]
    items: list[ItemTally]
    short_of_quota: list[str]  # unit codes, roster order
    rules: list[ScoringRule]  # usable scoring rules, sheet order
    grade_thresholds: list[tuple[str, float]]  # (等次, 最低分), highest first
    ranking: list[UnitTally]  # assessed units by rank (ties in roster order)
    excellent_units: list[UnitTally]
    excellent_quota: int  # N of 优秀组织单位名额
    individuals: list[Individual]  # 先进个人
    targets: list[TargetResult]
    tasks: list[TaskResult]
    overdue_tasks: list[int]  # 序号 of overdue tasks
    departments: list[DepartmentLoad]
    problems: list[Problem] = field(default_factory=list)
    commend_grade: str = "良好"  # 表彰最低等次 in force (macros.core.commend)
    unscored: list[ScoringRule] = field(default_factory=list)  # weighted items nobody judged yet
    kind: str = "征集"  # 活动类型 in force (macros.core.kind_settings.campaign_kind)
    progress: list[DepartmentProgress] = field(default_factory=list)  # 比进度 (macros.core.pledges)
    pioneers: list[Pioneer] = field(default_factory=list)  # 评选 of 先锋集体/个人
    target_periods: list[dict[str, Any]] = field(default_factory=list)  # 指标进度 by period (core.dept_returns)
    pledge_departments: list[str] = field(default_factory=list)  # 部室 that return 承诺 (活动方案 campaigns)
    pledges_missing: list[str] = field(default_factory=list)  # of those, the ones with no 承诺 yet

    def unit(self, code: str) -> UnitTally | None:
        key = match_key(code)
        return next((u for u in self.units if match_key(u.code) == key), None)

    @property
    def short_units(self) -> list[UnitTally]:
        return [u for u in self.units if u.short]

    @property
    def advanced_individuals(self) -> list[Individual]:
        return self.individuals

    def to_json(self) -> dict[str, Any]:
        """The ``kexie tally --json`` object (docs/cli.md; fields may be added, never renamed)."""
        return {
            "units": [u.to_json() for u in self.units],
            "short_of_quota": list(self.short_of_quota),
            "targets": [
                {"name": t.name, "target": t.target, "actual": t.actual,
                 "completion": None if t.completion is None else round(t.completion, 4),
                 "unit": t.unit, "compare": t.compare, "status": t.status}
                for t in self.targets
            ],
            "overdue_tasks": list(self.overdue_tasks),
            "today": self.today.isoformat(),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "categories": [c.to_json() for c in self.categories],
            "totals": self.totals.to_json(),
            "topics": [t.to_json() for t in self.topics],
            "excellent_units": [u.code for u in self.excellent_units],
            "individuals": [i.to_json() for i in self.individuals],
            "tasks": [
                {"seq": t.seq, "task": t.task, "lead": t.lead, "support": t.support,
                 "due": t.due.isoformat() if t.due else None, "status": t.status,
                 "overdue": t.overdue, "days_overdue": t.days_overdue}
                for t in self.tasks
            ],
            "departments": [
                {"department": d.department, "lead": d.lead, "join": d.join, "overdue": d.overdue}
                for d in self.departments
            ],
            "commend_grade": self.commend_grade,
            "unscored": [r.item for r in self.unscored],
            "kind": self.kind,
            "progress": [p.to_json() for p in self.progress],
            "pioneers": [p.to_json() for p in self.pioneers],
            "target_periods": [dict(p) for p in self.target_periods],
            "pledge_departments": list(self.pledge_departments),
            "pledges_missing": list(self.pledges_missing),
        }


# --- helpers ----------------------------------------------------------------------------------

_records = row_records  # (worksheet row, {column: value or None when blank}) per row


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


class _Cells:
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


# --- the entry point --------------------------------------------------------------------------

def compute_tally(campaign: Any, today: date | None = None) -> TallyResult:
    """Compute every tally of ``campaign`` as of ``today`` (default: the real today).

    ``campaign`` is a ``macros.app.campaign.Campaign`` (or anything with ``settings`` — typed,
    schema keys — and ``frames`` — typed frames by table key, indexed by worksheet row; an
    optional ``tables`` of raw ``TableData`` gives problems their cells and lets targets read
    values with units as typed).

    Stable contract of the returned :class:`TallyResult` (fields may be added, never renamed):

    * ``today``, ``deadline`` (截止日期 or None), ``campaign_name``;
    * ``units``: :class:`UnitTally` per listed unit in roster order — ``code``, ``name``,
      ``category``, ``quota`` (应报), ``submitted`` (实报), ``valid`` (有效), ``late`` (逾期),
      ``shortfall`` (差额), ``completion`` (完成率 or None), ``adopted``, ``mean_score``,
      ``assessed``, ``points`` (考核项目 → 0–100), ``score``/``rank``/``grade`` (None unless
      assessed), ``contact``/``post``/``phone``/``email`` from the roster, ``item_rows``
      (its rows in 征集明细), ``row`` (its row in 单位名册);
    * ``short_of_quota``: codes of units with 差额 > 0; ``short_units``: those UnitTally;
    * ``categories`` (:class:`CategoryTally`) and ``totals`` (the same summed, "合计");
    * ``topics`` (:class:`TopicTally`, topic-list order; items outside the list last, code None);
    * ``items``: :class:`ItemTally` per 征集明细 row (valid/late/adopted flags, matched topic);
    * ``rules`` (usable 考核规则 rows), ``grade_thresholds``, ``ranking`` (assessed units by
      rank), ``excellent_units`` (优秀组织单位), ``excellent_quota``, ``individuals``
      (先进个人, also as ``advanced_individuals``);
    * ``targets`` (:class:`macros.core.targets.TargetResult`), ``tasks``
      (:class:`macros.core.tasks.TaskResult`), ``overdue_tasks`` (序号), ``departments``
      (:class:`macros.core.tasks.DepartmentLoad`);
    * ``problems``: data problems found while tallying (codes W30x/W31x, with cells);
    * ``to_json()``: the ``kexie tally --json`` object; ``unit(code)``: lookup.
    """
    today = today or date.today()
    settings = getattr(campaign, "settings", {}) or {}
    # typed tables by key: a Campaign's own (no pandas), or frames of a caller that has only those
    frames = getattr(campaign, "typed", None) or getattr(campaign, "frames", {}) or {}
    cells = _Cells(campaign)
    problems: list[Problem] = []
    deadline = settings.get("deadline") if isinstance(settings.get("deadline"), date) else None

    rules_by_cat = quota_rules(frames.get("quota_rules"))
    roster, by_code, departments = roster_tally(frames.get("units"), rules_by_cat, cells, problems)
    topics, topic_by_key = topic_list(frames.get("topics"))
    items = item_tally(frames.get("items"), deadline, roster, by_code, topics, topic_by_key, cells, problems)
    units = [u for u in roster if u.quota > 0 or u.category_assessed or u.submitted > 0]
    categories, totals = category_tally(units)
    rules, thresholds, ranking, excellent, n_excellent = assessment(units, frames, settings, cells, problems)
    individuals = _individuals(items, roster)
    raw_targets = cells.tables.get("targets")
    targets = target_tally(raw_targets if raw_targets is not None else frames.get("targets"), cells,
                           problems)
    tasks = task_tally(frames.get("tasks"), departments, today, cells, problems)
    loads = department_loads(tasks, departments)

    return TallyResult(
        today=today, deadline=deadline, campaign_name=display_text(settings.get("campaign_name")),
        units=units, categories=categories, totals=totals, topics=topics, items=items,
        short_of_quota=[u.code for u in units if u.short], rules=rules,
        grade_thresholds=thresholds, ranking=ranking, excellent_units=excellent,
        excellent_quota=n_excellent, individuals=individuals, targets=targets, tasks=tasks,
        overdue_tasks=[t.seq for t in tasks if t.overdue and t.seq is not None],
        departments=loads, problems=problems, commend_grade=commend_grade(settings.get("commend_min_grade")),
        unscored=unscored_rules(rules, items, {u.code.casefold() for u in ranking}) if ranking else [],
        kind=campaign_kind(settings),
        progress=progress_ranking([r for _row, r in _records(frames.get("commitments"))], today),
        pioneers=select_pioneers([r for _row, r in _records(frames.get("reviews"))], _places(settings)),
        target_periods=period_progress([r for _row, r in _records(frames.get("target_progress"))], targets),
        **_pledge_returns(frames, campaign_kind(settings)),
    )


def _pledge_returns(frames, kind: str) -> dict[str, list[str]]:
    """Who returns 承诺 and who has not yet (only on a 活动方案 campaign)."""
    if kind != "活动方案":
        return {}
    units = [r for _row, r in _records(frames.get("units"))]
    commitments = [r for _row, r in _records(frames.get("commitments"))]
    names, missing = missing_pledges(units, commitments)
    return {"pledge_departments": names, "pledges_missing": missing}


# --- one pure function per section (each with its known answers in tests/test_tally_sections.py) --

def quota_rules(frame) -> dict[str, tuple[int, bool]]:
    """配额规则: name_key(category) → (最少报送数, 是否考核); the first row of a category counts."""
    rules_by_cat: dict[str, tuple[int, bool]] = {}
    for _row, rec in _records(frame):
        cat = display_text(rec.get("category"))
        if cat is None:
            continue
        minimum = rec.get("min_items")
        minimum = int(minimum) if isinstance(minimum, (int, float)) and minimum > 0 else 0
        rules_by_cat.setdefault(name_key(cat), (minimum, parse_yesno(rec.get("assessed")) == "是"))
    return rules_by_cat


def roster_tally(frame, rules_by_cat: dict[str, tuple[int, bool]], cells: "_Cells", problems: list[Problem]
                 ) -> tuple[list[UnitTally], dict[str, UnitTally], list[str]]:
    """单位名册: a UnitTally per listed unit (应报 from its own 配额, else its category's rule),
    the units by code, and the names of the 机关部室 (for 任务分工)."""
    roster: list[UnitTally] = []
    by_code: dict[str, UnitTally] = {}
    departments: list[str] = []
    for row, rec in _records(frame):
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
    for _row, rec in _records(frame):
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
               topics: list[TopicTally], topic_by_key: dict[str, TopicTally], cells: "_Cells",
               problems: list[Problem]) -> list[ItemTally]:
    """征集明细: an ItemTally per row; counts added to its unit and topic (items outside the topic
    list under OTHER_TOPIC, appended to ``topics`` when there are any); mean scores per unit."""
    other_topic = TopicTally(code=None, topic=OTHER_TOPIC)
    item_records = _records(items_frame)
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


def assessment(units: list[UnitTally], frames, settings, cells: "_Cells", problems: list[Problem]):
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


def target_tally(target_source, cells: "_Cells", problems: list[Problem]) -> list[TargetResult]:
    """指标: each target evaluated (values with units as typed when the raw table is there)."""
    targets: list[TargetResult] = []
    for row, rec in _records(target_source):
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


def task_tally(frame, departments: list[str], today: date, cells: "_Cells", problems: list[Problem]
               ) -> list[TaskResult]:
    """任务分工: each task evaluated as of ``today`` against the 机关部室 of the roster."""
    tasks: list[TaskResult] = []
    for row, rec in _records(frame):
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


def _places(settings) -> int:
    n = settings.get("pioneer_places")
    return int(n) if isinstance(n, (int, float)) and not isinstance(n, bool) and n >= 0 else 3


def _scoring(frames, cells: _Cells, problems: list[Problem]) -> tuple[list[ScoringRule], list[tuple[str, float]]]:
    rules: list[ScoringRule] = []
    seen: set[str] = set()
    for row, rec in _records(frames.get("scoring_rules")):
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
    for _row, rec in _records(frames.get("grades")):
        grade, minimum = display_text(rec.get("grade")), rec.get("min_score")
        if grade is not None and isinstance(minimum, (int, float)) and not isinstance(minimum, bool):
            thresholds.append((grade, float(minimum)))
    thresholds.sort(key=lambda g: -g[1])
    return rules, thresholds


def _individuals(items: Iterable[ItemTally], roster: list[UnitTally]) -> list[Individual]:
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
