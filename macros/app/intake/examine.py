"""The read and validate stages for one file, and the worker processes that run them.

``examine(job, setup)`` asks the job's reader for a ``Read``, validates its records for the
reader's target and returns an ``Outcome``: the ledger's file record and its rows. It never
raises for a bad file. ``Workers`` runs it in worker processes; a file that crashes its worker
is retried alone in a fresh process and rejected (E207) if it crashes that one too.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from macros.adapters import readers as registry
from macros.adapters.inbox import file_sha256, stat_or_none
from macros.adapters.readers import Job, Read, probe_bytes
from macros.app.intake.setup import Setup, text
from macros.app.intake.targets import target
from macros.core.intake import problem_json
from macros.core.safe_names import shown_name
from macros.problems import problem


@dataclass
class Outcome:
    """What reading one file gave: a ledger file record and its rows."""

    path: str
    record: dict[str, Any]
    rows: list[dict[str, Any]]

    @property
    def accepted(self) -> bool:
        return self.record["status"] == "accepted"


def file_record(read: Read, status: str, problems: list, **extra) -> dict[str, Any]:
    """The ledger's record of a file (``Ledger.record_file``)."""
    meta = read.meta or {}
    mtime_ns = read.mtime_ns
    return {
        "sha256": read.sha256, "name": read.path.name, "path": str(read.path), "size": read.size,
        "mtime_ns": mtime_ns, "mtime": datetime.fromtimestamp(mtime_ns / 1e9).isoformat(timespec="seconds"),
        "campaign_id": text(meta.get("campaign_id")), "form_version": text(meta.get("form_version")),
        "issued_at": text(meta.get("issued_at")), "status": status, "problems": problems,
        "nonce": text(meta.get("nonce")),
        "unit_code": read.unit_code, "unit_name": read.unit_name, "submitted_on": None, "row_count": 0,
        "rows_rejected": 0, "kind": read.kind, "group_key": read.group_key,
        "message_id": (read.source or {}).get("message_id"), **extra,
    }


def as_job(path_or_job: Path | Job, setup: Setup) -> Job:
    if isinstance(path_or_job, Job):
        return path_or_job
    path = Path(path_or_job)
    with open(path, "rb") as fh:
        head = fh.read(8192)
    found = registry.reader_for(probe_bytes(path, head))
    return Job(path, found.kind if found else "form")


def examine(path_or_job: Path | Job, setup: Setup) -> Outcome:
    """Read, check and validate one returned file. Never raises for a bad file."""
    job = None
    try:
        job = as_job(path_or_job, setup)
        return _examine(job, setup)
    except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
        path = job.path if job is not None else Path(path_or_job if not isinstance(path_or_job, Job)
                                                     else path_or_job.path)
        p = problem("E201", file=shown_name(path.name), detail=f"读取时出错：{type(exc).__name__}")
        return rejected_outcome(path, setup, p, kind=job.kind if job else None)


def rejected_outcome(path: Path, setup: Setup, prob, kind: str | None = None) -> Outcome:
    st = stat_or_none(path)
    read = Read(path, kind or "", sha256=file_sha256(path, setup.limits.file_bytes) or "",
                size=st.st_size if st else 0, mtime_ns=st.st_mtime_ns if st else 0)
    return Outcome(str(path), file_record(read, "rejected", [problem_json(prob)]), [])


def _examine(job: Job, setup: Setup) -> Outcome:
    reader = registry.get(job.kind)
    read = reader.read(job, setup.read)
    if read.rejected:
        return Outcome(str(job.path), file_record(read, "rejected", [problem_json(p) for p in read.problems]), [])
    checked = target(read.target).validate(read, setup)
    problems = checked.problems
    accepted = checked.accepted
    ceiling = setup.ceilings.get(read.unit_code or "") if read.kind == "form" else None
    if ceiling is not None and accepted > ceiling:  # a flood of rows: the whole file stays out
        problems.append(problem_json(problem("E215", file=shown_name(job.path.name), count=accepted, limit=ceiling)))
        accepted = 0
        for row in checked.rows:
            row["accepted"], row["normalised"] = False, None
    elif not accepted:
        problems.append(problem_json(problem("E212", file=shown_name(job.path.name))))
    status = "accepted" if accepted else "rejected"
    rec = file_record(read, status, problems, submitted_on=read.submitted_on, row_count=accepted,
                      rows_rejected=len(checked.rows) - accepted)
    return Outcome(str(job.path), rec, checked.rows)


# --- worker processes ------------------------------------------------------------------------

_SETUP: Setup | None = None


def _init_worker(setup: Setup, parent: int | None = None) -> None:
    """Worker start: keep the setup, and die with the parent however it dies (a scheduler's
    time limit kills only the main process)."""
    global _SETUP
    _SETUP = setup
    from macros.adapters.file_attrs import tie_to_parent

    tie_to_parent(parent)


def _noop() -> int:
    return os.getpid()


def _examine_in_worker(job: Job) -> Outcome:
    assert _SETUP is not None
    return examine(job, _SETUP)


def _examine_batch(jobs: list[Job]) -> list[Outcome]:
    return [_examine_in_worker(j) for j in jobs]


class Workers:
    """Worker processes reading returns; started before the lock and the ledger are opened, so a
    worker never inherits them (a run killed mid-way leaves no process holding the lock)."""

    def __init__(self, setup: Setup, workers: int):
        self.setup = setup
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        self._started: dict[int, tuple[Any, int]] = {}  # id(job) -> (future of its batch, index in it)
        if workers > 0:
            self.pool = self._start(workers)

    def _start(self, workers: int) -> ProcessPoolExecutor:
        from macros.adapters.file_attrs import kill_children_on_exit

        kill_children_on_exit()  # Windows: the workers die with this process (a no-op elsewhere)
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                                   initargs=(self.setup, os.getpid()))
        warm = [pool.submit(_noop) for _ in range(workers)]
        for f in warm:
            f.result()
        return pool

    def chunk_for(self, total: int) -> int:
        """Jobs sent to a reader process at a time, for a batch of ``total`` files."""
        return max(1, min(16, total // (max(self.workers, 1) * 8) or 1))

    def start(self, jobs: list[Job]) -> None:
        """Begin reading ``jobs`` in the reader processes now (one task per call); ``examine``
        collects them. Nothing happens without processes."""
        if self.pool is None or not jobs:
            return
        try:
            future = self.pool.submit(_examine_batch, list(jobs))
        except BrokenProcessPool:
            return  # examine meets the broken pool and reads file by file
        for i, job in enumerate(jobs):
            self._started[id(job)] = (future, i)

    def examine(self, jobs: list[Job]) -> Iterable[Outcome]:
        """Outcomes in the order of ``jobs`` (started ones as they were, the others now); a file
        that kills its worker is rejected."""
        if not jobs:
            return
        if self.pool is None:
            for j in jobs:
                yield examine(j, self.setup)
            return
        rest = [j for j in jobs if id(j) not in self._started]
        size = self.chunk_for(len(rest))
        for i in range(0, len(rest), size):
            self.start(rest[i:i + size])
        done = 0
        try:
            for j in jobs:
                started = self._started.pop(id(j), None)
                if started is None:  # its batch could not be sent: the pool is broken
                    raise BrokenProcessPool("not started")
                future, i = started
                outcome = future.result()[i]
                done += 1
                yield outcome
            return
        except BrokenProcessPool:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
            self._started.clear()
        # A file crashed a worker: read the rest one by one, each in a fresh process.
        for j in jobs[done:]:
            pool = ProcessPoolExecutor(max_workers=1, initializer=_init_worker, initargs=(self.setup, os.getpid()))
            try:
                yield pool.submit(_examine_in_worker, j).result()
            except BrokenProcessPool:
                prob = problem("E207", file=shown_name(j.path.name), detail="读取时导致读取程序异常退出")
                yield rejected_outcome(j.path, self.setup, prob, kind=j.kind)
            finally:
                pool.shutdown(wait=True)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None
