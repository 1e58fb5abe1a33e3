"""A value → the XML of one cell, in the workbook's own formats (dates, quote prefix)."""

from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time as dtime
from typing import Any

from defusedxml import ElementTree as SafeET

from macros.adapters.engine import Formula
from macros.adapters.xlsx_cells import EXCEL_MAX_CELL, xml_escape
from macros.adapters.xlsx_quote import LIVE_PREFIXES
from macros.adapters.xlsx_splice.model import SpliceUnsupported

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BUILTIN_DATE_FORMATS = set(range(14, 23)) | {45, 46, 47}
_DATE_CODE = re.compile(r"(?<![\\\"])[ymdhs]", re.I)


@dataclass
class DateStyles:
    """Which cell formats (xf indexes) show dates, and by which number format."""

    date_xfs: set[int]
    by_format: dict[str, int]  # number format code -> first xf index using it

    @classmethod
    def read(cls, zf: zipfile.ZipFile) -> "DateStyles":
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


def esc(text: str) -> str:
    """Cell text as XML character data: illegal characters dropped, capped at Excel's limit."""
    if len(text) > EXCEL_MAX_CELL:
        text = text[:EXCEL_MAX_CELL]
    if not _NEEDS_ESC.search(text):
        return text
    text = _ILLEGAL.sub("", text).replace("\r\n", "\n")
    return xml_escape(text)


class CellWriter:
    """Cell XML for new values: text as inline strings, dates in a date format of the workbook."""

    def __init__(self, styles: DateStyles, date1904: bool, quote_base: int | None = None):
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
        return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{esc(value)}</t></is></c>'

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
        return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{esc(str(value))}</t></is></c>'


