"""The rebuild step of 承诺报送表: the 承诺 rows of 部室 forms new to the ledger in this run update
the 承诺 sheet, oldest form first (macros.core.pledge_returns.merge_pledges has the rules). Each
row written from a form says so in 来源 (the file and the day it arrived). A row the clerk worked
on that a newer form no longer has stays, flagged (W853 on that file). Nothing is written when
nothing changes; a form already in the ledger (an unchanged file) is never applied again, so the
clerk's later edits of 承诺 stand.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Callable

from macros.adapters.readers.department import split_unit
from macros.core.intake import problem_json
from macros.core.pledge_returns import merge_pledges
from macros.problems import problem
from macros.schema import TABLES

if TYPE_CHECKING:
    from macros.app.intake.run import IntakeRun

KIND = "commitments"


def _clean(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and v != v else v) for k, v in rec.items()}


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    due = out.get("due")
    if isinstance(due, str):
        try:
            out["due"] = date.fromisoformat(due[:10])
        except ValueError:
            out["due"] = None
    return out


def apply_commitments(run: "IntakeRun", files: list[tuple[Any, Any]], rows_of: Callable) -> bool:
    """Apply this run's new 承诺报送表 to 承诺 (no save); True when 承诺 changed.

    ``files``: (FileResult, ledger FileRecord) of those forms, oldest first; ``rows_of(run, ids)``:
    their accepted ledger rows by file id (both from macros.app.intake.departments)."""
    if not files:
        return False
    rows = rows_of(run, {rec.id for _fr, rec in files})
    headers = {c.key: c.header for c in TABLES["commitments"].columns}
    existing = [_clean(r) for r in run.engine.read_table(TABLES["commitments"]).records()]
    changed = False
    for fr, rec in files:
        code = split_unit(rec.unit_code)[0]
        dept = run.info.unit_names.get(code, code)
        received = datetime.fromisoformat(rec.mtime)
        source = f"承诺报送表 {rec.name}（{received:%Y-%m-%d}收到）"
        merged = merge_pledges(existing, dept, [_typed(v) for _row, v in rows.get(rec.id, [])], source)
        for goal, columns in merged.withdrawn:
            fr.problems.append(problem_json(problem("W853", dept=dept, goal=goal,
                                                    columns="、".join(headers[k] for k in columns))))
        existing, changed = merged.rows, changed or merged.changed
    if changed:
        run.engine.write_table(TABLES["commitments"], existing)
        run.logger.info("已按 %s 份承诺报送表更新承诺", len(files))
    return changed
