"""Returned forms that look genuine but are not what they seem, and false alarms on genuine ones.

Decoy and hidden sheets, far-away stray cells, text in 字数, a visible unit that differs from
the metadata, names that would forge the log — and every branch of the byte-level ZIP/XML guard
in one table.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from macros.adapters.form_guard import Limits, _check_zip, _Reject, check_spans
from macros.schema import FORM_INFO_SHEET, FORM_META_SHEET, FORM_SHEET
from consolidate_kit import codes, good_row


def _one(result, name: str):
    return next(f for f in result.files if f.file == name)


def _edit(path: Path, change) -> None:
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)


# --- decoy sheets (only the sheet the metadata names is read) ------------------------------------

def _decoy(wb) -> None:
    """The 报送 sheet renamed; a very hidden copy holding the header and other rows."""
    real = wb[FORM_SHEET]
    real.title = "报送（旧）"
    decoy = wb.copy_worksheet(real)
    decoy.title = "隐藏表"
    decoy.sheet_state = "veryHidden"
    for r in range(5, 9):
        decoy.cell(row=r, column=1, value="冒充的计策")


def _hidden(wb) -> None:
    wb[FORM_SHEET].sheet_state = "hidden"


def _swapped(wb) -> None:
    """A very hidden sheet named 报送 and the visible one renamed."""
    real = wb[FORM_SHEET]
    real.title = "填报"
    decoy = wb.copy_worksheet(real)
    decoy.title = FORM_SHEET
    decoy.sheet_state = "veryHidden"


@pytest.mark.parametrize("change", [_decoy, _hidden, _swapped], ids=["renamed+decoy", "hidden", "swapped"])
def test_decoy_or_hidden_data_sheets_are_rejected(camp, change):
    path = camp.fill("XH01", [good_row(1)])
    _edit(path, change)
    f = _one(camp.run(), path.name)
    assert f.status == "rejected" and codes(f) == ["E214"], f.problems
    assert camp.items() == []


def test_a_form_issued_before_data_sheet_and_nonce_existed_is_still_read(camp):
    path = camp.fill("XH01", [good_row(1)])

    def old(wb) -> None:
        m = wb[FORM_META_SHEET]
        for row in list(m.iter_rows(min_row=2)):
            if row[0].value in ("data_sheet", "nonce"):
                row[0].value = row[1].value = None

    _edit(path, old)
    f = _one(camp.run(), path.name)
    assert f.status == "ingested" and f.problems == []


def test_issued_forms_name_their_data_sheet_and_carry_a_fresh_nonce(camp, tmp_path):
    from macros.app.forms import run_forms

    def meta(p: Path) -> dict:
        wb = openpyxl.load_workbook(p, read_only=True)
        out = {r[0]: r[1] for r in wb[FORM_META_SHEET].iter_rows(min_row=2, values_only=True)}
        wb.close()
        return out

    first = run_forms(camp.master, tmp_path / "a").paths[0]
    second = run_forms(camp.master, tmp_path / "b").paths[0]
    m1, m2 = meta(first), meta(second)
    assert m1["data_sheet"] == FORM_SHEET
    assert re.fullmatch(r"[0-9a-f]{16}", m1["nonce"]) and m1["nonce"] != m2["nonce"]
    assert m1["token"] == m2["token"]  # the nonce is not part of the token


# --- false alarms --------------------------------------------------------------------------------

def test_far_stray_cells_on_an_unread_sheet_or_formatted_only_do_not_reject(camp):
    path = camp.fill("XH01", [good_row(1)])

    def stray(wb) -> None:
        wb[FORM_INFO_SHEET]["XFD1048576"] = "远处的一个字"  # a value, on a sheet never read
        cell = wb[FORM_SHEET]["XFD1048576"]  # formatting only, on the data sheet
        cell.number_format = "0.00"
        cell.font = openpyxl.styles.Font(bold=True)

    _edit(path, stray)
    f = _one(camp.run(), path.name)
    assert f.status == "ingested" and f.problems == [], f.problems


def test_a_far_value_on_the_data_sheet_is_rejected_naming_the_cell(camp):
    path = camp.fill("XH01", [good_row(1)])
    _edit(path, lambda wb: wb[FORM_SHEET].__setitem__("XFD1048576", "远处"))
    f = _one(camp.run(), path.name)
    assert codes(f) == ["E207"] and "XFD1048576" in f.problems[0]["message"]


def test_text_typed_in_word_count_is_a_warning_not_a_rejected_row(camp):
    path = camp.fill("XH01", [good_row(1), good_row(2, word_count="约三百字")])
    f = _one(camp.run(), path.name)
    assert f.status == "ingested" and f.rows == 2
    assert codes(f) == ["W207"] and f.problems[0]["cell"].endswith("6")
    assert [r["word_count"] for r in camp.items()][1] == [r["word_count"] for r in camp.items()][0] > 0


def test_a_visible_unit_other_than_the_metadata_is_warned(camp):
    path = camp.fill("XH05", [good_row(1)])

    def relabel(wb) -> None:
        ws = wb[FORM_SHEET]
        for cell in ws[2]:
            if cell.value == "单位编号":
                ws.cell(row=2, column=cell.column + 1, value="XH01")

    _edit(path, relabel)
    f = _one(camp.run(), path.name)
    assert f.status == "ingested" and codes(f) == ["W204"]
    assert "XH01" in f.problems[0]["message"] and "XH05" in f.problems[0]["message"]


# --- names that would forge the log or drive the terminal ----------------------------------------

def test_control_characters_in_names_are_escaped_in_log_and_on_screen(camp):
    evil = "坏\n2010-10-25 09:00:00,000 INFO 已汇总\x1b[2J\u202eslx.xlsx"
    (camp.inbox / evil).write_bytes(b"not a workbook")
    result = camp.run()
    log = (camp.root / "logs" / "consolidate.log").read_text(encoding="utf-8")
    stamp = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|WARNING|ERROR) ")
    assert all(stamp.match(line) for line in log.splitlines()), log
    assert "\x1b" not in log and "\u202e" not in log
    assert "坏\\n2010-10-25 09:00:00,000 INFO 已汇总\\x1b[2J\\u202eslx.xlsx" in log
    screen = "\n".join(result.lines())
    assert "\x1b" not in screen and "\u202e" not in screen
    assert "坏\\n2010-10-25" in screen and "\\x1b[2J\\u202e" in screen
    assert _one(result, evil).status == "rejected"  # the JSON keeps the real name


def test_shown_name_escapes_every_control_and_format_character():
    from macros.core.safe_names import shown_name

    assert shown_name("正常 名称.xlsx") == "正常 名称.xlsx"
    assert shown_name("C:\\收件箱\\a.xlsx") == "C:\\收件箱\\a.xlsx"
    assert shown_name("a\nb\r\tc") == "a\\nb\\r\\tc"
    assert shown_name("\x1b[31m\x7f\x85") == "\\x1b[31m\\x7f\\x85"
    assert shown_name("\u202e\u200b\u200d\u2028\u2029\ufeff") == "\\u202e\\u200b\\u200d\\u2028\\u2029\\ufeff"
    assert shown_name("x\\y\n") == "x\\\\y\\n"  # once escaping, a backslash is escaped too
    assert shown_name("\udcff") == "\\udcff"


# --- the byte guard, branch by branch ------------------------------------------------------------

def _rezip(src: bytes, extra=None, drop=(), replace=None, method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", method) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = (replace or {}).get(info.filename, zin.read(info.filename))
            zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            zi.compress_type = method
            zout.writestr(zi, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return out.getvalue()


def _plain_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


DOCTYPE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
UTF16 = '<?xml version="1.0" encoding="UTF-16"?><styleSheet/>'.encode("utf-16")
CASES = [
    # id, build(form bytes) -> bytes, limits, expected code, words in the message
    ("genuine", lambda f: f, Limits(), None, ""),
    ("not a zip at all", lambda f: b"PK\x03\x04" + b"\0" * 100, Limits(), "E201", "压缩包结构损坏"),
    ("too many members", lambda f: f, Limits(zip_members=5), "E207", "个部件"),
    ("renamed Word document", lambda f: _plain_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
     Limits(), "E201", "Word 文档"),
    ("renamed zip", lambda f: _plain_zip({"readme.txt": b"hello"}), Limits(), "E201", "压缩包"),
    ("encrypted flag", lambda f: _encrypted_flag(f), Limits(), "E202", "密码"),
    ("declared size", lambda f: _rezip(f, extra={"xl/media/big.bin": b"\0" * (3 << 20)}),
     Limits(zip_total=2 << 20), "E207", "解压后约"),
    ("actual size of one member", lambda f: _rezip(f, extra={"xl/media/big.bin": b"\0" * (3 << 20)}),
     Limits(zip_member=2 << 20, zip_ratio=10 ** 6), "E207", "解压后超过"),
    ("compression ratio", lambda f: _rezip(f, extra={"xl/media/zeros.bin": b"\0" * (3 << 20)}),
     Limits(ratio_floor=1 << 20), "E207", "压缩比异常"),
    ("no xl/workbook.xml", lambda f: _rezip(f, drop=("xl/workbook.xml",), extra={"xl/workbook.bin": b"\0"}),
     Limits(), "E201", "缺少 xl/workbook.xml"),
    ("DOCTYPE in a part", lambda f: _rezip(f, replace={"xl/styles.xml": DOCTYPE}), Limits(), "E208", "DOCTYPE"),
    ("DOCTYPE in the workbook", lambda f: _rezip(f, replace={"xl/workbook.xml": DOCTYPE}), Limits(), "E208",
     "xl/workbook.xml"),
    ("UTF-16 XML", lambda f: _rezip(f, replace={"xl/styles.xml": UTF16}), Limits(), "E208", "不是 UTF-8"),
    ("corrupt member", lambda f: _corrupt_member(f), Limits(), "E201", "损坏"),
]


def _encrypted_flag(form: bytes) -> bytes:
    """The "encrypted" bit set in every central directory entry (zipfile never writes it)."""
    data = bytearray(_rezip(form))
    at = data.find(b"PK\x01\x02")
    while at != -1:
        data[at + 8] |= 0x1
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def _corrupt_member(form: bytes) -> bytes:
    data = bytearray(_rezip(form))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/styles.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start, start + min(info.compress_size, 64)):
        data[i] ^= 0xFF
    return bytes(data)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_the_byte_guard_branch_by_branch(issued, case):
    _id, build, limits, code, words = case
    _master, forms = issued
    form = next(iter(forms.values())).read_bytes()
    data = build(form)
    if code is None:
        spans = _check_zip(data, "报送表.xlsx", limits)
        assert set(spans) >= {FORM_SHEET, FORM_META_SHEET}
        check_spans(spans, (FORM_SHEET, FORM_META_SHEET), "报送表.xlsx", limits)
        return
    with pytest.raises(_Reject) as err:
        _check_zip(data, "报送表.xlsx", limits)
    assert err.value.problem.code == code, err.value.problem.message
    assert words in err.value.problem.message


def test_the_cell_rectangle_is_bounded_for_the_sheets_read_only(issued):
    _master, forms = issued
    src = next(iter(forms.values()))
    wb = openpyxl.load_workbook(src)
    wb[FORM_INFO_SHEET]["ZZ90000"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    spans = _check_zip(buf.getvalue(), "f.xlsx", Limits())
    check_spans(spans, (FORM_SHEET, FORM_META_SHEET), "f.xlsx", Limits())  # not read: fine
    with pytest.raises(_Reject) as err:
        check_spans(spans, (FORM_INFO_SHEET,), "f.xlsx", Limits())
    assert err.value.problem.code == "E207" and "ZZ90000" in err.value.problem.message
