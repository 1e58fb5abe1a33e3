"""The rebuild step of department forms: the rows of department forms new to the ledger in this
run update 任务分工 (tasks) or 指标进度 and 指标's 实际值 (indicators), in the order the forms
arrived (macros.core.dept_returns has the rules). Problems of a file's rows (E803–E806, W804)
go onto that file's result; rejected rows stay in the ledger as typed. Nothing is written when
nothing changes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from macros.adapters.readers.department import is_department_unit, split_unit
from macros.app.dept_forms_returns import KIND as PLEDGES, apply_commitments  # 承诺 (三比一争当)
from macros.core.dept_returns import (
    apply_indicator_reports, apply_task_updates, judge_indicator_rows, judge_task_rows, latest_actuals,
)
from macros.core.intake import problem_json
from macros.core.normalize import display_text, name_key
from macros.schema import TABLES

if TYPE_CHECKING:
    from macros.app.intake.run import IntakeRun


def _date(v: Any) -> date | None:
    if isinstance(v, date):
        return v
    if isinstance(v, str):
        try:
            return date.fromisoformat(v[:10])
        except ValueError:
            return None
    return None


def _new_department_files(run: "IntakeRun") -> list[tuple[Any, Any]]:
    """(FileResult, ledger FileRecord) of department forms recorded by this run, oldest first."""
    by_id = {r.id: r for r in run.ledger.files()}
    out = []
    for path, fr in run.results.items():
        fid = run.new_ids.get(path)
        rec = by_id.get(fid)
        if fr.new and rec is not None and rec.status == "accepted" and is_department_unit(rec.unit_code):
            out.append((fr, rec))
    return sorted(out, key=lambda x: (x[1].mtime_ns, x[1].id))


def _rows_of(run: "IntakeRun", file_ids: set[int]) -> dict[int, list[tuple[int, dict]]]:
    rows: dict[int, list[tuple[int, dict]]] = {}
    for r in run.ledger.db.execute(
            "SELECT file_id, sheet_row, normalised FROM received_rows WHERE accepted = 1 ORDER BY file_id, sheet_row"):
        if r[0] in file_ids:
            from macros.adapters.sqlite_kit import from_json

            rows.setdefault(r[0], []).append((r[1], from_json(r[2]) or {}))
    return rows


def _settings_lines(run, key: str) -> list[str]:
    value = display_text(run.engine.read_settings().get(key))
    return [x.strip() for x in (value or "").replace("；", "\n").splitlines() if x.strip()]


def apply_departments(run: "IntakeRun") -> bool:
    """Apply this run's new department forms to the master (no save); True when tables changed."""
    files = _new_department_files(run)
    pledged = apply_commitments(run, [f for f in files if split_unit(f[1].unit_code)[1] == PLEDGES], _rows_of)
    files = [f for f in files if split_unit(f[1].unit_code)[1] != PLEDGES]
    if not files:
        return pledged
    rows = _rows_of(run, {rec.id for _fr, rec in files})
    engine = run.engine
    tasks_data = engine.read_table(TABLES["tasks"])
    tasks = tasks_data.records()
    targets_data = engine.read_table(TABLES["targets"])
    targets = targets_data.records()
    history = engine.read_table(TABLES["target_progress"]).records()
    closed = _settings_lines(run, "closed_periods")
    task_reports, indicator_reports = [], []
    for fr, rec in files:
        code, kind, period = split_unit(rec.unit_code)
        dept = run.info.unit_names.get(code, code)
        file_rows = rows.get(rec.id, [])
        received = datetime.fromisoformat(rec.mtime)
        when = rec.submitted_on or received.date()
        if kind == "tasks":
            verdicts = judge_task_rows(tasks, dept, file_rows, fr.file)
            ok = {row for row, accepted, _p in verdicts if accepted}
            task_reports += [(when, r) for row, r in file_rows if row in ok]
        else:
            verdicts = judge_indicator_rows(targets, dept, period, closed, file_rows, fr.file)
            ok = {row for row, accepted, _p in verdicts if accepted}
            indicator_reports += [{"name": r.get("name"), "period": period, "value": r.get("value"),
                                   "note": r.get("note"), "department": dept, "received_at": received}
                                  for row, r in file_rows if row in ok]
        for _row, _accepted, problems in verdicts:
            fr.problems += [problem_json(p) for p in problems]
        fr.left_out += [{"row": row, "code": p[0].code, "message": p[0].message}
                        for row, accepted, p in verdicts if not accepted and p]
    changed = False
    if task_reports:
        applied = apply_task_updates(tasks, [(w, _typed_task(r)) for w, r in task_reports])
        if applied.changed:
            engine.write_table(TABLES["tasks"], applied.tasks)
            changed = True
    if indicator_reports:
        new_history = apply_indicator_reports(history, indicator_reports)
        engine.write_table(TABLES["target_progress"], new_history)
        latest = latest_actuals(new_history)
        new_targets = [dict(t, actual=latest.get(name_key(display_text(t.get("name")) or ""), t.get("actual")))
                       for t in targets]
        if new_targets != targets:
            engine.write_table(TABLES["targets"], new_targets)
        changed = True
    if changed:
        run.logger.info("已按 %s 份部门报送表更新任务分工/指标进度", len(files))
    return changed or pledged


def _typed_task(r: dict) -> dict:
    out = dict(r)
    out["done_on"] = _date(r.get("done_on"))
    return out
