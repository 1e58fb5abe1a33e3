"""Problems found in data: a stable code, a level, a Chinese message and the cell it concerns.

Every code is registered once in ``CODES`` with its level and a Chinese message template; the
code table in the docs is generated from this registry (``kexie codes --markdown``).
Families: E0xx/W0xx files and workbook structure, E1xx/W1xx sheet contents (validation),
E2xx/W2xx returned forms and consolidation, E3xx/W3xx tallies and allocation, E4xx documents.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Level = Literal["error", "warning"]
LEVEL_ZH = {"error": "错误", "warning": "警告"}


@dataclass(frozen=True)
class CodeInfo:
    code: str
    level: Level
    template: str  # Chinese, str.format fields filled from Problem context
    title: str  # short Chinese name for the code table


CODES: dict[str, CodeInfo] = {}


def register(code: str, title: str, template: str) -> CodeInfo:
    """Register a problem code; the level follows from its first letter (E error, W warning)."""
    level: Level = "error" if code.startswith("E") else "warning"
    if code in CODES and CODES[code].template != template:
        raise ValueError(f"problem code {code} registered twice with different texts")
    info = CodeInfo(code, level, template, title)
    CODES[code] = info
    return info


# Structure codes shared by every reader.
register("E001", "缺少工作表", "工作簿缺少工作表“{sheet}”。请用 kexie new 新建的模板，或补上该工作表。")
register("E002", "缺少列", "工作表“{sheet}”缺少列“{column}”。请在表头行补上这一列（列的顺序可以任意）。")
register("E003", "文件无法读取", "文件无法读取：{detail}")


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    level: Level = "error"
    sheet: str | None = None
    cell: str | None = None  # A1 reference, e.g. "C7"
    row: int | None = None  # 1-based worksheet row
    column: str | None = None  # Chinese header of the column
    value: Any = None  # the original value as found
    suggestion: str | None = None

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        v = d["value"]
        if v is not None and not isinstance(v, (str, int, float, bool)):
            d["value"] = str(v)
        return d


def problem(code: str, *, sheet=None, cell=None, row=None, column=None, value=None,
            suggestion=None, **fields) -> Problem:
    """Build a Problem from a registered code, filling its Chinese message template."""
    info = CODES[code]
    ctx = {"sheet": sheet, "cell": cell, "row": row, "column": column, "value": value,
           "suggestion": suggestion, **fields}
    return Problem(code=code, message=info.template.format(**ctx), level=info.level, sheet=sheet,
                   cell=cell, row=row, column=column, value=value, suggestion=suggestion)


def codes_markdown() -> str:
    lines = ["| 代码 | 级别 | 名称 | 说明模板 |", "| --- | --- | --- | --- |"]
    for code in sorted(CODES):
        info = CODES[code]
        lines.append(f"| {code} | {LEVEL_ZH[info.level]} | {info.title} | {info.template} |")
    return "\n".join(lines) + "\n"
