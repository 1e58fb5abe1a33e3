"""The 统计 sheet's sections for 三比一争当 (比进度, 评选) and indicator progress by period.

Each section is written only when its data exists, so campaigns without commitments, reviews
or indicator reports keep the sheet they had.
"""

from __future__ import annotations

from typing import Any

from macros.schema import STATS_PIONEERS, STATS_PROGRESS, STATS_TARGET_PERIODS, Table

NO_VALUE = "—"  # as macros.app.stats_sheet shows a ratio without a denominator


def _formats(table: Table) -> dict[int, str]:
    return {j: c.format for j, c in enumerate(table.columns) if c.format}


def _widths(table: Table) -> dict[int, float]:
    return {j: c.width for j, c in enumerate(table.columns)}


def _pct(value: float | None) -> Any:
    return NO_VALUE if value is None else value


def pledge_blocks(sh, result) -> None:
    if result.progress:
        t = STATS_PROGRESS
        rows: list[list[Any]] = [t.headers]
        for p in result.progress:
            rows.append([p.rank, p.department, p.total, p.done, p.on_time, p.overdue, _pct(p.rate)])
        sh.add(rows, title=f"比进度（截至 {result.today.isoformat()}，按时完成承诺任务多者在前）",
               formats=_formats(t), widths=_widths(t), key=t.key)
    if result.pioneers:
        t = STATS_PIONEERS
        rows = [t.headers]
        for p in result.pioneers:
            rows.append([p.type, p.rank, p.candidate, p.department or "", p.reviews, p.score,
                         "是" if p.selected else "否"])
        sh.add(rows, title="评选（践诺评议平均分，名额内当选先锋集体、先锋个人）", formats=_formats(t),
               widths=_widths(t), key=t.key)
    periods = getattr(result, "target_periods", None) or []
    if periods:
        t = STATS_TARGET_PERIODS
        rows = [t.headers]
        for p in periods:
            rows.append([p["name"], p["period"], p["value"], _pct(p["completion"]), p["department"] or ""])
        sh.add(rows, title="指标分期进度（各期累计值）", formats=_formats(t), widths=_widths(t), key=t.key)
