"""The lookups the row rules need (roster, topics, departments, deadline, 字数上限)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from macros.core.grid import TableData
from macros.core.normalize import TopicIndex, name_key, parse_int
from macros.core.normalize import display_text as _display_text
from macros.core.settings import campaign_year, typed_settings
from macros.core.validate.common import DEPARTMENT_CATEGORY
from macros.schema import VOCABULARIES, VocabRef


@dataclass
class ValidationContext:
    """Lookups shared by the row rules, built once from the master (``build_context``)."""

    settings: dict[str, Any] = field(default_factory=dict)  # typed settings (None: blank/unreadable)
    year: int | None = None  # the campaign's year, for dates written without one ("10月20日")
    start: date | None = None
    deadline: date | None = None
    word_limit: int | None = None
    today: date | None = None
    units_by_code: dict[str, dict[str, Any]] = field(default_factory=dict)  # name_key(code) → unit
    units_by_name: dict[str, dict[str, Any]] = field(default_factory=dict)  # name_key(name) → unit
    unit_names: list[str] = field(default_factory=list)
    departments: dict[str, str] = field(default_factory=dict)  # name_key → 机关部室 name
    vocabularies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    topic_by_code: dict[int, str] = field(default_factory=dict)
    topic_index: TopicIndex = field(default_factory=lambda: TopicIndex(()))
    quota_categories: set[str] | None = None  # name_key of 配额规则's categories (None: no such sheet)
    _vocab_keys: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    def vocab(self, key: str) -> tuple[str, ...]:
        if key not in self.vocabularies:
            v = VOCABULARIES.get(key, ())
            self.vocabularies[key] = v if isinstance(v, tuple) else ()
        return self.vocabularies[key]

    def vocab_keys(self, key: str) -> dict[str, str]:
        if key not in self._vocab_keys:
            keys: dict[str, str] = {}
            for v in self.vocab(key):
                keys.setdefault(name_key(v), v)
            self._vocab_keys[key] = keys
        return self._vocab_keys[key]


def build_context(raw_settings: Mapping[str, Any], tables: Mapping[str, TableData],
                  today: date | None = None) -> ValidationContext:
    """Lookups for the row rules from the master's raw settings and tables."""
    ctx = ValidationContext(today=today)
    typed = typed_settings(raw_settings)
    ctx.year = campaign_year(typed)
    ctx.settings = typed
    ctx.start = typed.get("start_date")
    ctx.deadline = typed.get("deadline")
    wl = typed.get("word_limit")
    ctx.word_limit = wl if isinstance(wl, int) and wl > 0 else None

    units = tables.get("units")
    if units is not None and units.n_rows:
        for code, name, category in zip(units.column("code"), units.column("name"), units.column("category")):
            code_t, name_t = _display_text(code), _display_text(name)
            cat_key = name_key(category) if category is not None else ""
            unit = {"code": code_t, "name": name_t, "category": _display_text(category)}
            if code_t:
                ctx.units_by_code.setdefault(name_key(code_t), unit)
            if name_t:
                ctx.units_by_name.setdefault(name_key(name_t), unit)
                if name_t not in ctx.unit_names:
                    ctx.unit_names.append(name_t)
                if cat_key == name_key(DEPARTMENT_CATEGORY):
                    ctx.departments.setdefault(name_key(name_t), name_t)

    for key, vocab in VOCABULARIES.items():
        if isinstance(vocab, tuple):
            ctx.vocabularies[key] = vocab
        elif isinstance(vocab, VocabRef):
            data = tables.get(vocab.table)
            values: list[str] = []
            if data is not None and data.has(vocab.column):
                for v in data.column(vocab.column):
                    t = _display_text(v)
                    if t and t not in values:
                        values.append(t)
            ctx.vocabularies[key] = tuple(values)
    topics = tables.get("topics")
    if topics is not None and topics.n_rows:
        for code, topic in zip(topics.column("code"), topics.column("topic")):
            n = parse_int(code)
            t = _display_text(topic)
            if n is not None and t:
                ctx.topic_by_code.setdefault(n, t)
        ctx.topic_index = TopicIndex((parse_int(c), _display_text(t))
                                     for c, t in zip(topics.column("code"), topics.column("topic")))
    return ctx
