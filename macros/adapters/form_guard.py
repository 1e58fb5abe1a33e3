"""The byte-level guard a returned file passes before any spreadsheet library reads it.

ZIP bombs (members, declared and actual inflated sizes, ratio), XML bombs (DOCTYPE/ENTITY,
non-UTF-8 parts), encryption (the ZIP flag, OLE ``EncryptedPackage``, a .xls FILEPASS record),
files that are not workbooks (a renamed Word document or zip), and cell-range bombs: calamine
allocates the whole rectangle spanned by a sheet's cells *with values*, so that rectangle is
measured for every sheet (``Spans``) and bounded for the sheets actually read (``check_spans``)
— a formatted or stray cell far away on a sheet that is never read does not reject a form.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Callable

from macros.problems import Problem, problem

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A cell or row reference in worksheet XML: calamine allocates the whole rectangle its cells span,
# so two cells at A1 and XFD1048576 in a 5 KB file would ask for hundreds of gigabytes.
# A reference attribute r="B7" (cells) or r="7" (rows). Every XML part is scanned, whatever its
# name: a literal prefix keeps the scan at memchr speed (~1 ms per MB).
# Two scans over the same references (r="B7" / r="7"), so no tuple is built per cell and each
# distinct row number or column is converted once: the row numbers of all, the letters of cells.
_REF_ROW = re.compile(rb'r="[A-Z]{0,3}(\d{1,9})"')
_REF_COL = re.compile(rb'r="([A-Z]{1,3})\d{1,9}"')
# Any reference beyond Z9999: a row of five or more digits, or a column of two or more letters.
# Without one, A1:Z9999 bounds the sheet and no list of references need be built (a form's
# data sheet holds tens of thousands of them; one search is ~3x faster than the two scans).
_REF_FAR = re.compile(rb'r="(?:[A-Z]{0,3}\d{5}|[A-Z]{2,3}\d)')
NEAR_ROWS, NEAR_COLS = 9999, 26
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

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


class _Reject(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem



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


def _check_zip(data: bytes, name: str, limits: Limits) -> "Spans":
    """Bounds against ZIP bombs and XML bombs, checked by inflating each member with a cap.
    Returns the cell rectangle of every sheet (bounded later for the sheets read)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _Reject(problem("E201", file=name, detail="压缩包结构损坏")) from exc
    with zf:
        infos = zf.infolist()
        _check_directory(zf, infos, name, limits)
        sheet_parts = _sheet_part_names(zf, name)
        total = 0
        spans: Spans = {}
        for info in infos:
            span = _Span() if info.filename in sheet_parts else None
            head, total = _inflate(zf, info, name, limits, total, span)
            if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                _check_xml_head(head, info.filename, name)
            if span is not None:
                if span.too_big(limits):  # an upper bound (any reference): measure cells with values
                    span = _valued_span(zf, info)
                spans[sheet_parts[info.filename]] = span
        return spans


def _check_directory(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str, limits: Limits) -> None:
    """What the zip's directory alone tells: too many members or too large declared, not a
    workbook (a Word document, another archive), encrypted, the workbook parts oversized."""
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


def _sheet_part_names(zf: zipfile.ZipFile, name: str) -> dict[str, str]:
    """The parts calamine reads as sheets: part → sheet name (defusedxml refuses DTDs and
    entities in the workbook's directory)."""
    from macros.adapters.safe_write import _sheet_parts

    try:
        return {part: sheet for sheet, part in _sheet_parts(zf).items()}
    except Exception as exc:  # noqa: BLE001 - defusedxml refusals, bad XML, missing parts
        detail = "DOCTYPE/ENTITY" if "DTD" in type(exc).__name__ or "Entit" in type(exc).__name__ else ""
        if detail:
            raise _Reject(problem("E208", file=name, detail=f"xl/workbook.xml 中的 {detail}")) from exc
        raise _Reject(problem("E201", file=name, detail="工作簿目录无法读取")) from exc


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits, total: int,
             span: "_Span | None") -> tuple[bytes, int]:
    """``inflate_capped`` for a form: refusals are problems of ``name``, a damaged part E201."""
    def reject(code: str, detail: str) -> _Reject:
        return _Reject(problem(code, file=name, detail=detail))

    return inflate_capped(zf, info, limits, total, reject, corrupt="E201", span=span)


def inflate_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, total: int,
                   reject: Callable[[str, str], Exception], corrupt: str, span: "_Span | None" = None
                   ) -> tuple[bytes, int]:
    """Inflate one member under the caps (its size, the running ``total`` of the archive, its
    compression ratio), scanning a sheet's cell references into ``span``. Returns (its first
    4 KB, the new total). A cap exceeded raises ``reject("E207", detail)``, a member that cannot
    be inflated ``reject(corrupt, detail)`` — forms and Word documents give their own codes."""
    size = 0
    head = b""
    tail = b""
    too_big = False
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
                    too_big = True
                    break
    except Exception as exc:  # noqa: BLE001 - BadZipFile, zlib.error, EOFError, …
        raise reject(corrupt, f"部件 {info.filename} 损坏") from exc
    if too_big:
        raise reject("E207", f"解压后超过 {limits.zip_total // 2**20} MB")
    if size > limits.ratio_floor and size > limits.zip_ratio * max(info.compress_size, 1):
        raise reject("E207", f"部件 {info.filename} 的压缩比异常")
    return head, total


def _check_xml_head(head: bytes, part: str, name: str) -> None:
    """An XML part's start: no DOCTYPE/ENTITY, and UTF-8."""
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise _Reject(problem("E208", file=name, detail=f"{part} 中的 DOCTYPE/ENTITY"))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:64]:
        # UTF-16/32 XML: Excel, WPS and LibreOffice write UTF-8; the checks above read bytes as
        # UTF-8, so refuse rather than let such a part through unchecked
        raise _Reject(problem("E208", file=name, detail=f"{part} 不是 UTF-8 编码"))


Spans = dict  # sheet name -> _Span of its part


def check_spans(spans: Spans, sheets, name: str, limits: Limits) -> None:
    """E207 when a sheet that is about to be read spans too large a rectangle of valued cells."""
    for sheet in sheets:
        span = spans.get(sheet)
        if span is not None and span.too_big(limits):
            detail = (f"工作表“{sheet}”的单元格分布范围异常大"
                      f"（{span.rows} 行 × {span.cols} 列，最远的单元格到 {span.far_cell}）")
            raise _Reject(problem("E207", file=name, detail=detail))


# A cell that holds something: an opening <c …> tag followed by content (a formatted empty cell
# is written <c r="…" s="1"/> or <c …></c>, which calamine does not allocate); any prefix, any order.
_CELL_OPEN = re.compile(rb"<(?:[A-Za-z][\w.-]{0,15}:)?c\s([^>]{0,512}?)(/?)>")
_R_ATTR = re.compile(rb'(?:^|\s)r="([A-Z]{1,3})(\d{1,9})"')


def _valued_span(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> "_Span":
    span = _Span()
    tail = b""
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            for m in _CELL_OPEN.finditer(data):
                if m.group(2) or data.startswith(b"</", m.end()):  # <c …/> or <c …></c>: empty
                    continue
                r = _R_ATTR.search(m.group(1))
                if r is not None:
                    span.add(r.group(1), int(r.group(2)))
            tail = data[-600:]  # a tag cut by the chunk boundary is seen whole next time
    return span


class _Span:
    """The rectangle spanned by the cell references of one sheet part (``scan``: every reference,
    an upper bound at memchr speed; ``add``: one cell with a value)."""

    def __init__(self) -> None:
        self.min_row = self.min_col = 1 << 40
        self.max_row = self.max_col = 0

    def scan(self, data: bytes) -> None:
        if _REF_FAR.search(data) is None:  # an upper bound, like the scans below
            if _REF_ROW.search(data) is not None:
                self.min_row, self.max_row = 1, max(self.max_row, NEAR_ROWS)
                self.min_col, self.max_col = 1, max(self.max_col, NEAR_COLS)
            return
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

    def add(self, letters: bytes, row: int) -> None:
        c = 0
        for ch in letters:
            c = c * 26 + ch - 64
        self.min_row, self.max_row = min(self.min_row, row), max(self.max_row, row)
        self.min_col, self.max_col = min(self.min_col, c), max(self.max_col, c)

    def too_big(self, limits: Limits) -> bool:
        return self.cells > limits.sheet_cells or self.max_row > 1_048_576

    @property
    def far_cell(self) -> str:
        """The far corner of the rectangle, e.g. XFD1048576."""
        col, letters = self.max_col, ""
        while col > 0:
            col, rem = divmod(col - 1, 26)
            letters = chr(65 + rem) + letters
        return f"{letters}{self.max_row}"

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


