"""Excel's quote prefix for text that starts like a formula, in a package being streamed.

Text beginning with ``=``, ``+``, ``-`` or ``@`` is stored as text, but Excel and WPS turn it into
a formula the moment someone presses F2 and Enter in the cell (``=WEBSERVICE(…)`` would then
send data out). Excel marks such cells with the ``quotePrefix="1"`` attribute of the cell's
format (shown as a leading apostrophe, not part of the value). The streaming rewrite
(``xlsx_splice``) gives those cells the quote-prefixed twin of their format: ``quote_twins``
appends one twin per existing cell format to ``xl/styles.xml`` — only when a run writes such text.
"""

from __future__ import annotations

import re
import zipfile
from typing import Any, Iterable, Mapping

LIVE_PREFIXES = ("=", "+", "-", "@")  # first characters Excel/WPS read as a formula when edited

_CELL_XFS = re.compile(rb"(<(?:\w+:)?cellXfs\b[^>]*>)(.*?)(</(?:\w+:)?cellXfs>)", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b[^>]*?(?:/>|>.*?</(?:\w+:)?xf>)", re.S)
_QUOTE_ATTR = re.compile(rb'\squotePrefix="[^"]*"')


def quote_twins(zin: zipfile.ZipFile, rows: Iterable[Mapping[str, Any]]) -> tuple[bytes | None, int | None]:
    """styles.xml with a quote-prefixed twin of every cell format appended, and the index of the
    first twin — only when some new text in ``rows`` starts like a formula; (None, None) otherwise."""
    if not any(v.__class__ is str and v[:1] in LIVE_PREFIXES for row in rows for v in row.values()):
        return None, None
    if "xl/styles.xml" not in zin.namelist():
        return None, None
    xml = zin.read("xl/styles.xml")
    m = _CELL_XFS.search(xml)
    if m is None:
        return None, None
    xfs = _XF.findall(m.group(2))
    if not xfs:
        return None, None
    twins = []
    for xf in xfs:
        xf = _QUOTE_ATTR.sub(b"", xf)
        end = xf.index(b">")  # the end of the opening tag
        if xf[end - 1:end] == b"/":
            end -= 1
        twins.append(xf[:end] + b' quotePrefix="1"' + xf[end:])
    opening = re.sub(rb'\scount="\d+"', b"", m.group(1))
    opening = opening[:-1] + f' count="{2 * len(xfs)}">'.encode("ascii")
    new = opening + m.group(2) + b"".join(twins) + m.group(3)
    return xml[:m.start()] + new + xml[m.end():], len(xfs)
