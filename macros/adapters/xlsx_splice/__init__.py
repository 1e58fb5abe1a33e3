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

The package, one idea per module: ``model`` (what a splice is), ``cells`` (a value → cell XML),
``sheet_xml`` (reading a worksheet's rows), ``rewrite`` (writing a worksheet's rows anew) and
``package`` (copying the zip part by part).
"""

from macros.adapters.xlsx_splice.model import (
    KEEP_TEMPLATE_ROWS, STYLE_SAMPLE_ROWS, SpliceUnsupported, TableSplice,
)
from macros.adapters.xlsx_splice.package import sheet_part_of, splice_tables, strip_tables

__all__ = ["SpliceUnsupported", "TableSplice", "splice_tables", "strip_tables", "sheet_part_of",
           "KEEP_TEMPLATE_ROWS", "STYLE_SAMPLE_ROWS"]
