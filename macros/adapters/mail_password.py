"""The mailbox password (客户端授权码): environment variable ``KEXIE_MAIL_PASSWORD``, else the OS
keyring (service ``kexie-mail``, user = the account) when the ``keyring`` package is usable.

Never from the workbook, never logged: callers get the string and pass it to the servers only.
"""

from __future__ import annotations

import os

ENV = "KEXIE_MAIL_PASSWORD"
KEYRING_SERVICE = "kexie-mail"


def mail_password(account: str) -> str | None:
    value = os.environ.get(ENV)
    if value:
        return value
    try:
        import keyring
        from keyring.errors import KeyringError
    except Exception:  # noqa: BLE001 - keyring missing or broken: the environment is the way
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, account) or None
    except (KeyringError, RuntimeError, OSError):
        return None
