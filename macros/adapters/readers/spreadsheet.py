"""Reader for spreadsheets in a format kexie does not read (.ods, .et, .xlsb, Numbers, CSV).

Such a file is a unit's form saved in the wrong format: it is rejected (E201) with the fix
("另存为 .xlsx"), never ignored.
"""

from __future__ import annotations

from macros.adapters.inbox import file_sha256, stat_or_none
from macros.adapters.readers.base import Job, Probe, Read, ReadContext, Reader, register
from macros.problems import problem

OTHER_SPREADSHEETS = {".ods": "LibreOffice（.ods）", ".et": "WPS 表格（.et）", ".xlsb": "Excel 二进制（.xlsb）",
                      ".numbers": "Numbers（.numbers）", ".csv": "CSV 文本（.csv）"}


def rejected_read(job: Job, ctx: ReadContext, kind: str, prob) -> Read:
    """A ``Read`` holding only a file-level rejection (fingerprint and times filled in)."""
    st = stat_or_none(job.path)
    sha = job.sha256 or file_sha256(job.path, ctx.limits.file_bytes) or ""
    return Read(job.path, kind, sha256=sha, size=st.st_size if st else 0, mtime_ns=st.st_mtime_ns if st else 0,
                problems=[prob])


class OtherSpreadsheetReader(Reader):
    kind = "other_spreadsheet"
    label = "其他格式的表格"
    priority = 10

    def recognise(self, probe: Probe) -> bool:
        return probe.suffix in OTHER_SPREADSHEETS

    def read(self, job: Job, ctx: ReadContext) -> Read:
        fmt = OTHER_SPREADSHEETS.get(job.path.suffix.lower(), job.path.suffix)
        p = problem("E201", file=job.path.name, detail=f"这是{fmt}格式，请用 Excel、WPS 或 LibreOffice 打开后另存为 .xlsx")
        return rejected_read(job, ctx, self.kind, p)


register(OtherSpreadsheetReader())
