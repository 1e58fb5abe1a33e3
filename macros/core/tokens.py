"""Per-unit form tokens: an HMAC that ties a form to its campaign, unit and form version.

Pure functions, no I/O. The secret is per campaign and never leaves the master's folder
(see ``macros.adapters.secret``); a form carries only the token, so a unit cannot make a valid
form for another unit without the secret. The forms builder writes the token into the hidden
``_kexie`` sheet; the consolidation recomputes it from the form's own ``campaign_id``,
``unit_code`` and ``form_version`` and rejects the file when it differs (a forged form).

    token = hex(HMAC-SHA256(secret, f"{campaign_id}|{unit_code}|{form_version}".encode("utf-8")))[:32]
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

__all__ = ["TOKEN_LENGTH", "form_token", "verify_token", "token_message"]

TOKEN_LENGTH = 32  # hex characters kept (128 bits)


def token_message(campaign_id: str, unit_code: str, form_version: int) -> bytes:
    """The exact bytes signed for a form."""
    return f"{campaign_id}|{unit_code}|{int(form_version)}".encode("utf-8")


def form_token(secret: bytes, campaign_id: str, unit_code: str, form_version: int) -> str:
    """The token of the form of ``unit_code`` in ``campaign_id`` (32 lowercase hex characters)."""
    if not isinstance(secret, (bytes, bytearray)) or not secret:
        raise ValueError("secret must be non-empty bytes")
    if isinstance(form_version, bool) or not isinstance(form_version, int):
        raise TypeError("form_version must be an int")
    mac = hmac.new(bytes(secret), token_message(campaign_id, unit_code, form_version), hashlib.sha256)
    return mac.hexdigest()[:TOKEN_LENGTH]


def _as_version(value: Any) -> int | None:
    """A form version read back from a cell: 1, 1.0 and "1" are version 1; anything else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def verify_token(secret: bytes, campaign_id: str, unit_code: str, form_version: Any, token: Any) -> bool:
    """True when ``token`` is the token of (campaign_id, unit_code, form_version) under ``secret``.

    Tolerant of how a spreadsheet program hands values back (version 1.0 or "1", token with
    surrounding spaces or in upper case); the comparison itself is constant-time.
    """
    version = _as_version(form_version)
    if version is None or not isinstance(token, str) or not isinstance(campaign_id, str) \
            or not isinstance(unit_code, str):
        return False
    expected = form_token(secret, campaign_id, unit_code, version)
    given = token.strip().lower()
    return hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8", "replace"))
