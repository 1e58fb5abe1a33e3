"""Demo step: validate the sample campaign (校验结果 sheet and cell marks when anything is found)."""

from __future__ import annotations

from macros.adapters.file_engine import FileEngine
from macros.app.validate import validate_workbook


def demo_step(ctx) -> None:
    """Validate ``ctx.master`` as of ``ctx.today``; a clean workbook is left untouched."""
    run = validate_workbook(FileEngine(ctx.master), today=ctx.today)
    if run.problems:
        ctx.notes.append(f"校验：发现 {run.errors} 个错误、{run.warnings} 个警告（见工作簿“校验结果”工作表）")
    else:
        ctx.notes.append("校验：各工作表未发现问题")
