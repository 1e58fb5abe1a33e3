"""safe_filename: property tests (hypothesis) and the hostile names of the issue."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from macros.core.safe_names import FALLBACK_NAME, WINDOWS_RESERVED, safe_filename

FORBIDDEN = set('\\/:*?"<>|')


def assert_safe(result: str, max_len: int = 80, max_bytes: int = 240) -> None:
    assert result, "never empty"
    assert not (set(result) & FORBIDDEN), result
    assert all(unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Zl", "Zp"} for c in result)
    assert ".." not in result
    assert result[0] not in " ." and result[-1] not in " .", repr(result)
    assert result.split(".", 1)[0].rstrip(" ").upper() not in WINDOWS_RESERVED
    assert len(result) <= max_len
    assert len(result.encode("utf-8")) <= max_bytes
    assert unicodedata.normalize("NFC", result) == result


names = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list('\\/:*?"<>|. \t\n\x00\u202e\u200b\u3000丹东市科协')),
    ),
    max_size=300,
)


@given(names)
@settings(max_examples=400, deadline=None)
def test_any_name_gives_a_safe_name(name):
    assert_safe(safe_filename(name))


@given(names)
@settings(max_examples=200, deadline=None)
def test_idempotent(name):
    once = safe_filename(name)
    assert safe_filename(once) == once


@given(names, st.integers(min_value=1, max_value=120), st.integers(min_value=4, max_value=255))
@settings(max_examples=300, deadline=None)
def test_budgets_are_respected(name, max_len, max_bytes):
    assert_safe(safe_filename(name, max_len, max_bytes=max_bytes), max_len, max_bytes)


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=80))
def test_chinese_is_kept(name):
    assert safe_filename(name) == name


@given(st.sampled_from(sorted(WINDOWS_RESERVED)), st.sampled_from(["", ".txt", ".tar.gz", " .docx"]),
       st.booleans())
def test_reserved_device_names(stem, ext, lower):
    name = (stem.lower() if lower else stem) + ext
    result = safe_filename(name)
    assert_safe(result)
    assert result.startswith("_")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("丹东市科协", "丹东市科协"),
        ('a\\b/c:d*e?f"g<h>i|j', "a_b_c_d_e_f_g_h_i_j"),
        ("..", FALLBACK_NAME),
        ("../../etc/passwd", "etc_passwd"),
        ("  .隐藏. ", "隐藏"),
        ("CON", "_CON"),
        ("con.xlsx", "_con.xlsx"),
        ("Lpt9.pdf", "_Lpt9.pdf"),
        ("COM¹", "_COM¹"),
        ("CONSOLE", "CONSOLE"),
        ("", FALLBACK_NAME),
        ("???", FALLBACK_NAME),
        ("A01_振兴<路>街道科协.xlsx", "A01_振兴_路_街道科协.xlsx"),
        ("e\u0301", "\u00e9"),
    ],
)
def test_examples(name, expected):
    assert safe_filename(name) == expected


def test_long_name_keeps_extension_and_fits_bytes():
    name = "丹" * 200 + ".xlsx"
    result = safe_filename(name)
    assert result.endswith(".xlsx")
    assert len(result) <= 80
    assert len(result.encode("utf-8")) <= 240
    assert set(result[:-5]) == {"丹"}


def test_emoji_and_astral_characters_are_not_split():
    name = "科协😀" * 100
    result = safe_filename(name, 80, max_bytes=100)
    result.encode("utf-8")  # would raise on a split surrogate
    assert len(result.encode("utf-8")) <= 100


@pytest.mark.parametrize(
    "name",
    ["CON", "nul.txt", "..", "a" * 300, "丹东" * 150, 'x<>:"/\\|?*y', "\x01\x1f", " . ", "科协\u202e.exe",
     "COM1.tar.gz", "中国科协（北京）/学会部"],
)
def test_hostile_names_make_real_files(tmp_path, name):
    path = tmp_path / safe_filename(name + ".pdf")
    path.write_bytes(b"%PDF")
    assert path.parent == tmp_path
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
