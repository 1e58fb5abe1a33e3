"""Read a returned form (报送表) safely and fast: bytes checked first, values read by calamine.

``read_form(path, expect)`` returns a ``FormRead``: the file's fingerprint and times, the
metadata of its ``_kexie`` sheet, the raw 报送 table (``TableData``) and the file-level problems.
A file with an error-level problem is rejected as a whole; the caller validates the rows.

Before any spreadsheet library touches a file (the contract is docs/forms.md):

* size: at most ``Limits.file_bytes`` on disk;
* kind, by magic bytes: a ZIP package (.xlsx/.xlsm) or an OLE compound file (.xls); an OLE file
  holding an ``EncryptedPackage`` stream is a password-protected .xlsx, and a .xls with a FILEPASS
  record is a password-protected .xls (msoffcrypto-tool tells) — both rejected as encrypted;
* ZIP bombs: the number of members, the total declared size and every member's actual inflated
  size (streamed with a cap, so lying headers do not help) and compression ratio are bounded;
* XML bombs: no part may declare a DOCTYPE or ENTITY (Excel, WPS and LibreOffice never write
  one; calamine's parser does not expand entities either, this is defence in depth);
* rows: at most ``Limits.sheet_rows`` rows in the data sheet and ``Limits.form_rows`` data rows.

Then calamine reads values only — the cached result of a formula, never the formula, and no
macro ever runs. Identity: the ``_kexie`` sheet's campaign_id, unit_code, form_version and token
(HMAC under the campaign secret) must match the master; the unit must be in 单位名册.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from macros.adapters.form_guard import (  # noqa: F401 - Limits, _check_zip are part of this API
    OLE_MAGIC, ZIP_MAGIC, Limits, Spans, _check_ole, _check_xls_size, _check_zip, _Reject, check_spans,
)
from macros.core.grid import HEADER_SCAN_ROWS, TableData, header_key, is_blank, locate_table
from macros.core.normalize import name_key, parse_date, parse_int
from macros.core.safe_names import shown_name
from macros.problems import Problem, problem
from macros.schema import FORM, FORM_META_SHEET, FORM_SHEET

FORM_DATE_LABEL = "填表日期"


@dataclass(frozen=True)
class Expect:
    """What a form must match: the master's campaign, secret and roster."""

    campaign_id: str | None
    secret: bytes | None
    units: dict[str, tuple[str, str]]  # name_key(code) -> (code, name) from 单位名册
    year: int | None = None  # the campaign's year, for 填表日期 written without one
    key_file: str = ""  # name of the key file, for the message when the secret is missing


@dataclass
class FormRead:
    path: Path
    sha256: str
    size: int
    mtime_ns: int
    meta: dict[str, Any] = field(default_factory=dict)
    unit_code: str | None = None  # the roster's spelling of the form's unit
    unit_name: str | None = None  # the roster's name of the unit
    data: TableData | None = None  # the 报送 table as read (raw values)
    form_date: date | None = None  # 填表日期, when typed and readable
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The file name as printed (control and format characters escaped)."""
        return shown_name(self.path.name)

    @property
    def rejected(self) -> bool:
        return any(p.level == "error" for p in self.problems)

    @property
    def modified(self) -> datetime:
        return datetime.fromtimestamp(self.mtime_ns / 1e9)

    def submitted_on(self) -> tuple[date, list[Problem]]:
        """The 报送日期: the 填表日期 when given, readable and not after the file's date; else the
        file's modification date (docs/forms.md). Returns the date and any warning."""
        received = self.modified.date()
        raw = self.meta.get("_form_date_raw")
        if raw is None or is_blank(raw):
            return received, []
        if self.form_date is None:
            return received, [problem("W203", file=self.name, text=_shown(raw), received=received.isoformat())]
        if self.form_date > received:
            return received, [problem("W202", file=self.name, text=_shown(raw), received=received.isoformat())]
        return self.form_date, []


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()[:40]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the spreadsheet --------------------------------------------------------------------------

def _grid(book, sheet: str, limits: Limits, name: str) -> list[list[Any]]:
    ws = book.get_sheet_by_name(sheet)
    end = ws.end
    if end is not None and end[0] + 1 > limits.sheet_rows:
        raise _Reject(problem("E209", file=name, count=f"{end[0] + 1 - HEADER_SCAN_ROWS}+",
                              limit=limits.form_rows))
    return ws.to_python(skip_empty_area=False)


def _meta(grid: list[list[Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for row in grid[:200]:
        if len(row) < 2 or is_blank(row[0]):
            continue
        key = str(row[0]).strip()
        if key.lower() in ("key",) or key in out:
            continue
        out[key] = None if is_blank(row[1]) else row[1]
    return out


def _text(value: Any) -> str | None:
    if value is None or is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def _form_date(grid: list[list[Any]], header_row: int, year: int | None) -> Any:
    """The value typed right of the label 填表日期 in the rows above the header, or None.

    The first cell to the right that reads as a date; else the cell next to the label when it
    holds something (unreadable: the caller warns); the hint text further right is ignored."""
    label = header_key(FORM_DATE_LABEL)
    for row in grid[: max(header_row - 1, 0)]:
        for j, v in enumerate(row):
            if header_key(v) == label:
                right = row[j + 1:]
                for w in right:
                    if not is_blank(w) and parse_date(w, default_year=year) is not None:
                        return w
                return right[0] if right and not is_blank(right[0]) else None
    return None


def _data_rows_only(data: TableData) -> TableData:
    """Drop rows blank in every column but 字数 (its formula leaves "" or 0.0 in empty rows)."""
    keys = [c.key for c in FORM.columns if c.key != "word_count" and c.key in data.frame.columns]
    frame = data.frame
    if not len(frame) or not keys:
        return data
    keep = [not all(is_blank(v) for v in vals) for vals in zip(*(frame[k].tolist() for k in keys))]
    if all(keep):
        return data
    data.frame = frame[keep]
    return data


def read_form(path: str | Path, expect: Expect, limits: Limits = Limits(),
              data: bytes | None = None) -> FormRead:
    """Read and check one returned file; never raises for a bad file (see ``FormRead.problems``)."""
    path = Path(path)
    st = path.stat()
    if data is None:
        if st.st_size > limits.file_bytes:
            return FormRead(path, "", st.st_size, st.st_mtime_ns,
                            problems=[problem("E207", file=shown_name(path.name), detail=f"有 {st.st_size // 2**20} MB")])
        data = path.read_bytes()
    result = FormRead(path, digest(data), len(data), st.st_mtime_ns)
    try:
        _read(result, data, expect, limits)
    except _Reject as rej:
        result.problems.append(rej.problem)
    return result


def _read(result: FormRead, data: bytes, expect: Expect, limits: Limits) -> None:
    name = result.name
    if len(data) > limits.file_bytes:
        raise _Reject(problem("E207", file=name, detail=f"有 {len(data) // 2**20} MB"))
    spans: Spans = {}
    if data.startswith(OLE_MAGIC):
        _check_ole(data, name)
        _check_xls_size(data, name, limits)
    elif data.startswith(ZIP_MAGIC):
        spans = _check_zip(data, name, limits)
    else:
        raise _Reject(problem("E201", file=name, detail=_not_a_workbook(data)))

    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - calamine's own error types
        raise _Reject(problem("E201", file=name, detail=_short(exc))) from exc
    try:
        _identify(result, book, spans, expect, limits)
        _read_data(result, book, spans, expect, limits)
    finally:
        book.close()


def _sheet_grid(book, sheet: str, spans: Spans, limits: Limits, name: str) -> list[list[Any]]:
    check_spans(spans, (sheet,), name, limits)
    try:
        return _grid(book, sheet, limits, name)
    except _Reject:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _Reject(problem("E201", file=name, detail=_short(exc))) from exc


def _identify(result: FormRead, book, spans: Spans, expect: Expect, limits: Limits) -> None:
    """The ``_kexie`` metadata: campaign, unit and token must match the master and roster."""
    name = result.name
    if FORM_META_SHEET not in list(book.sheet_names):
        raise _Reject(problem("E203", file=name, detail="缺少隐藏的 _kexie 信息表"))
    meta = _meta(_sheet_grid(book, FORM_META_SHEET, spans, limits, name))
    result.meta = meta
    token = _text(meta.get("token"))
    campaign = _text(meta.get("campaign_id"))
    unit = _text(meta.get("unit_code"))
    if not token or not campaign or not unit:
        raise _Reject(problem("E203", file=name, detail="_kexie 信息表缺少活动编号、单位编号或校验码"))
    if expect.campaign_id is not None and name_key(campaign) != name_key(expect.campaign_id):
        raise _Reject(problem("E204", file=name, other=campaign, ours=expect.campaign_id))
    if expect.secret is None:
        raise _Reject(problem("E213", file=name, key=expect.key_file or "密钥文件"))
    from macros.core.tokens import verify_token

    if not verify_token(expect.secret, campaign, unit, meta.get("form_version"), token):
        raise _Reject(problem("E205", file=name, unit=unit))
    known = expect.units.get(name_key(unit))
    if known is None:
        raise _Reject(problem("E206", file=name, unit=unit))
    result.unit_code, result.unit_name = known


def _data_sheet(result: FormRead, book) -> str:
    """The sheet the form's metadata names (报送 for forms issued before it was recorded): it
    must be there and visible — no other sheet is ever read (a decoy cannot stand in)."""
    sheet = _text(result.meta.get("data_sheet")) or FORM_SHEET
    info = {m.name: m for m in book.sheets_metadata}
    if sheet not in info:
        raise _Reject(problem("E214", file=result.name, sheet=sheet, detail="不存在（被删除或改名）"))
    from python_calamine import SheetVisibleEnum

    if info[sheet].visible != SheetVisibleEnum.Visible:
        raise _Reject(problem("E214", file=result.name, sheet=sheet, detail="被隐藏"))
    return sheet


def _read_data(result: FormRead, book, spans: Spans, expect: Expect, limits: Limits) -> None:
    name = result.name
    sheet = _data_sheet(result, book)
    grid = _sheet_grid(book, sheet, spans, limits, name)
    table = locate_table(grid, FORM)
    if not table.found or len(table.missing) >= len(FORM.columns) // 2:
        raise _Reject(problem("E203", file=name, detail=f"找不到“{sheet}”工作表的表头"))
    missing = [FORM.column(k).header for k in table.missing if FORM.column(k).required]
    if missing:
        raise _Reject(problem("E210", file=name, columns="、".join(missing)))
    table = _data_rows_only(table)
    if len(table.frame) > limits.form_rows:
        raise _Reject(problem("E209", file=name, count=len(table.frame), limit=limits.form_rows))
    if not len(table.frame):
        raise _Reject(problem("E211", file=name))
    result.problems += visible_unit_problems(grid, table.header_row, result)
    result.problems += typed_word_counts(table, name)
    result.data = table
    raw_date = _form_date(grid, table.header_row, expect.year)
    result.meta["_form_date_raw"] = raw_date
    if raw_date is not None:
        result.form_date = parse_date(raw_date, default_year=expect.year)


def visible_unit_problems(grid: list[list[Any]], header_row: int, result: FormRead) -> list[Problem]:
    """W204 when the unit shown above the table is not the unit the metadata proves: the token
    proves the unit code, not the file (another unit's hidden values may have been pasted in)."""
    from macros.adapters.xlsx_form import UNIT_CODE_LABEL, UNIT_NAME_LABEL

    shown: dict[str, Any] = {}
    for row in grid[: max(header_row - 1, 0)]:
        for j, v in enumerate(row):
            key = header_key(v)
            for label in (UNIT_CODE_LABEL, UNIT_NAME_LABEL):
                if key == header_key(label) and label not in shown:
                    shown[label] = next((w for w in row[j + 1:] if not is_blank(w)), None)
    code, unit_name = _text(shown.get(UNIT_CODE_LABEL)), _text(shown.get(UNIT_NAME_LABEL))
    differs = (code is not None and name_key(code) != name_key(result.unit_code or "")) or \
        (unit_name is not None and name_key(unit_name) != name_key(result.unit_name or ""))
    if not differs:
        return []
    return [problem("W204", file=result.name, shown=f"{unit_name or ''} {code or ''}".strip(),
                    unit=f"{result.unit_name or ''} {result.unit_code or ''}".strip())]


def typed_word_counts(table: TableData, name: str) -> list[Problem]:
    """Text typed over the 字数 formula: recomputed from 正文 anyway, so a warning (W207) and the
    cell cleared for validation — never a rejected row."""
    col = "word_count"
    if col not in table.frame.columns:
        return []
    out = []
    values = table.frame[col].tolist()
    for row, v in zip(table.frame.index.tolist(), values):
        if isinstance(v, str) and v.strip() and parse_int(v) is None:
            out.append(problem("W207", file=name, cell=table.cell(col, int(row)), row=int(row), text=v.strip()[:40]))
    if out:
        table.frame = table.frame.copy()
        table.frame[col] = [None if isinstance(v, str) and v.strip() and parse_int(v) is None else v for v in values]
    return out


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def _not_a_workbook(data: bytes) -> str:
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


def file_mtime_ns(path: Path) -> int:
    return os.stat(path).st_mtime_ns
