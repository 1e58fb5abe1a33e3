"""Reading a worksheet part's rows as bytes (no parse of the cells a rewrite replaces)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from macros.adapters.xlsx_splice.model import SpliceUnsupported

_ROW_R = re.compile(rb'(?:^|\s)r="(\d+)"')
_CELL_R = re.compile(rb'(?:^|\s)r="([A-Z]{1,3})(\d+)"')
_CELL_S = re.compile(rb'(?:^|\s)s="(\d+)"')
_DROP_ROW_ATTRS = re.compile(rb'\s(?:spans|hidden)="[^"]*"')
_COL_ATTRS = re.compile(rb"<(?:\w+:)?col\b([^>]*?)/?>")


@dataclass
class Row:
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


def split_sheet(xml: bytes) -> tuple[bytes, bytes, bytes, bytes]:
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


def iter_rows(body: bytes, pfx: bytes, cheap_from: int | None = None,
          cheap_letters: frozenset[bytes] = frozenset()) -> Iterable[Row]:
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
                yield Row(r, attrs, [])
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
        yield Row(r, attrs, cells)


def col_styles(head: bytes) -> dict[int, int]:
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


def row_open(pfx: str, r: int, attrs: bytes | None) -> str:
    if attrs is None:
        return f'<{pfx}row r="{r}">'
    kept = _DROP_ROW_ATTRS.sub(b"", attrs).decode("utf-8")
    return f"<{pfx}row{kept}>"
