"""A built demo workbook read back gives the seed documents' data."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from macros.adapters.file_engine import FileEngine
from macros.presets import PRESETS, preset
from macros.schema import TABLES, UNIT_CATEGORIES


def _seed(seeds_dir, prefix: str) -> str:
    return next(seeds_dir.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def _topics_from_seed(text: str) -> list[str]:
    body = text.split("具体献策内容如下：", 1)[1].split("\n", 1)[0]
    body = re.sub(r"l(\d)", r"1\1", body)  # the seed types 10, 12… with a letter l
    parts = re.split(r"(?:^|；)\d+、", body)
    return [p.strip().rstrip("。 ").strip() for p in parts if p.strip()]


def test_demo_topics_are_seed_000_word_for_word(demo_master, seeds_dir):
    topics = FileEngine(demo_master).read_table(TABLES["topics"]).frame
    seed_topics = _topics_from_seed(_seed(seeds_dir, "000"))
    assert len(seed_topics) == 20
    assert list(topics["topic"]) == seed_topics
    assert [int(c) for c in topics["code"]] == list(range(1, 21))


def test_demo_campaign_settings_from_seed_000(demo_master, seeds_dir):
    text = _seed(seeds_dir, "000")
    s = FileEngine(demo_master).read_settings()
    assert s["deadline"] == date(2010, 10, 20) and "10月20日" in text
    assert s["word_limit"] == 3000 and "3000字" in text
    assert s["contact"] == "刘勇" and s["phone"] == "2127152" and s["email"] == "ddkxxhb@163.com"
    for value in (s["contact"], s["phone"], s["email"]):
        assert value in text
    leaders = FileEngine(demo_master).read_table(TABLES["leaders"]).frame
    assert dict(zip(leaders["name"], leaders["role"])) == {"方龙田": "组长", "孙同成": "副组长", "王培武": "副组长"}


def test_demo_quota_of_three_for_the_three_categories(demo_master):
    rules = FileEngine(demo_master).read_table(TABLES["quota_rules"]).frame
    quota = {r["category"]: int(r["min_items"]) for r in rules.to_dict("records")}
    assert quota["市级学会"] == quota["县(市)区科协"] == quota["企事业科协"] == 3
    assert set(quota) == set(UNIT_CATEGORIES)


def test_demo_roster_covers_dandong(demo_master):
    units = FileEngine(demo_master).read_table(TABLES["units"]).frame
    assert len(units) >= 40
    assert set(units["category"]) == set(UNIT_CATEGORIES)
    counties = " ".join(units[units["category"] == "县(市)区科协"]["name"])
    for place in ("元宝区", "振兴区", "振安区", "东港市", "凤城市", "宽甸"):
        assert place in counties
    direct = set(units[units["category"] == "直属事业单位"]["name"])
    assert any("科技教育学院" in n for n in direct) and any("科技馆" in n for n in direct)
    depts = set(units[units["category"] == "机关部室"]["name"])
    assert {"学会部", "办公室"} <= depts
    assert units["code"].is_unique and units["name"].is_unique


def test_demo_tasks_are_seed_004_as_written(demo_master, seeds_dir):
    text = unicodedata.normalize("NFC", _seed(seeds_dir, "004"))
    flat = text.replace("\n", "")
    tasks = FileEngine(demo_master).read_table(TABLES["tasks"]).frame
    assert [int(x) for x in tasks["seq"]] == list(range(1, 12))
    for t in tasks.to_dict("records"):
        assert f"{int(t['seq'])}.{t['task']}。" in flat
        assert f"({t['lead']}牵头，{t['support']}配合)" in flat
    depts = {d for lead in tasks["lead"] for d in lead.split("、")}
    assert depts == {"组宣部", "党总支", "创新办", "学企部", "普及部", "办公室", "改革办"}


def test_demo_targets_are_seed_003(demo_master, seeds_dir):
    # seed 003 carries pinyin after some characters, e.g. 農(nóng)技協(xié): drop it
    text = re.sub(r"\([^()\u4e00-\u9fff\d]+\)", "", _seed(seeds_dir, "003"))
    targets = FileEngine(demo_master).read_table(TABLES["targets"]).frame
    got = {(float(r["target"]), r["unit"]) for r in targets.to_dict("records")}
    assert got == {(60, "个"), (200000, "人次"), (10, "个"), (20, "个"), (100, "万元"), (1, "个")}
    for phrase in ("獲獎60個以上", "20萬人次", "農技協10個", "建設20個", "100萬元以上", "科協組織一個"):
        assert phrase in text


def test_every_preset_builds(tmp_path):
    from macros.app.new import new_campaign

    for name in PRESETS:
        path = new_campaign(tmp_path / f"{name}.xlsx", name)
        data = preset(name)
        engine = FileEngine(path)
        for key, rows in data.tables.items():
            assert len(engine.read_table(TABLES[key]).frame) == len(rows), (name, key)
