"""Demo step: consolidate the simulated returns of ``ctx.inbox`` into the demo master.

Runs after macros/demo/forms.py filled the inbox; reports what happened (files taken in,
superseded, rejected with their codes) in the demo's notes.
"""

from __future__ import annotations

from collections import Counter

from macros.app.consolidate import STATUS_ZH, consolidate
from macros.problems import CODES


def demo_step(ctx) -> None:
    if not ctx.inbox.is_dir():
        return
    result = consolidate(ctx.master, ctx.inbox, today=ctx.today, log=ctx.out / "kexie-logs" / "consolidate-demo.log",
                         workers=1)
    counts = Counter(f.status for f in result.files)
    summary = "，".join(f"{STATUS_ZH[s]} {n} 个" for s, n in counts.items())
    ctx.notes.append(f"汇总报送表：{len(result.files)} 个文件（{summary}），征集明细 {result.rows_total} 条。")
    codes = Counter(p["code"] for f in result.files for p in f.problems)
    if codes:
        ctx.notes.append("  发现的问题：" + "，".join(f"{c}（{_title(c)}）×{n}" for c, n in sorted(codes.items())))
    if result.refused:
        ctx.notes.append(f"  未写入：{result.refused}")
    if result.log_path is not None:
        ctx.outputs.append(("汇总日志", result.log_path))


def _title(code: str) -> str:
    """The Chinese title of a problem code, so the summary says what each code means."""
    known = CODES.get(code)
    return known.title if known is not None else "未登记的问题代码"
