"""Tests of macros.core.normalize: examples from the seeds and hypothesis properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from macros.core.normalize import (
    Coerced,
    coerce,
    count_chars,
    fix_letter_digits,
    name_key,
    nfkc,
    normalize_email,
    normalize_phone,
    parse_date,
    parse_datetime,
    parse_int,
    parse_number,
    parse_quantity,
    parse_yesno,
    suggest,
    to_simplified,
)

# A realistic roster of member units (seeds 000, 001, 003, 004).
ROSTER = [
    "丹东市医学会",
    "丹东市中医学会",
    "丹东市药学会",
    "丹东市农学会",
    "丹东市林学会",
    "丹东市水利学会",
    "丹东市机械工程学会",
    "丹东市计算机学会",
    "丹东市护理学会",
    "元宝区科协",
    "振兴区科协",
    "振安区科协",
    "东港市科协",
    "凤城市科协",
    "宽甸满族自治县科协",
    "丹东市老科协",
    "丹东市科技馆",
    "丹东市科技教育学院",
    "丹东曙光汽车集团科协",
    "辽宁五一八内燃机配件有限公司科协",
    "丹东市第一医院科协",
    "丹东(东港)经济开发区科协",
    "丹东市IT行业协会",
    "乐山市科协",
    "保定市科协",
    "成都市科协",
    "市科协学会部",
]


# --------------------------------------------------------------------------------------------
# Examples
# --------------------------------------------------------------------------------------------


def test_nfkc_examples():
    assert nfkc("　１２３ＡＢＣ（）　") == "123ABC()"
    assert nfkc(None) == ""
    assert nfkc(" 丹东市科协 ") == "丹东市科协"
    assert nfkc(1001) == "1001"
    assert nfkc(1001.0) == "1001"  # Excel delivers typed integers as floats
    assert nfkc(2.5) == "2.5"


def test_to_simplified_examples():
    assert to_simplified("丹東市醫學會") == "丹东市医学会"
    assert to_simplified("樂山市科學技術協會") == "乐山市科学技术协会"
    assert to_simplified("丹东市医学会") == "丹东市医学会"
    assert to_simplified("abc 123") == "abc 123"
    # seed 003 is written in Traditional characters
    assert to_simplified("力爭獲獎60個以上") == "力争获奖60个以上"


def test_name_key_examples():
    assert name_key("丹东市醫學會 ") == name_key("丹东市医学会")
    assert name_key("丹东市　医学会") == name_key("丹东市医学会")
    assert name_key("县（市）区科协") == name_key("县(市)区科协") == "县(市)区科协"
    assert name_key("丹东市ＩＴ行业协会") == name_key("丹东市it行业协会")
    assert name_key(None) == ""
    assert name_key(" \t\u3000") == ""


@pytest.mark.parametrize(
    "raw, fixed",
    [
        ("l0", "10"),
        ("l2", "12"),
        ("1O", "10"),
        ("I5", "15"),
        ("9、l0、11、l2、l3", "9、10、11、12、13"),  # seed 000
        ("20l0年", "2010年"),
        ("第l9条", "第19条"),
        ("H2O", "H2O"),
        ("CO2", "CO2"),
        ("Level 10", "Level 10"),
        ("lol", "lol"),
        ("Office", "Office"),
        ("", ""),
    ],
)
def test_fix_letter_digits(raw, fixed):
    assert fix_letter_digits(raw) == fixed


@pytest.mark.parametrize(
    "raw, number",
    [
        (3, 3),
        (3.0, 3),
        ("3", 3),
        ("１２", 12),
        ("1,000", 1000),
        ("12,345,678", 12345678),
        ("l2", 12),
        ("六十", 60),
        ("二十万", 200000),
        ("一百", 100),
        ("十五", 15),
        ("一百零五", 105),
        ("一百五", 150),
        ("三万五千", 35000),
        ("二〇一〇", 2010),
        ("20万", 200000),
        ("-5", -5),
        (" 7 ", 7),
    ],
)
def test_parse_int(raw, number):
    assert parse_int(raw) == number
    assert parse_number(raw) == float(number)


@pytest.mark.parametrize(
    "raw", [True, False, None, "", "abc", "3.5", 3.5, "1,00", "六十个", "十十", "二十三四", dt.date(2010, 1, 1),
            float("nan"), float("inf"), "1-2", "."]
)
def test_parse_int_rejects(raw):
    assert parse_int(raw) is None


def test_parse_number_decimals():
    assert parse_number("3.5") == 3.5
    assert parse_number("1.5万") == 15000.0
    assert parse_number("三点五") == 3.5
    assert parse_number("６０.５") == 60.5
    assert parse_number("六十个") is None  # units only via parse_quantity
    assert parse_number(True) is None


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("20万人次", (200000.0, "人次")),  # seed 003
        ("100万元", (1000000.0, "元")),
        ("100万元以上", (1000000.0, "元")),
        ("六十个", (60.0, "个")),
        ("60个以上", (60.0, "个")),
        ("获奖60个以上"[2:], (60.0, "个")),
        (1000, (1000.0, "")),
        ("10个", (10.0, "个")),
        ("约20余万人次", (200000.0, "人次")),
        ("3000字以内", (3000.0, "字")),
        ("5千克", (5.0, "千克")),
        ("3千字", (3000.0, "字")),
        ("95%", (95.0, "%")),
        ("¥100", (100.0, "元")),
        ("1-2个", (None, "")),
        ("许多", (None, "")),
        (None, (None, "")),
        (True, (None, "")),
    ],
)
def test_parse_quantity(raw, expected):
    assert parse_quantity(raw) == expected


D = dt.date(2010, 10, 20)


@pytest.mark.parametrize(
    "raw",
    [
        D,
        dt.datetime(2010, 10, 20, 8, 30),
        40471,
        40471.0,
        40471.75,
        20101020,
        "2010年10月20日",
        "2010年10月20号",
        "2010.10.20",
        "2010-10-20",
        "2010/10/20",
        "2010-10-20 00:00:00",
        "2010-10-20T08:30:00",
        "20101020",
        "２０１０年１０月２０日",
        "２０１０－１０－２０",
        "二〇一〇年十月二十日",
        "二零一零年十月二十日",
        "2010年十月二十日",
        "2010年10月20日（星期三）",
        "20l0年l0月20日",
        "40471",
    ],
)
def test_parse_date_forms(raw):
    assert parse_date(raw) == D


def test_parse_date_default_year():
    assert parse_date("10月20日") is None
    assert parse_date("10月20日", default_year=2010) == D
    assert parse_date("10月20号", 2010) == D
    assert parse_date("十月二十日", 2010) == D


@pytest.mark.parametrize(
    "raw",
    ["2010-02-30", "2010年13月1日", "2010", 2010, 3, -1, True, None, "", "abc", "10.20",
     float("nan"), 1e12, "2010年10月", "0000-01-01"],
)
def test_parse_date_rejects(raw):
    assert parse_date(raw) is None


def test_parse_datetime():
    assert parse_datetime("2010-10-20 08:30") == dt.datetime(2010, 10, 20, 8, 30)
    assert parse_datetime(40471.5) == dt.datetime(2010, 10, 20, 12, 0)
    assert parse_datetime(D) == dt.datetime(2010, 10, 20)


@pytest.mark.parametrize(
    "raw, phone",
    [
        ("2127152", "2127152"),  # seed 000
        (2127152, "2127152"),
        (2127152.0, "2127152"),
        ("212 7152", "2127152"),
        ("0415-2127152", "0415-2127152"),
        ("(0415) 2127152", "0415-2127152"),
        ("（0415）2127152", "0415-2127152"),
        ("0415 212 7152", "0415-2127152"),
        ("04152127152", "0415-2127152"),
        ("０４１５－２１２７１５２", "0415-2127152"),
        ("010-65432100", "010-65432100"),
        ("13800000000", "13800000000"),
        ("138 0000 0000", "13800000000"),
        ("138-0000-0000", "13800000000"),
        ("+86 138 0000 0000", "13800000000"),
        (13800000000, "13800000000"),
        ("400-123-4567", "400-123-4567"),
    ],
)
def test_normalize_phone(raw, phone):
    assert normalize_phone(raw) == phone


@pytest.mark.parametrize(
    "raw", ["12345", "abc", "", None, True, 2127152.5, "2127152/13800000000", "+1 555 0100",
            "23800000000", "0000000"]
)
def test_normalize_phone_rejects(raw):
    assert normalize_phone(raw) is None


def test_normalize_email():
    assert normalize_email("ddkxxhb@163.com") == "ddkxxhb@163.com"  # seed 000
    assert normalize_email(" ddkxxhb@163.COM ") == "ddkxxhb@163.com"
    assert normalize_email("ddkxxhb＠１６３．ｃｏｍ") == "ddkxxhb@163.com"
    assert normalize_email("ddkxxhb@163。com") == "ddkxxhb@163.com"
    assert normalize_email("mailto:a.b@kx.gov.cn") == "a.b@kx.gov.cn"
    for bad in ["ddkxxhb", "a@b", "a@@b.com", "@163.com", "a@163", None, 5, "a..b@163.com"]:
        assert normalize_email(bad) is None, bad


@pytest.mark.parametrize(
    "text, n",
    [
        ("", 0),
        (None, 0),
        ("丹东市科协", 5),
        ("献策“十二五”，建设新丹东", 13),
        ("计策l0条，共3000字。", 9),
        ("联系电话：2127152电子邮箱：ddkxxhb@163.com", 12),
        ("3.14 e-mail 1,000", 3),
        ("Hello world", 2),
        ("丹东　市 科协\n", 5),
        ("ＡＢＣ", 3),
        ("a + b", 3),
        ("二〇一〇年", 5),
        ("\u200b丹东", 2),
    ],
)
def test_count_chars(text, n):
    assert count_chars(text) == n


def test_suggest_examples():
    assert suggest("丹东市医學會", ROSTER)[0] == "丹东市医学会"
    assert suggest("丹东市医学会 ", ROSTER)[0] == "丹东市医学会"
    assert suggest("丹东医学会", ROSTER)[0] == "丹东市医学会"
    assert suggest("振興區科協", ROSTER)[0] == "振兴区科协"
    assert suggest("完全无关的名字XYZ", ROSTER) == []
    assert suggest("", ROSTER) == []
    assert len(suggest("丹东市学会", ROSTER, limit=2)) <= 2
    topics = ["沿江沿海经济区建设", "提升开发开放水平", "区域经济合作", "重大项目谋划"]
    assert suggest("重大项目的谋划", topics)[0] == "重大项目谋划"


@pytest.mark.parametrize(
    "type_name, raw, expected",
    [
        ("text", " ＡＢＣ ", Coerced("ABC", True, True)),
        ("text", "丹东市科协", Coerced("丹东市科协", True, False)),
        ("text", 1001.0, Coerced("1001", True, False)),
        ("longtext", "  正文（全角）  ", Coerced("正文（全角）", True, True)),
        ("int", 3, Coerced(3, True, False)),
        ("int", 3.0, Coerced(3, True, False)),
        ("int", "３", Coerced(3, True, True)),
        ("int", "三", Coerced(3, True, True)),
        ("int", "3.5", Coerced("3.5", False, False)),
        ("number", "1,000.5", Coerced(1000.5, True, True)),
        ("quantity", "20万人次", Coerced(200000.0, True, True)),
        ("quantity", 60, Coerced(60.0, True, False)),
        ("date", D, Coerced(D, True, False)),
        ("date", dt.datetime(2010, 10, 20), Coerced(D, True, False)),
        ("date", "2010年10月20日", Coerced(D, True, True)),
        ("date", "10月20日", Coerced(D, True, True)),
        ("date", "2010-02-30", Coerced("2010-02-30", False, False)),
        ("datetime", "2010-10-20 08:30", Coerced(dt.datetime(2010, 10, 20, 8, 30), True, True)),
        ("phone", 2127152.0, Coerced("2127152", True, False)),
        ("phone", "0415 2127152", Coerced("0415-2127152", True, True)),
        ("phone", "12345", Coerced("12345", False, False)),
        ("email", "a@B.COM", Coerced("a@b.com", True, True)),
        ("email", "not-an-email", Coerced("not-an-email", False, False)),
        ("yesno", "是", Coerced("是", True, False)),
        ("yesno", "Y", Coerced("是", True, True)),
        ("yesno", "no", Coerced("否", True, True)),
        ("yesno", "√", Coerced("是", True, True)),
        ("yesno", 0, Coerced("否", True, True)),
        ("yesno", "也许", Coerced("也许", False, False)),
        ("int", None, Coerced(None, True, False)),
        ("date", "   ", Coerced(None, True, False)),
        ("email", "", Coerced(None, True, False)),
        ("unknown-type", " x ", Coerced("x", True, True)),
    ],
)
def test_coerce(type_name, raw, expected):
    assert coerce(type_name, raw, default_year=2010) == expected


def test_coerced_is_frozen():
    c = coerce("int", "3")
    with pytest.raises(AttributeError):
        c.value = 4  # type: ignore[misc]


def test_parse_yesno():
    assert parse_yesno(True) == "是"
    assert parse_yesno("ＹＥＳ") == "是"
    assert parse_yesno("×") == "否"
    assert parse_yesno(2) is None


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

ANY_VALUE = st.one_of(
    st.text(),
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
)

# Text shaped like office input: digits, CJK numerals, date and unit words, punctuation.
OFFICE_TEXT = st.text(
    alphabet=st.sampled_from(list("0123456789０１２３lIOo.,-/:年月日号万亿千百十个人次元以上约余"
                                  "〇零一二三四五六七八九两 　()（）+@a@bc.com点")),
    max_size=20,
)
TEXTS = st.one_of(st.text(), OFFICE_TEXT)


@given(TEXTS)
def test_nfkc_idempotent(s):
    assert nfkc(nfkc(s)) == nfkc(s)


@given(TEXTS)
def test_name_key_idempotent(s):
    assert name_key(name_key(s)) == name_key(s)


@given(TEXTS)
def test_fix_letter_digits_idempotent(s):
    assert fix_letter_digits(fix_letter_digits(s)) == fix_letter_digits(s)


@given(st.text())
def test_to_simplified_idempotent(s):
    once = to_simplified(s)
    assert to_simplified(once) == once


@given(st.sampled_from(ROSTER))
def test_to_simplified_keeps_simplified(name):
    assert to_simplified(name) == name


@given(ANY_VALUE)
def test_nothing_raises(v):
    nfkc(v)
    name_key(v)
    to_simplified(v)
    fix_letter_digits(v)
    parse_int(v)
    parse_number(v)
    parse_quantity(v)
    parse_date(v)
    parse_date(v, default_year=2010)
    parse_datetime(v)
    normalize_phone(v)
    normalize_email(v)
    parse_yesno(v)
    assert count_chars(v) >= 0
    suggest(v, ROSTER)
    for t in ("text", "longtext", "int", "number", "quantity", "date", "datetime", "phone",
              "email", "yesno"):
        c = coerce(t, v, default_year=2010)
        assert isinstance(c.ok, bool) and isinstance(c.changed, bool)


@given(OFFICE_TEXT)
def test_office_text_never_raises(s):
    parse_int(s)
    parse_number(s)
    parse_quantity(s)
    parse_date(s, 2010)
    normalize_phone(s)
    normalize_email(s)


@given(TEXTS)
def test_phone_and_email_idempotent(s):
    p = normalize_phone(s)
    if p is not None:
        assert normalize_phone(p) == p
    e = normalize_email(s)
    if e is not None:
        assert normalize_email(e) == e


@given(TEXTS)
def test_parse_int_consistent_with_number(s):
    i = parse_int(s)
    if i is not None:
        assert parse_number(s) == float(i)


@given(st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2199, 12, 31)))
def test_date_round_trips_through_office_spellings(d):
    for text in (f"{d.year}年{d.month}月{d.day}日", f"{d.year}.{d.month}.{d.day}",
                 f"{d.year}-{d.month:02d}-{d.day:02d}", f"{d:%Y%m%d}", f"{d.year}/{d.month}/{d.day}"):
        assert parse_date(text) == d, text
    serial = (d - dt.date(1899, 12, 30)).days
    assert parse_date(serial) == d
    assert parse_date(f"{d.month}月{d.day}日", default_year=d.year) == d


CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


@given(st.text(alphabet=CJK, max_size=50))
def test_count_chars_cjk_counts_each(s):
    assert count_chars(s) == len(s)


PLAIN = st.text(alphabet=st.sampled_from(list("丹东市科协，。“”abcXYZ019.-@ ")), max_size=30)


@given(PLAIN, PLAIN)
def test_count_chars_additive_over_whitespace(a, b):
    assert count_chars(a + " " + b) == count_chars(a) + count_chars(b)


# Roster variants: Traditional characters, full-width letters/brackets, inserted spaces.


def _s2t():
    from opencc import OpenCC

    return OpenCC("s2t")


_S2T = _s2t()
_FULLWIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


@st.composite
def roster_variant(draw):
    name = draw(st.sampled_from(ROSTER))
    out = []
    for ch in name:
        if draw(st.booleans()):
            ch = _S2T.convert(ch)
        if ch in _FULLWIDTH and draw(st.booleans()):
            ch = _FULLWIDTH[ch]
        if ch.isascii() and ch.isalpha() and draw(st.booleans()):
            ch = ch.swapcase()
        out.append(ch)
        if draw(st.integers(0, 4)) == 0:
            out.append(draw(st.sampled_from([" ", "\u3000", "  ", "\t"])))
    if draw(st.booleans()):
        out.insert(0, " ")
    return name, "".join(out)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(roster_variant())
def test_roster_names_match_themselves(pair):
    name, variant = pair
    assert name_key(variant) == name_key(name)
    assert suggest(variant, ROSTER)[0] == name


@given(st.sampled_from(ROSTER))
def test_whole_name_in_traditional_matches(name):
    trad = _S2T.convert(name)
    assert name_key(trad) == name_key(name)
    assert suggest(trad, ROSTER)[0] == name
