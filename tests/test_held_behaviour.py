"""Known answers that pin behaviour mutation testing found unguarded: the W110 exemption of rows
marked 重复/作废/无效, the W104 deadline-day boundary, and the two corners of Traditional →
Simplified conversion (phrase triggers, repeated passes)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from macros.adapters.file_engine import FileEngine
from macros.core.normalize import name_key, to_simplified
from macros.core.validate import build_context, validate_items
from macros.schema import ITEMS, TABLES


@pytest.fixture
def ctx(demo_master):
    engine = FileEngine(demo_master)
    tables = {k: engine.read_table(TABLES[k]) for k in ("units", "topics")}
    c = build_context(engine.read_settings(), tables, today=date(2010, 10, 25))
    assert c.deadline == date(2010, 10, 20)
    return c


def _items(rows: list[dict], first_row: int = 2) -> pd.DataFrame:
    base = {"unit_code": "XH01", "unit_name": "丹东市医学会", "topic": "区域经济合作", "author": "王丽娟",
            "author_org": "丹东市医学会", "phone": "0415-2812345", "body": "建议。", "word_count": 3,
            "submitted_on": date(2010, 10, 9)}
    full = [{**base, "item_id": f"XH01-{i:03d}", **r} for i, r in enumerate(rows, start=1)]
    return pd.DataFrame(full, columns=ITEMS.keys, index=pd.RangeIndex(first_row, first_row + len(full)),
                        dtype=object)


def _codes(problems, code):
    return sorted(p.row for p in problems if p.code == code)


def test_w110_spares_rows_marked_duplicate_void_or_invalid(ctx):
    title = "关于推进丹东发展的建议"
    frame = _items([{"title": title}, {"title": title, "status": "重复"}, {"title": title, "status": "作废"},
                    {"title": title, "status": "无效"}, {"title": title}, {"title": "ZW\u200b" + title},
                    {"title": title, "unit_code": "XH02", "unit_name": "丹东市农学会"}])
    found = validate_items(frame, ctx, sheet=ITEMS.sheet)
    # rows 3–5 are marked, row 8 is another unit; rows 6 and 7 (zero-width space) repeat row 2
    assert _codes(found, "W110") == [6]
    frame = _items([{"title": title}, {"title": "ZW\u200b零宽空格题目"}, {"title": "ZW零宽空格题目"}])
    assert _codes(validate_items(frame, ctx, sheet=ITEMS.sheet), "W110") == [4]


def test_w104_counts_the_deadline_day_as_on_time(ctx):
    frame = _items([{"title": "截止前一天", "submitted_on": date(2010, 10, 19)},
                    {"title": "截止当天", "submitted_on": date(2010, 10, 20)},
                    {"title": "晚一天", "submitted_on": date(2010, 10, 21)}])
    found = [p for p in validate_items(frame, ctx, sheet=ITEMS.sheet) if p.code == "W104"]
    assert [(p.row, p.cell) for p in found] == [(4, "M4")]
    assert "晚 1 天" in found[0].message


def test_phrase_entries_convert_characters_that_are_not_traditional_alone():
    assert to_simplified("沈默") == "沉默"  # 沈 alone is Simplified (a surname): only the phrase converts
    assert to_simplified("沈阳") == "沈阳"
    assert name_key("沈默") == name_key("沉默")


def test_conversion_repeats_until_nothing_changes():
    assert to_simplified("薴") == "苎"  # t2s gives 苧 first, then 苎
    assert to_simplified(to_simplified("薴")) == to_simplified("薴")
    assert name_key("薴麻") == name_key("苎麻")
