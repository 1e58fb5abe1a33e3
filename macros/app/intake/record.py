"""The ledger stage: each outcome recorded as it comes, then the status of every inbox file."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from macros.app.intake.result import FileResult
from macros.core.intake import problem_json
from macros.problems import problem

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
                                               kind=rec.get("kind"), sha256=sha, new=prev.id > run.reported_upto,
                                               left_out=left_out(outcome.rows))
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


def record_special(run: "IntakeRun") -> None:
    """Entries that are not readable files (links, FIFOs, folders named like returns): one
    ledger record per verdict, like a rejected file, so 报送记录 lists them too."""
    for sp in run.special:
        name = sp.path.name
        prob = problem_json(problem(sp.code, file=name, **sp.fields))
        key = "entry:" + hashlib.sha256(f"{name}\0{sp.code}\0{sorted(sp.fields.items())}".encode()).hexdigest()
        prev = run.ledger.latest_by_hash(key)
        new = prev is None or prev.id > run.reported_upto
        if prev is None:
            now = datetime.now().replace(microsecond=0)
            run.ledger.record_file({
                "sha256": key, "name": name, "path": str(sp.path), "size": 0, "mtime_ns": 0,
                "mtime": now.isoformat(timespec="seconds"), "received_at": now.isoformat(timespec="seconds"),
                "status": "rejected", "problems": [prob], "row_count": 0, "rows_rejected": 0, "kind": "entry",
            }, [])
            run.recorded += 1
        run.results[sp.path] = FileResult(name, None, "rejected", 0, [prob], kind="entry", new=new)


def _superseded_rejection(run: "IntakeRun", fr: FileResult, newest: dict[str, int]) -> bool:
    """A rejected file reported before whose unit has sent a newer accepted form since."""
    if fr.status != "rejected" or fr.new or not fr.unit_code or not fr.sha256:
        return False
    prev = run.ledger.latest_by_hash(fr.sha256)
    return prev is not None and newest.get(fr.unit_code, -1) > prev.mtime_ns


def file_statuses(run: "IntakeRun", current_before: set[int], current_after: set[int]) -> list[FileResult]:
    """One result per inbox entry, by name: what this run found, else the ledger's record. A
    superseded file's problems are no longer reported (they were when it was new)."""
    all_files = run.ledger.files() if run.entries or run.special else []
    by_id = {r.id: r for r in all_files}
    newest: dict[str, int] = {}
    for r in all_files:
        if r.id in current_after and r.group_key == "" and r.unit_code:
            newest[r.unit_code] = max(newest.get(r.unit_code, -1), r.mtime_ns)
    files: list[FileResult] = []
    paths = [e.path for e in run.entries] + [sp.path for sp in run.special]
    kinds = {e.path: e.kind for e in run.entries}
    for p in sorted(paths, key=lambda q: q.name):
        if p in run.results:
            fr = run.results[p]
            if fr.status == "ingested" and run.new_ids.get(p) not in current_after:
                fr.status = "superseded"
            elif _superseded_rejection(run, fr, newest):
                fr.status, fr.problems = "superseded", []
            files.append(fr)
            continue
        sha = next(e.sha256 for e in run.entries if e.path == p)
        fid = run.accepted.get(sha or "")
        rec = by_id.get(fid) if fid is not None else None
        if rec is None:  # cannot happen: unread files are accepted ones
            continue
        status = "superseded" if (fid in current_before and fid not in current_after) else "unchanged"
        problems = list(rec.problems) if fid in current_after else []  # a superseded file's are old news
        files.append(FileResult(p.name, rec.unit_code, status, rec.row_count, problems, kind=kinds.get(p),
                                sha256=sha, left_out=_left_out_of(run, fid), new=fid > run.reported_upto))
    return files


def _left_out_of(run: "IntakeRun", fid: int) -> list[dict]:
    if run._row_problems is None:
        run._row_problems = run.ledger.row_problems()
    rows = run._row_problems.get(fid, [])
    return left_out([{"sheet_row": n, "accepted": ok, "problems": probs} for n, ok, probs in rows])
