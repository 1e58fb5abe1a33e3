"""The 设置 sheet: where each setting sits, and its values judged."""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence

from openpyxl.utils import get_column_letter

from macros.core.grid import header_key, is_blank
from macros.core.kind_settings import check_kind_settings
from macros.core.validate.common import _hint, _iso, shown, text_of
from macros.core.validate.context import ValidationContext
from macros.core.validate.judge import _judge
from macros.problems import Problem, problem
from macros.schema import SETTINGS, SETTINGS_HEADERS, SETTINGS_SHEET, Column


def settings_cells(grid: Sequence[Sequence[Any]]) -> tuple[dict[str, tuple[str, int]], str, int]:
    """Where each setting's value sits in the 设置 grid.

    Returns ({setting key: (A1 cell, row)}, value column letter, first free row).
    """
    labels = {header_key(s.label): s.key for s in SETTINGS}
    key_col, val_col, start = 0, 1, 0
    for r, row in enumerate(grid[:30]):
        keys = [header_key(v) for v in row]
        if SETTINGS_HEADERS[0] in keys and SETTINGS_HEADERS[1] in keys:
            key_col, val_col, start = keys.index(SETTINGS_HEADERS[0]), keys.index(SETTINGS_HEADERS[1]), r + 1
            break
    letter = get_column_letter(val_col + 1)
    cells: dict[str, tuple[str, int]] = {}
    last = start
    for r in range(start, len(grid)):
        row = grid[r]
        if any(not is_blank(v) for v in row):
            last = r + 1
        if key_col >= len(row):
            continue
        key = labels.get(header_key(row[key_col]))
        if key is not None and key not in cells:
            cells[key] = (f"{letter}{r + 1}", r + 1)
    return cells, letter, last + 1


def validate_settings(raw_settings: Mapping[str, Any], grid: Sequence[Sequence[Any]],
                      ctx: ValidationContext) -> list[Problem]:
    """Required settings, their types, 开始日期 ≤ 截止日期, 字数上限 > 0."""
    out: list[Problem] = []
    cells, _letter, free_row = settings_cells(grid)
    key_letter = get_column_letter(1)
    typed: dict[str, Any] = {}
    for st in SETTINGS:
        raw = raw_settings.get(st.key)
        if st.key not in cells:
            if st.required:
                out.append(problem("E117", sheet=SETTINGS_SHEET, cell=f"{key_letter}{free_row}",
                                   row=free_row, column=st.label))
            continue
        cell, row = cells[st.key]
        if raw is None or is_blank(raw):
            if st.required:
                out.append(problem("E101", sheet=SETTINGS_SHEET, cell=cell, row=row, column=st.label,
                                   text="", hint=""))
            continue
        col = Column(st.key, st.label, st.type)
        tv, code, sug, fields = _judge(col, raw, ctx)
        typed[st.key] = tv
        if code is not None:
            s = None if sug is None else str(sug)
            out.append(problem(code, sheet=SETTINGS_SHEET, cell=cell, row=row, column=st.label,
                               value=shown(raw), suggestion=s, text=text_of(raw), hint=_hint(s),
                               **fields))
    s, e = typed.get("start_date"), typed.get("deadline")
    if isinstance(s, date) and isinstance(e, date) and e < s:
        cell, row = cells["deadline"]
        out.append(problem("E112", sheet=SETTINGS_SHEET, cell=cell, row=row, column="截止日期",
                           value=shown(raw_settings.get("deadline")), end_label="截止日期",
                           end=_iso(e), start_label="开始日期", start=_iso(s)))
    for key in ("word_limit", "excellent_units"):
        v = typed.get(key)
        if isinstance(v, int) and (v <= 0 if key == "word_limit" else v < 0):
            cell, row = cells[key]
            label = next(x.label for x in SETTINGS if x.key == key)
            rule = "应为大于 0 的整数（不限字数请留空）" if key == "word_limit" else "应为不小于 0 的整数"
            out.append(problem("E109", sheet=SETTINGS_SHEET, cell=cell, row=row, column=label,
                               value=shown(raw_settings.get(key)), text=text_of(raw_settings.get(key)),
                               rule=rule))

    out += check_kind_settings(raw_settings, cells)
    return out
