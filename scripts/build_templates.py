#!/usr/bin/env python3
"""Build the Word templates in ``templates/`` (package data) (docxtpl/Jinja2 tags) with python-docx.

    python scripts/build_templates.py            # regenerate templates/*.docx
    python scripts/build_templates.py --check    # exit 1 when a committed template is stale

Official documents (``notice``, ``reminders``) follow GB/T 9704-2012: A4, top margin 37 mm,
left 28 mm, text block 156 x 225 mm (right 26 mm, bottom 35 mm), body 3号 (16 pt) 仿宋 on a
document grid of 22 lines x 28 characters, title 2号 (22 pt) 小标宋, red 发文机关标志 and red
separator line, page numbers "— 1 —" in 4号 on the outer side (odd right, even left).

Word takes the font of Chinese text from ``w:eastAsia``; every style and run written here sets
ascii/hAnsi/eastAsia fonts and ``w:lang w:eastAsia="zh-CN"`` explicitly, the theme's East Asian
fonts point at 宋体 and ``themeFontLang`` is zh-CN (python-docx's default template points the
East Asian theme font at a Japanese face).

The output is deterministic (fixed zip timestamps and document properties), so a test can
check that the committed templates are what this script builds.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates"  # installed as package data macros.resources.templates

# ----------------------------------------------------------------------------- measures
# 1 mm = 56.6929 twips. Page A4 portrait 210 x 297 mm.
PAGE_W, PAGE_H = 11906, 16838
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 2098, 1984, 1587, 1474  # 37/35/28/26 mm
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 8845 twips = 156 mm
TEXT_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM  # 12756 twips = 225 mm
LINE_PITCH = 579  # twips: 22 lines (22 x 579 = 12738 <= 12756)
# Character pitch = 16 pt + charSpace/4096 pt; -848 gives 15.793 pt, 28 per 156 mm line.
CHAR_SPACE = -848
CHAR = 316  # one body character in twips (15.79 pt)
HEADER_DIST = 851  # 15 mm
FOOTER_DIST = 1247  # 22 mm: the page number sits about 7 mm below the text block

# Landscape (task table): A4 297 x 210 mm, binding edge on top.
L_PAGE_W, L_PAGE_H = PAGE_H, PAGE_W
L_MARGIN_TOP, L_MARGIN_BOTTOM, L_MARGIN_LEFT, L_MARGIN_RIGHT = 1587, 1474, 1984, 1984

RED = "FF0000"

# Font names as a Chinese office machine knows them; LibreOffice maps them to Noto CJK SC
# through macros/fonts.conf; Word falls back to w:altName when a face is missing.
FANGSONG = "仿宋"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体"
SONGTI = "宋体"
LATIN = "Times New Roman"

FONT_TABLE = [
    # name, altName, family, panose
    (FANGSONG, "FangSong", "modern", "02010609060101010101"),
    (XIAOBIAOSONG, SONGTI, "script", "02000000000000000000"),
    (HEITI, "SimHei", "modern", "02010609060101010101"),
    (KAITI, "KaiTi", "modern", "02010609060101010101"),
    (SONGTI, "SimSun", "auto", "02010600030101010101"),
]

FIXED_DATE = "2024-01-01T00:00:00Z"
ZIP_DATE = (2024, 1, 1, 0, 0, 0)

# ----------------------------------------------------------------------------- XML helpers


def el(tag: str, **attrs: str | int) -> OxmlElement:
    node = OxmlElement(tag)
    for key, value in attrs.items():
        node.set(qn(key.replace("_", ":", 1)), str(value))
    return node


def sub(parent, tag: str, **attrs: str | int):
    node = el(tag, **attrs)
    parent.append(node)
    return node


def fonts_xml(east_asia: str, ascii_: str = LATIN) -> str:
    return (
        f'<w:rFonts w:ascii="{ascii_}" w:hAnsi="{ascii_}" w:eastAsia="{east_asia}" '
        f'w:cs="{ascii_}" w:hint="eastAsia"/>'
    )


LANG_XML = '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'


def rpr_xml(east_asia: str, size_pt: float, *, ascii_: str | None = None, bold: bool = False,
            color: str | None = None) -> str:
    half = int(round(size_pt * 2))
    parts = [fonts_xml(east_asia, ascii_ or (LATIN if east_asia in (FANGSONG, SONGTI) else east_asia))]
    if bold:
        parts.append("<w:b/><w:bCs/>")
    if color:
        parts.append(f'<w:color w:val="{color}"/>')
    if size_pt == 16:
        # Condense 3号 text by 0.25 pt: 28 characters fill the 156 mm line in LibreOffice's
        # character grid too (it gives a 16 pt glyph two 15.79 pt grid cells otherwise).
        parts.append('<w:spacing w:val="-5"/>')
    parts.append(f'<w:kern w:val="{half}"/>' if size_pt >= 16 else "")
    parts.append(f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>')
    parts.append(LANG_XML)
    return "".join(parts)


# ----------------------------------------------------------------------------- styles


def style_xml(style_id: str, name: str, *, ppr: str = "", rpr: str = "", based_on: str = "Normal",
              next_id: str | None = None, kind: str = "paragraph") -> str:
    return (
        f'<w:style {nsdecls("w")} w:type="{kind}" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/>'
        + (f'<w:basedOn w:val="{based_on}"/>' if based_on else "")
        + (f'<w:next w:val="{next_id}"/>' if next_id else "")
        + '<w:qFormat/>'
        + (f"<w:pPr>{ppr}</w:pPr>" if ppr else "")
        + (f"<w:rPr>{rpr}</w:rPr>" if rpr else "")
        + "</w:style>"
    )


def exact(line: int = LINE_PITCH, before: int = 0, after: int = 0) -> str:
    return f'<w:spacing w:before="{before}" w:after="{after}" w:line="{line}" w:lineRule="exact"/>'


# No extra space between Chinese and Latin/digits (official documents set 2019年 tight).
# overflowPunct="1" is Word's default; LibreOffice (writerfilter) maps it inverted, so "1" is
# what keeps its punctuation inside the text block instead of hanging into the margin.
PUNCT = '<w:overflowPunct w:val="1"/><w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/>'


def first_line(chars: int = 2) -> str:
    return f'<w:ind w:firstLine="{chars * CHAR}" w:firstLineChars="{chars * 100}"/>'


OFFICIAL_STYLES = [
    # styleId, Chinese name, pPr, rPr
    ("GwBody", "公文正文", exact() + first_line() + '<w:jc w:val="both"/>', rpr_xml(FANGSONG, 16)),
    ("GwH1", "公文一级标题", '<w:keepNext/>' + exact() + first_line() + '<w:jc w:val="both"/><w:outlineLvl w:val="0"/>',
     rpr_xml(HEITI, 16)),
    ("GwH2", "公文二级标题", '<w:keepNext/>' + exact() + first_line() + '<w:jc w:val="both"/><w:outlineLvl w:val="1"/>',
     rpr_xml(KAITI, 16)),
    ("GwH3", "公文三级标题", exact() + first_line() + '<w:jc w:val="both"/>', rpr_xml(FANGSONG, 16, bold=True)),
    ("GwTitle", "公文标题", '<w:keepNext/><w:snapToGrid w:val="0"/>' + exact() + '<w:jc w:val="center"/>', rpr_xml(XIAOBIAOSONG, 22)),
    ("GwMark", "发文机关标志",
     '<w:snapToGrid w:val="0"/><w:spacing w:before="1984" w:after="0" w:line="240" w:lineRule="auto"/>'
     '<w:jc w:val="center"/>',
     rpr_xml(XIAOBIAOSONG, 36, color=RED)),
    ("GwNumber", "发文字号",
     '<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="11" w:color="FF0000"/></w:pBdr>'
     + exact(before=2 * LINE_PITCH) + '<w:jc w:val="center"/>',
     rpr_xml(FANGSONG, 16)),
    ("GwRecipient", "主送机关", exact(before=LINE_PITCH) + '<w:jc w:val="both"/>', rpr_xml(FANGSONG, 16)),
    ("GwAttach", "附件说明",
     exact(before=LINE_PITCH) + f'<w:ind w:left="{5 * CHAR}" w:hanging="{3 * CHAR}"/><w:jc w:val="both"/>',
     rpr_xml(FANGSONG, 16)),
    ("GwSign", "发文机关署名",
     f'<w:tabs><w:tab w:val="center" w:pos="{TEXT_W - 4 * CHAR - 3 * CHAR}"/></w:tabs>'
     + exact(before=LINE_PITCH),
     rpr_xml(FANGSONG, 16)),
    ("GwDate", "成文日期",
     f'<w:tabs><w:tab w:val="center" w:pos="{TEXT_W - 4 * CHAR - 3 * CHAR}"/></w:tabs>' + exact(),
     rpr_xml(FANGSONG, 16)),
    ("GwNote", "附注", exact() + first_line() + '<w:jc w:val="both"/>', rpr_xml(FANGSONG, 16)),
    ("GwPageNum", "页码", '<w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>',
     rpr_xml(SONGTI, 14, ascii_=SONGTI)),
    ("GwTable", "表格文字",
     '<w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="300" w:lineRule="auto"/>'
     '<w:jc w:val="left"/>',
     rpr_xml(FANGSONG, 12)),
    ("GwTableHead", "表格标题行",
     '<w:keepNext/><w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="300" w:lineRule="auto"/>'
     '<w:jc w:val="center"/>',
     rpr_xml(HEITI, 12)),
    ("GwCaption", "图表题注",
     '<w:snapToGrid w:val="0"/>' + exact() + '<w:jc w:val="center"/>',
     rpr_xml(HEITI, 14)),
    ("GwFigure", "图片", '<w:keepNext/><w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="240" '
     'w:lineRule="auto"/><w:jc w:val="center"/>', rpr_xml(FANGSONG, 16)),
    ("GwItemTitle", "计策题目",
     '<w:keepNext/><w:snapToGrid w:val="0"/>' + exact(before=LINE_PITCH) + '<w:jc w:val="center"/><w:outlineLvl w:val="1"/>',
     rpr_xml(XIAOBIAOSONG, 18)),
    ("GwMeta", "署名信息", '<w:keepNext/>' + exact() + '<w:jc w:val="center"/>', rpr_xml(KAITI, 16)),
    ("GwCover", "封面标题",
     '<w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>',
     rpr_xml(XIAOBIAOSONG, 26)),
    ("GwToc", "目录条目",
     f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_W}"/></w:tabs><w:snapToGrid w:val="0"/>'
     f'<w:spacing w:before="0" w:after="0" w:line="440" w:lineRule="exact"/>'
     f'<w:ind w:left="{2 * CHAR}" w:right="{2 * CHAR}" w:hanging="{2 * CHAR}"/>',
     rpr_xml(FANGSONG, 14)),
]


def setup_styles(doc) -> None:
    styles = doc.styles.element
    # Document defaults: explicit fonts (no theme fonts), 3号 仿宋, Chinese language.
    defaults = styles.find(qn("w:docDefaults"))
    defaults.getparent().remove(defaults)
    new_defaults = parse_xml(
        f'<w:docDefaults {nsdecls("w")}><w:rPrDefault><w:rPr>{rpr_xml(FANGSONG, 16)}</w:rPr></w:rPrDefault>'
        f'<w:pPrDefault><w:pPr>{PUNCT}{exact()}</w:pPr></w:pPrDefault></w:docDefaults>'
    )
    styles.insert(0, new_defaults)
    # Normal: justified body text on the grid.
    normal = doc.styles["Normal"].element
    for child in list(normal):
        if child.tag in (qn("w:pPr"), qn("w:rPr")):
            normal.remove(child)
    normal.append(parse_xml(f'<w:pPr {nsdecls("w")}>{PUNCT}{exact()}<w:jc w:val="both"/></w:pPr>'))
    normal.append(parse_xml(f'<w:rPr {nsdecls("w")}>{rpr_xml(FANGSONG, 16)}</w:rPr>'))
    # Every built-in style that names theme fonts gets explicit ones.
    for rfonts in styles.iter(qn("w:rFonts")):
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            if rfonts.get(qn(attr)) is not None:
                del rfonts.attrib[qn(attr)]
        if rfonts.get(qn("w:eastAsia")) is None:
            rfonts.set(qn("w:eastAsia"), HEITI)
            rfonts.set(qn("w:ascii"), LATIN)
            rfonts.set(qn("w:hAnsi"), LATIN)
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:eastAsia"), "zh-CN")
    for style_id, name, ppr, rpr in OFFICIAL_STYLES:
        styles.append(parse_xml(style_xml(style_id, name, ppr=ppr, rpr=rpr)))
    # A plain table style with single black borders.
    styles.append(parse_xml(
        f'<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="GwGrid">'
        '<w:name w:val="公文表格"/><w:basedOn w:val="TableNormal"/><w:qFormat/>'
        '<w:tblPr><w:jc w:val="center"/><w:tblBorders>'
        + "".join(f'<w:{s} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                  for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + '</w:tblBorders><w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>'
        '</w:tblCellMar></w:tblPr></w:style>'
    ))


def setup_fonts_theme_settings(doc) -> None:
    part = doc.part
    # Theme: East Asian theme fonts are Chinese (python-docx's default leaves them to ＭＳ 明朝).
    for rel in part.rels.values():
        if rel.reltype == RT.THEME:
            blob = rel.target_part.blob.decode("utf-8")
            blob = blob.replace('<a:ea typeface=""/>', f'<a:ea typeface="{SONGTI}"/>')
            blob = re.sub(r'<a:font script="Jpan" typeface="[^"]*"/>', f'<a:font script="Jpan" typeface="{SONGTI}"/>', blob)
            rel.target_part._blob = blob.encode("utf-8")
        elif rel.reltype == RT.FONT_TABLE:
            fonts = "".join(
                f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/>'
                f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
                for name, alt, family, panose in FONT_TABLE
            )
            fonts += (
                f'<w:font w:name="{LATIN}"><w:panose1 w:val="02020603050405020304"/><w:charset w:val="00"/>'
                '<w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>'
            )
            rel.target_part._blob = (
                "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
                f'<w:fonts {nsdecls("w")}>{fonts}</w:fonts>'
            ).encode("utf-8")
    # Drop parts of python-docx's template that only confuse (old styles copy, thumbnail).
    for rid, rel in list(part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            del part.rels[rid]
    pkg = part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del pkg.rels[rid]
    settings = doc.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    # Chinese line breaking rules and compatibility with the document grid.
    for tag in ("w:defaultTabStop",):
        node = settings.find(qn(tag))
        if node is not None:
            node.set(qn("w:val"), str(2 * CHAR))
    core = doc.core_properties
    core.author = "科协工作台"
    core.last_modified_by = "科协工作台"
    core.comments = "由 scripts/build_templates.py 生成的模板，可在 Word 中编辑；花括号标记为模板变量，说明见 templates/README.md。"
    core.revision = 1
    from datetime import datetime, timezone  # noqa: PLC0415

    fixed = datetime(2024, 1, 1, tzinfo=timezone.utc)
    core.created = fixed
    core.modified = fixed
    core.last_printed = fixed


# ----------------------------------------------------------------------------- page setup


def setup_page(doc, *, landscape: bool = False, grid: bool = True, title: str = "") -> None:
    section = doc.sections[0]
    sect = section._sectPr
    for child in list(sect):
        if child.tag in (qn("w:pgSz"), qn("w:pgMar"), qn("w:cols"), qn("w:docGrid"), qn("w:pgNumType")):
            sect.remove(child)
    if landscape:
        w, h = L_PAGE_W, L_PAGE_H
        top, bottom, left, right = L_MARGIN_TOP, L_MARGIN_BOTTOM, L_MARGIN_LEFT, L_MARGIN_RIGHT
    else:
        w, h = PAGE_W, PAGE_H
        top, bottom, left, right = MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT
    pgsz = el("w:pgSz", w_w=w, w_h=h)
    if landscape:
        pgsz.set(qn("w:orient"), "landscape")
    sect.append(pgsz)
    sect.append(el("w:pgMar", w_top=top, w_right=right, w_bottom=bottom, w_left=left,
                   w_header=HEADER_DIST, w_footer=FOOTER_DIST, w_gutter=0))
    sect.append(el("w:pgNumType", w_start=1))
    sect.append(el("w:cols", w_space=425))
    if grid:
        sect.append(el("w:docGrid", w_type="lines", w_linePitch=LINE_PITCH))
    else:
        sect.append(el("w:docGrid", w_linePitch=312))
    # Odd and even page footers: "— 1 —" on the outer side.
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, "right")
    _page_number_footer(section.even_page_footer, "left")


def _page_number_footer(footer, side: str) -> None:
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]._p
    for child in list(p):
        p.remove(child)
    indent = f'<w:ind w:{side}="{CHAR}"/>'
    p.append(parse_xml(f'<w:pPr {nsdecls("w")}><w:pStyle w:val="GwPageNum"/>{indent}<w:jc w:val="{side}"/></w:pPr>'))
    rpr = f"<w:rPr>{rpr_xml(SONGTI, 14, ascii_=SONGTI)}</w:rPr>"

    def run(inner: str) -> None:
        p.append(parse_xml(f'<w:r {nsdecls("w")}>{rpr}{inner}</w:r>'))

    run('<w:t xml:space="preserve">— </w:t>')
    run('<w:fldChar w:fldCharType="begin"/>')
    run('<w:instrText xml:space="preserve"> PAGE </w:instrText>')
    run('<w:fldChar w:fldCharType="separate"/>')
    run("<w:t>1</w:t>")
    run('<w:fldChar w:fldCharType="end"/>')
    run('<w:t xml:space="preserve"> —</w:t>')


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


# ----------------------------------------------------------------------------- shared blocks


def red_header(b: Body, *, compact: bool = False) -> None:
    """发文机关标志, 发文字号 (with 签发人 when set) and the red separator line.

    The full 版头 (下行文) puts the 发文机关标志 35 mm below the top of the text block, the
    发文字号 two lines below it and the red line 4 mm under the 发文字号. ``compact`` is the
    letter layout (信函格式) used by reminders: the 发文机关标志 at the top of the text block
    with the red line right under it, and the 发文字号, when there is one, below the line at
    the right edge.
    """
    if compact:
        b.p("GwMark", ("{{ issuer_mark }}", {"color": RED}),
            ppr_extra='<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="11" w:color="FF0000"/></w:pBdr>'
                      '<w:spacing w:before="0"/>')
        b.tag("{%p if doc_number %}")
        b.p("GwBody", "{{ doc_number }}", ppr_extra=exact(before=LINE_PITCH // 2)
            + '<w:ind w:firstLine="0" w:firstLineChars="0"/><w:jc w:val="right"/>')
        b.tag("{%p endif %}")
        return
    b.p("GwMark", ("{{ issuer_mark }}", {"color": RED}))
    b.tag("{%p if signer %}")
    b.p("GwNumber", "\t{{ doc_number }}\t签发人：", ("{{ signer }}", {"font": KAITI}),
        ppr_extra=(f'<w:tabs><w:tab w:val="left" w:pos="{CHAR}"/>'
                   f'<w:tab w:val="right" w:pos="{TEXT_W - CHAR}"/></w:tabs><w:jc w:val="left"/>'))
    b.tag("{%p else %}")
    b.p("GwNumber", "{{ doc_number }}")
    b.tag("{%p endif %}")


def signature_block(b: Body, *, note: bool = True) -> None:
    b.p("GwSign", "\t{{ signature }}")
    b.p("GwDate", "\t{{ date }}")
    if note:
        b.tag("{%p if contact_name or contact_phone %}")
        b.p("GwNote", "（联系人：{{ contact_name }}{% if contact_phone %}，联系电话：{{ contact_phone }}{% endif %}"
                      "{% if contact_email %}，电子邮箱：{{ contact_email }}{% endif %}）",
            ppr_extra='<w:jc w:val="left"/>')  # a short last line is never stretched
        b.tag("{%p endif %}")


def attachments_block(b: Body) -> None:
    """附件说明 (GB/T 9704 7.3.5): one line below the text, two characters in, "附件：" and the
    name; several attachments are numbered "1．" "2．" with the numbers one under the other; a
    name that runs over aligns with the first character of the name above (a hanging indent
    with the tab after the number landing on it)."""
    single = f'<w:ind w:left="{5 * CHAR}" w:hanging="{3 * CHAR}"/>'
    numbered_first = f'<w:ind w:left="{7 * CHAR}" w:hanging="{5 * CHAR}"/>'
    numbered_next = f'<w:ind w:left="{7 * CHAR}" w:hanging="{2 * CHAR}"/>'
    b.tag("{%p if attachments|length == 1 %}")
    b.p("GwAttach", "附件：{{ attachments[0] }}", ppr_extra=single)
    b.tag("{%p else %}")
    b.tag("{%p for a in attachments %}")
    b.tag("{%p if loop.first %}")
    b.p("GwAttach", "附件：{{ loop.index }}．\t{{ a }}", ppr_extra=numbered_first)
    b.tag("{%p else %}")
    b.p("GwAttach", "{{ loop.index }}．\t{{ a }}", ppr_extra='<w:spacing w:before="0"/>' + numbered_next)
    b.tag("{%p endif %}")
    b.tag("{%p endfor %}")
    b.tag("{%p endif %}")


# ----------------------------------------------------------------------------- templates


def colophon(b: Body) -> None:
    """版记 (GB/T 9704 7.4): 抄送 and 印发机关/印发日期 between a thick first and last line with a
    thin line between, 4号仿宋 indented one character on both sides, at the bottom of the last page.

    A floating table anchored to the bottom of the text block: its last line is the block's last
    line whatever the length of the body, half a line clear of the text above; when the body ends
    too low to leave it room, the table (with the hairline paragraph it is anchored to) moves to
    a page of its own. LibreOffice makes such a table a frame only when it is placed relative to
    the page horizontally, hence ``horzAnchor="page"`` at the left margin.
    """
    thick = 'w:val="single" w:sz="8" w:space="0" w:color="000000"'
    thin = 'w:val="single" w:sz="6" w:space="0" w:color="000000"'
    tabs = f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_W - 2 * CHAR}"/></w:tabs>'
    rpr = rpr_xml(FANGSONG, 14)

    def row(runs: str, top: str = 'w:val="nil"', bottom: str = 'w:val="nil"', hanging: int = 0) -> str:
        return (f'<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="{LINE_PITCH}" w:hRule="atLeast"/></w:trPr>'
                f'<w:tc><w:tcPr><w:tcW w:w="{TEXT_W}" w:type="dxa"/><w:tcBorders><w:top {top}/>'
                f'<w:left w:val="nil"/><w:bottom {bottom}/><w:right w:val="nil"/></w:tcBorders>'
                f'<w:vAlign w:val="center"/></w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="GwBody"/><w:keepNext/>{tabs}'
                f'<w:spacing w:before="0" w:after="0" w:line="{LINE_PITCH}" w:lineRule="exact"/>'
                f'<w:ind w:left="{CHAR + hanging}" w:right="{CHAR}" w:hanging="{hanging}" w:firstLineChars="0"/></w:pPr>'
                f'{runs}</w:p></w:tc></w:tr>')

    def runs(*parts: str) -> str:
        out = []
        for i, part in enumerate(parts):
            if i:
                out.append(f'<w:r><w:rPr>{rpr}</w:rPr><w:tab/></w:r>')
            out.append(f'<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve">{part}</w:t></w:r>')
        return "".join(out)

    printed = runs("{{ print_org }}", "{{ print_date }}印发")
    xml = (f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblpPr w:leftFromText="0" w:rightFromText="0" '
           f'w:topFromText="{LINE_PITCH // 2}" w:bottomFromText="0" w:vertAnchor="margin" w:horzAnchor="page" '
           f'w:tblpX="{MARGIN_LEFT}" w:tblpYSpec="bottom"/><w:tblOverlap w:val="never"/>'
           f'<w:tblW w:w="{TEXT_W}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
           f'<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'
           f'</w:tblPr><w:tblGrid><w:gridCol w:w="{TEXT_W}"/></w:tblGrid>'
           + row(runs("{%tr if cc %}"))
           + row(runs("抄送：{{ cc }}。"), thick, thin, hanging=3 * 280)  # 回行 under the first name (3 chars of 14 pt)
           + row(printed, thin, thick)
           + row(runs("{%tr else %}"))
           + row(printed, thick, thick)
           + row(runs("{%tr endif %}"))
           + "</w:tbl>")
    b._append(parse_xml(xml))
    # The paragraph the table is anchored to: the body's last, one hairline high.
    b.p("GwBody", ppr_extra='<w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="20" '
                            'w:lineRule="exact"/><w:ind w:firstLine="0" w:firstLineChars="0"/>')


def _collect_sections(b: Body) -> None:
    """征集 (献策, 课题): time, topics, how to report, organisation — each only when it has data."""
    b.tag("{%p if h.time %}")
    b.p("GwH1", "{{ h.time }}{{ headings.time }}")
    b.p("GwBody", "{{ time_text }}")
    b.tag("{%p for ph in phases %}")
    b.p("GwBody", ("{{ ph.label }}{{ ph.name }}", {"font": KAITI}), "{% if ph.period %}（{{ ph.period }}）{% endif %}。{{ ph.work }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endif %}")
    b.tag("{%p if h.topics %}")
    b.p("GwH1", "{{ h.topics }}{{ headings.topics }}")
    b.p("GwBody", "围绕以下{{ topics|length }}个方面征集意见建议：")
    b.tag("{%p for t in topics %}")
    b.p("GwBody", "{{ t.no }}．{{ t.name }}{% if loop.last %}。{% else %}；{% endif %}")
    b.tag("{%p endfor %}")
    b.tag("{%p endif %}")
    b.p("GwH1", "{{ h.requirements }}{{ headings.requirements }}")
    b.p("GwBody", ("（一）报送数量。", {"font": KAITI}), "{{ quota_text }}欢迎其他单位和个人踊跃参与。")
    b.p("GwBody", ("（二）内容要求。", {"font": KAITI}),
        "提出的意见建议应切合实际、具有可操作性，既要提出问题，又要有解决问题的办法和措施"
        "{% if word_limit %}，字数一般在{{ word_limit }}字以内{% endif %}。须注明献策人姓名、工作单位、职务和联系方式。")
    b.tag("{%p if deadline %}")
    b.p("GwBody", ("（三）报送时间。", {"font": KAITI}),
        "请于{{ deadline }}前填写下发的报送表{% if form_ref is defined and form_ref %}（见{{ form_ref }}）{% endif %}，"
        "将电子文档报送{{ department }}。")
    b.tag("{%p endif %}")
    b.p("GwH1", "{{ h.organisation }}{{ headings.organisation }}")
    b.p("GwBody", "{% if leaders %}为加强活动的组织领导，成立活动领导小组。{% for g in leaders %}{{ g.role }}："
                  "{{ g.names }}{% if not loop.last %}；{% endif %}{% endfor %}。{% endif %}"
                  "活动开展情况将作为年终考核的重要内容，{{ organizer }}将对优秀组织单位和先进个人予以表彰。")


def _plan_sections(b: Body) -> None:
    """实施方案 / 工作要点 / 活动方案: guiding text, content, tasks, indicators, steps, requirements."""
    b.tag("{%p if h.guiding %}")
    b.p("GwH1", "{{ h.guiding }}{{ headings.guiding }}")
    b.p("GwBody", "{{ guiding }}")
    b.tag("{%p endif %}")
    b.tag("{%p if h.content %}")
    b.p("GwH1", "{{ h.content }}{{ headings.content }}")
    b.tag("{%p for c in content %}")
    b.p("GwBody", ("{{ c.label }}{{ c.head }}", {"font": KAITI}), "{{ c.text }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endif %}")
    b.tag("{%p if h.tasks %}")
    b.p("GwH1", "{{ h.tasks }}{{ headings.tasks }}")
    b.table(["序号", "任务", "主要内容", "牵头", "配合", "时限"], [600, 2000, 3345, 1100, 1000, 800],
            ["{{ t.seq }}", "{{ t.task }}", "{{ t.content }}", "{{ t.lead }}", "{{ t.support }}", "{{ t.limit }}"],
            "{%tr for t in plan_tasks %}", font_size=10.5, center=(0, 3, 4, 5))
    b.tag("{%p endif %}")
    b.tag("{%p if h.indicators %}")
    b.p("GwH1", "{{ h.indicators }}{{ headings.indicators }}")
    b.table(["序号", "指标", "目标值", "责任部门"], [700, 4345, 2200, 1600],
            ["{{ t.no }}", "{{ t.name }}", "{{ t.target }}", "{{ t.department }}"],
            "{%tr for t in indicators %}", font_size=10.5, center=(0, 2, 3))
    b.tag("{%p endif %}")
    b.tag("{%p if h.steps %}")
    b.p("GwH1", "{{ h.steps }}{{ headings.steps }}")
    b.tag("{%p for ph in phases %}")
    b.p("GwBody", ("{{ ph.label }}{{ ph.name }}", {"font": KAITI}), "{% if ph.period %}（{{ ph.period }}）{% endif %}。{{ ph.work }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endif %}")
    b.tag("{%p if h.plan_requirements %}")
    b.p("GwH1", "{{ h.plan_requirements }}{{ headings.plan_requirements }}")
    b.tag("{%p for c in plan_requirements %}")
    b.p("GwBody", ("{{ c.label }}{{ c.head }}", {"font": KAITI}), "{{ c.text }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endif %}")


def build_notice():
    """红头通知 of every kind of campaign (活动类型): 征集 (seed 000 content, seed 004 layout),
    印发实施方案 / 工作要点 (a short notice, then the plan), 活动方案 (the plan itself)."""
    doc, b = new_document()
    red_header(b)
    title_paragraphs(b, exact(before=2 * LINE_PITCH))
    b.p("GwRecipient", "{{ recipients }}：")
    b.tag('{%p if kind == "征集" %}')
    b.p("GwBody", "{{ intro }}")
    _collect_sections(b)
    attachments_block(b)
    signature_block(b)
    b.tag('{%p elif kind == "活动方案" %}')
    b.p("GwBody", "{{ intro }}")
    _plan_sections(b)
    attachments_block(b)
    signature_block(b)
    b.tag("{%p else %}")
    b.p("GwBody", "{{ cover_text }}")
    attachments_block(b)
    signature_block(b)
    b.page_break()
    b.p("GwTitle", "{{ plan_title }}", ppr_extra=exact(after=LINE_PITCH))
    b.tag("{%p if intro %}")
    b.p("GwBody", "{{ intro }}")
    b.tag("{%p endif %}")
    _plan_sections(b)
    b.tag("{%p endif %}")
    colophon(b)
    return doc


def build_reminder():
    """催报通知: one unit behind its quota (rendered once per unit, merged for printing)."""
    doc, b = new_document()
    red_header(b, compact=True)
    title_paragraphs(b, exact(before=LINE_PITCH))
    b.p("GwRecipient", "{{ unit.name }}：")
    b.p("GwBody", "根据{% if notice_title %}《{{ notice_title }}》{% if notice_number %}（{{ notice_number }}）"
                  "{% endif %}{% else %}{{ campaign }}{% endif %}的要求，贵单位应报送{{ unit.quota }}篇（个）。截至{{ as_of }}，"
                  "贵单位已报送{{ unit.submitted }}篇，其中有效{{ unit.valid }}篇{% if unit.late %}（逾期{{ unit.late }}篇）"
                  "{% endif %}，尚差{{ unit.shortfall }}篇。")
    b.p("GwBody", "请贵单位高度重视，抓紧组织征集，于{{ reply_by }}前将补报材料报送{{ department }}"
                  "{% if contact_name %}（联系人：{{ contact_name }}{% if contact_phone %}，联系电话：{{ contact_phone }}"
                  "{% endif %}）{% endif %}。报送情况将作为年终考核的重要依据。")
    b.tag("{%p if unit.submissions %}")
    b.p("GwBody", "贵单位已报送材料如下：")
    b.table(["序号", "题目", "献策人", "报送日期", "状态"], [700, 4545, 1300, 1400, 900],
            ["{{ it.no }}", "{{ it.title }}", "{{ it.author }}", "{{ it.date }}", "{{ it.status }}"],
            "{%tr for it in unit.submissions %}", font_size=10.5, center=(0, 3, 4))
    b.tag("{%p endif %}")
    left_out_block(b)
    signature_block(b, note=False)
    return doc


def left_out_block(b: Body) -> None:
    """The unit's materials left out of the consolidation, one paragraph each (when any)."""
    b.tag("{%p if unit.left_out is defined and unit.left_out %}")
    b.p("GwBody", "以下材料未予汇总，请修改后重新报送：")
    b.tag("{%p for line in unit.left_out %}")
    b.p("GwBody", "{{ loop.index }}. {{ line }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endif %}")


def build_returns():
    """退改通知: one unit whose materials were left out (rendered per unit, merged for printing)."""
    doc, b = new_document()
    red_header(b, compact=True)
    title_paragraphs(b, exact(before=LINE_PITCH))
    b.p("GwRecipient", "{{ unit.name }}：")
    b.p("GwBody", "贵单位按{% if notice_title %}《{{ notice_title }}》{% else %}{{ campaign }}{% endif %}的要求报送的材料已收到。"
                  "经汇总校验，部分材料不符合要求，未予汇总。")
    left_out_block(b)
    b.p("GwBody", "请贵单位对照上述问题修改后，于{{ reply_by }}前重新报送{{ department }}"
                  "{% if contact_name %}（联系人：{{ contact_name }}{% if contact_phone %}，联系电话：{{ contact_phone }}"
                  "{% endif %}）{% endif %}；重新报送的文件将替代原文件。截至{{ as_of }}，贵单位应报送{{ unit.quota }}篇（个），"
                  "已汇总有效{{ unit.valid }}篇{% if unit.shortfall %}，尚差{{ unit.shortfall }}篇{% endif %}。")
    signature_block(b, note=False)
    return doc


def title_paragraphs(b: Body, first_ppr: str, style: str = "GwTitle") -> None:
    """The title in one paragraph, broken into the lines of ``title_lines`` (回行 keeping words whole)."""
    b.p(style, "{{ title_lines }}", ppr_extra=first_ppr)


def title_block(b: Body, *, recipients: bool = True) -> None:
    title_paragraphs(b, exact(before=LINE_PITCH))
    if recipients:
        b.p("GwRecipient", "{{ recipients }}：")


def build_summary():
    """活动情况汇总报告: totals, completion by category, topics, units short of quota, phases."""
    doc, b = new_document()
    title_block(b)
    b.p("GwBody", "{{ campaign_quoted }}活动自{{ start_date }}启动以来，各单位积极组织、踊跃参与。"
                  "截至{{ as_of }}，共有{{ totals.reporting_units }}个单位报送{{ totals.submitted }}篇（条），"
                  "其中有效{{ totals.valid }}篇，配额完成率{{ totals.completion }}。现将有关情况报告如下：")
    b.p("GwH1", "一、总体情况")
    b.p("GwBody", "本次活动共有{{ totals.units }}个单位承担报送任务，应报{{ totals.quota }}篇，有效报送{{ totals.valid }}篇"
                  "{% if totals.late %}（其中逾期{{ totals.late }}篇）{% endif %}，{{ totals.done_units }}个单位完成配额，"
                  "{{ totals.short_units }}个单位尚未完成，合计差额{{ totals.shortfall }}篇。")
    b.p("GwH1", "二、各类单位完成情况")
    b.p("GwFigure", "{{ charts.completion }}")
    b.p("GwCaption", "图1　各类单位配额完成情况")
    b.table(["单位类别", "单位数", "应报", "实报", "有效", "逾期", "差额", "完成率"],
            [1945, 900, 900, 900, 900, 900, 900, 1500],
            ["{{ c.category }}", "{{ c.units }}", "{{ c.quota }}", "{{ c.submitted }}", "{{ c.valid }}",
             "{{ c.late }}", "{{ c.shortfall }}", "{{ c.completion }}"],
            "{%tr for c in categories %}", font_size=10.5, center=(1, 2, 3, 4, 5, 6, 7))
    b.p("GwH1", "三、主题分布")
    b.p("GwBody", "有效报送涉及{{ topics_covered }}个主题领域（共{{ topics|length }}个）"
                  "{% if top_topic %}，其中“{{ top_topic }}”方面最多{% endif %}。")
    b.p("GwFigure", "{{ charts.topics }}")
    b.p("GwCaption", "图2　各主题领域有效报送数")
    b.p("GwH1", "四、尚未完成配额的单位")
    b.tag("{%p if short_units %}")
    b.table(["单位编号", "单位名称", "单位类别", "应报", "有效", "差额"],
            [1300, 3545, 1800, 700, 700, 800],
            ["{{ u.code }}", "{{ u.name }}", "{{ u.category }}", "{{ u.quota }}", "{{ u.valid }}", "{{ u.shortfall }}"],
            "{%tr for u in short_units %}", font_size=10.5, center=(0, 3, 4, 5))
    b.tag("{%p else %}")
    b.p("GwBody", "各单位均已完成报送配额。")
    b.tag("{%p endif %}")
    b.p("GwH1", "五、工作进度")
    b.p("GwFigure", "{{ charts.timeline }}")
    b.p("GwCaption", "图3　活动阶段安排")
    b.tag("{%p for ph in phases %}")
    b.p("GwBody", ("{{ ph.label }}{{ ph.name }}", {"font": KAITI}), "（{{ ph.period }}）。{{ ph.work }}")
    b.tag("{%p endfor %}")
    b.p("GwH1", "六、下一步工作")
    b.p("GwBody", "一是对尚未完成配额的单位发出催报通知，督促按时补报；二是组织专家对报送材料进行评审，"
                  "择优汇编报送；三是按照考核规则开展年终考核，对优秀组织单位和先进个人予以表彰。")
    signature_block(b, note=False)
    return doc


def build_compilation():
    """计策汇编: every valid item grouped by topic in 主题领域 order, with a table of contents."""
    doc, b = new_document()
    b.p("GwCover", "{{ campaign_quoted }}", ppr_extra='<w:spacing w:before="3402"/>')
    b.p("GwCover", "{{ volume_title }}", ppr_extra='<w:spacing w:before="567"/>')
    b.p("GwMeta", "{{ organizer }}", ppr_extra=exact(before=6 * LINE_PITCH))
    b.p("GwMeta", "{{ date }}")
    b.p("GwTitle", "目　　录", ppr_extra='<w:pageBreakBefore/>' + exact(after=LINE_PITCH))
    b.tag("{%p for g in groups %}")
    b.p("GwToc", ("{{ g.label }}{{ g.name }}（{{ g.count }}篇）", {"font": HEITI}), "\t{{ g.page }}")
    b.tag("{%p for e in g.entries %}")
    b.p("GwToc", "{{ e.no }}．{{ e.title }}\t{{ e.page }}",
        ppr_extra=f'<w:ind w:left="{4 * CHAR}" w:right="{2 * CHAR}" w:hanging="{2 * CHAR}"/>')
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")
    b.tag("{%p if not groups %}")
    b.p("GwBody", "尚无有效的报送材料。")
    b.tag("{%p endif %}")
    b.tag("{%p for g in groups %}")
    b.p("GwH1", "{{ g.label }}{{ g.name }}{{ g.anchor }}", ppr_extra='<w:pageBreakBefore/>')
    b.tag("{%p for e in g.entries %}")
    b.p("GwItemTitle", "{{ e.title }}{{ e.anchor }}")
    b.p("GwMeta", "献策人：{{ e.author }}{% if e.post %}（{{ e.post }}）{% endif %}　工作单位：{{ e.org }}")
    b.p("GwMeta", "报送单位：{{ e.unit }}　报送日期：{{ e.date }}", ppr_extra=exact(after=LINE_PITCH // 2))
    b.tag("{%p for para in e.paragraphs %}")
    b.p("GwBody", "{{ para }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")
    return doc


def build_assessment():
    """考核结果与表彰名单: scores, ranks, 等次, 优秀组织单位, 先进个人."""
    doc, b = new_document()
    b.tag("{%p if draft %}")
    b.p("GwNumber", ("草稿　（考核项目尚未评完，未经确认，请勿印发）", {"color": RED, "font": HEITI}),
        ppr_extra='<w:jc w:val="left"/>')
    b.tag("{%p endif %}")
    title_block(b)
    b.p("GwBody", "根据{{ campaign_quoted }}活动考核规则，对{{ results|length }}个承担报送任务的单位进行了考核。"
                  "考核项目及权重为：{% for r in rules %}{{ r.item }}{{ r.weight }}%{% if not loop.last %}、{% endif %}"
                  "{% endfor %}。现将考核结果和表彰名单公布如下：")
    b.p("GwH1", "一、考核结果")
    b.table(["名次", "单位名称", "单位类别", "应报", "有效", "逾期", "总分", "等次"],
            [600, 3045, 1500, 600, 600, 600, 850, 1050],
            ["{{ r.rank }}", "{{ r.unit }}", "{{ r.category }}", "{{ r.quota }}", "{{ r.valid }}", "{{ r.late }}",
             "{{ r.score }}", "{{ r.grade }}"],
            "{%tr for r in results %}", font_size=10.5, center=(0, 3, 4, 5, 6, 7))
    b.tag("{%p if unscored %}")
    b.p("GwBody", "说明：{% for u in unscored %}“{{ u.item }}”（权重{{ u.weight }}%）{% if not loop.last %}、{% endif %}"
                  "{% endfor %}尚未评分，暂按0分计入总分，评分完成后考核结果将相应调整。", ppr_extra=exact(before=LINE_PITCH // 2))
    b.tag("{%p endif %}")
    b.p("GwH1", "二、优秀组织单位")
    b.tag("{%p if excellent_units %}")
    b.p("GwBody", "完成报送配额且考核等次达到{{ commend_grade }}及以上的单位，按总分排名评选优秀组织单位："
                  "{% for u in excellent_units %}{{ u.name }}{% if not loop.last %}、{% endif %}{% endfor %}"
                  "（共{{ excellent_units|length }}个）。")
    b.tag("{%p else %}")
    b.p("GwBody", "本次考核暂无完成报送配额且等次达到{{ commend_grade }}及以上的单位，暂不评选优秀组织单位。")
    b.tag("{%p endif %}")
    b.p("GwH1", "三、先进个人")
    b.tag("{%p if individuals %}")
    b.table(["序号", "姓名", "工作单位", "采纳计策"], [600, 1100, 3045, 4100],
            ["{{ loop.index }}", "{{ i.name }}", "{{ i.org }}", "{{ i.titles }}"],
            "{%tr for i in individuals %}", font_size=10.5, center=(0,))
    b.tag("{%p else %}")
    b.p("GwBody", "本次活动暂无被采纳的计策，先进个人待评审后确定。")
    b.tag("{%p endif %}")
    signature_block(b, note=False)
    return doc


def build_tasks():
    """任务分工表 (landscape): tasks with 牵头 and 配合 departments, dates, status."""
    doc, b = new_document(landscape=True, grid=False)
    title_paragraphs(b, exact(after=LINE_PITCH // 2))
    b.p("GwMeta", "（截至{{ as_of }}，共{{ tasks|length }}项任务，已完成{{ done }}项，逾期{{ overdue }}项）",
        ppr_extra=exact(after=LINE_PITCH // 2))
    b.table(["序号", "任务", "主要内容", "牵头部门", "配合部门", "起止日期", "状态", "进展说明"],
            [650, 2300, 3600, 1200, 1700, 1300, 900, 1220],
            ["{{ t.seq }}", "{{ t.task }}", "{{ t.content }}", "{{ t.lead }}", "{{ t.support }}", "{{ t.period }}",
             "{{ t.status }}{% if t.overdue %}（逾期）{% endif %}", "{{ t.progress }}"],
            "{%tr for t in tasks %}", font_size=10.5, center=(0, 5, 6))
    b.p("GwH1", "各部门承担任务情况", ppr_extra=exact(before=LINE_PITCH // 2) + '<w:ind w:firstLine="0" w:firstLineChars="0"/>')
    b.table(["部门", "牵头任务数", "配合任务数", "合计"], [3000, 2000, 2000, 2000],
            ["{{ d.department }}", "{{ d.lead }}", "{{ d.support }}", "{{ d.total }}"],
            "{%tr for d in loads %}", center=(1, 2, 3))
    return doc


def build_targets():
    """指标完成情况: numeric targets against actuals, direction-aware completion."""
    doc, b = new_document()
    title_block(b, recipients=False)
    b.p("GwBody", "截至{{ as_of }}，{{ campaign }}共设{{ targets|length }}项量化指标，已完成{{ done }}项"
                  "{% if not_done %}，尚未完成{{ not_done }}项{% endif %}。具体情况如下：")
    b.table(["序号", "指标", "目标", "实际", "完成率", "状态", "责任部门"],
            [600, 2645, 1400, 1400, 1000, 800, 1000],
            ["{{ t.no }}", "{{ t.name }}", "{{ t.target }}", "{{ t.actual }}", "{{ t.completion }}", "{{ t.status }}",
             "{{ t.department }}"],
            "{%tr for t in targets %}", font_size=10.5, center=(0, 2, 3, 4, 5))
    b.tag("{%p if periods %}")
    b.p("GwBody", "各期累计完成情况如下：", ppr_extra=exact(before=LINE_PITCH // 2))
    b.table(["指标", "期次", "累计值", "完成率", "报送部门"], [3445, 1800, 1300, 1100, 1200],
            ["{{ p.name }}", "{{ p.period }}", "{{ p.value }}", "{{ p.completion }}", "{{ p.department }}"],
            "{%tr for p in periods %}", font_size=10.5, center=(1, 2, 3, 4))
    b.tag("{%p endif %}")
    b.tag("{%p if not_done %}")
    b.p("GwBody", "尚未完成的指标：{{ pending_text }}。请责任部门抓紧推进，确保年度目标全面完成。",
        ppr_extra=exact(before=LINE_PITCH))
    b.tag("{%p endif %}")
    signature_block(b, note=False)
    return doc


def build_review():
    """评审结果汇总表 (landscape): every scored entry with its scores, rank, 复议 flag and award."""
    doc, b = new_document(landscape=True, grid=False)
    b.p("GwTitle", "{{ title }}", ppr_extra=exact(after=LINE_PITCH // 2))
    b.p("GwMeta", "（评审专家{{ experts }}位，每项{{ per_entry }}位专家评审；计分方式：{{ method }}；"
                  "标准化：{{ normalized }}；已评{{ entries }}项{% if unscored %}，未评完{{ unscored }}项{% endif %}"
                  "{% if recheck %}，需复议{{ recheck }}项{% endif %}）", ppr_extra=exact(after=LINE_PITCH // 2))
    b.tag("{%p if results %}")
    b.table(["名次", "编号", "题目", "报送单位", "人数", "各专家评分", "平均分", "去掉最高最低", "标准化", "最终得分",
             "分差", "复议", "奖项"],
            [600, 1000, 2000, 1450, 550, 2300, 800, 800, 700, 800, 650, 500, 720],
            ["{{ r.rank }}", "{{ r.item_id }}", "{{ r.title }}", "{{ r.unit }}", "{{ r.count }}", "{{ r.scores }}",
             "{{ r.mean }}", "{{ r.trimmed }}", "{{ r.normalized }}", "{{ r.final }}", "{{ r.spread }}",
             "{{ r.recheck }}", "{{ r.award }}"],
            "{%tr for r in results %}", font_size=9, center=(0, 1, 4, 6, 7, 8, 9, 10, 11, 12))
    b.tag("{%p else %}")
    b.p("GwBody", "尚未收到评审专家的评分。")
    b.tag("{%p endif %}")
    return doc


def build_awards():
    """获奖名单通报 (GB/T 9704 版头): the award levels and their entries."""
    doc, b = new_document()
    red_header(b)
    title_paragraphs(b, exact(before=2 * LINE_PITCH))
    b.p("GwRecipient", "{{ recipients }}：")
    b.tag("{%p if levels %}")
    b.p("GwBody", "{{ campaign_quoted }}活动开展以来，各单位积极组织、踊跃参与。经{{ experts }}位评审专家评审，"
                  "从{{ entries }}项参评成果中评出{{ summary }}，共{{ total }}项。现将获奖名单通报如下：")
    b.tag("{%p for lv in levels %}")
    b.p("GwH1", "{{ lv.label }}")
    b.table(["序号", "题目", "献策人", "工作单位"], [600, 4300, 1100, 2845],
            ["{{ e.no }}", "{{ e.title }}", "{{ e.people }}", "{{ e.org }}"],
            "{%tr for e in lv.entries %}", font_size=10.5, center=(0, 2))
    b.tag("{%p endfor %}")
    b.p("GwBody", "希望受到表彰的同志珍惜荣誉、再接再厉，广大科技工作者以他们为榜样，积极建言献策，"
                  "为经济社会发展作出新的更大贡献。", ppr_extra=exact(before=LINE_PITCH))
    b.tag("{%p else %}")
    b.p("GwBody", "{{ campaign_quoted }}活动的评审尚未结束，获奖名单将另行通报。")
    b.tag("{%p endif %}")
    signature_block(b, note=False)
    return doc


def build_pledges():
    """承诺公示表: each 部室's 目标任务, 具体措施, 完成时限 and 责任人 (定目标亮承诺, seed 002), and the 部室
    that have not yet pledged."""
    doc, b = new_document()
    title_block(b, recipients=False)
    b.tag("{%p if pledges %}")
    b.p("GwBody", "按照{{ campaign_quoted }}活动安排，{{ departments }}个部室围绕各自的目标任务作出承诺，"
                  "现将承诺内容公示如下，接受监督：")
    b.table(["序号", "部室", "目标任务", "具体措施", "完成时限", "责任人"], [600, 1200, 2900, 2345, 1000, 800],
            ["{{ p.no }}", "{{ p.department }}", "{{ p.goal }}", "{{ p.measures }}", "{{ p.due }}", "{{ p.owner }}"],
            "{%tr for p in pledges %}", font_size=10.5, center=(0, 1, 4, 5))
    b.tag("{%p if missing %}")
    b.p("GwBody", "尚未提交承诺的部室：{{ missing|join('、') }}。")
    b.tag("{%p endif %}")
    b.tag("{%p else %}")
    b.p("GwBody", "各部室尚未提交承诺。")
    b.tag("{%p endif %}")
    signature_block(b, note=False)
    return doc


TEMPLATES: dict[str, Callable] = {
    "notice": build_notice,
    "summary": build_summary,
    "reminders": build_reminder,
    "compilation": build_compilation,
    "assessment": build_assessment,
    "tasks": build_tasks,
    "targets": build_targets,
    "review": build_review,
    "awards": build_awards,
    "returns": build_returns,
    "pledges": build_pledges,
}

# ----------------------------------------------------------------------------- output


def to_bytes(doc) -> bytes:
    """Serialise deterministically: fixed timestamps, stable part order."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        names = zin.namelist()
        ordered = ["[Content_Types].xml"] + sorted(n for n in names if n != "[Content_Types].xml")
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, zin.read(name))
    return out.getvalue()


def build_all(names: Iterable[str] | None = None) -> dict[str, bytes]:
    selected = list(names) if names else list(TEMPLATES)
    return {name: to_bytes(TEMPLATES[name]()) for name in selected}


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def stale_templates(directory: Path = TEMPLATES_DIR) -> list[str]:
    """Names of templates whose committed file differs from what this script builds."""
    stale = []
    for name, data in build_all().items():
        path = directory / f"{name}.docx"
        if not path.is_file() or parts_of(path.read_bytes()) != parts_of(data):
            stale.append(name)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the committed templates are up to date")
    parser.add_argument("--out", type=Path, default=TEMPLATES_DIR)
    parser.add_argument("names", nargs="*", help="templates to build (default: all)")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_templates(args.out)
        for name in stale:
            print(f"stale: {args.out / (name + '.docx')}", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in build_all(args.names or None).items():
        path = args.out / f"{name}.docx"
        path.write_bytes(data)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

