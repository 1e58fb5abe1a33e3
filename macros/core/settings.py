"""The 设置 sheet's values typed once, by the schema's declared types.

Every use case reads settings through ``typed_settings``: a date written without a year
("10月20日") takes the campaign's year (from 截止日期, 开始日期 or 成文日期 written with one), so
validation, the tally, the forms, the reports and consolidation all see the same date. A value
that cannot be read as its type is ``None`` (validation reports it from the raw value).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from macros.core.normalize import coerce, display_text
from macros.schema import SETTINGS, TEXT_TYPES

#: settings whose year is the campaign's year, in order of preference
YEAR_SOURCES = ("deadline", "start_date", "doc_date")


def typed_value(type_name: str, value: Any, default_year: int | None = None) -> Any:
    """One value read as a column/setting type: text as the person sees it, else the coerced
    value, ``None`` when blank or unreadable."""
    if type_name in TEXT_TYPES:
        return display_text(value)  # matching uses normalize.name_key; display keeps the text
    c = coerce(type_name, value, default_year=default_year)
    return c.value if c.ok else None


def campaign_year(typed: Mapping[str, Any]) -> int | None:
    """The campaign's year: that of the first of ``YEAR_SOURCES`` that is a date."""
    for key in YEAR_SOURCES:
        if isinstance(typed.get(key), date):
            return typed[key].year
    return None


def typed_settings(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Every setting of the schema typed (``None`` when blank or unreadable)."""
    out = {st.key: typed_value(st.type, raw.get(st.key)) for st in SETTINGS}
    year = campaign_year(out)
    if year is not None:  # dates written without a year ("10月20日") take the campaign's year
        for st in SETTINGS:
            if st.type in ("date", "datetime") and out[st.key] is None and raw.get(st.key) is not None:
                out[st.key] = typed_value(st.type, raw.get(st.key), year)
    return out
