"""Read a reviewer's returned score form (评分表) safely; never raises for a bad file.

The same byte-level defences as every returned form (macros/adapters/form_book.py: size, ZIP and
XML bombs, encryption, OLE sanity, the valued-cell span) run first; then the hidden ``_kexie`` sheet must say
``kind = review``, name this campaign and a reviewer of 评审专家, and carry that reviewer's token
(``tokens.form_token`` of ``review:<专家编号>``). The 评分 sheet is located by its header; every
row with a 编号 below it is handed back raw — checking the points is pure logic
(macros/core/review_intake.py).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from macros.adapters.form_book import check_identity, meta_table, open_book, read_limited, too_big
from macros.adapters.form_book import meta_text as _text
from macros.adapters.form_guard import OLE_MAGIC, ZIP_MAGIC, Limits, _Reject
from macros.adapters.form_reader import digest
from macros.adapters.review_form import COMMENT_HEADER, FIXED_HEADERS, review_subject
from macros.core.grid import header_key, is_blank
from macros.core.normalize import name_key
from macros.problems import Problem, problem
from macros.schema import FORM_META_SHEET, REVIEW_FORM_KIND, REVIEW_FORM_SHEET

HEADER_SCAN = 30


@dataclass
class ReviewExpect:
    campaign_id: str | None
    secret: bytes | None
    reviewers: dict[str, str]  # name_key(code) -> code as in 评审专家
    criteria: Sequence[str]  # criterion names, in order
    key_file: str = ""


@dataclass
class ReviewFormRead:
    path: Path
    sha256: str
    size: int
    mtime_ns: int
    meta: dict[str, Any] = field(default_factory=dict)
    reviewer_code: str | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)  # {sheet_row, item_id, points{}, comment, cells{}}
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def rejected(self) -> bool:
        return any(p.level == "error" for p in self.problems)


def is_review_meta(meta: dict[str, Any]) -> bool:
    return _text(meta.get("kind")) == REVIEW_FORM_KIND


def peek_kind(data: bytes) -> str | None:
    """The ``kind`` of a kexie form (``review`` for score forms), None when it has none."""
    if not data.startswith(ZIP_MAGIC) and not data.startswith(OLE_MAGIC):
        return None
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            if FORM_META_SHEET not in book.sheet_names:
                return None
            meta = meta_table(book.get_sheet_by_name(FORM_META_SHEET).to_python()[:50])
        finally:
            book.close()
    except Exception:  # noqa: BLE001 - the full reader reports it
        return None
    return _text(meta.get("kind"))


def read_review_form(path: str | Path, expect: ReviewExpect, limits: Limits = Limits(),
                     data: bytes | None = None) -> ReviewFormRead:
    path = Path(path)
    st, data = read_limited(path, limits, data)
    if data is None:
        return ReviewFormRead(path, "", st.st_size, st.st_mtime_ns, problems=[too_big(path.name, st.st_size)])
    result = ReviewFormRead(path, digest(data), len(data), st.st_mtime_ns)
    try:
        _read(result, data, expect, limits)
    except _Reject as rej:
        result.problems.append(rej.problem)
    return result


def _identify(result: ReviewFormRead, meta: dict[str, Any], expect: ReviewExpect) -> None:
    name = result.name
    token, campaign = _text(meta.get("token")), _text(meta.get("campaign_id"))
    code = _text(meta.get("reviewer_code"))
    if not token or not campaign or not code or not is_review_meta(meta):
        raise _Reject(problem("E203", file=name, detail="_kexie 信息表缺少评分表的专家编号或校验码"))
    check_identity(meta, name=name, campaign_id=expect.campaign_id, secret=expect.secret,
                   key_file=expect.key_file, subject=review_subject(code),
                   bad_token=problem("E601", file=name, reviewer=code))
    known = expect.reviewers.get(name_key(code))
    if known is None:
        raise _Reject(problem("E602", file=name, reviewer=code))
    result.reviewer_code = known


def _columns(grid: list[list[Any]], expect: ReviewExpect, name: str) -> tuple[int, dict[str, int]]:
    """The header row (0-based) and column index of 编号, each criterion and 评语."""
    id_key = header_key(FIXED_HEADERS[0])
    for i, row in enumerate(grid[:HEADER_SCAN]):
        keys = [header_key(v) for v in row]
        if id_key not in keys:
            continue
        cols = {"item_id": keys.index(id_key)}
        missing = []
        for crit in expect.criteria:
            ck = header_key(crit)
            j = next((j for j, k in enumerate(keys) if k == ck or k.startswith(ck + "(")), None)
            if j is None:
                missing.append(crit)
            else:
                cols["c:" + crit] = j
        if missing:
            raise _Reject(problem("E607", file=name, columns="、".join(missing)))
        if header_key(COMMENT_HEADER) in keys:
            cols["comment"] = keys.index(header_key(COMMENT_HEADER))
        return i, cols
    raise _Reject(problem("E607", file=name, columns=FIXED_HEADERS[0]))


def _rows(grid: list[list[Any]], header: int, cols: dict[str, int], criteria: Sequence[str]) -> list[dict[str, Any]]:
    from openpyxl.utils import get_column_letter

    out = []
    for i, row in enumerate(grid[header + 1:], start=header + 2):
        cell = lambda j: row[j] if j < len(row) else None  # noqa: E731
        item_id = _text(cell(cols["item_id"]))
        if item_id is None:
            continue
        points = {c: (None if is_blank(cell(cols["c:" + c])) else cell(cols["c:" + c])) for c in criteria}
        comment = _text(cell(cols["comment"])) if "comment" in cols else None
        cells = {c: f"{get_column_letter(cols['c:' + c] + 1)}{i}" for c in criteria}
        cells["item_id"] = f"{get_column_letter(cols['item_id'] + 1)}{i}"
        out.append({"sheet_row": i, "item_id": item_id, "points": points, "comment": comment, "cells": cells})
    return out


def _read(result: ReviewFormRead, data: bytes, expect: ReviewExpect, limits: Limits) -> None:
    with open_book(data, result.name, limits) as form:
        result.meta = form.meta()
        _identify(result, result.meta, expect)
        if REVIEW_FORM_SHEET not in form.sheets:
            raise _Reject(problem("E607", file=result.name, columns=f"（找不到“{REVIEW_FORM_SHEET}”工作表）"))
        grid = form.grid(form.data_sheet(REVIEW_FORM_SHEET))
    header, cols = _columns(grid, expect, result.name)
    result.rows = _rows(grid, header, cols, expect.criteria)
    if len(result.rows) > limits.form_rows:
        raise _Reject(problem("E209", file=result.name, count=len(result.rows), limit=limits.form_rows))
