"""Reviewer assignment: own-unit exclusion, N per entry, balance, topic match, stability."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from macros.core.review_assign import Entry, Reviewer, assign, conflicts, topic_matches, unit_key

ORGS = ["丹东市农学会", "丹东市农业科学院", "辽东学院", "丹东市中心医院", "东港市科协", "凤城市科协",
        "丹东曙光车桥股份有限公司", "丹东市水利学会"]


def _entries(k: int, units=None, prefix="JC") -> list[Entry]:
    units = units or ORGS
    return [Entry(f"{prefix}{i:03d}", (units[i % len(units)],), topic=f"主题{i % 4}") for i in range(k)]


def _reviewers(k: int, orgs=None, prefix="ZJ") -> list[Reviewer]:
    orgs = orgs or ORGS
    return [Reviewer(f"{prefix}{i:02d}", orgs[(i * 3 + 1) % len(orgs)], (f"主题{i % 4}",)) for i in range(k)]


def _loads(a, reviewers):
    return a.loads([r.code for r in reviewers])


def test_unit_key_folds_width_suffix_and_brackets():
    assert unit_key("丹东曙光车桥股份有限公司科协") == unit_key("丹东曙光车桥股份有限公司")
    assert unit_key("辽东学院（科协）") == unit_key("辽东学院")
    assert unit_key(" 丹东市农学会 ") == unit_key("丹东市农学会")
    assert conflicts(Entry("1", ("丹东市农业科学院科协",)), Reviewer("Z", "丹东市农业科学院"))
    assert conflicts(Entry("1", ("丹东市农业科学院果树研究所",)), Reviewer("Z", "丹东市农业科学院"))
    # a short common start is not the same unit
    assert not conflicts(Entry("1", ("丹东市农学会",)), Reviewer("Z", "丹东市科学技术协会"))


def test_topic_match_by_name_or_code():
    e = Entry("1", topic="大力发展现代农业", topic_code="8")
    assert topic_matches(e, Reviewer("Z", topics=("现代农业",)))
    assert topic_matches(e, Reviewer("Z", topics=("8",)))
    assert not topic_matches(e, Reviewer("Z", topics=("城市建设",)))


def test_small_case_by_hand():
    entries = [Entry("A", ("辽东学院",)), Entry("B", ("丹东市农学会",)), Entry("C", ("辽东学院",))]
    reviewers = [Reviewer("Z1", "辽东学院"), Reviewer("Z2", "丹东市农学会"), Reviewer("Z3", "丹东市中心医院")]
    a = assign(entries, reviewers, 2)
    assert set(a.reviewers["A"]) == {"Z2", "Z3"}
    assert set(a.reviewers["C"]) == {"Z2", "Z3"}
    assert set(a.reviewers["B"]) == {"Z1", "Z3"}
    assert not a.short


def test_not_enough_reviewers_is_reported():
    entries = [Entry("A", ("辽东学院",))]
    reviewers = [Reviewer("Z1", "辽东学院"), Reviewer("Z2", "丹东市农学会")]
    a = assign(entries, reviewers, 3)
    assert a.reviewers["A"] == ["Z2"]
    assert a.short == {"A": 2}


def test_topic_fallback_is_reported():
    entries = [Entry("A", ("辽东学院",), topic="主题0")]
    reviewers = [Reviewer("Z1", "丹东市农学会", ("主题0",)), Reviewer("Z2", "丹东市中心医院", ("主题1",)),
                 Reviewer("Z3", "东港市科协", ("主题2",))]
    a = assign(entries, reviewers, 2, topic_match=True)
    assert "Z1" in a.reviewers["A"]
    assert a.topic_fallback == {"A": 1}
    assert a.matched[("A", "Z1")] is True


@settings(max_examples=60, deadline=None)
@given(n_entries=st.integers(0, 40), n_reviewers=st.integers(1, 12), n=st.integers(1, 5),
       seed=st.integers(0, 10_000))
def test_properties_no_own_unit_n_per_entry_balance(n_entries, n_reviewers, n, seed):
    orgs = [f"{ORGS[(seed + i) % len(ORGS)]}" for i in range(len(ORGS))]
    entries = _entries(n_entries, orgs)
    reviewers = _reviewers(n_reviewers, orgs[::-1])
    a = assign(entries, reviewers, n)
    by_code = {r.code: r for r in reviewers}
    for e in entries:
        rs = a.reviewers[e.id]
        assert len(rs) == len(set(rs))
        assert all(not conflicts(e, by_code[r]) for r in rs)
        eligible = sum(1 for r in reviewers if not conflicts(e, r))
        assert len(rs) == min(n, eligible)
    # balance where feasible: without any own-unit conflict the loads differ by at most 1
    free = [Reviewer(r.code, "专家所在单位" + r.code, r.topics) for r in reviewers]
    b = assign(entries, free, n)
    loads = _loads(b, free).values()
    assert max(loads) - min(loads) <= 1


@settings(max_examples=60, deadline=None)
@given(n_entries=st.integers(1, 40), n_reviewers=st.integers(3, 12), n=st.integers(1, 3),
       topic_match=st.booleans())
def test_balance_with_conflicts(n_entries, n_reviewers, n, topic_match):
    entries = _entries(n_entries)
    reviewers = _reviewers(n_reviewers)
    a = assign(entries, reviewers, n, topic_match=topic_match)
    loads = _loads(a, reviewers)
    if not topic_match:
        # any reviewer can take any entry not of their unit: moves always exist while unbalanced
        # unless every entry of the heaviest is blocked for the lightest (rare with 8 orgs)
        assert max(loads.values()) - min(loads.values()) <= 2


@settings(max_examples=60, deadline=None)
@given(n_entries=st.integers(1, 40), n_reviewers=st.integers(2, 12), n=st.integers(1, 4),
       topic_match=st.booleans())
def test_rerun_is_identical(n_entries, n_reviewers, n, topic_match):
    entries, reviewers = _entries(n_entries), _reviewers(n_reviewers)
    a = assign(entries, reviewers, n, topic_match=topic_match)
    b = assign(entries, reviewers, n, topic_match=topic_match, previous=a.pairs())
    assert b.reviewers == a.reviewers
    c = assign(list(reversed(entries)), list(reversed(reviewers)), n, topic_match=topic_match)
    assert c.reviewers == a.reviewers  # order of the rows does not matter


def _free_reviewers(k: int, prefix="ZJ") -> list[Reviewer]:
    return [Reviewer(f"{prefix}{i:02d}", f"专家单位{prefix}{i}", ()) for i in range(k)]


@settings(max_examples=80, deadline=None)
@given(n_entries=st.integers(0, 40), n_reviewers=st.integers(1, 12), n=st.integers(1, 4))
def test_adding_one_entry_changes_only_that_entry(n_entries, n_reviewers, n):
    entries, reviewers = _entries(n_entries), _free_reviewers(n_reviewers)
    a = assign(entries, reviewers, n)
    new = Entry("NEW001", ("某新单位",), topic="主题1")
    b = assign(entries + [new], reviewers, n, previous=a.pairs())
    for e in entries:
        assert b.reviewers[e.id] == a.reviewers[e.id]
    assert len(b.reviewers["NEW001"]) == min(n, n_reviewers)
    loads = _loads(b, reviewers).values()
    assert max(loads) - min(loads) <= 1


@settings(max_examples=80, deadline=None)
@given(n_entries=st.integers(0, 40), n_reviewers=st.integers(1, 12), n=st.integers(1, 4))
def test_adding_one_reviewer_moves_few_slots(n_entries, n_reviewers, n):
    entries, reviewers = _entries(n_entries), _free_reviewers(n_reviewers)
    a = assign(entries, reviewers, n)
    extra = Reviewer("ZX99", "新专家单位", ())
    b = assign(entries, reviewers + [extra], n, previous=a.pairs())
    before, after = set(a.pairs()), set(b.pairs())
    changed = len(after - before)
    slots = sum(len(v) for v in b.reviewers.values())
    assert changed <= math.ceil(slots / (n_reviewers + 1))
    assert all(p[1] == "ZX99" for p in after - before)  # only the new reviewer takes slots
    loads = _loads(b, reviewers + [extra]).values()
    assert max(loads) - min(loads) <= 1


def test_removed_reviewer_slots_are_refilled_and_few_others_move():
    entries, reviewers = _entries(20), _free_reviewers(6)
    a = assign(entries, reviewers, 3)
    b = assign(entries, reviewers[:-1], 3, previous=a.pairs())
    gone = reviewers[-1].code
    gone_load = _loads(a, reviewers)[gone]
    assert all(len(b.reviewers[e.id]) == 3 for e in entries)
    lost = set(a.pairs()) - set(b.pairs())
    assert len([p for p in lost if p[1] != gone]) <= gone_load  # refill, then a few balancing moves
    loads = _loads(b, reviewers[:-1]).values()
    assert max(loads) - min(loads) <= 1


@settings(max_examples=60, deadline=None)
@given(n_entries=st.integers(1, 30), n_reviewers=st.integers(2, 12), n=st.integers(1, 3))
def test_topic_match_prefers_matching_reviewers(n_entries, n_reviewers, n):
    entries, reviewers = _entries(n_entries), _reviewers(n_reviewers)
    a = assign(entries, reviewers, n, topic_match=True)
    for e in entries:
        matching = [r for r in reviewers if topic_matches(e, r) and not conflicts(e, r)]
        chosen = a.reviewers[e.id]
        got = sum(1 for r in chosen if a.matched[(e.id, r)])
        assert got == min(len(matching), len(chosen))  # matched ones first, others only to fill up
        assert (e.id in a.topic_fallback) == (got < len(chosen))
