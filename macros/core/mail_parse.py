"""One e-mail message of the campaign mailbox → the files a unit sent (pure: bytes in, data out).

``parse_message(raw)`` reads a message with the standard library (``email`` with
``policy.default``) and returns its sender, subject, ids and attachments; names are decoded from
the raw headers by ``macros.core.mail_names`` (RFC 2047 in GBK/GB18030/UTF-8, RFC 2231, raw
8-bit GBK) and cleaned of bidi and zero-width characters (W503). Containers are opened:

* ``.zip`` attachments are unpacked under the same bounds as returned forms (the ``Limits`` of
  ``macros.adapters.form_reader``: member count, inflated size per member and in total,
  compression ratio; encrypted members refused, E507/E508); member names without the UTF-8
  flag are decoded as GB18030 (Windows' "compressed folder" writes the ANSI code page);
* ``winmail.dat`` (Outlook's TNEF) is unpacked with ``tnefparse`` when it is installed, else
  reported with W506;
* a message whose plain-text body is itself a submission (labels such as 题目、献策人、工作单位
  at line starts) yields that body as a UTF-8 ``.txt`` file for the text reader.

A message that cannot be parsed at all raises :class:`MessageError` (E506); everything else is
reported per attachment and never stops the message.
"""

from __future__ import annotations

import email
import email.utils
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from typing import Any

from macros.core.mail_names import attachment_name, clean_text, decode_bytes, decode_words, tidy_name
from macros.problems import Problem, problem

#: labels that make a plain-text body a submission: a title label and one more
_TITLE_LABELS = ("题目", "标题", "题 目", "标 题")
_BODY_LABELS = ("献策人", "建议人", "姓名", "工作单位", "职务", "联系电话", "手机", "电子邮箱", "主题领域",
                "报送单位", "正文")
_LABEL_RE = re.compile(r"^[ \t\u3000]*(%s)[ \t\u3000]*[:：]" % "|".join(
    re.escape(x) for x in _TITLE_LABELS + _BODY_LABELS), re.MULTILINE)
_MSGID_RE = re.compile(r"<[^<>\s]+>")
TNEF_NAMES = ("winmail.dat", "win.dat")


class MessageError(Exception):
    """The message cannot be read at all (E506); ``detail`` is Chinese."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


@dataclass
class Attachment:
    name: str  # decoded and cleaned, as the unit named it (not yet made safe for the disk)
    data: bytes
    origin: str = "附件"  # 附件 · 压缩包“x.zip” · winmail.dat · 邮件正文
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ParsedMessage:
    message_id: str  # as in the header, or "<sha256…@kexie.invalid>" when it has none
    subject: str
    sender: str  # lower-case address, "" when none
    sender_name: str
    date: datetime | None
    references: list[str]
    attachments: list[Attachment]
    problems: list[Problem] = field(default_factory=list)  # about the message as a whole
    sha256: str = ""
    automatic: bool = False  # an auto-reply or bulk mail (RFC 3834): never answered with a receipt


def synthetic_id(raw: bytes) -> str:
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@kexie.invalid>"


def message_id_of(value: str | None) -> str | None:
    """The ``<id>`` of a Message-ID header value (None when there is none)."""
    if not value:
        return None
    m = _MSGID_RE.search(str(value))
    return m.group(0) if m else (str(value).strip() or None)


def parse_message(raw: bytes, limits: Any) -> ParsedMessage:
    """Parse one message (see the module doc). ``limits``: the bounds of returned forms
    (``macros.adapters.form_reader.Limits``; its ``zip_*`` and ``ratio_floor`` fields apply)."""
    if not raw or not raw.strip():
        raise MessageError("邮件内容为空")
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
        headers = {k.lower(): v for k, v in msg.raw_items()}
    except Exception as exc:  # noqa: BLE001 - the email package raises many kinds
        raise MessageError(f"邮件结构无法解析（{type(exc).__name__}）") from exc
    if not any(k in headers for k in ("from", "subject", "message-id", "content-type")):
        raise MessageError("邮件缺少发件人、主题等基本信息")
    subject, _changed = clean_text(decode_words(str(headers.get("subject", ""))).strip())
    sender_name, sender = email.utils.parseaddr(decode_words(str(headers.get("from", ""))))
    when = None
    try:
        when = email.utils.parsedate_to_datetime(str(headers["date"])) if "date" in headers else None
    except (TypeError, ValueError, IndexError):
        when = None
    refs = _MSGID_RE.findall(str(headers.get("references", ""))) or _MSGID_RE.findall(
        str(headers.get("in-reply-to", "")))
    parsed = ParsedMessage(
        message_id=message_id_of(headers.get("message-id")) or synthetic_id(raw),
        subject=re.sub(r"\s+", " ", subject), sender=sender.strip().lower(),
        sender_name=clean_text(sender_name)[0].strip(), date=when, references=refs, attachments=[],
        sha256=hashlib.sha256(raw).hexdigest(), automatic=is_automatic(headers))
    try:
        _collect(msg, parsed, limits)
    except MessageError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise MessageError(f"邮件内容无法解析（{type(exc).__name__}）") from exc
    return parsed


def is_automatic(headers: dict[str, Any]) -> bool:
    """Auto-replies, vacation notices and bulk mail (RFC 3834 Auto-Submitted, Precedence, X-Autoreply)."""
    auto = str(headers.get("auto-submitted", "no")).strip().lower()
    precedence = str(headers.get("precedence", "")).strip().lower()
    return (auto not in ("", "no") or precedence in ("bulk", "junk", "list", "auto_reply")
            or "x-autoreply" in headers or "x-autorespond" in headers)


def _collect(msg, parsed: ParsedMessage, limits: Any) -> None:
    body_text: str | None = None
    for part in msg.walk():
        if part.is_multipart():
            continue
        name = attachment_name(part.raw_items())
        disposition = (part.get_content_disposition() or "").lower()
        ctype = part.get_content_type()
        if name is None and disposition != "attachment":
            if ctype == "text/plain" and body_text is None:
                body_text = _text_of(part)
            elif ctype == "message/rfc822":
                continue
            continue
        data = part.get_payload(decode=True)
        if data is None:
            data = b""
        if name is None:
            name = "附件" + _guess_suffix(ctype)
        name, probs = tidy_name(name)
        name = name or "附件" + _guess_suffix(ctype)
        parsed.attachments.extend(expand(Attachment(name, data, "附件", probs), limits))
    if not parsed.attachments and body_text and is_submission_text(body_text):
        title = safe_stem(parsed.subject) or "邮件正文"
        parsed.attachments.append(Attachment(f"{title}.txt", body_text.encode("utf-8-sig"), "邮件正文"))
    elif not parsed.attachments:
        parsed.problems.append(problem("W504", subject=parsed.subject or "（无主题）"))


def _text_of(part) -> str:
    data = part.get_payload(decode=True) or b""
    text = decode_bytes(data, part.get_content_charset())
    return clean_text(text)[0]


def _guess_suffix(ctype: str) -> str:
    return {"application/pdf": ".pdf", "application/zip": ".zip", "text/plain": ".txt",
            "application/msword": ".doc", "application/vnd.ms-excel": ".xls",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
            "image/jpeg": ".jpg", "image/png": ".png"}.get(ctype, ".bin")


def safe_stem(text: str) -> str:
    text = re.sub(r"^(?:(?:回复|答复|转发|RE|FW|Fwd|Re|Fw)\s*[:：]\s*)+", "", text.strip(), flags=re.IGNORECASE)
    return text[:60].strip()


def is_submission_text(text: str) -> bool:
    """A plain-text body holding a submission: a 题目/标题 label and at least one other label."""
    labels = {m.group(1).replace(" ", "").replace("\u3000", "") for m in _LABEL_RE.finditer(text)}
    return bool(labels & {"题目", "标题"}) and len(labels) >= 2


# --- containers ---------------------------------------------------------------------------------

def expand(att: Attachment, limits: Any) -> list[Attachment]:
    """The attachment itself, or the files inside it when it is a ZIP or winmail.dat."""
    low = att.name.lower()
    if low in TNEF_NAMES or (low.endswith(".dat") and att.data[:4] == b"\x78\x9f\x3e\x22"):
        return _tnef(att)
    if low.endswith(".zip") or (att.data[:4] == b"PK\x03\x04" and not low.endswith(
            (".docx", ".xlsx", ".xlsm", ".odt", ".ods", ".wps", ".et", ".pptx"))):
        if att.data[:2] != b"PK":
            return [_with(att, problem("E507", file=att.name, detail="不是有效的 ZIP 压缩包"))]
        return unpack_zip(att, limits)
    return [att]


def _with(att: Attachment, p: Problem) -> Attachment:
    att.problems.append(p)
    return att


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name: UTF-8 when flagged, else the bytes as GB18030 (zipfile read them as CP437)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    return decode_bytes(raw)


def unpack_zip(att: Attachment, limits: Any) -> list[Attachment]:
    """The files of a ZIP attachment, within ``limits`` (else the ZIP itself with E507/E508)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(att.data))
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return [_with(att, problem("E507", file=att.name, detail="压缩包结构损坏"))]
    if len(infos) > limits.zip_members:
        return [_with(att, problem("E508", file=att.name, detail=f"内含 {len(infos)} 个文件"))]
    if any(i.flag_bits & 0x1 for i in infos):
        return [_with(att, problem("E507", file=att.name, detail="压缩包设有密码"))]
    if sum(i.file_size for i in infos) > limits.zip_total:
        return [_with(att, problem("E508", file=att.name, detail=f"解压后超过 {limits.zip_total // 2**20} MB"))]
    out: list[Attachment] = []
    total = 0
    with zf:
        for info in infos:
            try:
                data = _inflate(zf, info, limits, total)
            except _TooBig as exc:
                return [_with(att, problem("E508", file=att.name, detail=str(exc)))]
            except Exception:  # noqa: BLE001 - BadZipFile, zlib.error, EOFError, NotImplementedError
                return [_with(att, problem("E507", file=att.name, detail=f"其中的“{member_name(info)}”已损坏"))]
            total += len(data)
            name, probs = tidy_name(member_name(info))
            if not name or name.startswith("__MACOSX") or name.startswith("._") or name.lower() == "thumbs.db":
                continue
            inner = Attachment(name, data, f"压缩包“{att.name}”", att.problems + probs)
            if name.lower().endswith(".zip"):
                inner.problems.append(problem("E507", file=name, detail="压缩包里又套了压缩包，请解压后直接发送"))
                out.append(inner)
            else:
                out.extend(expand(inner, limits))
    return out


class _TooBig(Exception):
    pass


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Any, total: int) -> bytes:
    buf = bytearray()
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            buf.extend(chunk)
            if len(buf) > limits.zip_member or total + len(buf) > limits.zip_total:
                raise _TooBig(f"解压后超过 {limits.zip_total // 2**20} MB")
    if len(buf) > limits.ratio_floor and len(buf) > limits.zip_ratio * max(info.compress_size, 1):
        raise _TooBig(f"“{member_name(info)}”的压缩比异常")
    return bytes(buf)


def _tnef(att: Attachment) -> list[Attachment]:
    try:
        from tnefparse import TNEF
    except ImportError:
        return [_with(att, problem("W506", file=att.name, detail="本机未安装 tnefparse"))]
    try:
        tnef = TNEF(att.data)
        found = list(tnef.attachments)
    except Exception as exc:  # noqa: BLE001 - tnefparse raises plain exceptions on bad input
        return [_with(att, problem("W506", file=att.name, detail=f"内容无法解析（{type(exc).__name__}）"))]
    out = []
    for a in found:
        try:
            raw_name = a.long_filename() if hasattr(a, "long_filename") else a.name
        except UnicodeDecodeError:  # tnefparse reads titles as UTF-8; Chinese Outlook writes GBK
            raw_name = getattr(a, "_name", b"")
        if isinstance(raw_name, bytes):
            raw_name = decode_bytes(raw_name.rstrip(b"\x00"))
        name, probs = tidy_name(str(raw_name or "").rstrip("\x00"))
        data = a.data if isinstance(a.data, bytes) else bytes(a.data or b"")
        out.append(Attachment(name or "附件.bin", data, "winmail.dat", att.problems + probs))
    if not out:
        return [_with(att, problem("W506", file=att.name, detail="其中没有附件"))]
    return out
