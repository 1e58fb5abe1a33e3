"""The review part of the consolidation ledger: reviewers' score forms and their scores.

Tables of their own in the master's ledger database (``<master>.kexie-ledger.sqlite``), on the
connection of a ``macros.adapters.ledger.Ledger``; append-only like the rest (triggers abort any
UPDATE or DELETE). What is current is derived, never stored:

* a reviewer's **current** form is their accepted file with the latest modification time (ties
  by receipt order) — a later form supersedes the earlier one entirely;
* an accepted file (by SHA-256) is never recorded twice; a rejected one gets a new record only
  when its verdict changes;
* ``review_written`` remembers every 评分 kexie wrote into 征集明细, so the next run knows a
  评分 that still holds that value is kexie's (and may be replaced), and any other is staff's.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Sequence

from macros.adapters.sqlite_kit import from_json, make_append_only, to_json

TABLES = ("review_files", "review_scores", "review_written")

DDL = (
    """CREATE TABLE IF NOT EXISTS review_files (
        id INTEGER PRIMARY KEY AUTOINCREMENT, sha256 TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL,
        size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, received_at TEXT NOT NULL, reviewer_code TEXT,
        status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')), row_count INTEGER NOT NULL DEFAULT 0,
        rows_rejected INTEGER NOT NULL DEFAULT 0, problems TEXT NOT NULL DEFAULT '[]')""",
    "CREATE UNIQUE INDEX IF NOT EXISTS review_files_accepted_once ON review_files (sha256) WHERE status = 'accepted'",
    """CREATE TABLE IF NOT EXISTS review_scores (
        id INTEGER PRIMARY KEY AUTOINCREMENT, file_id INTEGER NOT NULL REFERENCES review_files (id),
        sheet_row INTEGER NOT NULL, item_id TEXT NOT NULL, accepted INTEGER NOT NULL CHECK (accepted IN (0, 1)),
        points TEXT NOT NULL, total REAL, comment TEXT, problems TEXT NOT NULL DEFAULT '[]',
        UNIQUE (file_id, sheet_row))""",
    """CREATE TABLE IF NOT EXISTS review_written (
        id INTEGER PRIMARY KEY AUTOINCREMENT, written_at TEXT NOT NULL, item_id TEXT NOT NULL, score REAL)""",
    """CREATE VIEW IF NOT EXISTS current_review_files AS
        SELECT f.* FROM review_files f
        WHERE f.status = 'accepted' AND f.reviewer_code IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM review_files g
            WHERE g.status = 'accepted' AND g.reviewer_code = f.reviewer_code
              AND (g.mtime_ns > f.mtime_ns OR (g.mtime_ns = f.mtime_ns AND g.id > f.id)))""",
)


@dataclass(frozen=True)
class ReviewFile:
    id: int
    sha256: str
    name: str
    mtime_ns: int
    reviewer_code: str | None
    status: str
    row_count: int
    problems: list[dict[str, Any]]


class ReviewLedger:
    """The review tables on an open ledger connection (``Ledger.db``)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        in_tx = db.in_transaction
        if not in_tx:
            db.execute("BEGIN IMMEDIATE")
        try:
            make_append_only(db, TABLES, DDL)
        except BaseException:
            if not in_tx:
                db.execute("ROLLBACK")
            raise
        if not in_tx:
            db.execute("COMMIT")

    def _file(self, row) -> ReviewFile:
        return ReviewFile(row["id"], row["sha256"], row["name"], row["mtime_ns"], row["reviewer_code"], row["status"],
                          row["row_count"], from_json(row["problems"]) or [])

    def accepted_hashes(self) -> dict[str, int]:
        """sha256 -> file id of every accepted score form."""
        return {r[0]: r[1] for r in self.db.execute("SELECT sha256, id FROM review_files WHERE status = 'accepted'")}

    def latest_by_hash(self, sha256: str) -> ReviewFile | None:
        row = self.db.execute("SELECT * FROM review_files WHERE sha256 = ? ORDER BY id DESC LIMIT 1",
                              (sha256,)).fetchone()
        return self._file(row) if row else None

    def files(self) -> list[ReviewFile]:
        return [self._file(r) for r in self.db.execute("SELECT * FROM review_files ORDER BY id")]

    def current_ids(self) -> set[int]:
        return {r[0] for r in self.db.execute("SELECT id FROM current_review_files")}

    def record_file(self, file: dict[str, Any], rows: Sequence[dict[str, Any]]) -> int:
        cols = ("sha256", "name", "path", "size", "mtime_ns", "received_at", "reviewer_code", "status",
                "row_count", "rows_rejected", "problems")
        values = [file.get(c) for c in cols]
        values[-1] = to_json(file.get("problems") or [])
        in_tx = self.db.in_transaction
        if not in_tx:
            self.db.execute("BEGIN IMMEDIATE")
        try:
            cur = self.db.execute(f"INSERT INTO review_files ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                                  values)
            fid = cur.lastrowid
            self.db.executemany(
                "INSERT INTO review_scores (file_id, sheet_row, item_id, accepted, points, total, comment, problems) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(fid, r["sheet_row"], r["item_id"], 1 if r["accepted"] else 0, to_json(r.get("points") or {}),
                  r.get("total"), r.get("comment"), to_json(r.get("problems") or [])) for r in rows])
        except BaseException:
            if not in_tx:
                self.db.execute("ROLLBACK")
            raise
        if not in_tx:
            self.db.execute("COMMIT")
        return fid

    def current_scores(self) -> list[dict[str, Any]]:
        """Accepted score rows of every reviewer's current form: reviewer, item_id, points, total, comment."""
        out = []
        for r in self.db.execute(
                "SELECT f.reviewer_code, s.item_id, s.points, s.total, s.comment, s.sheet_row, f.name "
                "FROM current_review_files f JOIN review_scores s ON s.file_id = f.id "
                "WHERE s.accepted = 1 ORDER BY f.reviewer_code, s.sheet_row"):
            out.append({"reviewer": r[0], "item_id": r[1], "points": from_json(r[2]) or {}, "total": r[3],
                        "comment": r[4], "sheet_row": r[5], "file": r[6]})
        return out

    def written(self) -> dict[str, float | None]:
        """The last 评分 kexie wrote per 编号."""
        out: dict[str, float | None] = {}
        for item_id, score in self.db.execute("SELECT item_id, score FROM review_written ORDER BY id"):
            out[item_id] = score
        return out

    def record_written(self, values: Iterable[tuple[str, float | None]], at: datetime) -> None:
        rows = [(at.isoformat(timespec="seconds"), e, s) for e, s in values]
        if rows:
            in_tx = self.db.in_transaction
            if not in_tx:
                self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT INTO review_written (written_at, item_id, score) VALUES (?, ?, ?)", rows)
            if not in_tx:
                self.db.execute("COMMIT")
