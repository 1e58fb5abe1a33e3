"""Receipts of ``kexie mail``: prepared after the consolidation, then sent (or written for review).

:func:`prepare` builds one receipt per message taken in by this run that has a sender
(``macros.core.receipts``), from the consolidation's per-file entries, the ledger's row counts
and the unit's tally, and records it ``pending`` with the prepared message in the ledger.
:func:`deliver` sends every pending receipt (this run's and those a failed run left), or with
``--no-receipts`` writes them as ``.eml`` files into ``回执待发/`` beside the inbox; a receipt
sent or written is never sent again, a failed one stays pending (W501).
"""

from __future__ import annotations

from datetime import date, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Sequence

from macros.adapters.mail_ledger import MailLedger
from macros.adapters.mailbox import MailConfig
from macros.app.mail_fetch import Fetched, _write_atomic, problem_dict
from macros.core.receipts import FileOutcome, Owed, ReceiptInput, receipt_message, receipt_text
from macros.core.safe_names import safe_filename
from macros.problems import problem

REVIEW_DIR = "回执待发"
_STATUS = {"ingested", "unchanged", "superseded", "rejected"}


def _ledger_rows(ledger) -> dict[str, Any]:
    """Latest ledger file record per file name (its rows_rejected)."""
    out = {}
    for rec in ledger.files():
        out[rec.name] = rec
    return out


def outcomes(fetched: Fetched, results: dict[str, Any], records: dict[str, Any]) -> list[FileOutcome]:
    out = []
    for f in fetched.files:
        saved, probs = f.get("saved"), list(f.get("problems") or [])
        if not saved:
            out.append(FileOutcome(f["original"], f["original"], f["origin"], "rejected", problems=probs))
            continue
        res = results.get(saved)
        if res is None:
            out.append(FileOutcome(saved, f["original"], f["origin"], "pending", problems=probs))
            continue
        left_rows = getattr(res, "left_out", None)
        if left_rows is not None and (left_rows or getattr(res, "new", False)):
            left = len({r.get("row") for r in left_rows})
        else:
            rec = records.get(saved)
            left = rec.rows_rejected if rec is not None else 0
        status = res.status if res.status in _STATUS else "pending"
        out.append(FileOutcome(saved, f["original"], f["origin"], status, res.rows, left, probs + list(res.problems)))
    return out


def _owed(tally, unit: str | None) -> tuple[str | None, Owed | None]:
    if tally is None or not unit:
        return None, None
    for u in tally.units:
        if u.code == unit:
            return u.name, Owed(u.quota, u.valid, u.shortfall)
    return None, None


def prepare(mledger: MailLedger, fetched: Sequence[Fetched], result, ledger, tally, settings: dict[str, Any],
            config: MailConfig, today: date) -> None:
    """Record a pending receipt for each message of ``fetched`` (see the module doc)."""
    results = {f.file: f for f in (result.files if result is not None else [])}
    records = _ledger_rows(ledger)
    sign = " ".join(str(settings.get(k) or "").strip() for k in ("organizer", "department")).strip()
    contact = " ".join(str(settings.get(k) or "").strip() for k in ("contact", "phone")).strip()
    for item in fetched:
        p = item.parsed
        if p is None or not p.sender:
            continue
        if p.automatic or p.sender == config.account.lower():  # answering would loop
            with mledger.ledger.transaction():
                mledger.add_receipt(item.row, "skipped", p.sender, None, "自动回复或本邮箱发出的邮件，不发回执")
            continue
        files = outcomes(item, results, records)
        unit = item.unit_code or next((results[f.name].unit_code for f in files if f.name in results
                                       and results[f.name].unit_code), None)
        unit_name, owed = _owed(tally, unit)
        data = ReceiptInput(unit_name, p.subject, p.date, files, owed,
                            notes=[q["message"] for q in item.problems if q["code"] != "W502" or owed is None],
                            campaign=str(settings.get("campaign_name") or ""), signature=sign, contact=contact,
                            today=today)
        msg = receipt_message(receipt_text(data), account=config.account, to=p.sender, subject=p.subject,
                              in_reply_to=p.message_id if not p.message_id.endswith("@kexie.invalid>") else None,
                              references=p.references, sender_name=sign)
        with mledger.ledger.transaction():
            mledger.add_receipt(item.row, "pending", p.sender, msg.as_bytes(policy=policy.SMTP))


def deliver(mledger: MailLedger, config: MailConfig, inbox: Path, write_only: bool) -> dict[str, Any]:
    """Send (or write) every pending receipt; returns counts and the W501 problems."""
    from macros.adapters.smtp_sender import SendError, send

    counts = {"sent": 0, "written": 0, "pending": 0}
    problems: list[dict[str, Any]] = []
    review = inbox.resolve().parent / REVIEW_DIR
    down: str | None = None  # the server cannot be reached: the rest stay pending without trying
    for row, to, raw in mledger.pending_receipts(config.account):
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        if down is not None:
            counts["pending"] += 1
            problems.append(problem_dict(problem("W501", to=to, subject=str(msg["Subject"] or ""), detail=down)))
            continue
        if write_only:
            review.mkdir(parents=True, exist_ok=True)
            path = review / safe_filename(f"{row:05d}_{to}_{msg['Subject']}.eml")
            _write_atomic(path, raw)
            with mledger.ledger.transaction():
                mledger.add_receipt(row, "written", to, None, str(path))
            counts["written"] += 1
            continue
        try:
            send(config, msg)
        except SendError as exc:
            down = None if exc.permanent else exc.detail
            counts["pending"] += 1
            problems.append(problem_dict(problem("W501", to=to, subject=str(msg["Subject"] or ""), detail=exc.detail)))
            continue
        with mledger.ledger.transaction():
            mledger.add_receipt(row, "sent", to, None, datetime.now().isoformat(timespec="seconds"))
        counts["sent"] += 1
    return {"counts": counts, "problems": problems}
