"""Reader for Word submissions: .docx, .doc, Kingsoft .wps, .rtf, .odt — recognised by content.

``prepare`` converts every non-docx document of the batch to .docx in one LibreOffice run
(``word_reader.convert_batch``; a document converted before comes from the campaign's cache
folder, ``Job.cache``, by content); ``read`` takes the text of the .docx
(``word_reader.docx_blocks``), the proposals in it (``core.word_fields.document_fields``) and
the unit:

1. the caller's hint (``job.hints["unit_code"]``: the mail's sender), else
2. the document's 报送单位 label, matched to 单位名册 by code or name (``name_key``), else
3. a unit's name or code in the file name (exactly one unit).

No unit → E230 (待确认), never a guess; a 报送单位 not in the roster → E231. Each proposal is one
record (row number = its number in the document); target ``items.document``: rows are taken in
and flagged for review when something is missing (``macros.app.intake.targets``).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from macros.adapters.inbox import file_sha256, stat_or_none
from macros.adapters.readers.base import Job, Probe, Read, ReadContext, Reader, register
from macros.adapters.word_reader import DocxRejected, convert_batch, document_kind, docx_blocks
from macros.core.normalize import name_key
from macros.core.word_fields import document_fields
from macros.problems import problem

KIND_ZH = {"docx": "Word 文档（.docx）", "doc": "Word 97-2003 或 WPS 文档", "rtf": "RTF 文档",
           "odt": "OpenDocument 文档（.odt）"}


def _kind(probe: Probe) -> str | None:
    return document_kind(probe.head, probe.zip_names, probe.ole_streams, probe.zip_member)


def match_unit(text: str | None, units: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """The roster unit a text names, by code or by name (``name_key``)."""
    if not text:
        return None
    key = name_key(text)
    if key in units:
        return units[key]
    for code, name in units.values():
        if name_key(name) == key:
            return code, name
    return None


def units_in_file_name(stem: str, units: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    """Roster units whose name or code appears in a file name (longest names win over parts)."""
    key = name_key(stem)
    by_name = [(c, n) for c, n in units.values() if n and name_key(n) and name_key(n) in key]
    by_name = [u for u in by_name if not any(u != o and name_key(u[1]) in name_key(o[1]) for o in by_name)]
    by_code = [(c, n) for c, n in units.values()
               if re.search(rf"(?<![0-9a-z]){re.escape(name_key(c))}(?![0-9a-z])", key)]
    found = {u[0]: u for u in by_name + by_code}
    return list(found.values())


class WordReader(Reader):
    kind = "word"
    label = "Word 文档"
    target = "items.document"
    priority = 20

    def recognise(self, probe: Probe) -> bool:
        return _kind(probe) is not None

    def prepare(self, jobs: list[Job], ctx: ReadContext, timeout: float = 600.0) -> None:
        todo = []
        for job in jobs:
            with open(job.path, "rb") as fh:
                head = fh.read(8192)
            probe = Probe(job.path, head, 0)
            kind = _kind(probe)
            job.hints["doc_kind"] = kind
            if kind and kind != "docx":
                todo.append((job.path, kind))
        if not todo:
            return
        workdir = jobs[0].workdir or Path(".")
        cache = jobs[0].cache / "word" if jobs[0].cache else None
        done = convert_batch(todo, workdir / "word", timeout=timeout, cache=cache)
        for job in jobs:
            if job.path in done:
                job.hints["converted"] = str(done[job.path]) if isinstance(done[job.path], Path) else None
                if not isinstance(done[job.path], Path):
                    job.hints["convert_error"] = done[job.path]

    def read(self, job: Job, ctx: ReadContext) -> Read:
        out = self.start(job, ctx)
        if out.problems:
            return out
        kind = job.hints.get("doc_kind") or "docx"
        if job.hints.get("convert_error"):
            out.problems.append(problem("E232", file=job.path.name, kind=KIND_ZH.get(kind, kind),
                                        detail=job.hints["convert_error"]))
            return out
        source = Path(job.hints["converted"]) if job.hints.get("converted") else job.path
        try:
            blocks = docx_blocks(source, ctx.limits)
        except DocxRejected as rej:
            out.problems.append(problem(rej.code, file=job.path.name, **({} if rej.code == "E236" else
                                                                          {"detail": rej.reason})))
            return out
        out.meta = {"doc_kind": kind}
        return self.finish(out, job, ctx, blocks)

    def start(self, job: Job, ctx: ReadContext) -> Read:
        """A ``Read`` with the file's fingerprint, times and source (E207 when too large)."""
        st = stat_or_none(job.path)
        sha = job.sha256 or file_sha256(job.path, ctx.limits.file_bytes) or ""
        out = Read(job.path, self.kind, target=self.target, sha256=sha, size=st.st_size if st else 0,
                   mtime_ns=st.st_mtime_ns if st else 0,
                   source={"file": job.path.name, **({"message_id": job.hints["message_id"]}
                                                     if job.hints.get("message_id") else {})})
        if out.size > ctx.limits.file_bytes:
            out.problems.append(problem("E207", file=job.path.name, detail=f"有 {out.size // 2**20} MB"))
        return out

    def finish(self, out: Read, job: Job, ctx: ReadContext, blocks) -> Read:
        """The proposals of the text blocks, the unit, the records and the supersession group."""
        doc = document_fields(blocks)
        if not doc.proposals:
            out.problems.append(problem("E234", file=job.path.name))
            return out
        if not self._unit(out, job, doc.unit, ctx):
            return out
        out.submitted_on = datetime.fromtimestamp(out.mtime_ns / 1e9).date()
        for p in doc.proposals:
            out.records.append(p.record())
            out.rows.append(p.number)
        first = doc.proposals[0].fields.get("title")
        out.group_key = f"doc:{name_key(first)}" if first else f"doc:sha:{out.sha256}"
        return out

    def _unit(self, out: Read, job: Job, labelled: str | None, ctx: ReadContext) -> bool:
        units = ctx.expect.units
        name = job.path.name
        hint = job.hints.get("unit_code")
        found = match_unit(hint, units) if hint else None
        if found is None and labelled:
            found = match_unit(labelled, units)
            if found is None:
                out.problems.append(problem("E231", file=name, unit=labelled))
                return False
        if found is not None and labelled and hint:
            other = match_unit(labelled, units)
            if other is not None and other[0] != found[0]:
                out.problems.append(problem("W221", file=name, unit=labelled, sender=found[1]))
        if found is None:
            named = units_in_file_name(job.path.stem, units)
            if len(named) == 1:
                found = named[0]
            elif len(named) > 1:
                out.problems.append(problem("E230", file=name, detail="文件名中有多个单位：" + "、".join(n for _c, n in named)))
                return False
        if found is None:
            out.problems.append(problem("E230", file=name, detail="文档中没有“报送单位”，文件名中也没有单位名称或编号"))
            return False
        out.unit_code, out.unit_name = found
        return True


register(WordReader())
