"""Validation of a campaign workbook: pure functions from raw tables to a list of Problems.

Input is what the engines read (``macros.core.grid.TableData`` per schema table, the raw
settings and the grid of the 设置 sheet); output is a list of ``macros.problems.Problem``, each
with a stable code (E1xx errors, W1xx warnings; the codes and their Chinese texts are registered
in ``macros.problems``), the sheet, the cell (A1), the original value and a suggestion.

Staff values are never changed here: normalised values (``macros.core.normalize``) are used for
matching and offered as suggestions.

Entry points
------------
* ``validate_campaign(...)`` — every staff sheet plus the cross-sheet rules (``kexie validate``).
* ``build_context(raw_settings, tables)`` — the lookups the row rules need (roster, topics,
  departments, deadline, 字数上限); consolidation builds it once per run.
* ``validate_items(data, ctx)`` — the rules for rows of 征集明细 *or* of a returned form's 报送
  sheet (the ``schema.FORM`` table): consolidation (issue 4) calls it per form.
* ``validate_table(data, ctx)`` — the schema rules of any one table (required, types,
  vocabularies, unique keys).

Speed: each column is judged once per distinct value (a roster of 40 names, 20 topics and a few
hundred dates cover 50,000 rows), so validating is cheaper than reading the workbook.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from macros.core.grid import TableData, header_key, is_blank
from macros.core.normalize import (
    coerce, count_chars, name_key, parse_int, parse_quantity, suggest,
)
from macros.problems import Problem, problem
from macros.schema import (
    INVALID_ITEM_STATUSES, LIST_SEPARATORS, OTHER_DEPARTMENTS, SETTINGS, SETTINGS_HEADERS,
    SETTINGS_SHEET, SHEETS, TABLES, VOCABULARIES, Column, Table, VocabRef,
)

__all__ = [
    "ValidationContext",
    "build_context",
    "settings_cells",
    "validate_campaign",
    "validate_items",
    "validate_settings",
    "validate_table",
]

DEPARTMENT_CATEGORY = "机关部室"
SCORE_RANGE = (0.0, 100.0)
WEIGHT_TOTAL = 100.0
_SHOWN_MAX = 40
_SEP_RE = re.compile("[" + re.escape(LIST_SEPARATORS) + "\u3000\n\r\t]+")
_PLAIN_NUMBER_RE = re.compile(r"\s*-?\d+(?:\.\d+)?\s*")
_ISO_DATE_RE = re.compile(r"\s*\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00)?)?\s*")
_TYPE_CODES = {
    "date": "E102", "datetime": "E102", "int": "E103", "number": "E104", "quantity": "E104",
    "phone": "E105", "email": "E106",
}
_TYPE_ZH = {
    "date": "日期", "datetime": "日期时间", "int": "整数", "number": "数字", "quantity": "数字",
    "phone": "电话号码", "email": "电子邮箱", "yesno": "是或否",
}


# --------------------------------------------------------------------------------------------
# Display helpers
# --------------------------------------------------------------------------------------------


def shown(value: Any) -> Any:
    """The value as staff see it in the cell: integral floats as int, dates as dates."""
    if value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


def text_of(value: Any, limit: int = _SHOWN_MAX) -> str:
    """Short display text of a value for messages."""
    v = shown(value)
    if v is None:
        return ""
    if isinstance(v, date) and not isinstance(v, datetime):
        s = v.isoformat()
    elif isinstance(v, datetime):
        s = v.strftime("%Y-%m-%d %H:%M")
    elif isinstance(v, float):
        s = f"{v:g}"
    else:
        s = str(v).strip()
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _iso(d: date | None) -> str:
    return d.isoformat() if isinstance(d, date) else ""


def _num_text(x: float | int) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return f"{x:g}" if isinstance(x, float) else str(x)


def _hint(sug: str | None) -> str:
    return f"是否应为“{sug}”？" if sug else ""


# --------------------------------------------------------------------------------------------
# Context
# --------------------------------------------------------------------------------------------


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


def _display_text(value: Any) -> str | None:
    if value is None:
        return None
    v = shown(value)
    s = str(v).strip()
    return s or None


def build_context(raw_settings: Mapping[str, Any], tables: Mapping[str, TableData],
                  today: date | None = None) -> ValidationContext:
    """Lookups for the row rules from the master's raw settings and tables."""
    ctx = ValidationContext(today=today)
    typed: dict[str, Any] = {}
    for st in SETTINGS:
        c = coerce(st.type, raw_settings.get(st.key))
        typed[st.key] = c.value if c.ok else None
    for key in ("deadline", "start_date", "doc_date"):
        if isinstance(typed.get(key), date):
            ctx.year = typed[key].year
            break
    # Dates written without a year ("10月20日") take the campaign's year.
    for st in SETTINGS:
        if st.type == "date" and typed.get(st.key) is None and raw_settings.get(st.key) is not None:
            c = coerce("date", raw_settings.get(st.key), default_year=ctx.year)
            typed[st.key] = c.value if c.ok else None
    ctx.settings = typed
    ctx.start = typed.get("start_date")
    ctx.deadline = typed.get("deadline")
    wl = typed.get("word_limit")
    ctx.word_limit = wl if isinstance(wl, int) and wl > 0 else None

    units = tables.get("units")
    if units is not None and len(units.frame):
        f = units.frame
        for code, name, category in zip(f["code"].tolist(), f["name"].tolist(), f["category"].tolist()):
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
            if data is not None and vocab.column in data.frame.columns:
                for v in data.frame[vocab.column].tolist():
                    t = _display_text(v)
                    if t and t not in values:
                        values.append(t)
            ctx.vocabularies[key] = tuple(values)
    topics = tables.get("topics")
    if topics is not None and len(topics.frame):
        for code, topic in zip(topics.frame["code"].tolist(), topics.frame["topic"].tolist()):
            n = parse_int(code)
            t = _display_text(topic)
            if n is not None and t:
                ctx.topic_by_code.setdefault(n, t)
    return ctx


# --------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------


class _Sink:
    """Collects problems for one table, filling in sheet, cell and column."""

    def __init__(self, data: TableData, sheet: str | None = None):
        self.data = data
        self.sheet = sheet or data.table.sheet
        self.items: list[Problem] = []

    def cell(self, key: str, row: int) -> str | None:
        return self.data.cell(key, row)

    def add(self, code: str, key: str, row: int, value: Any = None, suggestion: Any = None, /,
            **fields) -> None:
        col = _column(self.data.table, key)
        header = col.header if col is not None else key
        cell = self.cell(key, row)
        sug = None if suggestion is None else str(shown(suggestion))
        fields.setdefault("text", text_of(value))
        fields.setdefault("hint", _hint(sug))
        self.items.append(problem(code, sheet=self.sheet, cell=cell, row=row, column=header,
                                  value=shown(value), suggestion=sug, **fields))


def _column(table: Table, key: str) -> Column | None:
    for c in table.columns:
        if c.key == key:
            return c
    return None


# --------------------------------------------------------------------------------------------
# Judging one value of a column (cached per distinct value)
# --------------------------------------------------------------------------------------------

# A verdict: (typed value or None, problem code or None, suggestion, extra message fields)
Verdict = tuple[Any, str | None, Any, dict[str, Any]]
_OK_NONE: Verdict = (None, None, None, {})


# Other ways offices write a vocabulary value; read as the value, suggested in its standard form.
_VOCAB_ALIASES: dict[str, dict[str, str]] = {
    "comparison": {
        ">=": "≥", "=>": "≥", "大于等于": "≥", "不少于": "≥", "不低于": "≥", "以上": "≥", "至少": "≥",
        "<=": "≤", "=<": "≤", "小于等于": "≤", "不超过": "≤", "不高于": "≤", "以下": "≤", "至多": "≤",
        "==": "=", "等于": "=",
    },
}


def _judge_vocab(col: Column, value: Any, ctx: ValidationContext) -> Verdict:
    vocab_key = col.vocab or ""
    keys = ctx.vocab_keys(vocab_key)
    choices = ctx.vocab(vocab_key)
    if col.type == "yesno":
        c = coerce("yesno", value)
        if c.ok:
            if c.changed:
                return c.value, "W102", c.value, {"kind": "是/否"}
            return c.value, None, None, {}
    k = name_key(value)
    canon = keys.get(k)
    if canon is None and vocab_key in _VOCAB_ALIASES:
        canon = _VOCAB_ALIASES[vocab_key].get(k)
    if canon is not None:
        if _display_text(value) != canon:
            return canon, "W102", canon, {"kind": "下拉选项"}
        return canon, None, None, {}
    if vocab_key == "topic":
        n = parse_int(value)
        if n is not None and n in ctx.topic_by_code:
            topic = ctx.topic_by_code[n]
            return topic, "W103", topic, {"number": n}
    sug = suggest(value, choices, limit=1)
    source = VOCABULARIES.get(vocab_key)
    if isinstance(source, VocabRef):
        sheet = TABLES[source.table].sheet
        listing = f"见“{sheet}”工作表" if choices else f"“{sheet}”工作表中还没有任何取值"
    else:
        listing = "、".join(choices)
    return None, "E107", sug[0] if sug else None, {"choices": listing}


def _judge_typed(col: Column, value: Any, ctx: ValidationContext) -> Verdict:
    t = col.type
    c = coerce(t, value, default_year=ctx.year)
    if not c.ok:
        return None, _TYPE_CODES.get(t, "E104"), None, {"kind": _TYPE_ZH.get(t, t)}
    if not c.changed:
        return c.value, None, None, {}
    # Readable, but written in a form Excel cannot sort or sum: suggest the standard form.
    if t in ("date", "datetime"):
        if isinstance(value, str) and _ISO_DATE_RE.fullmatch(value):
            return c.value, None, None, {}
        sug = c.value.isoformat() if t == "date" else c.value.strftime("%Y-%m-%d %H:%M")
        return c.value, "W102", sug, {"kind": "日期"}
    if t in ("int", "number"):
        if isinstance(value, str) and _PLAIN_NUMBER_RE.fullmatch(value):
            return c.value, None, None, {}
        return c.value, "W102", _num_text(c.value), {"kind": "数字"}
    if t == "quantity":
        if isinstance(value, str) and not _PLAIN_NUMBER_RE.fullmatch(value):
            _n, unit = parse_quantity(value)
            if not unit:
                return c.value, "W102", _num_text(c.value), {"kind": "数字"}
        return c.value, None, None, {}
    if t == "email":
        raw = str(value).strip()
        if c.value.lower() != raw.lower():
            return c.value, "W102", c.value, {"kind": "电子邮箱"}
        return c.value, None, None, {}
    return c.value, None, None, {}


def _judge(col: Column, value: Any, ctx: ValidationContext) -> Verdict:
    if col.multi:
        tokens = [t for t in _SEP_RE.split(str(shown(value))) if t]
        return tokens, None, None, {}
    if col.vocab:
        return _judge_vocab(col, value, ctx)
    if col.type in ("text", "longtext"):
        return _display_text(value), None, None, {}
    return _judge_typed(col, value, ctx)


# --------------------------------------------------------------------------------------------
# Table rules
# --------------------------------------------------------------------------------------------


def _unique_key(col: Column, typed: Any) -> Any:
    if typed is None:
        return None
    if isinstance(typed, str):
        return name_key(typed)
    if isinstance(typed, float) and typed.is_integer():
        return int(typed)
    return typed


def _next_letter(data: TableData) -> str:
    from openpyxl.utils import column_index_from_string

    used = [column_index_from_string(x) for x in data.letters.values()] or [0]
    return get_column_letter(max(used) + 1)


def _structure(data: TableData, sheet_names: Sequence[str] | None, out: list[Problem],
               sheet: str | None = None) -> bool:
    """Missing sheet / header / columns. Returns False when the table cannot be read at all."""
    table = data.table
    name = sheet or table.sheet
    if sheet_names is not None and name not in sheet_names:
        out.append(problem("E001", sheet=name, cell="A1", row=1))
        return False
    if not data.found:
        out.append(problem("E116", sheet=name, cell="A1", row=1, table=table.description or table.sheet,
                           headers="、".join(table.headers[:6]) + ("…" if len(table.headers) > 6 else "")))
        return False
    where = f"{_next_letter(data)}{data.header_row}"
    for key in data.missing:
        col = table.column(key)
        code = "E002" if col.required else "W101"
        out.append(problem(code, sheet=name, cell=where, row=data.header_row, column=col.header))
    return True


def validate_table(data: TableData, ctx: ValidationContext, *,
                   sheet_names: Sequence[str] | None = None, sheet: str | None = None,
                   typed_out: dict[str, list[Any]] | None = None) -> list[Problem]:
    """The schema rules of one table: required cells, types, vocabularies, unique keys.

    ``typed_out`` (optional) receives the typed values per column key, in frame row order, for
    the caller's cross-row rules (None where blank or unreadable).
    """
    out: list[Problem] = []
    data = _clean(data)
    if not _structure(data, sheet_names, out, sheet):
        return out
    sink = _Sink(data, sheet)
    rows = data.frame.index.tolist()
    for col in data.table.columns:
        if col.key not in data.letters or col.key not in data.frame.columns:
            continue
        typed = _check_column(col, data.frame[col.key].to_numpy(dtype=object), rows, ctx, sink)
        if typed_out is not None:
            typed_out[col.key] = typed
    return out + sink.items


def _clean(data: TableData) -> TableData:
    """Frames built by callers (not by the engines) may have typed columns holding NaN/NaT:
    make them object-typed with None for blanks, as the engines deliver them. (NaN in an object
    column is treated as blank wherever it is read.)"""
    frame = data.frame
    if all(dt == object for dt in frame.dtypes):
        return data
    clean = frame.astype(object).where(frame.notna(), None)
    return dataclasses.replace(data, frame=clean)


def _plain_text(col: Column) -> bool:
    return col.type in ("text", "longtext") and not col.vocab and not col.multi


def _check_column(col: Column, values: np.ndarray, rows: list[int], ctx: ValidationContext,
                  sink: _Sink) -> list[Any]:
    """Judge one column: each distinct value once (pandas.factorize), problems only where found.

    Returns the typed values in row order (None where blank or unreadable).
    """
    n = len(values)
    if n == 0:
        return []
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    n_u = len(uniques)
    typed_u = np.empty(n_u + 1, dtype=object)  # the extra last slot is None: codes -1 index it
    blank_u = np.zeros(n_u, dtype=bool)
    bad_u = np.zeros(n_u, dtype=bool)
    verdicts: list[Verdict | None] = [None] * n_u
    plain = _plain_text(col)
    for j, u in enumerate(uniques):
        if isinstance(u, str) and not u.strip():
            blank_u[j] = True
            continue
        if plain:
            typed_u[j] = u
            continue
        v = _judge(col, u, ctx)
        verdicts[j] = v
        typed_u[j] = v[0]
        if v[1] is not None:
            bad_u[j] = True
    present = codes >= 0
    if blank_u.any():
        codes = np.where(present & blank_u[np.where(present, codes, 0)], -1, codes)
        present = codes >= 0
    safe = np.where(present, codes, 0)
    if col.required:
        for i in np.flatnonzero(~present):
            sink.add("E101", col.key, rows[i], None)
    if bad_u.any():
        for i in np.flatnonzero(present & bad_u[safe]):
            tv, code, sug, fields = verdicts[codes[i]]  # type: ignore[misc]
            sink.add(code, col.key, rows[i], values[i], sug, **fields)
    typed = typed_u[codes].tolist()
    if col.unique:
        ids: dict[Any, int] = {}
        kid_u = np.full(n_u + 1, -1, dtype=np.int64)
        for j in range(n_u):
            k = _unique_key(col, typed_u[j])
            if k is not None:
                kid_u[j] = ids.setdefault(k, len(ids))
        kid = kid_u[codes]
        if len(ids) < int((kid >= 0).sum()):  # some key occurs twice
            dup = pd.Series(kid).duplicated(keep="first").to_numpy() & (kid >= 0)
            _ks, first_idx = np.unique(kid, return_index=True)
            first_of = dict(zip(_ks.tolist(), first_idx.tolist()))
            for i in np.flatnonzero(dup):
                sink.add("E108", col.key, rows[i], values[i], None, other_row=rows[first_of[kid[i]]])
    return typed


# --------------------------------------------------------------------------------------------
# 征集明细 / form rows
# --------------------------------------------------------------------------------------------


def as_table_data(frame: pd.DataFrame, table: Table | None = None,
                  letters: Mapping[str, str] | None = None, header_row: int = 1) -> TableData:
    """Wrap a frame of rows (index = worksheet row numbers, columns = schema keys) as TableData.

    Without ``table``: the form's 报送 table when every column is one of its columns, else
    征集明细. Without ``letters`` the columns are taken to sit in frame order from column A.
    """
    if table is None:
        from macros.schema import FORM

        table = FORM if set(frame.columns) <= set(FORM.keys) else TABLES["items"]
    if letters is None:
        letters = {k: get_column_letter(i + 1) for i, k in enumerate(frame.columns)}
    missing = [k for k in table.keys if k not in frame.columns]
    return TableData(table, frame, dict(letters), header_row, missing=missing)


def validate_items(data: TableData | pd.DataFrame, ctx: ValidationContext, *,
                   sheet_names: Sequence[str] | None = None, sheet: str | None = None,
                   unit_code: str | None = None) -> list[Problem]:
    """Rules for rows of 征集明细, or of a returned form's 报送 sheet (``schema.FORM``).

    Schema rules (``validate_table``) plus: the unit code exists in 单位名册 and agrees with the
    unit name; 字数 computed from 正文 (``normalize.count_chars``) within 字数上限 and agreeing
    with a typed 字数; 报送日期 after 截止日期 is 逾期, before 开始日期 or after today is
    suspicious; the same unit sending the same 题目 twice. Columns absent from ``data`` are
    skipped (a form has no 编号/单位编号/报送单位); ``unit_code`` names the form's unit.
    Returns the problems; never changes a value.
    """
    if isinstance(data, pd.DataFrame):
        data = as_table_data(data)
    data = _clean(data)
    typed: dict[str, list[Any]] = {}
    out = validate_table(data, ctx, sheet_names=sheet_names, sheet=sheet, typed_out=typed)
    if not data.found or not len(data.frame):
        return out
    sink = _Sink(data, sheet)
    frame = data.frame
    rows = frame.index.tolist()
    n = len(rows)
    has = lambda key: key in typed  # noqa: E731 - column present and judged

    # Unit code and name against the roster.
    codes = typed.get("unit_code", [None] * n)
    names = typed.get("unit_name", [None] * n)
    unit_cache: dict[tuple[Any, Any], tuple] = {}
    if ctx.units_by_code or ctx.units_by_name:
        for i, row in enumerate(rows):
            code, name = codes[i], names[i]
            if code is None and name is None:
                continue
            key = (code, name)
            verdict = unit_cache.get(key)
            if verdict is None:
                verdict = unit_cache[key] = _judge_unit(code, name, ctx)
            for code_id, col_key, value, sug, fields in verdict:
                sink.add(code_id, col_key, row, value, sug, **fields)

    # 字数 from 正文.
    if has("body"):
        bodies = frame["body"].tolist()
        counts_typed = typed.get("word_count")
        for i, row in enumerate(rows):
            body = bodies[i]
            if body is None or body != body:  # blank or NaN
                continue
            count = count_chars(body if isinstance(body, str) else str(shown(body)))
            if ctx.word_limit is not None and count > ctx.word_limit:
                sink.add("W105", "body", row, body, None, count=count, limit=ctx.word_limit)
            if counts_typed is not None:
                typed_count = counts_typed[i]
                # Word's 字数 (our rule) or its 字符数(不计空格) are both what staff may type.
                if typed_count is not None and typed_count != count and typed_count != _nonspace(body):
                    sink.add("W106", "word_count", row, frame.at[row, "word_count"], count, count=count)

    # 报送日期 against the campaign dates.
    if has("submitted_on"):
        raw_dates = frame["submitted_on"].tolist()
        for i, row in enumerate(rows):
            d = typed["submitted_on"][i]
            if not isinstance(d, date):
                continue
            d = d.date() if isinstance(d, datetime) else d
            if ctx.deadline is not None and d > ctx.deadline:
                sink.add("W104", "submitted_on", row, raw_dates[i], None,
                         date=_iso(d), deadline=_iso(ctx.deadline), days=(d - ctx.deadline).days)
            if ctx.start is not None and d < ctx.start:
                sink.add("W107", "submitted_on", row, raw_dates[i], None,
                         date=_iso(d), start=_iso(ctx.start))
            if ctx.today is not None and d > ctx.today:
                sink.add("W108", "submitted_on", row, raw_dates[i], None, date=_iso(d),
                         today=_iso(ctx.today))

    # 评分 0–100.
    if has("score"):
        lo, hi = SCORE_RANGE
        for i, row in enumerate(rows):
            s = typed["score"][i]
            if s is not None and not (lo <= s <= hi):
                sink.add("E109", "score", row, frame.at[row, "score"], None,
                         rule=f"应在 {lo:g} 到 {hi:g} 之间")

    # The same unit sending the same title twice (rows already marked 重复/作废/无效 excepted).
    if has("title"):
        titles = typed["title"]
        statuses = typed.get("status", [None] * n)
        invalid = {name_key(s) for s in INVALID_ITEM_STATUSES}
        unit_keys = [name_key(c) if c else (name_key(nm) if nm else (unit_code or "")) for c, nm in
                     zip(codes, names)]
        first_seen: dict[tuple[str, str], int] = {}
        for i, row in enumerate(rows):
            t = titles[i]
            if t is None or (statuses[i] is not None and name_key(statuses[i]) in invalid):
                continue
            k = (unit_keys[i], name_key(t))
            first = first_seen.get(k)
            if first is None:
                first_seen[k] = row
            else:
                sink.add("W110", "title", row, frame.at[row, "title"], "重复", other_row=first)
    return out + sink.items


def _nonspace(body: Any) -> int:
    return sum(map(len, str(body).split()))


def _judge_unit(code: Any, name: Any, ctx: ValidationContext) -> list[tuple]:
    found: list[tuple] = []
    unit = ctx.units_by_code.get(name_key(code)) if code is not None else None
    by_name = ctx.units_by_name.get(name_key(name)) if name is not None else None
    if code is not None and unit is None:
        sug = by_name["code"] if by_name else None
        found.append(("E110", "unit_code", code, sug, {"unit": by_name["name"] if by_name else ""}))
    elif unit is not None and _display_text(code) != unit["code"]:
        found.append(("W102", "unit_code", code, unit["code"], {"kind": "单位编号"}))
    if name is not None:
        target = unit or by_name
        if unit is not None and name_key(name) != name_key(unit["name"]):
            found.append(("W109", "unit_name", name, unit["name"], {"unit_code": unit["code"]}))
        elif target is None:
            sug = suggest(name, ctx.unit_names, limit=1)
            found.append(("E111", "unit_name", name, sug[0] if sug else None, {}))
        elif _display_text(name) != target["name"]:
            # the roster's unit, written differently (Traditional characters, spaces, width)
            found.append(("W102", "unit_name", name, target["name"], {"kind": "单位名称"}))
    return found


# --------------------------------------------------------------------------------------------
# Per-sheet rules beyond the schema
# --------------------------------------------------------------------------------------------


def _rows_typed(data: TableData, typed: dict[str, list[Any]]) -> list[tuple[int, dict[str, Any]]]:
    rows = data.frame.index.tolist()
    keys = list(typed)
    return [(row, {k: typed[k][i] for k in keys}) for i, row in enumerate(rows)]


def _check_units(data: TableData, typed, ctx, sink: _Sink, quota_categories: set[str] | None) -> None:
    frame = data.frame
    warned: set[str] = set()
    for row, t in _rows_typed(data, typed):
        q = t.get("quota")
        if q is not None and q < 0:
            sink.add("E109", "quota", row, frame.at[row, "quota"], None, rule="配额应为不小于 0 的整数")
        w = t.get("weight")
        if w is not None and w < 0:
            sink.add("E109", "weight", row, frame.at[row, "weight"], None, rule="权重应不小于 0")
        cat = t.get("category")
        if quota_categories is not None and cat and name_key(cat) not in quota_categories:
            if cat not in warned and q is None:
                warned.add(cat)
                sink.add("W111", "category", row, frame.at[row, "category"], None)


def _check_quota_rules(data: TableData, typed, sink: _Sink) -> None:
    for row, t in _rows_typed(data, typed):
        m = t.get("min_items")
        if m is not None and m < 0:
            sink.add("E109", "min_items", row, data.frame.at[row, "min_items"], None,
                     rule="最少报送数应为不小于 0 的整数")


def _check_leaders(data: TableData, typed, sink: _Sink) -> None:
    roles = [r for r in typed.get("role", []) if r]
    if roles and "组长" not in roles and "role" in data.letters:
        first = data.frame.index.tolist()[0]
        sink.add("W112", "role", first, data.frame.at[first, "role"], "组长")


def _check_date_pair(data: TableData, typed, sink: _Sink, start_key: str, end_key: str) -> None:
    start_h = data.table.column(start_key).header
    end_h = data.table.column(end_key).header
    for row, t in _rows_typed(data, typed):
        s, e = t.get(start_key), t.get(end_key)
        if isinstance(s, date) and isinstance(e, date) and e < s:
            sink.add("E112", end_key, row, data.frame.at[row, end_key], None, end_label=end_h,
                     end=_iso(e), start_label=start_h, start=_iso(s))


def _check_phases(data: TableData, typed, ctx, sink: _Sink) -> None:
    _check_date_pair(data, typed, sink, "start", "end")
    prev: tuple[int, dict[str, Any]] | None = None
    for row, t in _rows_typed(data, typed):
        s, e = t.get("start"), t.get("end")
        if not (isinstance(s, date) and isinstance(e, date)) or e < s:
            continue
        if prev is not None:
            prow, p = prev
            if s < p["start"]:
                sink.add("W113", "start", row, data.frame.at[row, "start"], None,
                         phase=t.get("phase") or "", start=_iso(s), prev=p.get("phase") or "",
                         prev_start=_iso(p["start"]), other_row=prow)
            elif p["start"] < s < p["end"]:  # same start day: parallel phases, as seed 000 runs them
                sink.add("W114", "start", row, data.frame.at[row, "start"], None,
                         phase=t.get("phase") or "", start=_iso(s), prev=p.get("phase") or "",
                         prev_end=_iso(p["end"]), other_row=prow)
        prev = (row, t)
    _check_departments(data, typed, ctx, sink, "department", lead=False, strict=False)


def _check_departments(data: TableData, typed, ctx, sink: _Sink, key: str, *, lead: bool,
                       strict: bool) -> None:
    if key not in typed or not ctx.departments:
        return
    other = name_key(OTHER_DEPARTMENTS)
    names = list(ctx.departments.values()) + ([] if lead else [OTHER_DEPARTMENTS])
    cache: dict[str, str | None] = {}
    for row, t in _rows_typed(data, typed):
        tokens = t.get(key) or []
        for tok in tokens:
            k = name_key(tok)
            if k in ctx.departments:
                continue
            if k == other:
                if lead:
                    sink.add("E114", key, row, data.frame.at[row, key], None)
                continue
            if tok not in cache:
                s = suggest(tok, names, limit=1)
                cache[tok] = s[0] if s else None
            sink.add("E113" if strict else "W115", key, row, data.frame.at[row, key], cache[tok],
                     dept=tok)


def _check_tasks(data: TableData, typed, ctx, sink: _Sink) -> None:
    _check_date_pair(data, typed, sink, "start", "due")
    if not ctx.departments:
        if any(typed.get("lead", [])) and "lead" in data.letters:
            first = data.frame.index.tolist()[0]
            sink.add("W116", "lead", first, data.frame.at[first, "lead"], None)
    else:
        _check_departments(data, typed, ctx, sink, "lead", lead=True, strict=True)
        _check_departments(data, typed, ctx, sink, "support", lead=False, strict=True)


_MULTIPLIER = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}


def _check_targets(data: TableData, typed, ctx, sink: _Sink) -> None:
    frame = data.frame
    for row, t in _rows_typed(data, typed):
        expected = t.get("unit")
        for key in ("target", "actual"):
            if key not in typed or t.get(key) is None:
                continue
            raw = frame.at[row, key]
            if not isinstance(raw, str):
                continue
            number, unit = parse_quantity(raw)
            if number is None or not unit or not expected:
                continue
            ek, uk = name_key(expected), name_key(unit)
            if ek == uk:
                continue
            sug = None
            if ek.endswith(uk) and ek[: -len(uk)] in _MULTIPLIER:
                sug = _num_text(number / _MULTIPLIER[ek[: -len(uk)]])
            elif uk.endswith(ek) and uk[: -len(ek)] in _MULTIPLIER:
                sug = _num_text(number)
            sink.add("W117", key, row, raw, sug, unit=unit, expected=expected,
                     number=_num_text(number))
    _check_departments(data, typed, ctx, sink, "department", lead=False, strict=False)


def _check_scoring(data: TableData, typed, sink: _Sink) -> None:
    weights = typed.get("weight", [])
    frame = data.frame
    for row, t in _rows_typed(data, typed):
        w = t.get("weight")
        if w is not None and w < 0:
            sink.add("E109", "weight", row, frame.at[row, "weight"], None, rule="权重应不小于 0")
    readable = [w for w in weights if w is not None]
    if readable and abs(sum(readable) - WEIGHT_TOTAL) > 1e-6 and "weight" in data.letters:
        last = frame.index.tolist()[-1]
        total = sum(readable)
        sink.add("E115", "weight", last, frame.at[last, "weight"], None, total=_num_text(float(total)))


def _check_grades(data: TableData, typed, sink: _Sink) -> None:
    frame = data.frame
    lo, hi = SCORE_RANGE
    order = {g: i for i, g in enumerate(VOCABULARIES["grade"])}  # type: ignore[arg-type]
    ranked = []
    for row, t in _rows_typed(data, typed):
        s = t.get("min_score")
        if s is not None and not (lo <= s <= hi):
            sink.add("E109", "min_score", row, frame.at[row, "min_score"], None,
                     rule=f"应在 {lo:g} 到 {hi:g} 之间")
        g = t.get("grade")
        if g in order and s is not None:
            ranked.append((order[g], row, g, s))
    ranked.sort()
    for (_i, _r, g1, s1), (_j, row, g2, s2) in zip(ranked, ranked[1:]):
        if s2 >= s1:
            sink.add("W118", "min_score", row, frame.at[row, "min_score"], None, grade=g2,
                     score=_num_text(float(s2)), prev=g1, prev_score=_num_text(float(s1)))


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


def settings_cells(grid: Sequence[Sequence[Any]]) -> tuple[dict[str, tuple[str, int]], str, int]:
    """Where each setting's value sits in the 设置 grid.

    Returns ({setting key: (A1 cell, row)}, value column letter, first free row).
    """
    labels = {header_key(s.label): s.key for s in SETTINGS}
    key_col, val_col, start = 0, 1, 0
    for r, row in enumerate(grid[:30]):
        keys = [header_key(v) for v in row]
        if SETTINGS_HEADERS[0] in keys and SETTINGS_HEADERS[1] in keys:
            key_col, val_col, start = keys.index(SETTINGS_HEADERS[0]), keys.index(SETTINGS_HEADERS[1]), r + 1
            break
    letter = get_column_letter(val_col + 1)
    cells: dict[str, tuple[str, int]] = {}
    last = start
    for r in range(start, len(grid)):
        row = grid[r]
        if any(not is_blank(v) for v in row):
            last = r + 1
        if key_col >= len(row):
            continue
        key = labels.get(header_key(row[key_col]))
        if key is not None and key not in cells:
            cells[key] = (f"{letter}{r + 1}", r + 1)
    return cells, letter, last + 1


def validate_settings(raw_settings: Mapping[str, Any], grid: Sequence[Sequence[Any]],
                      ctx: ValidationContext) -> list[Problem]:
    """Required settings, their types, 开始日期 ≤ 截止日期, 字数上限 > 0."""
    out: list[Problem] = []
    cells, _letter, free_row = settings_cells(grid)
    key_letter = get_column_letter(1)
    typed: dict[str, Any] = {}
    for st in SETTINGS:
        raw = raw_settings.get(st.key)
        if st.key not in cells:
            if st.required:
                out.append(problem("E117", sheet=SETTINGS_SHEET, cell=f"{key_letter}{free_row}",
                                   row=free_row, column=st.label))
            continue
        cell, row = cells[st.key]
        if raw is None or is_blank(raw):
            if st.required:
                out.append(problem("E101", sheet=SETTINGS_SHEET, cell=cell, row=row, column=st.label,
                                   text="", hint=""))
            continue
        col = Column(st.key, st.label, st.type)
        tv, code, sug, fields = _judge(col, raw, ctx)
        typed[st.key] = tv
        if code is not None:
            s = None if sug is None else str(sug)
            out.append(problem(code, sheet=SETTINGS_SHEET, cell=cell, row=row, column=st.label,
                               value=shown(raw), suggestion=s, text=text_of(raw), hint=_hint(s),
                               **fields))
    s, e = typed.get("start_date"), typed.get("deadline")
    if isinstance(s, date) and isinstance(e, date) and e < s:
        cell, row = cells["deadline"]
        out.append(problem("E112", sheet=SETTINGS_SHEET, cell=cell, row=row, column="截止日期",
                           value=shown(raw_settings.get("deadline")), end_label="截止日期",
                           end=_iso(e), start_label="开始日期", start=_iso(s)))
    for key in ("word_limit", "excellent_units"):
        v = typed.get(key)
        if isinstance(v, int) and (v <= 0 if key == "word_limit" else v < 0):
            cell, row = cells[key]
            label = next(x.label for x in SETTINGS if x.key == key)
            rule = "应为大于 0 的整数（不限字数请留空）" if key == "word_limit" else "应为不小于 0 的整数"
            out.append(problem("E109", sheet=SETTINGS_SHEET, cell=cell, row=row, column=label,
                               value=shown(raw_settings.get(key)), text=text_of(raw_settings.get(key)),
                               rule=rule))
    from macros.core.kind_settings import check_kind_settings

    out += check_kind_settings(raw_settings, cells)
    return out


# --------------------------------------------------------------------------------------------
# The whole campaign
# --------------------------------------------------------------------------------------------

_EXTRA_RULES: dict[str, Callable[..., None]] = {}


def validate_campaign(raw_settings: Mapping[str, Any], settings_grid: Sequence[Sequence[Any]] | None,
                      tables: Mapping[str, TableData], *, sheet_names: Sequence[str] | None = None,
                      today: date | None = None, ctx: ValidationContext | None = None) -> list[Problem]:
    """Every rule on every staff sheet and 征集明细, in sheet order, then row, then column.

    ``tables`` maps schema table keys to what the engine read; tables of product report sheets
    (校验结果, 报送记录) are not validated. ``sheet_names`` (the workbook's sheets) lets missing
    sheets be reported.
    """
    ctx = ctx or build_context(raw_settings, tables, today=today)
    out: list[Problem] = []
    if settings_grid is not None and (sheet_names is None or SETTINGS_SHEET in sheet_names):
        out += validate_settings(raw_settings, settings_grid, ctx)
    elif sheet_names is not None:
        out.append(problem("E001", sheet=SETTINGS_SHEET, cell="A1", row=1))

    quota_categories: set[str] | None = None
    qr = tables.get("quota_rules")
    if qr is not None and qr.found and "category" in qr.frame.columns:
        quota_categories = {name_key(c) for c in qr.frame["category"].tolist() if c is not None}

    skip = {"validation", "submissions"}
    missing_sheets: set[str] = set()
    for key, table in TABLES.items():
        if key in skip or key not in tables:
            continue
        data = tables[key]
        if sheet_names is not None and table.sheet not in sheet_names:
            if table.sheet not in missing_sheets:
                missing_sheets.add(table.sheet)
                out.append(problem("E001", sheet=table.sheet, cell="A1", row=1))
            continue
        if key == "items":
            out += validate_items(data, ctx, sheet_names=sheet_names)
            continue
        typed: dict[str, list[Any]] = {}
        out += validate_table(data, ctx, sheet_names=sheet_names, typed_out=typed)
        if not data.found or not len(data.frame):
            continue
        sink = _Sink(data)
        if key == "units":
            _check_units(data, typed, ctx, sink, quota_categories)
        elif key == "quota_rules":
            _check_quota_rules(data, typed, sink)
        elif key == "leaders":
            _check_leaders(data, typed, sink)
        elif key == "phases":
            _check_phases(data, typed, ctx, sink)
        elif key == "tasks":
            _check_tasks(data, typed, ctx, sink)
        elif key == "targets":
            _check_targets(data, typed, ctx, sink)
        elif key == "scoring_rules":
            _check_scoring(data, typed, sink)
        elif key == "grades":
            _check_grades(data, typed, sink)
        out += sink.items
    return sort_problems(out)


_SHEET_ORDER = {s.name: i for i, s in enumerate(SHEETS)}


def _col_index(cell: str | None) -> int:
    if not cell:
        return 0
    letters = "".join(ch for ch in cell if ch.isalpha())
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Sheet order of the workbook, then row, then column; stable otherwise."""
    return sorted(problems, key=lambda p: (_SHEET_ORDER.get(p.sheet or "", 99), p.row or 0,
                                           _col_index(p.cell)))
