"""Rewrite the data rows of tables in an .xlsx by streaming its sheet XML (no openpyxl load).

openpyxl loads every cell of every sheet into objects: rewriting a 征集明细 of 40,000 rows that
way takes seconds and hundreds of megabytes. ``splice_tables`` instead copies the package part by
part and rewrites only the worksheet XML of the tables being replaced, row by row:

* rows up to the header row are copied byte for byte (titles, header, staff formatting);
* in every row below the header, the cells of the table's columns are replaced by the new values
  (strings as inline strings — always text, never a formula); cells of other columns, row heights
  and every other part of the package (styles, shared strings, drop-downs, conditional formats,
  other sheets, drawings) are kept as they are;
* each new cell takes the style most used in its column's old data cells (so date and number
  formats, wrapping and borders carry on), falling back to the column's default style;
* the Excel Table's range and its AutoFilter are resized; the sheet's dimension is updated; the
  calculation chain is dropped (Excel rebuilds it), as openpyxl does.

Anything unexpected in the XML (cells without references, a totals row, formulas to write…)
raises ``SpliceUnsupported`` and the caller falls back to openpyxl. ``strip_tables`` is the
companion used when openpyxl must load the workbook anyway (e.g. to redraw 统计): it removes the
old data cells of the tables about to be spliced, so openpyxl loads a small workbook quickly.
"""

from __future__ import annotations

import io
import math
import re
from xml.parsers import expat
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime
from pathlib import Path
from typing import IO, Any, Iterable, Mapping, Sequence

from defusedxml import ElementTree as SafeET
from openpyxl.utils import get_column_letter

from macros.adapters.engine import Formula, ReportSheet
from macros.adapters.safe_write import _rels, _sheet_parts
from macros.adapters.xlsx_cells import EXCEL_MAX_CELL, xml_escape
from macros.adapters.xlsx_quote import LIVE_PREFIXES, quote_twins
from macros.adapters.xlsx_report_parts import ReportPlan, ReportUnsupported, plan_reports
from macros.adapters.xlsx_styles import StylesUnsupported, StylesXml
from macros.core.grid import header_key

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
KEEP_TEMPLATE_ROWS = 20
STYLE_SAMPLE_ROWS = 200  # data rows strip_tables keeps so openpyxl carries their styles through
_BUILTIN_DATE_FORMATS = set(range(14, 23)) | {45, 46, 47}
_DATE_CODE = re.compile(r"(?<![\\\"])[ymdhs]", re.I)
_WS = re.compile(rb"\s*")
_ROW_R = re.compile(rb'(?:^|\s)r="(\d+)"')
_CELL_R = re.compile(rb'(?:^|\s)r="([A-Z]{1,3})(\d+)"')
_CELL_S = re.compile(rb'(?:^|\s)s="(\d+)"')
_DROP_ROW_ATTRS = re.compile(rb'\s(?:spans|hidden)="[^"]*"')
_COL_ATTRS = re.compile(rb"<(?:\w+:)?col\b([^>]*?)/?>")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*/>")


class SpliceUnsupported(Exception):
    """The workbook holds something the streaming rewrite does not handle; use openpyxl."""


@dataclass
class TableSplice:
    """New data rows for one table: where its header is and which column each row key goes to."""

    sheet: str
    excel_name: str
    header_row: int  # 1-based
    positions: dict[str, int]  # row key (schema key or extra header text) -> 1-based column
    rows: Sequence[Mapping[str, Any]] = ()
    formats: dict[str, str | None] = field(default_factory=dict)  # row key -> number format

    def column_of(self, key: str) -> int | None:
        pos = self.positions.get(key)
        if pos is None:
            pos = self._by_header().get(header_key(key))
        return pos

    def _by_header(self) -> dict[str, int]:
        cache = getattr(self, "_hk", None)
        if cache is None:
            cache = {header_key(k): v for k, v in self.positions.items()}
            object.__setattr__(self, "_hk", cache)
        return cache


# --- package helpers ---------------------------------------------------------------------------

def _table_part(zf: zipfile.ZipFile, sheet_part: str, excel_name: str) -> str | None:
    names = set(zf.namelist())
    for _rid, rtype, target in _rels(zf, sheet_part):
        if rtype == "table" and target in names:
            root = SafeET.fromstring(zf.read(target))
            if excel_name in (root.get("name"), root.get("displayName")):
                return target
    return None


@dataclass
class _Styles:
    """Which cell formats (xf indexes) show dates, and by which number format."""

    date_xfs: set[int]
    by_format: dict[str, int]  # number format code -> first xf index using it

    @classmethod
    def read(cls, zf: zipfile.ZipFile) -> "_Styles":
        if "xl/styles.xml" not in zf.namelist():
            return cls(set(), {})
        root = SafeET.fromstring(zf.read("xl/styles.xml"))
        codes: dict[int, str] = {14: "yyyy-mm-dd", 22: "yyyy-mm-dd hh:mm"}
        numfmts = root.find(f"{_NS_MAIN}numFmts")
        if numfmts is not None:
            for nf in numfmts:
                try:
                    codes[int(nf.get("numFmtId", "-1"))] = nf.get("formatCode", "")
                except ValueError:
                    continue
        date_xfs: set[int] = set()
        by_format: dict[str, int] = {}
        xfs = root.find(f"{_NS_MAIN}cellXfs")
        for i, xf in enumerate(xfs if xfs is not None else []):
            try:
                nid = int(xf.get("numFmtId", "0"))
            except ValueError:
                continue
            code = codes.get(nid, "")
            if nid in _BUILTIN_DATE_FORMATS or (nid >= 164 and _DATE_CODE.search(_strip_quoted(code))):
                date_xfs.add(i)
            if code:
                by_format.setdefault(code, i)
        return cls(date_xfs, by_format)


def _strip_quoted(code: str) -> str:
    return re.sub(r'"[^"]*"|\[[^\]]*\]', "", code)


# --- cell values -----------------------------------------------------------------------------

_NEEDS_ESC = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _esc(text: str) -> str:
    """Cell text as XML character data: illegal characters dropped, capped at Excel's limit."""
    if len(text) > EXCEL_MAX_CELL:
        text = text[:EXCEL_MAX_CELL]
    if not _NEEDS_ESC.search(text):
        return text
    text = _ILLEGAL.sub("", text).replace("\r\n", "\n")
    return xml_escape(text)


class _Writer:
    def __init__(self, styles: _Styles, date1904: bool, quote_base: int | None = None):
        self.styles = styles
        self.epoch = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)
        self._date_style: dict[tuple[int | None, str | None], int | None] = {}
        # Index of the quote-prefixed twin of cell format 0 (twin of xf i = quote_base + i);
        # None when the workbook's styles could not be extended: text is still written as text.
        self.quote_base = quote_base

    def text(self, ref: str, style: int | None, value: str) -> str:
        """An inline string; text Excel would take for a formula once edited (=, +, -, @) gets
        the quote-prefixed twin of its format, so F2+Enter keeps it text."""
        if value[:1] in LIVE_PREFIXES and self.quote_base is not None:
            style = self.quote_base + (style or 0)
        s = f' s="{style}"' if style is not None else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_esc(value)}</t></is></c>'

    def serial(self, value: date) -> float:
        if isinstance(value, datetime):
            delta = value.replace(tzinfo=None) - self.epoch
            return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
        return float((value - self.epoch.date()).days)

    def date_style(self, style: int | None, fmt: str | None) -> int | None:
        """A cell format showing a date: the column's own, else one with the column's number
        format, else any date format of the workbook; None when the workbook has none."""
        key = (style, fmt)
        if key not in self._date_style:
            dates = self.styles.date_xfs
            if style is not None and style in dates:
                found: int | None = style
            else:
                found = self.styles.by_format.get(fmt or "")
                if found not in dates:
                    found = min(dates) if dates else None
            self._date_style[key] = found
        return self._date_style[key]

    def cell(self, ref: str, style: int | None, value: Any, fmt: str | None) -> str:
        """XML of one cell; '' for an empty cell without a style."""
        s = f' s="{style}"' if style is not None else ""
        cls = value.__class__
        if cls is str:
            return self.text(ref, style, value)
        if value is None:
            return f'<c r="{ref}"{s}/>' if s else ""
        if isinstance(value, Formula):
            raise SpliceUnsupported("formula")
        if isinstance(value, str):
            return self.text(ref, style, str(value))
        if isinstance(value, bool):
            return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (int, float)):
            if isinstance(value, float) and not math.isfinite(value):
                return f'<c r="{ref}"{s}/>' if s else ""
            return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
        if isinstance(value, (date, datetime)):
            ds = self.date_style(style, fmt)
            if ds is None:  # no date format in the workbook: write the date as text
                iso = value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else value.isoformat()
                return f'<c r="{ref}"{s} t="inlineStr"><is><t>{iso}</t></is></c>'
            return f'<c r="{ref}" s="{ds}"><v>{self.serial(value)!r}</v></c>'
        if isinstance(value, dtime):
            frac = (value.hour * 3600 + value.minute * 60 + value.second) / 86400
            return f'<c r="{ref}"{s}><v>{frac!r}</v></c>'
        return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_esc(str(value))}</t></is></c>'


# --- sheet XML ---------------------------------------------------------------------------------

@dataclass
class _Row:
    r: int
    attrs: bytes
    cells: list[tuple[int, bytes, int | None]]  # (column, raw cell xml, style)


_COL_INDEX: dict[bytes, int] = {}


def _col_index(letters: bytes) -> int:
    n = _COL_INDEX.get(letters)
    if n is None:
        n = 0
        for ch in letters:
            n = n * 26 + (ch - 64)
        _COL_INDEX[letters] = n
    return n


def _split_sheet(xml: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """(prefix, namespace prefix, sheetData body, suffix) of a worksheet part."""
    m = re.search(rb"<((?:\w+:)?)sheetData\b([^>]*?)(/?)>", xml)
    if m is None:
        raise SpliceUnsupported("no sheetData")
    pfx = m.group(1)
    if m.group(3) == b"/":
        return xml[: m.start()], pfx, b"", xml[m.end():]
    close = b"</" + pfx + b"sheetData>"
    end = xml.find(close, m.end())
    if end < 0:
        raise SpliceUnsupported("unterminated sheetData")
    return xml[: m.start()], pfx, xml[m.end(): end], xml[end + len(close):]


def _rows(body: bytes, pfx: bytes, cheap_from: int | None = None,
          cheap_letters: frozenset[bytes] = frozenset()) -> Iterable[_Row]:
    """The rows of a ``<sheetData>`` body, in order.

    From row ``cheap_from`` on, a row whose cells all sit in ``cheap_letters`` columns (the
    columns being replaced) is yielded without its cells — nothing in it is kept — which spares
    parsing every cell of a large table."""
    cell_re = re.compile(rb"<" + pfx + rb"c\b([^>]*?)(?:/>|>(.*?)</" + pfx + rb"c>)", re.S)
    ref_re = re.compile(rb"<" + pfx + rb'c\s[^>]*?(?<=\s)r="([A-Z]{1,3})\d+"')
    open_re = re.compile(rb"<" + pfx + rb"c[\s/>]")
    open_tag = b"<" + pfx + b"row"
    close_tag = b"</" + pfx + b"row>"
    n_open = len(open_tag)
    pos, last = 0, 0
    while True:
        i = body.find(open_tag, pos)
        if i < 0:
            if body[pos:].strip():
                raise SpliceUnsupported("unexpected content after the rows")
            return
        if body[pos:i].strip() or body[i + n_open: i + n_open + 1] not in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
            raise SpliceUnsupported("unexpected content between rows")
        j = body.find(b">", i)
        if j < 0:
            raise SpliceUnsupported("unterminated row")
        if body[j - 1: j] == b"/":
            attrs, content, pos = body[i + n_open: j - 1], b"", j + 1
        else:
            k = body.find(close_tag, j)
            if k < 0:
                raise SpliceUnsupported("unterminated row")
            attrs, content, pos = body[i + n_open: j], body[j + 1: k], k + len(close_tag)
        rm = _ROW_R.search(attrs)
        if rm is None:
            raise SpliceUnsupported("row without a number")
        r = int(rm.group(1))
        if r <= last:
            raise SpliceUnsupported("rows out of order")
        last = r
        if cheap_from is not None and r >= cheap_from:
            letters = ref_re.findall(content)
            if len(letters) == len(open_re.findall(content)) and cheap_letters.issuperset(letters):
                yield _Row(r, attrs, [])
                continue
        cells: list[tuple[int, bytes, int | None]] = []
        cpos = 0
        for cm in cell_re.finditer(content):
            if cm.start() != cpos and content[cpos: cm.start()].strip():
                raise SpliceUnsupported("unexpected content in a row")
            cpos = cm.end()
            ref = _CELL_R.search(cm.group(1))
            if ref is None:
                raise SpliceUnsupported("cell without a reference")
            sm = _CELL_S.search(cm.group(1))
            cells.append((_col_index(ref.group(1)), cm.group(0), int(sm.group(1)) if sm else None))
        if content[cpos:].strip():
            raise SpliceUnsupported("unexpected content in a row")
        yield _Row(r, attrs, cells)


def _col_styles(head: bytes) -> dict[int, int]:
    out: dict[int, int] = {}
    for m in _COL_ATTRS.finditer(head):
        attrs = m.group(1)
        lo = re.search(rb'\bmin="(\d+)"', attrs)
        hi = re.search(rb'\bmax="(\d+)"', attrs)
        st = re.search(rb'\bstyle="(\d+)"', attrs)
        if lo and hi and st:
            for c in range(int(lo.group(1)), min(int(hi.group(1)), 16384) + 1):
                out[c] = int(st.group(1))
    return out


def _row_open(pfx: str, r: int, attrs: bytes | None) -> str:
    if attrs is None:
        return f'<{pfx}row r="{r}">'
    kept = _DROP_ROW_ATTRS.sub(b"", attrs).decode("utf-8")
    return f"<{pfx}row{kept}>"


def _splice_sheet(xml: bytes, sp: TableSplice, writer: _Writer, out: IO[bytes]) -> None:
    """Write the rewritten worksheet to ``out``, streaming (a few rows in memory at a time).

    The optional ``<dimension>`` element is dropped rather than recomputed: readers (Excel, WPS,
    LibreOffice, calamine, openpyxl) work the used range out from the cells."""
    head, pfx_b, body, tail = _split_sheet(xml)
    del xml
    pfx = pfx_b.decode("ascii")
    positions = sorted({c for c in (sp.column_of(k) for k in sp.positions) if c})
    pos_set = set(positions)
    # Template style per column: the style most used by the column's old data cells (sampled
    # from the first STYLE_SAMPLE_ROWS data rows).
    counts: dict[int, Counter] = {c: Counter() for c in positions}
    sample_end = sp.header_row + STYLE_SAMPLE_ROWS
    for row in _rows(body, pfx_b, cheap_from=sample_end + 1):
        if row.r > sample_end:
            break
        if row.r <= sp.header_row:
            continue
        for col, _raw, style in row.cells:
            if col in pos_set:
                counts[col][style] += 1
    cheap = frozenset(get_column_letter(c).encode("ascii") for c in positions)
    old = _rows(body, pfx_b, cheap_from=sp.header_row + 1, cheap_letters=cheap)
    col_default = _col_styles(head)
    template: dict[int, int | None] = {}
    for c in positions:
        common = [s for s, _n in counts[c].most_common() if s is not None]
        template[c] = common[0] if common else col_default.get(c)
    keys_by_col: dict[int, list[str]] = {}
    for key in sp.positions:
        c = sp.column_of(key)
        if c:
            keys_by_col.setdefault(c, []).append(key)
    letters = {c: get_column_letter(c) for c in positions}
    fmt_by_col = {c: next((sp.formats.get(k) for k in ks if sp.formats.get(k)), None)
                  for c, ks in keys_by_col.items()}
    col_of_key: dict[str, int | None] = {}
    cell = writer.cell
    # Fast path: rows keyed exactly by the position keys, one key per column.
    slots = []
    for c in positions:
        ks = keys_by_col.get(c, [])
        style = template[c]
        slots.append((c, ks[0] if len(ks) == 1 else None, letters[c], style, fmt_by_col.get(c),
                      f' s="{style}"' if style is not None else ""))
    fast_keys = (frozenset(slot[1] for slot in slots)
                 if all(slot[1] is not None for slot in slots) else None)

    rows = sp.rows
    first_data = sp.header_row + 1
    last_new = sp.header_row + len(rows)
    pending_out: list[bytes] = []
    pending_check: list[bytes] = []
    # What is written is also fed to expat: a result that is not well-formed XML (which Excel
    # would refuse to open) raises SpliceUnsupported before it can replace anything. Everything
    # taken from the old sheet is checked — head, tail, rows above the data, kept cells, row
    # attributes; the new cells, well-formed by construction (escaped text, numbers), are left
    # out of the check (they were a quarter of the whole save).
    checker = expat.ParserCreate()

    def emit(data: bytes, check: bytes | None = None) -> None:
        try:
            checker.Parse(data if check is None else check, False)
        except expat.ExpatError as exc:
            raise SpliceUnsupported(f"the rewritten sheet is not well-formed: {exc}") from exc
        out.write(data)

    def write(chunk: bytes, skeleton: bytes | None = None) -> None:
        """``chunk`` for the output; ``skeleton`` the same XML without the new cells."""
        pending_out.append(chunk)
        pending_check.append(chunk if skeleton is None else skeleton)
        if len(pending_out) >= 512:
            emit(b"".join(pending_out), b"".join(pending_check))
            pending_out.clear()
            pending_check.clear()

    emit(_DIMENSION.sub(b"", head, count=1))
    write(f"<{pfx}sheetData>".encode("utf-8"))
    old_iter = iter(old)
    pending = next(old_iter, None)
    r = 1
    while pending is not None or r <= last_new:
        if r > last_new and pending is not None and pending.r > r:
            r = pending.r
        cur = None
        if pending is not None and pending.r == r:
            cur, pending = pending, next(old_iter, None)
        if r < first_data:  # title and header rows: unchanged
            if cur is not None:
                inner = b"".join(x for _c, x, _s in cur.cells)
                write(b"<" + pfx_b + b"row" + cur.attrs + (b">" + inner + b"</" + pfx_b + b"row>" if inner else b"/>"))
            r += 1
            continue
        parts: list[tuple[int, str]] = []
        kept: list[str] = []  # cells of the old row outside the table: checked
        if cur is not None:
            for col, raw, _style in cur.cells:
                if col not in pos_set:
                    text = raw.decode("utf-8")
                    parts.append((col, text))
                    kept.append(text)
        if r <= last_new:
            values = rows[r - first_data]
            if fast_keys is not None and len(values) <= len(fast_keys) and fast_keys.issuperset(values):
                get = values.get
                rs = str(r)
                for c, key, letter, style, fmt, s_attr in slots:
                    value = get(key)
                    if value.__class__ is str and value[:1] not in LIVE_PREFIXES:  # the common case, inlined
                        parts.append((c, f'<c r="{letter}{rs}"{s_attr} t="inlineStr"><is><t xml:space="preserve">'
                                         f'{_esc(value)}</t></is></c>'))
                    elif value is None:
                        if s_attr:
                            parts.append((c, f'<c r="{letter}{rs}"{s_attr}/>'))
                    else:
                        x = cell(f"{letter}{rs}", style, value, fmt)
                        if x:
                            parts.append((c, x))
            else:
                new_vals: dict[int, Any] = {}
                for key, value in values.items():
                    c = col_of_key.get(key, -1)
                    if c == -1:
                        c = col_of_key[key] = sp.column_of(key)
                    if c is not None:
                        new_vals[c] = value
                for c in positions:
                    x = cell(f"{letters[c]}{r}", template[c], new_vals.get(c), fmt_by_col.get(c))
                    if x:
                        parts.append((c, x))
        keep_row = cur is not None and re.search(rb'\b(?:ht|s|customFormat)="', cur.attrs)
        if parts or keep_row:
            if cur is not None and cur.cells:
                parts.sort(key=lambda p: p[0])
            opening = _row_open(pfx, r, cur.attrs if cur is not None else None)
            if parts:
                close = f"</{pfx}row>"
                write((opening + "".join(x for _c, x in parts) + close).encode("utf-8"),
                      (opening + "".join(kept) + close).encode("utf-8"))
            else:
                write((opening[:-1] + "/>").encode("utf-8"))
        r += 1
    write(f"</{pfx}sheetData>".encode("utf-8"))
    write(tail)
    emit(b"".join(pending_out), b"".join(pending_check))
    try:
        checker.Parse(b"", True)
    except expat.ExpatError as exc:
        raise SpliceUnsupported(f"the rewritten sheet is not well-formed: {exc}") from exc


def _resize_table(xml: bytes, header_row: int, last_row: int) -> bytes:
    root_m = re.search(rb"<(?:\w+:)?table\b[^>]*>", xml)
    if root_m is None:
        raise SpliceUnsupported("table part without a table")
    if re.search(rb'\btotalsRowCount="[1-9]', root_m.group(0)):
        raise SpliceUnsupported("table with a totals row")
    ref_m = re.search(rb'\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"', root_m.group(0))
    if ref_m is None or int(ref_m.group(2)) != header_row:
        raise SpliceUnsupported("table range does not start at the header row")
    new_ref = ref_m.group(1) + ref_m.group(2) + b":" + ref_m.group(3) + str(max(last_row, header_row + 1)).encode()
    old_ref = ref_m.group(0)[5:-1]
    return re.sub(rb'\bref="' + re.escape(old_ref) + rb'"', b'ref="' + new_ref + b'"', xml)


def _drop_calc_chain(zf: zipfile.ZipFile, name: str, data: bytes) -> bytes:
    if name == "[Content_Types].xml":
        return re.sub(rb"<Override\b[^>]*?PartName=\"/xl/calcChain\.xml\"[^>]*?/>", b"", data)
    if name == "xl/_rels/workbook.xml.rels":
        return re.sub(rb"<Relationship\b[^>]*?Target=\"[^\"]*calcChain\.xml\"[^>]*?/>", b"", data)
    return data


# --- public ------------------------------------------------------------------------------------

def splice_tables(src: Path | bytes, dst: Path | IO[bytes], splices: Sequence[TableSplice],
                  compresslevel: int = 6, sheet_compresslevel: int = 1, blank: Iterable[str] = (),
                  reports: Sequence[ReportSheet] = ()) -> None:
    """Copy the workbook ``src`` to ``dst`` with the data rows of ``splices`` replaced (and the
    cells of the sheets named in ``blank`` dropped: ``strip_tables``; the report sheets
    ``reports`` regenerated whole, with their charts: ``xlsx_report_parts``).

    Raises SpliceUnsupported (``dst`` then holds nothing useful) when a table cannot be spliced.
    """
    src_f = io.BytesIO(src) if isinstance(src, (bytes, bytearray)) else src
    with zipfile.ZipFile(src_f) as zin:
        parts = _sheet_parts(zin)
        names = zin.namelist()
        book = zin.read("xl/workbook.xml")
        date1904 = b'date1904="1"' in book or b'date1904="true"' in book
        styles = StylesXml.read(zin)
        quote_base = quote_twins(styles, (row for sp in splices for row in sp.rows))
        plan = _report_plan(zin, reports, styles, date1904)  # after the twins: their indexes are fixed
        styles_xml = styles.xml()
        writer = _Writer(_Styles.read(zin), date1904, quote_base)
        by_part, table_parts = _targets(zin, parts, splices)
        blank_parts = {parts[b] for b in blank if parts.get(b) in names} - set(by_part)
        if set(plan.replace) & set(by_part):
            raise SpliceUnsupported("a report sheet that also holds a table")
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zout:
            for info in zin.infolist():
                name = info.filename
                if name == "xl/calcChain.xml" or name in plan.drop:
                    continue
                zi = zipfile.ZipInfo(name, date_time=info.date_time)
                zi.compress_type = zipfile.ZIP_DEFLATED
                _set_level(zi, compresslevel)
                zi.external_attr = info.external_attr
                if name in by_part:
                    _set_level(zi, sheet_compresslevel)  # large and rewritten each run: fast deflate
                    with zout.open(zi, "w", force_zip64=True) as fh:
                        _splice_sheet(zin.read(name), by_part[name], writer, fh)
                    continue
                data = zin.read(name) if name != "xl/styles.xml" or styles_xml is None else styles_xml
                if name in blank_parts:
                    head, pfx, _body, tail = _split_sheet(data)
                    data = head + b"<" + pfx + b"sheetData/>" + tail
                elif name in table_parts:
                    sp = table_parts[name]
                    data = _resize_table(data, sp.header_row, sp.header_row + len(sp.rows))
                elif name in plan.replace:
                    data = _checked(name, plan.replace[name])
                elif name in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
                    data = _drop_calc_chain(zin, name, data)
                    if name == "[Content_Types].xml" and reports:
                        data = plan.content_types(data)
                elif name == "xl/workbook.xml" and reports:
                    data = plan.workbook(data)
                zout.writestr(zi, data)
            for name, data in plan.add.items():  # the report sheets' new charts and drawings
                zi = zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6])
                zi.compress_type = zipfile.ZIP_DEFLATED
                _set_level(zi, compresslevel)
                zout.writestr(zi, _checked(name, data))


def _targets(zin: zipfile.ZipFile, parts: Mapping[str, str], splices: Sequence[TableSplice]
             ) -> tuple[dict[str, TableSplice], dict[str, TableSplice]]:
    """The splices by worksheet part, and by the part of their Excel Table."""
    names = set(zin.namelist())
    by_part: dict[str, TableSplice] = {}
    table_parts: dict[str, TableSplice] = {}
    for sp in splices:
        part = parts.get(sp.sheet)
        if part is None or part not in names:
            raise SpliceUnsupported(f"no sheet {sp.sheet}")
        if part in by_part:
            raise SpliceUnsupported("two tables on one sheet")
        by_part[part] = sp
        tpart = _table_part(zin, part, sp.excel_name)
        if tpart is not None:
            table_parts[tpart] = sp
    return by_part, table_parts


def _report_plan(zin: zipfile.ZipFile, reports: Sequence[ReportSheet], styles: StylesXml,
                 date1904: bool) -> ReportPlan:
    """What regenerating the report sheets changes in the package (``xlsx_report_parts``)."""
    if not reports:
        return ReportPlan()
    try:
        return plan_reports(zin, reports, styles, date1904)
    except (ReportUnsupported, StylesUnsupported) as exc:
        raise SpliceUnsupported(f"report sheet: {exc}") from exc


def _checked(name: str, data: bytes) -> bytes:
    """``data`` when it is well-formed XML (generated parts are checked before they are written)."""
    parser = expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise SpliceUnsupported(f"generated part {name} is not well-formed: {exc}") from exc
    return data


def _set_level(zi: zipfile.ZipInfo, level: int) -> None:
    if "compress_level" in dir(zipfile.ZipInfo):  # Python 3.13+
        zi.compress_level = level
    else:
        zi._compresslevel = level  # noqa: SLF001 - the same field before 3.13


def strip_tables(src: Path, splices: Sequence[TableSplice], keep: int = KEEP_TEMPLATE_ROWS,
                 blank: Iterable[str] = ()) -> bytes:
    """``src`` as bytes with the old data cells of ``splices`` removed, except ``keep`` empty rows
    holding each column's template style, so openpyxl loads it fast and carries the styles
    through; the caller splices the new rows in after openpyxl has saved. The sheets named in
    ``blank`` lose all their cells: sheets the caller regenerates whole (统计), which openpyxl
    would otherwise parse only to throw away."""
    trimmed = [TableSplice(sp.sheet, sp.excel_name, sp.header_row, sp.positions, [{}] * keep, sp.formats)
               for sp in splices]
    out = io.BytesIO()
    splice_tables(src, out, trimmed, compresslevel=1, blank=blank)
    return out.getvalue()


def sheet_part_of(path: Path, sheet: str) -> str | None:
    with zipfile.ZipFile(path) as zf:
        return _sheet_parts(zf).get(sheet)


__all__ = ["SpliceUnsupported", "TableSplice", "splice_tables", "strip_tables", "KEEP_TEMPLATE_ROWS"]
