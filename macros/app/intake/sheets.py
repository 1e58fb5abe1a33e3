"""The rebuild stage: 征集明细 and 报送记录 from the ledger, 统计 refreshed, the master saved —
only when something changed, so a run every ten minutes leaves the master and its backups alone."""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from macros.adapters.ledger import FileRecord, Ledger
from macros.adapters.readers.department import is_department_unit
from macros.core.intake import CurrentRow, json_value, plan_items, problem_json, same_rows
from macros.app.intake_checks import warn_returning
from macros.problems import CODES, problem
from macros.schema import ITEMS, SUBMISSIONS

if TYPE_CHECKING:
    from macros.app.intake.run import IntakeRun


FLAGGED = ("W204", "W205", "W206")  # accepted, but 报送记录 asks staff to check
PENDING_CODES = ("E230", "E231")  # the unit could not be told: 待确认
LEFT_OUT_SHOWN = 5  # rows named in 报送记录's 结果 before "等 n 行"


def _rows_note(rows: list[tuple[int, bool, list[dict]]], kind: str) -> str:
    """"1 行未汇总：E107 第6行" / "2 条待核：第1、3条" for one file's rows with problems."""
    parts = []
    left = [(n, next((p.get("code") for p in probs if p.get("level") == "error"), None)) for n, ok, probs in rows
            if not ok]
    if left:
        named = "，".join(f"{code} 第{n}行" if code else f"第{n}行" for n, code in left[:LEFT_OUT_SHOWN])
        more = f"等 {len(left)} 行" if len(left) > LEFT_OUT_SHOWN else ""
        parts.append(f"{len(left)} 行未汇总：{named}{more}")
    review = [n for n, ok, probs in rows if ok and any(p.get("code") in ("W220", "W222") for p in probs)]
    if review:
        parts.append(f"{len(review)} 条待核：" + "、".join(f"第{n}条" for n in review[:LEFT_OUT_SHOWN])
                     + ("等" if len(review) > LEFT_OUT_SHOWN else ""))
    return "；".join(parts)


def _result_text(rec: FileRecord, current: set[int], rows: list[tuple[int, bool, list[dict]]]) -> str:
    if rec.status == "accepted":
        text = "已汇总" if rec.id in current else "已被替代"
        note = _rows_note(rows, rec.kind) if rec.id in current else ""
        flags = [p.get("code") for p in rec.problems if p.get("code") in FLAGGED]
        if flags:
            check = "请核实：" + "、".join(f"{c} {CODES[c].title}" for c in dict.fromkeys(flags))
            note = f"{check}；{note}" if note else check
        return f"{text}（{note}）" if note else text
    codes = [p.get("code") for p in rec.problems if p.get("level") == "error"]
    code = codes[0] if codes else None
    title = CODES[code].title if code in CODES else ""
    if code in PENDING_CODES:  # the code's title says 待确认 too: said once
        return f"待确认（{code} {title.removesuffix('（待确认）')}）"
    return f"未汇总（{code} {title}）" if code else "未汇总"


def submissions(ledger: Ledger, current: set[int]) -> list[dict[str, Any]]:
    rows = []
    by_file = ledger.row_problems()
    for rec in ledger.files():
        rows.append({
            "file": rec.name,
            "unit": rec.unit_name or rec.unit_code or None,
            "received_at": datetime.fromisoformat(rec.mtime),  # when it arrived in the inbox
            "rows": rec.row_count,
            "result": _result_text(rec, current, by_file.get(rec.id, [])),
            "fingerprint": rec.sha256[:16] if rec.sha256 and not rec.sha256.startswith("entry:") else None,
        })
    return rows


def current_rows(ledger: Ledger) -> list[CurrentRow]:
    info = {r.id: r for r in ledger.files() if r.status == "accepted"}
    out = []
    for row in ledger.current_rows():
        rec = info[row.file_id]
        if is_department_unit(rec.unit_code):  # department forms update other sheets (intake.departments)
            continue
        values = row.normalised
        fill = tuple(values.pop("_fill", None) or ())
        out.append(CurrentRow(rec.unit_code or "", row.title_key or "", values, rec.submitted_on, rec.name, fill))
    return out


def rebuild(run: "IntakeRun", current: set[int], changed: bool) -> None:
    engine, ledger, result, logger = run.engine, run.ledger, run.result, run.logger
    info = run.info
    t0 = time.perf_counter()
    from macros.app.intake.departments import apply_departments

    departments_changed = apply_departments(run)
    old_items = engine.read_table(ITEMS)
    old_rows = old_items.records()
    extra = list(old_items.extra)
    del old_items
    plan = plan_items(current_rows(ledger), old_rows, extra, ledger.item_ids(), ledger.max_seq(),
                      info.unit_names, info.unit_order)
    subs = submissions(ledger, current)
    result.kept_manual = plan.kept_manual
    warn_returning(result.files, ledger, plan.rows, old_rows, info.unit_names)
    if not changed and not departments_changed:
        old_subs = engine.read_table(SUBMISSIONS).records()
        if same_rows(plan.rows, old_rows, list(ITEMS.keys) + extra) and \
                same_rows(subs, old_subs, SUBMISSIONS.keys):
            result.rows_total = len(old_rows)
            logger.info("征集明细与报送记录无变化，未改写工作簿")
            return
    result.rows_total = len(old_rows)  # what stands if the write is refused
    del old_rows
    ledger.add_item_ids(plan.new_ids, datetime.now())
    if plan.dropped:
        known = {(v["item_id"], repr(sorted(v["staff"].items()))) for v in ledger.staff_values()}
        fresh = [d for d in plan.dropped if (d["item_id"], repr(sorted(_jsonish(d["staff"]).items()))) not in known]
        ledger.record_staff_values([{**d, "staff": _jsonish(d["staff"])} for d in fresh], datetime.now(),
                                   "重新报送后该行不在新表中")
        _warn_dropped(result, plan.dropped, info.unit_names)
    engine.write_table(ITEMS, plan.rows)
    engine.write_table(SUBMISSIONS, subs)
    t1 = time.perf_counter()
    _refresh_stats(engine, run.today, logger)
    t2 = time.perf_counter()
    engine.save()
    logger.info("整理 %.1f 秒，统计 %.1f 秒，保存 %.1f 秒", t1 - t0, t2 - t1, time.perf_counter() - t2)
    result.written = True
    result.rows_total = len(plan.rows)
    logger.info("已写入工作簿：征集明细 %s 条，报送记录 %s 条", len(plan.rows), len(subs))


def _jsonish(values: dict[str, Any]) -> dict[str, Any]:
    return {k: json_value(v) for k, v in values.items()}


def _warn_dropped(result, dropped: list[dict], unit_names: dict[str, str]) -> None:
    """W201 on the file that replaced a row staff had worked on."""
    headers = {c.key: c.header for c in ITEMS.columns}
    for d in dropped:
        target = next((f for f in result.files if f.unit_code == d["unit_code"] and f.status == "ingested"), None)
        cols = "、".join(headers.get(k, k) for k in d["staff"])
        p = problem("W201", unit=unit_names.get(d["unit_code"] or "", d["unit_code"]), title=d["title"] or "",
                    item_id=d["item_id"], columns=cols)
        if target is not None:
            target.problems.append(problem_json(p))


def _refresh_stats(engine, today, logger) -> None:
    """Regenerate 统计 (and its charts) before saving."""
    # The engine's reads of 征集明细 already see the rows being written (FileEngine keeps them),
    # so the tally reads them once, with the sheet's own header row and columns.
    from macros.app.tally import refresh_stats  # only when something is written

    refresh_stats(engine, today)
    logger.info("已更新统计")
