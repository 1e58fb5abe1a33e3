"""The tally's result records (stable fields: add, never rename) and how items are matched."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from macros.core.assess import (
    Individual, ScoringRule,
)
from macros.core.pledges import DepartmentProgress, Pioneer
from macros.core.targets import TargetResult
from macros.core.tasks import DepartmentLoad, TaskResult
from macros.problems import Problem
from macros.schema import (
    INVALID_ITEM_STATUSES,
)

DEPARTMENT_CATEGORY = "机关部室"
OTHER_TOPIC = "（未归入主题领域）"


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
