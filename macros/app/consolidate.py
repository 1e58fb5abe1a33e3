"""Use case: collect the returns of an inbox folder into the master (kexie consolidate).

``consolidate(master, inbox)`` runs headless (cron / Task Scheduler, no Excel). The pipeline is
``macros.app.intake`` (one ``IntakeRun`` object per run):

1. reads the master's settings, roster and topics, and the campaign secret beside it;
2. lists the inbox (``.xlsx``/``.xlsm``/``.xls``; Office lock files and hidden files ignored),
   oldest modification time first; fingerprints every file and gives it to the reader adapter
   that recognises it (``macros.adapters.readers``); a file whose SHA-256 the ledger has already
   accepted is ``unchanged`` and not read again;
3. reads and checks every other file and validates its rows
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

import sys
from datetime import date
from pathlib import Path
from typing import Any

from macros.adapters.inbox import INBOX_SUFFIXES, file_sha256, inbox_files, is_candidate  # noqa: F401
from macros.adapters.readers.spreadsheet import OTHER_SPREADSHEETS  # noqa: F401
from macros.app.intake.examine import Outcome, examine  # noqa: F401
from macros.app.intake.result import STATUS_ZH, ConsolidateResult, FileResult  # noqa: F401
from macros.app.intake.run import LOCK_WAIT, LOG_DIR, WORKERS, IntakeRun, Progress, default_log  # noqa: F401
from macros.app.intake.setup import Setup  # noqa: F401
from macros.app.result import CommandResult
from macros.errors import ConfigError


def consolidate(master: str | Path, inbox: str | Path, today: date | None = None,
                progress: Progress | None = None, log: str | Path | None = None,
                workers: int = WORKERS, lock_timeout: float = LOCK_WAIT,
                hints: dict[str, dict[str, Any]] | None = None, engine: Any = None) -> ConsolidateResult:
    """Collect the returns of ``inbox`` into ``master`` (see the module doc).

    ``workers``: reader processes (0 reads in this process); ``lock_timeout``: seconds to wait
    for another run on the same master before refusing (exit 3); ``hints``: per file name, what
    the caller knows beside the content (``unit_code``, ``message_id``); ``engine``: the workbook
    to write (default: a FileEngine on ``master``; the ribbon passes the open book, which is then
    written in Excel and saved by staff)."""
    return IntakeRun(master, inbox, today=today, progress=progress, log=log, workers=workers,
                     lock_timeout=lock_timeout, hints=hints, engine=engine).execute()


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


def consolidate_command(engine, inbox: Path, today: date | None = None, log: Path | None = None) -> CommandResult:
    """``kexie consolidate`` and the button 汇总报送, on the engine its shell opened."""
    if engine.path is None:
        raise ConfigError(f"请先把“{engine.name}”保存到电脑上，再汇总报送表。")
    progress, bar = _tqdm_progress()
    try:
        result = consolidate(engine.path, inbox, today=today, progress=progress, log=log, engine=engine)
    finally:
        if bar is not None:
            bar.close()
    return CommandResult(data=result.to_json(), exit_code=result.exit_code, lines=result.lines())
