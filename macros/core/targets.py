"""Targets (指标): values with units, direction-aware completion, 完成/未完成.

Pure functions, no I/O.

Values and units
----------------
目标值 and 实际值 may be numbers or text with units as staff type them ("100万元以上",
"20万人次", "六十个"). The 计量单位 column says in which unit the table speaks (个, 人次, 万元…).
Both values are brought to the base unit of 计量单位 (万元 → 元 × 10000) and reported back in
计量单位:

* a number, or text without a unit or multiplier ("120", "一百二十"), is in 计量单位;
* text with a unit ("120万元", "20万人次") is read with its own multiplier; its unit must be
  the base unit of 计量单位 (元 for 万元), else the value is kept as read and ``unit_mismatch``
  is set so the caller can warn;
* text of digits followed by 万/亿 without a unit ("120万") is an absolute amount.

Completion (完成率)
-------------------
* ``≥`` (at least): ``actual / target``; 完成 when ``actual ≥ target``. A target of 0 is
  met by any actual ≥ 0 (completion 100%).
* ``≤`` (at most; e.g. spending, incidents) — the inverse: ``target / actual``; 完成 when
  ``actual ≤ target``. An actual of 0 counts as 100% when the target is ≥ 0.
* ``=`` (exactly): 完成 only when ``actual == target`` (to 1e-9 relative); completion is
  ``actual / target`` for information (100% when equal; 0 → 0% unless both are 0).
* no readable 实际值: completion None, status 未完成.

Completion is not capped (a target beaten by 7% shows 107%).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from macros.core.normalize import parse_quantity
from macros.schema import COMPARISONS

DONE, NOT_DONE = "完成", "未完成"
GE, LE, EQ = COMPARISONS  # "≥", "≤", "="
_COMPARE_ALIASES = {">=": GE, "≥": GE, "＞＝": GE, "不少于": GE, "不低于": GE, "以上": GE,
                    "<=": LE, "≤": LE, "＜＝": LE, "不超过": LE, "不高于": LE, "以下": LE,
                    "=": EQ, "＝": EQ, "==": EQ, "等于": EQ}
_ABSOLUTE = re.compile(r"\d\s*[万亿萬億]")

__all__ = ["DONE", "NOT_DONE", "TargetResult", "completion", "evaluate_target", "normalize_compare",
           "unit_factor", "value_in_unit"]


def normalize_compare(value: Any) -> str | None:
    """≥ ≤ = from the ways staff write them (>=, 不少于…); None when unreadable."""
    if value is None:
        return None
    return _COMPARE_ALIASES.get(str(value).strip())


def unit_factor(unit: str | None) -> tuple[float, str]:
    """(multiplier, base unit) of a 计量单位: 万元 → (10000, "元"), 人次 → (1, "人次"), "" → (1, "")."""
    unit = (unit or "").strip()
    if not unit:
        return 1.0, ""
    value, base = parse_quantity("1" + unit)
    if value is None or value <= 0:
        return 1.0, unit
    return value, base


def value_in_unit(raw: Any, unit: str | None) -> tuple[float | None, bool]:
    """(value expressed in ``unit``, unit_mismatch) for a cell of 目标值/实际值."""
    if raw is None or isinstance(raw, bool):
        return None, False
    factor, base = unit_factor(unit)
    if isinstance(raw, (int, float)):
        return (float(raw) if math.isfinite(raw) else None), False
    text = str(raw).strip()
    if not text:
        return None, False
    number, found_unit = parse_quantity(text)
    if number is None:
        return None, False
    if not found_unit:
        if _ABSOLUTE.search(text) and factor != 1:
            return number / factor, False
        return number, False
    if found_unit == base or (not base and not (unit or "").strip()):
        return number / factor, False
    return number, True


def completion(target: float | None, actual: float | None, compare: str | None) -> tuple[float | None, bool]:
    """(completion ratio or None, done) for one target; see the module doc."""
    if target is None or actual is None:
        return None, False
    compare = normalize_compare(compare) or GE
    if compare == GE:
        done = actual >= target
        if target == 0:
            return (1.0 if done else 0.0), done
        return actual / target, done
    if compare == LE:
        done = actual <= target
        if actual == 0:
            return (1.0 if target >= 0 else 0.0), done
        return target / actual, done
    done = math.isclose(actual, target, rel_tol=1e-9, abs_tol=1e-12)
    if done:
        return 1.0, True
    if target == 0:
        return 0.0, False
    return actual / target, False


@dataclass
class TargetResult:
    name: str | None
    target: float | None  # in 计量单位
    actual: float | None  # in 计量单位
    unit: str | None  # 计量单位
    compare: str  # ≥ ≤ =
    completion: float | None
    done: bool
    status: str  # 完成 / 未完成
    department: str | None = None
    row: int | None = None  # worksheet row in 指标
    target_unreadable: bool = False
    actual_unreadable: bool = False
    unit_mismatch: list[str] | None = None  # keys ("target"/"actual") whose unit differs


def evaluate_target(raw: dict[str, Any], row: int | None = None) -> TargetResult:
    """Evaluate one 指标 record given as raw cell values (schema keys)."""
    unit = raw.get("unit")
    unit = str(unit).strip() if unit is not None and str(unit).strip() else None
    target, bad_t = value_in_unit(raw.get("target"), unit)
    actual, bad_a = value_in_unit(raw.get("actual"), unit)
    compare = normalize_compare(raw.get("compare")) or GE
    ratio, done = completion(target, actual, compare)
    mismatch = [k for k, bad in (("target", bad_t), ("actual", bad_a)) if bad]
    name = raw.get("name")
    return TargetResult(
        name=str(name).strip() if name is not None else None, target=target, actual=actual,
        unit=unit, compare=compare, completion=ratio, done=done, status=DONE if done else NOT_DONE,
        department=str(raw["department"]).strip() if raw.get("department") is not None else None,
        row=row,
        target_unreadable=raw.get("target") is not None and target is None,
        actual_unreadable=raw.get("actual") is not None and actual is None,
        unit_mismatch=mismatch or None,
    )
