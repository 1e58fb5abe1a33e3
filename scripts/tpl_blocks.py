"""The blocks official documents share (used by build_templates.py): the 版头 (red header), the
title, the signature, the 附件 list, the 版记 (colophon) and the campaign sections."""

from __future__ import annotations


from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from tpl_body import Body
from tpl_styles import CHAR, FANGSONG, KAITI, LINE_PITCH, MARGIN_LEFT, RED, TEXT_W, exact, rpr_xml

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
    with b.each("a in attachments"):
        b.tag("{%p if loop.first %}")
        b.p("GwAttach", "附件：{{ loop.index }}．\t{{ a }}", ppr_extra=numbered_first)
        b.tag("{%p else %}")
        b.p("GwAttach", "{{ loop.index }}．\t{{ a }}", ppr_extra='<w:spacing w:before="0"/>' + numbered_next)
        b.tag("{%p endif %}")
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


def _phases(b: Body) -> None:
    """The campaign's phases, one paragraph each: 楷体 label and name, period, work."""
    with b.each("ph in phases"):
        b.p("GwBody", ("{{ ph.label }}{{ ph.name }}", {"font": KAITI}), "{% if ph.period %}（{{ ph.period }}）{% endif %}。{{ ph.work }}")


def _headed_items(b: Body, items: str) -> None:
    """Items with a 楷体 label and head before their text (方案 content, requirements)."""
    with b.each(f"c in {items}"):
        b.p("GwBody", ("{{ c.label }}{{ c.head }}", {"font": KAITI}), "{{ c.text }}")


def collect_sections(b: Body) -> None:
    """征集 (献策, 课题): time, topics, how to report, organisation — each only when it has data."""
    with b.section("time"):
        b.p("GwBody", "{{ time_text }}")
        _phases(b)
    with b.section("topics"):
        b.p("GwBody", "围绕以下{{ topics|length }}个方面征集意见建议：")
        with b.each("t in topics"):
            b.p("GwBody", "{{ t.no }}．{{ t.name }}{% if loop.last %}。{% else %}；{% endif %}")
    with b.section("requirements", optional=False):
        b.p("GwBody", ("（一）报送数量。", {"font": KAITI}), "{{ quota_text }}欢迎其他单位和个人踊跃参与。")
        b.p("GwBody", ("（二）内容要求。", {"font": KAITI}),
            "提出的意见建议应切合实际、具有可操作性，既要提出问题，又要有解决问题的办法和措施"
            "{% if word_limit %}，字数一般在{{ word_limit }}字以内{% endif %}。须注明献策人姓名、工作单位、职务和联系方式。")
        b.tag("{%p if deadline %}")
        b.p("GwBody", ("（三）报送时间。", {"font": KAITI}),
            "请于{{ deadline }}前填写下发的报送表{% if form_ref is defined and form_ref %}（见{{ form_ref }}）{% endif %}，"
            "将电子文档报送{{ department }}。")
        b.tag("{%p endif %}")
    with b.section("organisation", optional=False):
        b.p("GwBody", "{% if leaders %}为加强活动的组织领导，成立活动领导小组。{% for g in leaders %}{{ g.role }}："
                      "{{ g.names }}{% if not loop.last %}；{% endif %}{% endfor %}。{% endif %}"
                      "活动开展情况将作为年终考核的重要内容，{{ organizer }}将对优秀组织单位和先进个人予以表彰。")


def plan_sections(b: Body) -> None:
    """实施方案 / 工作要点 / 活动方案: guiding text, content, tasks, indicators, steps, requirements."""
    with b.section("guiding"):
        b.p("GwBody", "{{ guiding }}")
    with b.section("content"):
        _headed_items(b, "content")
    with b.section("tasks"):
        b.table(["序号", "任务", "主要内容", "牵头", "配合", "时限"], [600, 2000, 3345, 1100, 1000, 800],
                ["{{ t.seq }}", "{{ t.task }}", "{{ t.content }}", "{{ t.lead }}", "{{ t.support }}", "{{ t.limit }}"],
                "{%tr for t in plan_tasks %}", font_size=10.5, center=(0, 3, 4, 5))
    with b.section("indicators"):
        b.table(["序号", "指标", "目标值", "责任部门"], [700, 4345, 2200, 1600],
                ["{{ t.no }}", "{{ t.name }}", "{{ t.target }}", "{{ t.department }}"],
                "{%tr for t in indicators %}", font_size=10.5, center=(0, 2, 3))
    with b.section("steps"):
        _phases(b)
    with b.section("plan_requirements"):
        _headed_items(b, "plan_requirements")


def left_out_block(b: Body) -> None:
    """The unit's materials left out of the consolidation, one paragraph each (when any)."""
    b.tag("{%p if unit.left_out is defined and unit.left_out %}")
    b.p("GwBody", "以下材料未予汇总，请修改后重新报送：")
    with b.each("line in unit.left_out"):
        b.p("GwBody", "{{ loop.index }}. {{ line }}")
    b.tag("{%p endif %}")


def title_paragraphs(b: Body, first_ppr: str, style: str = "GwTitle") -> None:
    """The title in one paragraph, broken into the lines of ``title_lines`` (回行 keeping words whole)."""
    b.p(style, "{{ title_lines }}", ppr_extra=first_ppr)


def title_block(b: Body, *, recipients: bool = True) -> None:
    title_paragraphs(b, exact(before=LINE_PITCH))
    if recipients:
        b.p("GwRecipient", "{{ recipients }}：")
