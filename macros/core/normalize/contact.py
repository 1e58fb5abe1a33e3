"""Phone numbers, e-mail addresses, yes/no."""

from __future__ import annotations

import datetime as _dt
import math
import re
from functools import lru_cache
from typing import Any

from macros.core.normalize.numeric import _prep
from macros.core.normalize.text import _WS_RE, _display, name_key, nfkc


_PHONE_STRIP_RE = re.compile(r"[\s\-()\[\]（）.·/—_]+")


@lru_cache(maxsize=32768)
def _phone_cached(raw: str) -> str | None:
    s = _prep(raw)
    if s.startswith("+"):
        if not s.startswith("+86"):
            return None
        s = s[3:]
    s = _PHONE_STRIP_RE.sub("", s)
    if s.startswith("0086"):
        s = s[4:]
    if not s.isdigit() or not s.isascii():
        return None
    if len(s) == 13 and s.startswith("861"):
        s = s[2:]
    if len(s) == 11 and s[0] == "1" and s[1] in "3456789":
        return s
    if 7 <= len(s) <= 8 and s[0] != "0":
        return s
    if s[0] == "0" and len(s) >= 10 and s[1] != "0":
        area_len = 3 if s[1] in "12" else 4
        area, local = s[:area_len], s[area_len:]
        if 7 <= len(local) <= 8 and local[0] != "0":
            return f"{area}-{local}"
        return None
    if len(s) == 10 and s[:3] in ("400", "800"):
        return f"{s[:3]}-{s[3:6]}-{s[6:]}"
    return None


def normalize_phone(value: Any) -> str | None:
    """Canonical phone number, or ``None`` when the value is not one phone number.

    Spaces, dashes, brackets and a ``+86``/``0086`` prefix are removed. Accepted: local numbers
    of 7–8 digits (``2127152``), area code + local (``(0415) 212 7152`` → ``0415-2127152``),
    mobiles (11 digits starting with 1: ``138 0000 0000`` → ``13800000000``) and 400/800
    service numbers (``400-123-4567``). Excel numbers (``2127152.0``) are accepted.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return None
    if isinstance(value, (_dt.date, _dt.time, _dt.timedelta)):
        return None
    return _phone_cached(_display(value))


_EMAIL_RE = re.compile(
    r"(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)


@lru_cache(maxsize=32768)
def _email_cached(raw: str) -> str | None:
    s = nfkc(raw)
    if s.lower().startswith("mailto:"):
        s = s[7:]
    s = _WS_RE.sub("", s).replace("。", ".")
    if len(s) > 254:
        return None
    m = _EMAIL_RE.fullmatch(s)
    if not m:
        return None
    return f"{m.group('local')}@{m.group('domain').lower()}"


def normalize_email(value: Any) -> str | None:
    """Canonical e-mail address (NFKC, spaces removed, ``。`` → ``.``, domain lower-cased), or
    ``None`` when the value is not shaped like one address."""
    if value is None or not isinstance(value, str):
        return None
    return _email_cached(value)


_YES = {"是", "y", "yes", "true", "t", "1", "√", "✓", "✔", "对", "對", "有", "采纳", "採納"}
_NO = {"否", "n", "no", "false", "f", "0", "×", "✗", "✘", "x", "不", "不是", "无", "無", "未采纳"}


def parse_yesno(value: Any) -> str | None:
    """``"是"`` / ``"否"`` from 是/否, Y/N, yes/no, true/false, 1/0, √/×; ``None`` otherwise."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "是" if value == 1 else "否" if value == 0 else None
    if value is None:
        return None
    k = name_key(value)
    if k in _YES:
        return "是"
    if k in _NO:
        return "否"
    return None
