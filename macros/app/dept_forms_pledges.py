"""Use case: the 承诺报送表 of a 活动方案 campaign (三比一争当, 定目标亮承诺), written by
``kexie forms`` through the department forms (macros.app.dept_forms).

Every 部室 of the roster (macros.core.pledge_returns.pledge_departments) gets one form with the
承诺 rows it already has and blank rows to add its own. A 部室 named in 承诺 but missing from
the roster gets no form and is reported (W850, with the closest roster name).
"""

from __future__ import annotations

from typing import Any

from macros.core.pledge_returns import pledge_departments, pledge_form_rows, unknown_departments
from macros.schema import COMMITMENT_FORM_BLANK_ROWS, TABLES


def commitment_records(engine) -> list[dict[str, Any]]:
    """承诺 rows by schema keys, each with its worksheet row as ``_row``."""
    data = engine.read_table(TABLES["commitments"])
    frame = data.frame
    out = []
    for row, rec in zip(frame.index.tolist(), data.records()):
        out.append({**rec, "_row": row})
    return out


def pledge_forms(engine, units: list[dict[str, Any]], run) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """[(code, name, prefilled rows)] of every 部室 of ``units`` (单位名册 rows); problems go to
    ``run.notes``."""
    departments = pledge_departments(units)
    commitments = commitment_records(engine)
    names = [n for _c, n in departments]
    run.notes += [f"[{p.code}] {p.message}" for p in unknown_departments(commitments, names)]
    if not departments:
        run.notes.append("“单位名册”中没有部室，没有生成承诺报送表。请先在单位名册中填写机关各部室。")
    return [(code, name, pledge_form_rows(commitments, name, COMMITMENT_FORM_BLANK_ROWS))
            for code, name in departments]
