"""Reader for department forms (部门报送表, macros.adapters.dept_form): a task or indicator
return of one 牵头/责任 department for one period, or the 承诺 of one 部室 (三比一争当).

Recognised by content: an .xlsx/.xls whose hidden ``_kexie`` sheet has ``kind`` tasks,
indicators or commitments (the last go to the ``commitments`` target,
macros.adapters.readers.department_pledges; their period is empty). The file's unit in the ledger is ``<部门编号>#<kind>#<期次>`` (:func:`ledger_unit`),
so a later form of the same department, kind and period supersedes the earlier one — and never
a unit's 报送表 or the department's other returns. Every row is kept in the ledger as typed;
the judging against the master (牵头, 责任部门, closed periods) and the update of 任务分工 and
指标进度 happen in the main process (macros.app.intake.departments) on the rows of files new to
the ledger, so a later hand edit of the master is never overwritten by an old report.
"""

from __future__ import annotations

from typing import Any

from macros.adapters.dept_form import KIND_ZH, KINDS, read_dept_form
from macros.adapters.form_reader import digest, file_mtime_ns
from macros.adapters.readers.base import Job, Probe, Read, ReadContext, Reader, register
from macros.app.intake.targets import Target, Validated, register_target
from macros.core.intake import json_value, problem_json
from macros.core.normalize import coerce, name_key
from macros.schema import FORM_META_SHEET

SEP = "#"


def ledger_unit(code: str, kind: str, period: str) -> str:
    return SEP.join((code, kind, period))


def is_department_unit(unit_code: str | None) -> bool:
    return bool(unit_code) and SEP in unit_code and unit_code.split(SEP)[1] in KINDS


def split_unit(unit_code: str) -> tuple[str, str, str]:
    code, kind, period = (unit_code.split(SEP, 2) + ["", ""])[:3]
    return code, kind, period


def _json(v: Any) -> Any:
    return json_value(v)


class DepartmentFormReader(Reader):
    kind = "department"
    label = "部门报送表"
    target = "departments"
    priority = 50  # before the unit form reader, which would call the file foreign

    def recognise(self, probe: Probe) -> bool:
        if probe.suffix not in (".xlsx", ".xlsm"):
            return False
        # Only the small _kexie sheet is looked at (and the shared strings when it uses them),
        # never the data sheets: every unit form in the inbox passes through here.
        part = probe.sheet_parts.get(FORM_META_SHEET)
        if part is None:
            return False
        text = probe.zip_member(part, 1 << 20)
        if b't="s"' in text:  # strings kept apart (Excel, WPS or LibreOffice saved the form)
            text += probe.zip_member("xl/sharedStrings.xml", 1 << 20)
        return b">kind<" in text and any(b">" + k.encode() + b"<" in text for k in KINDS)

    def read(self, job: Job, ctx: ReadContext) -> Read:
        data = job.path.read_bytes()
        out = Read(job.path, self.kind, target=self.target, sha256=digest(data), size=len(data),
                   mtime_ns=file_mtime_ns(job.path), source={"file": job.path.name})
        dr = read_dept_form(data, job.path.name, ctx.expect, ctx.limits)
        out.meta = {k: dr.meta.get(k) for k in ("campaign_id", "form_version", "issued_at", "kind", "period")}
        out.problems = list(dr.problems)
        if dr.problems:
            return out
        code, name = ctx.expect.units[name_key(str(dr.meta.get("unit_code")).strip())]
        period = str(dr.meta.get("period") or "").strip()
        out.unit_code = ledger_unit(code, dr.kind, period)
        out.unit_name = f"{name}（{KIND_ZH[dr.kind]}{'·' + period if period else ''}）"
        if dr.kind == "commitments":
            out.target, out.meta["department"] = PLEDGE_TARGET, name
        for row, rec in dr.rows:
            out.rows.append(row)
            out.records.append({k: rec.get(k) for k in KINDS[dr.kind].keys})
        if not out.records:
            from macros.problems import problem

            out.problems.append(problem("E211", file=job.path.name))
        out.meta["form_date"] = dr.form_date
        if dr.form_date is not None:
            from macros.core.normalize import parse_date

            out.submitted_on = parse_date(dr.form_date, default_year=ctx.expect.year)
        return out


register(DepartmentFormReader())
PLEDGE_TARGET = "commitments"  # macros.adapters.readers.department_pledges registers it


def validate_department_rows(read: Read, setup) -> Any:
    """The ledger rows of a department form: every row kept as typed (judged later, see the
    module doc); ``normalised`` holds the typed values by schema keys."""
    kind = (read.meta or {}).get("kind")
    table = KINDS[kind]
    header = {c.key: c.header for c in table.columns}
    rows = []
    for sheet_row, raw in zip(read.rows, read.records):
        values = {}
        for col in table.columns:
            c = coerce(col.type, raw.get(col.key), default_year=getattr(setup.vctx, "year", None))
            values[col.key] = _json(c.value if c.ok else raw.get(col.key))
        rows.append({"sheet_row": sheet_row, "accepted": True,
                     "original": {header[k]: _json(v) for k, v in raw.items()},
                     "problems": [], "normalised": values, "title_key": None})

    return Validated(rows, [problem_json(p) for p in read.problems], len(rows))


def _register_target() -> None:
    register_target(Target("departments", validate_department_rows))


_register_target()
import macros.adapters.readers.department_pledges  # noqa: E402,F401 - registers the commitments target
