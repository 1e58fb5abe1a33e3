"""The mail part of the consolidation ledger: messages fetched, UIDs seen, receipts (append-only).

Three tables are added to the master's ledger (``macros.adapters.ledger``) the first time
``kexie mail`` opens it (``CREATE … IF NOT EXISTS``: a ledger of an earlier version gains them;
nothing else changes), with the ledger's append-only triggers:

* ``mail_messages`` — one row per message of an account, by Message-ID (``<sha…@kexie.invalid>``
  for a message without one): sender, unit by sender, subject, saved ``.eml``, the files saved
  into the inbox (JSON), problems, ``saved`` or ``rejected``;
* ``mail_uids`` — every (account, folder, UIDVALIDITY, UID) seen → its message row: the next
  run asks the server only for UIDs above the highest one of the current UIDVALIDITY; after a
  UIDVALIDITY reset the messages are recognised by Message-ID and not fetched again;
* ``mail_receipts`` — the receipt of each message: ``pending`` (with the prepared message),
  then ``sent`` or ``written`` (``--no-receipts``: an ``.eml`` for review), or ``skipped`` (an
  auto-reply, or the campaign's own mail: answering would loop); the latest row per
  message is its state, so a receipt is never sent twice and a failed one stays pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from macros.adapters.ledger import Ledger
from macros.adapters.sqlite_kit import from_json, make_append_only, to_json

MAIL_TABLES = ("mail_messages", "mail_uids", "mail_receipts")
MAIL_DDL = (
    """CREATE TABLE IF NOT EXISTS mail_messages (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        account     TEXT NOT NULL,
        message_id  TEXT NOT NULL,
        sha256      TEXT NOT NULL,
        received_at TEXT NOT NULL,
        sent_at     TEXT,
        sender      TEXT,
        unit_code   TEXT,
        subject     TEXT,
        eml         TEXT,
        status      TEXT NOT NULL CHECK (status IN ('saved', 'rejected')),
        files       TEXT NOT NULL DEFAULT '[]',
        problems    TEXT NOT NULL DEFAULT '[]',
        UNIQUE (account, message_id))""",
    """CREATE TABLE IF NOT EXISTS mail_uids (
        account     TEXT NOT NULL,
        folder      TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        uid         INTEGER NOT NULL,
        message     INTEGER NOT NULL REFERENCES mail_messages (id),
        seen_at     TEXT NOT NULL,
        PRIMARY KEY (account, folder, uidvalidity, uid))""",
    """CREATE TABLE IF NOT EXISTS mail_receipts (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        message     INTEGER NOT NULL REFERENCES mail_messages (id),
        status      TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'written', 'skipped')),
        at          TEXT NOT NULL,
        to_addr     TEXT,
        raw         BLOB,
        detail      TEXT)""",
    "CREATE INDEX IF NOT EXISTS mail_receipts_message ON mail_receipts (message, id)",
)


@dataclass
class MessageRecord:
    id: int
    message_id: str
    sender: str | None
    unit_code: str | None
    subject: str | None
    status: str
    files: list[dict[str, Any]]
    problems: list[dict[str, Any]]


def _now() -> str:
    return datetime.now().replace(microsecond=0).isoformat()


class MailLedger:
    """The mail tables of one ledger (the Ledger stays open and owned by the caller)."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self.db = ledger.db
        with ledger.transaction():
            make_append_only(self.db, MAIL_TABLES, MAIL_DDL)

    # --- UIDs ---------------------------------------------------------------------------------
    def max_uid(self, account: str, folder: str, uidvalidity: int) -> int | None:
        row = self.db.execute("SELECT MAX(uid) FROM mail_uids WHERE account = ? AND folder = ? AND uidvalidity = ?",
                              (account, folder, uidvalidity)).fetchone()
        return row[0]

    def has_other_validity(self, account: str, folder: str, uidvalidity: int) -> bool:
        row = self.db.execute("SELECT 1 FROM mail_uids WHERE account = ? AND folder = ? AND uidvalidity != ? LIMIT 1",
                              (account, folder, uidvalidity)).fetchone()
        return row is not None

    def record_uid(self, account: str, folder: str, uidvalidity: int, uid: int, message: int) -> None:
        self.db.execute("INSERT OR IGNORE INTO mail_uids (account, folder, uidvalidity, uid, message, seen_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (account, folder, uidvalidity, uid, message, _now()))

    # --- messages -----------------------------------------------------------------------------
    def known_ids(self, account: str) -> dict[str, int]:
        return {r[0]: r[1] for r in self.db.execute(
            "SELECT message_id, id FROM mail_messages WHERE account = ?", (account,))}

    def record_message(self, account: str, rec: dict[str, Any]) -> int:
        cur = self.db.execute(
            "INSERT INTO mail_messages (account, message_id, sha256, received_at, sent_at, sender, unit_code, subject, "
            "eml, status, files, problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (account, rec["message_id"], rec["sha256"], _now(), rec.get("sent_at"), rec.get("sender"),
             rec.get("unit_code"), rec.get("subject"), rec.get("eml"), rec["status"], to_json(rec.get("files") or []),
             to_json(rec.get("problems") or [])))
        return int(cur.lastrowid)

    def message(self, message: int) -> MessageRecord:
        r = self.db.execute("SELECT * FROM mail_messages WHERE id = ?", (message,)).fetchone()
        return MessageRecord(r["id"], r["message_id"], r["sender"], r["unit_code"], r["subject"], r["status"],
                             from_json(r["files"]) or [], from_json(r["problems"]) or [])

    def messages(self, account: str) -> list[MessageRecord]:
        ids = [r[0] for r in self.db.execute("SELECT id FROM mail_messages WHERE account = ? ORDER BY id", (account,))]
        return [self.message(i) for i in ids]

    def without_receipt(self, account: str) -> list[tuple[int, str | None, list[dict[str, Any]], list[dict[str, Any]],
                                                           str | None]]:
        """(row, unit, files, problems, eml) of saved messages with a sender and no receipt yet —
        a run that stopped between fetching and answering left them."""
        return [(r["id"], r["unit_code"], from_json(r["files"]) or [], from_json(r["problems"]) or [], r["eml"])
                for r in self.db.execute(
                    "SELECT * FROM mail_messages m WHERE account = ? AND status = 'saved' AND sender IS NOT NULL "
                    "AND sender != '' AND NOT EXISTS (SELECT 1 FROM mail_receipts r WHERE r.message = m.id) "
                    "ORDER BY id", (account,))]

    # --- receipts -----------------------------------------------------------------------------
    def add_receipt(self, message: int, status: str, to_addr: str | None, raw: bytes | None = None,
                    detail: str | None = None) -> None:
        self.db.execute("INSERT INTO mail_receipts (message, status, at, to_addr, raw, detail) VALUES (?, ?, ?, ?, ?, ?)",
                        (message, status, _now(), to_addr, raw, detail))

    def receipt_state(self, message: int) -> str | None:
        row = self.db.execute("SELECT status FROM mail_receipts WHERE message = ? ORDER BY id DESC LIMIT 1",
                              (message,)).fetchone()
        return row[0] if row else None

    def pending_receipts(self, account: str) -> list[tuple[int, str, bytes]]:
        """(message row, recipient, prepared message) of every receipt still to be sent."""
        return [(r[0], r[1], bytes(r[2])) for r in self.db.execute(
            "SELECT r.message, r.to_addr, p.raw FROM mail_receipts r "
            "JOIN mail_messages m ON m.id = r.message "
            "JOIN mail_receipts p ON p.message = r.message AND p.status = 'pending' AND p.raw IS NOT NULL "
            "WHERE m.account = ? AND r.id = (SELECT MAX(id) FROM mail_receipts WHERE message = r.message) "
            "AND r.status = 'pending' AND p.id = (SELECT MAX(id) FROM mail_receipts WHERE message = r.message "
            "AND status = 'pending' AND raw IS NOT NULL) ORDER BY r.message", (account,))]
