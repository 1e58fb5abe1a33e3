"""Which units get a form, with which quota and file name (pure; used by ``kexie forms``).

A unit gets a form when its effective quota is above zero — its own 配额 when filled in, else
its category's 最少报送数 in 配额规则 — or always with ``all_units``. Rows without a code
or a name, and repeated codes, get no form and a Chinese note instead. File names are
``<单位编号>_<单位名称>.xlsx`` made safe by ``safe_names.safe_filename`` and unique in the folder
(case-insensitively, as on Windows and macOS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from macros.core.normalize import name_key, nfkc
from macros.core.safe_names import safe_filename

__all__ = ["FormUnit", "effective_quota", "plan_form_units", "form_filename", "form_title", "quota_text"]

FORM_SUFFIX = ".xlsx"


def form_title(campaign_name: str) -> str:
    """The title of a unit's form (its 报送 sheet, its document title) and the name the notice
    gives it in its 附件 list: one name, so the unit finds the attachment the text points to."""
    return f"{campaign_name}——报送表"


@dataclass(frozen=True)
class FormUnit:
    code: str
    name: str
    category: str | None
    quota: int  # effective quota; 0 = no minimum
    filename: str = ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def category_quotas(rules: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for rule in rules:
        cat = name_key(rule.get("category"))
        n = _int(rule.get("min_items"))
        if cat and n is not None and cat not in out:
            out[cat] = n
    return out


def effective_quota(own: Any, category: Any, by_category: Mapping[str, int]) -> int:
    """The unit's own 配额 when it is a number, else its category's 最少报送数, else 0."""
    q = _int(own)
    if q is None:
        q = by_category.get(name_key(category), 0)
    return max(0, q)


def form_filename(code: str, name: str) -> str:
    """``<单位编号>_<单位名称>.xlsx``, safe on Windows, macOS and Linux whatever the name holds."""
    return safe_filename(f"{code}_{name}{FORM_SUFFIX}")


def _unique(filename: str, taken: set[str]) -> str:
    key = nfkc(filename).casefold()
    if key not in taken:
        taken.add(key)
        return filename
    stem, ext = filename[: -len(FORM_SUFFIX)], FORM_SUFFIX
    i = 2
    while True:
        candidate = safe_filename(f"{stem}_{i}{ext}")
        key = nfkc(candidate).casefold()
        if key not in taken:
            taken.add(key)
            return candidate
        i += 1


def quota_text(quota: int) -> str:
    return f"至少 {quota} 条" if quota > 0 else "不限条数（自愿报送）"


def plan_form_units(units: Iterable[Mapping[str, Any]], quota_rules: Iterable[Mapping[str, Any]],
                    all_units: bool = False) -> tuple[list[FormUnit], list[str]]:
    """The units that get a form (roster order) and Chinese notes on rows that get none."""
    by_category = category_quotas(quota_rules)
    plan: list[FormUnit] = []
    notes: list[str] = []
    seen_codes: dict[str, str] = {}
    taken: set[str] = set()
    for i, unit in enumerate(units, start=1):
        code, name = _text(unit.get("code")), _text(unit.get("name"))
        row = unit.get("_row") or i
        if not code and not name:
            continue
        if not code or not name:
            what = "单位编号" if not code else "单位名称"
            notes.append(f"单位名册第 {row} 行缺少{what}，没有为它生成报送表。")
            continue
        key = nfkc(code).casefold()
        if key in seen_codes:
            notes.append(f"单位编号“{code}”重复（{seen_codes[key]}、{name}），只为第一个单位生成了报送表。")
            continue
        seen_codes[key] = name
        category = _text(unit.get("category")) or None
        quota = effective_quota(unit.get("quota"), category, by_category)
        if quota <= 0 and not all_units:
            continue
        plan.append(FormUnit(code, name, category, quota, _unique(form_filename(code, name), taken)))
    return plan, notes
