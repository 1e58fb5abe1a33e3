"""The ``commitments`` target: the rows of a 部室's 承诺报送表 (read by the department form
reader, macros.adapters.readers.department) judged for the ledger.

Each filled row is judged by macros.core.pledge_returns.judge_pledge_rows against the roster and
the campaign's 截止日期: rows for another 部室 (E851), for a 部室 not in the roster (E850) or
without 目标任务 (E852) are left out — kept in the ledger as typed and named in 报送记录 —
and the others go into the ledger normalised (承诺 keys). 承诺 itself is updated in the main
process from the rows of files new to the ledger (macros.app.dept_forms_returns), so a later
hand edit of the master is never overwritten by an old form.
"""

from __future__ import annotations

from typing import Any

from macros.app.intake.targets import Target, Validated, register_target as register
from macros.core.intake import json_value, problem_json
from macros.core.pledge_returns import judge_pledge_rows
from macros.schema import DEPT_COMMITMENT_FORM

TARGET = "commitments"


def validate_commitment_rows(read, setup) -> Any:
    own = str((read.meta or {}).get("department") or "")
    roster = [name for _code, name in setup.expect.units.values()]
    vctx = setup.vctx
    header = {c.key: c.header for c in DEPT_COMMITMENT_FORM.columns}
    judged = judge_pledge_rows(own, roster, zip(read.rows, read.records), getattr(vctx, "year", None),
                               getattr(vctx, "deadline", None), read.path.name)
    raw_of = dict(zip(read.rows, read.records))
    rows, problems, accepted = [], [problem_json(p) for p in read.problems], 0
    for j in judged:
        probs = [problem_json(p, j.row, not j.accepted) for p in j.problems]
        rows.append({"sheet_row": j.row, "accepted": j.accepted,
                     "original": {header.get(k, k): json_value(v) for k, v in raw_of[j.row].items()},
                     "problems": probs, "title_key": None,
                     "normalised": {k: json_value(v) for k, v in j.values.items()} if j.accepted else None})
        problems += probs
        accepted += j.accepted
    return Validated(rows, problems, accepted)


def register_target() -> None:
    register(Target(TARGET, validate_commitment_rows))


register_target()
