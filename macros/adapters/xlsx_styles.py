"""Append-only edits to a package's ``xl/styles.xml`` while it is being streamed.

The cells of every sheet point at cell formats by index (``s="7"``), so formats are only ever
appended: fonts, fills, number formats and cell formats (``cellXfs``) get new entries at the end
of their lists and every existing index keeps its meaning. One ``StylesXml`` collects all the
additions of one rewrite (the quote-prefixed twins of ``xlsx_quote`` and the formats of a
regenerated report sheet) and ``xml()`` gives the edited part once, at the end.

Edits work on the bytes (no parse and re-serialise of the whole part): unknown elements,
extension lists and namespaces declared by Excel stay exactly as they were. Anything unusual
(a prefixed root, a missing list) raises ``SpliceUnsupported`` for the caller's fallback.
"""

from __future__ import annotations

import re
import zipfile

from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE
from openpyxl.xml.functions import tostring

from macros.adapters.xlsx_cells import xml_escape

STYLES_PART = "xl/styles.xml"
_XF = re.compile(rb"<(?:\w+:)?xf\b[^>]*?(?:/>|>.*?</(?:\w+:)?xf>)", re.S)
_QUOTE_ATTR = re.compile(rb'\squotePrefix="[^"]*"')
_COUNT = re.compile(rb'\scount="\d+"')
_NUMFMT = re.compile(rb'<numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"[^>]*/>')
_NUMFMT_REV = re.compile(rb'<numFmt\b[^>]*?formatCode="([^"]*)"[^>]*?numFmtId="(\d+)"[^>]*/>')


class StylesUnsupported(Exception):
    """styles.xml is laid out in a way the byte-level edits do not handle."""


def _section(xml: bytes, tag: str) -> re.Match | None:
    """The ``<tag …>…</tag>`` list of styles.xml (unprefixed: Excel, WPS, LibreOffice, openpyxl)."""
    return re.search(rb"(<" + tag.encode() + rb"\b[^>]*?)(/>|>(.*?)</" + tag.encode() + rb">)", xml, re.S)


def _attr_unescape(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return (text.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
            .replace("&apos;", "'").replace("&amp;", "&"))


class StylesXml:
    """The styles part of one package and what this rewrite appends to it."""

    def __init__(self, xml: bytes | None):
        self.original = xml
        self._xfs: list[bytes] | None = None
        self._added: dict[str, list[bytes]] = {"fonts": [], "fills": [], "cellXfs": [], "numFmts": []}
        self._memo: dict[tuple, int] = {}
        self._formats: dict[str, int] | None = None

    @classmethod
    def read(cls, zf: zipfile.ZipFile) -> "StylesXml":
        return cls(zf.read(STYLES_PART) if STYLES_PART in zf.namelist() else None)

    @property
    def changed(self) -> bool:
        return any(self._added.values())

    # --- reading the existing lists ------------------------------------------------------
    def _need(self) -> bytes:
        if self.original is None or re.search(rb"<\w+:styleSheet\b", self.original):
            raise StylesUnsupported("no styles part, or a prefixed one")
        return self.original

    def cell_xfs(self) -> list[bytes]:
        """The existing cell formats, in index order."""
        if self._xfs is None:
            m = _section(self._need(), "cellXfs")
            if m is None or not m.group(3):
                raise StylesUnsupported("no cellXfs")
            self._xfs = _XF.findall(m.group(3))
        return self._xfs

    def _number_formats(self) -> dict[str, int]:
        if self._formats is None:
            m = _section(self._need(), "numFmts")
            found: dict[str, int] = {}
            for body in ([m.group(3) or b""] if m else []):
                for nid, code in _NUMFMT.findall(body):
                    found.setdefault(_attr_unescape(code), int(nid))
                for code, nid in _NUMFMT_REV.findall(body):
                    found.setdefault(_attr_unescape(code), int(nid))
            self._formats = found
        return self._formats

    # --- appending -----------------------------------------------------------------------
    def quote_twins(self) -> int:
        """Append a quote-prefixed twin of every existing cell format (once); returns the index
        of the first twin (the twin of format i is that index + i)."""
        key = ("twins",)
        if key not in self._memo:
            xfs = self.cell_xfs()
            if self._added["cellXfs"]:
                raise StylesUnsupported("quote twins must come before other cell formats")
            for xf in xfs:
                xf = _QUOTE_ATTR.sub(b"", xf)
                end = xf.index(b">")  # the end of the opening tag
                if xf[end - 1:end] == b"/":
                    end -= 1
                self._added["cellXfs"].append(xf[:end] + b' quotePrefix="1"' + xf[end:])
            self._memo[key] = len(xfs)
        return self._memo[key]

    def _existing(self, tag: str, child: str) -> list[bytes]:
        """The entries of the list ``tag`` as they are in the part."""
        if tag == "cellXfs":
            return self.cell_xfs()
        key = ("list", tag)
        if key not in self._memo:
            m = _section(self._need(), tag)
            if m is None:
                raise StylesUnsupported(f"no {tag}")
            c = child.encode()
            self._memo[key] = re.findall(rb"<" + c + rb"\b[^>]*?(?:/>|>.*?</" + c + rb">)", m.group(3) or b"", re.S)
        return self._memo[key]

    def _append(self, tag: str, child: str, xml: bytes) -> int:
        """Index of the entry ``xml`` in the list ``tag``: an identical one already there (a
        previous run's, so the part does not grow run after run), else a new one at the end."""
        key = (tag, xml)
        if key not in self._memo:
            existing = self._existing(tag, child)
            try:
                self._memo[key] = existing.index(xml)
            except ValueError:
                self._memo[key] = len(existing) + len(self._added[tag])
                self._added[tag].append(xml)
        return self._memo[key]

    def font(self, font) -> int:
        """Index of an appended copy of the openpyxl ``Font``."""
        return self._append("fonts", "font", tostring(font.to_tree()))

    def fill(self, fill) -> int:
        return self._append("fills", "fill", tostring(fill.to_tree()))

    def number_format(self, code: str | None) -> int:
        """The numFmtId showing ``code``: built-in, already in the workbook, or appended."""
        if not code or code == "General":
            return 0
        if code in BUILTIN_FORMATS_REVERSE:
            return BUILTIN_FORMATS_REVERSE[code]
        known = self._number_formats()
        if code not in known:
            nid = max([163, *known.values()]) + 1
            known[code] = nid
            self._added["numFmts"].append(
                f'<numFmt numFmtId="{nid}" formatCode="{xml_escape(code, quote=True)}"/>'.encode("utf-8"))
        return known[code]

    def cell_format(self, xf) -> int:
        """Index of an appended cell format (an openpyxl ``CellStyle``)."""
        self.cell_xfs()
        return self._append("cellXfs", "xf", tostring(xf.to_tree()))

    # --- the result ----------------------------------------------------------------------
    def xml(self) -> bytes | None:
        """The edited styles part, or None when nothing was appended."""
        if not self.changed:
            return None
        xml = self._need()
        for tag, child in (("cellXfs", "xf"), ("fills", "fill"), ("fonts", "font"), ("numFmts", "numFmt")):
            if self._added[tag]:
                xml = self._grow(xml, tag, child, self._added[tag])
        return xml

    def _grow(self, xml: bytes, tag: str, child: str, extra: list[bytes]) -> bytes:
        m = _section(xml, tag)
        if m is None:  # only numFmts may be missing: it is the first child of styleSheet
            root = re.search(rb"<styleSheet\b[^>]*>", xml)
            if tag != "numFmts" or root is None:
                raise StylesUnsupported(f"no {tag}")
            new = f'<numFmts count="{len(extra)}">'.encode() + b"".join(extra) + b"</numFmts>"
            return xml[:root.end()] + new + xml[root.end():]
        body = m.group(3) or b""
        n = len(re.findall(rb"<" + child.encode() + rb"\b", body)) + len(extra)
        opening = _COUNT.sub(b"", m.group(1)) + f' count="{n}">'.encode("ascii")
        new = opening + body + b"".join(extra) + f"</{tag}>".encode("ascii")
        return xml[:m.start()] + new + xml[m.end():]
