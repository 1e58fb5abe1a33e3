"""The whole campaign: every staff sheet plus the cross-sheet rules, in a stable order."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any, Iterable, Mapping, Sequence

from macros.core.grid import TableData
from macros.core.normalize import name_key
from macros.core.validate.common import _Sink
from macros.core.validate.context import ValidationContext, build_context
from macros.core.validate.items import validate_items
from macros.core.validate.settings import validate_settings
from macros.core.validate.sheets import SHEET_RULES
from macros.core.validate.tables import validate_table
from macros.problems import Problem, problem
from macros.schema import REVIEW_OPTIONAL, SETTINGS_SHEET, SHEETS, TABLES



def validate_campaign(raw_settings: Mapping[str, Any], settings_grid: Sequence[Sequence[Any]] | None,
                      tables: Mapping[str, TableData], *, sheet_names: Sequence[str] | None = None,
                      today: date | None = None, ctx: ValidationContext | None = None) -> list[Problem]:
    """Every rule on every staff sheet and 征集明细, in sheet order, then row, then column.

    ``tables`` maps schema table keys to what the engine read; tables of product report sheets
    (校验结果, 报送记录) are not validated. ``sheet_names`` (the workbook's sheets) lets missing
    sheets be reported.
    """
    ctx = ctx or build_context(raw_settings, tables, today=today)
    out: list[Problem] = []
    if settings_grid is not None and (sheet_names is None or SETTINGS_SHEET in sheet_names):
        out += validate_settings(raw_settings, settings_grid, ctx)
    elif sheet_names is not None:
        out.append(problem("E001", sheet=SETTINGS_SHEET, cell="A1", row=1))

    quota_categories: set[str] | None = None
    qr = tables.get("quota_rules")
    if qr is not None and qr.found and "category" in qr.frame.columns:
        quota_categories = {name_key(c) for c in qr.frame["category"].tolist() if c is not None}
    ctx = dataclasses.replace(ctx, quota_categories=quota_categories)  # the caller's context unchanged

    skip = {"validation", "submissions", "assignments", "review_results"}
    missing_sheets: set[str] = set()
    for key, table in TABLES.items():
        if key in skip or key not in tables:
            continue
        data = tables[key]
        if sheet_names is not None and table.sheet not in sheet_names:
            if key in REVIEW_OPTIONAL:  # a workbook without a review round
                continue
            if table.sheet not in missing_sheets:
                missing_sheets.add(table.sheet)
                out.append(problem("E001", sheet=table.sheet, cell="A1", row=1))
            continue
        if key == "items":
            out += validate_items(data, ctx, sheet_names=sheet_names)
            continue
        typed: dict[str, list[Any]] = {}
        out += validate_table(data, ctx, sheet_names=sheet_names, typed_out=typed)
        if not data.found or not len(data.frame):
            continue
        sink = _Sink(data)
        rule = SHEET_RULES.get(key)
        if rule is not None:
            rule(data, typed, ctx, sink)
        out += sink.items
    return sort_problems(out)


_SHEET_ORDER = {s.name: i for i, s in enumerate(SHEETS)}


def _col_index(cell: str | None) -> int:
    if not cell:
        return 0
    letters = "".join(ch for ch in cell if ch.isalpha())
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Sheet order of the workbook, then row, then column; stable otherwise."""
    return sorted(problems, key=lambda p: (_SHEET_ORDER.get(p.sheet or "", 99), p.row or 0,
                                           _col_index(p.cell)))
