"""Department returns (部门报送表): who reports what, and how a returned form updates the
master. Pure: no I/O.

Who reports
-----------
On a task campaign every 牵头部门 of a 任务分工 row gets a form listing the tasks it leads; on
an indicator campaign every 责任部门 of a 指标 row gets a form listing its indicators. Names are
matched to 单位名册 as validation matches them (``name_key``); a name not in the roster gets no
form and is reported (W803, with the closest roster name as a suggestion).

Task updates
------------
Each form row names a task by 序号. A row for a task the department does not lead is rejected
(E803); a 序号 not in 任务分工 is rejected (E804); an unknown 状态 is rejected (E805). Accepted
rows set the task's 状态, 进展说明, 完成日期 and 材料 — a blank cell leaves the master's value —
and the first time 材料 arrive the task's 材料报送日期 becomes the form's date. Forms are applied
oldest first, so the latest report of a field wins. Rejected rows stay in the ledger as typed.

Indicator history
-----------------
Each form row gives an indicator's cumulative value at the end of the period (设置 报送期次,
stamped into the form). It becomes the 指标进度 row (指标, 期次, 本期实际值, 说明, 报送部门,
报送时间); a later form of the same department and period replaces its row. A row for an
indicator the department is not responsible for is rejected (E806). A period listed in 设置
已结束期次 is still recorded but warned (W804). 实际值 of 指标 is the value of the latest
period (periods ordered by :func:`period_key`; same period: latest report).

Relative deadlines
------------------
A task whose 截止日期 is blank and whose 时限要求 reads "活动结束后N日内" (or "…N天内") is due N
days after its 活动结束日期 (:func:`resolve_due`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Sequence

from macros.core.normalize import name_key
from macros.core.targets import completion
from macros.core.tasks import split_departments
from macros.problems import Problem, problem
from macros.schema import TASK_STATUSES

__all__ = [
    "DepartmentForm", "TaskApply", "apply_indicator_reports", "apply_task_updates", "department_forms",
    "latest_actuals", "period_key", "resolve_due",
]

_RELATIVE = re.compile(r"结束后\s*(\d+)\s*[日天]")
_PERIOD = re.compile(r"(\d{4})\s*年\s*(?:第\s*([1-4一二三四])\s*季度|([上下])半年|(\d{1,2})\s*月|(全年|年度))?")
_CN4 = {"一": 1, "二": 2, "三": 3, "四": 4}


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def resolve_due(rec: dict[str, Any]) -> date | None:
    """The task's 截止日期, or the one its 时限要求 gives from its 活动结束日期."""
    due = rec.get("due")
    if isinstance(due, date):
        return due
    m = _RELATIVE.search(_text(rec.get("due_rule")))
    end = rec.get("activity_end")
    if m and isinstance(end, date):
        return end + timedelta(days=int(m.group(1)))
    return None


def period_key(period: str) -> tuple[int, int]:
    """Sort key of a period name: (year, last month of the period); unknown text sorts first.

    2019年第3季度 → (2019, 9); 2019年上半年 → (2019, 6); 2019年10月 → (2019, 10); 2019年 → (2019, 12)."""
    m = _PERIOD.search(period or "")
    if not m:
        return (0, 0)
    year = int(m.group(1))
    if m.group(2):
        q = _CN4.get(m.group(2)) or int(m.group(2))
        return (year, q * 3)
    if m.group(3):
        return (year, 6 if m.group(3) == "上" else 12)
    if m.group(4):
        return (year, min(12, int(m.group(4))))
    return (year, 12)


@dataclass
class DepartmentForm:
    code: str
    name: str
    kind: str  # "tasks" or "indicators"
    rows: list[dict[str, Any]] = field(default_factory=list)  # the tasks or indicators it reports


def _roster_index(roster: Sequence[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    out = {}
    for u in roster:
        code, name = _text(u.get("code")), _text(u.get("name"))
        if code and name:
            out.setdefault(name_key(name), (code, name))
    return out


def department_forms(kind: str, rows: Sequence[dict[str, Any]], roster: Sequence[dict[str, Any]],
                     column: str) -> tuple[list[DepartmentForm], list[Problem]]:
    """One form per department named in ``column`` (lead of tasks / department of indicators)."""
    index = _roster_index(roster)
    names = [n for _k, (_c, n) in index.items()]
    forms: dict[str, DepartmentForm] = {}
    problems: list[Problem] = []
    sheet = "任务分工" if kind == "tasks" else "指标"
    header = "牵头部门" if kind == "tasks" else "责任部门"
    warned: set[str] = set()
    for rec in rows:
        for dept in split_departments(rec.get(column)):
            hit = index.get(name_key(dept))
            if hit is None:
                if name_key(dept) not in warned:
                    warned.add(name_key(dept))
                    close = difflib.get_close_matches(dept, names, n=1, cutoff=0.3)
                    problems.append(problem("W803", sheet=sheet, column=header, row=rec.get("_row"), value=dept,
                                            dept=dept, suggestion=close[0] if close else None,
                                            hint=f"是否为“{close[0]}”？" if close else "请先把它加入单位名册。"))
                continue
            code, name = hit
            forms.setdefault(code, DepartmentForm(code, name, kind)).rows.append(rec)
    order = {c: i for i, (c, _n) in enumerate(index.values())}
    return sorted(forms.values(), key=lambda f: order.get(f.code, 0)), problems


# --- tasks ----------------------------------------------------------------------------------------

@dataclass
class TaskApply:
    tasks: list[dict[str, Any]]  # 任务分工 rows after the update (schema keys; other keys kept)
    verdicts: list[tuple[int, bool, list[Problem]]] = field(default_factory=list)  # (form row, accepted, problems)
    changed: int = 0


def _leads(task: dict[str, Any], dept: str) -> bool:
    return name_key(dept) in {name_key(n) for n in split_departments(task.get("lead"))}


def judge_task_rows(tasks: Sequence[dict[str, Any]], dept: str, rows: Iterable[tuple[int, dict[str, Any]]],
                    file: str = "") -> list[tuple[int, bool, list[Problem]]]:
    """(form row, accepted, problems) of each row of one department's task form."""
    by_seq = {_text(t.get("seq")): t for t in tasks if _text(t.get("seq"))}
    out = []
    for row, rec in rows:
        seq = _text(rec.get("seq"))
        if not any(_text(rec.get(k)) for k in ("status", "progress", "done_on", "materials")):
            continue  # nothing reported on this task
        task = by_seq.get(seq)
        where = {"sheet": "报送", "row": row, "file": file}
        if task is None:
            out.append((row, False, [problem("E804", **where, value=seq, seq=seq, dept=dept)]))
        elif not _leads(task, dept):
            out.append((row, False, [problem("E803", **where, value=seq, seq=seq, dept=dept,
                                              task=_text(task.get("task")), lead=_text(task.get("lead")))]))
        elif _text(rec.get("status")) and _text(rec.get("status")) not in TASK_STATUSES:
            out.append((row, False, [problem("E805", **where, value=rec.get("status"), seq=seq,
                                              text=_text(rec.get("status")), choices="、".join(TASK_STATUSES))]))
        else:
            out.append((row, True, []))
    return out


def apply_task_updates(tasks: Sequence[dict[str, Any]],
                       reports: Iterable[tuple[date | None, dict[str, Any]]]) -> TaskApply:
    """Apply accepted form rows (oldest report first) to the 任务分工 rows (see the module doc).

    ``reports``: (date of the form, normalised row with seq/status/progress/done_on/materials)."""
    out = [dict(t) for t in tasks]
    by_seq = {_text(t.get("seq")): t for t in out if _text(t.get("seq"))}
    changed = 0
    for when, rec in reports:
        task = by_seq.get(_text(rec.get("seq")))
        if task is None:
            continue
        for key in ("status", "progress", "done_on", "materials"):
            value = rec.get(key)
            if _text(value) and task.get(key) != value:
                task[key] = value
                changed += 1
        if _text(rec.get("materials")) and task.get("materials_date") is None and when is not None:
            task["materials_date"] = when
            changed += 1
    return TaskApply(out, changed=changed)


# --- indicators -----------------------------------------------------------------------------------

def judge_indicator_rows(targets: Sequence[dict[str, Any]], dept: str, period: str, closed: Sequence[str],
                         rows: Iterable[tuple[int, dict[str, Any]]], file: str = ""
                         ) -> list[tuple[int, bool, list[Problem]]]:
    by_name = {name_key(_text(t.get("name"))): t for t in targets if _text(t.get("name"))}
    closed_keys = {name_key(c) for c in closed}
    out = []
    for row, rec in rows:
        if not _text(rec.get("value")) and not _text(rec.get("note")):
            continue
        where = {"sheet": "报送", "row": row, "file": file}
        t = by_name.get(name_key(_text(rec.get("name"))))
        responsible = t is not None and name_key(dept) in {name_key(n) for n in split_departments(t.get("department"))}
        if not responsible:
            out.append((row, False, [problem("E806", **where, value=rec.get("name"), name=_text(rec.get("name")),
                                              dept=dept)]))
            continue
        problems = []
        if name_key(period) in closed_keys:
            problems.append(problem("W804", **where, value=period, period=period, name=_text(rec.get("name"))))
        out.append((row, True, problems))
    return out


def apply_indicator_reports(history: Sequence[dict[str, Any]], reports: Iterable[dict[str, Any]]
                            ) -> list[dict[str, Any]]:
    """指标进度 after the reports (name, period, value, note, department, received_at), oldest first:
    a report replaces the row of the same indicator, period and department; others are kept."""
    rows = [dict(h) for h in history]
    index = {(name_key(_text(h.get("name"))), name_key(_text(h.get("period"))), name_key(_text(h.get("department")))): i
             for i, h in enumerate(rows)}
    for rep in reports:
        key = (name_key(_text(rep.get("name"))), name_key(_text(rep.get("period"))),
               name_key(_text(rep.get("department"))))
        if key in index:
            rows[index[key]] = {**rows[index[key]], **rep}
        else:
            index[key] = len(rows)
            rows.append(dict(rep))
    return rows


def latest_actuals(history: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """name_key(指标) → the value of its latest period (latest report within a period)."""
    best: dict[str, tuple[tuple[int, int], Any, int]] = {}
    for i, h in enumerate(history):
        if h.get("value") is None or _text(h.get("value")) == "":
            continue
        key = name_key(_text(h.get("name")))
        received = h.get("received_at")
        stamp = received.timestamp() if isinstance(received, datetime) else 0
        rank = (period_key(_text(h.get("period"))), stamp, i)
        if key not in best or rank > best[key][0]:
            best[key] = (rank, h.get("value"), i)
    return {k: v[1] for k, v in best.items()}


def period_progress(history: Sequence[dict[str, Any]], targets: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows of the indicator progress by period: one per 指标进度 row with a value, in 指标 order
    then period order; ``completion`` against the indicator's 目标值 (macros.core.targets)."""
    order = {name_key(t.name or ""): (i, t) for i, t in enumerate(targets)}
    rows = []
    for i, h in enumerate(history):
        value = h.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        pos, t = order.get(name_key(_text(h.get("name"))), (len(order), None))
        ratio, _done = completion(t.target, float(value), t.compare) if t is not None else (None, False)
        rows.append({"name": _text(h.get("name")), "period": _text(h.get("period")), "value": float(value),
                     "completion": ratio, "department": _text(h.get("department")) or None,
                     "_key": (pos, period_key(_text(h.get("period"))), i)})
    rows.sort(key=lambda r: r["_key"])
    for r in rows:
        r.pop("_key")
    return rows
