"""Validation marks on cells (fill colour + comment) that kexie can later remove cleanly.

A mark is a comment authored "kexie" plus a fill. The cell's fill before marking is remembered
in a hidden sheet (``_kexie_marks``) so removing the mark restores the staff's own formatting.
"""

from __future__ import annotations

from copy import copy
from typing import Sequence

from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from macros.adapters.engine import CellMark

MARK_AUTHOR = "kexie"
MARK_FILLS = {"error": "FFFFC7CE", "warning": "FFFFEB9C"}
MEMO_SHEET = "_kexie_marks"


def _memo(wb):
    if MEMO_SHEET not in wb.sheetnames:
        ws = wb.create_sheet(MEMO_SHEET)
        ws.sheet_state = "hidden"
        ws.append(["sheet", "cell", "fill_type", "fg"])
    return wb[MEMO_SHEET]


def _remembered(memo) -> dict[tuple[str, str], tuple[int, str | None, str | None]]:
    out = {}
    for i, row in enumerate(memo.iter_rows(min_row=2, values_only=True), start=2):
        if row and row[0]:
            out[(row[0], row[1])] = (i, row[2], row[3])
    return out


def replace_marks(wb, sheet: str, marks: Sequence[CellMark]) -> None:
    if sheet not in wb.sheetnames:
        return
    ws = wb[sheet]
    memo = _memo(wb)
    saved = _remembered(memo)
    wanted = {m.cell: m for m in marks}
    # Remove earlier marks that are no longer wanted, restoring the remembered fill.
    for (s, ref), (memo_row, fill_type, fg) in sorted(saved.items(), key=lambda kv: -kv[1][0]):
        if s != sheet or ref in wanted:
            continue
        cell = ws[ref]
        if cell.comment is not None and cell.comment.author == MARK_AUTHOR:
            cell.comment = None
        cell.fill = PatternFill(fill_type=fill_type, fgColor=fg) if fill_type else PatternFill()
        memo.delete_rows(memo_row)
    saved = _remembered(memo)
    for ref, mark in wanted.items():
        cell = ws[ref]
        if (sheet, ref) not in saved:
            fill = copy(cell.fill)
            fg = fill.fgColor.rgb if fill.fill_type and isinstance(fill.fgColor.rgb, str) else None
            memo.append([sheet, ref, fill.fill_type, fg])
        cell.fill = PatternFill("solid", fgColor=MARK_FILLS[mark.level])
        comment = Comment(mark.message, MARK_AUTHOR)
        comment.width, comment.height = 300, 120
        cell.comment = comment
