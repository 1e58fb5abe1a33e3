"""The formulas of the 统计 sheet: where a number follows from 征集明细 the cell holds an Excel
formula over 征集明细's columns, found by header in the sheet (COUNTIFS/AVERAGEIFS over absolute
ranges such as ``'征集明细'!$B$2:$B$5001``), so the numbers update as soon as staff edit an item's
状态, 评分 or 是否采纳, or add rows.

Formula semantics mirror macros.core.tally exactly — every formula cell's Python value travels
with it (:class:`Calc`) so a test can recalculate the workbook (LibreOffice) and compare:

* 有效: COUNTIFS with ``状态 <> 无效/重复/作废`` (blank is 有效);
* 逾期: ``报送日期 >= 截止日期 + 1`` (the deadline day, whatever its time of day, is on time);
* text criteria are matched with COUNTIFS (case-insensitive, whole cell). A criterion holding
  a wildcard character (``* ? ~``) or longer than 255 characters falls back to SUMPRODUCT,
  which matches literally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Sequence

from macros.core.tally import UnitTally
from macros.schema import INVALID_ITEM_STATUSES, ITEMS

RANGE_SLACK = 5000  # formulas reach this many rows below the last item, for rows staff add
YES = "是"


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _str(text: str) -> str:
    """An Excel string literal."""
    return '"' + text.replace('"', '""') + '"'


@dataclass
class ItemRefs:
    """Where the columns of 征集明细 are, for formulas; and how to refer to the deadline."""

    letters: dict[str, str]  # schema key → column letter (as read from the sheet)
    first_row: int  # first data row
    last_row: int  # last row the ranges cover
    deadline: str | None = None  # an Excel expression for 截止日期 (cell or DATE(...)); None: unset
    sheet: str = ITEMS.sheet

    @classmethod
    def from_table(cls, letters: dict[str, str], header_row: int, n_rows: int, last_data_row: int,
                   deadline_expr: str | None) -> "ItemRefs | None":
        if header_row <= 0 or "unit_code" not in letters:
            return None
        return cls(dict(letters), header_row + 1, max(last_data_row, header_row + n_rows) + RANGE_SLACK,
                   deadline_expr)

    def rng(self, key: str) -> str | None:
        letter = self.letters.get(key)
        if letter is None:
            return None
        return f"{_quote(self.sheet)}!${letter}${self.first_row}:${letter}${self.last_row}"


def deadline_expression(deadline: date | None, raw_value: Any, cell: str | None) -> str | None:
    """The deadline as an Excel expression: its 设置 cell when that holds a real date, else a
    DATE() literal of the parsed deadline; None without a deadline."""
    if deadline is None:
        return None
    if cell and isinstance(raw_value, (date, datetime)):
        raw_day = raw_value.date() if isinstance(raw_value, datetime) else raw_value
        if raw_day == deadline:
            return cell
    return f"DATE({deadline.year},{deadline.month},{deadline.day})"


# --- formula helpers ---------------------------------------------------------------------------

class Criteria:
    """A conjunction of conditions on 征集明细 rows, rendered as COUNTIFS/AVERAGEIFS arguments
    or, when a text criterion cannot go through COUNTIFS, as SUMPRODUCT factors."""

    def __init__(self, refs: ItemRefs):
        self.refs = refs
        self.pairs: list[tuple[str, str]] = []  # (range, COUNTIFS criterion expression)
        self.factors: list[str] = []  # SUMPRODUCT factors, same conditions
        self.literal_needed = False

    def equals(self, key: str, cell: str, text: str) -> "Criteria":
        rng = self.refs.rng(key)
        self.pairs.append((rng, cell))
        self.factors.append(f"({rng}={cell})")
        if any(ch in text for ch in "*?~") or len(text) > 255:
            self.literal_needed = True
        return self

    def nonblank(self, key: str) -> "Criteria":
        rng = self.refs.rng(key)
        self.pairs.append((rng, '"<>"'))
        self.factors.append(f'({rng}<>"")')
        return self

    def valid(self) -> "Criteria":
        rng = self.refs.rng("status")
        if rng is None:  # no 状态 column: every row is 有效
            return self
        for status in INVALID_ITEM_STATUSES:
            self.pairs.append((rng, _str("<>" + status)))
            self.factors.append(f"({rng}<>{_str(status)})")
        return self

    def late(self) -> "Criteria":
        rng = self.refs.rng("submitted_on")
        assert rng is not None and self.refs.deadline is not None
        self.pairs.append((rng, f'">="&({self.refs.deadline}+1)'))
        self.factors.append(f"ISNUMBER({rng})*({rng}>={self.refs.deadline}+1)")
        return self

    def adopted(self) -> "Criteria":
        rng = self.refs.rng("adopted")
        self.pairs.append((rng, _str(YES)))
        self.factors.append(f"({rng}={_str(YES)})")
        return self

    def count(self) -> str:
        if self.literal_needed:
            return "SUMPRODUCT(" + "*".join(self.factors) + ")"
        return "COUNTIFS(" + ",".join(f"{r},{c}" for r, c in self.pairs) + ")"

    def average(self, key: str) -> str:
        rng = self.refs.rng(key)
        if self.literal_needed:
            cond = "*".join(self.factors)
            return (f"SUMPRODUCT({cond}*ISNUMBER({rng}),{rng})/SUMPRODUCT({cond}*ISNUMBER({rng}))")
        return f"AVERAGEIFS({rng}," + ",".join(f"{r},{c}" for r, c in self.pairs) + ")"


@dataclass
class Calc:
    """A formula cell and the value Python computed for it."""

    formula: str  # without the leading "="
    expected: Any


def excel_number(x: float) -> str:
    return f"{x:g}" if float(x).is_integer() or len(f"{x:g}") < 12 else repr(float(x))


def points_formula(method: str, valid: str, quota: str, code: str, unit: UnitTally,
                    refs: ItemRefs | None) -> str | None:
    if method == "数量":
        return f"IF({valid}=0,0,MIN(1,{valid}/{quota})*100)"
    if refs is None:
        return None
    if method == "及时":
        if refs.deadline and refs.rng("submitted_on"):
            late_valid = Criteria(refs).equals("unit_code", code, unit.code).valid().late().count()
            return f"IF({valid}=0,0,({valid}-{late_valid})/{valid}*100)"
        return f"IF({valid}=0,0,100)"
    if method == "质量":
        if refs.rng("score") is None:
            return f"IF({valid}=0,0,0)"
        avg = Criteria(refs).equals("unit_code", code, unit.code).valid().average("score")
        return f"IF({valid}=0,0,MAX(0,MIN(100,IFERROR({avg},0))))"
    if method == "采纳":
        if refs.rng("adopted") is None:
            return f"IF({valid}=0,0,0)"
        adopted = Criteria(refs).equals("unit_code", code, unit.code).valid().adopted().count()
        return f"IF({valid}=0,0,MIN(1,{adopted}/{quota})*100)"
    return None


def grade_formula(score_cell: str, thresholds: Sequence[tuple[str, float]]) -> str | None:
    if not thresholds:
        return None
    formula = '""'
    for grade, minimum in sorted(thresholds, key=lambda g: g[1]):  # innermost = lowest
        formula = f"IF({score_cell}>={excel_number(minimum)},{_str(grade)},{formula})"
    return formula
