"""Excel's quote prefix for text that starts like a formula, in a package being streamed.

Text beginning with ``=``, ``+``, ``-`` or ``@`` is stored as text, but Excel and WPS turn it into
a formula the moment someone presses F2 and Enter in the cell (``=WEBSERVICE(…)`` would then
send data out). Excel marks such cells with the ``quotePrefix="1"`` attribute of the cell's
format (shown as a leading apostrophe, not part of the value). The streaming rewrite
(``xlsx_splice``) gives those cells the quote-prefixed twin of their format: ``quote_twins``
appends one twin per existing cell format to ``xl/styles.xml`` (through ``xlsx_styles``, which
collects every addition of the rewrite) — only when a run writes such text.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from macros.adapters.xlsx_styles import StylesUnsupported, StylesXml

LIVE_PREFIXES = ("=", "+", "-", "@")  # first characters Excel/WPS read as a formula when edited


def quote_twins(styles: StylesXml, rows: Iterable[Mapping[str, Any]]) -> int | None:
    """Append a quote-prefixed twin of every cell format to ``styles`` and return the index of
    the first twin — only when some new text in ``rows`` starts like a formula; None otherwise
    (also when the styles cannot be extended: the text is then still written as text)."""
    if not any(v.__class__ is str and v[:1] in LIVE_PREFIXES for row in rows for v in row.values()):
        return None
    try:
        return styles.quote_twins()
    except StylesUnsupported:
        return None
