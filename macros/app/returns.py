"""Materials left out of the consolidation, per unit (for 催报通知 and 退改通知, ``kexie report``).

:func:`left_out_by_unit` reads the ledger beside the master (read only; none → nothing left
out): for each unit, its current form when rows of it were left out, and every file of the unit
that was rejected after its current form arrived (a rejected file older than an accepted one
has been replaced). One line per file: ``name（what）：code 第N行 message；…``
(``macros.core.receipts.left_out_lines``).

The 退改通知 (kind ``returns``) and the 催报通知 of ``macros.app.report`` take their
``unit.left_out`` from here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from macros.adapters.ledger import ledger_path
from macros.adapters.sqlite_kit import from_json
from macros.core.receipts import left_out_lines


def _ledger_files(master: Path) -> list[dict[str, Any]]:
    path = ledger_path(master)
    if not path.is_file():
        return []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    db.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in db.execute(
            "SELECT id, sha256, name, mtime_ns, unit_code, status, row_count, rows_rejected, problems FROM files "
            "ORDER BY id")]
        current = {r[0] for r in db.execute("SELECT id FROM current_files")}
    except sqlite3.DatabaseError:
        return []
    finally:
        db.close()
    for r in rows:
        r["problems"] = from_json(r["problems"]) or []
        r["current"] = r["id"] in current
    return rows


def left_out_by_unit(master: Path | str | None) -> dict[str, list[str]]:
    """unit code → lines describing its left-out materials (see the module doc)."""
    if master is None:
        return {}
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for r in _ledger_files(Path(master)):
        if r["unit_code"]:
            by_unit.setdefault(r["unit_code"], []).append(r)
    out: dict[str, list[str]] = {}
    for unit, files in by_unit.items():
        current = next((f for f in files if f["current"]), None)
        since = current["mtime_ns"] if current else -1
        latest: dict[str, dict[str, Any]] = {}
        for f in files:
            if f["status"] == "rejected" and f["mtime_ns"] > since:
                latest[f["sha256"] or f["name"]] = f  # a file judged again: its latest verdict
        chosen = ([current] if current and current["rows_rejected"] else []) + list(latest.values())
        lines = left_out_lines(chosen)
        if lines:
            out[unit] = lines
    return out
