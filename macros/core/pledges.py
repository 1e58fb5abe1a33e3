"""三比一争当: 比进度 (departments ranked by commitments done on time) and 评选 (先锋集体/个人
from 践诺评议 scores). Pure.

比进度
------
Every 承诺 row is one target task of a 部室. It is *done* when 完成情况 is 已完成, *on time*
when done and its 完成日期 is on or before its 完成时限 (a task without 完成时限 done at all is
on time; one done without 完成日期 is done but not provably on time), *overdue* when not done
and its 完成时限 has passed (today after it). Departments are ranked by on-time count, then by
on-time rate (on time ÷ commitments), higher first; equal pairs share a rank (1, 2, 2, 4).

评选
----
Each 践诺评议 row is one reviewer's score (0–100; others ignored) of a candidate of a 类别
(集体 or 个人). A candidate's score is the mean of its valid scores, rounded to 2 decimals as
Excel's ROUND does; candidates are ranked within their 类别 by that mean (competition ranking)
and those ranked within the 名额 are selected — candidates tied at the last place are all in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Sequence

from macros.core.assess import competition_ranks, excel_round

DONE = "已完成"

__all__ = ["DepartmentProgress", "Pioneer", "progress_ranking", "select_pioneers"]


@dataclass
class DepartmentProgress:
    department: str
    total: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    rank: int | None = None

    @property
    def rate(self) -> float | None:
        return self.on_time / self.total if self.total else None

    def to_json(self) -> dict[str, Any]:
        return {"department": self.department, "total": self.total, "done": self.done, "on_time": self.on_time,
                "overdue": self.overdue, "rank": self.rank,
                "rate": None if self.rate is None else round(self.rate, 4)}


def _text(v: Any) -> str:
    return str(v).strip() if v is not None else ""


def progress_ranking(commitments: Iterable[dict[str, Any]], today: date,
                     departments: Sequence[str] = ()) -> list[DepartmentProgress]:
    """比进度 of every department with a commitment (and every name in ``departments``), by rank."""
    by_dept: dict[str, DepartmentProgress] = {d: DepartmentProgress(d) for d in departments}
    for rec in commitments:
        dept = _text(rec.get("department"))
        if not dept or not _text(rec.get("goal")):
            continue
        p = by_dept.setdefault(dept, DepartmentProgress(dept))
        p.total += 1
        due = rec.get("due") if isinstance(rec.get("due"), date) else None
        done_on = rec.get("done_on") if isinstance(rec.get("done_on"), date) else None
        if _text(rec.get("status")) == DONE:
            p.done += 1
            if due is None or (done_on is not None and done_on <= due):
                p.on_time += 1
        elif due is not None and today > due:
            p.overdue += 1
    rows = list(by_dept.values())
    keys = [(p.on_time, p.rate or 0.0) for p in rows]
    for p, rank in zip(rows, competition_ranks(keys)):
        p.rank = rank
    return sorted(rows, key=lambda p: p.rank)


@dataclass
class Pioneer:
    type: str
    candidate: str
    department: str | None
    reviews: int
    score: float
    rank: int = 0
    selected: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "candidate": self.candidate, "department": self.department,
                "reviews": self.reviews, "score": self.score, "rank": self.rank, "selected": self.selected}


def select_pioneers(reviews: Iterable[dict[str, Any]], places: int) -> list[Pioneer]:
    """评选 (see the module doc): every candidate with a valid score, by 类别 then rank."""
    scores: dict[tuple[str, str], list[float]] = {}
    depts: dict[tuple[str, str], str | None] = {}
    for rec in reviews:
        kind, who = _text(rec.get("type")), _text(rec.get("candidate"))
        score = rec.get("score")
        if not kind or not who or isinstance(score, bool) or not isinstance(score, (int, float)):
            continue
        if not 0 <= score <= 100:
            continue
        key = (kind, who)
        scores.setdefault(key, []).append(float(score))
        depts.setdefault(key, _text(rec.get("department")) or None)
    out: list[Pioneer] = []
    for kind in dict.fromkeys(k for k, _w in scores):
        group = [Pioneer(kind, who, depts[(kind, who)], len(v), excel_round(sum(v) / len(v), 2))
                 for (k, who), v in scores.items() if k == kind]
        for p, rank in zip(group, competition_ranks([p.score for p in group])):
            p.rank, p.selected = rank, places > 0 and rank <= places
        out += sorted(group, key=lambda p: p.rank)
    return out
