"""Reader for reviewers' score forms (评分表): recognised by the form's own markers.

A score form carries ``kexie-review-form`` in its document properties and the sheets 评分 and
_kexie; its target ``review_scores`` has a stage of its own (``macros.app.review_collect``):
score forms are checked against 评审分配 and 评审标准 and recorded in the review tables of the
ledger, not in 征集明细. ``read`` hands back the form's identity and raw rows for callers that
want them (the stage reads the files itself, in the main process, with the master's lists).
"""

from __future__ import annotations

from macros.adapters.form_reader import digest
from macros.adapters.inbox import stat_or_none
from macros.adapters.readers.base import Job, Probe, Read, ReadContext, Reader, register
from macros.adapters.review_form import PROPERTY_MARKER
from macros.schema import FORM_META_SHEET, REVIEW_FORM_KIND, REVIEW_FORM_SHEET

REVIEW_TARGET = "review_scores"
_SHEET = f'name="{REVIEW_FORM_SHEET}"'.encode("utf-8")
_META = f'name="{FORM_META_SHEET}"'.encode("utf-8")


class ReviewFormReader(Reader):
    kind = "review_form"
    label = "评审专家评分表"
    target = REVIEW_TARGET
    priority = 50  # before the units' forms (90)

    def recognise(self, probe: Probe) -> bool:
        if probe.suffix not in (".xlsx", ".xlsm", ".xls"):
            return False
        if probe.is_zip:
            if PROPERTY_MARKER.encode("ascii") in probe.zip_member("docProps/core.xml", 1 << 16):
                return True
            book = probe.zip_member("xl/workbook.xml", 1 << 18)
            return _SHEET in book and _META in book
        if probe.is_ole and probe.size <= 50 * 2**20:
            from macros.adapters.review_form_reader import peek_kind

            try:
                return peek_kind(probe.path.read_bytes()) == REVIEW_FORM_KIND
            except OSError:
                return False
        return False

    def read(self, job: Job, ctx: ReadContext) -> Read:
        data = job.path.read_bytes()
        st = stat_or_none(job.path)
        return Read(job.path, self.kind, target=self.target, sha256=digest(data), size=len(data),
                    mtime_ns=st.st_mtime_ns if st else 0, source={"file": job.path.name})


register(ReviewFormReader())
