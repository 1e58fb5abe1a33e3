"""Per-sheet rules beyond the schema (units, quotas, phases, departments, tasks, targets, scoring).

``SHEET_RULES`` maps a table key to its rule; every rule has one signature,
``rule(data, typed, ctx, sink)``: the table as read, its values typed per column, the
validation context and the sink collecting problems. A new sheet's rule is one function and one
entry in the table.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from macros.core.grid import TableData
from macros.core.normalize import name_key, parse_quantity, suggest
from macros.core.pledge_returns import check_commitments
from macros.core.validate.common import SCORE_RANGE, WEIGHT_TOTAL, _Sink, _iso, _num_text
from macros.schema import OTHER_DEPARTMENTS, VOCABULARIES


def _rows_typed(data: TableData, typed: dict[str, list[Any]]) -> list[tuple[int, dict[str, Any]]]:
    rows = data.frame.index.tolist()
    keys = list(typed)
    return [(row, {k: typed[k][i] for k in keys}) for i, row in enumerate(rows)]


def _check_units(data: TableData, typed, ctx, sink: _Sink) -> None:
    frame = data.frame
    quota_categories = ctx.quota_categories
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


def _check_quota_rules(data: TableData, typed, ctx, sink: _Sink) -> None:
    for row, t in _rows_typed(data, typed):
        m = t.get("min_items")
        if m is not None and m < 0:
            sink.add("E109", "min_items", row, data.frame.at[row, "min_items"], None,
                     rule="最少报送数应为不小于 0 的整数")


def _check_leaders(data: TableData, typed, ctx, sink: _Sink) -> None:
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


def _check_scoring(data: TableData, typed, ctx, sink: _Sink) -> None:
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


def _check_grades(data: TableData, typed, ctx, sink: _Sink) -> None:
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


Rule = Callable[[TableData, dict[str, list[Any]], Any, _Sink], None]

SHEET_RULES: dict[str, Rule] = {
    "units": _check_units,
    "quota_rules": _check_quota_rules,
    "leaders": _check_leaders,
    "phases": _check_phases,
    "tasks": _check_tasks,
    "targets": _check_targets,
    "scoring_rules": _check_scoring,
    "grades": _check_grades,
    "commitments": check_commitments,  # 部室 of 承诺 in the roster (三比一争当)
}
