"""Split a city-wide target over units by weight: largest remainder with a floor and a cap.

Pure, exact (``fractions.Fraction`` throughout, so ties are real ties and results never depend
on floating-point rounding), no I/O.

The rule
--------
Each unit's *ideal share* is proportional to its weight, bounded below by ``floor`` and above
by ``cap``: ``share_i = clamp(λ·w_i, floor, cap)`` with the one λ for which the shares add up
to ``total`` (a unit whose proportional share is below the floor gets the floor, one above the
cap gets the cap, and the others split the rest in proportion to their weights). A unit of
weight 0 gets the floor. Then the largest remainder method: every unit gets the whole part of
its share, and the units left short receive one more each, in this order:

1. larger remainder (fractional part of the share) first;
2. then larger weight;
3. then smaller 单位编号 (the unit's sort key, compared as text).

The parts always sum to exactly ``total``, every part lies in ``[floor, cap]``, and the result
does not depend on the order of the input. A unit's part never decreases when its weight grows
and the other weights stay the same.

Impossible requests raise :class:`AllocationError` with a stable problem code: a negative total,
floor or cap (E310), a floor above the cap (E311), ``floor × units > total`` (E312),
``cap × units < total`` (E313), no unit at all (E314), weights that are all 0 while more than
the floors is to be given (E315), a negative or non-finite weight (E316).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from numbers import Real
from typing import Hashable, Sequence

__all__ = ["AllocationError", "Share", "allocate", "ideal_shares"]


class AllocationError(ValueError):
    """An allocation that cannot be done; ``code`` is a registered problem code (E31x)."""

    def __init__(self, code: str, **fields):
        self.code = code
        self.fields = fields
        super().__init__(f"{code}: {fields}")


@dataclass(frozen=True)
class Share:
    """One unit of an allocation request: its key (returned as given), weight and sort key."""

    key: Hashable
    weight: Real
    sort_key: str = ""  # 单位编号 (or the unit as written): the last tie-break


def _fraction(value: Real) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise AllocationError("E316", weight=value)
    return Fraction(value)


def _clamp(x: Fraction, lo: int, hi: int | None) -> Fraction:
    if x < lo:
        return Fraction(lo)
    if hi is not None and x > hi:
        return Fraction(hi)
    return x


def ideal_shares(weights: Sequence[Real], total: int, floor: int = 0,
                 cap: int | None = None) -> list[Fraction]:
    """The exact bounded proportional shares ``clamp(λ·w_i, floor, cap)`` summing to ``total``.

    Raises AllocationError for impossible requests (see the module doc).
    """
    if total < 0 or floor < 0 or (cap is not None and cap < 0):
        raise AllocationError("E310", total=total, floor=floor, cap=cap)
    if cap is not None and floor > cap:
        raise AllocationError("E311", floor=floor, cap=cap)
    n = len(weights)
    if n == 0:
        raise AllocationError("E314", total=total)
    w = [_fraction(x) for x in weights]
    if any(x < 0 for x in w):
        raise AllocationError("E316", weight=next(x for x in weights if _fraction(x) < 0))
    if floor * n > total:
        raise AllocationError("E312", total=total, floor=floor, units=n)
    if cap is not None and cap * n < total:
        raise AllocationError("E313", total=total, cap=cap, units=n)
    positive = [x for x in w if x > 0]
    if not positive:
        if floor * n == total:
            return [Fraction(floor)] * n
        raise AllocationError("E315", total=total, floor=floor, units=n)
    if cap is not None and cap * len(positive) + floor * (n - len(positive)) < total:
        # units of weight 0 stay at the floor; the others cannot take the rest even at the cap
        raise AllocationError("E315", total=total, floor=floor, units=n)

    def f(lam: Fraction) -> Fraction:
        return sum((_clamp(lam * x, floor, cap) for x in w), Fraction(0))

    # f is continuous, piecewise linear and non-decreasing in λ; its kinks are where some λ·w_i
    # reaches the floor or the cap. Find the segment where f crosses total and solve on it.
    kinks = {Fraction(0)}
    for x in positive:
        kinks.add(Fraction(floor) / x)
        if cap is not None:
            kinks.add(Fraction(cap) / x)
    points = sorted(kinks)
    target = Fraction(total)
    prev_lam, prev_f = points[0], f(points[0])
    lam = None
    if prev_f >= target:
        lam = prev_lam  # only when total == floor × n: every unit at the floor
    else:
        for p in points[1:]:
            fp = f(p)
            if fp >= target:
                lam = prev_lam + (target - prev_f) * (p - prev_lam) / (fp - prev_f)
                break
            prev_lam, prev_f = p, fp
        if lam is None:  # beyond the last kink only uncapped units grow, with slope Σ w_i
            slope = sum((x for x in positive if cap is None or prev_lam * x < cap), Fraction(0))
            lam = prev_lam + (target - prev_f) / slope
    shares = [_clamp(lam * x, floor, cap) for x in w]
    assert sum(shares) == target, (shares, total)
    return shares


def allocate(shares: Sequence[Share], total: int, floor: int = 0,
             cap: int | None = None) -> dict[Hashable, int]:
    """Integer parts per key (in input order) summing to ``total``; see the module doc."""
    keys = [s.key for s in shares]
    if len(set(keys)) != len(keys):
        raise ValueError("allocate: duplicate keys")
    ideal = ideal_shares([s.weight for s in shares], total, floor, cap)
    parts = [math.floor(x) for x in ideal]
    left = total - sum(parts)
    # Ranking for the remaining units: larger remainder, larger weight, smaller 单位编号.
    order = sorted(
        range(len(shares)),
        key=lambda i: (-(ideal[i] - parts[i]), -_fraction(shares[i].weight), str(shares[i].sort_key), i),
    )
    for i in order[:left]:
        parts[i] += 1
    assert sum(parts) == total
    return {s.key: p for s, p in zip(shares, parts)}
