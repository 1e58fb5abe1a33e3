"""The one way every kind of returned form is opened (macros.adapters.form_book): each refusal on
real files, and the same refusal reaching the reviewer's and the department's readers, which
used to carry their own, weaker copy of these checks."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from macros.adapters.dept_form import read_dept_form
from macros.adapters.form_book import check_identity, open_book
from macros.adapters.form_guard import Limits, _Reject
from macros.adapters.review_form import review_subject
from macros.adapters.review_form_reader import ReviewExpect, read_review_form
from macros.core.tokens import form_token
from macros.problems import problem
from macros.schema import FORM_META_SHEET, REVIEW_FORM_KIND, REVIEW_FORM_SHEET

SECRET = b"k" * 32
CAMPAIGN = "2010-献策"


def book_bytes(meta: dict | None, sheets: dict[str, str] = {}, fill: dict[str, int] = {}) -> bytes:
    """An .xlsx with visible/hidden sheets (name → "visible"/"hidden"), ``fill`` rows of values on
    some, and a ``_kexie`` sheet holding ``meta`` (none when None)."""
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    for name, state in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(["编号", "创新性"])
        for i in range(fill.get(name, 0)):
            ws.append([f"X{i}", 80])
        ws.sheet_state = state
    if meta is not None:
        ws = wb.create_sheet(FORM_META_SHEET)
        for k, v in meta.items():
            ws.append([k, v])
        ws.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def refusal(data: bytes, limits: Limits = Limits(), sheet: str | None = None) -> str | None:
    try:
        with open_book(data, "x.xlsx", limits) as form:
            form.meta()
            if sheet:
                form.grid(form.data_sheet(sheet))
    except _Reject as rej:
        return rej.problem.code
    return None


@pytest.mark.parametrize(("case", "code"), [
    ("ok", None),
    ("empty file", "E201"),
    ("pdf", "E201"),
    ("too big", "E207"),
    ("no _kexie sheet", "E203"),
    ("data sheet hidden", "E214"),
    ("data sheet missing", "E214"),
    ("data sheet too tall", "E209"),
])
def test_each_refusal_of_the_shared_opener(case, code):
    meta = {"campaign_id": CAMPAIGN}
    data = {
        "ok": lambda: book_bytes(meta, {"报送": "visible"}),
        "empty file": lambda: b"",
        "pdf": lambda: b"%PDF-1.7\n...",
        "too big": lambda: book_bytes(meta, {"报送": "visible"}),
        "no _kexie sheet": lambda: book_bytes(None, {"报送": "visible"}),
        "data sheet hidden": lambda: book_bytes(meta, {"报送": "hidden"}),
        "data sheet missing": lambda: book_bytes(meta, {"别的": "visible"}),
        "data sheet too tall": lambda: book_bytes(meta, {"报送": "visible"}, {"报送": 60}),
    }[case]()
    limits = Limits(file_bytes=1000) if case == "too big" else Limits(sheet_rows=50) if "tall" in case else Limits()
    assert refusal(data, limits, sheet="报送") == code


def test_identity_checks_campaign_key_and_token():
    good = {"campaign_id": CAMPAIGN, "form_version": 1, "token": form_token(SECRET, CAMPAIGN, "XH01", 1)}
    bad = problem("E205", file="x.xlsx", unit="XH01")

    def code(meta, campaign=CAMPAIGN, secret=SECRET, subject="XH01"):
        try:
            check_identity(meta, name="x.xlsx", campaign_id=campaign, secret=secret, key_file="k.key",
                           subject=subject, bad_token=bad)
        except _Reject as rej:
            return rej.problem.code
        return None

    assert code(good) is None
    assert code(good, campaign="2011-献策") == "E204"
    assert code(good, secret=None) == "E213"
    assert code(good, subject="XH02") == "E205"  # the token signs another unit
    assert code({**good, "token": "0" * 32}) == "E205"


def test_a_reviewer_form_with_its_score_sheet_hidden_is_refused(tmp_path: Path):
    meta = {"kind": REVIEW_FORM_KIND, "campaign_id": CAMPAIGN, "reviewer_code": "ZJ01", "form_version": 1,
            "token": form_token(SECRET, CAMPAIGN, review_subject("ZJ01"), 1)}
    expect = ReviewExpect(CAMPAIGN, SECRET, {"zj01": "ZJ01"}, ["创新性"])
    visible = tmp_path / "visible.xlsx"
    visible.write_bytes(book_bytes(meta, {REVIEW_FORM_SHEET: "visible"}, {REVIEW_FORM_SHEET: 2}))
    read = read_review_form(visible, expect)
    assert not read.rejected and [r["item_id"] for r in read.rows] == ["X0", "X1"]
    hidden = tmp_path / "hidden.xlsx"
    hidden.write_bytes(book_bytes(meta, {REVIEW_FORM_SHEET: "hidden"}, {REVIEW_FORM_SHEET: 2}))
    assert [p.code for p in read_review_form(hidden, expect).problems] == ["E214"]


def test_a_department_form_that_is_not_a_workbook_gets_the_same_answer():
    class Expect:
        campaign_id, secret, key_file, units = CAMPAIGN, SECRET, "k.key", {}

    got = read_dept_form(b"<html><table></table></html>", "部门.xlsx", Expect(), Limits())
    assert [p.code for p in got.problems] == ["E201"]
    assert "网页" in got.problems[0].message
