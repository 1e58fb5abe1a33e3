"""Review scores (评审计分): per-entry score, 复议 flags, ranking and award levels.

Pure functions, no I/O. Input: one total per (entry, reviewer) — the sum of the reviewer's
criterion points for that entry.

Score of an entry
-----------------
* **平均** — the mean of its reviewers' totals.
* **去掉最高最低** — from 5 reviewers on (``TRIM_FROM``), one highest and one lowest total are
  dropped and the rest averaged; with fewer than 5 reviewers this is the plain mean (dropping two
  of three or four scores would leave too little).
* **标准化** (optional) — each reviewer's totals are turned into z-scores with that reviewer's own
  mean and standard deviation, then mapped back onto the scale of all totals of the round:
  ``x' = M + S × (x − m_r) / s_r``, where M and S are the mean and the (population) standard
  deviation of every total, m_r and s_r those of reviewer r. A reviewer who gave only one score or
  the same score to every entry (s_r = 0) shows no preference: each of their scores becomes M.
  The mean or trimmed mean is then taken over the mapped scores. Strict and lenient reviewers
  thereby weigh alike, and the result stays on the familiar points scale.

The final score is rounded to 2 decimals (Excel's ROUND) before ranking, so what is shown is
what is ranked. **Spread** = highest − lowest raw total; an entry whose spread is greater than the
threshold is flagged for 复议 (it is still ranked).

Ranking and awards
------------------
Competition ranking on the final score, higher first (1, 2, 2, 4), as in the assessment.
Award places per level (一等奖, 二等奖, 三等奖): the level's count when set, otherwise
``floor(share × ranked entries)``. Levels are filled from the top by cumulative places: an entry
of rank r gets the first level whose cumulative places reach r. **Ties at a boundary all get the
higher level**; the extra places they take are taken from the next levels, so only a tie at the
last boundary can make the total number of awards exceed the sum of the places.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from macros.core.assess import competition_ranks, excel_round

__all__ = [
    "EntryScore", "TRIM_FROM", "award_levels", "award_places", "mean", "normalise", "score_entries",
    "trimmed_mean",
]

TRIM_FROM = 5
MEAN, TRIMMED = "平均", "去掉最高最低"


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def trimmed_mean(values: Sequence[float]) -> float | None:
    """Mean without one highest and one lowest value (from TRIM_FROM values on; else the mean)."""
    if len(values) < TRIM_FROM:
        return mean(values)
    ordered = sorted(values)
    return mean(ordered[1:-1])


def _sd(values: Sequence[float]) -> float:
    m = mean(values)
    if m is None:
        return 0.0
    return math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def normalise(scores: Iterable[tuple[str, str, float]]) -> dict[tuple[str, str], float]:
    """(entry, reviewer, total) → the total mapped through the reviewer's z-score (module doc)."""
    scores = list(scores)
    every = [t for _e, _r, t in scores]
    big_m, big_s = mean(every) or 0.0, _sd(every)
    per: dict[str, list[float]] = {}
    for _e, r, t in scores:
        per.setdefault(r, []).append(t)
    stats = {r: (mean(v) or 0.0, _sd(v)) for r, v in per.items()}
    out = {}
    for e, r, t in scores:
        m_r, s_r = stats[r]
        z = (t - m_r) / s_r if s_r > 0 else 0.0
        out[(e, r)] = big_m + big_s * z
    return out


@dataclass
class EntryScore:
    entry: str
    scores: list[float] = field(default_factory=list)  # raw totals, in reviewer order
    reviewers: list[str] = field(default_factory=list)
    mean: float | None = None
    trimmed: float | None = None  # None unless 去掉最高最低 applied (≥ TRIM_FROM scores)
    normalised: float | None = None  # None unless 标准化
    final: float | None = None
    spread: float | None = None
    recheck: bool = False
    rank: int | None = None
    award: str | None = None

    @property
    def count(self) -> int:
        return len(self.scores)


def _score_one(es: EntryScore, method: str, mapped: list[float] | None,
               recheck_spread: float | None) -> None:
    raw = es.scores
    es.mean = excel_round(mean(raw), 2)
    use_trim = method == TRIMMED and len(raw) >= TRIM_FROM
    if use_trim:
        es.trimmed = excel_round(trimmed_mean(raw), 2)
    base = mapped if mapped is not None else raw
    value = trimmed_mean(base) if use_trim else mean(base)
    es.final = excel_round(value, 2)
    if mapped is not None:
        es.normalised = es.final
    es.spread = excel_round(max(raw) - min(raw), 2)
    es.recheck = recheck_spread is not None and es.spread > recheck_spread


def score_entries(scores: Iterable[tuple[str, str, float]], *, method: str = TRIMMED,
                  normalize: bool = False, recheck_spread: float | None = None,
                  entry_order: Sequence[str] = ()) -> list[EntryScore]:
    """Score, flag and rank every entry that has at least one score.

    ``scores``: (entry, reviewer, total). Result: ranked entries first (by rank, then the order
    of ``entry_order``, then entry id), then entries without a score are not listed at all."""
    scores = list(scores)
    mapped = normalise(scores) if normalize else None
    by_entry: dict[str, EntryScore] = {}
    for e, r, t in scores:
        es = by_entry.setdefault(e, EntryScore(e))
        es.scores.append(float(t))
        es.reviewers.append(r)
    for es in by_entry.values():
        m = [mapped[(es.entry, r)] for r in es.reviewers] if mapped is not None else None
        _score_one(es, method, m, recheck_spread)
    results = list(by_entry.values())
    for es, rank in zip(results, competition_ranks([es.final for es in results])):
        es.rank = rank
    order = {e: i for i, e in enumerate(entry_order)}
    results.sort(key=lambda es: (es.rank, order.get(es.entry, len(order)), es.entry))
    return results


def award_places(ranked: int, counts: Sequence[int | None], shares: Sequence[float | None]) -> list[int]:
    """Places per level: the count when given, else floor(share × ranked) (0 when neither)."""
    out = []
    for i in range(max(len(counts), len(shares))):
        count = counts[i] if i < len(counts) else None
        share = shares[i] if i < len(shares) else None
        if count is not None:
            out.append(max(0, int(count)))
        elif share is not None and share > 0:
            out.append(int(math.floor(share * ranked + 1e-9)))
        else:
            out.append(0)
    return out


def award_levels(ranks: Sequence[int | None], places: Sequence[int],
                 levels: Sequence[str]) -> list[str | None]:
    """The level of each rank (module doc: cumulative places, ties take the higher level)."""
    cumulative, total = [], 0
    for p in places:
        total += p
        cumulative.append(total)
    out: list[str | None] = []
    for r in ranks:
        level = None
        if r is not None:
            for name, cum, p in zip(levels, cumulative, places):
                if p > 0 and r <= cum:
                    level = name
                    break
        out.append(level)
    return out


def apply_awards(results: Sequence[EntryScore], counts: Sequence[int | None],
                 shares: Sequence[float | None], levels: Sequence[str]) -> list[int]:
    """Set ``award`` on every result; return the places per level used."""
    places = award_places(len(results), counts, shares)
    for es, level in zip(results, award_levels([es.rank for es in results], places, levels)):
        es.award = level
    return places
