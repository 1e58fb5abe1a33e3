"""Demo step: seed 004's task campaign (保定市科协国庆70周年) beside the 献策 sample — the
印发实施方案 notice, one 部门报送表 per 牵头部门, some returned (one reporting a task its department
does not lead, rejected as E803), consolidated into 任务分工, tallied, and its documents."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path
from macros.adapters.file_engine import FileEngine
from macros.app.campaign import load_campaign
from macros.app.consolidate import consolidate
from macros.app.forms import run_forms
from macros.app.new import new_campaign
from macros.app.report.notice_kinds import nothing_to_show
from macros.app.report import generate
from macros.app.tally import run_tally
from macros.presets import preset
from macros.problems import CODES

TASK_TODAY = date(2019, 10, 10)
# (department, 序号, 状态, 进展说明, 完成日期, 材料): what the departments report
RETURNS = [
    ("组宣部", 1, "已完成", "召开理论学习中心组学习会，各党支部开展主题教育系列活动", date(2019, 9, 20), "学习会纪要、活动照片"),
    ("组宣部", 3, "进行中", "已征集科学家精神短视频12部，正在评选", None, None),
    ("党总支", 2, "已完成", "组织党员干部赴城南庄革命纪念馆参观学习", date(2019, 9, 26), "参观学习简报"),
    ("学企部", 5, "进行中", "“院士之家”展陈方案已定稿，正在布展", None, None),
    ("学企部", 11, "进行中", "3家市级学会完成理事会换届", None, None),
    ("办公室", 6, "已完成", "开展科技志愿服务活动8场", date(2019, 9, 30), "志愿服务案例汇编"),
    ("办公室", 10, "已完成", "替改革办报送（不是本部门牵头的任务）", None, None),  # → E803
]


def _fill(form: Path, rows: list[tuple], dest: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(form)
    ws = wb["报送"]
    by_seq = {ws.cell(r, 1).value: r for r in range(5, ws.max_row + 1)}
    extra = ws.max_row + 1
    for _dept, seq, status, progress, done_on, materials in rows:
        r = by_seq.get(seq)
        if r is None:
            r, extra = extra, extra + 1
            ws.cell(r, 1).value = seq
        for col, value in ((4, status), (5, progress), (6, done_on), (7, materials)):
            if value is not None:
                ws.cell(r, col).value = value
    ws["B3"] = TASK_TODAY
    wb.save(dest)


def demo_step(ctx) -> None:
    folder = ctx.out / "国庆70周年任务"
    data = preset("任务")
    data.settings["campaign_id"] = "bdkx2019gq70"  # fixed, so the demo is reproducible
    master = new_campaign(folder / "国庆70周年-活动工作簿.xlsx", force=True, data=data)
    forms = run_forms(master, folder / "部门报送表", issued_at=datetime(2019, 9, 2, 9, 0))
    inbox = folder / "收件箱"
    inbox.mkdir(parents=True, exist_ok=True)
    by_dept: dict[str, list[tuple]] = {}
    for row in RETURNS:
        by_dept.setdefault(row[0], []).append(row)
    for f in forms.departments:
        if f["unit"] in by_dept:
            _fill(Path(f["file"]), by_dept[f["unit"]], inbox / f"{f['unit']}-任务进展.xlsx")
    result = consolidate(master, inbox, today=TASK_TODAY, log=folder / "kexie-logs" / "consolidate-demo.log",
                         workers=1)
    codes = Counter(p["code"] for f in result.files for p in f.problems)
    tally = run_tally(FileEngine(master), TASK_TODAY)
    campaign = load_campaign(FileEngine(master))
    kinds = [k for k in ("notice", "tasks") if nothing_to_show(k, tally) is None]
    run = generate(campaign, kinds, folder / "文档", fmt="docx", today=TASK_TODAY, master=master, tally=tally)
    done = sum(1 for t in tally.tasks if (t.status or "") == "已完成")
    ctx.outputs.append(("任务活动（国庆70周年，部门报送表与公文）", folder))
    ctx.notes.append(f"任务活动：{len(forms.departments)} 个牵头部门的报送表，交回 {len(result.files)} 份；"
                     f"任务 {len(tally.tasks)} 项，已完成 {done} 项；生成 {len(run.files)} 个文档"
                     + (f"；问题 {'，'.join(f'{c}（{CODES[c].title}）{n} 处' for c, n in sorted(codes.items()))}"
                        if codes else "") + "。")
