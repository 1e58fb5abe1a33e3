"""Use case: collect the returned forms of an inbox folder into the master (kexie consolidate).

``consolidate(master, inbox)`` runs headless (cron / Task Scheduler, no Excel):

1. reads the master's settings, roster and topics, and the campaign secret beside it;
2. lists the inbox (``.xlsx``/``.xlsm``/``.xls``; Office lock files and hidden files ignored),
   oldest modification time first; a file whose SHA-256 the ledger has already accepted is
   ``unchanged`` and not read again;
3. reads and checks every other file (``macros.adapters.form_reader``) and validates its rows
   (``macros.core.validate.validate_items``) in two worker processes — a file that crashes its
   reader is rejected, never the batch;
4. records every file and row in the ledger (``macros.adapters.ledger``), one transaction per
   file, before anything else — a refused or interrupted write loses nothing;
5. rebuilds 征集明细 and 报送记录 from the ledger (``macros.core.intake.plan_items``: staff
   columns follow rows whose unit and 题目 are unchanged), refreshes 统计 when the tally is
   installed, and saves the master safely (``FileEngine`` → ``safe_write``) — only when
   something changed, so a run every ten minutes leaves the master (and its backups) alone.

Exit codes: 0 clean, 1 problems listed (rejected files or rows, warnings), 3 refused to write
(master open in Excel/WPS/LibreOffice, another run holds the lock, content that would be lost):
the master is untouched and the ledger keeps what arrived; 2 usage or configuration errors.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from macros.adapters.crash_point import crash_point
from macros.adapters.form_reader import Expect, Limits, read_form
from macros.adapters.ledger import FileRecord, Ledger, ledger_path
from macros.app.intake_checks import backup_ledger, flag_replacement, unit_ceilings, warn_returning
from macros.app.result import CommandResult
from macros.core.intake import (
    CurrentRow, Topics, json_value, normalise_row, plan_items, problem_json, row_problems, same_rows,
    title_key,
)
from macros.core.normalize import name_key
from macros.core.safe_names import shown_name
from macros.errors import ConfigError, Exit, RefusedError
from macros.problems import CODES, problem
from macros.schema import FORM, FORM_SHEET, ITEMS, SUBMISSIONS, TABLES

INBOX_SUFFIXES = (".xlsx", ".xlsm", ".xls")
# Spreadsheets a unit may save by mistake: listed as rejected (E201) with the fix, not ignored.
OTHER_SPREADSHEETS = {".ods": "LibreOffice（.ods）", ".et": "WPS 表格（.et）", ".xlsb": "Excel 二进制（.xlsb）",
                      ".numbers": "Numbers（.numbers）", ".csv": "CSV 文本（.csv）"}
WORKERS = 2
LOG_DIR = "kexie-logs"
LOCK_WAIT = 10.0  # seconds a run waits for another run on the same master
Progress = Callable[[int, int, str], None]
STATUS_ZH = {"ingested": "已汇总", "unchanged": "无变化", "superseded": "已被替代", "rejected": "未汇总"}


# --- results -------------------------------------------------------------------------------

@dataclass
class FileResult:
    file: str
    unit_code: str | None
    status: str  # ingested | unchanged | superseded | rejected
    rows: int
    problems: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "unit_code": self.unit_code, "status": self.status, "rows": self.rows,
                "problems": [{k: p.get(k) for k in ("code", "level", "message", "cell")} for p in self.problems]}


@dataclass
class ConsolidateResult:
    master: Path
    written: bool = False
    files: list[FileResult] = field(default_factory=list)
    rows_total: int = 0
    refused: str | None = None  # the Chinese reason when the write was refused
    log_path: Path | None = None
    seconds: float = 0.0
    kept_manual: int = 0

    @property
    def exit_code(self) -> int:
        if self.refused:
            return int(Exit.REFUSED)
        if any(f.problems for f in self.files):
            return int(Exit.DATA_PROBLEMS)
        return int(Exit.OK)

    def to_json(self) -> dict[str, Any]:
        return {"written": self.written, "master": str(self.master),
                "files": [f.to_json() for f in self.files], "rows_total": self.rows_total}

    def lines(self) -> list[str]:
        counts: dict[str, int] = {}
        for f in self.files:
            counts[f.status] = counts.get(f.status, 0) + 1
        parts = "，".join(f"{STATUS_ZH[s]} {n} 个" for s, n in counts.items()) or "没有文件"
        out = [f"收件箱中共 {len(self.files)} 个报送文件：{parts}。"]
        for f in self.files:
            if f.status == "rejected" or f.problems:
                out.append(f"  {shown_name(f.file)}（{STATUS_ZH[f.status]}，{f.rows} 行）：")
                for p in f.problems[:20]:
                    where = f"[{p['cell']}] " if p.get("cell") else ""
                    out.append(f"    {p['code']} {where}{p['message']}")
                if len(f.problems) > 20:
                    out.append(f"    ……另有 {len(f.problems) - 20} 个问题，详见日志。")
        if self.refused:
            out.append(f"未写入活动工作簿：{self.refused}")
            out.append("收到的内容已记入汇总台账，问题解决后重新运行即可写入。")
        elif self.written:
            out.append(f"已更新“{shown_name(self.master.name)}”：征集明细共 {self.rows_total} 条。")
        else:
            out.append(f"“{shown_name(self.master.name)}”无需更新：征集明细共 {self.rows_total} 条。")
        if self.kept_manual:
            out.append(f"征集明细中有 {self.kept_manual} 行不是由报送表汇总而来（手工录入），已原样保留。")
        if self.log_path:
            out.append(f"日志：{shown_name(self.log_path)}")
        return out


# --- reading one file (runs in a worker process) ---------------------------------------------

@dataclass
class Setup:
    """Everything a worker needs to judge a file (picklable, sent once per worker)."""

    expect: Expect
    vctx: Any  # macros.core.validate.ValidationContext
    topics: Topics
    limits: Limits = Limits()
    ceilings: dict[str, int] = field(default_factory=dict)  # unit code -> most rows (每单位报送上限)


@dataclass
class Outcome:
    """What reading one file gave: a ledger file record and its rows."""

    path: str
    record: dict[str, Any]
    rows: list[dict[str, Any]]

    @property
    def accepted(self) -> bool:
        return self.record["status"] == "accepted"


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


def _examine_in_worker(path: str) -> Outcome:
    assert _SETUP is not None
    return examine(Path(path), _SETUP)


def _validate_rows(data, setup: Setup, unit_code: str | None):
    """Row validation: the validation issue's rules for rows of 征集明细 and of forms."""
    from macros.core.validate import validate_items

    return validate_items(data, setup.vctx, sheet=FORM_SHEET, unit_code=unit_code)


def examine(path: Path, setup: Setup) -> Outcome:
    """Read, check and validate one returned file. Never raises for a bad file."""
    try:
        return _examine(path, setup)
    except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
        st = _stat(path)
        p = problem("E201", file=shown_name(path.name), detail=f"读取时出错：{type(exc).__name__}")
        sha = file_sha256(path, setup.limits.file_bytes) or ""
        return Outcome(str(path), _record(path, st, sha, st.st_size if st else 0, None, "rejected",
                                          [problem_json(p)]), [])


def _stat(path: Path):
    try:
        return path.stat()
    except OSError:
        return None


def _record(path: Path, st, sha: str, size: int, meta: dict | None, status: str, problems: list,
            **extra) -> dict[str, Any]:
    mtime_ns = st.st_mtime_ns if st is not None else 0
    meta = meta or {}
    return {
        "sha256": sha, "name": path.name, "path": str(path), "size": size, "mtime_ns": mtime_ns,
        "mtime": datetime.fromtimestamp(mtime_ns / 1e9).isoformat(timespec="seconds"),
        "campaign_id": _str(meta.get("campaign_id")), "form_version": _str(meta.get("form_version")),
        "issued_at": _str(meta.get("issued_at")), "status": status, "problems": problems,
        "nonce": _str(meta.get("nonce")),
        "unit_code": None, "unit_name": None, "submitted_on": None, "row_count": 0, "rows_rejected": 0,
        **extra,
    }


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def _records(frame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")`` without pandas' per-value boxing (an object frame)."""
    cols = [str(c) for c in frame.columns]
    arrays = [frame[c].tolist() for c in frame.columns]
    return [dict(zip(cols, values)) for values in zip(*arrays)]


def _examine(path: Path, setup: Setup) -> Outcome:
    kind = OTHER_SPREADSHEETS.get(path.suffix.lower())
    if kind is not None:
        st = _stat(path)
        sha = file_sha256(path, setup.limits.file_bytes) or ""
        p = problem("E201", file=shown_name(path.name), detail=f"这是{kind}格式，请用 Excel、WPS 或 LibreOffice 打开后另存为 .xlsx")
        return Outcome(str(path), _record(path, st, sha, st.st_size if st else 0, None, "rejected",
                                          [problem_json(p)]), [])
    fr = read_form(path, setup.expect, setup.limits)
    st = _stat(path)
    meta = {k: v for k, v in fr.meta.items() if not k.startswith("_")}
    if fr.rejected or fr.data is None:
        rec = _record(path, st, fr.sha256, fr.size, meta, "rejected", [problem_json(p) for p in fr.problems])
        rec["mtime_ns"], rec["mtime"] = fr.mtime_ns, fr.modified.isoformat(timespec="seconds")
        rec["unit_code"], rec["unit_name"] = fr.unit_code, fr.unit_name
        return Outcome(str(path), rec, [])
    data = fr.data
    submitted_on, date_warnings = fr.submitted_on()
    file_problems = [problem_json(p) for p in fr.problems + date_warnings]
    rows_index = [int(r) for r in data.frame.index.tolist()]
    found = _validate_rows(data, setup, fr.unit_code)
    general, verdicts = row_problems(found, rows_index)
    file_problems += general
    header = {c.key: c.header for c in FORM.columns}
    rows: list[dict[str, Any]] = []
    accepted = 0
    for sheet_row, raw in zip(rows_index, _records(data.frame)):
        verdict = verdicts[sheet_row]
        original = {header.get(k, k): json_value(v) for k, v in raw.items()}
        row: dict[str, Any] = {"sheet_row": sheet_row, "accepted": verdict.accepted, "original": original,
                               "problems": verdict.problems, "normalised": None, "title_key": None}
        if verdict.accepted:
            values = normalise_row(raw, setup.topics)
            row["normalised"] = values
            row["title_key"] = title_key(values.get("title"))
            accepted += 1
        rows.append(row)
        file_problems += verdict.problems
    status = "accepted" if accepted else "rejected"
    ceiling = setup.ceilings.get(fr.unit_code or "")
    if ceiling is not None and accepted > ceiling:  # a flood: the whole file stays out
        file_problems.append(problem_json(problem("E215", file=shown_name(path.name), count=accepted, limit=ceiling)))
        status, accepted = "rejected", 0
        for row in rows:
            row["accepted"], row["normalised"] = False, None
    elif not accepted:
        file_problems.append(problem_json(problem("E212", file=shown_name(path.name))))
    rec = _record(path, st, fr.sha256, fr.size, meta, status, file_problems,
                  unit_code=fr.unit_code, unit_name=fr.unit_name, submitted_on=submitted_on,
                  row_count=accepted, rows_rejected=len(rows) - accepted)
    rec["mtime_ns"], rec["mtime"] = fr.mtime_ns, fr.modified.isoformat(timespec="seconds")
    return Outcome(str(path), rec, rows)


# --- the inbox ---------------------------------------------------------------------------------

def is_candidate(path: Path) -> bool:
    name = path.name
    if name.startswith(("~$", ".~lock.", "._", ".")):
        return False  # Office/WPS/LibreOffice lock files, macOS resource forks, hidden files
    return path.suffix.lower() in INBOX_SUFFIXES or path.suffix.lower() in OTHER_SPREADSHEETS


def inbox_files(inbox: Path) -> list[Path]:
    """The returned files of the inbox, oldest modification time first (ties by name)."""
    found = []
    for p in inbox.iterdir():
        try:
            if is_candidate(p) and p.is_file():
                found.append((p.stat().st_mtime_ns, p.name, p))
        except OSError:
            continue
    return [p for _m, _n, p in sorted(found)]


def file_sha256(path: Path, limit: int) -> str | None:
    """SHA-256 of a file (None when it cannot be read or exceeds ``limit`` bytes)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            size = 0
            while chunk := fh.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    return None
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


# --- the run ---------------------------------------------------------------------------------

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


def default_log(master: Path, now: datetime) -> Path:
    return master.parent / LOG_DIR / f"consolidate-{now:%Y%m%d}.log"


def _master_setup(engine, master: Path, today: date) -> tuple[Setup, list[str], dict[str, str], str | None]:
    """The checks a form must pass, from the master (read only)."""
    from macros.adapters.secret import load_secret, secret_path
    from macros.core.validate import build_context

    missing = [name for name in (ITEMS.sheet, TABLES["units"].sheet) if name not in engine.sheet_names()]
    if missing:
        raise ConfigError(f"“{master.name}”不是活动工作簿（缺少工作表：{'、'.join(missing)}）。"
                          "请指定用 kexie new 新建的活动工作簿。")
    settings = engine.read_settings()
    if not _str(settings.get("campaign_id")):
        raise ConfigError(f"“{master.name}”的“设置”中没有活动编号，无法核对报送表属于哪个活动。"
                          "请填回活动编号（生成报送表时的那一个）后重试。")
    tables = {key: engine.read_table(TABLES[key]) for key in ("units", "topics")}
    vctx = build_context(settings, tables, today=today)
    campaign_id = _str(settings.get("campaign_id"))
    units: dict[str, tuple[str, str]] = {}
    order: list[str] = []
    names: dict[str, str] = {}
    frame = tables["units"].frame
    for code, name in zip(frame["code"].tolist(), frame["name"].tolist()):
        code_t, name_t = _str(code), _str(name)
        if code_t and name_key(code_t) not in units:
            units[name_key(code_t)] = (code_t, name_t or code_t)
            order.append(code_t)
            names[code_t] = name_t or code_t
    topic_frame = tables["topics"].frame
    by_key: dict[str, str] = {}
    by_code: dict[int, str] = {}
    from macros.core.normalize import parse_int

    for code, topic in zip(topic_frame["code"].tolist(), topic_frame["topic"].tolist()):
        t = _str(topic)
        if not t:
            continue
        by_key.setdefault(name_key(t), t)
        n = parse_int(code)
        if n is not None:
            by_code.setdefault(n, t)
    expect = Expect(campaign_id, load_secret(master), units, year=vctx.year, key_file=secret_path(master).name)
    ceilings = unit_ceilings(engine, settings, frame)
    return Setup(expect, vctx, Topics(by_key, by_code), ceilings=ceilings), order, names, campaign_id


class _Readers:
    """Worker processes reading forms; started before the lock and the ledger are opened, so a
    worker never inherits them (a run killed mid-way leaves no process holding the lock)."""

    def __init__(self, setup: Setup, workers: int):
        self.setup = setup
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        if workers > 0:
            self.pool = self._start(workers)

    def _start(self, workers: int) -> ProcessPoolExecutor:
        from macros.adapters.file_attrs import kill_children_on_exit

        kill_children_on_exit()  # Windows: the workers die with this process (a no-op elsewhere)
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(self.setup, os.getpid()))
        warm = [pool.submit(_noop) for _ in range(workers)]
        for f in warm:
            f.result()
        return pool

    def examine(self, paths: list[Path]) -> Iterable[Outcome]:
        """Outcomes in the order of ``paths``; a file that kills its worker is rejected."""
        if not paths:
            return
        if self.pool is None:
            for p in paths:
                yield examine(p, self.setup)
            return
        done = 0
        try:
            chunk = max(1, min(16, len(paths) // (self.workers * 8) or 1))
            for outcome in self.pool.map(_examine_in_worker, [str(p) for p in paths], chunksize=chunk):
                done += 1
                yield outcome
            return
        except BrokenProcessPool:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
        # A file crashed a worker: read the rest one by one, each in a fresh process.
        for p in paths[done:]:
            pool = ProcessPoolExecutor(max_workers=1, initializer=_init_worker, initargs=(self.setup, os.getpid()))
            try:
                yield pool.submit(_examine_in_worker, str(p)).result()
            except BrokenProcessPool:
                st = _stat(p)
                prob = problem("E207", file=shown_name(p.name), detail="读取时导致读取程序异常退出")
                yield Outcome(str(p), _record(p, st, file_sha256(p, Limits().file_bytes) or "", st.st_size if st else 0,
                                              None, "rejected", [problem_json(prob)]), [])
            finally:
                pool.shutdown(wait=True)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None


FLAGGED = ("W204", "W205", "W206")  # accepted, but 报送记录 asks staff to check


def _same_verdict(a: list[dict], b: list[dict]) -> bool:
    return [(p.get("code"), p.get("cell")) for p in a] == [(p.get("code"), p.get("cell")) for p in b]


def _result_text(rec: FileRecord, current: set[int]) -> str:
    if rec.status == "accepted":
        text = "已汇总" if rec.id in current else "已被替代"
        flags = [p.get("code") for p in rec.problems if p.get("code") in FLAGGED]
        if flags:
            text += "（请核实：" + "、".join(f"{c} {CODES[c].title}" for c in dict.fromkeys(flags)) + "）"
        return text
    codes = [p.get("code") for p in rec.problems if p.get("level") == "error"]
    code = codes[0] if codes else None
    title = CODES[code].title if code in CODES else ""
    return f"未汇总（{code} {title}）" if code else "未汇总"


def _submissions(ledger: Ledger, current: set[int]) -> list[dict[str, Any]]:
    rows = []
    for rec in ledger.files():
        rows.append({
            "file": rec.name,
            "unit": rec.unit_name or rec.unit_code or None,
            "received_at": datetime.fromisoformat(rec.mtime),  # when it arrived in the inbox
            "rows": rec.row_count,
            "result": _result_text(rec, current),
            "fingerprint": rec.sha256[:16] if rec.sha256 else None,
        })
    return rows


def consolidate(master: str | Path, inbox: str | Path, today: date | None = None,
                progress: Progress | None = None, log: str | Path | None = None,
                workers: int = WORKERS, lock_timeout: float = LOCK_WAIT) -> ConsolidateResult:
    """Collect the returned forms of ``inbox`` into ``master`` (see the module doc).

    ``workers``: reader processes (0 reads in this process); ``lock_timeout``: seconds to wait
    for another run on the same master before refusing (exit 3)."""
    started = datetime.now()
    t0 = time.perf_counter()
    master = Path(master)
    inbox = Path(inbox)
    today = today or date.today()
    if not master.is_file():
        raise ConfigError(f"找不到活动工作簿：{master}")
    if master.suffix.lower() not in (".xlsx", ".xlsm"):
        raise ConfigError(f"活动工作簿必须是 .xlsx 文件：{master.name}")
    if not inbox.is_dir():
        raise ConfigError(f"找不到收件箱文件夹：{inbox}")
    log_path = Path(log) if log else default_log(master, started)
    try:
        logger = _logger(log_path)
    except PermissionError as exc:
        from macros.adapters.safe_write import not_writable_message

        raise RefusedError(not_writable_message(log_path.parent, log_path.name)) from exc
    result = ConsolidateResult(master=master, log_path=log_path)
    try:
        logger.info("开始汇总：工作簿 %s，收件箱 %s", shown_name(master), shown_name(inbox))
        _run(master, inbox, today, progress, logger, result, workers, started, lock_timeout)
    except RefusedError as exc:
        result.refused = exc.message
        logger.warning("未写入：%s", exc.message)
    except Exception:
        logger.exception("汇总出错")
        raise
    finally:
        result.seconds = time.perf_counter() - t0
        logger.info("结束：退出码 %s，写入 %s，征集明细 %s 条，用时 %.1f 秒", result.exit_code,
                    "是" if result.written else "否", result.rows_total, result.seconds)
        _close_logger(logger)
    return result


def _run(master: Path, inbox: Path, today: date, progress: Progress | None, logger: logging.Logger,
         result: ConsolidateResult, workers: int, started: datetime, lock_timeout: float) -> None:
    from macros.adapters.file_engine import FileEngine
    from macros.adapters.safe_write import master_lock

    engine = FileEngine(master)
    setup, unit_order, unit_names, campaign_id = _master_setup(engine, master, today)
    candidates = inbox_files(inbox)
    if candidates and setup.expect.secret is None:  # a configuration error: said once, exit 2
        raise ConfigError(CODES["E213"].template.format(key=setup.expect.key_file or "密钥文件"))
    readers = _Readers(setup, workers if candidates else 0)
    try:
        with master_lock(master, timeout=lock_timeout):
            engine = FileEngine(master)  # read under the lock: another run may just have replaced it
            _locked_run(master, inbox, today, progress, logger, result, engine, setup, unit_order,
                        unit_names, campaign_id, candidates, readers, started)
    except RefusedError:
        if not result.files:  # refused before anything was read: say how many rows stand
            try:
                result.rows_total = len(FileEngine(master).read_table(ITEMS).frame)
            except Exception:  # noqa: BLE001
                pass
        raise
    finally:
        readers.close()


def _locked_run(master, inbox, today, progress, logger, result, engine, setup, unit_order, unit_names,
                campaign_id, candidates, readers, started) -> None:
    crash_point("locked")
    with Ledger(ledger_path(master)) as ledger:
        if campaign_id:
            stored = ledger.set_meta_once("campaign_id", campaign_id)
            if stored != campaign_id:
                raise ConfigError(
                    f"汇总台账“{ledger.path.name}”属于活动编号为 {stored} 的活动，与工作簿的活动编号 {campaign_id} 不符。"
                    "请核对是否把其他活动的工作簿放到了这里；如确需重新开始，请把台账文件改名移走。")
        accepted = ledger.accepted_hashes()
        current_before = ledger.current_ids()
        limit = setup.limits.file_bytes

        # 1. Fingerprints: a file already accepted is not read again.
        hashes: dict[Path, str | None] = {}
        to_read: list[Path] = []
        for p in candidates:
            sha = file_sha256(p, limit)
            hashes[p] = sha
            if sha is None or sha not in accepted:
                to_read.append(p)
        total = len(to_read)
        t_read = time.perf_counter()
        if progress:
            progress(0, total, "读取报送表")

        # 2. Read, check, validate; record each file in the ledger as it comes.
        results: dict[Path, FileResult] = {}
        new_ids: dict[Path, int] = {}
        recorded = 0
        with ledger.batched() as batch:
            for i, outcome in enumerate(readers.examine(to_read), start=1):
                path = Path(outcome.path)
                rec = outcome.record
                sha = rec["sha256"]
                if outcome.accepted and sha in accepted:  # the same bytes twice in one batch
                    results[path] = FileResult(path.name, rec["unit_code"], "unchanged", rec["row_count"], [])
                    new_ids[path] = accepted[sha]
                elif not outcome.accepted and sha and (prev := ledger.latest_by_hash(sha)) is not None \
                        and prev.status == "rejected" and _same_verdict(prev.problems, rec["problems"]):
                    results[path] = FileResult(path.name, prev.unit_code, "rejected", 0, prev.problems)
                else:
                    rec["received_at"] = datetime.now().replace(microsecond=0).isoformat(timespec="seconds")
                    if outcome.accepted:
                        flag_replacement(ledger, rec)
                    fid = ledger.record_file(rec, outcome.rows)
                    batch.tick()
                    crash_point("recording")
                    recorded += 1
                    new_ids[path] = fid
                    if outcome.accepted:
                        accepted[sha] = fid
                    results[path] = FileResult(path.name, rec["unit_code"],
                                               "ingested" if outcome.accepted else "rejected",
                                               rec["row_count"], list(rec["problems"]))
                    logger.info("登记 %s：%s，单位 %s，%s 行，问题 %s 个", shown_name(path.name),
                                "通过" if outcome.accepted else "未通过", rec["unit_code"] or "—",
                                rec["row_count"], len(rec["problems"]))
                if progress:
                    progress(i, total, shown_name(path.name))
        readers.close()  # free the readers' memory before the master is rebuilt
        crash_point("recorded")
        logger.info("读取并登记 %s 个文件（另有 %s 个无变化）用时 %.1f 秒", total, len(candidates) - total,
                    time.perf_counter() - t_read)

        # 3. Status of every file of the inbox.
        current_after = ledger.current_ids()
        by_id = {r.id: r for r in ledger.files()} if candidates else {}
        files: list[FileResult] = []
        for p in sorted(candidates, key=lambda q: q.name):
            sha = hashes.get(p)
            if p in results:
                fr = results[p]
                if fr.status == "ingested" and new_ids.get(p) not in current_after:
                    fr.status = "superseded"
                files.append(fr)
                continue
            fid = accepted.get(sha or "")
            rec = by_id.get(fid) if fid is not None else None
            if rec is None:  # cannot happen: unread files are accepted ones
                continue
            status = "superseded" if (fid in current_before and fid not in current_after) else "unchanged"
            files.append(FileResult(p.name, rec.unit_code, status, rec.row_count, list(rec.problems)))
        result.files = files

        # 4. Rebuild the product sheets from the ledger; write only when they change.
        _rebuild(master, engine, ledger, result, unit_order, unit_names, current_after, today, logger,
                 changed=recorded > 0)
        ledger.record_run(started, datetime.now(), str(inbox), len(candidates), recorded, result.written,
                          result.exit_code if not result.refused else int(Exit.REFUSED))
        backup_ledger(ledger, changed=recorded > 0 or result.written, logger=logger)


def _current_rows(ledger: Ledger) -> list[CurrentRow]:
    info = {r.id: r for r in ledger.files() if r.status == "accepted"}
    out = []
    for row in ledger.current_rows():
        rec = info[row.file_id]
        out.append(CurrentRow(rec.unit_code or "", row.title_key or "", row.normalised, rec.submitted_on, rec.name))
    return out


def _rebuild(master: Path, engine, ledger: Ledger, result: ConsolidateResult, unit_order, unit_names,
             current: set[int], today: date, logger: logging.Logger, changed: bool) -> None:
    t0 = time.perf_counter()
    old_items = engine.read_table(ITEMS)
    old_rows = old_items.records()
    extra = list(old_items.extra)
    del old_items
    plan = plan_items(_current_rows(ledger), old_rows, extra, ledger.item_ids(), ledger.max_seq(),
                      unit_names, unit_order)
    submissions = _submissions(ledger, current)
    result.kept_manual = plan.kept_manual
    warn_returning(result.files, ledger, plan.rows, old_rows, unit_names)
    if not changed:
        old_subs = engine.read_table(SUBMISSIONS).records()
        if same_rows(plan.rows, old_rows, list(ITEMS.keys) + extra) and \
                same_rows(submissions, old_subs, SUBMISSIONS.keys):
            result.rows_total = len(old_rows)
            logger.info("征集明细与报送记录无变化，未改写工作簿")
            return
    result.rows_total = len(old_rows)  # what stands if the write is refused
    del old_rows
    ledger.add_item_ids(plan.new_ids, datetime.now())
    if plan.dropped:
        known = {(v["item_id"], repr(sorted(v["staff"].items()))) for v in ledger.staff_values()}
        fresh = [d for d in plan.dropped if (d["item_id"], repr(sorted(_jsonish(d["staff"]).items()))) not in known]
        ledger.record_staff_values([{**d, "staff": _jsonish(d["staff"])} for d in fresh], datetime.now(),
                                   "重新报送后该行不在新表中")
        _warn_dropped(result, plan.dropped, unit_names)
    engine.write_table(ITEMS, plan.rows)
    engine.write_table(SUBMISSIONS, submissions)
    t1 = time.perf_counter()
    _refresh_stats(engine, today, plan.rows, logger)
    t2 = time.perf_counter()
    engine.save()
    logger.info("整理 %.1f 秒，统计 %.1f 秒，保存 %.1f 秒", t1 - t0, t2 - t1, time.perf_counter() - t2)
    result.written = True
    result.rows_total = len(plan.rows)
    logger.info("已写入工作簿：征集明细 %s 条，报送记录 %s 条", len(plan.rows), len(submissions))


def _jsonish(values: dict[str, Any]) -> dict[str, Any]:
    return {k: json_value(v) for k, v in values.items()}


def _warn_dropped(result: ConsolidateResult, dropped: list[dict], unit_names: dict[str, str]) -> None:
    """W201 on the file that replaced a row staff had worked on."""
    headers = {c.key: c.header for c in ITEMS.columns}
    for d in dropped:
        target = next((f for f in result.files if f.unit_code == d["unit_code"] and f.status == "ingested"), None)
        cols = "、".join(headers.get(k, k) for k in d["staff"])
        p = problem("W201", unit=unit_names.get(d["unit_code"] or "", d["unit_code"]), title=d["title"] or "",
                    item_id=d["item_id"], columns=cols)
        if target is not None:
            target.problems.append(problem_json(p))


def _refresh_stats(engine, today: date, items: list[dict], logger: logging.Logger) -> None:
    """Regenerate 统计 (and its charts) before saving, when the tally is installed."""
    try:
        from macros.app.tally import refresh_stats
    except ModuleNotFoundError as exc:
        if exc.name != "macros.app.tally":
            raise
        return
    # The engine's reads of 征集明细 already see the rows being written (FileEngine keeps them),
    # so the tally reads them once, with the sheet's own header row and columns.
    refresh_stats(engine, today)
    logger.info("已更新统计")


# --- the command -----------------------------------------------------------------------------

def _tqdm_progress():
    if not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=0, unit="个", desc="汇总报送表", file=sys.stderr, leave=False)

    def update(done: int, total: int, message: str) -> None:
        if bar.total != total:
            bar.total = total
            bar.refresh()
        bar.n = done
        bar.set_postfix_str(message[:30], refresh=True)

    return update, bar


def command(args) -> CommandResult:
    progress, bar = _tqdm_progress()
    try:
        result = consolidate(args.master, args.inbox, today=getattr(args, "today", None), progress=progress,
                             log=getattr(args, "log", None))
    finally:
        if bar is not None:
            bar.close()
    return CommandResult(data=result.to_json(), exit_code=result.exit_code, lines=result.lines())
