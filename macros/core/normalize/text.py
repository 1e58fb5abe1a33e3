"""Text: how a cell reads to a person, NFKC, Traditional → Simplified, matching keys and
letters typed for digits."""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from functools import lru_cache
from typing import Any


def display_text(value: Any) -> str | None:
    """Text as the person sees it in the cell, stripped; ``None`` when blank.

    The one definition every module uses for showing, storing and comparing typed text: a number
    cell read as ``101.0`` gives ``"101"`` (codes and phone numbers typed as numbers), NaN/NaT and
    infinities are blank, a date reads ``2010-10-20`` and a date with a time ``2010-10-20 09:30``.
    Matching uses ``name_key``; Chinese punctuation is kept as typed.
    """
    if value is None:
        return None
    cls = value.__class__
    if cls is str:
        return value.strip() or None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer():
            return str(int(value))
    elif isinstance(value, _dt.datetime):
        if value != value:  # NaT
            return None
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != _dt.time() else value.date().isoformat()
    elif isinstance(value, _dt.date):
        return value.isoformat()
    return str(value).strip() or None


def text_or_blank(value: Any) -> str:
    """``display_text``, with ``""`` for a blank cell (what a document or a message prints)."""
    return display_text(value) or ""


def _display(value: Any) -> str:
    """The cell's text before stripping (``""`` for None; integral floats without ``.0``): what
    keys are computed from and what ``coerce`` compares with to tell whether a value changed."""
    if value is None:
        return ""
    if value.__class__ is str:
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)


# Characters that change how text reads without being seen: bidi embeddings, overrides and
# isolates (U+202A–202E, U+2066–2069), directional marks (U+200E/F), zero-width space and
# joiners (U+200B–200D) and the byte-order mark / zero-width no-break space (U+FEFF).
INVISIBLE = ("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
             "\u2066\u2067\u2068\u2069\ufeff")
# Line breaks Excel and Word do not show as such (line/paragraph separator, NEL): read as "\n".
LINE_BREAKS = "\u2028\u2029\x85"
_INVISIBLE_RE = re.compile("[" + INVISIBLE + LINE_BREAKS + "]")
_CLEAN_TABLE = str.maketrans({**{ch: None for ch in INVISIBLE}, **{ch: "\n" for ch in LINE_BREAKS}})


def clean_text(text: str) -> tuple[str, bool]:
    """``text`` without invisible control characters (``INVISIBLE`` removed, ``LINE_BREAKS`` read
    as ``"\n"``), and whether anything was changed. Applied to everything taken in (form cells,
    Word documents, mail headers), so a hidden U+202E cannot make a 题目 read backwards."""
    if text.isascii() or not _INVISIBLE_RE.search(text):
        return text, False
    return text.translate(_CLEAN_TABLE), True


def invisible_chars(text: str) -> list[str]:
    """The invisible characters of ``text`` as ``U+XXXX``, each once, in order of appearance."""
    return list(dict.fromkeys(f"U+{ord(ch):04X}" for ch in _INVISIBLE_RE.findall(text)))


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
    s = nfkc(s.translate(_CLEAN_TABLE))
    s = _WS_RE.sub("", s)
    s = to_simplified(s)
    s = s.translate(_BRACKETS)
    return s.casefold()


def _is_key(t: str) -> bool:
    """Whether ``_name_key_step(t) == t`` (checked with C-level scans only)."""
    return (
        unicodedata.is_normalized("NFKC", t)
        and not _WS_RE.search(t)
        and not _INVISIBLE_RE.search(t)
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

    NFKC, all whitespace and invisible characters removed (U+3000, zero-width, bidi controls),
    Traditional → Simplified, brackets （） → (), case-folded. Idempotent: ``name_key(name_key(x)) == name_key(x)``.
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
