"""Copying the workbook's zip part by part, the spliced sheets and report sheets rewritten."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import IO, Iterable, Mapping, Sequence
from xml.parsers import expat

from defusedxml import ElementTree as SafeET

from macros.adapters.engine import ReportSheet
from macros.adapters.safe_write import _rels, _sheet_parts
from macros.adapters.xlsx_quote import quote_twins
from macros.adapters.xlsx_report_parts import ReportPlan, ReportUnsupported, plan_reports
from macros.adapters.xlsx_styles import StylesUnsupported, StylesXml
from macros.adapters.xlsx_splice.cells import CellWriter, DateStyles
from macros.adapters.xlsx_splice.model import KEEP_TEMPLATE_ROWS, SpliceUnsupported, TableSplice
from macros.adapters.xlsx_splice.rewrite import resize_table, splice_sheet
from macros.adapters.xlsx_splice.sheet_xml import split_sheet


def _table_part(zf: zipfile.ZipFile, sheet_part: str, excel_name: str) -> str | None:
    names = set(zf.namelist())
    for _rid, rtype, target in _rels(zf, sheet_part):
        if rtype == "table" and target in names:
            root = SafeET.fromstring(zf.read(target))
            if excel_name in (root.get("name"), root.get("displayName")):
                return target
    return None


def _drop_calc_chain(zf: zipfile.ZipFile, name: str, data: bytes) -> bytes:
    if name == "[Content_Types].xml":
        return re.sub(rb"<Override\b[^>]*?PartName=\"/xl/calcChain\.xml\"[^>]*?/>", b"", data)
    if name == "xl/_rels/workbook.xml.rels":
        return re.sub(rb"<Relationship\b[^>]*?Target=\"[^\"]*calcChain\.xml\"[^>]*?/>", b"", data)
    return data


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
        writer = CellWriter(DateStyles.read(zin), date1904, quote_base)
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
                        splice_sheet(zin.read(name), by_part[name], writer, fh)
                    continue
                data = zin.read(name) if name != "xl/styles.xml" or styles_xml is None else styles_xml
                if name in blank_parts:
                    head, pfx, _body, tail = split_sheet(data)
                    data = head + b"<" + pfx + b"sheetData/>" + tail
                elif name in table_parts:
                    sp = table_parts[name]
                    data = resize_table(data, sp.header_row, sp.header_row + len(sp.rows))
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
