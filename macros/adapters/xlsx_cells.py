"""Writing one cell through openpyxl: text that Excel can open and that never turns into a
formula (used by the file engine, the table and report writers, the builder and the forms)."""

from __future__ import annotations

import re
from typing import Any

from macros.adapters.engine import Formula

# Characters XML 1.0 cannot hold: openpyxl refuses the control characters, and its writer fails
# on the two non-characters and on lone surrogates.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
EXCEL_MAX_CELL = 32767


def cell_text(value: str) -> str:
    """Text that openpyxl can store and Excel can open: no XML-illegal characters, capped length."""
    value = _ILLEGAL.sub("", value)
    return value[:EXCEL_MAX_CELL]


def xml_escape(text: str, *, quote: bool = False) -> str:
    """``text`` as XML character data (or, with ``quote``, a double-quoted attribute): &, < and >
    escaped as xml.sax.saxutils does (not imported: it pulls in urllib, http and ssl), and \\r as
    a character reference, which a parser would otherwise turn into \\n."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text.replace('"', "&quot;") if quote else text


def set_cell(cell, value: Any, number_format: str | None = None) -> None:
    """Write one value; plain strings stay text even when they start with '='."""
    if isinstance(value, Formula):
        cell.value = str(value)
    elif isinstance(value, str):
        cell.value = cell_text(value)
        cell.data_type = "s"  # never a formula, whatever the first character
        if value[:1] in ("=", "+", "-", "@"):
            cell.quotePrefix = True  # Excel's "this is text" mark: F2+Enter keeps it text
    else:
        cell.value = value
    if number_format and not isinstance(value, str):
        cell.number_format = number_format
