"""Fetching the campaign mailbox into the inbox folder (part of ``kexie mail``).

:func:`fetch_new` asks the server only for what the ledger has not seen (UIDs above the highest
one of the folder's current UIDVALIDITY; after a UIDVALIDITY reset, the Message-IDs of the folder
are compared with the ledger first), and for each new message:

1. keeps the raw message as ``邮件存档/<date>_<uidvalidity>_<uid>.eml`` beside the inbox;
2. parses it (``macros.core.mail_parse``); a message that cannot be parsed is recorded as
   ``rejected`` (E506) and the run goes on;
3. saves each usable attachment (and a body that is itself a submission) into the inbox under a
   safe name (``macros.core.safe_names``; a different file of the same name gets ``（2）``…),
   dated with the message's date so that a later corrected file counts as the newer one;
4. records the message, its UID and its files in the ledger (``macros.adapters.mail_ledger``),
   with a pending receipt, in one transaction per message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from macros.adapters.mail_ledger import MailLedger
from macros.adapters.mailbox import Mailbox
from macros.core.mail_parse import Attachment, MessageError, ParsedMessage, parse_message, synthetic_id
from macros.core.safe_names import safe_filename
from macros.problems import Problem, problem

if TYPE_CHECKING:
    from macros.adapters.form_reader import Limits

ARCHIVE_DIR = "邮件存档"


@dataclass
class Fetched:
    """One message taken in by this run."""

    row: int  # mail_messages.id
    uid: int
    parsed: ParsedMessage | None  # None: rejected (E506)
    unit_code: str | None
    files: list[dict[str, Any]] = field(default_factory=list)  # {saved, original, origin, problems}
    problems: list[dict[str, Any]] = field(default_factory=list)
    eml: str = ""


def problem_dict(p: Problem) -> dict[str, Any]:
    return {"code": p.code, "level": p.level, "message": p.message, "cell": p.cell}


def archive_dir(inbox: Path) -> Path:
    return inbox.resolve().parent / ARCHIVE_DIR


def _write_atomic(path: Path, data: bytes, when: float | None = None) -> None:
    tmp = path.with_name(f".{path.name}.kexie-tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    if when is not None:
        os.utime(tmp, (when, when))
    os.replace(tmp, path)


def save_attachment(inbox: Path, att: Attachment, when: float | None) -> str:
    """Save ``att`` into ``inbox``; returns the name used (an identical file already there is reused)."""
    name = safe_filename(att.name)
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    n = 1
    while True:
        target = inbox / name
        if not target.exists():
            _write_atomic(target, att.data, when)
            return name
        try:
            if target.stat().st_size == len(att.data) and target.read_bytes() == att.data:
                return name
        except OSError:
            pass
        n += 1
        name = f"{stem}（{n}）.{ext}" if ext else f"{stem}（{n}）"


def _timestamp(parsed: ParsedMessage) -> float | None:
    if parsed.date is None:
        return None
    when = parsed.date if parsed.date.tzinfo else parsed.date.replace(tzinfo=timezone.utc)
    ts = when.timestamp()
    return ts if 0 < ts <= datetime.now(timezone.utc).timestamp() else None


def _unit_of(parsed: ParsedMessage, senders: Mapping[str, list[str]]) -> tuple[str | None, list[Problem]]:
    units = senders.get(parsed.sender.lower(), []) if parsed.sender else []
    if len(units) == 1:
        return units[0], []
    if len(units) > 1:
        return None, [problem("W505", subject=parsed.subject, sender=parsed.sender, units="、".join(units))]
    return None, [problem("W502", subject=parsed.subject or "（无主题）", sender=parsed.sender or "（无发件人）")]


def take_message(raw: bytes, uid: int, inbox: Path, eml: Path, senders: Mapping[str, list[str]],
                 limits: Limits, known: dict[str, int]) -> tuple[dict[str, Any], Fetched] | int:
    """Archive, parse and save one message: the ledger record and what this run reports, or
    the ledger row of the same message when it was taken in before (nothing is saved then)."""
    try:
        parsed = parse_message(raw, limits)
    except MessageError as exc:
        if synthetic_id(raw) in known:
            return known[synthetic_id(raw)]
        _write_atomic(eml, raw)
        p = problem("E506", subject="（无法读取）", detail=exc.detail, eml=eml.name)
        rec = {"message_id": synthetic_id(raw), "sha256": "", "status": "rejected", "eml": str(eml),
               "problems": [problem_dict(p)]}
        return rec, Fetched(0, uid, None, None, [], rec["problems"], str(eml))
    if parsed.message_id in known:
        return known[parsed.message_id]
    _write_atomic(eml, raw)
    unit, unit_problems = _unit_of(parsed, senders)
    when = _timestamp(parsed)
    files = []
    for att in parsed.attachments:
        usable = not any(p.level == "error" for p in att.problems)
        saved = save_attachment(inbox, att, when) if usable else None
        files.append({"saved": saved, "original": att.name, "origin": att.origin,
                      "problems": [problem_dict(p) for p in att.problems]})
        att.data = b""  # on disk now: the run does not hold every attachment of every message
    msg_problems = [problem_dict(p) for p in parsed.problems + unit_problems]
    rec = {"message_id": parsed.message_id, "sha256": parsed.sha256, "status": "saved", "eml": str(eml),
           "sender": parsed.sender, "unit_code": unit, "subject": parsed.subject, "files": files,
           "problems": msg_problems, "sent_at": parsed.date.isoformat() if parsed.date else None}
    return rec, Fetched(0, uid, parsed, unit, files, msg_problems, str(eml))


def _to_fetch(box: Mailbox, mledger: MailLedger, account: str, folder: str) -> list[int]:
    """New UIDs; after a UIDVALIDITY reset, messages known by Message-ID are mapped, not fetched."""
    last = mledger.max_uid(account, folder, box.uidvalidity)
    if last is not None:
        return box.uids_after(last)
    uids = box.uids_after(0)
    if not uids or not mledger.has_other_validity(account, folder, box.uidvalidity):
        return uids
    known = mledger.known_ids(account)
    ids = box.message_ids(uids)
    out = []
    with mledger.ledger.transaction():
        for uid in uids:
            row = known.get(ids.get(uid) or "")
            if row is None:
                out.append(uid)
            else:
                mledger.record_uid(account, folder, box.uidvalidity, uid, row)
    return out


def _limits() -> "Limits":
    from macros.adapters.form_reader import Limits  # openpyxl: only when a message is read

    return Limits()


def fetch_new(box: Mailbox, mledger: MailLedger, inbox: Path,
              senders: Mapping[str, list[str]] | Callable[[], Mapping[str, list[str]]],
              progress: Callable[[int, int, str], None] | None = None) -> list[Fetched]:
    """Take in every message the ledger has not seen (see the module doc). ``senders``
    (address → unit codes) may be a function giving them: it is called only when there is a
    message to take in."""
    account, folder = box.config.account, box.config.folder
    uids = _to_fetch(box, mledger, account, folder)
    archive = archive_dir(inbox)
    archive.mkdir(parents=True, exist_ok=True)
    if not uids:
        return []
    if callable(senders):
        senders = senders()
    limits = _limits()
    known = mledger.known_ids(account)
    out: list[Fetched] = []
    for i, (uid, raw) in enumerate(box.fetch(uids), start=1):
        eml = archive / f"{datetime.now():%Y%m%d}_{box.uidvalidity}_{uid}.eml"
        taken = take_message(raw, uid, inbox, eml, senders, limits, known)
        with mledger.ledger.transaction():
            if isinstance(taken, int):  # the same message again (a copy, or a reset without Message-ID)
                mledger.record_uid(account, folder, box.uidvalidity, uid, taken)
                continue
            rec, fetched = taken
            row = mledger.record_message(account, rec)
            mledger.record_uid(account, folder, box.uidvalidity, uid, row)
        known[rec["message_id"]] = row
        fetched.row = row
        out.append(fetched)
        if progress:
            progress(i, len(uids), fetched.parsed.subject if fetched.parsed else "")
    return out


def unanswered(mledger: MailLedger, account: str, skip: set[int]) -> list[Fetched]:
    """Messages taken in by an earlier run that stopped before answering them (no receipt row):
    read again from their archived ``.eml`` so that they are consolidated and answered now."""
    out = []
    for row, unit, files, problems, eml in mledger.without_receipt(account):
        if row in skip or not eml or not Path(eml).is_file():
            continue
        try:
            parsed = parse_message(Path(eml).read_bytes(), _limits())
        except (MessageError, OSError):
            continue
        out.append(Fetched(row, 0, parsed, unit, files, problems, eml))
    return out
