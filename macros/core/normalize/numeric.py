"""Numbers: Arabic and Chinese numerals, 万/亿 multipliers, quantities with units."""

from __future__ import annotations

import datetime as _dt
import math
import re
from functools import lru_cache
from numbers import Real
from typing import Any

from macros.core.normalize.text import _WS_RE, _display, fix_letter_digits, nfkc


_CN_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
    "三": 3, "叁": 3, "參": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_CN_ALL = "".join(_CN_DIGITS) + "".join(_CN_UNITS) + "".join(_CN_BIG)
# Units where 千 is the SI prefix "kilo", not the multiplier "thousand" (5千克 = 5 kg).
_KILO_UNITS = "克米瓦焦帕卡赫伏"


def _cn_int(s: str) -> int | None:
    """Chinese numeral → int: 六十 → 60, 二十万 → 200000, 一百零五 → 105, 二〇一〇 → 2010."""
    if not s:
        return None
    if all(ch in _CN_DIGITS for ch in s):
        if len(s) > 1 and s[0] in "零〇○" and len(s) > 4:
            return None
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    total = 0
    section = 0
    number: int | None = None
    last_unit = 0
    zero_seen = False
    prev_was_digit = False
    for ch in s:
        if ch in _CN_DIGITS:
            d = _CN_DIGITS[ch]
            if prev_was_digit and number not in (0, None):
                return None  # 二三 without a unit between
            if d == 0:
                zero_seen = True
            number = d
            prev_was_digit = True
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if number is None:
                if unit == 10 and not prev_was_digit:
                    number = 1  # 十五 = 15, 二百十 (rare) = 210
                else:
                    return None
            if last_unit and unit >= last_unit and last_unit < 10**4 and section:
                return None  # 十百 / 百百: units must decrease inside a section
            section += number * unit
            number = None
            last_unit = unit
            zero_seen = False
            prev_was_digit = False
        else:  # 万 / 亿
            big = _CN_BIG[ch]
            if number is not None:
                section += number
                number = None
            if section == 0 and total == 0:
                return None
            if big == 10**8:
                total = (total + section) * big
            else:
                if section == 0:
                    total *= big  # 一亿万 (rare)
                else:
                    total += section * big
            section = 0
            last_unit = big
            zero_seen = False
            prev_was_digit = False
    if number is not None:
        if last_unit >= 100 and not zero_seen:
            number *= last_unit // 10  # colloquial 一百五 = 150, 三万五 = 35000
        section += number
    return total + section


_NUM_CORE_RE = re.compile(
    r"(?P<sign>[+-]?)"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)"
    r"(?P<mult>[百千万亿萬億]*)"
)
_CN_NUM_RE = re.compile(r"(?P<sign>[+-]?)(?P<int>[%s]+)(?:[点點](?P<frac>[%s]+))?" % (
    _CN_ALL, "".join(_CN_DIGITS)))
_MULT = {"百": 100, "千": 1000, "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}


def _apply_mult(num: str, mult: str, sign: str) -> int | float:
    n: int | float
    if "." in num:
        n = float(num.replace(",", ""))
    else:
        n = int(num.replace(",", ""))
    factor = 1
    for ch in mult:
        factor *= _MULT[ch]
    if isinstance(n, float) and factor != 1:
        # keep 1.5万 exact: 1.5 * 10000 = 15000.0
        n = float(round(n * factor, 10))
        if n.is_integer():
            n = int(n)
    else:
        n = n * factor
    return -n if sign == "-" else n


def _cn_number(m: re.Match) -> int | float | None:
    n = _cn_int(m.group("int"))
    if n is None:
        return None
    frac = m.group("frac")
    if frac:
        val: int | float = float(f"{n}." + "".join(str(_CN_DIGITS[c]) for c in frac))
    else:
        val = n
    return -val if m.group("sign") == "-" else val


def _prep(value: Any) -> str:
    s = nfkc(value)
    if not s:
        return s
    s = s.replace("\u2212", "-").replace("\u2014", "-") if ("\u2212" in s or "\u2014" in s) else s
    return fix_letter_digits(s)


def _number_from_str(s: str) -> int | float | None:
    """A whole string that is a number (Arabic or Chinese, optional 万/亿 multipliers)."""
    s = _WS_RE.sub("", s)
    if not s:
        return None
    m = _NUM_CORE_RE.fullmatch(s)
    if m:
        if m.group("num") == ".":
            return None
        return _apply_mult(m.group("num"), m.group("mult"), m.group("sign"))
    m = _CN_NUM_RE.fullmatch(s)
    if m:
        return _cn_number(m)
    return None


@lru_cache(maxsize=32768)
def _number_cached(s: str) -> int | float | None:
    try:
        return _number_from_str(_prep(s))
    except Exception:  # pragma: no cover - defensive: parsers never raise
        return None


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Real) and not isinstance(value, (str, bytes)):
        try:
            f = float(value)
        except (TypeError, ValueError, OverflowError):
            return None
        return f if math.isfinite(f) else None
    if isinstance(value, (_dt.date, _dt.time, _dt.timedelta)):
        return None
    return _number_cached(_display(value))


def parse_number(value: Any) -> float | None:
    """A number as ``float``, or ``None`` when the value is not a number.

    Accepts ints and floats (not bool), full-width digits, thousands separators (``1,000``),
    letters typed for digits (``l2``), 万/亿 multipliers (``20万``, ``1.5亿``) and Chinese
    numerals (``六十``, ``二十万``, ``一百``, ``三点五``). A trailing unit (``六十个``) makes it
    ``None`` here — use :func:`parse_quantity` to read a number with its unit.
    """
    n = _number(value)
    if n is None:
        return None
    try:
        f = float(n)
    except OverflowError:
        return None
    return f if math.isfinite(f) else None


def parse_int(value: Any) -> int | None:
    """An integer, or ``None`` (not a number, or not a whole number: ``3.5``).

    Same inputs as :func:`parse_number`; ``3.0`` and ``"3.0"`` give 3.
    """
    n = _number(value)
    if n is None:
        return None
    if isinstance(n, int):
        return n
    if math.isfinite(n) and n.is_integer():
        return int(n)
    return None


_QTY_PREFIX_RE = re.compile(
    r"^(?:大约|约|近|超过|不少于|不低于|不超过|不多于|达到|达|共计|共|合计|总计|计|≥|≤|>=|<=|>|<)+"
)
_QTY_SUFFIX_RE = re.compile(r"(?:及以上|以上|以下|以内|左右|上下|之内|[，。；;,.!！、])+$")
_QTY_RE = re.compile(
    r"(?P<sign>[+-]?)"
    r"(?:(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)|(?P<cn>[%s]+(?:[点點][%s]+)?))"
    r"(?P<q1>[余多来]?)(?P<mult>[百千万亿萬億]*)(?P<q2>[余多]?)(?P<rest>.*)" % (
        _CN_ALL, "".join(_CN_DIGITS)),
    re.S,
)


@lru_cache(maxsize=32768)
def _quantity_cached(raw: str) -> tuple[float | None, str]:
    s = _prep(raw)
    s = _QTY_PREFIX_RE.sub("", s).strip()
    currency = False
    if s[:1] in ("¥", "￥"):
        currency = True
        s = s[1:].strip()
    m = _QTY_RE.match(s)
    if not m:
        return None, ""
    mult, rest = m.group("mult"), m.group("rest")
    cn = m.group("cn")
    if cn is not None:
        # 一千克: 千 is "kilo" when a unit follows it
        if cn.endswith(("千", "仟")) and rest[:1] in _KILO_UNITS and not mult:
            cn, rest = cn[:-1], cn[-1] + rest
        n = _cn_number(_CN_NUM_RE.fullmatch(m.group("sign") + cn)) if cn else None
        if n is None:
            return None, ""
        if mult:
            n = _apply_mult(str(abs(n)), mult, "-" if n < 0 else "")
    else:
        if mult.endswith("千") and rest[:1] in _KILO_UNITS:
            mult, rest = mult[:-1], "千" + rest
        n = _apply_mult(m.group("num"), mult, m.group("sign"))
    unit = _QTY_SUFFIX_RE.sub("", rest.strip()).strip()
    if unit.startswith(("余", "多")):
        unit = unit[1:].strip()
    if any(ch.isdigit() for ch in unit) or any(ch in _CN_DIGITS for ch in unit[:1]):
        return None, ""  # a range (1-2个) or more numbers: not one quantity
    if currency and not unit:
        unit = "元"
    try:
        f = float(n)
    except OverflowError:
        return None, ""
    if not math.isfinite(f):
        return None, ""
    return f, unit


def parse_quantity(value: Any) -> tuple[float | None, str]:
    """A number and its unit, with 万/亿/千 multipliers applied.

    ``"20万人次"`` → ``(200000.0, "人次")``, ``"100万元以上"`` → ``(1000000.0, "元")``,
    ``"六十个"`` → ``(60.0, "个")``, ``"60个以上"`` → ``(60.0, "个")``, ``1000`` → ``(1000.0, "")``.
    Qualifiers such as 约/超过 before and 以上/以下/左右 after are dropped. Not a quantity →
    ``(None, "")``.
    """
    if isinstance(value, bool) or value is None:
        return None, ""
    if isinstance(value, (int, float)) or (isinstance(value, Real) and not isinstance(value, str)):
        n = parse_number(value)
        return (n, "") if n is not None else (None, "")
    if isinstance(value, (_dt.date, _dt.time, _dt.timedelta)):
        return None, ""
    try:
        return _quantity_cached(_display(value))
    except Exception:  # pragma: no cover - defensive
        return None, ""
