"""Normalisation of values typed by people in Chinese offices.

Pure functions, no I/O. They are shared by validation (issue 3) and by the consolidation of
returned forms (issue 4). Every ``parse_*`` / ``normalize_*`` function accepts any value and
never raises: a value that cannot be read returns ``None`` (or ``(None, "")``).

The normalised values are used for *matching* and offered as *suggestions*; staff values in
staff sheets are never overwritten with them.

What is handled
---------------
* Width and compatibility forms: Unicode NFKC turns full-width digits, letters and ASCII
  punctuation (``１２３``, ``ＡＢＣ``, ``（）``, ``，``) into their half-width forms.
* Whitespace inside names (``丹东市 医学会``, ideographic space U+3000) for matching keys.
* Traditional → Simplified Chinese for matching (``丹東市醫學會`` ≙ ``丹东市医学会``), via
  OpenCC's ``t2s`` tables (package ``opencc-python-reimplemented``).
* Letters typed for digits inside numbers (seed 000 writes topics as ``l0、l2``).
* Dates written the ways offices write them: ``2010年10月20日``, ``10月20日`` (campaign year),
  ``2010.10.20``, ``2010/10/20``, ``20101020``, Excel serial numbers, ``二〇一〇年十月二十日``.
* Numbers with Chinese numerals and units: ``六十个``, ``20万人次`` → 200000, ``100万元``.
* Phone numbers with spaces, dashes, brackets, ``+86`` and area codes; e-mail addresses.

Chinese character count (字数)
------------------------------
:func:`count_chars` implements the office's documented 字数 rule, which mirrors Word's 字数
for mixed Chinese/Latin text:

* every CJK ideograph (汉字, including 〇) counts 1;
* every CJK or full-width punctuation mark (，。、；：？！“”《》（）…) counts 1;
* every full-width letter or digit, kana or hangul syllable counts 1;
* every maximal run of ASCII letters/digits counts 1 as one "word" — a run may contain single
  joiners ``. - _ ' @`` between letters/digits and ``,`` between digits, so ``3.14``,
  ``e-mail``, ``1,000`` and ``ddkxxhb@163.com`` are one word each;
* whitespace (including the ideographic space U+3000), control characters, zero-width
  characters and combining marks count 0;
* any other visible symbol (ASCII punctuation standing alone, ``%``, ``℃``, ``①``…) counts 1.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from numbers import Real
from typing import Any, Iterable

__all__ = [
    "Coerced",
    "COERCE_TYPES",
    "coerce",
    "count_chars",
    "fix_letter_digits",
    "name_key",
    "nfkc",
    "normalize_email",
    "normalize_phone",
    "parse_date",
    "parse_datetime",
    "parse_int",
    "parse_number",
    "parse_quantity",
    "parse_yesno",
    "suggest",
    "to_simplified",
]

# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

_EXCEL_EPOCH = _dt.date(1899, 12, 30)
_SERIAL_MIN = 7306  # 1920-01-01
_SERIAL_MAX = 109573  # 2199-12-31
_YEAR_MIN, _YEAR_MAX = 1900, 2199

_TIME_TAIL_RE = re.compile(
    r"(?:[ T]+|(?<=[日号]))(?P<h>\d{1,2})(?::|时|點|点)(?P<mi>\d{1,2})(?:(?::|分)(?P<s>\d{1,2}(?:\.\d+)?)秒?|分)?$"
)
_WEEKDAY_TAIL_RE = re.compile(r"\s*[(（]?\s*(?:星期|周|礼拜|禮拜)[一二三四五六日天七]\s*[)）]?$")
_YMD_SEP_RE = re.compile(r"(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})")
_CN_D = "〇零○一二三四五六七八九十两"
_YMD_CN_RE = re.compile(
    r"(?:(?P<y>[\d〇零○一二三四五六七八九]{4})\s*年)?\s*"
    r"(?P<m>\d{1,2}|[%s]{1,3})\s*月\s*(?P<d>\d{1,2}|[%s]{1,3})\s*(?:日|号|號)?" % (_CN_D, _CN_D)
)


def _mkdate(y: int, m: int, d: int) -> _dt.date | None:
    if not (_YEAR_MIN <= y <= _YEAR_MAX):
        return None
    try:
        return _dt.date(y, m, d)
    except ValueError:
        return None


def _serial_to_datetime(v: float) -> _dt.datetime | None:
    if not (_SERIAL_MIN <= v < _SERIAL_MAX + 1):
        return None
    days = math.floor(v)
    secs = round((v - days) * 86400)
    if secs >= 86400:
        days, secs = days + 1, 0
    base = _dt.datetime.combine(_EXCEL_EPOCH, _dt.time()) + _dt.timedelta(days=days, seconds=secs)
    return base if base.year <= _YEAR_MAX else None


def _cn_small(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    return _cn_int(s)


def _date_from_str(s: str, default_year: int | None) -> tuple[_dt.date, _dt.time | None] | None:
    s = _WEEKDAY_TAIL_RE.sub("", s).strip()
    t: _dt.time | None = None
    m = _TIME_TAIL_RE.search(s)
    if m:
        try:
            sec = float(m.group("s") or 0)
            t = _dt.time(int(m.group("h")), int(m.group("mi")), int(sec))
        except ValueError:
            return None
        s = s[: m.start()].strip()
    if not s:
        return None
    m = _YMD_SEP_RE.fullmatch(s)
    if m:
        d = _mkdate(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return (d, t) if d else None
    if s.isdigit() and s.isascii():
        if len(s) == 8:
            d = _mkdate(int(s[:4]), int(s[4:6]), int(s[6:]))
            return (d, t) if d else None
        if len(s) == 5 and t is None:
            dt = _serial_to_datetime(int(s))
            return (dt.date(), None) if dt else None
        return None
    m = _YMD_CN_RE.fullmatch(s)
    if m:
        ys, ms, ds = m.group("y"), m.group("m"), m.group("d")
        if ys is None:
            if default_year is None:
                return None
            y: int | None = int(default_year)
        else:
            y = int(ys) if ys.isdigit() else _cn_int(ys)
        mo, da = _cn_small(ms), _cn_small(ds)
        if y is None or mo is None or da is None:
            return None
        d = _mkdate(y, mo, da)
        return (d, t) if d else None
    return None


@lru_cache(maxsize=32768)
def _date_cached(raw: str, default_year: int | None):
    try:
        return _date_from_str(_prep(raw), default_year)
    except Exception:  # pragma: no cover - defensive
        return None


def _date_parts(value: Any, default_year: int | None):
    """(date, time | None) or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, _dt.datetime):
        return value.date(), value.time()
    if isinstance(value, _dt.date):
        return value, None
    if isinstance(value, Real) and not isinstance(value, str):
        try:
            v = float(value)
        except (TypeError, ValueError, OverflowError):
            return None
        if not math.isfinite(v):
            return None
        if v.is_integer() and 19000101 <= v <= 21991231:
            iv = int(v)
            d = _mkdate(iv // 10000, iv // 100 % 100, iv % 100)
            return (d, None) if d else None
        dt = _serial_to_datetime(v)
        if dt is None:
            return None
        return dt.date(), (dt.time() if not v.is_integer() else None)
    if isinstance(value, (_dt.time, _dt.timedelta)):
        return None
    if default_year is not None:
        try:
            default_year = int(default_year)
        except (TypeError, ValueError):
            default_year = None
    return _date_cached(_display(value), default_year)


def parse_date(value: Any, default_year: int | None = None) -> _dt.date | None:
    """A date, or ``None``.

    Accepts ``date``/``datetime`` objects; Excel serial numbers of the 1900 date system in a
    plausible range (1920–2199: ``40471`` → 2010-10-20); ``20101020`` as number or text; and
    text such as ``2010年10月20日``, ``2010年10月20号``, ``10月20日`` (year from
    ``default_year``, ``None`` without it), ``2010.10.20``, ``2010-10-20``, ``2010/10/20``,
    ``2010-10-20 00:00:00``, full-width digits, ``二〇一〇年十月二十日``, ``二零一零年十月二十日``,
    optionally followed by a weekday ``(星期三)``. Impossible dates (2010-02-30) → ``None``.
    """
    parts = _date_parts(value, default_year)
    return parts[0] if parts else None


def parse_datetime(value: Any, default_year: int | None = None) -> _dt.datetime | None:
    """Like :func:`parse_date` but keeps the time of day (midnight when none is given)."""
    parts = _date_parts(value, default_year)
    if not parts:
        return None
    d, t = parts
    return _dt.datetime.combine(d, t or _dt.time())


# --------------------------------------------------------------------------------------------
# Phone, e-mail, yes/no
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# 字数
# --------------------------------------------------------------------------------------------

_ASCII_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:(?:[._'@-]|(?<=[0-9]),(?=[0-9]))[A-Za-z0-9]+)*")
_WORD_CLASSES = bytes(
    ord("a") if chr(i).isascii() and chr(i).isalpha()
    else ord("d") if chr(i).isascii() and chr(i).isdigit()
    else ord("j") if chr(i) in "._'@-"
    else ord("c") if chr(i) == ","
    else ord(" ")
    for i in range(256)
)
_RUNS_ONLY = bytes.maketrans(b"jc", b"  ")
_MERGE_RE = re.compile(rb"[ad]j(?=[ad])|dc(?=d)")  # a single joiner inside a word
_ZERO_WIDTH_RE = re.compile(  # invisible and not whitespace (whitespace is dropped by split)
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f"
    "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u1ab0-\u1aff\u1dc0-\u1dff\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u20d0-\u20ff\u302a-\u302f\u3099\u309a\ufe00-\ufe0f\ufe20-\ufe2f\ufeff"
    "\U000e0100-\U000e01ef]"
)


def count_chars(text: Any) -> int:
    """Chinese 字数 of a text, by the documented rule (Word's 字数 for mixed text).

    * each CJK ideograph (汉字, 〇) counts 1;
    * each CJK / full-width punctuation mark counts 1; each full-width letter or digit counts 1;
    * each maximal run of ASCII letters/digits counts 1 (joiners ``. - _ ' @`` between
      letters/digits and ``,`` between digits stay inside the run: ``3.14``, ``e-mail``,
      ``1,000``, ``a@b.com`` count 1 each);
    * whitespace (including U+3000), control characters, zero-width characters and combining
      marks count 0;
    * any other visible symbol counts 1.

    ``count_chars("计策l0条，共3000字。") == 9``: 计 策 l0 条 ， 共 3000 字 。
    """
    if text is None:
        return 0
    s = text if isinstance(text, str) else _display(text)
    if not s:
        return 0
    nonspace = sum(map(len, s.split()))
    # ASCII words: map the text to a byte per character (a letter, d digit, j joiner, c comma,
    # blank otherwise) so that only the short ASCII segments go through the word pattern.
    segments = s.encode("ascii", "replace").translate(_WORD_CLASSES).split()
    n = nonspace
    if segments:
        compact = b" ".join(segments)
        alnum = compact.count(b"a") + compact.count(b"d")
        if b"j" in compact or b"c" in compact:
            runs = len(compact.translate(_RUNS_ONLY).split())
            merges = len(_MERGE_RE.findall(compact))
            # each word counts 1 instead of its letters, digits and the joiners inside it
            n -= alnum - runs + 2 * merges
        else:
            n -= alnum - len(segments)
    if _ZERO_WIDTH_RE.search(s):
        n -= len(_ZERO_WIDTH_RE.findall(s))
    return n


# --------------------------------------------------------------------------------------------
# Suggestions
# --------------------------------------------------------------------------------------------


def suggest(value: Any, choices: Iterable[Any], limit: int = 3, cutoff: float = 60.0) -> list[str]:
    """The closest ``choices`` to ``value`` (at most ``limit``), best first.

    Both sides are compared by :func:`name_key`; choices whose key equals the value's key come
    first, then fuzzy matches (rapidfuzz ``WRatio``, ties broken by plain ``ratio`` and then by
    the order of ``choices``) scoring at least ``cutoff``. Returns the original choice strings.
    ``suggest("丹东市医學會", roster)`` puts ``丹东市医学会`` first.
    """
    from rapidfuzz import fuzz, process

    if limit <= 0:
        return []
    q = name_key(value)
    if not q:
        return []
    originals: list[str] = []
    keys: list[str] = []
    seen_orig: set[str] = set()
    for c in choices:
        if c is None:
            continue
        text = _display(c)
        k = name_key(text)
        if not k or text in seen_orig:
            continue
        seen_orig.add(text)
        originals.append(text)
        keys.append(k)
    out = [originals[i] for i, k in enumerate(keys) if k == q]
    if len(out) >= limit:
        return out[:limit]
    taken = set(out)
    scored = process.extract(q, keys, scorer=fuzz.WRatio, limit=None, score_cutoff=cutoff)
    scored.sort(key=lambda r: (-r[1], -fuzz.ratio(q, r[0]), r[2]))
    for _key, _score, idx in scored:
        c = originals[idx]
        if c in taken:
            continue
        taken.add(c)
        out.append(c)
        if len(out) >= limit:
            break
    return out


# --------------------------------------------------------------------------------------------
# Coercion of a cell to a column type
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Coerced:
    """A cell read as a column type.

    ``value`` is the typed value (the raw value when ``ok`` is false); ``ok`` says whether the
    raw value can be read as the type; ``changed`` says whether the typed value differs from
    what the person typed (``" 2010年10月20日"`` read as a date is ``changed``; a date cell is
    not), so callers can offer the normalised form as a suggestion.
    """

    value: Any
    ok: bool
    changed: bool


COERCE_TYPES = (
    "text", "longtext", "int", "number", "quantity", "date", "datetime", "phone", "email", "yesno",
)

_BLANK = Coerced(None, True, False)


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _is_num(raw: Any) -> bool:
    return isinstance(raw, (int, float)) and not isinstance(raw, bool)


def coerce(type_name: str, raw: Any, *, default_year: int | None = None) -> Coerced:
    """Read ``raw`` as ``type_name``; blank (``None``, ``""``, whitespace) → ``Coerced(None, True,
    False)``.

    Types: ``text`` (NFKC, stripped), ``longtext`` (``str`` and strip only — staff prose is kept
    as typed), ``int``, ``number``, ``quantity`` (value: the number, unit dropped), ``date``,
    ``datetime``, ``phone``, ``email``, ``yesno`` (``"是"``/``"否"``). An unknown type name is
    read as ``text``. Never raises.
    """
    if _is_blank(raw):
        return _BLANK
    try:
        return _COERCERS.get(type_name, _coerce_text)(raw, default_year)
    except Exception:  # pragma: no cover - defensive: a cell never stops validation
        return Coerced(raw, False, False)


def _coerce_text(raw: Any, _y: Any) -> Coerced:
    v = nfkc(raw)
    return Coerced(v, True, v != _display(raw))


def _coerce_longtext(raw: Any, _y: Any) -> Coerced:
    d = _display(raw)
    v = d.strip()
    return Coerced(v, True, v != d)


def _coerce_int(raw: Any, _y: Any) -> Coerced:
    v = parse_int(raw)
    if v is None:
        return Coerced(raw, False, False)
    return Coerced(v, True, not (_is_num(raw) and raw == v))


def _coerce_number(raw: Any, _y: Any) -> Coerced:
    v = parse_number(raw)
    if v is None:
        return Coerced(raw, False, False)
    return Coerced(v, True, not (_is_num(raw) and raw == v))


def _coerce_quantity(raw: Any, _y: Any) -> Coerced:
    v, _unit = parse_quantity(raw)
    if v is None:
        return Coerced(raw, False, False)
    return Coerced(v, True, not (_is_num(raw) and raw == v))


def _coerce_date(raw: Any, y: Any) -> Coerced:
    v = parse_date(raw, y)
    if v is None:
        return Coerced(raw, False, False)
    if isinstance(raw, _dt.datetime):
        changed = raw.time() != _dt.time()
    else:
        changed = not isinstance(raw, _dt.date)
    return Coerced(v, True, changed)


def _coerce_datetime(raw: Any, y: Any) -> Coerced:
    v = parse_datetime(raw, y)
    if v is None:
        return Coerced(raw, False, False)
    return Coerced(v, True, not isinstance(raw, _dt.datetime))


def _coerce_phone(raw: Any, _y: Any) -> Coerced:
    v = normalize_phone(raw)
    if v is None:
        return Coerced(raw, False, False)
    return Coerced(v, True, v != _display(raw))


def _coerce_email(raw: Any, _y: Any) -> Coerced:
    v = normalize_email(raw)
    if v is None:
        return Coerced(raw, False, False)
    return Coerced(v, True, v != raw)


def _coerce_yesno(raw: Any, _y: Any) -> Coerced:
    v = parse_yesno(raw)
    if v is None:
        return Coerced(raw, False, False)
    return Coerced(v, True, v != raw)


_COERCERS = {
    "text": _coerce_text,
    "longtext": _coerce_longtext,
    "int": _coerce_int,
    "number": _coerce_number,
    "quantity": _coerce_quantity,
    "date": _coerce_date,
    "datetime": _coerce_datetime,
    "phone": _coerce_phone,
    "email": _coerce_email,
    "yesno": _coerce_yesno,
}
