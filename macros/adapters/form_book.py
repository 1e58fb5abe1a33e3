"""Open a returned kexie form — a unit's 报送表, a department's form, a reviewer's 评分表 — the
one safe way, and check the identity every such form carries.

:func:`open_book` runs the byte-level defences of :mod:`macros.adapters.form_guard` (size, kind by
magic bytes, OLE sanity and encryption, ZIP and XML bombs, the valued-cell span of each sheet)
before calamine touches the file, and yields a :class:`FormBook`: the sheets, the hidden
``_kexie`` metadata, a visible data sheet and its grid of values. :func:`check_identity` is the
signature check shared by every kind (campaign E204, campaign key E213, token → the caller's
code). Every refusal is raised as ``form_guard._Reject`` holding a coded problem, so a reader turns
it into a rejected file and the batch goes on.
"""

from __future__ import annotations

import io
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from macros.adapters.form_guard import (
    OLE_MAGIC, ZIP_MAGIC, Limits, Spans, _check_ole, _check_xls_size, _check_zip, _Reject, check_spans,
)
from macros.core.grid import HEADER_SCAN_ROWS, is_blank
from macros.core.normalize import name_key
from macros.core.tokens import verify_token
from macros.problems import Problem, problem
from macros.schema import FORM_META_SHEET

META_ROWS = 200  # the metadata sheet's rows read (it has about twenty)


def short_error(exc: BaseException) -> str:
    """The first line of a library's error, for the problem's detail."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def not_a_workbook(data: bytes) -> str:
    """What a file that is not a workbook seems to be, in the words of the E201 message."""
    head = data[:512].lstrip().lower()
    if not data:
        return "文件是空的"
    if head.startswith(b"%pdf"):
        return "这是 PDF 文件"
    if head.startswith((b"<html", b"<!doctype html", b"<?xml", b"<table", b"mime-version")):
        return "这是网页或 XML 格式的表格（“另存为”时选择了网页格式），请另存为 Excel 工作簿（.xlsx）"
    if head.startswith((b"{\\rtf",)):
        return "这是 RTF 文档"
    return "文件内容不是 Excel 格式，可能是改了扩展名的其他文件"


def meta_text(value: Any) -> str | None:
    """A metadata or label value as text (``12.0`` → ``"12"``), None when blank."""
    if value is None or is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def meta_table(grid: list[list[Any]]) -> dict[str, Any]:
    """The key/value rows of the ``_kexie`` sheet (first value of a key wins; a "key" header row is skipped)."""
    out: dict[str, Any] = {}
    for row in grid[:META_ROWS]:
        if len(row) < 2 or is_blank(row[0]):
            continue
        key = str(row[0]).strip()
        if key.lower() in ("key",) or key in out:
            continue
        out[key] = None if is_blank(row[1]) else row[1]
    return out


def too_big(name: str, size: int) -> Problem:
    """E207: a file larger than the forms' limit."""
    return problem("E207", file=name, detail=f"有 {size // 2**20} MB")


def read_limited(path: Path, limits: Limits, data: bytes | None = None) -> tuple[os.stat_result, bytes | None]:
    """A returned file's stat and bytes (``data`` when the caller has them already); the bytes are
    None, and never read, when the file on disk is larger than the limit (:func:`too_big`)."""
    st = path.stat()
    if data is None:
        if st.st_size > limits.file_bytes:
            return st, None
        data = path.read_bytes()
    return st, data


def check_bytes(data: bytes, name: str, limits: Limits) -> Spans:
    """The defences run on the bytes before any spreadsheet library reads them; the valued-cell
    spans of an .xlsx's sheets (empty for .xls)."""
    if len(data) > limits.file_bytes:
        raise _Reject(too_big(name, len(data)))
    if data.startswith(OLE_MAGIC):
        _check_ole(data, name)
        _check_xls_size(data, name, limits)
        return {}
    if data.startswith(ZIP_MAGIC):
        return _check_zip(data, name, limits)
    raise _Reject(problem("E201", file=name, detail=not_a_workbook(data)))


def sheet_grid(book: Any, sheet: str, limits: Limits, name: str) -> list[list[Any]]:
    """A sheet's values (calamine), refused (E209) when its used range is taller than the limit."""
    ws = book.get_sheet_by_name(sheet)
    end = ws.end
    if end is not None and end[0] + 1 > limits.sheet_rows:
        raise _Reject(problem("E209", file=name, count=f"{end[0] + 1 - HEADER_SCAN_ROWS}+",
                              limit=limits.form_rows))
    return ws.to_python(skip_empty_area=False)


@dataclass
class FormBook:
    """An opened form whose bytes passed the checks."""

    book: Any  # a python_calamine CalamineWorkbook
    spans: Spans
    name: str  # the file name as printed
    limits: Limits

    @property
    def sheets(self) -> list[str]:
        return list(self.book.sheet_names)

    def grid(self, sheet: str) -> list[list[Any]]:
        """A sheet's values, within the span and row limits; a library error is E201."""
        check_spans(self.spans, (sheet,), self.name, self.limits)
        try:
            return sheet_grid(self.book, sheet, self.limits, self.name)
        except _Reject:
            raise
        except Exception as exc:  # noqa: BLE001 - calamine's own error types
            raise _Reject(problem("E201", file=self.name, detail=short_error(exc))) from exc

    def meta(self) -> dict[str, Any]:
        """The hidden ``_kexie`` sheet's key/value pairs (E203 when the sheet is missing)."""
        if FORM_META_SHEET not in self.sheets:
            raise _Reject(problem("E203", file=self.name, detail="缺少隐藏的 _kexie 信息表"))
        return meta_table(self.grid(FORM_META_SHEET))

    def data_sheet(self, sheet: str) -> str:
        """``sheet``, which must be there and visible (E214): no other sheet is ever read, so a
        decoy cannot stand in for a deleted, renamed or hidden one."""
        info = {m.name: m for m in self.book.sheets_metadata}
        if sheet not in info:
            raise _Reject(problem("E214", file=self.name, sheet=sheet, detail="不存在（被删除或改名）"))
        from python_calamine import SheetVisibleEnum

        if info[sheet].visible != SheetVisibleEnum.Visible:
            raise _Reject(problem("E214", file=self.name, sheet=sheet, detail="被隐藏"))
        return sheet


@contextmanager
def open_book(data: bytes, name: str, limits: Limits) -> Iterator[FormBook]:
    """Check ``data`` and open it with calamine (values only: no formula is evaluated, no macro
    runs); the book is closed on leaving."""
    spans = check_bytes(data, name, limits)
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - calamine's own error types
        raise _Reject(problem("E201", file=name, detail=short_error(exc))) from exc
    try:
        yield FormBook(book, spans, name, limits)
    finally:
        book.close()


def check_identity(meta: dict[str, Any], *, name: str, campaign_id: str | None, secret: bytes | None,
                   key_file: str, subject: str, bad_token: Problem) -> None:
    """The form names this campaign (E204), the campaign's key is at hand (E213) and the token
    signs ``subject`` (the unit, reviewer or department the form was issued to) under it — else
    ``bad_token`` (each kind has its own code)."""
    campaign = meta_text(meta.get("campaign_id")) or ""
    if campaign_id is not None and name_key(campaign) != name_key(campaign_id):
        raise _Reject(problem("E204", file=name, other=campaign, ours=campaign_id))
    if secret is None:
        raise _Reject(problem("E213", file=name, key=key_file or "密钥文件"))
    if not verify_token(secret, campaign, subject, meta.get("form_version"), meta.get("token")):
        raise _Reject(bad_token)
