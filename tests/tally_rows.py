"""Realistic 征集明细 rows for the demo campaign (deadline 2010-10-20), with known tallies.

Used by the tally tests: late items, an item sent on the deadline day (late in the evening),
invalid, duplicate and void items, staff 评分 and 是否采纳, a unit of a non-assessed category, an
item of a unit missing from the roster and an item whose topic is not in the list.
"""

from __future__ import annotations

from datetime import date, datetime

from macros.adapters.file_engine import FileEngine
from macros.presets import DANDONG_TOPICS
from macros.schema import TABLES

DEADLINE = date(2010, 10, 20)
ON_TIME = date(2010, 10, 15)
DEADLINE_EVENING = datetime(2010, 10, 20, 21, 30)  # the deadline day itself is on time
LATE = date(2010, 10, 21)

# (unit_code, unit_name, topic index or text, submitted_on, status, score, adopted, author)
_SPEC = [
    # XH01 丹东市医学会: 3 valid on time, one adopted → complete
    ("XH01", "丹东市医学会", 0, ON_TIME, None, 90, "是", "王建国"),
    ("XH01", "丹东市医学会", 1, ON_TIME, "有效", 80, None, "李红"),
    ("XH01", "丹东市医学会", 2, DEADLINE_EVENING, None, 85, "否", "王建国"),
    # XH02 丹东市农学会: 4 rows, one late, one 重复 → valid 3 (one of them late)
    ("XH02", "丹东市农学会", 7, ON_TIME, None, 70, None, "赵农"),
    ("XH02", "丹东市农学会", 7, ON_TIME, "重复", None, None, "赵农"),
    ("XH02", "丹东市农学会", 8, LATE, None, 75, "是", "钱丰"),
    ("XH02", "丹东市农学会", 8, DEADLINE, None, None, None, "钱丰"),
    # XH03 丹东市机械工程学会: one on the deadline day, one 无效 → valid 1, short 2
    ("XH03", "丹东市机械工程学会", 4, DEADLINE, None, 60, None, "孙机"),
    ("XH03", "丹东市机械工程学会", 4, ON_TIME, "无效", 95, "是", "孙机"),
    # XH05 and XH06: identical records → tied totals
    ("XH05", "丹东市化工学会", 13, ON_TIME, None, 80, None, "周化"),
    ("XH05", "丹东市化工学会", 13, ON_TIME, None, 80, None, "周化"),
    ("XH05", "丹东市化工学会", 14, ON_TIME, None, 80, None, "吴工"),
    ("XH06", "丹东市林学会", 10, ON_TIME, None, 80, None, "郑林"),
    ("XH06", "丹东市林学会", 11, ON_TIME, None, 80, None, "郑林"),
    ("XH06", "丹东市林学会", 12, ON_TIME, None, 80, None, "冯木"),
    # QX01 元宝区: 5 rows, 作废 one, late one, two adopted (one author twice)
    ("QX01", "丹东市元宝区科协", 6, ON_TIME, None, 88, "是", "陈元"),
    ("QX01", "丹东市元宝区科协", 6, ON_TIME, None, 92, "是", "陈元"),
    ("QX01", "丹东市元宝区科协", 15, LATE, None, 70, None, "褚宝"),
    ("QX01", "丹东市元宝区科协", 16, ON_TIME, "作废", 50, None, "卫区"),
    ("QX01", "丹东市元宝区科协", 19, ON_TIME, None, None, None, "卫区"),
    # QY01 丹东港: 1 valid, no score
    ("QY01", "丹东港集团有限公司科协", 2, ON_TIME, None, None, None, "蒋港"),
    # GX01 辽东学院科协: quota 0, category not assessed → listed, exempt
    ("GX01", "辽东学院科协", 16, LATE, None, 99, "是", "沈学"),
    # unknown unit → counted per topic only (W301)
    ("XX99", "不存在的学会", 3, ON_TIME, None, None, None, "韩某"),
    # topic not in the list → the topic table's last row
    ("QX02", "丹东市振兴区科协", "其他建议", ON_TIME, None, 65, None, "杨振"),
]


def item_rows() -> list[dict]:
    rows = []
    for n, (code, name, topic, day, status, score, adopted, author) in enumerate(_SPEC, start=1):
        rows.append({
            "item_id": f"XC{n:04d}", "unit_code": code, "unit_name": name,
            "title": f"关于{DANDONG_TOPICS[topic][:8] if isinstance(topic, int) else topic}的建议（{n}）",
            "topic": DANDONG_TOPICS[topic] if isinstance(topic, int) else topic,
            "author": author, "author_org": name.replace("科协", "") + "办公室", "author_post": "工程师",
            "phone": "13800000000", "email": None, "body": "建议正文。" * 20, "word_count": 100,
            "submitted_on": day, "source_file": f"{code}.xlsx", "status": status, "score": score,
            "adopted": adopted, "remark": None,
        })
    return rows


def write_items(master, rows=None) -> None:
    engine = FileEngine(master)
    engine.write_table(TABLES["items"], item_rows() if rows is None else rows)
    engine.save()
