"""Receipts (回执) for the messages of the campaign mailbox (pure: data in, text and MIME out).

:func:`receipt_text` says, in Chinese, what kexie did with each file of one message — received,
rows taken, rows left out and why (code, row, message) — and what the unit still owes against
its quota; :func:`receipt_message` wraps it as a reply (``In-Reply-To``/``References``, subject
``回执：…``) from the campaign account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, Sequence

STATUS_ZH = {
    "ingested": "已汇总",
    "unchanged": "与此前收到的文件完全相同，未重复汇总",
    "superseded": "已收到，但该单位随后报送了更新的文件，以新文件为准",
    "rejected": "未予汇总",
    "pending": "已存入收件箱，待工作人员处理",
}
_ROW_RE = re.compile(r"[A-Z]{1,3}(\d+)$")


@dataclass
class FileOutcome:
    name: str  # as saved in the inbox
    original: str  # as the unit named it
    origin: str  # 附件 · 压缩包“…” · winmail.dat · 邮件正文
    status: str  # a key of STATUS_ZH
    rows_taken: int = 0
    rows_left: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)  # {code, level, message, cell}

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [p for p in self.problems if p.get("level") == "error"]


@dataclass
class Owed:
    quota: int
    valid: int
    shortfall: int


@dataclass
class ReceiptInput:
    unit_name: str | None
    subject: str
    received: datetime | None
    files: Sequence[FileOutcome]
    owed: Owed | None = None
    notes: Sequence[str] = ()  # message-level remarks (W50x messages)
    campaign: str = ""
    signature: str = ""  # 主办单位 承办部门
    contact: str = ""  # 联系人 联系电话
    today: date | None = None


def row_of(problem: dict[str, Any]) -> int | None:
    m = _ROW_RE.search(str(problem.get("cell") or ""))
    return int(m.group(1)) if m else None


def rows_left_out(problems: Sequence[dict[str, Any]]) -> int:
    """Rows left out, as the distinct rows of error-level problems with a cell."""
    return len({r for p in problems if p.get("level") == "error" and (r := row_of(p)) is not None})


def _file_lines(i: int, f: FileOutcome) -> list[str]:
    name = f.name if f.name == f.original else f"{f.original}（存为 {f.name}）"
    where = "" if f.origin == "附件" else f"（来自{f.origin}）"
    head = f"{i}. {name}{where}：{STATUS_ZH.get(f.status, f.status)}"
    if f.status in ("ingested", "superseded", "unchanged") and (f.rows_taken or f.rows_left):
        head += f"；共 {f.rows_taken + f.rows_left} 条，汇总 {f.rows_taken} 条"
        if f.rows_left:
            head += f"，{f.rows_left} 条未汇总"
    lines = [head + "。"]
    for p in f.problems[:30]:
        row = row_of(p)
        message = str(p.get("message") or "")
        where = f"第{row}行 " if row and f"第 {row} 行" not in message and f"第{row}行" not in message else ""
        level = "" if p.get("level") == "error" else "（提示）"
        lines.append(f"   - {p.get('code')} {where}{level}{message}")
    if len(f.problems) > 30:
        lines.append(f"   - ……另有 {len(f.problems) - 30} 条说明。")
    return lines


def receipt_text(data: ReceiptInput) -> str:
    greeting = f"{data.unit_name}：" if data.unit_name else "您好："
    received = data.received.astimezone() if data.received and data.received.tzinfo else data.received
    when = f"于 {received:%Y年%m月%d日 %H:%M} " if received else ""
    lines = [greeting, "", f"    你单位{when}发来的邮件“{data.subject or '（无主题）'}”已收到"
             + (f"（{data.campaign}）" if data.campaign else "") + "。处理结果如下：", ""]
    if data.files:
        lines.append(f"一、收到的文件（共 {len(data.files)} 个）")
        for i, f in enumerate(data.files, start=1):
            lines += _file_lines(i, f)
    else:
        lines.append("一、邮件中没有可汇总的附件。")
    for note in data.notes:
        lines.append(f"   说明：{note}")
    lines += ["", "二、报送情况"]
    if data.owed is not None:
        o = data.owed
        state = "已完成报送任务" if o.shortfall <= 0 else f"还差 {o.shortfall} 条"
        lines.append(f"    截至{(data.today or date.today()):%Y年%m月%d日}，你单位应报 {o.quota} 条，"
                     f"已汇总有效 {o.valid} 条，{state}。")
    else:
        lines.append("    未能根据发件地址确定报送单位，报送数量暂未计入任何单位；如有疑问请与我们联系。")
    left = [f for f in data.files if f.status == "rejected" or f.rows_left]
    if left:
        names = "、".join(f"“{f.original}”" + (f"中的 {f.rows_left} 条" if f.status != "rejected" else "")
                         for f in left)
        lines += ["", f"    以下材料未予汇总，请修改后重新报送：{names}。修改时请对照上面列出的问题，"
                      "重新报送的文件会替代原来的文件。"]
    lines += ["", "    本回执由科协工作台自动发送。" + (f"如有疑问，请联系{data.contact}。" if data.contact else "")]
    if data.signature:
        lines += ["", f"{data.signature}", f"{(data.today or date.today()):%Y年%m月%d日}"]
    return "\n".join(lines) + "\n"


def receipt_message(text: str, *, account: str, to: str, subject: str, in_reply_to: str | None,
                    references: Sequence[str] = (), sender_name: str = "", now: datetime | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = "回执：" + (subject or "（无主题）")
    msg["From"] = f"{sender_name} <{account}>" if sender_name else account
    msg["To"] = to
    msg["Date"] = format_datetime((now or datetime.now()).astimezone())
    msg["Message-ID"] = make_msgid(domain=account.split("@", 1)[-1] or "kexie.invalid")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = " ".join([*[r for r in references if r != in_reply_to], in_reply_to])
    msg["Auto-Submitted"] = "auto-replied"  # RFC 3834: no auto-reply loops
    msg.set_content(text, charset="utf-8")
    return msg


def left_out_lines(files: Sequence[dict[str, Any]]) -> list[str]:
    """For a unit's 催报/退改 notice: one line per file left out (rejected, or with rows left out),
    ``{name}：{code} 第N行 message；…``. ``files`` are ledger file records as dicts with ``name``,
    ``status`` (accepted/rejected), ``rows_rejected`` and ``problems``."""
    out = []
    for f in files:
        errors = [p for p in f.get("problems") or [] if p.get("level") == "error"]
        if f.get("status") != "rejected" and not f.get("rows_rejected"):
            continue
        parts = []
        for p in errors[:5]:
            row = row_of(p)
            parts.append(f"{p.get('code')}{' 第' + str(row) + '行' if row else ''} {p.get('message')}")
        more = f"等 {len(errors)} 个问题" if len(errors) > 5 else ""
        what = "整个文件未汇总" if f.get("status") == "rejected" else f"{f.get('rows_rejected')} 条未汇总"
        out.append(f"{f.get('name')}（{what}）：" + "；".join(parts) + more)
    return out
