"""Demo step: tally the sample campaign (统计 sheet with formulas and charts)."""

from __future__ import annotations

from macros.adapters.file_engine import FileEngine
from macros.app.tally import run_tally


def demo_step(ctx) -> None:
    """Run the tally on ``ctx.master`` as of ``ctx.today``; works whether or not earlier steps
    filled 征集明细."""
    result = run_tally(FileEngine(ctx.master), ctx.today)
    tot = result.totals
    ctx.notes.append(
        f"统计：应报单位 {tot.units} 个，实报 {tot.submitted} 条，有效 {tot.valid} 条，逾期 {tot.late} 条；"
        f"未完成配额 {len(result.short_of_quota)} 个单位；逾期任务 {len(result.overdue_tasks)} 项"
        "（见工作簿“统计”工作表）"
    )
