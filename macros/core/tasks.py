"""Tasks (任务分工): department lists, "其他部室" expansion, overdue detection, workload per department.

Pure functions over plain values, no I/O.

Rules
-----
* 牵头部门 and 配合部门 hold one or more departments separated by any of
  ``schema.LIST_SEPARATORS`` (、，,；; and spaces). Names match the roster's 机关部室 after
  ``name_key`` (width, spaces, Traditional/Simplified, case); the roster's spelling is used.
* 配合部门 "其他部室" (seed 004: "其他部室配合") expands to every 机关部室 of the roster except
  the task's 牵头 departments, in roster order; departments named beside it are kept.
* A task is overdue when ``today`` is after its 截止日期 and its 状态 is not 已完成. The
  deadline day itself is not overdue; a task without a readable 截止日期 is never overdue.
* The per-department table counts the tasks each department leads and joins (after
  expansion) and how many of the tasks it leads are overdue. Departments of the roster come
  first in roster order, then departments named in tasks but missing from the roster.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Sequence

from macros.core.normalize import name_key
from macros.schema import LIST_SEPARATORS, OTHER_DEPARTMENTS

DONE_STATUS = "已完成"
_SPLIT = re.compile("[" + re.escape(LIST_SEPARATORS) + "\u3000]+")

__all__ = [
    "DONE_STATUS", "DepartmentLoad", "TaskResult", "department_loads", "evaluate_task",
    "expand_support", "is_overdue", "split_departments",
]


def split_departments(text: Any) -> list[str]:
    """The department names in a cell, in order, without blanks or repeats."""
    if text is None:
        return []
    out: list[str] = []
    seen: set[str] = set()
    for part in _SPLIT.split(str(text)):
        part = part.strip()
        if part and name_key(part) not in seen:
            seen.add(name_key(part))
            out.append(part)
    return out


def _canonical(name: str, roster: Sequence[str]) -> str | None:
    key = name_key(name)
    for dept in roster:
        if name_key(dept) == key:
            return dept
    return None


def expand_support(lead: Sequence[str], support: Sequence[str], departments: Sequence[str]) -> list[str]:
    """配合部门 with "其他部室" replaced by every roster department not leading the task.

    ``lead`` and ``support`` are names as split from the cells; ``departments`` are the roster's
    机关部室 in roster order. Names are returned in the roster's spelling when they match one.
    """
    lead_keys = {name_key(d) for d in lead}
    out: list[str] = []
    keys: set[str] = set()

    def add(name: str) -> None:
        k = name_key(name)
        if k not in keys and k not in lead_keys:
            keys.add(k)
            out.append(name)

    other_key = name_key(OTHER_DEPARTMENTS)
    for name in support:
        if name_key(name) == other_key:
            for dept in departments:
                add(dept)
        else:
            add(_canonical(name, departments) or name)
    return out


def is_overdue(due: date | None, status: str | None, today: date) -> bool:
    """After the deadline day and not 已完成."""
    return due is not None and today > due and (status or "").strip() != DONE_STATUS


@dataclass
class TaskResult:
    """One row of 任务分工 after evaluation."""

    seq: int | None
    task: str | None
    lead: list[str]  # 牵头部门, roster spelling where known
    support: list[str]  # 配合部门 with 其他部室 expanded
    support_text: str | None  # 配合部门 as written
    start: date | None
    due: date | None
    status: str | None
    overdue: bool
    days_overdue: int  # 0 when not overdue
    row: int | None = None  # worksheet row in 任务分工
    content: str | None = None
    progress: str | None = None
    materials_date: date | None = None
    unknown_departments: list[str] = field(default_factory=list)  # names not in the roster


def evaluate_task(record: dict[str, Any], departments: Sequence[str], today: date,
                  row: int | None = None) -> TaskResult:
    """Evaluate one typed 任务分工 record (schema keys) against the roster's 机关部室."""
    lead_raw = split_departments(record.get("lead"))
    support_raw = split_departments(record.get("support"))
    other_key = name_key(OTHER_DEPARTMENTS)
    unknown = [n for n in lead_raw + support_raw
               if name_key(n) != other_key and departments and _canonical(n, departments) is None]
    lead = [_canonical(n, departments) or n for n in lead_raw]
    support = expand_support(lead, support_raw, departments)
    due = record.get("due") if isinstance(record.get("due"), date) else None
    status = record.get("status")
    overdue = is_overdue(due, status, today)
    seq = record.get("seq")
    return TaskResult(
        seq=int(seq) if isinstance(seq, (int, float)) else None,
        task=record.get("task"), lead=lead, support=support, support_text=record.get("support"),
        start=record.get("start") if isinstance(record.get("start"), date) else None,
        due=due, status=status, overdue=overdue,
        days_overdue=(today - due).days if overdue and due else 0,
        row=row, content=record.get("content"), progress=record.get("progress"),
        materials_date=record.get("materials_date") if isinstance(record.get("materials_date"), date) else None,
        unknown_departments=unknown,
    )


@dataclass
class DepartmentLoad:
    department: str
    lead: int = 0  # tasks it leads
    join: int = 0  # tasks it supports (after 其他部室 expansion)
    overdue: int = 0  # overdue tasks it leads
    tasks_led: list[int] = field(default_factory=list)  # 序号
    tasks_joined: list[int] = field(default_factory=list)


def department_loads(tasks: Iterable[TaskResult], departments: Sequence[str]) -> list[DepartmentLoad]:
    """How many tasks each department leads and joins; roster departments first, in order."""
    loads: dict[str, DepartmentLoad] = {}
    for dept in departments:
        loads.setdefault(name_key(dept), DepartmentLoad(dept))
    for t in tasks:
        for dept in t.lead:
            load = loads.setdefault(name_key(dept), DepartmentLoad(dept))
            load.lead += 1
            load.overdue += int(t.overdue)
            if t.seq is not None:
                load.tasks_led.append(t.seq)
        for dept in t.support:
            load = loads.setdefault(name_key(dept), DepartmentLoad(dept))
            load.join += 1
            if t.seq is not None:
                load.tasks_joined.append(t.seq)
    return list(loads.values())
