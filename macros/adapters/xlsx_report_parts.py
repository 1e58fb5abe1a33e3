"""Replace a report sheet (统计) inside an .xlsx package being streamed (``xlsx_splice``).

``plan_reports`` decides, before the copy starts, what the rewrite changes in the package for
each regenerated report sheet:

* the sheet's own part gets the XML from ``xlsx_report_xml`` (its cell formats appended to
  styles.xml through the rewrite's one ``StylesXml``);
* the parts only the old sheet used (its drawing, charts, their rels, comments, legacy drawings,
  printer settings) are left out, with their content-type overrides, so nothing dangles;
* the new charts and drawing become new parts (numbered with the lowest free numbers, so
  repeated runs keep the same names), with their rels and content-type overrides; the sheet's
  rels point at the drawing;
* workbook.xml's print titles / print area of the sheet are replaced like openpyxl replaces them
  when it recreates the sheet.

The copy loop asks the plan what to skip (``drop``), what to replace (``replace``), what to add
at the end (``add``) and how to edit ``[Content_Types].xml`` and ``xl/workbook.xml``.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Sequence

from defusedxml import ElementTree as SafeET
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.xml.functions import tostring

from macros.adapters.engine import ReportSheet
from macros.adapters.safe_write import _rels as rels_of, _sheet_parts as sheet_parts, rels_name
from macros.adapters.xlsx_cells import xml_escape
from macros.adapters.xlsx_report_xml import ReportUnsupported, build_report_xml
from macros.adapters.xlsx_styles import StylesXml

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_DRAWING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
_CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
_CT_WORKSHEET = b"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
_SHEET_NAMES = ("_xlnm.Print_Titles", "_xlnm.Print_Area", "_xlnm._FilterDatabase")


@dataclass
class ReportPlan:
    replace: dict[str, bytes] = field(default_factory=dict)
    add: dict[str, bytes] = field(default_factory=dict)
    drop: set[str] = field(default_factory=set)
    overrides: dict[str, str] = field(default_factory=dict)  # new part name -> content type
    print_titles: dict[int, str | None] = field(default_factory=dict)  # sheet index -> rows / None
    sheet_names: dict[int, str] = field(default_factory=dict)

    def content_types(self, data: bytes) -> bytes:
        for name in self.drop:
            data = re.sub(rb'<Override\b[^>]*?PartName="/' + re.escape(name.encode("utf-8")) + rb'"[^>]*?/>', b"", data)
        extra = "".join(f'<Override PartName="/{n}" ContentType="{t}"/>' for n, t in self.overrides.items())
        end = data.rfind(b"</Types>")
        if end < 0:
            raise ReportUnsupported("[Content_Types].xml without </Types>")
        return data[:end] + extra.encode("utf-8") + data[end:]

    def workbook(self, data: bytes) -> bytes:
        """workbook.xml with the sheets' print titles (and stale print areas) replaced."""
        for index, rows in self.print_titles.items():
            for name in _SHEET_NAMES:
                data = re.sub(rb'<definedName\b(?=[^>]*\bname="' + re.escape(name.encode()) + rb'")'
                              rb'(?=[^>]*\blocalSheetId="' + str(index).encode() + rb'")[^>]*?(?:/>|>.*?</definedName>)',
                              b"", data, flags=re.S)
            if rows:
                data = _add_defined_name(data, index, self.sheet_names[index], rows)
        return re.sub(rb"<definedNames>\s*</definedNames>|<definedNames/>", b"", data)


def _add_defined_name(data: bytes, index: int, sheet: str, rows: str) -> bytes:
    first, last = rows.replace("$", "").split(":")
    quoted = "'" + sheet.replace("'", "''") + "'"
    text = xml_escape(f"{quoted}!${first}:${last}")
    new = f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">{text}</definedName>'.encode("utf-8")
    m = re.search(rb"<definedNames>", data)
    if m is not None:
        return data[:m.end()] + new + data[m.end():]
    m = re.search(rb"</sheets>", data)
    if m is None:
        raise ReportUnsupported("workbook.xml without </sheets>")
    return data[:m.end()] + b"<definedNames>" + new + b"</definedNames>" + data[m.end():]


def _graph(zin: zipfile.ZipFile) -> dict[str, list[str]]:
    """Internal relationships of the package: part -> parts it points at."""
    names = set(zin.namelist())
    graph: dict[str, list[str]] = {}
    for name in names:
        if not name.endswith(".rels"):
            continue
        p = PurePosixPath(name)
        if p.parent.name != "_rels":
            continue
        source = "" if str(p.parent.parent) == "." else str(p.parent.parent / p.name[:-5])
        graph[source] = [t for _i, _t, t in rels_of(zin, source) if t in names]
    return graph


def _reachable(graph: dict[str, list[str]], start: str, skip: str | None = None) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for target in graph.get(todo.pop(), []):
            if target not in seen and target != skip:
                seen.add(target)
                todo.append(target)
    return seen


def _only_used_by(zin: zipfile.ZipFile, graph: dict[str, list[str]], sheet_part: str) -> set[str]:
    """Parts (and their rels) that only ``sheet_part`` leads to."""
    others = _reachable(graph, "", skip=sheet_part)
    mine = _reachable(graph, sheet_part) - {sheet_part} - others
    names = set(zin.namelist())
    return mine | {rels_name(p) for p in mine if rels_name(p) in names} | (
        {rels_name(sheet_part)} & names)


def _free(names: set[str], pattern: str, count: int) -> list[int]:
    """The ``count`` lowest numbers n for which ``pattern.format(n)`` is not taken."""
    out, n = [], 1
    while len(out) < count:
        if pattern.format(n) not in names:
            out.append(n)
        n += 1
    return out


def plan_reports(zin: zipfile.ZipFile, reports: Sequence[ReportSheet], styles: StylesXml,
                 date1904: bool) -> ReportPlan:
    """What the rewrite changes to regenerate ``reports`` (ReportUnsupported: use openpyxl)."""
    plan = ReportPlan()
    parts = sheet_parts(zin)
    order = [s.get("name") for s in SafeET.fromstring(zin.read("xl/workbook.xml")).iter(f"{_NS_MAIN}sheet")]
    graph = _graph(zin)
    types = zin.read("[Content_Types].xml")
    for report in reports:
        part = parts.get(report.name)
        if part is None or part not in zin.namelist() or report.name not in order:
            raise ReportUnsupported(f"no sheet {report.name}")
        if not re.search(rb'<Override\b(?=[^>]*\bPartName="/' + re.escape(part.encode("utf-8")) + rb'")'
                         rb'(?=[^>]*\bContentType="' + re.escape(_CT_WORKSHEET) + rb'")', types):
            raise ReportUnsupported(f"{report.name} is not a worksheet")
        plan.drop |= _only_used_by(zin, graph, part)
    taken = set(zin.namelist()) - plan.drop
    for report in reports:
        part = parts[report.name]
        built = build_report_xml(report, styles, date1904)
        index = order.index(report.name)
        plan.print_titles[index] = built.print_titles
        plan.sheet_names[index] = report.name
        rid = None
        if built.charts:
            rid = "rId1"
            _add_drawing(plan, taken, part, built.charts)
        plan.replace[part] = built.sheet_xml(rid)
    return plan


def _add_drawing(plan: ReportPlan, taken: set[str], sheet_part: str, charts: list) -> None:
    (n,) = _free(taken, "xl/drawings/drawing{}.xml", 1)
    drawing = SpreadsheetDrawing()
    drawing._id = n  # noqa: SLF001 - openpyxl names the part from it
    drawing.charts = charts
    for chart, k in zip(charts, _free(taken, "xl/charts/chart{}.xml", len(charts))):
        chart._id = k  # noqa: SLF001
        name = chart.path.lstrip("/")
        plan.add[name] = tostring(chart._write())  # noqa: SLF001
        plan.overrides[name] = _CT_CHART
        taken.add(name)
    name = drawing.path.lstrip("/")
    plan.add[name] = tostring(drawing._write())  # noqa: SLF001
    plan.add[rels_name(name)] = tostring(drawing._write_rels())  # noqa: SLF001
    plan.overrides[name] = _CT_DRAWING
    taken.update({name, rels_name(name)})
    sheet_rels = (f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                  f'<Relationship Id="rId1" Type="{_REL_DRAWING}" Target="/{name}"/></Relationships>')
    target = rels_name(sheet_part)
    plan.add[target] = sheet_rels.encode("utf-8")
