"""The campaign mailbox settings of 设置 → servers to talk to, and sender → unit (pure).

* :func:`resolve` — 邮箱账号 (default 电子邮箱), 收件服务器 / 发件服务器 (``host`` or
  ``host:port``, a provider's name such as 腾讯企业邮, or blank for the provider of the
  address's domain: 163, 126, yeah.net, QQ/Foxmail, 139, 腾讯企业邮 exmail.qq.com), 加密方式
  (SSL — the default —, STARTTLS, 无; 无 only for a server on this machine). Raises
  :class:`SettingsError` (E509) with the fix.
* :func:`sender_units` — the roster's 电子邮箱 column (several addresses per unit, separated by
  ；;,、 or spaces) → unit codes per address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from macros.core.normalize import normalize_email

#: provider → (IMAP host, SMTP host), both with SSL on 993 / 465
PROVIDERS = {
    "163.com": ("imap.163.com", "smtp.163.com"),
    "126.com": ("imap.126.com", "smtp.126.com"),
    "yeah.net": ("imap.yeah.net", "smtp.yeah.net"),
    "qq.com": ("imap.qq.com", "smtp.qq.com"),
    "foxmail.com": ("imap.qq.com", "smtp.qq.com"),
    "vip.qq.com": ("imap.qq.com", "smtp.qq.com"),
    "139.com": ("imap.139.com", "smtp.139.com"),
    "exmail.qq.com": ("imap.exmail.qq.com", "smtp.exmail.qq.com"),
}
#: what staff write in 收件服务器/发件服务器 instead of a host name
PROVIDER_NAMES = {"网易": "163.com", "163": "163.com", "网易163": "163.com", "126": "126.com", "网易126": "126.com",
                  "yeah": "yeah.net", "qq": "qq.com", "qq邮箱": "qq.com", "139": "139.com", "移动139": "139.com",
                  "腾讯企业邮": "exmail.qq.com", "腾讯企业邮箱": "exmail.qq.com", "企业邮箱": "exmail.qq.com",
                  "exmail": "exmail.qq.com"}
SECURITY = {"ssl": "ssl", "ssl/tls": "ssl", "tls": "ssl", "ssl加密": "ssl", "starttls": "starttls",
            "无": "none", "不加密": "none", "none": "none", "明文": "none"}
PORTS = {("imap", "ssl"): 993, ("imap", "starttls"): 143, ("imap", "none"): 143,
         ("smtp", "ssl"): 465, ("smtp", "starttls"): 587, ("smtp", "none"): 25}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
SECURITY_ZH = {"ssl": "SSL", "starttls": "STARTTLS", "none": "无"}
_SPLIT_RE = re.compile(r"[；;,，、\s]+")


class SettingsError(ValueError):
    """The mailbox settings cannot be used; ``detail`` says what to fix (Chinese)."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    security: str  # ssl | starttls | none


@dataclass(frozen=True)
class MailSettings:
    account: str
    imap: Endpoint
    smtp: Endpoint
    folder: str = "INBOX"


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def is_local(host: str) -> bool:
    return host.lower() in LOCAL_HOSTS or host.startswith("127.")


def security_of(value: Any) -> str:
    text = _text(value).lower().replace(" ", "")
    if not text:
        return "ssl"
    if text not in SECURITY:
        raise SettingsError(f"加密方式“{_text(value)}”无法识别，请填写 SSL、STARTTLS 或 无。")
    return SECURITY[text]


def _endpoint(kind: str, value: Any, domain: str, security: str, label: str) -> Endpoint:
    text = _text(value)
    provider = PROVIDER_NAMES.get(text.lower().replace(" ", "")) or (text.lower() if text.lower() in PROVIDERS else None)
    if not text or provider:
        found = PROVIDERS.get(provider or domain)
        if found is None:
            raise SettingsError(f"无法根据邮箱域名“{domain}”确定{label}，请在“设置”的“{label}”中填写服务器地址"
                                f"（如 imap.example.com:993）。")
        host, port = found[0 if kind == "imap" else 1], None
    else:
        host, port = _host_port(text, label)
    if security == "none" and not is_local(host):
        raise SettingsError(f"加密方式“无”只能用于本机上的邮件服务器，{label} {host} 不在本机，"
                            "请改为 SSL 或 STARTTLS（邮箱服务商的说明中有端口号）。")
    return Endpoint(host, port or PORTS[(kind, security)], security)


def _host_port(text: str, label: str) -> tuple[str, int | None]:
    text = re.sub(r"^[a-z]+://", "", text.strip(), flags=re.IGNORECASE).rstrip("/")
    m = re.fullmatch(r"\[?([A-Za-z0-9.\-:]+?)\]?(?:[:：](\d{1,5}))?", text)
    if not m or (m.group(2) and not 0 < int(m.group(2)) < 65536):
        raise SettingsError(f"“{label}”的“{text}”不是有效的服务器地址，请填写如 imap.163.com 或 imap.163.com:993。")
    return m.group(1), int(m.group(2)) if m.group(2) else None


def resolve(settings: Mapping[str, Any]) -> MailSettings:
    """The mailbox of a campaign from its settings (schema keys), or SettingsError."""
    account_raw = _text(settings.get("mail_account")) or _text(settings.get("email"))
    if not account_raw:
        raise SettingsError("没有填写邮箱账号。请在“设置”的“邮箱账号”（或“电子邮箱”）中填写活动邮箱，如 ddkxxhb@163.com。")
    account = normalize_email(account_raw)
    if account is None:
        raise SettingsError(f"邮箱账号“{account_raw}”不是有效的电子邮箱地址。")
    domain = account.split("@", 1)[1]
    security = security_of(settings.get("mail_security"))
    imap = _endpoint("imap", settings.get("imap_server"), domain, security, "收件服务器")
    smtp = _endpoint("smtp", settings.get("smtp_server"), domain, security, "发件服务器")
    folder = _text(settings.get("mail_folder")) or "INBOX"
    return MailSettings(account, imap, smtp, folder)


def addresses(value: Any) -> list[str]:
    """The e-mail addresses in one cell (separated by ；;,、 or spaces), canonical, in order."""
    out = []
    for token in _SPLIT_RE.split(_text(value)):
        addr = normalize_email(token.strip("<>()（）"))
        if addr and addr not in out:
            out.append(addr)
    return out


def sender_units(rows: Iterable[tuple[Any, Any]]) -> dict[str, list[str]]:
    """(unit code, 电子邮箱 cell) rows → address → unit codes (more than one: ambiguous)."""
    out: dict[str, list[str]] = {}
    for code, cell in rows:
        code_t = _text(code)
        if not code_t:
            continue
        for addr in addresses(cell):
            units = out.setdefault(addr.lower(), [])
            if code_t not in units:
                units.append(code_t)
    return out
