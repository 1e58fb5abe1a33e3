"""GB/T 9704 page, fonts and paragraph styles of the Word templates (used by build_templates.py):
the measures of the page and its grid, the font names, the official styles, page setup and
page-number footers."""

from __future__ import annotations

import re

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

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
