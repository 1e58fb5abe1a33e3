"""Use case: the complete sample campaign of the seeds (kexie demo).

The demo is a pipeline of steps; each capability contributes one step module exposing
``demo_step(ctx) -> None`` that adds its outputs to ``ctx.outputs`` (and notes to
``ctx.notes``); STEPS lists them in the order they run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Sequence

from macros.app import demo_consolidate, demo_forms, demo_reports, demo_tally, demo_validate
from macros.app.new import new_campaign
from macros.app.result import CommandResult
from macros.presets import demo_campaign

# Order matters: forms before returns, returns before consolidation, tallies before documents.
STEPS = (
    demo_validate.demo_step,
    demo_forms.demo_step,
    demo_consolidate.demo_step,
    demo_tally.demo_step,
    demo_reports.demo_step,
)

DEMO_TODAY = date(2010, 10, 25)  # a few days after the deadline: late items and overdue tasks show


@dataclass
class DemoContext:
    out: Path
    master: Path
    today: date = DEMO_TODAY
    outputs: list[tuple[str, Path]] = field(default_factory=list)  # (Chinese label, path)
    notes: list[str] = field(default_factory=list)

    @property
    def forms_dir(self) -> Path:
        return self.out / "报送表"

    @property
    def inbox(self) -> Path:
        return self.out / "收件箱"

    @property
    def reports_dir(self) -> Path:
        return self.out / "文档"


def run_demo(out: str | Path = "demo-output", guide: Sequence[tuple[str, str, str]] = ()) -> DemoContext:
    """Build the sample campaign in ``out``; ``guide``: the ribbon's buttons for the 说明 sheet."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ctx = DemoContext(out=out, master=out / "献策十二五-活动工作簿.xlsx")
    new_campaign(ctx.master, force=True, data=demo_campaign(), guide=guide)
    ctx.outputs.append(("活动工作簿", ctx.master))
    for step in STEPS:
        step(ctx)
    return ctx


def demo_command(out: Path, guide: Sequence[tuple[str, str, str]] = ()) -> CommandResult:
    """``kexie demo``."""
    started = time.perf_counter()
    ctx = run_demo(out, guide)
    lines = ["示例活动已生成（献策“十二五”，建设新丹东）："]
    lines += [f"  {label}：{path}" for label, path in ctx.outputs]
    lines += [f"  {n}" for n in ctx.notes]
    lines.append(f"用时 {time.perf_counter() - started:.1f} 秒。")
    return CommandResult(data={"outputs": {label: str(p) for label, p in ctx.outputs}}, lines=lines)
