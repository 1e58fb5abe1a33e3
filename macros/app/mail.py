"""Use case: the campaign mailbox (``kexie mail MASTER INBOX [--json] [--no-receipts]``, button 收取邮件).

``run_mail(master, inbox)``:

1. reads the mailbox settings of 设置 (``macros.core.mail_settings``; from the 设置 sheet alone,
   the roster only when a message arrives) and the password (``KEXIE_MAIL_PASSWORD`` or the OS
   keyring) — a setting that cannot be used is exit 2 before anything is contacted;
2. fetches what the ledger has not seen (``macros.app.mail_fetch``): each raw message kept in
   ``邮件存档/``, attachments saved into INBOX, every message recorded in the ledger — a
   connection, login, TLS or full-mailbox error is exit 2 with what to check, the workbook
   untouched; a message that cannot be parsed is recorded as rejected and the rest go on;
3. when something new arrived, or the inbox holds a file the ledger has no record of (dropped
   by hand, or changed), consolidates INBOX (``macros.app.consolidate.consolidate``); a run
   with nothing new loads neither pandas nor openpyxl (``macros.app.mail_idle``);
4. prepares one receipt per new message and sends every pending one by SMTP, or with
   ``--no-receipts`` writes them into ``回执待发/`` for review (``macros.app.mail_receipts``).

Exit codes: 0 clean; 1 problems (rejected messages or files, rows left out, senders not in the
roster, receipts left pending); 2 settings or server errors; 3 the consolidation refused to
write (the ledger keeps what arrived; the next run writes it) or another mail run is going on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from macros.adapters.mailbox import MailConfig, MailError, Server
from macros.app.result import CommandResult
from macros.errors import ConfigError, Exit, KexieError, RefusedError

CA_ENV = "KEXIE_MAIL_CAFILE"  # a CA bundle for a mail server with its own certificate
LOG_DIR = "kexie-logs"  # the consolidation's log folder beside the master


@dataclass
class MailResult:
    master: Path
    account: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    receipts: dict[str, int] = field(default_factory=lambda: {"sent": 0, "written": 0, "pending": 0})
    receipt_problems: list[dict[str, Any]] = field(default_factory=list)
    consolidation: Any = None  # ConsolidateResult, or None when nothing new arrived
    review_dir: Path | None = None

    @property
    def exit_code(self) -> int:
        if self.consolidation is not None and self.consolidation.refused:
            return int(Exit.REFUSED)
        codes = [int(Exit.OK)]
        if self.consolidation is not None:
            codes.append(self.consolidation.exit_code)
        if self.receipt_problems or any(m["problems"] or any(f["problems"] for f in m["files"])
                                        for m in self.messages):
            codes.append(int(Exit.DATA_PROBLEMS))
        return max(codes)

    def to_json(self) -> dict[str, Any]:
        cons = self.consolidation.to_json() if self.consolidation is not None else None
        return {"master": str(self.master), "account": self.account, "messages": self.messages,
                "receipts": self.receipts, "receipt_problems": self.receipt_problems,
                "written": bool(cons and cons["written"]), "consolidate": cons}

    def lines(self) -> list[str]:
        rejected = sum(1 for m in self.messages if m["status"] == "rejected")
        out = [f"邮箱 {self.account}：收到新邮件 {len(self.messages)} 封" + (f"，其中 {rejected} 封无法解析" if rejected else "")
               + f"，保存附件 {sum(1 for m in self.messages for f in m['files'] if f['saved'])} 个。"]
        for m in self.messages:
            probs = m["problems"] + [p for f in m["files"] for p in f["problems"]]
            if probs:
                out.append(f"  邮件“{m['subject'] or '（无主题）'}”（{m['sender'] or '未知发件人'}）：")
                out += [f"    {p['code']} {p['message']}" for p in probs[:10]]
        if self.consolidation is not None:
            out += self.consolidation.lines()
        elif not self.messages:
            out.append("没有新邮件，无需汇总。")
        r = self.receipts
        out.append(f"回执：已发送 {r['sent']} 封，写入待发文件夹 {r['written']} 封，待下次发送 {r['pending']} 封。")
        out += [f"  {p['code']} {p['message']}" for p in self.receipt_problems[:10]]
        if r["written"] and self.review_dir:
            out.append(f"待审阅的回执在：{self.review_dir}")
        return out


def mail_config(settings: dict[str, Any]) -> MailConfig:
    """The mailbox of the campaign, or MailError (E509 settings, E510 no password)."""
    import os

    from macros.adapters.mail_password import mail_password
    from macros.core.mail_settings import SettingsError, resolve

    try:
        s = resolve(settings)
    except SettingsError as exc:
        raise MailError("E509", detail=exc.detail) from None
    password = mail_password(s.account)
    if not password:
        raise MailError("E510", account=s.account)
    return MailConfig(s.account, password, Server(s.imap.host, s.imap.port, s.imap.security),
                      Server(s.smtp.host, s.smtp.port, s.smtp.security), s.folder, os.environ.get(CA_ENV) or None)


def _read_settings(master: Path, engine=None) -> dict[str, Any]:
    """The raw 设置 of the campaign: from the open book, else from the file's 设置 sheet alone."""
    from macros.app.mail_idle import read_settings
    from macros.schema import TABLES

    if engine is None:
        return read_settings(master, TABLES["units"].sheet)
    if TABLES["units"].sheet not in engine.sheet_names():
        raise ConfigError(f"“{master.name}”不是活动工作簿（缺少工作表：{TABLES['units'].sheet}）。")
    return engine.read_settings()


def _senders(master: Path, engine=None) -> dict[str, list[str]]:
    """Sender address → unit codes, from the roster's 电子邮箱 (read when a message arrives)."""
    from macros.adapters.file_engine import FileEngine
    from macros.core.mail_settings import sender_units
    from macros.schema import TABLES

    engine = engine if engine is not None else FileEngine(master)
    frame = engine.read_table(TABLES["units"]).frame
    return sender_units(zip(frame["code"].tolist(), frame["email"].tolist())) if "email" in frame else {}


def _mail_lock(master: Path):
    from filelock import FileLock, Timeout

    lock = FileLock(str(master.with_name(f".{master.name}.kexie-mail.lock")), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise RefusedError(f"另一个“收取邮件”任务正在处理“{master.name}”，本次未运行。请稍后再试。") from None
    return lock


def run_mail(master: str | Path, inbox: str | Path, *, receipts: bool = True, today: date | None = None,
             log: str | Path | None = None, workers: int | None = None, engine=None) -> MailResult:
    """``engine``: the open book when a ribbon button runs it (settings, roster and the
    consolidation then work on it, unsaved edits included); else the file ``master`` is read."""
    master, inbox = Path(master), Path(inbox)
    today = today or date.today()
    settings = _read_settings(master, engine)
    if not inbox.is_dir():
        raise ConfigError(f"找不到收件箱文件夹：{inbox}")
    log_file = mail_log(master, log)
    try:
        config = mail_config(settings)
        result = _run(master, inbox, config, settings, receipts, today, log, workers, engine)
    except KexieError as exc:
        _log(log_file, [f"收取邮件失败：{exc.message}"])
        raise
    _log(log_file, [f"邮箱 {config.account}（{config.imap.label}，{config.imap.security}）"] + result.lines())
    return result


def mail_log(master: Path, log: str | Path | None) -> Path:
    """The mail run's log: beside the consolidation's (kexie-logs/mail-YYYYMMDD.log), or next to ``log``."""
    from datetime import datetime

    name = f"mail-{datetime.now():%Y%m%d}.log"
    return Path(log).with_name(name) if log else master.parent / LOG_DIR / name


def _log(path: Path, lines: list[str]) -> None:
    """Append a run's summary (never the password: it is in no line) to the mail log."""
    from datetime import datetime

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            stamp = datetime.now().isoformat(sep=" ", timespec="seconds")
            fh.writelines(f"{stamp} {line}\n" for line in lines)
    except OSError:
        pass  # a log that cannot be written never stops the run


def _run(master: Path, inbox: Path, config: MailConfig, settings, receipts: bool, today: date, log,
         workers, engine) -> MailResult:
    """Fetch, consolidate when there is something to (``macros.app.mail_idle``), answer."""
    from macros.adapters.ledger import Ledger, ledger_path
    from macros.adapters.mail_ledger import MailLedger
    from macros.adapters.mailbox import Mailbox
    from macros.app.mail_fetch import fetch_new, unanswered
    from macros.app.mail_idle import unrecorded

    result = MailResult(master, config.account)
    lock = _mail_lock(master)
    try:
        with Ledger(ledger_path(master)) as ledger:
            mledger = MailLedger(ledger)
            with Mailbox(config) as box:
                fetched = fetch_new(box, mledger, inbox, lambda: _senders(master, engine))
            result.messages = [_message_json(f) for f in fetched]
            todo = fetched + unanswered(mledger, config.account, {f.row for f in fetched})
            if any(x["saved"] for f in todo for x in f.files) or unrecorded(inbox, ledger.db):
                result.consolidation = _consolidate(master, inbox, today, log, workers, _hints(todo), engine)
            if todo:
                _prepare(mledger, todo, result, ledger, settings, config, master, today, engine)
            delivered = _deliver(mledger, config, inbox, not receipts)
            result.receipts, result.receipt_problems = delivered["counts"], delivered["problems"]
            result.review_dir = inbox.resolve().parent / "回执待发"
    finally:
        lock.release()
    return result


def _hints(fetched) -> dict[str, dict[str, Any]]:
    """What the mail tells about each saved file: the sender's unit and the message."""
    out: dict[str, dict[str, Any]] = {}
    for f in fetched:
        for x in f.files:
            if x["saved"] and f.parsed is not None:
                hint = {"message_id": f.parsed.message_id}
                if f.unit_code:
                    hint["unit_code"] = f.unit_code
                out[x["saved"]] = hint
    return out


def _consolidate(master: Path, inbox: Path, today: date, log, workers, hints, engine):
    from macros.app.consolidate import WORKERS, consolidate

    return consolidate(master, inbox, today=today, log=log, workers=WORKERS if workers is None else workers,
                       hints=hints, engine=engine)


def _prepare(mledger, fetched, result: MailResult, ledger, settings, config, master: Path, today: date,
             engine=None) -> None:
    from macros.app.mail_receipts import prepare

    tally = None
    try:
        from macros.adapters.file_engine import FileEngine
        from macros.app.campaign import load_campaign
        from macros.core.tally import compute_tally

        tally = compute_tally(load_campaign(engine if engine is not None else FileEngine(master)), today)
    except (ConfigError, KeyError, ValueError):
        tally = None  # receipts then say the quota could not be told
    prepare(mledger, fetched, result.consolidation, ledger, tally, settings, config, today)


def _deliver(mledger, config, inbox: Path, write_only: bool) -> dict[str, Any]:
    from macros.app.mail_receipts import deliver

    return deliver(mledger, config, inbox, write_only)


def _message_json(f) -> dict[str, Any]:
    p = f.parsed
    return {"uid": f.uid, "message_id": p.message_id if p else None, "sender": p.sender if p else None,
            "subject": p.subject if p else None, "unit_code": f.unit_code,
            "status": "saved" if p else "rejected", "eml": f.eml,
            "files": [{"file": x["saved"], "original": x["original"], "origin": x["origin"], "saved": bool(x["saved"]),
                       "problems": x["problems"]} for x in f.files],
            "problems": f.problems}


# --- the command -----------------------------------------------------------------------------

def add_arguments(parser) -> None:
    parser.add_argument("master", help="活动工作簿（.xlsx）")
    parser.add_argument("inbox", help="收件箱文件夹：附件保存到这里并汇总")
    parser.add_argument("--json", action="store_true", help="在标准输出打印 JSON 结果")
    parser.add_argument("--no-receipts", action="store_true",
                        help="不发送回执，把回执写成 .eml 文件放到收件箱旁的“回执待发”文件夹供审阅")
    parser.add_argument("--log", help="日志文件（默认在工作簿旁的 kexie-logs/）")
    parser.add_argument("--today", type=_date, help="以该日期为今天")


def _date(text: str) -> date:
    import argparse

    from macros.core.normalize import parse_date

    value = parse_date(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"无法识别的日期：{text}（请写成 2010-10-20）")
    return value


def command(args) -> CommandResult:
    engine = getattr(args, "engine", None)  # the open book when the ribbon button runs it
    if engine is not None and getattr(engine, "path", None) is None:
        raise ConfigError(f"请先把“{engine.name}”保存到电脑上，再收取邮件。")
    master = engine.path if engine is not None else args.master
    result = run_mail(master, args.inbox, receipts=not getattr(args, "no_receipts", False),
                      today=getattr(args, "today", None), log=getattr(args, "log", None), engine=engine)
    return CommandResult(data=result.to_json(), exit_code=result.exit_code, lines=result.lines())
