"""The key/value 设置 sheet and loose header matching, over a raw grid of cell values.

Pure and light (no pandas): ``macros.core.grid`` builds tables on these, and ``kexie mail``
reads the mailbox settings with them straight from one calamine sheet when nothing new has
arrived (no table is built then).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Sequence

HEADER_SCAN_ROWS = 30  # a header below this many title rows is not looked for
_SPACE = re.compile(r"\s+")


def header_key(value: Any) -> str:
    """Compare headers loosely: NFKC, no spaces, no required-marks (*, ＊) around them."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _SPACE.sub("", text).strip("*")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or (
        isinstance(value, float) and value != value
    )


def read_settings_grid(grid: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Read the key/value 设置 sheet: column 项目 holds the Chinese label, 值 the value."""
    from macros.schema import SETTINGS_HEADERS, settings_by_label

    labels = {header_key(k): s for k, s in settings_by_label().items()}
    key_col, val_col, start = 0, 1, 0
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        keys = [header_key(v) for v in row]
        if SETTINGS_HEADERS[0] in keys and SETTINGS_HEADERS[1] in keys:
            key_col, val_col, start = keys.index(SETTINGS_HEADERS[0]), keys.index(SETTINGS_HEADERS[1]), r + 1
            break
    out: dict[str, Any] = {}
    for r in range(start, len(grid)):
        row = grid[r]
        if key_col >= len(row):
            continue
        st = labels.get(header_key(row[key_col]))
        if st is not None and st.key not in out:
            value = row[val_col] if val_col < len(row) else None
            out[st.key] = None if is_blank(value) else value
    return out


def settings_rows(grid: Sequence[Sequence[Any]]) -> dict[str, int]:
    """Worksheet row number of each setting key in a 设置 grid (for cell references)."""
    from macros.schema import settings_by_label

    labels = {header_key(k): s for k, s in settings_by_label().items()}
    rows: dict[str, int] = {}
    for r, row in enumerate(grid):
        for v in row[:3]:
            st = labels.get(header_key(v))
            if st is not None and st.key not in rows:
                rows[st.key] = r + 1
    return rows
