"""Pure checks of the consolidation against a bad day: a flood of rows, a replacement that may
not come from the unit itself, rows staff deleted that come back. No I/O.

* ``unit_ceiling``: the most rows one unit's form may bring in — the 设置 value 每单位报送上限
  when given, else ``CEILING_FACTOR`` × the unit's quota, at least ``CEILING_FLOOR``; None (no
  ceiling beyond the form's own row limit) when the unit has no quota.
* ``replacement_problems``: W205 when a file replacing a unit's current form comes from another
  issued copy of the form (a different nonce) or from another unit's sender (mail); W206 when its rows drop below
  ``SHRINK_FACTOR`` × the rows of the form it replaces.
* ``returning_rows``: rows of 征集明细 that kexie wrote before, that staff deleted from the sheet
  and that the rebuild puts back (W208).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from macros.problems import Problem, problem

CEILING_FACTOR = 10
CEILING_FLOOR = 50
SHRINK_FACTOR = 0.5
SHRINK_MIN_ROWS = 3  # below this a drop (2 rows → 1) is a correction, not a loss worth a warning


def unit_ceiling(setting: Any, quota: int | None) -> int | None:
    if isinstance(setting, int) and not isinstance(setting, bool) and setting > 0:
        return setting
    if isinstance(setting, float) and setting.is_integer() and setting > 0:
        return int(setting)
    if not quota or quota <= 0:
        return None
    return max(CEILING_FLOOR, CEILING_FACTOR * quota)


def replacement_problems(file: str, unit: str, rows: int, nonce: str | None, previous: str,
                         previous_rows: int, previous_nonce: str | None, sender: str | None = None,
                         unit_code: str | None = None) -> list[Problem]:
    """``sender``: the unit code the file's sender is known by (the mail's), when known."""
    out = []
    if nonce and previous_nonce and nonce != previous_nonce:
        out.append(problem("W205", file=file, unit=unit, previous=previous,
                           why="两者来自两份不同的下发报送表（隐藏的随机校验号不同）"))
    elif sender and unit_code and sender.casefold() != unit_code.casefold():
        out.append(problem("W205", file=file, unit=unit, previous=previous,
                           why=f"新文件的发件人属于另一个单位（{sender}）"))
    if previous_rows >= SHRINK_MIN_ROWS and rows < previous_rows * SHRINK_FACTOR:
        out.append(problem("W206", file=file, unit=unit, previous=previous, before=previous_rows, after=rows))
    return out


def returning_rows(new_rows: Sequence[Mapping[str, Any]], old_ids: Iterable[str], written_ids: Iterable[str],
                   units_with_news: Iterable[str]) -> list[Mapping[str, Any]]:
    """New 征集明细 rows whose 编号 was written to the sheet before but is no longer there, of
    units that sent nothing new this run (their rows can only be missing because staff deleted them)."""
    old, written, fresh = set(old_ids), set(written_ids), set(units_with_news)
    return [r for r in new_rows
            if r.get("item_id") in written and r.get("item_id") not in old and r.get("unit_code") not in fresh]
