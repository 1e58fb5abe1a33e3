"""Assessment (考核): weighted scores from 考核规则, competition ranking, 等次, commendations.

Pure functions, no I/O.

Scores
------
Every row of 考核规则 is a scoring item with a 权重 and a 计分方式. Each method gives a unit
0–100 points:

* 数量 — ``min(1, 有效 / 应报) × 100``;
* 及时 — ``有效且未逾期 / 有效 × 100`` (the share of its valid items sent by the deadline);
* 质量 — the mean 评分 (0–100) of its valid items that have a 评分, bounded to 0–100;
  0 when none has a 评分 yet;
* 采纳 — ``min(1, 有效且被采纳 / 应报) × 100``.

A unit with no valid item scores 0 on every item: no credit for timeliness or quality it never
showed. The total is ``Σ 权重 × 得分 / Σ 权重`` rounded to 2 decimals — with weights summing to
100, as the sheet asks, simply the weighted sum; other sums are normalised (and warned about by
the caller). Rows with an unknown 计分方式 or no positive weight are ignored.

Who is assessed: units whose category has 是否考核 = 是 **and** whose quota (应报) is above 0.
A quota of 0 means the unit is exempt this time: nothing can be measured against it, so it is
neither scored nor ranked (score, rank and 等次 stay empty) — and it is never short of quota.

Ranking and grades
------------------
Competition ranking on the rounded totals, higher first: equal totals share a rank and the
next rank skips (1, 2, 2, 4) — Excel's ``RANK``. 等次: the first grade, from the highest 最低分
down, whose 最低分 the total reaches; a total below every threshold gets no grade.

Commendations
-------------
* 优秀组织单位: the assessed units ranked within the top N (``excellent_units`` setting) with a
  total above 0; units tied at rank N are all included.
* 先进个人: every 献策人 with at least one valid, adopted item (是否采纳 = 是), once per person
  and 工作单位, with the titles adopted; most adopted first, then in roster order of the unit.
"""

from __future__ import annotations

import math

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Sequence

from macros.schema import SCORING_METHODS

QUANTITY, TIMELY, QUALITY, ADOPTION = SCORING_METHODS  # 数量 及时 质量 采纳

__all__ = [
    "ADOPTION", "Individual", "QUALITY", "QUANTITY", "ScoringRule", "TIMELY", "UnitFacts",
    "competition_ranks", "excel_round", "grade_for", "item_points", "total_score", "usable_rules",
]


def excel_round(x: float, digits: int = 2) -> float:
    """Excel's ROUND: halves away from zero, on the decimal number as shown (Python's ``round``
    rounds halves to even on the binary value, so 87.125 would become 87.12 instead of 87.13)."""
    if not math.isfinite(x):
        return x
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class ScoringRule:
    item: str  # 项目
    weight: float  # 权重
    method: str  # 计分方式: 数量/及时/质量/采纳
    row: int | None = None  # worksheet row in 考核规则


@dataclass(frozen=True)
class UnitFacts:
    """What a unit showed, as the scoring methods need it."""

    quota: int
    valid: int
    on_time_valid: int  # valid items dated on or before the deadline (or undated)
    adopted_valid: int
    mean_score: float | None  # mean 评分 of valid items with a 评分; None when none


def item_points(method: str, facts: UnitFacts) -> float:
    """0–100 points of one scoring method for one unit (see the module doc)."""
    if facts.valid <= 0:
        return 0.0
    if method == QUANTITY:
        return min(1.0, facts.valid / facts.quota) * 100 if facts.quota > 0 else 0.0
    if method == TIMELY:
        return facts.on_time_valid / facts.valid * 100
    if method == QUALITY:
        if facts.mean_score is None:
            return 0.0
        return min(100.0, max(0.0, facts.mean_score))
    if method == ADOPTION:
        return min(1.0, facts.adopted_valid / facts.quota) * 100 if facts.quota > 0 else 0.0
    raise KeyError(method)


def usable_rules(rules: Iterable[ScoringRule]) -> list[ScoringRule]:
    return [r for r in rules if r.method in SCORING_METHODS and r.weight > 0]


def total_score(points: dict[str, float], rules: Sequence[ScoringRule]) -> float:
    """Weighted total, normalised by the weight sum, rounded to 2 decimals (0 without rules).

    ``points`` maps each rule's 项目 to its 0–100 points. The arithmetic is the one the 统计
    sheet's formula uses: Σ(w·p) / Σw, then ROUND(…, 2) (:func:`excel_round`).
    """
    rules = usable_rules(rules)
    weight_sum = sum(r.weight for r in rules)
    if weight_sum <= 0:
        return 0.0
    total = 0.0
    for r in rules:
        total += r.weight * points[r.item]
    return excel_round(total / weight_sum, 2)


def competition_ranks(scores: Sequence[float]) -> list[int]:
    """1 + the number of strictly higher scores: ties share a rank, the next rank skips (1,2,2,4)."""
    descending = sorted(scores, reverse=True)
    first = {}  # score -> 0-based position of its first occurrence in descending order
    for i, s in enumerate(descending):
        first.setdefault(s, i)
    return [1 + first[s] for s in scores]


def grade_for(score: float | None, thresholds: Sequence[tuple[str, float]]) -> str | None:
    """The first grade (highest 最低分 first) whose 最低分 ``score`` reaches; None below all."""
    if score is None:
        return None
    for grade, minimum in sorted(thresholds, key=lambda g: -g[1]):
        if score >= minimum:
            return grade
    return None


@dataclass
class Individual:
    """A 先进个人 candidate: a 献策人 with adopted items."""

    author: str
    author_org: str | None
    unit_code: str | None
    unit_name: str | None
    adopted: int = 0
    titles: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # worksheet rows in 征集明细

    def to_json(self) -> dict[str, Any]:
        return {"author": self.author, "author_org": self.author_org, "unit_code": self.unit_code,
                "unit": self.unit_name, "adopted": self.adopted, "titles": list(self.titles)}
