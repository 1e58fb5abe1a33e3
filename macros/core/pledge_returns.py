"""承诺报送表 (三比一争当, 定目标亮承诺): who gets a form, how a returned form's rows are judged,
and how they update 承诺. Pure: no I/O.

Who gets a form
---------------
Every 部室 of 单位名册 — the units of category 机关部室, or every unit when none has that
category (:func:`pledge_departments`). Its form lists the 承诺 rows it already has, then blank
rows to add its own; 序号 and 部室 are prefilled on every row.

Judging a returned row (:func:`judge_pledge_rows`)
--------------------------------------------------
A row where none of 目标任务, 具体措施, 完成时限, 责任人 is filled is an unused row and is not
read. Otherwise: a 部室 cell naming another roster 部室 → rejected (E851); naming no roster
unit → rejected (E850, with the closest roster name); a blank 目标任务 → rejected (E852). An
accepted row's 完成时限 is read as a date (full-width digits, "2010年12月31日", "2010-12-31",
"2010年12月底", "12月中旬", "年底" …: :func:`parse_due`); text that is not a plain date is also
kept as typed in 时限说明; an unreadable one is a warning (W851) and one after the campaign's
截止日期 is a warning (W852), both naming the cell. Names match as everywhere (``name_key``:
full-width, Traditional characters).

Updating 承诺 (:func:`merge_pledges`)
------------------------------------
A returned form is the 部室's list of commitments. Its rows replace the 部室's rows that came
from an earlier form and the hand-typed rows with the same 目标任务 (matched by ``name_key``);
the clerk's columns of a replaced row (完成情况, 完成日期, 审核意见, 备注) are kept. A hand-typed
row whose 目标任务 is not on the form is kept as it is. A row of an earlier form that is not on
the new one is removed — unless the clerk has filled one of its columns: then it stays, its
来源 says it was withdrawn, and a warning names it (W853). The 部室's rows stand where its first
row stood (at the end for a 部室 new to 承诺); other 部室's rows are not touched.
"""

from __future__ import annotations

import calendar
import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Sequence

from macros.core.normalize import (
    clean_text, name_key, nfkc, parse_date, parse_int, text_or_blank, to_simplified,
)
from macros.problems import Problem, problem

__all__ = [
    "DEPT_KEYS", "STAFF_KEYS", "PledgeRow", "judge_pledge_rows", "merge_pledges", "parse_due",
    "missing_pledges", "pledge_departments", "pledge_form_rows",
]

DEPARTMENT_CATEGORY = "机关部室"
DEPT_KEYS = ("goal", "measures", "due", "due_text", "owner")  # what the 部室 returns
STAFF_KEYS = ("status", "done_on", "review", "note")  # what the clerk fills; kept on re-submission
TYPED_KEYS = ("goal", "measures", "due", "owner")  # a form row counts when one of these is filled
FORM_COLUMNS = ("seq", "department", "goal", "measures", "due", "owner")  # the form's column order
WITHDRAWN = "已撤回"

_PART = {"底": 0, "末": 0, "下旬": 0, "": 0, "份": 0, "内": 0, "中旬": 15, "上旬": 10, "初": 5}
_MONTH = re.compile(r"(?:(\d{4})年)?(\d{1,2}|[一二三四五六七八九十]{1,3})月(底|末|下旬|中旬|上旬|初|份|内|)(?:前|以前|之前|完成|止)?")
_YEAR = re.compile(r"(?:(\d{4})年)?(?:年)?(底|末|内|年底|年末|年内)(?:前|以前|之前|完成|止)?")



def parse_due(value: Any, default_year: int | None = None) -> tuple[date | None, str | None]:
    """(the date of a 完成时限, the text to keep in 时限说明 or None).

    A date cell or a plain date text gives its date and no text; "2010年12月底" gives
    2010-12-31 and the text; unreadable text gives (None, text)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, (date, datetime)):
        return (value.date() if isinstance(value, datetime) else value), None
    plain = parse_date(value, default_year=default_year)
    if plain is not None:
        return plain, None
    typed = clean_text(text_or_blank(value))[0]
    s = re.sub(r"\s+", "", to_simplified(nfkc(typed)))
    m = _MONTH.fullmatch(s)
    if m:
        year = int(m.group(1)) if m.group(1) else default_year
        month = parse_int(m.group(2))
        if year is not None and month is not None and 1 <= month <= 12:
            day = _PART[m.group(3)] or calendar.monthrange(year, month)[1]
            return date(year, month, day), typed
    m = _YEAR.fullmatch(s)
    if m and (m.group(1) or default_year):
        return date(int(m.group(1)) if m.group(1) else int(default_year), 12, 31), typed
    return None, typed


def pledge_departments(units: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """(code, name) of the 部室 that return 承诺, in roster order (see the module doc)."""
    rows = [(text_or_blank(u.get("code")), text_or_blank(u.get("name")), text_or_blank(u.get("category"))) for u in units]
    rows = [r for r in rows if r[0] and r[1]]
    chosen = [r for r in rows if name_key(r[2]) == name_key(DEPARTMENT_CATEGORY)] or rows
    seen: set[str] = set()
    out = []
    for code, name, _cat in chosen:
        if name_key(name) not in seen:
            seen.add(name_key(name))
            out.append((code, name))
    return out


def unknown_departments(commitments: Iterable[dict[str, Any]], names: Sequence[str]) -> list[Problem]:
    """W850 for each 部室 of 承诺 not in the roster (once per name, with the closest name)."""
    keys = {name_key(n) for n in names}
    out, seen = [], set()
    for rec in commitments:
        dept = text_or_blank(rec.get("department"))
        if not dept or name_key(dept) in keys or name_key(dept) in seen:
            continue
        seen.add(name_key(dept))
        close = difflib.get_close_matches(dept, list(names), n=1, cutoff=0.3)
        out.append(problem("W850", sheet="承诺", column="部室", row=rec.get("_row"), value=dept, dept=dept,
                           suggestion=close[0] if close else None,
                           hint=f"是否为“{close[0]}”？" if close else "请先把它加入单位名册。"))
    return out


def pledge_form_rows(commitments: Iterable[dict[str, Any]], dept: str, blank: int) -> list[dict[str, Any]]:
    """The rows of a 部室's form: its 承诺 rows, then ``blank`` empty rows; 序号 and 部室 on all."""
    own = [r for r in commitments if name_key(text_or_blank(r.get("department"))) == name_key(dept) and text_or_blank(r.get("goal"))]
    rows = [{"department": dept, "goal": text_or_blank(r.get("goal")), "measures": text_or_blank(r.get("measures")) or None,
             "due": text_or_blank(r.get("due_text")) or r.get("due"), "owner": text_or_blank(r.get("owner")) or None} for r in own]
    rows += [{"department": dept} for _ in range(blank)]
    for i, r in enumerate(rows, start=1):
        r["seq"] = i
    return rows


def missing_pledges(units: Iterable[dict[str, Any]], commitments: Iterable[dict[str, Any]]
                    ) -> tuple[list[str], list[str]]:
    """(the 部室 that return 承诺, those of them with no 承诺 row yet — returned or typed in)."""
    names = [n for _c, n in pledge_departments(units)]
    have = {name_key(text_or_blank(r.get("department"))) for r in commitments if text_or_blank(r.get("goal"))}
    return names, [d for d in names if name_key(d) not in have]


# --- judging a returned form ----------------------------------------------------------------------

@dataclass
class PledgeRow:
    row: int
    accepted: bool
    values: dict[str, Any] = field(default_factory=dict)  # by 承诺 keys (department, goal, …)
    problems: list[Problem] = field(default_factory=list)


def _cell(key: str, row: int) -> str:
    return f"{chr(ord('A') + FORM_COLUMNS.index(key))}{row}"


def _dept_problem(own: str, typed: str, roster: Sequence[str], where: dict[str, Any]) -> Problem | None:
    if not typed or name_key(typed) == name_key(own):
        return None
    hit = next((n for n in roster if name_key(n) == name_key(typed)), None)
    where = {**where, "cell": _cell("department", where["row"])}
    if hit is not None:
        return problem("E851", **where, column="部室", value=typed, dept=own, other=hit)
    close = difflib.get_close_matches(typed, list(roster), n=1, cutoff=0.3)
    return problem("E850", **where, column="部室", value=typed, dept=typed, suggestion=close[0] if close else None,
                   hint=f"，是否为“{close[0]}”？" if close else "。")


def judge_pledge_rows(own: str, roster: Sequence[str], rows: Iterable[tuple[int, dict[str, Any]]],
                      default_year: int | None = None, end: date | None = None, file: str = "") -> list[PledgeRow]:
    """Each filled row of ``own``'s returned form, judged (see the module doc)."""
    out = []
    for row, rec in rows:
        if not any(text_or_blank(rec.get(k)) for k in TYPED_KEYS):
            continue  # an unused blank row
        where = {"sheet": "报送", "row": row, "file": file}
        bad = _dept_problem(own, clean_text(text_or_blank(rec.get("department")))[0], roster, where)
        if bad is None and not text_or_blank(rec.get("goal")):
            bad = problem("E852", **where, cell=_cell("goal", row), column="目标任务")
        if bad is not None:
            out.append(PledgeRow(row, False, problems=[bad]))
            continue
        due, due_text = parse_due(rec.get("due"), default_year)
        problems = []
        if due is None and due_text:
            problems.append(problem("W851", **where, cell=_cell("due", row), column="完成时限", value=due_text,
                                    text=due_text))
        elif due is not None and end is not None and due > end:
            problems.append(problem("W852", **where, cell=_cell("due", row), column="完成时限", value=due.isoformat(),
                                    due=due.isoformat(), end=end.isoformat()))
        values = {"department": own, "due": due, "due_text": due_text}
        for key in ("goal", "measures", "owner"):
            values[key] = clean_text(text_or_blank(rec.get(key)))[0] or None
        out.append(PledgeRow(row, True, values, problems))
    return out


# --- updating 承诺 -----------------------------------------------------------------------------------

@dataclass
class Merged:
    rows: list[dict[str, Any]]
    withdrawn: list[tuple[str, list[str]]] = field(default_factory=list)  # (目标任务, clerk columns filled)
    changed: bool = False


def merge_pledges(existing: Sequence[dict[str, Any]], dept: str, returned: Sequence[dict[str, Any]],
                  source: str) -> Merged:
    """承诺 after ``dept``'s returned rows (values of accepted rows, in form order); see the module doc."""
    mine = [i for i, r in enumerate(existing) if name_key(text_or_blank(r.get("department"))) == name_key(dept)]
    by_goal: dict[str, list[int]] = {}
    for i in mine:
        by_goal.setdefault(name_key(text_or_blank(existing[i].get("goal"))), []).append(i)
    used: set[int] = set()
    block = []
    for values in returned:
        hits = [i for i in by_goal.get(name_key(text_or_blank(values.get("goal"))), []) if i not in used]
        old = dict(existing[hits[0]]) if hits else {}
        if hits:
            used.add(hits[0])
        block.append({**old, **{k: values.get(k) for k in DEPT_KEYS}, "department": dept, "source": source})
    withdrawn = []
    for i in mine:
        if i in used:
            continue
        old = dict(existing[i])
        if not text_or_blank(old.get("source")):
            block.append(old)  # typed by hand: the clerk's, kept
            continue
        filled = [k for k in STAFF_KEYS if text_or_blank(old.get(k))]
        if filled:
            if WITHDRAWN not in text_or_blank(old.get("source")):
                old["source"] = f"{text_or_blank(old.get('source'))}（{WITHDRAWN}）"
                withdrawn.append((text_or_blank(old.get("goal")), filled))
            block.append(old)
    at = mine[0] if mine else len(existing)
    rows = [dict(r) for i, r in enumerate(existing) if i not in set(mine) and i < at] + block + \
        [dict(r) for i, r in enumerate(existing) if i not in set(mine) and i >= at]
    return Merged(rows, withdrawn, changed=rows != [dict(r) for r in existing])


# --- validation of the 承诺 sheet (a rule of macros.core.validate.sheets) --------------------------

def check_commitments(data, typed, ctx, sink) -> None:
    """W850 for a 部室 of 承诺 that is not in the roster (with the closest name)."""
    names = list(ctx.departments.values()) or list(ctx.unit_names)
    keys = {name_key(n) for n in names}
    for i, row in enumerate(data.frame.index.tolist()):
        dept = text_or_blank((typed.get("department") or [None] * (i + 1))[i])
        if not dept or name_key(dept) in keys:
            continue
        close = difflib.get_close_matches(dept, names, n=1, cutoff=0.3)
        sink.add("W850", "department", row, dept, close[0] if close else None, dept=dept,
                 hint=f"是否为“{close[0]}”？" if close else "请先把它加入单位名册。")
