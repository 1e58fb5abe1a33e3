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

PRESETS = ("献策", "课题", "任务", "指标", "三比一争当")


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


def baoding_tasks(start: date = date(2019, 9, 2), due: date = date(2019, 10, 16),
                  statuses: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """The 11 tasks of seed 004 with 牵头 and 配合 as written ("其他部室" kept as is).

    Seed 004 gives no per-task dates, only the notice date and "materials within 15 days after
    the activity"; ``start`` and ``due`` place the tasks in the campaign that uses them. The
    plan holds no progress: 状态, 进展说明 and 材料报送日期 stay empty unless ``statuses`` (the
    demo's sample progress, one per task) is given.
    """
    text = resources.files("macros.data").joinpath("seed004_tasks.txt").read_text(encoding="utf-8")
    tasks = []
    for line in filter(None, (l.strip() for l in text.splitlines())):
        m = _TASK_LINE.match(line)
        if not m:
            raise ValueError(f"unreadable task line: {line[:30]}")
        seq = int(m.group(1))
        status = statuses[seq - 1] if statuses else None
        tasks.append({
            "seq": seq, "task": m.group(2), "content": m.group(3), "lead": m.group(4),
            "support": m.group(5),
            "start": start, "due": due,
            "status": status, "progress": None,
            "materials_date": due - timedelta(days=4) if status == "已完成" else None,
        })
    return tasks


# Sample progress of the demo only (a preset never ships progress).
DEMO_TASK_STATUSES = ("已完成", "已完成", "已完成", "进行中", "已完成", "进行中", "进行中", "已完成",
                      "进行中", "未开始", "进行中")

BAODING_GUIDING = (
    "深入贯彻落实习近平新时代中国特色社会主义思想和党的十九大精神，贯彻落实习近平总书记关于加强科技创新、"
    "制度创新、人才创新的工作要求，聚焦庆祝中华人民共和国成立70周年，以弘扬新时代中国科学家精神，砥砺家国情怀，"
    "唱响爱国奋斗主旋律为主线，讲好科技创新故事、科技人员故事、科协改革故事，充分展示科协组织作为和科技工作者"
    "奋斗风貌，激励和动员全市广大科技工作者更加紧密团结在以习近平同志为核心的党中央周围，不忘初心、牢记使命，"
    "勇于担当、接续奋斗，书写新时代科协组织新篇章。"
)
BAODING_REQUIREMENTS = "\n".join((
    "坚持正确方向。庆祝中华人民共和国成立70周年活动政治性强、关注度高，全市各级科协组织、各部门、各单位必须牢牢把握"
    "政治方向，坚持团结稳定鼓劲、正面宣传为主，把活动作为政治任务抓紧抓实。",
    "突出思想内涵。要把庆祝活动与学习宣传贯彻习近平新时代中国特色社会主义思想和党的十九大精神结合起来，与“不忘初心、"
    "牢记使命”主题教育结合起来，突出政治性、思想性、群众性、实效性，以活动落实推进科协工作。",
    "加强组织领导。成立保定市科协庆祝中华人民共和国成立70周年活动领导小组及其办公室，党组书记担任组长，班子成员任"
    "副组长，机关各部门及直属单位负责人为成员。领导小组下设办公室，办公室设在组宣部。",
    "深入发动实施。要坚持面向基层、面向群众，精心组织市县（学会）科协联动，吸引广大科技工作者和社会各界群众广泛参与。",
    "抓好总结汇报。各部室、各下属单位要做好活动信息留存并在活动结束后15日内，将文字、图片、视频等有关资料和工作总结"
    "报送市科协国庆70周年活动领导小组办公室。活动开展情况将作为年终考评依据。",
))
BAODING_SETTINGS = {
    "campaign_name": "保定市科协庆祝中华人民共和国成立70周年活动",
    "campaign_kind": "实施方案",
    "organizer": "保定市科学技术协会",
    "department": "组宣部",
    "start_date": date(2019, 9, 2),
    "deadline": date(2019, 10, 16),  # 活动结束后15日内报送材料
    "issuer_mark": "保定市科学技术协会文件",
    "doc_number": "市科协〔2019〕47号",
    "signer": "孙增军",
    "doc_date": date(2019, 9, 2),
    "notice_title": "关于印发《保定市科协庆祝中华人民共和国成立70周年活动实施方案》的通知",
    "recipients": "各县（市、区）科协，各市级学会（协会、研究会），大学科协，企业科协，机关各部室，下属事业单位",
    "attachments": "《保定市科协庆祝中华人民共和国成立70周年活动实施方案》",
    "plan_guiding": BAODING_GUIDING,
    "plan_requirements": BAODING_REQUIREMENTS,
    "report_period": "2019年第3季度",
}
BAODING_DEPARTMENTS = ("组宣部", "党总支", "创新办", "学企部", "普及部", "办公室", "改革办")

# --- seed 003: Leshan 工作要点, six numeric targets ------------------------------------------
# Seed 003's year is written 20xx; it is the first year of the 12th five-year plan, 2011. The
# plan holds the targets only: 实际值 is reported later, by the 责任部门.

LESHAN_TARGETS = [
    {"name": "青少年科技创新大赛获奖", "target": 60, "unit": "个", "compare": "≥", "actual": None, "department": "普及部"},
    {"name": "接受科普宣传群众", "target": 200000, "unit": "人次", "compare": "≥", "actual": None, "department": "普及部"},
    {"name": "新发展农技协", "target": 10, "unit": "个", "compare": "≥", "actual": None, "department": "普及部"},
    {"name": "完成站、栏、员建设", "target": 20, "unit": "个", "compare": "≥", "actual": None, "department": "普及部"},
    {"name": "争取中央、省财政资金", "target": 100, "unit": "万元", "compare": "≥", "actual": None, "department": "办公室"},
    {"name": "市内高校新建科协组织", "target": 1, "unit": "个", "compare": "≥", "actual": None, "department": "学企部"},
]
# The demo's sample actual values (a preset never ships them).
LESHAN_DEMO_ACTUALS = (64, 215000, 8, 20, 120, 1)
LESHAN_GUIDING = (
    "2011年是“十二五”规划的开局之年，也是科协工作肩负新使命、实现新发展的关键一年。全市科协工作的指导思想是：以科学"
    "发展观为指导、以“三服务一加强”为宗旨，进一步发挥科协人才荟萃、智力集中的优势，团结和动员广大科技工作者，以提升"
    "自主创新能力为主线，围绕“重点建设招商年”工作重点，认真贯彻《全民科学素质纲要》，努力当好“科技工作者之家”，"
    "积极开展学术交流、决策咨询、科学普及和科技服务活动，努力开创科协工作的新局面。"
)
LESHAN_POINTS = "\n".join((
    "提高“三个质量”：提高学术交流质量、科技服务质量和科普示范基地建设质量。",
    "打造“四个品牌”：打造“科普栏目”品牌、“青少年创新大赛”品牌、科普活动和会员活动品牌、惠农项目品牌。",
    "搭建“四个平台”：建功立业平台、学习平台、激励平台和生活平台。",
    "提高“四个能力”：创造性工作的能力，民主办会、科学管理能力，组织协调、形成合力能力，组织建设的能力。",
))
LESHAN_SETTINGS = {
    "campaign_name": "乐山市科协2011年工作要点",
    "campaign_kind": "工作要点",
    "organizer": "乐山市科学技术协会",
    "department": "办公室",
    "start_date": date(2011, 1, 1),
    "deadline": date(2011, 12, 31),
    "notice_title": "关于印发《乐山市科协2011年工作要点》的通知",
    "recipients": "各县（市、区）科协，各市级学会，机关各部室",
    "plan_guiding": LESHAN_GUIDING,
    "plan_content": LESHAN_POINTS,
    "report_period": "2011年第1季度",
}
LESHAN_DEPARTMENTS = ("办公室", "学会部", "普及部", "学企部")

# --- seed 002: Dandong 三比一争当 (比激情、比实干、比贡献，争当跨越式发展先锋) ---------------
# The seed's 方法步骤: four steps with their dates ("7月底于8月15日" read as 7月底至8月15日, 月底
# as the 31st, 中旬 ending on the 15th). Commitments and review scores come later, from the 部室.

SANBI_GUIDING = (
    "在科协机关中开展“三比一争当”活动，要认真贯彻落实市委十届十次全会精神，紧紧围绕市委、市政府中心工作，围绕"
    "“以开发开放促跨越发展”的各项任务，坚持从科协实际出发，切实发挥科协党组织的凝聚力和战斗力，发挥党员的先锋"
    "模范作用，进一步激发机关干部“以开发开放促跨越发展”的激情和干劲，全力打造激情干事机关，确保全年任务及"
    "“十一五”规划目标的全面完成，为丹东大开发、大开放、大发展做出新贡献。"
)
SANBI_CONTENT = "\n".join((
    "比激情。比谁工作激情高，重点解决思想不够解放，精神不够振奋，信心不够坚定，责任意识不够强烈，创业干劲不够高涨等问题。",
    "比实干。比谁工作干得实，重点解决作风漂浮、执行不力、推诿扯皮、效率低下等问题。",
    "比贡献。比谁工作成效好，重点解决工作标准、服务质量不高，科技工作者满意程度不够理想等问题。",
    "争当“跨越式发展先锋”。集体标准是：班子坚强有力，干部队伍整体素质高，善于攻坚，业绩突出；个人标准是：爱岗敬业、"
    "忠于职守，锐意进取、富于创造，不畏艰难，勇挑重担，表现出色，业绩突出。",
))
SANBI_REQUIREMENTS = "\n".join((
    "强化领导。市科协党总支负责“三比一争当”活动的日常指导和协调工作。市科协党组书记、主席为第一责任人，分管领导为"
    "直接责任人，科协党总支负责组织实施。及时将活动实施方案和活动开展情况报送市直机关工委。",
    "科学组织。要把“三比一争当”活动与正在开展的创先争优活动有机结合起来，与科协机关工作品牌、奉献之星评选、季评"
    "最佳实事等机关党建载体协调统一，统筹安排，科学组织。",
    "搞好宣传。要及时总结宣传活动中涌现出来的先进典型，通过报送信息、板报、科普网站等媒体大力宣传“三比一争当”活动情况。",
))
SANBI_PHASES = [
    {"phase": "广泛宣传发动", "start": date(2010, 7, 31), "end": date(2010, 8, 15),
     "work": "召开动员会，科协党组书记、主席方龙田做动员部署，层层搞好宣传发动，组织学习市委十届十次全会精神和有关文件",
     "department": "党总支"},
    {"phase": "定目标亮承诺", "start": date(2010, 8, 16), "end": date(2010, 8, 31),
     "work": "对照先进查摆问题，制定整改措施；确定下半年工作任务、完成时限，倒排时间，并以适当方式公开承诺",
     "department": "党总支"},
    {"phase": "比进度赛成果", "start": date(2010, 9, 1), "end": date(2010, 12, 15),
     "work": "各部室围绕各自的目标任务，广泛开展比工作进度、赛工作成果活动，及时上报阶段性工作成果",
     "department": "党总支"},
    {"phase": "搞好评选表彰", "start": date(2010, 12, 16), "end": date(2010, 12, 31),
     "work": "采取“走企业、访社区”、纪律作风检查、活动成果发布、践诺成果评议等措施，对活动开展情况认真进行考核评比，推荐先进",
     "department": "党总支"},
]
SANBI_SETTINGS = {
    "campaign_name": "比激情、比实干、比贡献，争当跨越式发展先锋",
    "campaign_kind": "活动方案",
    "organizer": "丹东市科学技术协会",
    "department": "党总支",
    "start_date": date(2010, 7, 31),
    "deadline": date(2010, 12, 31),
    "issuer_mark": "丹东市科学技术协会文件",
    "notice_title": "丹东市科协开展“比激情、比实干、比贡献，争当跨越式发展先锋”活动的实施方案",
    "recipients": "机关各部室",
    "plan_guiding": SANBI_GUIDING,
    "plan_content": SANBI_CONTENT,
    "plan_requirements": SANBI_REQUIREMENTS,
    "pioneer_places": 2,
}
SANBI_DEPARTMENTS = ("办公室", "学会部", "普及部", "组宣部", "党总支")
SANBI_LEADERS = [
    {"name": "方龙田", "org": "丹东市科协", "post": "党组书记、主席", "role": "组长"},
]

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
        settings={"campaign_id": uuid.uuid4().hex[:12], "word_limit": None, "excellent_units": 5,
                  "campaign_kind": "征集", "commend_min_grade": "良好", "results_confirmed": "否"},
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
        data.tables.update(targets=[dict(t) for t in LESHAN_TARGETS],
                           units=_departments(LESHAN_DEPARTMENTS))
    elif name == "三比一争当":
        data.settings.update(SANBI_SETTINGS)
        data.tables.update(phases=[dict(p) for p in SANBI_PHASES], units=_departments(SANBI_DEPARTMENTS),
                           leaders=list(SANBI_LEADERS))
    else:
        raise KeyError(name)
    return data
