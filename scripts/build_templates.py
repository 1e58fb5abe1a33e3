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

This file holds one builder per document and the command line; the page, fonts and styles are in
``tpl_styles.py``, the body writer in ``tpl_body.py`` and the blocks official documents share in
``tpl_blocks.py`` beside it.
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the tpl_* modules beside this file, however it is loaded
from tpl_blocks import (  # noqa: E402
    attachments_block, collect_sections, colophon, left_out_block, plan_sections, red_header, signature_block,
    title_block, title_paragraphs,
)
from tpl_body import new_document  # noqa: E402
from tpl_styles import CHAR, HEITI, KAITI, LINE_PITCH, RED, ZIP_DATE, exact  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates"  # installed as package data macros.resources.templates


def build_notice():
    """红头通知 of every kind of campaign (活动类型): 征集 (seed 000 content, seed 004 layout),
    印发实施方案 / 工作要点 (a short notice, then the plan), 活动方案 (the plan itself)."""
    doc, b = new_document()
    red_header(b)
    title_paragraphs(b, exact(before=2 * LINE_PITCH))
    b.p("GwRecipient", "{{ recipients }}：")
    b.tag('{%p if kind == "征集" %}')
    b.p("GwBody", "{{ intro }}")
    collect_sections(b)
    attachments_block(b)
    signature_block(b)
    b.tag('{%p elif kind == "活动方案" %}')
    b.p("GwBody", "{{ intro }}")
    plan_sections(b)
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
    plan_sections(b)
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
    with b.each("ph in phases"):
        b.p("GwBody", ("{{ ph.label }}{{ ph.name }}", {"font": KAITI}), "（{{ ph.period }}）。{{ ph.work }}")
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
    with b.each("g in groups"):
        b.p("GwToc", ("{{ g.label }}{{ g.name }}（{{ g.count }}篇）", {"font": HEITI}), "\t{{ g.page }}")
        with b.each("e in g.entries"):
            b.p("GwToc", "{{ e.no }}．{{ e.title }}\t{{ e.page }}",
                ppr_extra=f'<w:ind w:left="{4 * CHAR}" w:right="{2 * CHAR}" w:hanging="{2 * CHAR}"/>')
    b.tag("{%p if not groups %}")
    b.p("GwBody", "尚无有效的报送材料。")
    b.tag("{%p endif %}")
    with b.each("g in groups"):
        b.p("GwH1", "{{ g.label }}{{ g.name }}{{ g.anchor }}", ppr_extra='<w:pageBreakBefore/>')
        with b.each("e in g.entries"):
            b.p("GwItemTitle", "{{ e.title }}{{ e.anchor }}")
            b.p("GwMeta", "献策人：{{ e.author }}{% if e.post %}（{{ e.post }}）{% endif %}　工作单位：{{ e.org }}")
            b.p("GwMeta", "报送单位：{{ e.unit }}　报送日期：{{ e.date }}", ppr_extra=exact(after=LINE_PITCH // 2))
            with b.each("para in e.paragraphs"):
                b.p("GwBody", "{{ para }}")
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
    with b.each("lv in levels"):
        b.p("GwH1", "{{ lv.label }}")
        b.table(["序号", "题目", "献策人", "工作单位"], [600, 4300, 1100, 2845],
                ["{{ e.no }}", "{{ e.title }}", "{{ e.people }}", "{{ e.org }}"],
                "{%tr for e in lv.entries %}", font_size=10.5, center=(0, 2))
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

