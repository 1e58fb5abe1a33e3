"""Telling a ledger that cannot be written from one that is damaged, and keeping backups of it.

A permission problem (read-only folder or file) refuses the run (exit 3) and says what to fix —
the ledger is fine. Only SQLite's own verdict of damage ("file is not a database", "malformed")
calls it damaged (exit 2), and the advice names the newest backup in 备份/ beside the master,
where every successful consolidation leaves a copy (the last ``LEDGER_BACKUPS_KEPT``).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import datetime
from pathlib import Path

from macros.errors import ConfigError, RefusedError

BACKUP_DIR = "备份"  # beside the master, shared with the master's backups (safe_write)
LEDGER_BACKUPS_KEPT = 5


def backup_ledger(db: sqlite3.Connection, path: Path, folder: Path | None, keep: int) -> Path:
    folder = folder or path.parent / BACKUP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = folder / f"{path.stem}-{stamp}{path.suffix}"
    target = sqlite3.connect(str(dest))
    try:
        db.backup(target)
    finally:
        target.close()
    for old in ledger_backups(path, folder)[:-keep]:
        old.unlink(missing_ok=True)
    return dest


def ledger_backups(path: Path, folder: Path | None = None) -> list[Path]:
    """Backups of the ledger ``path``, oldest first (in 备份/ beside it unless ``folder``)."""
    folder = folder or path.parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{path.stem}-*{path.suffix}"))


def is_permission(exc: BaseException, path: Path) -> bool:
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text or "permission" in text or "access" in text:
        return True
    if "unable to open" in text:  # a missing file in a folder we may not create it in, or no access
        return not path.exists() or not writable(path) or not writable(path.parent)
    return False


def writable(path: Path) -> bool:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) and os.access(path, os.W_OK)


def open_error(path: Path, exc: BaseException) -> Exception:
    """Permission problems refuse (exit 3) and say so; only real damage is called damage."""
    if is_permission(exc, path):
        return RefusedError(
            f"无法写入汇总台账“{path.name}”：所在文件夹“{path.parent}”或台账文件不允许写入（权限不足或只读）。"
            "台账本身没有问题，本次没有写入任何内容。请给当前用户该文件夹的写入权限（或取消只读）后重新汇总。")
    backups = ledger_backups(path)
    if backups:
        advice = (f"请把它改名移走，再把备份“{BACKUP_DIR}/{backups[-1].name}”复制回来并改名为“{path.name}”，"
                  "然后重新汇总（备份之后收到的文件会重新登记）。")
    else:
        advice = ("没有找到台账备份。请先把它复制一份交技术人员检查；如确需重新开始，把它改名移走后重新汇总："
                  "收件箱中的文件会重新登记，但编号会重新分配，工作人员在已移出征集明细的行上填写的内容不再可查。")
    return ConfigError(f"汇总台账“{path.name}”已损坏，无法打开（{exc}）。{advice}")
