"""Review score arithmetic against hand-computed cases (means, trimmed means, z, ties, awards)."""

from __future__ import annotations

import math

import pytest

from macros.core.review_scores import (
    award_levels, award_places, apply_awards, normalise, score_entries, trimmed_mean,
)

LEVELS = ("一等奖", "二等奖", "三等奖")


def test_trimmed_mean_from_five_on():
    assert trimmed_mean([80, 90, 70]) == 80  # fewer than 5: plain mean
    assert trimmed_mean([60, 70, 80, 90]) == 75
    # 5 scores: drop 95 and 60 -> (70 + 80 + 85) / 3 = 78.333…
    assert trimmed_mean([95, 60, 70, 80, 85]) == pytest.approx(235 / 3)
    # only ONE highest and ONE lowest go, even when repeated: drop one 90 and one 50
    assert trimmed_mean([90, 90, 50, 50, 70]) == pytest.approx((90 + 50 + 70) / 3)


def test_entry_scores_by_hand():
    scores = [("A", f"Z{i}", s) for i, s in enumerate([95, 60, 70, 80, 85])]
    scores += [("B", "Z0", 88), ("B", "Z1", 82), ("B", "Z2", 79)]
    res = score_entries(scores, method="去掉最高最低", recheck_spread=20)
    by = {r.entry: r for r in res}
    a, b = by["A"], by["B"]
    assert a.mean == 78.0  # 390 / 5
    assert a.trimmed == 78.33  # 235 / 3 rounded
    assert a.final == 78.33
    assert a.spread == 35 and a.recheck is True
    assert b.mean == 83.0 and b.trimmed is None and b.final == 83.0  # 3 scores: plain mean
    assert b.spread == 9 and b.recheck is False
    assert [r.entry for r in res] == ["B", "A"] and (b.rank, a.rank) == (1, 2)


def test_plain_mean_method_ignores_trimming():
    scores = [("A", f"Z{i}", s) for i, s in enumerate([95, 60, 70, 80, 85])]
    (a,) = score_entries(scores, method="平均")
    assert a.final == 78.0 and a.trimmed is None


def test_spread_exactly_at_threshold_is_not_flagged():
    (a,) = score_entries([("A", "Z1", 70), ("A", "Z2", 90)], recheck_spread=20)
    assert a.spread == 20 and a.recheck is False


def test_ties_share_rank_competition_style():
    scores = [("A", "Z1", 90), ("B", "Z1", 85), ("C", "Z1", 85), ("D", "Z1", 80)]
    res = score_entries(scores, entry_order=["A", "C", "B", "D"])
    assert [(r.entry, r.rank) for r in res] == [("A", 1), ("C", 2), ("B", 2), ("D", 4)]


def test_ranking_uses_the_rounded_final_score():
    # 80.004 and 80.001 both show as 80.00: the same rank
    res = score_entries([("A", "Z1", 80.004), ("B", "Z1", 80.001)])
    assert {r.rank for r in res} == {1}


def test_normalisation_by_hand():
    # Z1 is lenient (90, 80), Z2 strict (70, 60). All four: M = 75, S = sqrt(125) ≈ 11.18.
    # Each reviewer: mean 85 / 65, sd 5 -> z = +1 for A, -1 for B, whoever scored.
    scores = [("A", "Z1", 90), ("B", "Z1", 80), ("A", "Z2", 70), ("B", "Z2", 60)]
    mapped = normalise(scores)
    s = math.sqrt(125)
    assert mapped[("A", "Z1")] == pytest.approx(75 + s)
    assert mapped[("A", "Z2")] == pytest.approx(75 + s)
    assert mapped[("B", "Z1")] == pytest.approx(75 - s)
    res = {r.entry: r for r in score_entries(scores, normalize=True)}
    assert res["A"].normalised == round(75 + s, 2) == res["A"].final
    assert res["A"].mean == 80.0  # the raw mean is still shown


def test_normalisation_reviewer_without_spread_maps_to_the_overall_mean():
    scores = [("A", "Z1", 90), ("B", "Z1", 90), ("A", "Z2", 80), ("B", "Z2", 60)]
    mapped = normalise(scores)
    assert mapped[("A", "Z1")] == pytest.approx(80.0) == mapped[("B", "Z1")]  # M = 320 / 4


def test_normalisation_changes_the_order_when_a_strict_reviewer_scores_alone():
    # C is scored only by the strict Z2 (its top score), D only by the lenient Z1 (its bottom)
    scores = [("A", "Z1", 95), ("B", "Z1", 90), ("D", "Z1", 85),
              ("A", "Z2", 70), ("B", "Z2", 60), ("C", "Z2", 75)]
    plain = {r.entry: r.rank for r in score_entries(scores)}
    z = {r.entry: r.rank for r in score_entries(scores, normalize=True)}
    assert plain["D"] < plain["C"]
    assert z["C"] < z["D"]


def test_award_places_count_or_share():
    assert award_places(20, [1, 2, None], [None, None, 0.25]) == [1, 2, 5]
    assert award_places(7, [None, None, None], [0.1, 0.2, 0.3]) == [0, 1, 2]  # floor
    assert award_places(10, [None], [None]) == [0]


def test_award_levels_ties_take_the_higher_level():
    ranks = [1, 2, 2, 4, 5, 6, 7]
    assert award_levels(ranks, [2, 2, 2], LEVELS) == \
        ["一等奖", "一等奖", "一等奖", "二等奖", "三等奖", "三等奖", None]
    # a tie across the last boundary: both get it
    assert award_levels([1, 2, 3, 3, 5], [1, 1, 1], LEVELS) == ["一等奖", "二等奖", "三等奖", "三等奖", None]
    # a level without places is skipped
    assert award_levels([1, 2, 3], [1, 0, 1], LEVELS) == ["一等奖", "三等奖", None]
    assert award_levels([None, 1], [1, 1, 1], LEVELS) == [None, "一等奖"]


def test_apply_awards_end_to_end():
    scores = [(e, "Z1", s) for e, s in [("A", 90), ("B", 85), ("C", 85), ("D", 70), ("E", 60)]]
    res = score_entries(scores, entry_order="ABCDE")
    places = apply_awards(res, [1, 1, None], [None, None, 0.2], LEVELS)
    assert places == [1, 1, 1]
    assert [(r.entry, r.award) for r in res] == [
        ("A", "一等奖"), ("B", "二等奖"), ("C", "二等奖"), ("D", None), ("E", None)]
