"""Rows of 征集明细 and of a returned form's 报送 sheet."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Mapping, Sequence

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

    Schema rules (``validate_table``) plus: the unit code exists in 单位名册 and agrees with the
    unit name; 字数 computed from 正文 (``normalize.count_chars``) within 字数上限 and agreeing
    with a typed 字数; 报送日期 after 截止日期 is 逾期, before 开始日期 or after today is
    suspicious; the same unit sending the same 题目 twice. Columns absent from ``data`` are
    skipped (a form has no 编号/单位编号/报送单位); ``unit_code`` names the form's unit.
    Returns the problems; never changes a value.
    """
    if not isinstance(data, TableData):  # a pandas DataFrame
        data = as_table_data(data)
    data = _clean(data)
    typed: dict[str, list[Any]] = {}
    out = validate_table(data, ctx, sheet_names=sheet_names, sheet=sheet, typed_out=typed)
    if not data.found or not data.n_rows:
        return out
    sink = _Sink(data, sheet)
    rows = data.index
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
        bodies = data.column("body")
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
                    sink.add("W106", "word_count", row, data.value(row, "word_count"), count, count=count)

    # 报送日期 against the campaign dates.
    if has("submitted_on"):
        raw_dates = data.column("submitted_on")
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
                sink.add("E109", "score", row, data.value(row, "score"), None,
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
                sink.add("W110", "title", row, data.value(row, "title"), "重复", other_row=first)
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
