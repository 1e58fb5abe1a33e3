"""The body writer of the Word templates (used by build_templates.py): paragraphs, runs, tables
and template tags appended to a document, and a new document with the official styles."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from tpl_styles import FANGSONG, HEITI, KAITI, XIAOBIAOSONG, rpr_xml, setup_fonts_theme_settings, setup_page, setup_styles

# ----------------------------------------------------------------------------- body writers


class Body:
    """Appends paragraphs and tables (with template tags) to a document body."""

    def __init__(self, doc) -> None:
        self.doc = doc
        self.body = doc.element.body
        self.sect = self.body.find(qn("w:sectPr"))
        # Remove python-docx's initial empty paragraph, if any.
        for p in self.body.findall(qn("w:p")):
            self.body.remove(p)

    def _append(self, node) -> None:
        self.sect.addprevious(node)

    def p(self, style: str, *runs: str | tuple[str, dict], ppr_extra: str = "") -> None:
        """A paragraph of ``style``; each run is text (style font) or (text, {bold, color, font, size})."""
        xml = [f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{style}"/>{ppr_extra}</w:pPr>']
        for run in runs:
            if isinstance(run, tuple):
                text, fmt = run
            else:
                text, fmt = run, {}
            xml.append(self._run_xml(style, text, **fmt))
        xml.append("</w:p>")
        self._append(parse_xml("".join(xml)))

    def tag(self, text: str) -> None:
        """A paragraph holding only a docxtpl paragraph tag ({%p ... %})."""
        self.p("GwBody", text)

    @contextmanager
    def section(self, key: str, *, optional: bool = True) -> Iterator[None]:
        """A numbered section: its 一级标题 (``h.<key>`` numbers it, ``headings.<key>`` names it)
        and the body written inside the ``with``; an optional section only when ``h.<key>``
        is set (the campaign has data for it)."""
        if optional:
            self.tag(f"{{%p if h.{key} %}}")
        self.p("GwH1", f"{{{{ h.{key} }}}}{{{{ headings.{key} }}}}")
        yield
        if optional:
            self.tag("{%p endif %}")

    @contextmanager
    def each(self, loop: str) -> Iterator[None]:
        """The paragraphs written inside the ``with``, repeated ``{%p for <loop> %}``."""
        self.tag(f"{{%p for {loop} %}}")
        yield
        self.tag("{%p endfor %}")

    def _run_xml(self, style: str, text: str, *, bold: bool = False, color: str | None = None,
                 font: str | None = None, size: float | None = None) -> str:
        font = font or STYLE_FONT.get(style, (FANGSONG, 16))[0]
        size = size or STYLE_FONT.get(style, (FANGSONG, 16))[1]
        rpr = rpr_xml(font, size, bold=bold, color=color)
        pieces = []
        for i, chunk in enumerate(text.split("\t")):
            if i:
                pieces.append(f'<w:r><w:rPr>{rpr}</w:rPr><w:tab/></w:r>')
            if chunk:
                esc = chunk.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                pieces.append(f'<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve">{esc}</w:t></w:r>')
        return "".join(pieces)

    def page_break(self) -> None:
        self._append(parse_xml(f'<w:p {nsdecls("w")}><w:r><w:br w:type="page"/></w:r></w:p>'))

    def table(self, headers: list[str], widths: list[int], row_cells: list[str],
              loop: str, endloop: str = "{%tr endfor %}", font_size: float = 12,
              center: tuple[int, ...] = ()) -> None:
        """A table with a header row repeated on each page and one templated row in a loop."""
        total = sum(widths)
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        head_rpr = rpr_xml(HEITI, font_size)
        cell_rpr = rpr_xml(FANGSONG, font_size)

        def cell(text: str, width: int, style: str, rpr: str, jc: str = "") -> str:
            esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            return (
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{jc}</w:pPr>'
                f'<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve">{esc}</w:t></w:r></w:p></w:tc>'
            )

        def loop_row(text: str) -> str:
            spanned = cell(text, total, "GwTable", cell_rpr).replace(
                "</w:tcW>", "", 1).replace('w:type="dxa"/>', f'w:type="dxa"/><w:gridSpan w:val="{len(widths)}"/>', 1)
            return f"<w:tr>{spanned}</w:tr>"

        rows = [
            '<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>'
            + "".join(cell(h, w, "GwTableHead", head_rpr) for h, w in zip(headers, widths))
            + "</w:tr>",
            loop_row(loop),
            '<w:tr><w:trPr><w:cantSplit/></w:trPr>'
            + "".join(cell(c, w, "GwTable", cell_rpr, '<w:jc w:val="center"/>' if i in center else "")
                      for i, (c, w) in enumerate(zip(row_cells, widths)))
            + "</w:tr>",
            loop_row(endloop),
        ]
        xml = (
            f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="GwGrid"/><w:tblW w:w="{total}" w:type="dxa"/>'
            f'<w:jc w:val="center"/><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
            + "".join(rows)
            + "</w:tbl>"
        )
        self._append(parse_xml(xml))


STYLE_FONT = {
    "GwBody": (FANGSONG, 16), "GwH1": (HEITI, 16), "GwH2": (KAITI, 16), "GwH3": (FANGSONG, 16),
    "GwTitle": (XIAOBIAOSONG, 22), "GwMark": (XIAOBIAOSONG, 36), "GwNumber": (FANGSONG, 16),
    "GwRecipient": (FANGSONG, 16), "GwAttach": (FANGSONG, 16), "GwSign": (FANGSONG, 16),
    "GwDate": (FANGSONG, 16), "GwNote": (FANGSONG, 16), "GwTable": (FANGSONG, 12),
    "GwTableHead": (HEITI, 12), "GwCaption": (HEITI, 14), "GwFigure": (FANGSONG, 16), "GwToc": (FANGSONG, 14),
    "GwItemTitle": (XIAOBIAOSONG, 18), "GwMeta": (KAITI, 16), "GwCover": (XIAOBIAOSONG, 26),
}


def new_document(*, landscape: bool = False, grid: bool = True):
    doc = Document()
    setup_styles(doc)
    setup_fonts_theme_settings(doc)
    setup_page(doc, landscape=landscape, grid=grid)
    return doc, Body(doc)
