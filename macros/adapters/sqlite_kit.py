"""SQLite support shared by every ledger table in the file beside a master (consolidation, mail,
review, certificates): JSON columns that keep dates, append-only triggers, transactions and
batched commits in autocommit mode, and the splitting of a DDL script into statements."""

from __future__ import annotations

import json
import re
import sqlite3
import time as clock
from datetime import date, datetime, time
from typing import Any, Sequence


def iso_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_json(value: Any) -> str:
    if not value and isinstance(value, (list, dict)):
        return "[]" if isinstance(value, list) else "{}"
    return _ENCODER.encode(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_json_default, separators=(",", ":"))


def _hook(d: dict) -> Any:
    if len(d) == 1:
        if "$date" in d:
            return date.fromisoformat(d["$date"])
        if "$datetime" in d:
            return datetime.fromisoformat(d["$datetime"])
    return d


def from_json(text: str | None) -> Any:
    if text is None:
        return None
    if "$date" not in text and "\\u" not in text:
        # No "$date"/"$datetime" key can be in it (not even escaped): no hook to run.
        return json.loads(text)
    return json.loads(text, object_hook=_hook)


def make_append_only(db: sqlite3.Connection, tables: Sequence[str], ddl: Sequence[str] = ()) -> None:
    """Run ``ddl`` (CREATE … IF NOT EXISTS statements) and make each of ``tables`` append-only:
    triggers abort every UPDATE and DELETE. Every table of the ledger file is made so, including
    those other modules add beside the consolidation's (mail, review, certificates)."""
    for statement in ddl:
        db.execute(statement)
    for table in tables:
        for op in ("UPDATE", "DELETE"):
            db.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                       "BEGIN SELECT RAISE(ABORT, 'the kexie ledger is append-only'); END")


class Transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on an exception (sqlite3 in autocommit mode)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.nested = False

    def __enter__(self):
        self.nested = self.db.in_transaction
        if not self.nested:
            self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        if self.nested:
            return False
        if exc_type is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")
        return False


class Batch:
    def __init__(self, db: sqlite3.Connection, max_records: int, max_seconds: float):
        self.db, self.max_records, self.max_seconds = db, max_records, max_seconds
        self.count = 0
        self.started = 0.0

    def _begin(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        self.count, self.started = 0, clock.monotonic()

    def __enter__(self) -> "Batch":
        self._begin()
        return self

    def tick(self) -> bool:
        """Count one insert; True when this call committed the batch."""
        self.count += 1
        if self.count >= self.max_records or clock.monotonic() - self.started >= self.max_seconds:
            self.db.execute("COMMIT")
            self._begin()
            return True
        return False

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
        return False


def statements(script: str) -> list[str]:
    """Split the DDL into statements (its comments hold no quotes, its strings no "--" or ";")."""
    text = re.sub(r"--[^\n]*", "", script)
    return [s.strip() for s in text.split(";") if s.strip()]
