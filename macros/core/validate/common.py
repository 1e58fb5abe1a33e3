"""How values are shown in messages, and the sink that collects problems."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from macros.core.grid import TableData
from macros.problems import Problem, problem
from macros.schema import LIST_SEPARATORS, Column, Table


DEPARTMENT_CATEGORY = "机关部室"
SCORE_RANGE = (0.0, 100.0)
WEIGHT_TOTAL = 100.0
_SHOWN_MAX = 40
_SEP_RE = re.compile("[" + re.escape(LIST_SEPARATORS) + "\u3000\n\r\t]+")
_PLAIN_NUMBER_RE = re.compile(r"\s*-?\d+(?:\.\d+)?\s*")
_ISO_DATE_RE = re.compile(r"\s*\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00)?)?\s*")
_TYPE_CODES = {
    "date": "E102", "datetime": "E102", "int": "E103", "number": "E104", "quantity": "E104",
    "phone": "E105", "email": "E106",
}
_TYPE_ZH = {
    "date": "日期", "datetime": "日期时间", "int": "整数", "number": "数字", "quantity": "数字",
    "phone": "电话号码", "email": "电子邮箱", "yesno": "是或否",
}


def shown(value: Any) -> Any:
    """The value as staff see it in the cell: integral floats as int, dates as dates."""
    if (isinstance(value, float) and value != value) or value.__class__.__name__ == "NaTType":  # pandas.NaT
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


def text_of(value: Any, limit: int = _SHOWN_MAX) -> str:
    """Short display text of a value for messages."""
    v = shown(value)
    if v is None:
        return ""
    if isinstance(v, date) and not isinstance(v, datetime):
        s = v.isoformat()
    elif isinstance(v, datetime):
        s = v.strftime("%Y-%m-%d %H:%M")
    elif isinstance(v, float):
        s = f"{v:g}"
    else:
        s = str(v).strip()
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _iso(d: date | None) -> str:
    return d.isoformat() if isinstance(d, date) else ""


def _num_text(x: float | int) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return f"{x:g}" if isinstance(x, float) else str(x)


def _hint(sug: str | None) -> str:
    return f"是否应为“{sug}”？" if sug else ""


# --------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------

class _Sink:
    """Collects problems for one table, filling in sheet, cell and column."""

    def __init__(self, data: TableData, sheet: str | None = None):
        self.data = data
        self.sheet = sheet or data.table.sheet
        self.items: list[Problem] = []

    def cell(self, key: str, row: int) -> str | None:
        return self.data.cell(key, row)

    def add(self, code: str, key: str, row: int, value: Any = None, suggestion: Any = None, /,
            **fields) -> None:
        col = _column(self.data.table, key)
        header = col.header if col is not None else key
        cell = self.cell(key, row)
        sug = None if suggestion is None else str(shown(suggestion))
        fields.setdefault("text", text_of(value))
        fields.setdefault("hint", _hint(sug))
        self.items.append(problem(code, sheet=self.sheet, cell=cell, row=row, column=header,
                                  value=shown(value), suggestion=sug, **fields))


def _column(table: Table, key: str) -> Column | None:
    for c in table.columns:
        if c.key == key:
            return c
    return None
