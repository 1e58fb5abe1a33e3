"""Topics as people type them: a topic's head, a unique prefix or its number, in Traditional or
full-width form, reads as the one topic it can mean (W247 / W103); several candidates → E107
with suggestions."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opencc import OpenCC

from macros.adapters.file_engine import FileEngine
from macros.core.intake import Topics
from macros.core.normalize import TopicIndex, name_key, topic_head, topic_number
from macros.core.validate import build_context, validate_items
from macros.presets import DANDONG_TOPICS
from macros.schema import FORM, TABLES

INDEX = TopicIndex(enumerate(DANDONG_TOPICS, start=1))
T = {i: t for i, t in enumerate(DANDONG_TOPICS, start=1)}
_S2T = OpenCC("s2t")
_FULL = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


@pytest.mark.parametrize("typed, topic, how", [
    ("沿江沿海经济区建设", T[1], "head"),              # the text before the first "，"
    ("转变经济发展方式", T[4], "head"),
    ("加强人才队伍建设", T[17], "head"),
    ("轉變經濟發展方式", T[4], "head"),                # Traditional
    ("沿江沿海", T[1], "prefix"),                      # a unique prefix
    ("培育壮大主导产业", T[5], "prefix"),
    ("10", T[10], "number"), ("第10项", T[10], "number"), ("l0", T[10], "number"),
    ("１０", T[10], "number"), ("第十项", T[10], "number"), (10, T[10], "number"), (10.0, T[10], "number"),
    ("第 3 条", T[3], "number"),
    ("区域经济合作", T[3], None),                      # the topic itself
    ("區域經濟合作", T[3], None),
])
def test_one_topic_found(typed, topic, how):
    m = INDEX.match(typed)
    assert (m.topic, m.how, m.candidates) == (topic, how, ())


@pytest.mark.parametrize("typed, candidates", [
    ("大力发展现代", {T[6], T[8]}),
    ("加强", {T[11], T[12], T[17]}),
    ("推进", {T[9], T[13]}),
])
def test_several_candidates_no_guess(typed, candidates):
    m = INDEX.match(typed)
    assert m.topic is None and set(m.candidates) == candidates


@pytest.mark.parametrize("typed", ["", None, "沿", "发展旅游文化产业", "21", "第0项", "H2O"])
def test_nothing_found(typed):
    m = INDEX.match(typed)
    assert m.topic is None and m.candidates == ()


def test_head_and_number_helpers():
    assert topic_head(T[1]) == "沿江沿海经济区建设"
    assert topic_head("区域经济合作") == "区域经济合作"
    assert topic_head("转变政府职能：提高公共服务水平") == "转变政府职能"
    assert [topic_number(v) for v in ("10", "第10项", "l0", "１０", "第十项", "十", "abc", None)] == \
        [10, 10, 10, 10, 10, 10, None, None]


_topics = st.sampled_from(DANDONG_TOPICS)


@settings(max_examples=200)
@given(_topics, st.integers(min_value=2, max_value=40), st.sampled_from(["plain", "trad", "full"]))
def test_any_prefix_is_its_topic_or_names_every_candidate(topic, n, form):
    typed = topic[:n]
    if form == "trad":
        typed = _S2T.convert(typed)
    elif form == "full":
        typed = typed.translate(_FULL)
    m = INDEX.match(typed)
    key = name_key(topic[:n])
    fits = {t for t in DANDONG_TOPICS if name_key(t).startswith(key)}
    heads = {t for t in DANDONG_TOPICS if name_key(topic_head(t)) == key}
    if m.topic is not None:
        assert m.topic in fits or m.topic in heads
        assert len(heads) == 1 or len(fits) == 1 or name_key(m.topic) == key
    else:
        assert len(fits) > 1 and set(m.candidates) == fits


@given(st.integers(min_value=1, max_value=len(DANDONG_TOPICS)),
       st.sampled_from(["{}", "第{}项", "第{}条", "{} "]), st.booleans())
def test_any_number_form_is_its_topic(n, pattern, full):
    typed = pattern.format(n)
    if full:
        typed = typed.translate(_FULL)
    assert INDEX.match(typed).topic == T[n]


def test_intake_topics_reads_heads_as_the_full_topic():
    topics = Topics({name_key(t): t for t in DANDONG_TOPICS}, dict(T))
    assert topics.canonical("沿江沿海经济区建设") == T[1]
    assert topics.canonical("第10项") == T[10]
    assert topics.canonical("加强") == "加强"  # ambiguous: kept as typed (validation rejected the row)


def test_validation_warns_w247_and_rejects_ambiguous_with_suggestions(demo_master):
    engine = FileEngine(demo_master)
    tables = {k: engine.read_table(TABLES[k]) for k in ("units", "topics")}
    ctx = build_context(engine.read_settings(), tables, today=date(2010, 10, 25))
    keys = [c.key for c in FORM.columns]
    base = {"title": "关于沿江开发的建议", "author": "李国华", "author_org": "丹东市农学会",
            "phone": "0415-2134567", "email": "xh02@ddkx.example.cn", "body": "沿江开发。"}
    rows = [dict(base, title=f"建议{i}", topic=t) for i, t in enumerate(["沿江沿海经济区建设", "加强", "第10项"])]
    frame = pd.DataFrame(rows, columns=keys, index=pd.Index([5, 6, 7], name="row"))
    found = {(p.cell, p.code): p for p in validate_items(frame, ctx, sheet="报送", unit_code="XH02")}
    w = found[("B5", "W247")]
    assert w.level == "warning" and w.suggestion == T[1] and "简称" in w.message
    e = found[("B6", "E107")]
    assert e.suggestion in {T[11], T[12], T[17]}
    assert ("B7", "W103") in found


def test_consolidation_stores_the_full_topic_and_leaves_out_the_ambiguous_row(tmp_path_factory, tmp_path):
    from consolidate_kit import copy_camp, good_row, issue

    camp = copy_camp(issue(tmp_path_factory.mktemp("issued-topics")), tmp_path / "campaign")
    form = camp.fill("XH01", [good_row(1, topic="沿江沿海经济区建设"), good_row(2, topic="加强"),
                              good_row(3, topic="l0")])
    result = camp.run()
    [f] = [f for f in result.files if f.file == form.name]
    assert f.rows == 2
    assert {(p["code"], p["cell"]) for p in f.problems} >= {("W247", "B5"), ("E107", "B6"), ("W103", "B7")}
    assert [r["topic"] for r in camp.items()] == [T[1], T[10]]
