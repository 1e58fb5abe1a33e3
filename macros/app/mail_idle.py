"""What a ``kexie mail`` run may leave out because it provably has nothing to do.

A mail run consolidates the inbox (``macros.app.consolidate``) when

1. this run saved a file into the inbox, or an earlier run took in a message it did not
   answer (the message is consolidated and answered now), or
2. the inbox holds an entry the consolidation has no record of: a file dropped there by hand,
   or changed since it was consolidated.

An inbox entry (listed as the consolidation lists them: ``macros.adapters.inbox``) is
*recorded* when the ledger beside the master holds a file of the same name with the same size
and modification time, or with the same content (SHA-256, read only when size or time differ);
an entry that is not a readable file (a link, a folder named like a return…) is recorded when
it was reported under its name before. Files kept in other tables of the ledger than ``files``
and ``review_files`` count as not recorded, so the run consolidates: only a run that provably
has nothing new is spared.

When nothing is to be consolidated and no message waits for its receipt, the run reads the
设置 sheet alone (python-calamine, no pandas or openpyxl) and never opens the workbook again.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from macros.adapters.inbox import file_sha256, inbox_entries

SHA_LIMIT = 1 << 30  # a file larger than this is never proven recorded (the consolidation rejects it)
_TABLES = ("files", "review_files")


def _recorded(db: sqlite3.Connection) -> tuple[set[tuple[str, int, int]], set[tuple[str, str]], set[str]]:
    """(name, size, mtime_ns), (name, sha256) and the names of entries recorded in the ledger."""
    stamps: set[tuple[str, int, int]] = set()
    hashes: set[tuple[str, str]] = set()
    entries: set[str] = set()
    present = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table in _TABLES:
        if table not in present:
            continue
        kind = "kind" if table == "files" else "''"
        for name, size, mtime_ns, sha, k in db.execute(f"SELECT name, size, mtime_ns, sha256, {kind} FROM {table}"):
            if k == "entry":
                entries.add(name)
            else:
                stamps.add((name, size, mtime_ns))
                hashes.add((name, sha))
    return stamps, hashes, entries


def unrecorded(inbox: Path, db: sqlite3.Connection) -> list[str]:
    """Names of the inbox entries the ledger (``db``) has no record of (see the module doc)."""
    files, special = inbox_entries(inbox)
    if not files and not special:
        return []
    stamps, hashes, entries = _recorded(db)
    out = [sp.path.name for sp in special if sp.path.name not in entries]
    for path in files:
        try:
            st = path.stat()
        except OSError:
            out.append(path.name)
            continue
        if (path.name, st.st_size, st.st_mtime_ns) in stamps:
            continue
        sha = file_sha256(path, SHA_LIMIT)
        if sha is None or (path.name, sha) not in hashes:
            out.append(path.name)
    return sorted(out)


def read_settings(master: Path, units_sheet: str) -> dict[str, Any]:
    """The 设置 of the workbook file ``master`` (schema keys → raw values, as every engine reads
    them: ``macros.core.settings_grid.read_settings_grid``), from that one sheet; ConfigError
    when the file cannot be read or is not a campaign workbook (no ``units_sheet``)."""
    from python_calamine import CalamineWorkbook

    from macros.core.settings_grid import read_settings_grid
    from macros.errors import ConfigError
    from macros.schema import SETTINGS_SHEET

    if not master.is_file():
        raise ConfigError(f"找不到活动工作簿：{master}")
    try:
        book = CalamineWorkbook.from_path(str(master))
    except Exception as exc:  # calamine raises its own error types
        raise ConfigError(f"无法读取工作簿“{master.name}”：{exc}") from exc
    try:
        names = list(book.sheet_names)
        if units_sheet not in names:
            raise ConfigError(f"“{master.name}”不是活动工作簿（缺少工作表：{units_sheet}）。")
        if SETTINGS_SHEET not in names:
            return {}
        return read_settings_grid(book.get_sheet_by_name(SETTINGS_SHEET).to_python(skip_empty_area=False))
    finally:
        book.close()
