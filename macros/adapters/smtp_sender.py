"""Sending receipts over SMTP (smtplib): SSL, STARTTLS, or plain only to a server on this machine.

``send(config, message)`` logs in with the campaign account and sends one prepared message;
any failure raises :class:`SendError` with a Chinese ``detail`` (the caller leaves the receipt
pending for the next run). The password is never logged or shown.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage

from macros.adapters.mailbox import MailConfig

TIMEOUT = 30.0


class SendError(Exception):
    def __init__(self, detail: str, permanent: bool = False):
        super().__init__(detail)
        self.detail = detail
        self.permanent = permanent  # the server refused this message (5xx), not a passing failure


def _connect(config: MailConfig, timeout: float) -> smtplib.SMTP:
    srv = config.smtp
    if srv.security == "ssl":
        return smtplib.SMTP_SSL(srv.host, srv.port, timeout=timeout, context=config.ssl_context())
    client = smtplib.SMTP(srv.host, srv.port, timeout=timeout)
    if srv.security == "starttls":
        client.starttls(context=config.ssl_context())
    return client


def send(config: MailConfig, message: EmailMessage, timeout: float = TIMEOUT) -> None:
    """Send ``message`` from the campaign account to its To addresses."""
    try:
        with _connect(config, timeout) as client:
            client.login(config.account, config.password)
            client.send_message(message, from_addr=config.account)
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"发件服务器拒绝登录：{exc.smtp_code}，请确认已开启 SMTP 服务并使用客户端授权码") from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = "；".join(f"{addr} {code}" for addr, (code, _m) in exc.recipients.items())
        raise SendError(f"收件人被拒绝：{codes}", permanent=True) from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        full = " 邮箱空间已满" if exc.smtp_code in (452, 552) else ""
        raise SendError(f"发件服务器回复 {exc.smtp_code} {text[:120]}{full}", permanent=500 <= exc.smtp_code < 600) \
            from None
    except ssl.SSLError as exc:
        raise SendError(f"与发件服务器 {config.smtp.host}:{config.smtp.port} 加密连接失败：{exc.reason or exc}") from None
    except (socket.timeout, OSError, smtplib.SMTPException) as exc:
        raise SendError(f"无法连接发件服务器 {config.smtp.host}:{config.smtp.port}：{exc or type(exc).__name__}") from None
