"""Use case: validate a campaign workbook (``kexie validate``, ribbon button 校验数据).

Reads every staff sheet and 征集明细 through the engine, runs the pure rules of
``macros.core.validate``, rewrites the 校验结果 sheet and marks each offending cell (fill and a
comment holding the message); marks of an earlier run disappear where the cell was fixed. Staff
values are never changed. A workbook that was clean and stays clean is not written at all.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from macros.adapters.engine import CellMark, WorkbookEngine
from macros.app.result import CommandResult
from macros.core.grid import TableData
from macros.core.validate import text_of, validate_campaign
from macros.errors import Exit, RefusedError
from macros.problems import LEVEL_ZH, Problem
from macros.schema import SETTINGS_SHEET, SHEETS, STATS_SHEET, TABLES

RESULTS = TABLES["validation"]
MEMO_SHEET = "_kexie_marks"  # where the engines remember their marks (see adapters/xlsx_marks.py)
# Sheets whose cells may carry marks: the settings sheet and every table sheet staff fill in,
# plus 征集明细 (its rows come from consolidation, its 评分/是否采纳/备注 from staff).
MARKABLE_SHEETS = tuple(
    s.name for s in SHEETS
    if s.kind == "settings" or (s.kind == "tables" and s.name not in (RESULTS.sheet, TABLES["submissions"].sheet))
)
VALIDATED_TABLES = tuple(k for k in TABLES if k not in ("validation", "submissions"))


@dataclass
class ValidationRun:
    problems: list[Problem]
    written: bool = False
    refused: str | None = None  # Chinese reason when the workbook could not be written
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.level == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.level == "warning")


def read_for_validation(engine: WorkbookEngine) -> dict[str, Any]:
    """Everything the rules need, read once: settings, the 设置 grid, each table, sheet names."""
    names = engine.sheet_names()
    tables: dict[str, TableData] = {k: engine.read_table(TABLES[k]) for k in VALIDATED_TABLES}
    grid = engine.read_grid(SETTINGS_SHEET) if SETTINGS_SHEET in names else None
    return {"raw_settings": engine.read_settings(), "settings_grid": grid, "tables": tables,
            "sheet_names": names}


def result_value(value: Any) -> Any:
    """The original value as it goes into the 原值 column (text, so dates show as typed)."""
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return text_of(value, limit=32767)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and len(value) > 200:
        return value[:199] + "…"
    return value


def result_rows(problems: list[Problem]) -> list[dict[str, Any]]:
    return [
        {"sheet": p.sheet, "cell": p.cell, "level": LEVEL_ZH[p.level], "code": p.code,
         "message": p.message, "value": result_value(p.value), "suggestion": p.suggestion}
        for p in problems
    ]


def cell_marks(problems: list[Problem]) -> dict[str, list[CellMark]]:
    """One mark per offending cell, per sheet: its comment holds every message of the cell (with
    the code), and it is an error mark when any of them is an error. Every markable sheet is
    listed, with no marks where nothing is wrong, so earlier marks there are cleared."""
    by_cell: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        if p.sheet in MARKABLE_SHEETS and p.cell:
            by_cell.setdefault((p.sheet, p.cell), []).append(p)
    marks: dict[str, list[CellMark]] = {name: [] for name in MARKABLE_SHEETS}
    for (sheet, cell), found in by_cell.items():
        text = "\n".join(f"[{p.code}] {p.message}" for p in found)
        level = "error" if any(p.level == "error" for p in found) else "warning"
        marks[sheet].append(CellMark(sheet, cell, text, level))
    return marks


def _had_results(engine: WorkbookEngine, names: list[str]) -> bool:
    """Whether an earlier run left results or marks that must now be cleared."""
    if MEMO_SHEET in names:
        return True
    if RESULTS.sheet in names:
        data = engine.read_table(RESULTS)
        return bool(len(data.frame))
    return False


def validate_workbook(engine: WorkbookEngine, *, today: date | None = None,
                      write: bool = True) -> ValidationRun:
    """Validate the workbook behind ``engine``; write 校验结果 and the marks unless ``write`` is
    false. A refusal to write (file open elsewhere, lock, content at risk) is reported in
    ``refused`` rather than raised, so the problems found are never lost."""
    t0 = time.perf_counter()
    engine.progress(0, 3, "读取工作簿")
    data = read_for_validation(engine)
    t1 = time.perf_counter()
    engine.progress(1, 3, "校验数据")
    problems = validate_campaign(data["raw_settings"], data["settings_grid"], data["tables"],
                                 sheet_names=data["sheet_names"], today=today or date.today())
    t2 = time.perf_counter()
    run = ValidationRun(problems=problems, timings={"read": t1 - t0, "validate": t2 - t1})
    if write and (problems or _had_results(engine, data["sheet_names"])):
        engine.progress(2, 3, "写入校验结果")
        try:
            engine.write_table(RESULTS, result_rows(problems))
            had_marks = MEMO_SHEET in data["sheet_names"]
            for sheet, marks in cell_marks(problems).items():
                # a sheet without marks now or before needs no visit (and no workbook load)
                if sheet in data["sheet_names"] and (marks or had_marks):
                    engine.mark_cells(sheet, marks)
            _allow_product_report_sheets(engine)
            engine.save()
            run.written = True
        except RefusedError as exc:
            run.refused = exc.message
        run.timings["write"] = time.perf_counter() - t2
    engine.progress(3, 3, "完成")
    return run


def _allow_product_report_sheets(engine: WorkbookEngine) -> None:
    """Marks are written with openpyxl, which the file engine's safety check refuses whenever a
    sheet holds charts. The charts on 统计 are kexie's own (written by ``kexie tally`` with
    openpyxl, which reads and writes them back unchanged) and the whole sheet is regenerated by
    every tally, so they are not staff content at risk: declare that sheet as product-written for
    this save. Staff sheets keep the full check."""
    regenerated = getattr(engine, "regenerated", None)
    if isinstance(regenerated, set):
        regenerated.add(STATS_SHEET)


def summary_lines(run: ValidationRun, name: str) -> list[str]:
    if not run.problems:
        lines = [f"校验完成：“{name}”没有发现问题。"]
    else:
        lines = [f"校验完成：“{name}”发现 {run.errors} 个错误、{run.warnings} 个警告。"]
        for p in run.problems[:50]:
            lines.append(f"  [{p.code}] {p.sheet}!{p.cell} {LEVEL_ZH[p.level]}：{p.message}")
        if len(run.problems) > 50:
            lines.append(f"  ……其余 {len(run.problems) - 50} 条见工作簿中的“校验结果”工作表。")
    if run.written:
        lines.append("问题已写入“校验结果”工作表，并在相应单元格上标注。")
    if run.refused:
        lines.append(f"未写入工作簿：{run.refused}")
    return lines


def validate_command(engine: WorkbookEngine, today: date | None = None) -> CommandResult:
    """``kexie validate`` and the button 校验数据, on the engine its shell opened."""
    run = validate_workbook(engine, today=today)
    if run.refused:
        code = Exit.REFUSED
    elif run.errors:
        code = Exit.DATA_PROBLEMS
    else:
        code = Exit.OK
    data = {
        "problems": [p.to_json() for p in run.problems],
        "errors": run.errors,
        "warnings": run.warnings,
        "written": run.written,
        "master": str(engine.path) if engine.path is not None else engine.name,
    }
    if run.refused:
        data["refused"] = run.refused
    return CommandResult(data=data, exit_code=code, lines=summary_lines(run, engine.name))
