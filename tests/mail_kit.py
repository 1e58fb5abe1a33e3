"""Raw e-mail messages as Chinese mailers write them, byte for byte (for the mail tests).

Each ``NAME_FORMS`` entry is the Content-Disposition (and Content-Type) header text one mailer
family writes for the attachment name ``expected``: RFC 2047 in GBK, GB2312-labelled GBK,
GB18030 and UTF-8 (split mid-character), RFC 2231 with and without continuations, raw 8-bit
GBK and UTF-8 bytes, a name only in Content-Type, and a name with a bidi override.
"""

from __future__ import annotations

import base64
import io
import zipfile
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone
from urllib.parse import quote_from_bytes

NAME = "丹东市科协计策报送表.xlsx"
GBK_ONLY = "关于喆祎镕的建议.docx"  # 喆 祎 镕 are GBK but not GB2312
BIDI_NAME = "报送\u202excod.exe"  # shows as 报送exe.docx


def _b(text: str, cs: str) -> str:
    return base64.b64encode(text.encode(cs)).decode("ascii")


def _rfc2231(text: str, cs: str) -> str:
    return quote_from_bytes(text.encode(cs), safe="")


def name_forms() -> dict[str, tuple[bytes, str]]:
    """form → (the part's header lines as bytes, the expected decoded name)."""
    utf8 = NAME.encode("utf-8")
    half = 7  # inside the third character's bytes: mailers split encoded words anywhere
    split = (f'=?UTF-8?B?{base64.b64encode(utf8[:half]).decode()}?= '
             f'=?UTF-8?B?{base64.b64encode(utf8[half:]).decode()}?=')
    enc = _rfc2231(NAME, "utf-8")
    return {
        "rfc2047_gbk": (f'Content-Disposition: attachment; filename="=?GBK?B?{_b(NAME, "gbk")}?="'.encode(), NAME),
        "rfc2047_gb2312_label_gbk_text": (
            f'Content-Disposition: attachment;\r\n\tfilename="=?gb2312?B?{_b(GBK_ONLY, "gbk")}?="'.encode(), GBK_ONLY),
        "rfc2047_gb18030": (
            f'Content-Disposition: attachment; filename="=?GB18030?B?{_b(NAME, "gb18030")}?="'.encode(), NAME),
        "rfc2047_utf8_split": (f'Content-Disposition: attachment;\r\n filename="{split}"'.encode(), NAME),
        "rfc2047_q_gbk": (
            ('Content-Disposition: attachment; filename="=?gbk?Q?' +
             "".join(f"={b:02X}" for b in NAME.encode("gbk")[:-5]) + '.xlsx?="').encode(), NAME),
        "rfc2231_gbk": (f"Content-Disposition: attachment; filename*=GBK''{_rfc2231(NAME, 'gbk')}".encode(), NAME),
        "rfc2231_utf8_continued": (
            (f"Content-Disposition: attachment;\r\n filename*0*=UTF-8''{enc[:30]};\r\n"
             f" filename*1*={enc[30:]}").encode(), NAME),
        "raw_8bit_gbk": (b'Content-Disposition: attachment; filename="' + NAME.encode("gbk") + b'"', NAME),
        "raw_8bit_utf8": (b'Content-Disposition: attachment; filename="' + NAME.encode("utf-8") + b'"', NAME),
        "content_type_name_only": (
            (f'Content-Type: application/octet-stream; name="=?GBK?B?{_b(NAME, "gbk")}?="').encode(), NAME),
        "bidi_override": (
            f'Content-Disposition: attachment; filename="=?UTF-8?B?{_b(BIDI_NAME, "utf-8")}?="'.encode(),
            "报送xcod.exe"),
    }


def message(attachments: list[tuple[bytes, bytes]] = (), *, sender: str = "xuehui@example.org",
            subject: str = "报送计策", msgid: str | None = None, body: str = "请查收附件。",
            body_charset: str = "utf-8", in_reply_to: str | None = None, date: datetime | None = None) -> bytes:
    """A multipart/mixed message; ``attachments`` are (header lines naming the file, data)."""
    boundary = "----=_kexie_test_boundary"
    msgid = msgid or make_msgid(domain="example.org")
    date = date or datetime(2026, 10, 12, 9, 30, tzinfo=timezone.utc)
    subj = f"=?UTF-8?B?{_b(subject, 'utf-8')}?="
    head = [f"From: =?UTF-8?B?{_b('学会办公室', 'utf-8')}?= <{sender}>", "To: ddkxxhb@example.org",
            f"Subject: {subj}", f"Date: {format_datetime(date)}", f"Message-ID: {msgid}", "MIME-Version: 1.0"]
    if in_reply_to:
        head.append(f"In-Reply-To: {in_reply_to}")
    head.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
    out = io.BytesIO()
    out.write("\r\n".join(head).encode("ascii") + b"\r\n\r\n")
    out.write(f"--{boundary}\r\nContent-Type: text/plain; charset={body_charset}\r\n"
              "Content-Transfer-Encoding: base64\r\n\r\n".encode())
    out.write(base64.encodebytes(body.encode(body_charset)).replace(b"\n", b"\r\n"))
    for header, data in attachments:
        out.write(f"\r\n--{boundary}\r\n".encode())
        if not header.lower().startswith(b"content-type"):
            out.write(b"Content-Type: application/octet-stream\r\n")
        out.write(header + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
        out.write(base64.encodebytes(data).replace(b"\n", b"\r\n"))
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue()


def attachment(name: str, data: bytes) -> tuple[bytes, bytes]:
    """A plain RFC 2231 UTF-8 named attachment (what current webmail writes)."""
    return (f"Content-Disposition: attachment; filename*=UTF-8''{_rfc2231(name, 'utf-8')}".encode(), data)


class _GbkInfo(zipfile.ZipInfo):
    """A member whose name is written in GBK without the UTF-8 flag (Windows' compressed folder)."""

    def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's name
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def zip_bytes(members: dict[str, bytes], utf8_names: bool = False) -> bytes:
    """A ZIP as Windows' compressed folder writes it: member names in GBK without the UTF-8 flag
    (unless ``utf8_names``)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            cls = zipfile.ZipInfo if utf8_names else _GbkInfo
            info = cls(name, date_time=(2026, 10, 12, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def submission_body() -> str:
    return ("各位领导：\n现报送我会计策一篇。\n\n题目：关于加快丹东港物流园区建设的建议\n"
            "献策人：王建国\n工作单位：丹东市物流学会\n职务：秘书长\n联系电话：13904150000\n"
            "正文：丹东港是东北东部重要的出海口……\n")


def tnef_bytes(files: dict[str, bytes], codepage: str = "gbk") -> bytes:
    """A winmail.dat (TNEF) as Outlook writes it: one rendering/title/data attribute group per
    attachment, titles in the sender's ANSI code page."""
    import struct

    def attr(level: int, name: int, kind: int, data: bytes) -> bytes:
        return struct.pack("<BHHI", level, name, kind, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)

    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += attr(1, 0x9006, 0x0006, struct.pack("<I", 0x00010000))  # attTnefVersion
    for name, data in files.items():
        out += attr(2, 0x9002, 0x0006, b"\x01\x00" + b"\xff" * 12)  # attAttachRendData
        out += attr(2, 0x8010, 0x0001, name.encode(codepage) + b"\x00")  # attAttachTitle
        out += attr(2, 0x800F, 0x0006, data)  # attAttachData
    return out
