"""Checks of the campaign-kind and commendation settings of 设置 (pure).

``check_kind_settings(typed, cells)`` returns the problems of 活动类型 (E801) and 表彰最低等次
(E802); ``campaign_kind(settings)`` the kind in force (blank: 征集).
"""

from __future__ import annotations

from typing import Any, Mapping

from macros.core.commend import NEVER_COMMENDED
from macros.problems import Problem, problem
from macros.schema import CAMPAIGN_KINDS, DEFAULT_CAMPAIGN_KIND, GRADES, SETTINGS_SHEET, setting

__all__ = ["campaign_kind", "check_kind_settings"]


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def campaign_kind(settings: Mapping[str, Any]) -> str:
    """活动类型 in force: the setting when it is a known kind, else 征集."""
    text = _text(settings.get("campaign_kind"))
    return text if text in CAMPAIGN_KINDS else DEFAULT_CAMPAIGN_KIND


def check_kind_settings(raw: Mapping[str, Any], cells: Mapping[str, tuple[str, int]]) -> list[Problem]:
    """E801/E802 for values of 活动类型 / 表彰最低等次 that are filled in but not allowed."""
    out: list[Problem] = []
    checks = (
        ("campaign_kind", "E801", CAMPAIGN_KINDS),
        ("commend_min_grade", "E802", tuple(g for g in GRADES if g != NEVER_COMMENDED)),
    )
    for key, code, choices in checks:
        text = _text(raw.get(key))
        if not text or text in choices or key not in cells:
            continue
        cell, row = cells[key]
        out.append(problem(code, sheet=SETTINGS_SHEET, cell=cell, row=row, column=setting(key).label,
                           value=text, text=text, choices="、".join(choices), suggestion=choices[0]))
    return out
