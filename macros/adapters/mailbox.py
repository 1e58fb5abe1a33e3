"""The campaign mailbox over IMAP (imapclient): log in, identify, select, fetch without marking read.

``Mailbox(config).open()`` connects (SSL, STARTTLS, or plain only to a server on this machine),
logs in, sends the RFC 2971 ``ID`` when the server advertises it (163.com and its family refuse
SELECT with "Unsafe Login" otherwise), and selects the folder read-only. Then:

* ``uidvalidity`` — the folder's UIDVALIDITY;
* ``uids_after(uid)`` — the UIDs above ``uid`` (what arrived since the last run);
* ``message_ids(uids)`` — the Message-ID header of each UID (``BODY.PEEK[HEADER.FIELDS …]``),
  to recognise messages again after a UIDVALIDITY reset;
* ``fetch(uids)`` — raw bytes of each message (``BODY.PEEK[]``: messages stay unread), in
  batches so memory stays flat in the number of messages.

Every failure of the server conversation becomes a :class:`MailError` — a Chinese message
saying what to check, with a stable code (E501 unreachable, E502 login refused, E503 TLS, E504
mailbox full, E505 folder refused) and exit code 2. The password is never logged or shown.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from typing import Iterator, Sequence

from macros.errors import ConfigError
from macros.problems import problem

FETCH_BATCH = 50
TIMEOUT = 30.0
CLIENT_ID = {"name": "kexie", "version": "0.1", "vendor": "kexie", "support-email": "noreply@kexie.invalid"}


class MailError(ConfigError):
    """A mail server problem a person must fix (exit code 2); ``code`` is E501–E510."""

    def __init__(self, code: str, **fields):
        self.code = code
        self.problem = problem(code, **fields)
        super().__init__(f"{code} {self.problem.message}")


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    security: str  # "ssl" | "starttls" | "none"

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class MailConfig:
    account: str
    password: str
    imap: Server
    smtp: Server
    folder: str = "INBOX"
    cafile: str | None = None  # a CA for a server with its own certificate (tests, intranets)

    def __repr__(self) -> str:  # never show the password
        return f"MailConfig(account={self.account!r}, imap={self.imap}, smtp={self.smtp}, folder={self.folder!r})"

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile) if self.cafile else ssl.create_default_context()


def _detail(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:200]


def classify(exc: BaseException, config: MailConfig, server: Server, stage: str) -> MailError:
    """The MailError for an exception raised while talking to ``server`` at ``stage``
    ("connect", "login", "select", "fetch")."""
    text = _detail(exc)
    low = text.lower()
    if "overquota" in low or "quota" in low or "mailbox full" in low or "空间" in text:
        return MailError("E504", account=config.account, detail=text)
    if isinstance(exc, ssl.SSLError) or isinstance(exc, ssl.CertificateError) or "ssl" in low or "tls" in low:
        return MailError("E503", server=server.label, detail=text)
    if stage == "connect" or isinstance(exc, (socket.timeout, ConnectionError, socket.gaierror, OSError)) \
            and not _is_imap_error(exc):
        return MailError("E501", server=server.label, detail=text)
    if stage == "login":
        return MailError("E502", account=config.account, detail=text)
    return MailError("E505", account=config.account, folder=config.folder, detail=text)


def _is_imap_error(exc: BaseException) -> bool:
    from imapclient.exceptions import IMAPClientError

    return isinstance(exc, IMAPClientError)


class Mailbox:
    """One IMAP session on the campaign folder (a context manager)."""

    def __init__(self, config: MailConfig, timeout: float = TIMEOUT):
        self.config = config
        self.timeout = timeout
        self.client = None
        self.uidvalidity: int = 0
        self.exists: int = 0
        self.sent_id = False

    def __enter__(self) -> "Mailbox":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    def open(self) -> "Mailbox":
        from imapclient import IMAPClient

        cfg, srv = self.config, self.config.imap
        try:
            self.client = IMAPClient(srv.host, port=srv.port, ssl=srv.security == "ssl",
                                     ssl_context=cfg.ssl_context() if srv.security == "ssl" else None,
                                     timeout=self.timeout)
            if srv.security == "starttls":
                self.client.starttls(cfg.ssl_context())
        except Exception as exc:  # noqa: BLE001 - socket, ssl and IMAP errors alike
            raise classify(exc, cfg, srv, "connect") from None
        try:
            self.client.login(cfg.account, cfg.password)
        except Exception as exc:  # noqa: BLE001
            raise classify(exc, cfg, srv, "login") from None
        try:
            if self.client.has_capability("ID"):
                self.client.id_(CLIENT_ID)
                self.sent_id = True
            info = self.client.select_folder(cfg.folder, readonly=True)
        except Exception as exc:  # noqa: BLE001
            raise classify(exc, cfg, srv, "select") from None
        self.uidvalidity = int(info.get(b"UIDVALIDITY", 0) or 0)
        self.exists = int(info.get(b"EXISTS", 0) or 0)
        return self

    def close(self) -> None:
        if self.client is None:
            return
        try:
            self.client.logout()
        except Exception:  # noqa: BLE001 - the session is over either way
            try:
                self.client.shutdown()
            except Exception:  # noqa: BLE001
                pass
        self.client = None

    def _call(self, fn, *args):
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001
            raise classify(exc, self.config, self.config.imap, "fetch") from None

    def uids_after(self, uid: int) -> list[int]:
        """UIDs greater than ``uid``, ascending (``n:*`` also names the last message: dropped)."""
        if self.exists == 0:
            return []
        found = self._call(self.client.search, ["UID", f"{uid + 1}:*"])
        return sorted(u for u in found if u > uid)

    def message_ids(self, uids: Sequence[int]) -> dict[int, str | None]:
        """The Message-ID of each UID, from its header only (the message stays unread)."""
        from macros.core.mail_parse import message_id_of

        out: dict[int, str | None] = {}
        key = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"
        for start in range(0, len(uids), 500):
            chunk = list(uids[start:start + 500])
            got = self._call(self.client.fetch, chunk, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
            for uid, data in got.items():
                raw = data.get(key) or b""
                text = raw.decode("ascii", errors="replace").split(":", 1)[-1] if raw else ""
                out[uid] = message_id_of(text)
        return out

    def fetch(self, uids: Sequence[int], batch: int = FETCH_BATCH) -> Iterator[tuple[int, bytes]]:
        """(uid, raw message) for each UID, in UID order, ``batch`` messages per round trip."""
        for start in range(0, len(uids), batch):
            chunk = list(uids[start:start + batch])
            got = self._call(self.client.fetch, chunk, ["BODY.PEEK[]"])
            for uid in chunk:
                data = got.get(uid)
                if data is None:
                    continue  # expunged meanwhile
                yield uid, bytes(data.get(b"BODY[]") or b"")
            del got
