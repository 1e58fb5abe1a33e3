"""The 统计 sheet's sections for 三比一争当 (比进度, 评选) and indicator progress by period.

Each section is written only when its data exists, so campaigns without commitments, reviews
or indicator reports keep the sheet they had.
"""

from __future__ import annotations

from typing import Any

from macros.app.stats_rows import formats, pct, row, widths
from macros.schema import STATS_PIONEERS, STATS_PROGRESS, STATS_TARGET_PERIODS


def pledge_blocks(sh, result) -> None:
    departments = getattr(result, "pledge_departments", None) or []
    if departments:
        missing = list(getattr(result, "pledges_missing", None) or [])
        sh.add([["未报送承诺的部室", "、".join(missing) or "（无，各部室均已报送）"]],
               title=f"承诺报送（{len(departments)} 个部室，已报送 {len(departments) - len(missing)} 个，"
                     f"未报送 {len(missing)} 个）", header=False)
    if result.progress:
        t = STATS_PROGRESS
        rows: list[list[Any]] = [t.headers]
        for p in result.progress:
            rows.append(row(t, rank=p.rank, department=p.department, total=p.total, done=p.done,
                            on_time=p.on_time, overdue=p.overdue, rate=pct(p.rate)))
        sh.add(rows, title=f"比进度（截至 {result.today.isoformat()}，按时完成承诺任务多者在前）",
               formats=formats(t), widths=widths(t), key=t.key)
    if result.pioneers:
        t = STATS_PIONEERS
        rows = [t.headers]
        for p in result.pioneers:
            rows.append(row(t, type=p.type, rank=p.rank, candidate=p.candidate, department=p.department or "",
                            reviews=p.reviews, score=p.score, selected="是" if p.selected else "否"))
        sh.add(rows, title="评选（践诺评议平均分，名额内当选先锋集体、先锋个人）", formats=formats(t),
               widths=widths(t), key=t.key)
    periods = getattr(result, "target_periods", None) or []
    if periods:
        t = STATS_TARGET_PERIODS
        rows = [t.headers]
        for p in periods:
            rows.append(row(t, name=p["name"], period=p["period"], value=p["value"], completion=pct(p["completion"]),
                            department=p["department"] or ""))
        sh.add(rows, title="指标分期进度（各期累计值）", formats=formats(t), widths=widths(t), key=t.key)
