"""Writing a worksheet's rows anew: the table's cells replaced, everything else kept."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import IO, Any, Mapping
from xml.parsers import expat

from openpyxl.utils import get_column_letter

from macros.adapters.xlsx_quote import LIVE_PREFIXES
from macros.adapters.xlsx_splice.cells import CellWriter, esc
from macros.adapters.xlsx_splice.model import STYLE_SAMPLE_ROWS, SpliceUnsupported, TableSplice
from macros.adapters.xlsx_splice.sheet_xml import Row, col_styles, iter_rows, row_open, split_sheet

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*/>")
_KEEP_ROW = re.compile(rb'\b(?:ht|s|customFormat)="')


def splice_sheet(xml: bytes, sp: TableSplice, writer: CellWriter, out: IO[bytes]) -> None:
    """Write the rewritten worksheet to ``out``, streaming (a few rows in memory at a time).

    The optional ``<dimension>`` element is dropped rather than recomputed: readers (Excel, WPS,
    LibreOffice, calamine, openpyxl) work the used range out from the cells."""
    head, pfx_b, body, tail = split_sheet(xml)
    del xml
    pfx = pfx_b.decode("ascii")
    layout = _Layout.of(sp, head, body, pfx_b)
    cheap = frozenset(get_column_letter(c).encode("ascii") for c in layout.positions)
    old_iter = iter(iter_rows(body, pfx_b, cheap_from=sp.header_row + 1, cheap_letters=cheap))
    sink = _CheckedOutput(out)
    sink.emit(_DIMENSION.sub(b"", head, count=1))
    sink.write(f"<{pfx}sheetData>".encode("utf-8"))
    first_data, last_new = sp.header_row + 1, sp.header_row + len(sp.rows)
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
                sink.write(b"<" + pfx_b + b"row" + cur.attrs
                           + (b">" + inner + b"</" + pfx_b + b"row>" if inner else b"/>"))
        else:
            _write_row(sink, layout, writer, pfx, r, cur,
                       sp.rows[r - first_data] if r <= last_new else None)
        r += 1
    sink.write(f"</{pfx}sheetData>".encode("utf-8"))
    sink.write(tail)
    sink.close()


def _write_row(sink: "_CheckedOutput", layout: "_Layout", writer: CellWriter, pfx: str, r: int,
               cur: Row | None, values: Mapping[str, Any] | None) -> None:
    """One data row: the old row's cells outside the table kept (and checked), the table's
    cells from ``values`` (None below the new rows); a row with nothing left is dropped unless
    it carries a height or a style."""
    parts: list[tuple[int, str]] = []
    kept: list[str] = []  # cells of the old row outside the table: checked
    if cur is not None:
        for col, raw, _style in cur.cells:
            if col not in layout.pos_set:
                text = raw.decode("utf-8")
                parts.append((col, text))
                kept.append(text)
    if values is not None:
        layout.new_cells(parts, writer, r, values)
    keep_row = cur is not None and _KEEP_ROW.search(cur.attrs)
    if not (parts or keep_row):
        return
    if cur is not None and cur.cells:
        parts.sort(key=lambda p: p[0])
    opening = row_open(pfx, r, cur.attrs if cur is not None else None)
    if parts:
        close = f"</{pfx}row>"
        sink.write((opening + "".join(x for _c, x in parts) + close).encode("utf-8"),
                   (opening + "".join(kept) + close).encode("utf-8"))
    else:
        sink.write((opening[:-1] + "/>").encode("utf-8"))


@dataclass
class _Layout:
    """Where the table's values go: its columns, each column's template style (the style most
    used by the column's old data cells, sampled from the first STYLE_SAMPLE_ROWS data rows,
    else the column's default) and number format."""

    sp: TableSplice
    positions: list[int]  # the table's columns, 1-based, in order
    pos_set: set[int]
    template: dict[int, int | None]
    letters: dict[int, str]
    fmt_by_col: dict[int, str | None]
    slots: list[tuple]  # (column, key, letter, style, format, ' s="…"') for the fast path
    fast_keys: frozenset[str] | None  # the keys when each column holds exactly one of them
    col_of_key: dict[str, int | None]

    @classmethod
    def of(cls, sp: TableSplice, head: bytes, body: bytes, pfx_b: bytes) -> "_Layout":
        positions = sorted({c for c in (sp.column_of(k) for k in sp.positions) if c})
        pos_set = set(positions)
        counts: dict[int, Counter] = {c: Counter() for c in positions}
        sample_end = sp.header_row + STYLE_SAMPLE_ROWS
        for row in iter_rows(body, pfx_b, cheap_from=sample_end + 1):
            if row.r > sample_end:
                break
            if row.r <= sp.header_row:
                continue
            for col, _raw, style in row.cells:
                if col in pos_set:
                    counts[col][style] += 1
        col_default = col_styles(head)
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
        slots = []
        for c in positions:
            ks = keys_by_col.get(c, [])
            style = template[c]
            slots.append((c, ks[0] if len(ks) == 1 else None, letters[c], style, fmt_by_col.get(c),
                          f' s="{style}"' if style is not None else ""))
        fast_keys = (frozenset(slot[1] for slot in slots)
                     if all(slot[1] is not None for slot in slots) else None)
        return cls(sp, positions, pos_set, template, letters, fmt_by_col, slots, fast_keys, {})

    def new_cells(self, parts: list[tuple[int, str]], writer: CellWriter, r: int,
                  values: Mapping[str, Any]) -> None:
        """Append to ``parts`` the (column, cell XML) of one new row's values."""
        fast_keys = self.fast_keys
        if fast_keys is not None and len(values) <= len(fast_keys) and fast_keys.issuperset(values):
            # Rows keyed exactly by the position keys, one key per column: the common case inlined.
            get = values.get
            rs = str(r)
            for c, key, letter, style, fmt, s_attr in self.slots:
                value = get(key)
                if value.__class__ is str and value[:1] not in LIVE_PREFIXES:
                    parts.append((c, f'<c r="{letter}{rs}"{s_attr} t="inlineStr"><is><t xml:space="preserve">'
                                     f'{esc(value)}</t></is></c>'))
                elif value is None:
                    if s_attr:
                        parts.append((c, f'<c r="{letter}{rs}"{s_attr}/>'))
                else:
                    x = writer.cell(f"{letter}{rs}", style, value, fmt)
                    if x:
                        parts.append((c, x))
            return
        new_vals: dict[int, Any] = {}
        col_of_key = self.col_of_key
        for key, value in values.items():
            c = col_of_key.get(key, -1)
            if c == -1:
                c = col_of_key[key] = self.sp.column_of(key)
            if c is not None:
                new_vals[c] = value
        for c in self.positions:
            x = writer.cell(f"{self.letters[c]}{r}", self.template[c], new_vals.get(c),
                            self.fmt_by_col.get(c))
            if x:
                parts.append((c, x))


class _CheckedOutput:
    """The rewritten sheet's bytes, written in batches and also fed to expat: a result that is
    not well-formed XML (which Excel would refuse to open) raises SpliceUnsupported before it
    can replace anything. Everything taken from the old sheet is checked — head, tail, rows
    above the data, kept cells, row attributes; the new cells, well-formed by construction
    (escaped text, numbers), are left out of the check (they were a quarter of the whole save).
    """

    BATCH = 512

    def __init__(self, out: IO[bytes]):
        self.out = out
        self.checker = expat.ParserCreate()
        self.pending_out: list[bytes] = []
        self.pending_check: list[bytes] = []

    def emit(self, data: bytes, check: bytes | None = None) -> None:
        self._check(data if check is None else check, final=False)
        self.out.write(data)

    def write(self, chunk: bytes, skeleton: bytes | None = None) -> None:
        """``chunk`` for the output; ``skeleton`` the same XML without the new cells."""
        self.pending_out.append(chunk)
        self.pending_check.append(chunk if skeleton is None else skeleton)
        if len(self.pending_out) >= self.BATCH:
            self._flush()

    def close(self) -> None:
        self._flush()
        self._check(b"", final=True)

    def _flush(self) -> None:
        self.emit(b"".join(self.pending_out), b"".join(self.pending_check))
        self.pending_out.clear()
        self.pending_check.clear()

    def _check(self, data: bytes, final: bool) -> None:
        try:
            self.checker.Parse(data, final)
        except expat.ExpatError as exc:
            raise SpliceUnsupported(f"the rewritten sheet is not well-formed: {exc}") from exc


def resize_table(xml: bytes, header_row: int, last_row: int) -> bytes:
    """The Excel Table part with its range (and AutoFilter's) ending at ``last_row``."""
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

