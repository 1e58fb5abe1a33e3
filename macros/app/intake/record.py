"""The ledger stage: each outcome recorded as it comes, then the status of every inbox file."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from macros.app.intake.result import FileResult

if TYPE_CHECKING:
    from macros.app.intake.run import IntakeRun


def _same_verdict(a: list[dict], b: list[dict]) -> bool:
    return [(p.get("code"), p.get("cell")) for p in a] == [(p.get("code"), p.get("cell")) for p in b]


def left_out(rows: list[dict]) -> list[dict]:
    """The rows not taken in: row number, first error code and its message."""
    out = []
    for r in rows:
        if r.get("accepted"):
            continue
        errors = [p for p in r.get("problems") or [] if p.get("level") == "error"] or (r.get("problems") or [{}])
        out.append({"row": r.get("sheet_row"), "code": errors[0].get("code"), "message": errors[0].get("message")})
    return out


def read_and_record(run: "IntakeRun", workers, jobs) -> None:
    """Read every job and record each verdict in the ledger (``run.results``, ``run.new_ids``)."""
    ledger, accepted, logger = run.ledger, run.accepted, run.logger
    total = len(jobs)
    t_read = time.perf_counter()
    if run.progress:
        run.progress(0, total, "读取报送表")
    with ledger.batched() as batch:
        for i, outcome in enumerate(workers.examine(jobs), start=1):
            path = Path(outcome.path)
            rec = outcome.record
            sha = rec["sha256"]
            hint = run.hints_for(path)
            if outcome.accepted and sha in accepted:  # the same bytes twice in one batch
                run.results[path] = FileResult(path.name, rec["unit_code"], "unchanged", rec["row_count"], [],
                                               kind=rec.get("kind"), sha256=sha)
                run.new_ids[path] = accepted[sha]
            elif not outcome.accepted and sha and (prev := ledger.latest_by_hash(sha)) is not None \
                    and prev.status == "rejected" and _same_verdict(prev.problems, rec["problems"]):
                run.results[path] = FileResult(path.name, prev.unit_code, "rejected", 0, prev.problems,
                                               kind=rec.get("kind"), sha256=sha)
            else:
                rec["received_at"] = datetime.now().replace(microsecond=0).isoformat(timespec="seconds")
                fid = ledger.record_file(rec, outcome.rows)
                batch.tick()
                run.recorded += 1
                run.new_ids[path] = fid
                if outcome.accepted:
                    accepted[sha] = fid
                run.results[path] = FileResult(path.name, rec["unit_code"],
                                               "ingested" if outcome.accepted else "rejected",
                                               rec["row_count"], list(rec["problems"]), kind=rec.get("kind"),
                                               new=True, sha256=sha, left_out=left_out(outcome.rows),
                                               message_id=hint.get("message_id"))
                logger.info("登记 %s：%s，单位 %s，%s 行，问题 %s 个", path.name,
                            "通过" if outcome.accepted else "未通过", rec["unit_code"] or "—",
                            rec["row_count"], len(rec["problems"]))
            if run.progress:
                run.progress(i, total, path.name)
    workers.close()  # free the readers' memory before the master is rebuilt
    logger.info("读取并登记 %s 个文件（另有 %s 个无变化）用时 %.1f 秒", total, len(run.entries) - total,
                time.perf_counter() - t_read)


def file_statuses(run: "IntakeRun", current_before: set[int], current_after: set[int]) -> list[FileResult]:
    """One result per inbox file, by name: what this run found, else the ledger's record."""
    by_id = {r.id: r for r in run.ledger.files()} if run.entries else {}
    files: list[FileResult] = []
    for e in sorted(run.entries, key=lambda q: q.path.name):
        p = e.path
        if p in run.results:
            fr = run.results[p]
            if fr.status == "ingested" and run.new_ids.get(p) not in current_after:
                fr.status = "superseded"
            files.append(fr)
            continue
        fid = run.accepted.get(e.sha256 or "")
        rec = by_id.get(fid) if fid is not None else None
        if rec is None:  # cannot happen: unread files are accepted ones
            continue
        status = "superseded" if (fid in current_before and fid not in current_after) else "unchanged"
        files.append(FileResult(p.name, rec.unit_code, status, rec.row_count, list(rec.problems), kind=e.kind,
                                sha256=e.sha256))
    return files
