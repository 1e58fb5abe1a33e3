"""Reader for kexie's own returned forms (报送表, .xlsx/.xlsm/.xls): ``form_reader.read_form``
checks the bytes and the identity; the records are the 报送 table's rows by FORM keys."""

from __future__ import annotations

from macros.adapters.form_reader import read_form
from macros.adapters.readers.base import Job, Probe, Read, ReadContext, Reader, register

FORM_SUFFIXES = (".xlsx", ".xlsm", ".xls")


class FormReader(Reader):
    kind = "form"
    label = "报送表"
    priority = 90  # the fallback for spreadsheet names: read_form says what else a file is

    def recognise(self, probe: Probe) -> bool:
        return probe.suffix in FORM_SUFFIXES

    def read(self, job: Job, ctx: ReadContext) -> Read:
        fr = read_form(job.path, ctx.expect, ctx.limits)
        meta = {k: v for k, v in fr.meta.items() if not k.startswith("_")}
        out = Read(job.path, self.kind, sha256=fr.sha256, size=fr.size, mtime_ns=fr.mtime_ns, meta=meta,
                   unit_code=fr.unit_code, unit_name=fr.unit_name, problems=list(fr.problems),
                   source={"file": job.path.name, **({"message_id": job.hints["message_id"]}
                                                     if job.hints.get("message_id") else {})})
        if fr.rejected or fr.data is None:
            return out
        submitted_on, date_warnings = fr.submitted_on()
        out.submitted_on = submitted_on
        out.problems += date_warnings
        out.frame = fr.data
        out.rows = [int(r) for r in fr.data.index]
        out.records = fr.data.records()
        return out


register(FormReader())
