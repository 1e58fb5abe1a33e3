"""Use case: the complete sample campaign of the seeds (kexie demo).

The demo is a pipeline of steps; each capability contributes one step module exposing
``demo_step(ctx) -> None`` that adds its outputs to ``ctx.outputs``. Steps whose module is not
in the tree are skipped, so each capability extends the demo as it lands.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from macros.app.new import new_campaign
from macros.demo.campaign import demo_campaign

# Order matters: forms before returns, returns before consolidation, tallies before documents.
STEPS = (
    "macros.demo.validate",
    "macros.demo.forms",
    "macros.demo.consolidate",
    "macros.demo.tally",
    "macros.demo.reports",
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


def run_demo(out: str | Path = "demo-output") -> DemoContext:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ctx = DemoContext(out=out, master=out / "献策十二五-活动工作簿.xlsx")
    new_campaign(ctx.master, force=True, data=demo_campaign())
    ctx.outputs.append(("活动工作簿", ctx.master))
    for name in STEPS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.demo_step(ctx)
    return ctx

