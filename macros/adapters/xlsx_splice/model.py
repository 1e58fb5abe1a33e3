"""What a splice is: the new rows of one table, and the refusal the caller falls back on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from macros.core.grid import header_key

KEEP_TEMPLATE_ROWS = 20
STYLE_SAMPLE_ROWS = 200  # data rows strip_tables keeps so openpyxl carries their styles through


class SpliceUnsupported(Exception):
    """The workbook holds something the streaming rewrite does not handle; use openpyxl."""


@dataclass
class TableSplice:
    """New data rows for one table: where its header is and which column each row key goes to."""

    sheet: str
    excel_name: str
    header_row: int  # 1-based
    positions: dict[str, int]  # row key (schema key or extra header text) -> 1-based column
    rows: Sequence[Mapping[str, Any]] = ()
    formats: dict[str, str | None] = field(default_factory=dict)  # row key -> number format

    def column_of(self, key: str) -> int | None:
        pos = self.positions.get(key)
        if pos is None:
            pos = self._by_header().get(header_key(key))
        return pos

    def _by_header(self) -> dict[str, int]:
        cache = getattr(self, "_hk", None)
        if cache is None:
            cache = {header_key(k): v for k, v in self.positions.items()}
            object.__setattr__(self, "_hk", cache)
        return cache

