"""Normalisation of values typed by people in Chinese offices.

Pure functions, no I/O. They are shared by validation and by the consolidation of returned
forms. Every ``parse_*`` / ``normalize_*`` function accepts any value and
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

Layout
------
``text`` (display text, NFKC, Traditional → Simplified, ``name_key``), ``numeric``, ``dates``,
``contact`` (phone, e-mail, yes/no), ``count`` (字数), ``suggest``, ``topics`` (topics as
people type them), ``coerce`` (a cell read as a column type). Import from the package: ``from macros.core.normalize import name_key``.

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

from macros.core.normalize.text import (
    clean_text, display_text, fix_letter_digits, invisible_chars, name_key, nfkc, text_or_blank,
    to_simplified,
)
from macros.core.normalize.numeric import parse_int, parse_number, parse_quantity
from macros.core.normalize.dates import parse_date, parse_datetime
from macros.core.normalize.contact import normalize_email, normalize_phone, parse_yesno
from macros.core.normalize.count import count_chars
from macros.core.normalize.suggest import suggest
from macros.core.normalize.topics import TopicIndex, TopicMatch, topic_head, topic_number
from macros.core.normalize.coerce import COERCE_TYPES, Coerced, coerce

__all__ = [
    "COERCE_TYPES",
    "Coerced",
    "clean_text",
    "coerce",
    "count_chars",
    "display_text",
    "fix_letter_digits",
    "invisible_chars",
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
    "text_or_blank",
    "to_simplified",
    "TopicIndex",
    "TopicMatch",
    "topic_head",
    "topic_number",
]
