"""Demo step: every document of the sample campaign (PDF when a converter is present, else .docx)."""

from __future__ import annotations

from macros.adapters.file_engine import FileEngine
from macros.adapters.pdf import find_converter
from macros.app.campaign import load_campaign
from macros.app.report import KINDS, generate


def demo_step(ctx) -> None:
    converter = find_converter()
    fmt = "pdf" if converter is not None else "docx"
    try:
        from macros.app.report.notice_kinds import nothing_to_show
        from macros.core.tally import compute_tally

        campaign = load_campaign(FileEngine(ctx.master))
        tally = compute_tally(campaign, ctx.today)
        kinds = [k for k in KINDS if k != "pledges" or nothing_to_show(k, tally) is None]
        run = generate(campaign, kinds, ctx.reports_dir, fmt=fmt, today=ctx.today,
                       master=ctx.master, converter=converter)
    finally:
        if converter is not None and hasattr(converter, "close"):
            converter.close()
    ctx.outputs.append((f"公文与报告（{len(run.files)} 个 {fmt.upper()} 文件）", ctx.reports_dir))
    if converter is None:
        ctx.notes.append("本机未安装 LibreOffice 或 Word，公文只生成了 Word 文档；安装 LibreOffice 后可生成 PDF。")
    ctx.notes += run.notes
