"""Demo step: a review round on the demo's 计策 — assignment, score forms, returns, results.

Runs after the units' forms are consolidated and tallied: ``kexie review assign`` on the master
(10 sample experts, 5 per 计策, topic-matched), one score form per expert (``kexie forms``),
the experts' returns simulated into the inbox with openpyxl (seeded scores; one expert types a
score above the maximum, one adds a 计策 not assigned to them, one sends a corrected second
form), then the forms are taken back (ledger → 评审结果 → 征集明细 评分 → 统计).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from macros.adapters.file_engine import FileEngine
from macros.adapters.review_form import FIRST_ROW, HEADER_ROW
from macros.adapters.safe_write import replace_atomically
from macros.app.campaign import load_campaign
from macros.app.consolidate import consolidate
from macros.app.review import assign_reviewers
from macros.app.review_awards import awards
from macros.app.review_forms import write_review_forms
from macros.core.review_round import criteria
from macros.demo.review_data import demo_scores
from macros.schema import REVIEW_FORM_SHEET

OVER_MAX, STRAY, RESENDS, HARSH = "ZJ03", "ZJ05", "ZJ07", "ZJ10"


def fill_review_form(form: Path, dest: Path, points: dict[str, dict[str, float]],
                     comments: dict[str, str] | None = None, extra: list[tuple[str, dict[str, float]]] = ()) -> None:
    """Type ``points`` (编号 -> criterion -> points) into a copy of a score form, as an expert would."""
    import openpyxl

    wb = openpyxl.load_workbook(form)
    ws = wb[REVIEW_FORM_SHEET]
    headers = {str(c.value): c.column for c in ws[HEADER_ROW] if c.value}
    row = FIRST_ROW
    while ws.cell(row=row, column=1).value:
        item_id = str(ws.cell(row=row, column=1).value)
        for name, value in points.get(item_id, {}).items():
            col = next(c for h, c in headers.items() if h.startswith(name + "（"))
            ws.cell(row=row, column=col, value=value)
        if comments and item_id in comments:
            ws.cell(row=row, column=headers["评语"], value=comments[item_id])
        row += 1
    for item_id, pts in extra:  # a row typed below the list
        ws.cell(row=row, column=1, value=item_id)
        for name, value in pts.items():
            col = next(c for h, c in headers.items() if h.startswith(name + "（"))
            ws.cell(row=row, column=col, value=value)
        row += 1

    def write(tmp: Path) -> None:
        wb.save(tmp)

    replace_atomically(dest, write)


def _returns(ctx, forms, pairs, crit) -> list[Path]:
    scores = demo_scores(pairs, [(c.name, c.max_points) for c in crit])
    inbox = ctx.inbox
    inbox.mkdir(parents=True, exist_ok=True)
    received = datetime.combine(ctx.today, datetime.min.time()).replace(hour=9)
    written = []
    entries = sorted({e for e, _r in pairs})
    for i, (code, form) in enumerate(sorted(forms.items())):
        mine = {e: scores[(e, r)] for e, r in pairs if r == code}
        first = crit[0]
        if code == HARSH and mine:  # one expert finds one 计策 poor: a 复议 case
            e = sorted(mine)[0]
            mine[e] = {c.name: round(c.max_points * 0.3) for c in crit}
        extra = []
        if code == STRAY:
            stranger = next(e for e in entries if e not in mine)
            extra.append((stranger, {c.name: c.max_points * 0.8 for c in crit}))
        if code == OVER_MAX and mine:
            e = sorted(mine)[-1]
            mine[e] = {**mine[e], first.name: first.max_points + 5}
        dest = inbox / form.name
        if code == RESENDS and mine:  # a first version with one 计策 unscored, then the full one
            early = inbox / (form.stem + "（初稿）.xlsx")
            fill_review_form(form, early, {e: p for e, p in mine.items() if e != sorted(mine)[0]})
            t = (received + timedelta(hours=i)).timestamp()
            os.utime(early, (t, t))
            written.append(early)
        fill_review_form(form, dest, mine, comments={e: "建议进一步细化实施步骤。" for e in list(mine)[:2]},
                         extra=extra)
        t = (received + timedelta(days=1, hours=i)).timestamp()
        os.utime(dest, (t, t))
        written.append(dest)
    return written


def demo_step(ctx) -> None:
    run = assign_reviewers(FileEngine(ctx.master), ctx.today)
    pairs = [(r["item_id"], r["reviewer_code"]) for r in run.rows]
    if not pairs:
        return
    forms_dir = ctx.out / "评分表"
    issued = datetime.combine(ctx.today, datetime.min.time()).replace(hour=8)
    forms = write_review_forms(FileEngine(ctx.master), ctx.master, forms_dir, issued)
    by_code = {r["code"]: Path(r["file"]) for r in forms.reviewers}
    crit = criteria(load_campaign(FileEngine(ctx.master), tables=["criteria"]).frame("criteria").to_dict("records"))
    _returns(ctx, by_code, pairs, crit)
    result = consolidate(ctx.master, ctx.inbox, today=ctx.today, workers=1,
                         log=ctx.out / "kexie-logs" / "consolidate-demo.log")
    ctx.outputs.append((f"评审专家评分表（{len(forms.paths)} 份）", forms_dir))
    returned = [f for f in result.files if f.kind == "review_form"]
    if result.refused:
        ctx.notes.append(f"评审：{result.refused}")
        return
    codes: dict[str, int] = {}
    for f in returned:
        for p in f.problems:
            codes[p.get("code")] = codes.get(p.get("code"), 0) + 1
    awarded = awards(ctx.master)
    ctx.notes.append(f"评审：{len(run.rows)} 个评审任务分给 {len(by_code)} 位专家；收回评分表 {len(returned)} 个"
                     f"（kexie consolidate 汇总），获奖 {len(awarded)} 条，需复议 {codes.get('W606', 0)} 条。")
    if codes:
        from macros.problems import CODES

        ctx.notes.append("  评分表中的问题：" + "，".join(f"{c}（{CODES[c].title}）×{n}" for c, n in sorted(codes.items())))
