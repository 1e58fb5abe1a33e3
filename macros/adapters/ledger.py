"""The consolidation ledger: an append-only SQLite database beside the master.

``<master stem>.kexie-ledger.sqlite`` records every returned file the consolidation has looked
at and every row it received, before the master is touched — so a refused or interrupted write
loses nothing, and the product sheets (征集明细, 报送记录) can always be rebuilt from it.

Append-only: rows are only ever inserted; triggers abort any UPDATE or DELETE. What changes over
time (which form of a unit is current) is derived by queries, never stored:

* a unit's **current** form is its accepted file with the latest modification time
  (``mtime_ns``, the file's modification time when it was received), ties broken by receipt
  order (``files.id``); every other accepted file of the unit is **superseded** — its rows stay
  here as history;
* a file is recognised by its SHA-256: an accepted file is never ingested twice; a rejected file
  is looked at again on every run (the roster or the key file may have been fixed) and a new
  record is added only when the verdict changes.

A file and all its rows are always committed together (in batches of files, ``batched``); WAL
mode with ``synchronous=NORMAL`` keeps the database consistent when a run is killed at any
moment — the files of an uncommitted batch are simply read again by the next run.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from macros.adapters.ledger_errors import LEDGER_BACKUPS_KEPT, backup_ledger, is_permission, \
    open_error, writable
from macros.adapters.sqlite_kit import (
    Batch, Transaction, from_json, iso_text, make_append_only, statements, to_json,
)
from macros.errors import ConfigError

SCHEMA_VERSION = 1
LEDGER_SUFFIX = ".kexie-ledger.sqlite"
APPEND_ONLY = ("files", "received_rows", "item_ids", "staff_values", "runs")

DDL = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- every returned file looked at, one record per verdict
CREATE TABLE IF NOT EXISTS files (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,  -- receipt order
    sha256        TEXT    NOT NULL,
    name          TEXT    NOT NULL,                   -- file name in the inbox
    path          TEXT    NOT NULL,                   -- full path when received
    size          INTEGER NOT NULL,
    mtime_ns      INTEGER NOT NULL,                   -- modification time (ns since the epoch)
    mtime         TEXT    NOT NULL,                   -- the same, ISO local time
    received_at   TEXT    NOT NULL,                   -- when this run recorded it, ISO local time
    unit_code     TEXT,                               -- roster spelling; NULL when unknown
    unit_name     TEXT,
    campaign_id   TEXT,
    form_version  TEXT,
    issued_at     TEXT,
    submitted_on  TEXT,                               -- 报送日期 (ISO date)
    status        TEXT    NOT NULL CHECK (status IN ('accepted', 'rejected')),
    row_count     INTEGER NOT NULL DEFAULT 0,         -- rows taken in
    rows_rejected INTEGER NOT NULL DEFAULT 0,
    problems      TEXT    NOT NULL DEFAULT '[]'       -- JSON [{code, level, message, cell}]
);
CREATE INDEX IF NOT EXISTS files_sha256 ON files (sha256);
CREATE INDEX IF NOT EXISTS files_unit ON files (unit_code, status);
CREATE UNIQUE INDEX IF NOT EXISTS files_accepted_once ON files (sha256) WHERE status = 'accepted';
-- every data row of every file, as received
CREATE TABLE IF NOT EXISTS received_rows (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id    INTEGER NOT NULL REFERENCES files (id),
    sheet_row  INTEGER NOT NULL,                      -- worksheet row number in the form
    accepted   INTEGER NOT NULL CHECK (accepted IN (0, 1)),
    title_key  TEXT,                                  -- normalize.name_key(题目)
    original   TEXT    NOT NULL,                      -- JSON {header: value as read}
    normalised TEXT,                                  -- JSON {schema key: value}; NULL if rejected
    problems   TEXT    NOT NULL DEFAULT '[]',
    UNIQUE (file_id, sheet_row)
);
CREATE INDEX IF NOT EXISTS received_rows_file ON received_rows (file_id);
-- 征集明细 编号 handed out, stable for a unit's (题目, occurrence)
CREATE TABLE IF NOT EXISTS item_ids (
    item_id     TEXT PRIMARY KEY,
    unit_code   TEXT    NOT NULL,
    title_key   TEXT    NOT NULL,
    occurrence  INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    assigned_at TEXT    NOT NULL,
    UNIQUE (unit_code, title_key, occurrence)
);
-- staff values (评分, 是否采纳, 备注, 状态, own columns) of rows that left 征集明细
CREATE TABLE IF NOT EXISTS staff_values (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    recorded_at TEXT NOT NULL,
    item_id     TEXT,
    unit_code   TEXT,
    title       TEXT,
    staff       TEXT NOT NULL,                        -- JSON {header: value}
    reason      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at  TEXT    NOT NULL,
    finished_at TEXT    NOT NULL,
    inbox       TEXT    NOT NULL,
    files_seen  INTEGER NOT NULL,
    files_new   INTEGER NOT NULL,
    written     INTEGER NOT NULL,
    exit_code   INTEGER NOT NULL,
    note        TEXT
);
-- the current file of each unit and group (see the module doc for "newer")
CREATE VIEW IF NOT EXISTS current_files AS
    SELECT f.* FROM files f
    WHERE f.status = 'accepted' AND f.unit_code IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM files g
        WHERE g.status = 'accepted' AND g.unit_code = f.unit_code AND g.group_key = f.group_key
          AND (g.mtime_ns > f.mtime_ns OR (g.mtime_ns = f.mtime_ns AND g.id > f.id)));
"""
# Columns added after the first release (ALTER TABLE ADD COLUMN; the view above uses them):
# kind — the reader that read the file (form, word, …); group_key — what a newer file of the same
# unit replaces: "" for a unit's form (one current form per unit), "doc:<title key>" for a
# document (a corrected document of the same unit and 题目); message_id — the mail it came in.
ADDED_COLUMNS = (
    ("files", "kind", "TEXT NOT NULL DEFAULT 'form'"),
    ("files", "group_key", "TEXT NOT NULL DEFAULT ''"),
    ("files", "message_id", "TEXT"),
    ("runs", "reported_upto", "INTEGER"),  # the highest files.id a finished run has reported
    ("files", "nonce", "TEXT"),  # the issued form copy's random nonce (_kexie), when it has one
)


def ledger_path(master: str | Path) -> Path:
    master = Path(master)
    return master.with_name(master.stem + LEDGER_SUFFIX)


def accepted_stats(path: str | Path) -> set[tuple[str, int, int]] | None:
    """(name, size, mtime_ns) of every accepted file, read without opening the ledger for
    writing (no schema check, no lock): a cheap guess, before a run takes its lock, of whether
    the inbox holds anything new. None when there is no ledger or it cannot be read."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
        try:
            return {(r[0], int(r[1]), int(r[2])) for r in
                    db.execute("SELECT name, size, mtime_ns FROM files WHERE status = 'accepted'")}
        finally:
            db.close()
    except (sqlite3.Error, ValueError, TypeError, OSError):
        return None


def cache_path(master: str | Path) -> Path:
    """The campaign's cache folder beside its ledger (``.<master stem>.kexie-cache``, hidden):
    results kexie can always make again but need not (Word documents converted by LibreOffice,
    by content). Deleting it loses nothing; the next run just does that work again."""
    master = Path(master)
    return master.with_name(f".{master.stem}.kexie-cache")


@dataclass
class FileRecord:
    id: int
    sha256: str
    name: str
    path: str
    size: int
    mtime_ns: int
    mtime: str
    received_at: str
    unit_code: str | None
    unit_name: str | None
    campaign_id: str | None
    form_version: str | None
    issued_at: str | None
    submitted_on: date | None
    status: str
    row_count: int
    rows_rejected: int
    problems: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "form"
    group_key: str = ""
    message_id: str | None = None
    nonce: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "FileRecord":
        known = cls.__dataclass_fields__
        d = {k: v for k, v in dict(row).items() if k in known}  # columns a later version added: ignored
        d["submitted_on"] = date.fromisoformat(d["submitted_on"]) if d["submitted_on"] else None
        d["problems"] = from_json(d["problems"]) or []
        return cls(**d)


@dataclass
class RowRecord:
    file_id: int
    sheet_row: int
    title_key: str | None
    normalised: dict[str, Any]


class Ledger:
    """The ledger of one master. Use as a context manager, or call ``close``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if self.path.exists() and not writable(self.path):  # SQLite would open it read-only
            raise open_error(self.path, PermissionError("read-only"))
        try:
            self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise open_error(self.path, exc) from exc
        self.db.row_factory = sqlite3.Row
        try:
            # A row holds a form's text twice (as typed and normalised), a few KB: with SQLite's
            # default 4 KB pages most rows would spill onto overflow pages. Takes effect only
            # when the file is created (an existing ledger keeps its page size).
            self.db.execute("PRAGMA page_size=16384")
            try:
                mode = self.db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            except sqlite3.OperationalError as exc:  # e.g. a network share without shared memory
                if is_permission(exc, self.path):
                    raise
                mode = self.db.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            # WAL: commits are atomic and durable enough with NORMAL; a rollback journal (WAL
            # unavailable, as on some network shares) needs FULL for the same guarantee.
            self.db.execute("PRAGMA synchronous=NORMAL" if str(mode).lower() == "wal" else "PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise open_error(self.path, exc) from exc

    def _migrate(self) -> None:
        with self.transaction():
            for statement in statements(DDL):
                if statement.lstrip().upper().startswith("CREATE VIEW"):
                    continue  # after the added columns
                self.db.execute(statement)
            have = {(t, r[1]) for t in {c[0] for c in ADDED_COLUMNS}
                    for r in self.db.execute(f"PRAGMA table_info({t})")}
            for table, column, decl in ADDED_COLUMNS:
                if (table, column) not in have:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
            view = self.db.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'current_files'").fetchone()
            if view is not None and "group_key" not in view[0]:
                self.db.execute("DROP VIEW current_files")  # a first-release ledger: one form per unit
            for statement in statements(DDL):
                if statement.lstrip().upper().startswith("CREATE VIEW"):
                    self.db.execute(statement)
            make_append_only(self.db, APPEND_ONLY)
            found = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if found is None:
                self.db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(found[0]) > SCHEMA_VERSION:
                raise ConfigError(f"汇总台账“{self.path.name}”由更新版本的 kexie 创建，请升级 kexie 后再汇总。")

    # --- plumbing -----------------------------------------------------------------------
    def transaction(self):
        return Transaction(self.db)

    def batched(self, max_records: int = 64, max_seconds: float = 1.0) -> "Batch":
        """A transaction committed every ``max_records`` calls of ``tick()`` or ``max_seconds``:
        inserts made inside commit together (a killed run loses at most the open batch, whose
        files the next run simply reads again)."""
        return Batch(self.db, max_records, max_seconds)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta_once(self, key: str, value: str) -> str:
        """Store ``value`` under ``key`` unless a value is there already; return the stored one."""
        with self.transaction():
            self.db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, value))
        return self.meta(key) or value

    # --- files --------------------------------------------------------------------------
    def accepted_hashes(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.db.execute("SELECT sha256, id FROM files WHERE status = 'accepted'")}

    def latest_by_hash(self, sha256: str) -> FileRecord | None:
        row = self.db.execute("SELECT * FROM files WHERE sha256 = ? ORDER BY id DESC LIMIT 1", (sha256,)).fetchone()
        return FileRecord.from_row(row) if row else None

    def record_file(self, file: dict[str, Any], rows: Sequence[dict[str, Any]]) -> int:
        """Insert one file and its rows in one transaction; returns the file's id."""
        cols = ("sha256", "name", "path", "size", "mtime_ns", "mtime", "received_at", "unit_code",
                "unit_name", "campaign_id", "form_version", "issued_at", "submitted_on", "status",
                "row_count", "rows_rejected", "problems", "kind", "group_key", "message_id", "nonce")
        values = [file.get(c) for c in cols]
        values[cols.index("kind")] = file.get("kind") or "form"
        values[cols.index("group_key")] = file.get("group_key") or ""
        values[cols.index("submitted_on")] = iso_text(file.get("submitted_on"))
        values[cols.index("problems")] = to_json(file.get("problems") or [])
        values[cols.index("form_version")] = iso_text(file.get("form_version"))
        with self.transaction():
            cur = self.db.execute(f"INSERT INTO files ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                                  values)
            file_id = int(cur.lastrowid)
            self.db.executemany(
                "INSERT INTO received_rows (file_id, sheet_row, accepted, title_key, original, normalised, problems) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(file_id, r["sheet_row"], int(bool(r["accepted"])), r.get("title_key"), to_json(r["original"]),
                  to_json(r["normalised"]) if r.get("normalised") is not None else None,
                  to_json(r.get("problems") or [])) for r in rows],
            )
        return file_id

    def files(self) -> list[FileRecord]:
        return [FileRecord.from_row(r) for r in self.db.execute("SELECT * FROM files ORDER BY id")]

    def current_of(self, unit_code: str | None, group_key: str = "") -> FileRecord | None:
        """The unit's current file of ``group_key`` — its form by default, or the document of one
        题目 (``doc:…``) — as this connection sees it, uncommitted batch included."""
        if not unit_code:
            return None
        row = self.db.execute("SELECT * FROM current_files WHERE unit_code = ? AND group_key = ?",
                              (unit_code, group_key or "")).fetchone()
        return FileRecord.from_row(row) if row else None

    def written_item_ids(self) -> set[str]:
        """编号 that a run has written to the master since they were handed out."""
        return {r[0] for r in self.db.execute(
            "SELECT i.item_id FROM item_ids i WHERE EXISTS "
            "(SELECT 1 FROM runs r WHERE r.written = 1 AND r.finished_at >= i.assigned_at)")}

    def current_ids(self) -> set[int]:
        return {r[0] for r in self.db.execute("SELECT id FROM current_files")}

    def current_rows(self) -> Iterator[RowRecord]:
        """Accepted rows of every unit's current form, by unit then file then sheet row."""
        for r in self.db.execute(
            "SELECT r.file_id, r.sheet_row, r.title_key, r.normalised FROM received_rows r "
            "JOIN current_files f ON f.id = r.file_id WHERE r.accepted = 1 "
            "ORDER BY f.unit_code, r.file_id, r.sheet_row"
        ):
            yield RowRecord(r[0], r[1], r[2], from_json(r[3]))

    def row_problems(self) -> dict[int, list[tuple[int, bool, list[dict[str, Any]]]]]:
        """Per file id: (sheet row, accepted, problems) of every row that had a problem."""
        out: dict[int, list[tuple[int, bool, list[dict[str, Any]]]]] = {}
        for r in self.db.execute("SELECT file_id, sheet_row, accepted, problems FROM received_rows "
                                 "WHERE problems != '[]' ORDER BY file_id, sheet_row"):
            out.setdefault(r[0], []).append((r[1], bool(r[2]), from_json(r[3]) or []))
        return out

    # --- item numbers -------------------------------------------------------------------
    def item_ids(self) -> dict[tuple[str, str, int], str]:
        return {(r[0], r[1], r[2]): r[3] for r in
                self.db.execute("SELECT unit_code, title_key, occurrence, item_id FROM item_ids")}

    def max_seq(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.db.execute("SELECT unit_code, MAX(seq) FROM item_ids GROUP BY unit_code")}

    def add_item_ids(self, rows: Iterable[tuple[str, str, str, int, int]], at: datetime) -> None:
        """Insert (item_id, unit_code, title_key, occurrence, seq) rows."""
        rows = list(rows)
        if not rows:
            return
        with self.transaction():
            self.db.executemany(
                "INSERT INTO item_ids (item_id, unit_code, title_key, occurrence, seq, assigned_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", [(*r, iso_text(at)) for r in rows])

    # --- staff values and runs ----------------------------------------------------------
    def record_staff_values(self, rows: Iterable[dict[str, Any]], at: datetime, reason: str) -> None:
        rows = list(rows)
        if not rows:
            return
        with self.transaction():
            self.db.executemany(
                "INSERT INTO staff_values (recorded_at, item_id, unit_code, title, staff, reason) VALUES (?, ?, ?, ?, ?, ?)",
                [(iso_text(at), r.get("item_id"), r.get("unit_code"), r.get("title"), to_json(r["staff"]), reason)
                 for r in rows])

    def staff_values(self) -> list[dict[str, Any]]:
        return [{**dict(r), "staff": from_json(r["staff"])}
                for r in self.db.execute("SELECT * FROM staff_values ORDER BY id")]

    def record_run(self, started: datetime, finished: datetime, inbox: str, seen: int, new: int,
                   written: bool, exit_code: int, note: str | None = None) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO runs (started_at, finished_at, inbox, files_seen, files_new, written, exit_code, note, "
                "reported_upto) VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(id), 0) FROM files))",
                (iso_text(started), iso_text(finished), inbox, seen, new, int(written), int(exit_code), note))

    def reported_upto(self) -> int:
        """The highest file id a finished run reported (0 before the first): a file recorded
        after it (by this run, or by a run killed before it finished) is news to report."""
        row = self.db.execute("SELECT MAX(reported_upto) FROM runs").fetchone()
        return int(row[0] or 0)

    # --- checks -------------------------------------------------------------------------
    def check(self) -> list[str]:
        """Consistency problems (empty when the ledger is sound); used by tests and support."""
        out: list[str] = []
        try:
            self._check(out)
        except sqlite3.DatabaseError as exc:  # damage found by a query: reported, never raised
            out.append(f"damaged: {exc}")
        return out

    def _check(self, out: list[str]) -> None:
        result = self.db.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            out.append(f"integrity_check: {result}")
        for fid, declared, found in self.db.execute(
            "SELECT f.id, f.row_count, (SELECT COUNT(*) FROM received_rows r WHERE r.file_id = f.id AND r.accepted = 1) "
            "FROM files f"
        ):
            if declared != found:
                out.append(f"file {fid}: row_count {declared} but {found} accepted rows")
        for (sha,) in self.db.execute(
            "SELECT sha256 FROM files WHERE status = 'accepted' GROUP BY sha256 HAVING COUNT(*) > 1"
        ):
            out.append(f"file {sha[:12]} accepted twice")
        for (unit,) in self.db.execute(
            "SELECT unit_code FROM current_files GROUP BY unit_code, group_key HAVING COUNT(*) > 1"
        ):
            out.append(f"unit {unit} has two current files")


    # --- backups ------------------------------------------------------------------------
    def backup(self, folder: Path | None = None, keep: int = LEDGER_BACKUPS_KEPT) -> Path:
        """Copy the ledger into ``folder`` (备份/ beside it) with SQLite's online backup API
        (consistent while open); keep the newest ``keep`` copies."""
        return backup_ledger(self.db, self.path, folder, keep)
