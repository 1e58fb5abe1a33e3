"""Check the rows of a returned score form against the assignment and the criteria.

Pure, no I/O. A row (编号 + one value per criterion) is accepted when every criterion holds a
number from 0 to its 满分; otherwise it is rejected with a code and the cell:

* E605 — the 编号 is not assigned to this reviewer in 评审分配 (a form edited, or an old form);
* W607 — the entry no longer takes part (not a valid row of 征集明细 any more);
* E609 — the same 编号 twice in one form (the first row counts);
* E604 — a value that is not a number, or below 0;
* E603 — a value above the criterion's 满分;
* E606 — some criteria filled, others blank.

A row with every criterion blank is not scored yet: W603 once per such entry assigned to the
reviewer (an entry missing from the form altogether gets the same warning).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from macros.core.normalize import parse_number
from macros.problems import Problem, problem
from macros.schema import REVIEW_FORM_SHEET


@dataclass
class ScoreRow:
    item_id: str
    points: dict[str, float]
    total: float
    comment: str | None
    sheet_row: int


@dataclass
class Intake:
    accepted: list[ScoreRow] = field(default_factory=list)
    rejected: list[tuple[dict[str, Any], list[Problem]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # every problem, in row order


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return parse_number(value)


def _check_points(row: Mapping[str, Any], criteria: Sequence[tuple[str, float]]) -> tuple[dict[str, float], list[Problem]]:
    points: dict[str, float] = {}
    out: list[Problem] = []
    blank = []
    for name, mx in criteria:
        raw = row["points"].get(name)
        where = {"sheet": REVIEW_FORM_SHEET, "cell": row["cells"].get(name), "row": row["sheet_row"], "column": name}
        if raw is None:
            blank.append(name)
            continue
        v = _number(raw)
        if v is None or v < 0:
            out.append(problem("E604", **where, value=raw, text=str(raw), max=f"{mx:g}"))
        elif v > mx + 1e-9:
            out.append(problem("E603", **where, value=raw, text=f"{v:g}", max=f"{mx:g}"))
        else:
            points[name] = v
    if blank and len(blank) < len(criteria):
        out.append(problem("E606", sheet=REVIEW_FORM_SHEET, cell=row["cells"].get(blank[0]), row=row["sheet_row"],
                           item_id=row["item_id"], columns="、".join(blank)))
    return points, out


def check_rows(reviewer: str, rows: Iterable[Mapping[str, Any]], assigned: set[str], active: set[str],
               criteria: Sequence[tuple[str, float]]) -> Intake:
    """Accepted and rejected rows of one reviewer's form (module doc)."""
    intake = Intake()
    seen: dict[str, int] = {}
    scored: set[str] = set()
    for row in rows:
        e = row["item_id"]
        where = {"sheet": REVIEW_FORM_SHEET, "cell": row["cells"].get("item_id"), "row": row["sheet_row"],
                 "column": "编号", "value": e}
        found: list[Problem] = []
        if e in seen:
            found.append(problem("E609", **where, item_id=e, first=seen[e]))
        elif e not in assigned:
            found.append(problem("E605", **where, item_id=e, reviewer=reviewer))
        elif e not in active:
            found.append(problem("W607", **where, item_id=e, reviewer=reviewer))
        seen.setdefault(e, row["sheet_row"])
        if not found:
            if all(row["points"].get(name) is None for name, _mx in criteria):
                continue  # not scored yet: W603 below
            points, found = _check_points(row, criteria)
            if not found:
                total = sum(points.values())
                intake.accepted.append(ScoreRow(e, points, total, row.get("comment"), row["sheet_row"]))
                scored.add(e)
                continue
        intake.rejected.append((dict(row), found))
        intake.problems += found
    for e in sorted(assigned & active - scored - {r[0]["item_id"] for r in intake.rejected}):
        intake.problems.append(problem("W603", sheet=REVIEW_FORM_SHEET, reviewer=reviewer, item_id=e))
    return intake
