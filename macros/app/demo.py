"""Use case: the complete sample campaign of the seeds (kexie demo); the demo itself is the
``macros.demo`` package."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Sequence

from macros.app.result import CommandResult
from macros.demo.run import DemoContext, run_demo

__all__ = ["DemoContext", "demo_command", "run_demo"]


def demo_command(out: Path, guide: Sequence[tuple[str, str, str]] = ()) -> CommandResult:
    """``kexie demo``; ``guide``: the ribbon's buttons for the 说明 sheet."""
    started = time.perf_counter()
    ctx = run_demo(out, guide)
    lines = ["示例活动已生成（献策“十二五”，建设新丹东）："]
    lines += [f"  {label}：{path}" for label, path in ctx.outputs]
    lines += [f"  {n}" for n in ctx.notes]
    lines.append(f"用时 {time.perf_counter() - started:.1f} 秒。")
    return CommandResult(data={"outputs": {label: str(p) for label, p in ctx.outputs}}, lines=lines)
