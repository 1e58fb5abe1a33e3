"""Campaign presets built from the seed documents (tests/seeds/), as plain data.

``preset(name)`` returns the settings and table rows that ``kexie new --preset`` lays into a new
workbook (the demo campaign built from them lives in ``macros.demo.campaign``). Row dicts use the
schema's column keys.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from typing import Any

PRESETS = ("献策", "课题", "任务", "指标")


@dataclass
class CampaignData:
    settings: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


# --- seed 000: Dandong 献策“十二五” ------------------------------------------------------------

DANDONG_TOPICS = (
    "沿江沿海经济区建设，主要是丹东新区、东港经济开发区、前阳经济开发区、大孤山经济区以及其它各类园区",
    "提升开发开放水平",
    "区域经济合作",
    "转变经济发展方式，加快产业结构优化调整",
    "培育壮大主导产业和产业集群，培育有竞争力的大型企业集团，发展非公有制经济和中小企业",
    "大力发展现代服务业",
    "县域和城区经济发展",
    "大力发展现代农业",
    "推进新农村建设",
    "重大项目谋划",
    "加强基础设施建设",
    "加强城市建设和管理",
    "推进城市化进程",
    "建设资源节约型和环境友好型社会",
    "积极拓宽融资渠道",
    "深化重点领域改革",
    "加强人才队伍建设，提高自主创新能力",
    "转变政府职能，提高公共服务水平",
    "提高城乡居民收入",
    "改善民生，构建和谐社会",
)

DANDONG_SETTINGS = {
    "campaign_name": "献策“十二五”，建设新丹东",
    "organizer": "丹东市科学技术协会",
    "department": "学会部",
    "start_date": date(2010, 9, 1),
    "deadline": date(2010, 10, 20),
    "word_limit": 3000,
    "issuer_mark": "丹东市科学技术协会文件",
    "doc_number": "丹科协发〔2010〕18号",  # sample: seed 000 gives no document number
    "signer": "方龙田",
    "doc_date": date(2010, 8, 30),
    "notice_title": "关于开展“献策‘十二五’，建设新丹东”活动的通知",
    "recipients": "各市级学会，各县（市）区科协，各企事业科协，市老科协，市科协直属事业单位",
    "attachments": "丹东市科协开展“献策‘十二五’，建设新丹东”活动实施方案",
    "contact": "刘勇",
    "phone": "2127152",
    "email": "ddkxxhb@163.com",
    "excellent_units": 5,
}

DANDONG_LEADERS = [
    {"name": "方龙田", "org": "丹东市科协", "post": "党组书记、主席", "role": "组长"},
    {"name": "孙同成", "org": "丹东市科协", "post": "副主席", "role": "副组长"},
    {"name": "王培武", "org": "丹东市科协", "post": "副主席", "role": "副组长"},
]

DANDONG_PHASES = [
    {"phase": "宣传发动阶段", "start": date(2010, 9, 1), "end": date(2010, 9, 10),
     "work": "制定并下发《活动方案》，召开专题会议进行动员部署，推动各市级学会、县（市）区科协、老科协、"
             "企事业科协及直属事业单位制定活动计划，做好宣传发动工作", "department": "学会部"},
    {"phase": "组织实施和计策信息整理、上报阶段", "start": date(2010, 9, 1), "end": date(2010, 10, 20),
     "work": "组织广大科技工作者和科协干部职工深入开展调查研究，提出计策；市科协学会部在10月20日前"
             "对征集的计策、信息进行归纳整理，报送市献策办公室", "department": "学会部"},
]

# Seed 000: 各市级学会、县（市）区科协、企事业科协征集的计策不少于3个; 老科协 and 直属事业单位 take
# part without a quota; 高校科协 and 机关部室 are not asked.
DANDONG_QUOTAS = [
    {"category": "市级学会", "min_items": 3, "assessed": "是"},
    {"category": "县(市)区科协", "min_items": 3, "assessed": "是"},
    {"category": "企事业科协", "min_items": 3, "assessed": "是"},
    {"category": "高校科协", "min_items": 0, "assessed": "否"},
    {"category": "老科协", "min_items": 0, "assessed": "否"},
    {"category": "直属事业单位", "min_items": 0, "assessed": "否"},
    {"category": "机关部室", "min_items": 0, "assessed": "否"},
]

DEFAULT_SCORING = [
    {"item": "报送数量", "weight": 40, "method": "数量", "note": "有效条数 ÷ 应报条数，最高按100%计"},
    {"item": "报送及时", "weight": 20, "method": "及时", "note": "截止日期当天及以前报送的条数占比"},
    {"item": "计策质量", "weight": 25, "method": "质量", "note": "工作人员评分（0–100分）的平均分"},
    {"item": "采纳情况", "weight": 15, "method": "采纳", "note": "被采纳条数 ÷ 应报条数，最高按100%计"},
]

# 评审标准 of a new workbook (staff edit it; an empty table means one criterion 总分 out of 100).
DEFAULT_CRITERIA = [
    {"criterion": "针对性", "max_points": 30, "note": "切合本地发展的实际问题，问题分析准确"},
    {"criterion": "可行性", "max_points": 30, "note": "措施具体，条件具备，可操作、可落实"},
    {"criterion": "创新性", "max_points": 20, "note": "思路新颖，有独到见解"},
    {"criterion": "规范性", "max_points": 20, "note": "结构完整，表述清楚，数据可靠"},
]

DEFAULT_GRADES = [
    {"grade": "优秀", "min_score": 90},
    {"grade": "良好", "min_score": 75},
    {"grade": "合格", "min_score": 60},
    {"grade": "不合格", "min_score": 0},
]

# --- seed 004: Baoding 国庆70周年, 11 tasks --------------------------------------------------

_TASK_LINE = re.compile(r"^(\d+)\.(.+?)。(.*)\((.+?)牵头，(.+?)配合\)$")


def baoding_tasks(start: date = date(2019, 9, 2), due: date = date(2019, 10, 16)) -> list[dict[str, Any]]:
    """The 11 tasks of seed 004 with 牵头 and 配合 as written ("其他部室" kept as is).

    Seed 004 gives no per-task dates, only the notice date and "materials within 15 days after
    the activity"; ``start`` and ``due`` place the tasks in the campaign that uses them.
    """
    text = resources.files("macros.data").joinpath("seed004_tasks.txt").read_text(encoding="utf-8")
    tasks = []
    statuses = ["已完成", "已完成", "已完成", "进行中", "已完成", "进行中", "进行中", "已完成",
                "进行中", "未开始", "进行中"]
    for line in filter(None, (l.strip() for l in text.splitlines())):
        m = _TASK_LINE.match(line)
        if not m:
            raise ValueError(f"unreadable task line: {line[:30]}")
        seq = int(m.group(1))
        tasks.append({
            "seq": seq, "task": m.group(2), "content": m.group(3), "lead": m.group(4),
            "support": m.group(5),
            "start": start, "due": due,
            "status": statuses[seq - 1], "progress": None,
            "materials_date": due - timedelta(days=4) if statuses[seq - 1] == "已完成" else None,
        })
    return tasks


BAODING_SETTINGS = {
    "campaign_name": "保定市科协庆祝中华人民共和国成立70周年活动",
    "organizer": "保定市科学技术协会",
    "department": "组宣部",
    "start_date": date(2019, 9, 2),
    "deadline": date(2019, 10, 16),  # 活动结束后15日内报送材料
    "issuer_mark": "保定市科学技术协会文件",
    "doc_number": "市科协〔2019〕47号",
    "signer": "孙增军",
    "doc_date": date(2019, 9, 2),
    "notice_title": "关于印发《保定市科协庆祝中华人民共和国成立70周年活动实施方案》的通知",
    "recipients": "各县(市、区)科协，各市级学会(协会、研究会)，大学科协，企业科协，机关各部室，下属事业单位",
    "attachments": "《保定市科协庆祝中华人民共和国成立70周年活动实施方案》",
}
BAODING_DEPARTMENTS = ("组宣部", "党总支", "创新办", "学企部", "普及部", "办公室", "改革办")

# --- seed 003: Leshan 工作要点, six numeric targets ------------------------------------------

LESHAN_TARGETS = [
    {"name": "青少年科技创新大赛获奖", "target": 60, "unit": "个", "compare": "≥", "actual": 64, "department": "普及部"},
    {"name": "接受科普宣传群众", "target": 200000, "unit": "人次", "compare": "≥", "actual": 215000, "department": "普及部"},
    {"name": "新发展农技协", "target": 10, "unit": "个", "compare": "≥", "actual": 8, "department": "普及部"},
    {"name": "完成站、栏、员建设", "target": 20, "unit": "个", "compare": "≥", "actual": 20, "department": "普及部"},
    {"name": "争取中央、省财政资金", "target": 100, "unit": "万元", "compare": "≥", "actual": 120, "department": "办公室"},
    {"name": "市内高校新建科协组织", "target": 1, "unit": "个", "compare": "≥", "actual": 1, "department": "学企部"},
]
LESHAN_SETTINGS = {
    "campaign_name": "乐山市科协年度工作要点",
    "organizer": "乐山市科学技术协会",
    "department": "办公室",
}

# --- seed 001: Chengdu 十三五 research ------------------------------------------------------

CHENGDU_TOPICS = (
    "如何在改革创新中进一步提升学会、协会的组织能力",
    "怎样加快推进科普信息化",
    "怎样更有效地弘扬科学精神、科学道德和优良学风",
    "怎样在改革中加强基层组织建设",
    "怎样提升科技思想库的水平",
    "怎样在改善科协工作条件、强化工作手段、增强工作能力方面争取更大的支持",
    "怎样在科技人才队伍建设中增强科协的话语权和主导权",
    "怎样在科技评估中唱主角",
    "怎样在推进企业技术创新、服务经济和地方发展中发挥更重要的作用",
)
CHENGDU_PHASES = [
    {"phase": "部署阶段", "start": date(2015, 5, 15), "end": date(2015, 5, 25),
     "work": "面向科协所属团体征集“十三五”规划前期研究重大课题，制定前期研究工作方案、拟定前期研究课题并报党组审定",
     "department": "办公室"},
    {"phase": "研究阶段", "start": date(2015, 5, 25), "end": date(2015, 6, 15),
     "work": "遴选课题启动研究，承担单位通过实地调研、专家座谈、查阅文献等方式开展课题研究，6月15日前上交研究成果",
     "department": "办公室"},
    {"phase": "规划编撰", "start": date(2015, 6, 15), "end": date(2015, 6, 25),
     "work": "“十三五”规划编撰小组完成规划纲要起草，报党组审定，6月底前提交定稿报四川省科协", "department": "办公室"},
    {"phase": "规划征求意见、发布", "start": date(2015, 7, 1), "end": date(2015, 12, 31),
     "work": "9月底前完成征求科协系统、有关部门意见；12月底报市科协党组，并提交常委会审议", "department": "办公室"},
]
CHENGDU_LEADERS = [
    {"name": "陈海元", "org": "成都市科协", "role": "组长"},
    {"name": "卢晓东", "org": "成都市科协", "role": "副组长"},
    {"name": "周光志", "org": "成都市科协", "role": "副组长"},
    {"name": "王振飞", "org": "成都市科协", "role": "副组长"},
]
CHENGDU_SETTINGS = {
    "campaign_name": "成都市科协事业发展“十三五”规划研究与编制",
    "organizer": "成都市科学技术协会",
    "department": "办公室",
    "start_date": date(2015, 5, 15),
    "deadline": date(2015, 6, 15),
}


def _topics(topics) -> list[dict[str, Any]]:
    return [{"code": i, "topic": t} for i, t in enumerate(topics, start=1)]


def _departments(names) -> list[dict[str, Any]]:
    return [{"code": f"JG{i:02d}", "name": n, "category": "机关部室", "quota": None, "weight": 1}
            for i, n in enumerate(names, start=1)]


def base_campaign() -> CampaignData:
    """What every new workbook holds: a fresh campaign id and the default rules."""
    quotas = [{**q, "min_items": 0, "assessed": "否"} for q in DANDONG_QUOTAS]
    return CampaignData(
        settings={"campaign_id": uuid.uuid4().hex[:12], "word_limit": None, "excellent_units": 5},
        tables={"quota_rules": quotas, "scoring_rules": list(DEFAULT_SCORING),
                "grades": list(DEFAULT_GRADES), "criteria": list(DEFAULT_CRITERIA)},
    )


def preset(name: str | None) -> CampaignData:
    data = base_campaign()
    if name is None:
        return data
    if name == "献策":
        data.settings.update(DANDONG_SETTINGS)
        data.tables.update(quota_rules=list(DANDONG_QUOTAS), topics=_topics(DANDONG_TOPICS),
                           leaders=list(DANDONG_LEADERS), phases=list(DANDONG_PHASES))
    elif name == "课题":
        data.settings.update(CHENGDU_SETTINGS)
        data.tables.update(topics=_topics(CHENGDU_TOPICS), leaders=list(CHENGDU_LEADERS),
                           phases=list(CHENGDU_PHASES))
    elif name == "任务":
        data.settings.update(BAODING_SETTINGS)
        data.tables.update(tasks=baoding_tasks(), units=_departments(BAODING_DEPARTMENTS))
    elif name == "指标":
        data.settings.update(LESHAN_SETTINGS)
        data.tables.update(targets=list(LESHAN_TARGETS))
    else:
        raise KeyError(name)
    return data
