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

from macros.core.grid import HEADER_SCAN_ROWS, TableData, header_key, is_blank, locate_table
from macros.core.normalize import name_key, parse_date
from macros.core.safe_names import shown_name
from macros.problems import Problem, problem
from macros.schema import FORM, FORM_META_SHEET, FORM_SHEET

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A cell or row reference in worksheet XML: calamine allocates the whole rectangle its cells span,
# so two cells at A1 and XFD1048576 in a 5 KB file would ask for hundreds of gigabytes.
# A reference attribute r="B7" (cells) or r="7" (rows). Every XML part is scanned, whatever its
# name: a literal prefix keeps the scan at memchr speed (~1 ms per MB).
# Two scans over the same references (r="B7" / r="7"), so no tuple is built per cell and each
# distinct row number or column is converted once: the row numbers of all, the letters of cells.
_REF_ROW = re.compile(rb'r="[A-Z]{0,3}(\d{1,9})"')
_REF_COL = re.compile(rb'r="([A-Z]{1,3})\d{1,9}"')
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
FORM_DATE_LABEL = "填表日期"


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 50 * 1024 * 1024  # a form is tens of kilobytes; mail systems cap ~50 MB
    zip_members: int = 2000
    zip_total: int = 200 * 1024 * 1024  # inflated size of all members together
    zip_member: int = 100 * 1024 * 1024  # inflated size of one member
    zip_ratio: int = 200  # inflated / compressed, for members above ratio_floor bytes
    ratio_floor: int = 1024 * 1024
    sheet_rows: int = 20000  # rows of the data sheet calamine may hand over (incl. blank ones)
    sheet_cells: int = 2_000_000  # rows x columns spanned by a sheet's cells (calamine is dense)
    form_rows: int = 2000  # data rows of one form


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


class _Reject(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- byte-level checks -----------------------------------------------------------------------

def _check_ole(data: bytes, name: str) -> None:
    """An OLE compound file: an encrypted .xlsx/.xls is rejected, a plain .xls passes."""
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(s).lower() for s in ole.listdir(streams=True, storages=False)}
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not a workbook"
        raise _Reject(problem("E201", file=name, detail=f"复合文档结构损坏：{type(exc).__name__}")) from exc
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        raise _Reject(problem("E202", file=name))
    if not ({"workbook", "book"} & streams):
        raise _Reject(problem("E201", file=name, detail="这是一个 Office 复合文档，但不含工作簿（可能是 Word 文档）"))
    try:
        import msoffcrypto

        encrypted = msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted()
    except Exception:  # noqa: BLE001 - msoffcrypto cannot parse it: calamine will judge the file
        encrypted = False
    if encrypted:
        raise _Reject(problem("E202", file=name))


def _check_zip(data: bytes, name: str, limits: Limits) -> None:
    """Bounds against ZIP bombs and XML bombs, checked by inflating each member with a cap."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _Reject(problem("E201", file=name, detail="压缩包结构损坏")) from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.zip_members:
            raise _Reject(problem("E207", file=name, detail=f"内含 {len(infos)} 个部件"))
        members = {i.filename for i in infos}
        if "[Content_Types].xml" not in members or not any(
                m.lower().endswith("workbook.xml") or m.lower().endswith("workbook.bin") for m in members):
            kind = "Word 文档" if any(m.startswith("word/") for m in members) else "压缩包"
            raise _Reject(problem("E201", file=name, detail=f"这是一个{kind}，不是 Excel 工作簿"))
        if any(i.flag_bits & 0x1 for i in infos):
            raise _Reject(problem("E202", file=name))
        declared = sum(i.file_size for i in infos)
        if declared > limits.zip_total:
            raise _Reject(problem("E207", file=name, detail=f"解压后约 {declared // 2**20} MB"))
        if "xl/workbook.xml" not in members:
            raise _Reject(problem("E201", file=name, detail="缺少 xl/workbook.xml，不是标准的 Excel 工作簿"))
        for small in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            if small in members and zf.getinfo(small).file_size > 16 << 20:
                raise _Reject(problem("E207", file=name, detail=f"部件 {small} 过大"))
        # The parts calamine reads as sheets (defusedxml refuses DTDs and entities).
        from macros.adapters.safe_write import _sheet_parts

        try:
            sheet_parts = set(_sheet_parts(zf).values())
        except Exception as exc:  # noqa: BLE001 - defusedxml refusals, bad XML, missing parts
            detail = "DOCTYPE/ENTITY" if "DTD" in type(exc).__name__ or "Entit" in type(exc).__name__ else ""
            if detail:
                raise _Reject(problem("E208", file=name, detail=f"xl/workbook.xml 中的 {detail}")) from exc
            raise _Reject(problem("E201", file=name, detail="工作簿目录无法读取")) from exc
        total = 0
        for info in infos:
            size = 0
            head = b""
            is_xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
            span = _Span() if info.filename in sheet_parts else None
            tail = b""
            try:
                with zf.open(info) as fh:
                    while True:
                        chunk = fh.read(1 << 20)
                        if not chunk:
                            break
                        if span is not None:
                            span.scan(tail + chunk)
                            tail = chunk[-32:]
                        if len(head) < 4096:
                            head += chunk[: 4096 - len(head)]
                        size += len(chunk)
                        total += len(chunk)
                        if size > limits.zip_member or total > limits.zip_total:
                            raise _Reject(problem("E207", file=name, detail=f"解压后超过 {limits.zip_total // 2**20} MB"))
            except _Reject:
                raise
            except Exception as exc:  # noqa: BLE001 - BadZipFile, zlib.error, EOFError, …
                raise _Reject(problem("E201", file=name, detail=f"部件 {info.filename} 损坏")) from exc
            if size > limits.ratio_floor and size > limits.zip_ratio * max(info.compress_size, 1):
                raise _Reject(problem("E207", file=name, detail=f"部件 {info.filename} 的压缩比异常"))
            if is_xml:
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise _Reject(problem("E208", file=name, detail=f"{info.filename} 中的 DOCTYPE/ENTITY"))
                if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:64]:
                    # UTF-16/32 XML: Excel, WPS and LibreOffice write UTF-8; the checks above
                    # read bytes as UTF-8, so refuse rather than let such a part through unchecked
                    raise _Reject(problem("E208", file=name, detail=f"{info.filename} 不是 UTF-8 编码"))
            if span is not None and (span.cells > limits.sheet_cells or span.max_row > 1_048_576):
                raise _Reject(problem("E207", file=name, detail=f"部件 {info.filename} 中的单元格分布范围异常大"
                                                                f"（{span.rows} 行 × {span.cols} 列）"))


class _Span:
    """The rectangle spanned by the cell and row references of one XML part."""

    def __init__(self) -> None:
        self.min_row = self.min_col = 1 << 40
        self.max_row = self.max_col = 0

    def scan(self, data: bytes) -> None:
        digits = set(_REF_ROW.findall(data))
        if not digits:
            return
        rows = [int(d) for d in digits]
        self.min_row, self.max_row = min(self.min_row, min(rows)), max(self.max_row, max(rows))
        for lt in set(_REF_COL.findall(data)):
            c = 0
            for ch in lt:
                c = c * 26 + ch - 64
            self.min_col, self.max_col = min(self.min_col, c), max(self.max_col, c)

    @property
    def rows(self) -> int:
        return self.max_row - self.min_row + 1 if self.max_row else 0

    @property
    def cols(self) -> int:
        return self.max_col - self.min_col + 1 if self.max_col else 0

    @property
    def cells(self) -> int:
        return self.rows * max(self.cols, 1)


def _check_xls_size(data: bytes, name: str, limits: Limits) -> None:
    """The same rectangle bound for a .xls, read by xlrd (pure Python, sparse) before calamine."""
    try:
        import xlrd

        book = xlrd.open_workbook(file_contents=data, on_demand=True, formatting_info=False, ragged_rows=True,
                                  logfile=io.StringIO())
    except Exception as exc:  # noqa: BLE001 - xlrd cannot parse it: calamine will judge the file
        if "encrypted" in str(exc).lower():
            raise _Reject(problem("E202", file=name)) from exc
        return
    try:
        for i in range(book.nsheets):
            sh = book.get_sheet(i)
            if sh.nrows * max(sh.ncols, 1) > limits.sheet_cells or sh.nrows > limits.sheet_rows * 4:
                raise _Reject(problem("E207", file=name, detail=f"工作表“{sh.name}”的单元格分布范围异常大"
                                                                f"（{sh.nrows} 行 × {sh.ncols} 列）"))
            book.unload_sheet(i)
    finally:
        book.release_resources()


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
    if data.startswith(OLE_MAGIC):
        _check_ole(data, name)
        _check_xls_size(data, name, limits)
    elif data.startswith(ZIP_MAGIC):
        _check_zip(data, name, limits)
    else:
        raise _Reject(problem("E201", file=name, detail=_not_a_workbook(data)))

    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - calamine's own error types
        raise _Reject(problem("E201", file=name, detail=_short(exc))) from exc
    try:
        sheets = list(book.sheet_names)
        if FORM_META_SHEET not in sheets:
            raise _Reject(problem("E203", file=name, detail="缺少隐藏的 _kexie 信息表"))
        try:
            meta = _meta(_grid(book, FORM_META_SHEET, limits, name))
        except _Reject:
            raise
        except Exception as exc:  # noqa: BLE001
            raise _Reject(problem("E201", file=name, detail=_short(exc))) from exc
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

        # The data sheet: 报送, else the first sheet holding the FORM header.
        candidates = [FORM_SHEET] if FORM_SHEET in sheets else []
        candidates += [s for s in sheets if s not in (FORM_SHEET, FORM_META_SHEET)]
        table: TableData | None = None
        grid: list[list[Any]] = []
        for sheet in candidates:
            try:
                grid = _grid(book, sheet, limits, name)
            except _Reject:
                raise
            except Exception as exc:  # noqa: BLE001
                raise _Reject(problem("E201", file=name, detail=_short(exc))) from exc
            located = locate_table(grid, FORM)
            if located.found and len(located.missing) < len(FORM.columns) // 2:
                table = located
                break
        if table is None:
            raise _Reject(problem("E203", file=name, detail="找不到“报送”工作表的表头"))
        missing = [FORM.column(k).header for k in table.missing if FORM.column(k).required]
        if missing:
            raise _Reject(problem("E210", file=name, columns="、".join(missing)))
        table = _data_rows_only(table)
        if len(table.frame) > limits.form_rows:
            raise _Reject(problem("E209", file=name, count=len(table.frame), limit=limits.form_rows))
        if not len(table.frame):
            raise _Reject(problem("E211", file=name))
        result.data = table
        raw_date = _form_date(grid, table.header_row, expect.year)
        result.meta["_form_date_raw"] = raw_date
        if raw_date is not None:
            result.form_date = parse_date(raw_date, default_year=expect.year)
    finally:
        book.close()


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
