"""Department forms (部门报送表) as .xlsx: written with openpyxl, read back safely with calamine.

A form has the same parts as a unit's 报送表 (macros.adapters.xlsx_form): 填报说明, 报送 (the
department's tasks or indicators, identification columns locked, input columns unlocked, a
drop-down for 状态) and the very hidden ``_kexie`` sheet — campaign_id, unit_code, unit_name,
form_version (DEPT_FORM_VERSION), ``kind`` (``tasks`` / ``indicators``), ``period``, issued_at
and the token: the HMAC of macros.core.tokens over the department's code joined with the kind
and period, so a form cannot be turned into another department's, kind's or period's.

Reading reuses form_reader's byte checks (size, ZIP/XML bombs, encryption) before calamine
touches the file; identity is checked against the master's secret and roster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from macros.adapters.form_book import check_identity, meta_text, open_book, short_error
from macros.adapters.form_guard import _Reject
from macros.adapters.safe_write import replace_atomically
from macros.adapters.xlsx_form import (
    BOX, HINT_FONT, INPUT_FILL, LABEL_FONT, LOCKED_FILL, TEXT_FONT, TITLE_FONT, _protect, _set, write_meta_sheet,
)
from macros.core.grid import is_blank, locate_table
from macros.core.normalize import name_key
from macros.core.tokens import form_token
from macros.problems import problem
from macros.schema import (
    DEPT_COMMITMENT_FORM, DEPT_FORM_VERSION, DEPT_INDICATOR_FORM, DEPT_TASK_FORM, FORM_META_SHEET, TASK_STATUSES,
)

KINDS = {"tasks": DEPT_TASK_FORM, "indicators": DEPT_INDICATOR_FORM, "commitments": DEPT_COMMITMENT_FORM}
KIND_ZH = {"tasks": "任务进展", "indicators": "指标进度", "commitments": "承诺"}
HOW_TO = {
    "tasks": "2. 任务：填写状态（未开始、进行中、已完成）、进展说明、完成日期和材料；只填有变化的任务即可。",
    "indicators": "2. 指标：“本期实际值”填截至本期末的累计值，不是本期新增值；可在“说明”中注明依据。",
    "commitments": "2. 承诺：每行一项目标任务，写明具体措施（倒排时间的进度安排）、完成时限（如 2010年12月31日 或 "
                   "2010年12月底）和责任人；已有的承诺可以修改，空行不够可在表尾接着填。本表交回后即为本部室的全部承诺。",
}
HEADER_ROW = 4
DATE_LABEL = "填表日期"


def signed_unit(code: str, kind: str, period: str) -> str:
    """What the token signs in place of a unit code: the department, the kind and the period."""
    return f"{code}|{kind}|{period}"


def dept_token(secret: bytes, campaign_id: str, code: str, kind: str, period: str) -> str:
    return form_token(secret, campaign_id, signed_unit(code, kind, period), DEPT_FORM_VERSION)


@dataclass
class DeptFormSpec:
    campaign_id: str
    campaign_name: str
    kind: str
    code: str
    name: str
    period: str
    rows: list[dict[str, Any]]  # prefilled rows by the form table's keys
    token: str
    issued_at: datetime
    department: str | None = None  # the consolidating department (承办部门)
    deadline: date | None = None


def _info(ws, spec: DeptFormSpec) -> None:
    ws.column_dimensions["A"].width = 100
    lines = [
        (TITLE_FONT, f"{spec.campaign_name} · 部门报送表（{KIND_ZH[spec.kind]}）"),
        (TEXT_FONT, f"报送部门：{spec.name}" + ("" if spec.kind == "commitments" else
                                                 f"　　报送期次：{spec.period or '（未设置）'}")),
        (TEXT_FONT, "1. 请在“报送”工作表的白色单元格中填写；灰色的序号、名称等不能修改，也不要增删行或改动表头。"),
        (TEXT_FONT, HOW_TO[spec.kind]),
        (TEXT_FONT, "3. 本表只能报送本部门牵头（负责）的事项，内含本部门专用的校验码，请勿转给其他部门使用。"),
        (TEXT_FONT, f"4. 填好后交回{spec.department or '承办部门'}"
                    + (f"，截止日期 {spec.deadline.isoformat()}。" if spec.deadline else "。")),
    ]
    for r, (font, text) in enumerate(lines, start=1):
        _set(ws, f"A{r}", text, font=font, align=Alignment(wrap_text=True, vertical="top"))
    _protect(ws)


def _data(ws, spec: DeptFormSpec) -> None:
    table = KINDS[spec.kind]
    inputs = {c.key for c in table.columns if c.in_form}
    _set(ws, "A1", f"{spec.campaign_name} · {KIND_ZH[spec.kind]}", font=TITLE_FONT)
    _set(ws, "A2", "报送部门", font=LABEL_FONT)
    _set(ws, "B2", spec.name)
    _set(ws, "C2", "部门编号", font=LABEL_FONT)
    _set(ws, "D2", spec.code)
    if spec.kind != "commitments":
        _set(ws, "E2", "报送期次", font=LABEL_FONT)
        _set(ws, "F2", spec.period)
    _set(ws, "A3", DATE_LABEL, font=LABEL_FONT)
    ws["B3"].protection = Protection(locked=False)
    ws["B3"].number_format = "yyyy-mm-dd"
    _set(ws, "C3", "（可不填，空白按收到日期）", font=HINT_FONT)
    for j, col in enumerate(table.columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=j, value=col.header)
        cell.font, cell.border = LABEL_FONT, BOX
        ws.column_dimensions[cell.column_letter].width = col.width
    for i, rec in enumerate(spec.rows, start=HEADER_ROW + 1):
        for j, col in enumerate(table.columns, start=1):
            cell = ws.cell(row=i, column=j, value=rec.get(col.key))
            cell.border, cell.font = BOX, TEXT_FONT
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if col.format:
                cell.number_format = col.format
            elif isinstance(cell.value, (date, datetime)):
                cell.number_format = "yyyy-mm-dd"
            if col.key in inputs:
                cell.fill, cell.protection = INPUT_FILL, Protection(locked=False)
            else:
                cell.fill = LOCKED_FILL
    if spec.kind == "tasks" and spec.rows:
        col = [c.key for c in table.columns].index("status") + 1
        letter = ws.cell(row=HEADER_ROW, column=col).column_letter
        dv = DataValidation(type="list", formula1='"' + ",".join(TASK_STATUSES) + '"', allow_blank=True)
        dv.add(f"{letter}{HEADER_ROW + 1}:{letter}{HEADER_ROW + len(spec.rows)}")
        ws.add_data_validation(dv)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    _protect(ws, allow_format=True)


def _meta(ws, spec: DeptFormSpec) -> None:
    write_meta_sheet(ws, [("campaign_id", spec.campaign_id), ("unit_code", spec.code), ("unit_name", spec.name),
                          ("form_version", DEPT_FORM_VERSION), ("kind", spec.kind), ("period", spec.period),
                          ("token", spec.token), ("issued_at", spec.issued_at.isoformat(timespec="seconds"))])


def write_dept_form(path: Path, spec: DeptFormSpec) -> Path:
    wb = Workbook()
    wb.active.title = "填报说明"
    _info(wb.active, spec)
    _data(wb.create_sheet("报送"), spec)
    _meta(wb.create_sheet(FORM_META_SHEET), spec)
    wb.active = 1
    return replace_atomically(Path(path), wb.save)


# --- reading ----------------------------------------------------------------------------------

@dataclass
class DeptRead:
    meta: dict[str, Any] = field(default_factory=dict)
    kind: str | None = None
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (sheet row, raw record)
    form_date: Any = None
    problems: list = field(default_factory=list)


def is_dept_form_meta(meta: dict[str, Any]) -> bool:
    return str(meta.get("kind") or "").strip() in KINDS


def read_dept_form(data: bytes, name: str, expect, limits) -> DeptRead:
    """Check and read a department form's bytes; problems instead of exceptions."""
    out = DeptRead()
    try:
        with open_book(data, name, limits) as form:
            meta = out.meta = form.meta()
            out.kind = str(meta.get("kind") or "").strip()
            code, campaign = meta_text(meta.get("unit_code")), meta_text(meta.get("campaign_id"))
            period = meta_text(meta.get("period")) or ""
            if out.kind not in KINDS or not code or not campaign:
                raise _Reject(problem("E203", file=name, detail="_kexie 信息表缺少活动编号、部门编号或报送种类"))
            check_identity(meta, name=name, campaign_id=expect.campaign_id, secret=expect.secret,
                           key_file=expect.key_file, subject=signed_unit(code, out.kind, period),
                           bad_token=problem("E205", file=name, unit=code))
            if expect.units.get(name_key(code)) is None:
                raise _Reject(problem("E206", file=name, unit=code))
            grid = form.grid(form.data_sheet("报送"))
        table = locate_table(grid, KINDS[out.kind])
        if not table.found:
            raise _Reject(problem("E203", file=name, detail="找不到“报送”工作表的表头"))
        first = KINDS[out.kind].columns[0].key
        for row, rec in zip(table.frame.index.tolist(), table.frame.to_dict("records")):
            if rec.get(first) is not None and str(rec.get(first)).strip():
                out.rows.append((int(row), rec))
        if len(grid) >= 3 and len(grid[2]) >= 2:
            out.form_date = grid[2][1] if not is_blank(grid[2][1]) else None
    except _Reject as rej:
        out.problems.append(rej.problem)
    except Exception as exc:  # noqa: BLE001 - calamine's own errors: a damaged file
        out.problems.append(problem("E201", file=name, detail=short_error(exc)))
    return out


def form_rows(kind: str, items: Sequence[dict[str, Any]], history_value=None) -> list[dict[str, Any]]:
    """The prefilled rows of a department's form from its tasks / indicators (schema keys);
    commitment rows come ready-made (macros.core.pledge_returns.pledge_form_rows)."""
    if kind == "commitments":
        return [dict(r) for r in items]
    if kind == "tasks":
        return [{"seq": t.get("seq"), "task": t.get("task"), "due": t.get("due"), "status": t.get("status"),
                 "progress": t.get("progress"), "done_on": t.get("done_on"), "materials": t.get("materials")}
                for t in items]
    return [{"name": t.get("name"), "target": t.get("target"), "unit": t.get("unit"),
             "previous": history_value(t) if history_value else t.get("actual"), "value": None, "note": None}
            for t in items]
