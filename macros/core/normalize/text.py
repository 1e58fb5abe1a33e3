"""Text: how a cell reads to a person, NFKC, Traditional → Simplified, matching keys and
letters typed for digits."""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from typing import Any


def _display(value: Any) -> str:
    """The text a person sees for a cell value (integral floats without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)


def display_text(value: Any) -> str | None:
    """Text as staff typed it (Chinese punctuation kept), stripped; None when blank.

    A number cell read as 101.0 gives "101" (codes and phone numbers typed as numbers).
    Matching uses ``name_key``; this is for showing and storing.
    """
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def nfkc(value: Any) -> str:
    """``str(value)`` in Unicode NFKC form, stripped; ``None`` → ``""``.

    NFKC turns full-width digits, letters and punctuation into half-width ones (``１２`` → ``12``,
    ``（`` → ``(``). An integral float renders without ``.0`` (Excel delivers ``1001`` typed in a
    cell as ``1001.0``), so codes and numbers read from cells compare as staff see them.
    """
    s = _display(value)
    if s.isascii():
        return s.strip()
    for _ in range(4):
        if not unicodedata.is_normalized("NFKC", s):
            s = unicodedata.normalize("NFKC", s)
        t = s.strip()
        if t == s:
            break
        s = t
    return s


@lru_cache(maxsize=1)
def _t2s_converter():
    from opencc import OpenCC

    conv = OpenCC("t2s")
    conv.convert("")  # load the dictionaries now
    trigger: set[str] = set()
    phrases, chars = conv._dict_chain_data[0][0][2], conv._dict_chain_data[0][1][2]
    for key in chars:
        trigger.update(key)
    # A few phrase entries change characters that are not traditional on their own (沈默 → 沉默).
    for key, val in phrases.items():
        if key != val.split(" ")[0] and not any(ch in trigger for ch in key):
            trigger.update(key)
    # A character class of every BMP character the tables can change (a bitmap: one fast C scan
    # per string); the few astral ones are checked separately, only in strings that have any.
    bmp_re = re.compile("[" + "".join(re.escape(ch) for ch in sorted(trigger) if ch <= "\uffff") + "]")
    astral = frozenset(ch for ch in trigger if ch > "\uffff")

    def has_trigger(s: str) -> bool:
        if bmp_re.search(s):
            return True
        return bool(astral) and max(s, default="") > "\uffff" and not astral.isdisjoint(s)

    return conv, has_trigger


@lru_cache(maxsize=65536)
def _to_simplified_str(s: str) -> str:
    conv, has_trigger = _t2s_converter()
    for _ in range(4):  # t2s is not idempotent for a handful of characters (薴 → 苧 → 苎)
        if not has_trigger(s):
            return s
        try:
            t = conv.convert(s)
        except Exception:  # the reimplementation is not ours; never fail on odd input
            return s
        if t == s:
            return s
        s = t
    return s


def to_simplified(s: Any) -> str:
    """Traditional → Simplified Chinese (OpenCC ``t2s``); other characters unchanged.

    The converter is built once, lazily. Strings without any traditional character are returned
    as they are without calling the converter.
    """
    s = _display(s)
    if s.isascii():
        return s
    return _to_simplified_str(s)


_BRACKETS = str.maketrans({"（": "(", "）": ")", "﹙": "(", "﹚": ")", "〔": "(", "〕": ")"})
_WS_RE = re.compile(r"\s+")


def _name_key_step(s: str) -> str:
    s = nfkc(s)
    s = _WS_RE.sub("", s)
    s = to_simplified(s)
    s = s.translate(_BRACKETS)
    return s.casefold()


def _is_key(t: str) -> bool:
    """Whether ``_name_key_step(t) == t`` (checked with C-level scans only)."""
    return (
        unicodedata.is_normalized("NFKC", t)
        and not _WS_RE.search(t)
        and not _t2s_converter()[1](t)
        and "〔" not in t and "〕" not in t
        and t.casefold() == t
    )


@lru_cache(maxsize=131072)
def _name_key_str(s: str) -> str:
    if s.isascii():
        return "".join(s.split()).casefold()
    for _ in range(5):
        t = _name_key_step(s)
        if t == s or _is_key(t):
            return t
        s = t
    return s


def name_key(value: Any) -> str:
    """Matching key for unit names, people and vocabulary values.

    NFKC, all whitespace removed (including U+3000), Traditional → Simplified, brackets
    （） → (), case-folded. Idempotent: ``name_key(name_key(x)) == name_key(x)``.
    ``"丹东市醫學會 "`` and ``"丹东市医学会"`` have the same key.
    """
    return _name_key_str(_display(value))


_LETTER_DIGITS = str.maketrans({"l": "1", "I": "1", "O": "0", "o": "0"})
_ALNUM_RUN_RE = re.compile(r"[0-9A-Za-z]+")
_DIGITLIKE_RE = re.compile(r"[0-9lIOo]+")


def _fix_run(m: re.Match) -> str:
    run = m.group(0)
    if run.isdigit() or not _DIGITLIKE_RE.fullmatch(run) or not any(c.isdigit() for c in run):
        return run
    return run.translate(_LETTER_DIGITS)


def fix_letter_digits(s: Any) -> str:
    """Letters typed for digits inside numbers: ``l0`` → ``10``, ``l2`` → ``12``, ``1O`` → ``10``.

    A maximal run of ASCII letters and digits is fixed only when it contains at least one digit
    and its only letters are ``l``, ``I``, ``O`` or ``o`` (which then sit next to a digit or to
    another such letter that does). Words are left alone: ``H2O``, ``CO2``, ``Level 10``.
    """
    s = _display(s)
    if not any(c in "lIOo" for c in s):
        return s
    return _ALNUM_RUN_RE.sub(_fix_run, s)
