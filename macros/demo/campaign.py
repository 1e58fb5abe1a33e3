"""The demo campaign: seed 000's 献策 campaign with a roster of Dandong units, seed 004's tasks
and seed 003's targets (what ``kexie demo`` and the tests build)."""

from __future__ import annotations

from datetime import date
from typing import Any

from macros.demo.review_data import DEMO_REVIEW_SETTINGS, demo_reviewers
from macros.presets import (
    DEMO_TASK_STATUSES, LESHAN_DEMO_ACTUALS, LESHAN_TARGETS, CampaignData, baoding_tasks, preset,
)

# Dandong's units. 县(市)区: the city's three districts, two county-level cities and one county.
_ROSTER: list[tuple[str, str, str, str, str, float]] = [
    # (category, name, contact, post, phone, weight)
    ("市级学会", "丹东市医学会", "王丽娟", "秘书长", "0415-2812345", 1),
    ("市级学会", "丹东市农学会", "李国华", "秘书长", "0415-2134567", 1),
    ("市级学会", "丹东市机械工程学会", "张建军", "秘书长", "0415-2145678", 1),
    ("市级学会", "丹东市电子学会", "刘志刚", "副秘书长", "0415-2156789", 1),
    ("市级学会", "丹东市化工学会", "赵明", "秘书长", "0415-2167890", 1),
    ("市级学会", "丹东市林学会", "孙海燕", "秘书长", "0415-2178901", 1),
    ("市级学会", "丹东市水利学会", "周文斌", "秘书长", "0415-2189012", 1),
    ("市级学会", "丹东市土木建筑学会", "吴秀英", "秘书长", "0415-2190123", 1),
    ("市级学会", "丹东市计算机学会", "郑凯", "秘书长", "0415-2201234", 1),
    ("市级学会", "丹东市药学会", "冯雪", "秘书长", "0415-2212345", 1),
    ("市级学会", "丹东市气象学会", "陈立新", "秘书长", "0415-2223456", 1),
    ("市级学会", "丹东市蚕学会", "褚玉梅", "秘书长", "0415-2234567", 1),
    ("市级学会", "丹东市环境科学学会", "卫东", "秘书长", "0415-2245678", 1),
    ("市级学会", "丹东市科普作家协会", "蒋红", "秘书长", "0415-2256789", 1),
    ("市级学会", "丹东市中医药学会", "沈长青", "秘书长", "0415-2267890", 1),
    ("县(市)区科协", "丹东市元宝区科协", "韩冰", "主席", "0415-2278901", 2),
    ("县(市)区科协", "丹东市振兴区科协", "杨帆", "主席", "0415-2289012", 3),
    ("县(市)区科协", "丹东市振安区科协", "朱小军", "主席", "0415-2290123", 2),
    ("县(市)区科协", "东港市科协", "秦国庆", "主席", "0415-7123456", 5),
    ("县(市)区科协", "凤城市科协", "尤建平", "主席", "0415-8123456", 5),
    ("县(市)区科协", "宽甸满族自治县科协", "许振东", "主席", "0415-5123456", 4),
    ("企事业科协", "丹东港集团有限公司科协", "何勇", "秘书长", "0415-3171234", 1),
    ("企事业科协", "辽宁曙光汽车集团股份有限公司科协", "吕强", "秘书长", "0415-4141234", 1),
    ("企事业科协", "丹东东方测控技术股份有限公司科协", "施伟", "秘书长", "0415-6181234", 1),
    ("企事业科协", "丹东黄海汽车有限责任公司科协", "张磊", "秘书长", "0415-6121234", 1),
    ("企事业科协", "丹东化学纤维股份有限公司科协", "孔德胜", "秘书长", "0415-6171234", 1),
    ("企事业科协", "丹东热电有限责任公司科协", "曹瑞", "秘书长", "0415-2851234", 1),
    ("企事业科协", "丹东市第一医院科协", "严芳", "秘书长", "0415-2821234", 1),
    ("企事业科协", "丹东电业局科协", "华明亮", "秘书长", "0415-2831234", 1),
    ("高校科协", "辽东学院科协", "金海", "秘书长", "0415-3781234", 1),
    ("高校科协", "辽宁机电职业技术学院科协", "魏红梅", "秘书长", "0415-3851234", 1),
    ("老科协", "丹东市老科学技术工作者协会", "陶志远", "秘书长", "0415-2121234", 1),
    ("老科协", "东港市老科学技术工作者协会", "姜永和", "秘书长", "0415-7131234", 1),
    ("直属事业单位", "丹东市科技教育学院", "戚文", "院长", "0415-2131234", 1),
    ("直属事业单位", "丹东市科技馆", "谢丹", "馆长", "0415-2141234", 1),
    ("机关部室", "办公室", "邹静", "主任", "0415-2127150", 1),
    ("机关部室", "学会部", "刘勇", "部长", "0415-2127152", 1),
    ("机关部室", "普及部", "喻晓光", "部长", "0415-2127153", 1),
    ("机关部室", "组宣部", "柏青", "部长", "0415-2127154", 1),
    ("机关部室", "党总支", "水立", "书记", "0415-2127155", 1),
    ("机关部室", "创新办", "窦新", "主任", "0415-2127156", 1),
    ("机关部室", "学企部", "章立群", "部长", "0415-2127157", 1),
    ("机关部室", "改革办", "云鹏", "主任", "0415-2127158", 1),
]
_CODE_PREFIX = {
    "市级学会": "XH", "县(市)区科协": "QX", "企事业科协": "QY", "高校科协": "GX",
    "老科协": "LK", "直属事业单位": "ZS", "机关部室": "JG",
}


def dandong_roster() -> list[dict[str, Any]]:
    counters: dict[str, int] = {}
    rows = []
    for category, name, contact, post, phone, weight in _ROSTER:
        counters[category] = counters.get(category, 0) + 1
        code = f"{_CODE_PREFIX[category]}{counters[category]:02d}"
        rows.append({
            "code": code, "name": name, "category": category, "contact": contact, "post": post,
            "phone": phone, "email": f"{code.lower()}@ddkx.example.cn", "quota": None,
            "weight": weight, "note": None,
        })
    return rows


def demo_campaign() -> CampaignData:
    """The complete sample: seed 000's campaign, a Dandong roster, seed 004's tasks, seed 003's targets."""
    data = preset("献策")
    data.settings["campaign_id"] = "ddkx2010xc12"  # fixed, so demo forms are reproducible
    # The tasks run inside this campaign's autumn, so that on the demo's "today" (a few days after
    # the deadline) the unfinished ones show as overdue.
    tasks = baoding_tasks(start=date(2010, 9, 1), due=date(2010, 10, 20), statuses=DEMO_TASK_STATUSES)
    targets = [dict(t, actual=a) for t, a in zip(LESHAN_TARGETS, LESHAN_DEMO_ACTUALS)]  # sample progress
    data.tables.update(units=dandong_roster(), tasks=tasks, targets=targets)
    data.settings.update(DEMO_REVIEW_SETTINGS)  # the review round of the demo (sample experts)
    data.tables.update(reviewers=demo_reviewers())
    return data
