"""Use case: split a city-wide target over units by weight (kexie allocate).

``kexie allocate --total N --weights FILE [--floor K] [--cap K] [--json]``

The weights file is an ``.xlsx`` (also .xlsm/.xls; the first sheet holding the header) or a
``.csv`` in UTF-8 (with or without BOM; a GBK file is read with a warning). Its columns
(macros.schema.WEIGHTS): 单位 — a unit's name or code — or 单位名称/单位编号 as in 单位名册, and
权重. A campaign workbook works too: its 单位名册 has 单位名称, 单位编号 and 权重.

The rule and its tie-break are documented in macros.core.allocate. Output:
``{"allocation": {unit: int}, "total": int}`` — units as written in the file, in file order —
plus ``floor``, ``cap`` and ``problems``.

Exit codes: 0 allocated, file clean; 1 allocated over the readable rows, but rows were skipped
(bad or negative weight, duplicate or missing unit — each a coded problem with its cell);
2 the file cannot be read, or the request is impossible (floor × units > N, cap × units < N,
floor > cap…: problem codes E310–E316, with ``allocation`` empty and ``total`` 0).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from macros.app.allocate_write import write_quotas
from macros.app.result import CommandResult
from macros.core.allocate import AllocationError, Share, allocate
from macros.core.grid import TableData, locate_table, row_records
from macros.core.normalize import display_text, name_key, parse_number
from macros.errors import ConfigError, Exit
from macros.problems import Problem, problem
from macros.schema import WEIGHTS

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


@dataclass
class WeightRows:
    shares: list[Share] = field(default_factory=list)
    labels: dict[Any, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sheet: str = ""


def _grids(path: Path) -> tuple[list[tuple[str, list[list[Any]]]], list[Problem]]:
    """(sheet name, grid) pairs of the file, and encoding warnings."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = path.read_bytes()
        warnings: list[Problem] = []
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise ConfigError(f"权重表“{path.name}”不是 UTF-8 编码的 CSV 文件，无法读取。") from exc
            warnings.append(problem("W320", sheet=path.name, file=path.name))
        rows = list(csv.reader(io.StringIO(text, newline="")))
        return [(path.name, rows)], warnings
    if suffix in EXCEL_SUFFIXES:
        from python_calamine import CalamineWorkbook

        try:
            book = CalamineWorkbook.from_path(str(path))
            return [(name, book.get_sheet_by_name(name).to_python(skip_empty_area=False))
                    for name in book.sheet_names], []
        except Exception as exc:  # calamine raises its own error types
            raise ConfigError(f"无法读取权重表“{path.name}”：{exc}") from exc
    raise ConfigError(f"权重表应为 .xlsx 或 .csv 文件：{path.name}")


def _usable(data: TableData) -> bool:
    return data.found and "weight" in data.letters and any(k in data.letters for k in ("unit", "name", "code"))


def read_weights(path: str | Path) -> WeightRows:
    """Read and check the weights file; bad rows become problems and are left out."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"找不到权重表：{path}")
    grids, warnings = _grids(path)
    found: tuple[str, TableData] | None = None
    for name, grid in grids:
        data = locate_table(grid, WEIGHTS)
        if _usable(data):
            found = (name, data)
            break
    if found is None:
        raise ConfigError(problem("E301", file=path.name).message + "（E301）")
    sheet, data = found
    out = WeightRows(problems=list(warnings), sheet=sheet)
    label_key = next(k for k in ("unit", "name", "code") if k in data.letters)
    seen: dict[str, int] = {}
    for row, rec in row_records(data.frame):
        label = display_text(rec.get(label_key))
        raw_weight = rec.get("weight")

        def ref(key: str) -> dict[str, Any]:
            letter = data.letters.get(key)
            return {"sheet": sheet, "cell": f"{letter}{row}" if letter else None, "row": row,
                    "column": WEIGHTS.column(key).header}

        if label is None:
            if raw_weight is not None:
                out.problems.append(problem("E305", **ref("weight"), value=raw_weight, text=display_text(raw_weight)))
            continue
        weight = parse_number(raw_weight) if raw_weight is not None else None
        if weight is None:
            out.problems.append(problem("E302", **ref("weight"), value=raw_weight, unit=label,
                                        text=display_text(raw_weight) or "（空白）"))
            continue
        if weight < 0:
            out.problems.append(problem("E303", **ref("weight"), value=raw_weight, unit=label,
                                        text=f"{weight:g}"))
            continue
        key = name_key(label)
        if key in seen:
            out.problems.append(problem("E304", **ref(label_key), value=label, text=label, other_row=seen[key]))
            continue
        seen[key] = row
        sort_key = display_text(rec.get("code")) or label
        out.shares.append(Share(key=label, weight=weight, sort_key=sort_key))
        out.labels[label] = label
    return out


def allocate_command(total: int, weights: Path, floor: int = 0, cap: int | None = None,
                     write: Path | None = None) -> CommandResult:
    """``kexie allocate``: split ``total`` over the units of the weights table ``weights``;
    ``write``: a master whose 单位名册 配额 receives the allocation (macros.app.allocate_write)."""
    rows = read_weights(weights)
    problems = list(rows.problems)
    data: dict[str, Any] = {"allocation": {}, "total": 0, "requested": total, "floor": floor, "cap": cap}
    try:
        parts = allocate(rows.shares, total, floor, cap)
    except AllocationError as exc:
        fields = {"total": total, "floor": floor, "cap": cap if cap is not None else "不限",
                  "units": len(rows.shares), **exc.fields}
        fields.setdefault("need", floor * len(rows.shares))
        fields.setdefault("most", (cap or 0) * len(rows.shares))
        p = problem(exc.code, sheet=rows.sheet, **{k: v for k, v in fields.items()
                                                  if k not in ("sheet", "cell", "row", "column", "value")})
        problems.append(p)
        data["problems"] = [x.to_json() for x in problems]
        data["error"] = p.message
        return CommandResult(data=data, exit_code=Exit.USAGE,
                             lines=[f"无法分配（{p.code}）：{p.message}"] + _problem_lines(problems[:-1]))
    data["allocation"] = {str(k): v for k, v in parts.items()}
    data["total"] = sum(parts.values())
    data["problems"] = [x.to_json() for x in problems]
    lines = [f"按权重分配 {total}（最大余额法" + (f"，保底 {floor}" if floor else "")
             + (f"，上限 {cap}" if cap is not None else "") + "）："]
    lines += [f"  {k}\t{v}" for k, v in parts.items()]
    lines.append(f"  合计\t{sum(parts.values())}")
    if write:
        lines += _write_lines(str(write), parts, data, problems)
    lines += _problem_lines(problems)
    errors = any(p.level == "error" for p in problems)
    return CommandResult(data=data, exit_code=Exit.DATA_PROBLEMS if errors else Exit.OK, lines=lines)


def _write_lines(master: str, parts: dict, data: dict[str, Any], problems: list[Problem]) -> list[str]:
    """Write the allocation into the master's 配额 (macros.app.allocate_write) and say what changed."""
    plan = write_quotas(master, {str(k): v for k, v in parts.items()})
    problems.extend(plan.problems)
    data["written"] = [{k: w[k] for k in ("unit", "code", "new", "cell")} for w in plan.written]
    data["master"] = str(master)
    changed = [w for w in plan.written if w["old"] != w["new"]]
    lines = [f"已把 {len(plan.written)} 个单位的分配结果写入“{Path(master).name}”的“单位名册”配额列"
             f"（{len(changed)} 个有变化，原文件已备份）。" if changed else
             f"“{Path(master).name}”的“单位名册”配额与分配结果一致，未改动。"]
    data["problems"] = [x.to_json() for x in problems]
    return lines


def _problem_lines(problems: list[Problem]) -> list[str]:
    if not problems:
        return []
    out = [f"权重表中有 {len(problems)} 个问题："]
    for p in problems:
        where = f"{p.sheet}!{p.cell}" if p.cell else (p.sheet or "")
        out.append(f"  [{p.code}] {where}：{p.message}")
    return out
