"""Read a whole campaign from a workbook engine into plain typed data for the core.

Every use case that needs the campaign's data (validate, tally, forms, consolidate, report)
goes through ``load_campaign``: one read of each sheet, raw tables kept for validation (cell
references, original values) and typed tables for computing. Values that cannot be read as
their column's type stay None in the typed table; validation reports them from the raw one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

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


def typed_table(table: Table, raw: TableData, default_year: int | None = None) -> TableData:
    """``raw`` with each schema column coerced to its type (None where unreadable); ``raw`` is
    not changed."""
    columns = raw.columns
    lists = [list(c) for c in zip(*raw.rows())] if raw.n_rows else [[] for _ in columns]
    for j, key in enumerate(columns):
        col = table.column(key) if key in table.keys else None
        if col is None:
            continue
        raw_values = lists[j]
        if col.type in TEXT_TYPES:
            values = _display_texts(raw_values)
        else:  # each distinct value coerced once (dates, phones, numbers repeat a lot)
            cache: dict[tuple[type, Any], Any] = {}
            values = []
            for v in raw_values:
                key_v = (v.__class__, v)
                try:
                    typed = cache[key_v]
                except KeyError:
                    typed = cache[key_v] = typed_value(col.type, v, default_year)
                except TypeError:  # unhashable
                    typed = typed_value(col.type, v, default_year)
                values.append(typed)
        lists[j] = values
    return raw.with_values(raw.index, columns, [list(r) for r in zip(*lists)])


class Frames(Mapping):
    """The typed tables as pandas DataFrames, each built on first use (``Campaign.frames``)."""

    def __init__(self, typed: dict[str, TableData]):
        self._typed = typed

    def __getitem__(self, key: str):
        return self._typed[key].frame

    def __iter__(self) -> Iterator[str]:
        return iter(self._typed)

    def __len__(self) -> int:
        return len(self._typed)


@dataclass
class Campaign:
    """A campaign's data: settings and one table per schema table (keys as in macros.schema),
    raw (``tables``) and typed (``typed``; ``frames`` holds the same as pandas DataFrames)."""

    settings: dict[str, Any]
    raw_settings: dict[str, Any]
    tables: dict[str, TableData]  # raw, as read (with cell letters and row numbers)
    typed: dict[str, TableData] = field(default_factory=dict)

    @property
    def frames(self) -> Frames:
        return Frames(self.typed)

    def frame(self, key: str):
        return self.typed[key].frame

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
        campaign.typed[key] = typed_table(TABLES[key], data, default_year=year)
    return campaign
