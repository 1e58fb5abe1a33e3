"""Rows of 征集明细 and of a returned form's 报送 sheet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Mapping, Sequence

from openpyxl.utils import get_column_letter

from macros.core.grid import TableData
from macros.core.normalize import count_chars, name_key, suggest
from macros.core.validate.common import SCORE_RANGE, _Sink, _iso, shown
from macros.core.validate.context import ValidationContext, _display_text
from macros.core.validate.tables import _clean, validate_table
from macros.problems import Problem
from macros.schema import INVALID_ITEM_STATUSES, TABLES, Table


def as_table_data(frame, table: Table | None = None,
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


def validate_items(data, ctx: ValidationContext, *,
                   sheet_names: Sequence[str] | None = None, sheet: str | None = None,
                   unit_code: str | None = None) -> list[Problem]:
    """Rules for rows of 征集明细, or of a returned form's 报送 sheet (``schema.FORM``).

    Schema rules (``validate_table``) plus ``ITEM_RULES``: the unit code exists in 单位名册 and
    agrees with the unit name; 字数 computed from 正文 (``normalize.count_chars``) within 字数上限
    and agreeing with a typed 字数; 报送日期 after 截止日期 is 逾期, before 开始日期 or after today
    is suspicious; 评分 within 0–100; the same unit sending the same 题目 twice. Columns absent
    from ``data`` are skipped (a form has no 编号/单位编号/报送单位); ``unit_code`` names the
    form's unit. Returns the problems; never changes a value.
    """
    if not isinstance(data, TableData):  # a pandas DataFrame
        data = as_table_data(data)
    data = _clean(data)
    typed: dict[str, list[Any]] = {}
    out = validate_table(data, ctx, sheet_names=sheet_names, sheet=sheet, typed_out=typed)
    if not data.found or not data.n_rows:
        return out
    rows = _Rows(data, typed, ctx, _Sink(data, sheet), unit_code)
    for rule in ITEM_RULES:
        rule(rows)
    return out + rows.sink.items


@dataclass(frozen=True)
class _Rows:
    """What every item rule reads: the rows, their typed values (``typed``: key → one value per
    row, present only for a column that was judged), the context and the problem sink."""

    data: TableData
    typed: dict[str, list[Any]]
    ctx: ValidationContext
    sink: _Sink
    unit_code: str | None

    def typed_or_blank(self, key: str) -> list[Any]:
        return self.typed.get(key, [None] * self.data.n_rows)


def _check_units(r: _Rows) -> None:
    """Unit code and name against the roster (one verdict per distinct pair)."""
    ctx = r.ctx
    if not (ctx.units_by_code or ctx.units_by_name):
        return
    verdicts: dict[tuple[Any, Any], list[tuple]] = {}
    for row, code, name in zip(r.data.index, r.typed_or_blank("unit_code"),
                               r.typed_or_blank("unit_name")):
        if code is None and name is None:
            continue
        verdict = verdicts.get((code, name))
        if verdict is None:
            verdict = verdicts[(code, name)] = _judge_unit(code, name, ctx)
        for code_id, col_key, value, sug, fields in verdict:
            r.sink.add(code_id, col_key, row, value, sug, **fields)


def _check_word_counts(r: _Rows) -> None:
    """字数 from 正文: within 字数上限, and agreeing with a 字数 typed by the unit."""
    if "body" not in r.typed:
        return
    limit = r.ctx.word_limit
    counts_typed = r.typed.get("word_count")
    for i, (row, body) in enumerate(zip(r.data.index, r.data.column("body"))):
        if body is None or body != body:  # blank or NaN
            continue
        count = count_chars(body if isinstance(body, str) else str(shown(body)))
        if limit is not None and count > limit:
            r.sink.add("W105", "body", row, body, None, count=count, limit=limit)
        typed_count = counts_typed[i] if counts_typed is not None else None
        # Word's 字数 (our rule) or its 字符数(不计空格) are both what staff may type.
        if typed_count is not None and typed_count != count and typed_count != _nonspace(body):
            r.sink.add("W106", "word_count", row, r.data.value(row, "word_count"), count,
                       count=count)


def _check_dates(r: _Rows) -> None:
    """报送日期 against the campaign's 截止日期 and 开始日期, and today."""
    if "submitted_on" not in r.typed:
        return
    ctx = r.ctx
    for row, d, raw in zip(r.data.index, r.typed["submitted_on"], r.data.column("submitted_on")):
        if not isinstance(d, date):
            continue
        d = d.date() if isinstance(d, datetime) else d
        if ctx.deadline is not None and d > ctx.deadline:
            r.sink.add("W104", "submitted_on", row, raw, None, date=_iso(d),
                       deadline=_iso(ctx.deadline), days=(d - ctx.deadline).days)
        if ctx.start is not None and d < ctx.start:
            r.sink.add("W107", "submitted_on", row, raw, None, date=_iso(d), start=_iso(ctx.start))
        if ctx.today is not None and d > ctx.today:
            r.sink.add("W108", "submitted_on", row, raw, None, date=_iso(d), today=_iso(ctx.today))


def _check_scores(r: _Rows) -> None:
    """评分 within ``SCORE_RANGE``."""
    if "score" not in r.typed:
        return
    lo, hi = SCORE_RANGE
    for row, s in zip(r.data.index, r.typed["score"]):
        if s is not None and not (lo <= s <= hi):
            r.sink.add("E109", "score", row, r.data.value(row, "score"), None,
                       rule=f"应在 {lo:g} 到 {hi:g} 之间")


def _check_duplicate_titles(r: _Rows) -> None:
    """The same unit sending the same 题目 twice (rows marked 重复/作废/无效 excepted)."""
    if "title" not in r.typed:
        return
    invalid = {name_key(s) for s in INVALID_ITEM_STATUSES}
    first_seen: dict[tuple[str, str], int] = {}
    for row, title, status, code, name in zip(
            r.data.index, r.typed["title"], r.typed_or_blank("status"),
            r.typed_or_blank("unit_code"), r.typed_or_blank("unit_name")):
        if title is None or (status is not None and name_key(status) in invalid):
            continue
        unit = name_key(code) if code else (name_key(name) if name else (r.unit_code or ""))
        first = first_seen.setdefault((unit, name_key(title)), row)
        if first != row:
            r.sink.add("W110", "title", row, r.data.value(row, "title"), "重复", other_row=first)


#: The item rules in the order their problems are listed.
ITEM_RULES: tuple[Callable[[_Rows], None], ...] = (
    _check_units, _check_word_counts, _check_dates, _check_scores, _check_duplicate_titles)


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
