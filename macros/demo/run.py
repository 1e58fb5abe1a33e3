"""The demo run: a fresh sample workbook, then every step of ``STEPS`` in order (see the package
docstring for how to add one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Sequence

from macros.app.new import new_campaign
from macros.demo import (
    certificates, consolidate, forms, reports, review, tally, tasks, validate, word_returns,
)
from macros.demo.campaign import demo_campaign

# Order matters: forms before returns, returns before consolidation, tallies before documents.
STEPS: tuple[Callable[["DemoContext"], None], ...] = (
    validate.demo_step,
    forms.demo_step,
    word_returns.demo_step,  # Word documents and a text file beside the forms
    consolidate.demo_step,
    tally.demo_step,
    review.demo_step,  # the experts' review round: assignment, score forms, returns, results
    reports.demo_step,
    certificates.demo_step,
    tasks.demo_step,  # seed 004's task campaign with department forms returned
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

