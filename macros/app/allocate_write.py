"""Write an allocation into 单位名册's 配额 (kexie allocate … --write MASTER).

Only the 配额 cells of the matched units change, through the master's usual safe save
(macros.adapters.safe_write via FileEngine.save: refused while the workbook is open or another
run holds its lock, refused when openpyxl would drop content, previous master kept in 备份/,
atomic replace). A unit of the weights file is matched to a roster row by 单位名称 or 单位编号
(normalised as validation compares names); one not found is a W802 problem with the closest
roster name as a suggestion, and is not written.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from macros.adapters.file_engine import FileEngine
from macros.adapters.xlsx_cells import set_cell
from macros.core.normalize import display_text, name_key
from macros.problems import Problem, problem
from macros.schema import TABLES, UNITS


@dataclass
class QuotaWrite:
    written: list[dict[str, Any]] = field(default_factory=list)  # unit, code, old, new, cell
    problems: list[Problem] = field(default_factory=list)


def plan_quota_write(allocation: Mapping[str, int], roster: list[tuple[int, dict[str, Any]]],
                     letter: str | None) -> QuotaWrite:
    """Which 配额 cell gets which number (pure): ``roster`` is (row, record) of 单位名册."""
    out = QuotaWrite()
    index: dict[str, tuple[int, dict[str, Any]]] = {}
    names = []
    for row, rec in roster:
        for key in ("name", "code"):
            text = display_text(rec.get(key))
            if text:
                index.setdefault(name_key(text), (row, rec))
        if display_text(rec.get("name")):
            names.append(display_text(rec.get("name")))
    for unit, count in allocation.items():
        hit = index.get(name_key(unit))
        if hit is None or letter is None:
            close = difflib.get_close_matches(unit, names, n=1, cutoff=0.5)
            out.problems.append(problem(
                "W802", sheet=UNITS.sheet, column=UNITS.column("quota").header, value=unit, unit=unit,
                count=count, suggestion=close[0] if close else None,
                hint=f"（是否为“{close[0]}”）" if close else ""))
            continue
        row, rec = hit
        out.written.append({"unit": display_text(rec.get("name")) or unit, "code": display_text(rec.get("code")),
                            "old": rec.get("quota"), "new": int(count), "cell": f"{letter}{row}"})
    return out


def write_quotas(master: str | Path, allocation: Mapping[str, int]) -> QuotaWrite:
    """Write ``allocation`` into the 配额 column of ``master`` (see the module doc)."""
    engine = FileEngine(master)
    data = engine.read_table(TABLES["units"])
    roster = [(int(r), rec) for r, rec in zip(data.frame.index.tolist(), data.frame.to_dict("records"))]
    plan = plan_quota_write(allocation, roster, data.letters.get("quota"))
    changed = [w for w in plan.written if w["old"] != w["new"]]
    if changed:
        ws = engine.workbook()[UNITS.sheet]
        for w in changed:
            set_cell(ws[w["cell"]], w["new"], "0")
        engine.save()
    return plan
