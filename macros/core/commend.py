"""Who may be commended, and whether the assessment is complete enough to send. Pure.

优秀组织单位
------------
A unit is *eligible* when it is assessed, met its quota (差额 0), scored above 0 and reached
the grade named in 设置's 表彰最低等次 (blank: 良好). 不合格 is never commendable, whatever
the setting says; a unit with no grade (below every threshold) neither. Among the eligible
units, ranked by total as before (competition ranking: ties share a rank), those ranked within
the 优秀组织单位名额 N are listed; units tied at rank N are all listed. So with 名额 5 and only
three eligible units, three are listed — never a unit graded 不合格 to fill the places.

Unscored components
-------------------
A weighted scoring item is *unscored* while nobody has judged it yet: 质量 when no valid item
of an assessed unit has a 评分, 采纳 when no valid item of an assessed unit has 是否采纳 filled
in (是 or 否). The totals then rest on zeros that mean "not yet", so tally warns (W801) and the
考核结果与表彰名单 is marked 草稿 until the clerk confirms the results (设置 考核结果已确认 = 是,
or ``kexie report --final``).
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from macros.core.assess import ADOPTION, QUALITY, ScoringRule, competition_ranks
from macros.schema import DEFAULT_COMMEND_GRADE, GRADES

NEVER_COMMENDED = "不合格"

__all__ = ["NEVER_COMMENDED", "commend_grade", "commendable_units", "grade_reached", "unscored_rules"]


def commend_grade(value: Any) -> str:
    """The 表彰最低等次 in force: the setting when it names a grade other than 不合格, else 良好."""
    text = str(value).strip() if value is not None else ""
    return text if text in GRADES and text != NEVER_COMMENDED else DEFAULT_COMMEND_GRADE


def grade_reached(grade: str | None, minimum: str, thresholds: Sequence[tuple[str, float]]) -> bool:
    """``grade`` is ``minimum`` or better (by the 最低分 of 考核规则; never 不合格 or none)."""
    if not grade or grade == NEVER_COMMENDED:
        return False
    floor = dict(thresholds)
    if grade in floor and minimum in floor:
        return floor[grade] >= floor[minimum]
    order = {g: i for i, g in enumerate(GRADES)}  # 优秀 first
    return order.get(grade, len(order)) <= order.get(minimum, len(order))


def commendable_units(ranking: Sequence[Any], places: int, minimum: str,
                      thresholds: Sequence[tuple[str, float]]) -> list[Any]:
    """The 优秀组织单位 among ``ranking`` (UnitTally-like: score, grade, shortfall; by rank)."""
    if places <= 0:
        return []
    eligible = [u for u in ranking
                if (u.score or 0) > 0 and u.shortfall == 0 and grade_reached(u.grade, minimum, thresholds)]
    ranks = competition_ranks([u.score for u in eligible])
    return [u for u, r in zip(eligible, ranks) if r <= places]


def unscored_rules(rules: Iterable[ScoringRule], items: Iterable[Any], assessed_codes: set[str]) -> list[ScoringRule]:
    """Rules of method 质量/采纳 that no valid item of an assessed unit has been judged on.

    ``items``: ItemTally-like (unit_code, valid, score, adoption_marked); ``assessed_codes``:
    the assessed units' codes, case-folded."""
    judged_quality = judged_adoption = False
    for it in items:
        if not it.valid or (it.unit_code or "").casefold() not in assessed_codes:
            continue
        judged_quality = judged_quality or it.score is not None
        judged_adoption = judged_adoption or bool(getattr(it, "adoption_marked", False))
    out = []
    for r in rules:
        if (r.method == QUALITY and not judged_quality) or (r.method == ADOPTION and not judged_adoption):
            out.append(r)
    return out
