"""The register of issued certificates, kept in the campaign's ledger (the SQLite file beside the
master, ``macros.adapters.ledger``), append-only like the rest of it.

* ``certificates``: one record per number ever issued — kind, number (年度-序号), the recipient's
  identity key and name/unit as printed, and the QR text. A reprint finds its recipient here and
  keeps the number.
* ``certificate_prints``: one record per printing of a number (when, into which file), so every
  sheet that left the office can be traced.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Iterable

from macros.adapters.ledger import Ledger
from macros.adapters.sqlite_kit import make_append_only

DDL = (
    """CREATE TABLE IF NOT EXISTS certificates (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        kind          TEXT NOT NULL,
        number        TEXT NOT NULL,
        recipient_key TEXT NOT NULL,
        name          TEXT NOT NULL,
        unit          TEXT NOT NULL,
        payload       TEXT NOT NULL,
        issued_at     TEXT NOT NULL,
        UNIQUE (kind, number),
        UNIQUE (kind, recipient_key)
    )""",
    """CREATE TABLE IF NOT EXISTS certificate_prints (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        kind       TEXT NOT NULL,
        number     TEXT NOT NULL,
        printed_at TEXT NOT NULL,
        file       TEXT NOT NULL
    )""",
)
TABLES = ("certificates", "certificate_prints")


class CertificateRegister:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        db = ledger.db
        with ledger.transaction():
            make_append_only(db, TABLES, DDL)

    def issued(self, kind: str) -> dict[str, str]:
        """recipient key -> number, for every certificate of ``kind`` issued so far."""
        rows = self.ledger.db.execute("SELECT recipient_key, number FROM certificates WHERE kind = ?", (kind,))
        return {r[0]: r[1] for r in rows}

    def numbers(self, kind: str) -> set[str]:
        return {r[0] for r in self.ledger.db.execute("SELECT number FROM certificates WHERE kind = ?", (kind,))}

    def record(self, kind: str, new: Iterable[tuple[str, str, str, str, str]],
               printed: Iterable[str], file: str, at: datetime) -> None:
        """Record new numbers ``(number, key, name, unit, payload)`` and one printing of each of
        ``printed`` into ``file``, in one transaction."""
        stamp = at.isoformat(timespec="seconds")
        with self.ledger.transaction():
            self.ledger.db.executemany(
                "INSERT INTO certificates (kind, number, recipient_key, name, unit, payload, issued_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", [(kind, n, k, name, unit, p, stamp) for n, k, name, unit, p in new])
            self.ledger.db.executemany(
                "INSERT INTO certificate_prints (kind, number, printed_at, file) VALUES (?, ?, ?, ?)",
                [(kind, n, stamp, file) for n in printed])

    def lookup(self, kind: str, number: str) -> sqlite3.Row | None:
        return self.ledger.db.execute("SELECT * FROM certificates WHERE kind = ? AND number = ?",
                                      (kind, number)).fetchone()

    def prints(self, kind: str, number: str) -> list[sqlite3.Row]:
        return list(self.ledger.db.execute(
            "SELECT printed_at, file FROM certificate_prints WHERE kind = ? AND number = ? ORDER BY id",
            (kind, number)))
