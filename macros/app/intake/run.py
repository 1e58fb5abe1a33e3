"""One consolidation run as an object: its inputs, what it opens, and what it found.

``IntakeRun(master, inbox, today=…).execute()`` runs the stages in order:

1. **setup** — the master's settings, roster, topics and secret (``setup.master_setup``);
2. **identify** — list the inbox, fingerprint every entry, give it to the reader that recognises
   it (``identify``); an entry whose SHA-256 the ledger has accepted is ``unchanged``;
3. **read** — ``examine`` in worker processes: the reader's ``Read``, validated for its target
   (``examine``, ``targets``). A file whose reader has no batch work is sent to them as soon as
   it is identified, so reading overlaps identifying; the others after their reader's
   ``prepare`` (e.g. one conversion run for every Word document);
4. **ledger** — every verdict recorded as it comes, one transaction per file (``record``);
5. **rebuild** — 征集明细, 报送记录 and 统计 from the ledger, saved only on change (``sheets``);
6. **outcomes** — ``result.files``: one ``FileResult`` per inbox file (status, rows taken and
   left out, problems), what a caller answers the sender (回执) with.
"""

from __future__ import annotations

import gc
import logging
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

from macros.adapters import readers as registry
from macros.adapters.inbox import Special, inbox_entries
from macros.adapters.ledger import Ledger, accepted_stats, cache_path, ledger_path
from macros.app.intake.examine import Workers
from macros.app.intake.identify import Entry, identify_one
from macros.app.intake.record import file_statuses, read_and_record, record_special
from macros.app.intake.result import STATUS_ZH, ConsolidateResult, FileResult
from macros.app.intake.setup import MasterInfo, master_setup
from macros.app.intake.sheets import rebuild
from macros.adapters.crash_point import crash_point
from macros.app.intake_checks import backup_ledger
from macros.core.safe_names import shown_name
from macros.app.intake.targets import has_stage, load_targets, staged_entries, target
from macros.errors import ConfigError, Exit, RefusedError
from macros.problems import CODES
from macros.schema import ITEMS

WORKERS = 2
LOG_DIR = "kexie-logs"
LOCK_WAIT = 10.0  # seconds a run waits for another run on the same master
Progress = Callable[[int, int, str], None]


def default_log(master: Path, now: datetime) -> Path:
    return master.parent / LOG_DIR / f"consolidate-{now:%Y%m%d}.log"


def _logger(path: Path) -> logging.Logger:
    path.parent.mkdir(parents=True, exist_ok=True)
    log = logging.getLogger(f"kexie.consolidate.{id(path)}")
    log.setLevel(logging.INFO)
    log.propagate = False
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    return log


def _close_logger(log: logging.Logger) -> None:
    for h in list(log.handlers):
        h.close()
        log.removeHandler(h)


class IntakeRun:
    """One run of the consolidation pipeline (see the module doc).

    ``hints``: what the caller knows about inbox files beside their content, by file name —
    ``{"unit_code": …, "message_id": …}`` (the mail fetcher passes the sender's unit).
    ``engine``: the workbook to read and write (default: a FileEngine on ``master``, saved safely;
    the ribbon passes the open Excel book, written in place and saved by staff)."""

    def __init__(self, master: str | Path, inbox: str | Path, today: date | None = None,
                 progress: Progress | None = None, log: str | Path | None = None, workers: int = WORKERS,
                 lock_timeout: float = LOCK_WAIT, hints: dict[str, dict[str, Any]] | None = None,
                 engine: Any = None):
        self.started = datetime.now()
        self.master = Path(master)
        self.inbox = Path(inbox)
        self.today = today or date.today()
        self.progress = progress
        self.workers = workers
        self.lock_timeout = lock_timeout
        self.hints = hints or {}
        self.log_path = Path(log) if log else default_log(self.master, self.started)
        self.result = ConsolidateResult(master=self.master, log_path=self.log_path)
        self.logger: logging.Logger = logging.getLogger("kexie.consolidate")
        self.engine: Any = engine
        self.own_engine = engine is None
        self.info: MasterInfo | None = None
        self.ledger: Ledger | None = None
        self.candidates: list[Path] = []
        self.special: list[Special] = []  # entries reported without being opened
        self._row_problems: dict | None = None
        self.entries: list[Entry] = []
        self.accepted: dict[str, int] = {}  # sha256 -> file id of every accepted file
        self.results: dict[Path, FileResult] = {}  # what this run read
        self.new_ids: dict[Path, int] = {}
        self.recorded = 0
        self.reported_upto = 0  # files recorded after this id are news to report (see the ledger)

    @property
    def setup(self):
        return self.info.setup if self.info else None

    def hints_for(self, path: Path) -> dict[str, Any]:
        return self.hints.get(path.name) or {}

    # --- the run --------------------------------------------------------------------------
    def execute(self) -> ConsolidateResult:
        t0 = time.perf_counter()
        self._check_paths()
        try:
            self.logger = _logger(self.log_path)
        except PermissionError as exc:
            from macros.adapters.safe_write import not_writable_message

            raise RefusedError(not_writable_message(self.log_path.parent, self.log_path.name)) from exc
        result = self.result
        try:
            self.logger.info("开始汇总：工作簿 %s，收件箱 %s", shown_name(self.master), shown_name(self.inbox))
            self._run()
        except RefusedError as exc:
            result.refused = exc.message
            self.logger.warning("未写入：%s", exc.message)
        except Exception:
            self.logger.exception("汇总出错")
            raise
        finally:
            result.seconds = time.perf_counter() - t0
            self.logger.info("结束：退出码 %s，写入 %s，征集明细 %s 条，用时 %.1f 秒", result.exit_code,
                             "是" if result.written else "否", result.rows_total, result.seconds)
            _close_logger(self.logger)
        return result

    def _check_paths(self) -> None:
        if not self.master.is_file():
            raise ConfigError(f"找不到活动工作簿：{shown_name(self.master)}")
        if self.master.suffix.lower() not in (".xlsx", ".xlsm"):
            raise ConfigError(f"活动工作簿必须是 .xlsx 文件：{shown_name(self.master.name)}")
        if not self.inbox.is_dir():
            raise ConfigError(f"找不到收件箱文件夹：{shown_name(self.inbox)}")

    def _run(self) -> None:
        from macros.adapters.file_engine import FileEngine

        if self.own_engine:
            self.engine = FileEngine(self.master)
        self.info = master_setup(self.engine, self.master, self.today)
        # What is alive now (modules, the master's setup) lives for the whole run: the cyclic
        # garbage collector need not walk it again each time the rows being built trigger it
        # (nor the forked readers). A caller that froze objects itself is left as it is.
        freeze = gc.get_freeze_count() == 0
        if freeze:
            gc.freeze()
        try:
            self._run_with_workers()
        finally:
            if freeze:
                gc.unfreeze()

    def _run_with_workers(self) -> None:
        from macros.adapters.file_engine import FileEngine
        from macros.adapters.safe_write import master_lock

        self.candidates, self.special = inbox_entries(self.inbox)
        if self.candidates and self.info.setup.expect.secret is None:  # configuration: said once, exit 2
            key = self.info.setup.expect.key_file or "密钥文件"
            raise ConfigError(CODES["E213"].template.format(key=key))
        load_targets()
        workers = Workers(self.info.setup, self._worker_count())
        try:
            with master_lock(self.master, timeout=self.lock_timeout):
                crash_point("locked")
                if self.own_engine:  # read under the lock: another run may just have replaced the file
                    self.engine = FileEngine(self.master)
                with Ledger(ledger_path(self.master)) as ledger:
                    self.ledger = ledger
                    self._locked(workers)
        except RefusedError:
            if not self.result.files:  # refused before anything was read: say how many rows stand
                try:
                    fresh = FileEngine(self.master) if self.own_engine else self.engine
                    self.result.rows_total = len(fresh.read_table(ITEMS).frame)
                except Exception:  # noqa: BLE001
                    pass
            raise
        finally:
            self.ledger = None
            workers.close()

    def _worker_count(self) -> int:
        """Reader processes to start: none when every inbox file looks already accepted (same
        name, size and time in the ledger) — a scheduled run with nothing new does not pay for
        starting them. Should a file turn out new after all, it is read in this process."""
        if not self.candidates or self.workers <= 0:
            return 0
        known = accepted_stats(ledger_path(self.master))
        if known is None:
            return self.workers
        for p in self.candidates:
            try:
                st = p.stat()
            except OSError:
                return self.workers
            if (p.name, st.st_size, st.st_mtime_ns) not in known:
                return self.workers
        return 0

    def _locked(self, workers: Workers) -> None:
        ledger = self.ledger
        self._check_campaign()
        self.accepted = ledger.accepted_hashes()
        self.reported_upto = ledger.reported_upto()
        current_before = ledger.current_ids()
        with tempfile.TemporaryDirectory(prefix="kexie-intake-") as work:
            jobs, staged = self._identify(workers, Path(work))
            read_and_record(self, workers, jobs)
        record_special(self)
        current_after = ledger.current_ids()
        self.result.files = file_statuses(self, current_before, current_after)
        staged_changed = False
        for name, group in staged.items():  # targets with their own ledger tables and sheets
            files, changed = target(name).stage(self, group)
            self.result.files += files
            staged_changed = staged_changed or changed
        self.result.files.sort(key=lambda f: f.file)
        self._log_files()
        rebuild(self, current_after, changed=self.recorded > 0 or staged_changed)
        ledger.record_run(self.started, datetime.now(), str(self.inbox), len(self.candidates), self.recorded,
                          self.result.written, self.result.exit_code if not self.result.refused else int(Exit.REFUSED))
        backup_ledger(ledger, changed=self.recorded > 0 or self.result.written, logger=self.logger)

    def _log_files(self) -> None:
        """Every inbox entry in the log; the full problem lines of what is new in this run."""
        for f in self.result.files:
            self.logger.info("文件 %s：%s，%s，单位 %s，%s 行%s", shown_name(f.file), STATUS_ZH.get(f.status, f.status),
                             f.kind or "—", f.unit_code or "—", f.rows, "（本次新收到）" if f.new else "")
            if not f.new:
                continue
            for p in f.problems:
                self.logger.info("  %s %s %s%s", p.get("level"), p.get("code"),
                                 f"[{p['cell']}] " if p.get("cell") else "", shown_name(p.get("message")))

    def _check_campaign(self) -> None:
        campaign_id = self.info.campaign_id
        if not campaign_id:
            return
        stored = self.ledger.set_meta_once("campaign_id", campaign_id)
        if stored != campaign_id:
            raise ConfigError(
                f"汇总台账“{self.ledger.path.name}”属于活动编号为 {stored} 的活动，与工作簿的活动编号 {campaign_id} 不符。"
                "请核对是否把其他活动的工作簿放到了这里；如确需重新开始，请把台账文件改名移走。")

    def _identify(self, workers: Workers, workdir: Path) -> tuple[list, dict[str, list]]:
        """Every inbox file identified (``self.entries``), in order; the jobs to read, and the
        entries of targets with a stage of their own. A job whose reader has no batch work is
        sent to the reader processes as soon as it is known, so reading starts while the rest
        are still being identified; the others wait for their reader's ``prepare`` (e.g. one
        conversion run for all Word documents)."""
        limit = self.info.setup.limits.file_bytes
        size = workers.chunk_for(len(self.candidates))
        self.entries, jobs, batch, waiting = [], [], [], []
        for path in self.candidates:
            entry = identify_one(path, limit)
            self.entries.append(entry)
            if has_stage(registry.get(entry.kind).target if entry.kind else None) or \
                    (entry.sha256 is not None and entry.sha256 in self.accepted):
                continue
            job = entry.job(self.hints_for(entry.path))
            job.workdir, job.cache = workdir, cache_path(self.master)
            jobs.append(job)
            if registry.get(job.kind).needs_prepare:
                waiting.append(job)
                continue
            batch.append(job)
            if len(batch) >= size:
                workers.start(batch)
                batch = []
        workers.start(batch)
        by_kind: dict[str, list] = {}
        for j in waiting:
            by_kind.setdefault(j.kind, []).append(j)
        for kind, group in by_kind.items():
            registry.get(kind).prepare(group, self.info.setup.read)
        return jobs, staged_entries(self.entries, lambda kind: registry.get(kind).target)
