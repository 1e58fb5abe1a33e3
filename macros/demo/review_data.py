"""Sample data of the demo's review round (示例数据): experts, criteria, settings, scores.

The experts are invented people at real kinds of Dandong institutions (sample data, not real
persons); several work at units that also report 计策, so the own-unit rule shows. Scores are
seeded: each entry has a hidden quality, each expert a leniency, each score some noise — so
ranks, trimmed means and a few 复议 cases come out as in a real round. Pure, no I/O.
"""

from __future__ import annotations

import random
from typing import Any, Sequence

SAMPLE = "示例数据"

DEMO_REVIEWERS: list[dict[str, Any]] = [
    {"code": "ZJ01", "name": "高建国", "org": "辽东学院", "topics": "1、2、3、10", "post": "教授"},
    {"code": "ZJ02", "name": "林淑芬", "org": "丹东市农业科学院", "topics": "8、9、19", "post": "研究员"},
    {"code": "ZJ03", "name": "马占山", "org": "丹东市发展和改革委员会", "topics": "4、5、10、15", "post": "高级经济师"},
    {"code": "ZJ04", "name": "宋晓梅", "org": "丹东市第一医院", "topics": "18、20", "post": "主任医师"},
    {"code": "ZJ05", "name": "邓志华", "org": "辽宁机电职业技术学院", "topics": "4、5、17", "post": "教授"},
    {"code": "ZJ06", "name": "彭玉兰", "org": "丹东市城市规划设计研究院", "topics": "11、12、13", "post": "高级工程师"},
    {"code": "ZJ07", "name": "曾庆丰", "org": "丹东港集团有限公司", "topics": "1、3、11", "post": "高级工程师"},
    {"code": "ZJ08", "name": "袁静", "org": "丹东市环境保护科学研究所", "topics": "14", "post": "研究员"},
    {"code": "ZJ09", "name": "潘立军", "org": "东港市科协", "topics": "7、8、9", "post": "农业技术推广研究员"},
    {"code": "ZJ10", "name": "谭文博", "org": "丹东市财政局", "topics": "6、15、16、19", "post": "高级会计师"},
]

DEMO_REVIEW_SETTINGS: dict[str, Any] = {
    "review_per_entry": 5,
    "review_topic_match": "是",
    "review_method": "去掉最高最低",
    "review_normalize": "否",
    "review_recheck_spread": 25,
    "award1_count": 3,
    "award2_count": 6,
    "award3_share": 0.1,
    "award_doc_number": "丹科协发〔2010〕25号",  # sample number
}


def demo_reviewers() -> list[dict[str, Any]]:
    return [{**r, "phone": f"0415-31{i:02d}888", "email": f"{r['code'].lower()}@experts.example.cn",
             "note": SAMPLE} for i, r in enumerate(DEMO_REVIEWERS, start=1)]


def demo_scores(assignments: Sequence[tuple[str, str]], criteria: Sequence[tuple[str, float]],
                seed: int = 2010) -> dict[tuple[str, str], dict[str, float]]:
    """Points per (entry, reviewer) and criterion: quality + leniency + noise, within 0..满分."""
    rng = random.Random(seed)
    entries = sorted({e for e, _r in assignments})
    reviewers = sorted({r for _e, r in assignments})
    quality = {e: rng.uniform(0.55, 0.93) for e in entries}
    leniency = {r: rng.uniform(-0.06, 0.06) for r in reviewers}
    out = {}
    for e, r in sorted(assignments):
        share = quality[e] + leniency[r]
        points = {}
        for name, mx in criteria:
            v = (share + rng.gauss(0, 0.05)) * mx
            points[name] = round(min(mx, max(0.0, v)) * 2) / 2  # half points, as experts write them
        out[(e, r)] = points
    return out
