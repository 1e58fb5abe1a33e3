"""Read a whole campaign from a workbook engine into plain typed data for the core.

Every use case that needs the campaign's data (validate, tally, forms, consolidate, report)
goes through ``load_campaign``: one read of each sheet, raw frames kept for validation (cell
references, original values) and typed frames for computing. Values that cannot be read as
their column's type stay None in the typed frame; validation reports them from the raw frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from macros.adapters.engine import WorkbookEngine
from macros.core.grid import TableData
from macros.core.normalize import display_text
from macros.core.settings import campaign_year, typed_settings, typed_value
from macros.schema import TABLES, TEXT_TYPES, Table


def _display_texts(values: list[Any]) -> list[str | None]:
    """``[display_text(v) for v in values]``, with plain text (nearly every cell) handled inline."""
    out = []
    append = out.append
    for v in values:
        if v.__class__ is str:
            append(v.strip() or None)
        else:
            append(display_text(v))
    return out


def typed_frame(table: Table, raw: pd.DataFrame, default_year: int | None = None) -> pd.DataFrame:
    """A copy of ``raw`` with each schema column coerced to its type (None where unreadable)."""
    out = raw.copy()
    for col in table.columns:
        if col.key not in out.columns:
            continue
        raw_values = out[col.key].tolist()
        if col.type in TEXT_TYPES:
            values = _display_texts(raw_values)
        else:  # each distinct value coerced once (dates, phones, numbers repeat a lot)
            cache: dict[tuple[type, Any], Any] = {}
            values = []
            for v in raw_values:
                key = (v.__class__, v)
                try:
                    typed = cache[key]
                except KeyError:
                    typed = cache[key] = typed_value(col.type, v, default_year)
                except TypeError:  # unhashable
                    typed = typed_value(col.type, v, default_year)
                values.append(typed)
        out[col.key] = pd.Series(values, index=out.index, dtype=object)
    return out


@dataclass
class Campaign:
    """A campaign's data: settings and one frame per schema table (keys as in macros.schema)."""

    settings: dict[str, Any]
    raw_settings: dict[str, Any]
    tables: dict[str, TableData]  # raw, as read (with cell letters and row numbers)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # typed

    def frame(self, key: str) -> pd.DataFrame:
        return self.frames[key]

    @property
    def year(self) -> int | None:
        return campaign_year(self.settings)


def load_campaign(engine: WorkbookEngine, tables: list[str] | None = None) -> Campaign:
    raw_settings = engine.read_settings()
    settings = typed_settings(raw_settings)
    campaign = Campaign(settings=settings, raw_settings=raw_settings, tables={})
    year = campaign.year
    for key in tables or list(TABLES):
        data = engine.read_table(TABLES[key])
        campaign.tables[key] = data
        campaign.frames[key] = typed_frame(TABLES[key], data.frame, default_year=year)
    return campaign
