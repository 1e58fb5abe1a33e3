"""Validation marks on cells (fill colour + comment) that kexie can later remove cleanly.

A mark is a fill plus a comment authored "kexie". What the cell looked like before it was first
marked is remembered in a hidden sheet ``_kexie_marks`` (one row per marked cell: sheet, cell,
fill_type, fg, note) — the same memo the xlwings engine keeps, so marks made headless can be
cleared in Excel and the other way round. Removing a mark restores the staff's own fill; a
cell that already had a comment of its own (note = "staff") keeps it untouched and gets no
kexie comment. A mark is only undone where it is still kexie's: a fill or comment the staff
changed since is theirs and stays. The memo sheet is removed again once no mark is left.
"""

from __future__ import annotations

import colorsys
from typing import Sequence

from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.styles.colors import COLOR_INDEX

from macros.adapters.engine import CellMark

MARK_AUTHOR = "kexie"
MARK_FILLS = {"error": "FFFFC7CE", "warning": "FFFFEB9C"}
MEMO_SHEET = "_kexie_marks"
MEMO_HEADER = ["sheet", "cell", "fill_type", "fg", "note"]
NOTE_OURS = "kexie"  # we added the comment: it goes with the mark
NOTE_STAFF = "staff"  # the cell had its own comment: never touched
COMMENT_SIZE = (320, 140)  # points


# --- colours ----------------------------------------------------------------------------------

_THEME_ORDER = ("lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5",
                "accent6", "hlink", "folHlink")


def _theme_colors(wb) -> list[str]:
    """RGB hex of the workbook theme's colours, in Excel's theme-index order."""
    cached = getattr(wb, "_kexie_theme_rgb", None)
    if cached is not None:
        return cached
    out: list[str] = []
    raw = getattr(wb, "loaded_theme", None)
    if raw:
        try:
            from defusedxml import ElementTree as SafeET

            root = SafeET.fromstring(raw)
            ns = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
            scheme = next(root.iter(f"{ns}clrScheme"), None)
            if scheme is not None:
                found = {}
                for child in scheme:
                    name = child.tag.replace(ns, "")
                    srgb = child.find(f"{ns}srgbClr")
                    sysc = child.find(f"{ns}sysClr")
                    if srgb is not None:
                        found[name] = srgb.get("val")
                    elif sysc is not None:
                        found[name] = sysc.get("lastClr")
                out = [found.get(n) or "000000" for n in _THEME_ORDER]
        except Exception:  # an odd theme never stops marking
            out = []
    if not out:  # Office default theme
        out = ["FFFFFF", "000000", "E7E6E6", "44546A", "4472C4", "ED7D31", "A5A5A5", "FFC000",
               "5B9BD5", "70AD47", "0563C1", "954F72"]
    try:
        wb._kexie_theme_rgb = out
    except Exception:
        pass
    return out


def _apply_tint(rgb: str, tint: float) -> str:
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    h, l, s = colorsys.rgb_to_hls(r, g, b)
    l = l * (1 + tint) if tint < 0 else l * (1 - tint) + tint
    r, g, b = colorsys.hls_to_rgb(h, max(0.0, min(1.0, l)), s)
    return "".join(f"{round(x * 255):02X}" for x in (r, g, b))


def color_argb(wb, color) -> str | None:
    """ARGB hex of an openpyxl Color, resolving theme and indexed colours."""
    if color is None:
        return None
    try:
        kind = color.type
        if kind == "rgb" and isinstance(color.rgb, str):
            return color.rgb.upper()
        if kind == "indexed" and color.indexed is not None and 0 <= color.indexed < len(COLOR_INDEX):
            return COLOR_INDEX[color.indexed].upper()
        if kind == "theme" and color.theme is not None:
            theme = _theme_colors(wb)
            if 0 <= color.theme < len(theme):
                rgb = theme[color.theme]
                if color.tint:
                    rgb = _apply_tint(rgb, float(color.tint))
                return "FF" + rgb.upper()
    except Exception:
        return None
    return None


def _is_our_fill(cell) -> bool:
    fill = cell.fill
    if fill is None or fill.fill_type != "solid":
        return False
    rgb = fill.fgColor.rgb if fill.fgColor is not None else None
    return isinstance(rgb, str) and rgb.upper() in MARK_FILLS.values()


def _restore_fill(cell, fill_type, fg) -> None:
    if not _is_our_fill(cell):
        return  # the staff recoloured the cell since: theirs now
    if fill_type and fg:
        cell.fill = PatternFill(fill_type=fill_type, fgColor=fg, bgColor=fg)
    else:
        cell.fill = PatternFill(fill_type=None)


# --- memo -------------------------------------------------------------------------------------


def _read_memo(wb) -> list[list]:
    if MEMO_SHEET not in wb.sheetnames:
        return []
    rows = []
    for row in wb[MEMO_SHEET].iter_rows(min_row=2, values_only=True):
        row = list(row[:5]) + [None] * max(0, 5 - len(row))
        if row[0] and row[1]:
            rows.append(row)
    return rows


def _write_memo(wb, rows: list[list]) -> None:
    if not rows:
        if MEMO_SHEET in wb.sheetnames:
            wb.remove(wb[MEMO_SHEET])
        return
    if MEMO_SHEET in wb.sheetnames:
        wb.remove(wb[MEMO_SHEET])
    ws = wb.create_sheet(MEMO_SHEET)
    ws.sheet_state = "hidden"
    ws.append(MEMO_HEADER)
    for row in rows:
        ws.append(list(row))


# --- marking ----------------------------------------------------------------------------------


def merge_marks(marks: Sequence[CellMark]) -> dict[str, CellMark]:
    """One mark per cell: messages joined, error wins over warning."""
    out: dict[str, CellMark] = {}
    for m in marks:
        prev = out.get(m.cell)
        if prev is None:
            out[m.cell] = m
        elif m.message not in prev.message.split("\n"):
            level = "error" if "error" in (prev.level, m.level) else "warning"
            out[m.cell] = CellMark(m.sheet, m.cell, prev.message + "\n" + m.message, level)
    return out


def _comment(message: str) -> Comment:
    c = Comment(message, MARK_AUTHOR)
    c.width, c.height = COMMENT_SIZE
    return c


def replace_marks(wb, sheet: str, marks: Sequence[CellMark]) -> None:
    """Replace kexie's marks on ``sheet`` by ``marks`` (see the module doc)."""
    if sheet not in wb.sheetnames:
        return
    memo = _read_memo(wb)
    if not marks and not any(r[0] == sheet for r in memo):
        return
    ws = wb[sheet]
    wanted = merge_marks(marks)
    kept: list[list] = []
    mine: dict[str, list] = {}
    for row in memo:
        if row[0] == sheet:
            mine[row[1]] = row
        else:
            kept.append(row)
    # Earlier marks that are no longer wanted: undo them where they are still ours.
    for ref, (_s, _c, fill_type, fg, note) in mine.items():
        if ref in wanted:
            continue
        cell = ws[ref]
        if note != NOTE_STAFF and cell.comment is not None and cell.comment.author == MARK_AUTHOR:
            cell.comment = None
        _restore_fill(cell, fill_type, fg)
    for ref, mark in wanted.items():
        cell = ws[ref]
        entry = mine.get(ref)
        has_own_comment = cell.comment is not None and cell.comment.author != MARK_AUTHOR
        if entry is None or not _is_our_fill(cell):
            # First mark here, or the staff changed the fill since: remember the current look.
            fill = cell.fill
            fill_type = fill.fill_type if fill is not None else None
            fg = color_argb(wb, fill.fgColor) if fill_type else None
            note = entry[4] if entry is not None else (NOTE_STAFF if has_own_comment else NOTE_OURS)
            entry = [sheet, ref, fill_type, fg, note]
        if has_own_comment:
            entry[4] = NOTE_STAFF
        if entry[4] != NOTE_STAFF:
            cell.comment = _comment(mark.message)
        cell.fill = PatternFill("solid", fgColor=MARK_FILLS[mark.level], bgColor=MARK_FILLS[mark.level])
        kept.append(entry)
    _write_memo(wb, kept)


def marked_cells(wb) -> dict[str, list[str]]:
    """Cells kexie has marked, per sheet (from the memo)."""
    out: dict[str, list[str]] = {}
    for row in _read_memo(wb):
        out.setdefault(row[0], []).append(row[1])
    return out
