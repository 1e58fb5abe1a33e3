"""What the shells need from the console and the file system around a run.

* :func:`setup_streams` — Chinese output that never raises: a redirected stdout/stderr keeps the
  encoding Python chose from the locale or ``PYTHONIOENCODING`` (so ``> file``, pipes and
  PowerShell read what the system expects, GBK included) with ``errors="replace"``; a real
  console keeps its encoding. An encoding that cannot hold Chinese at all (ASCII under the C
  locale, Latin-1) becomes UTF-8 unless ``PYTHONIOENCODING`` asked for it.
* :func:`log_bug` — the traceback of an unexpected error appended to ``kexie-logs/`` beside the
  workbook (else in the user's temp folder); the person reads one Chinese line naming the log.
"""

from __future__ import annotations

import codecs
import os
import sys
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

LOG_DIR = "kexie-logs"


def _holds_chinese(encoding: str | None) -> bool:
    try:
        "科协".encode(encoding or "ascii")
    except (LookupError, UnicodeEncodeError):
        return False
    return True


def setup_streams(streams=None) -> None:
    for stream in streams or (sys.stdout, sys.stderr):
        if stream is None or not hasattr(stream, "reconfigure"):
            continue
        try:
            encoding = stream.encoding
            if not _holds_chinese(encoding) and not os.environ.get("PYTHONIOENCODING"):
                encoding = "utf-8"
            stream.reconfigure(encoding=codecs.lookup(encoding).name, errors="replace")
        except (ValueError, OSError, LookupError):
            pass


def log_bug(master: Path | None, what: str, name: str = "kexie.log") -> Path:
    """Append the current exception's traceback to ``kexie-logs/<name>`` beside ``master``
    (when given and writable), else in the temp folder; return the log's path."""
    stamp = datetime.now().isoformat(timespec="seconds")
    text = f"--- {stamp} {what}\n{traceback.format_exc()}\n"
    folders = ([Path(master).parent / LOG_DIR] if master else []) + [Path(tempfile.gettempdir()) / LOG_DIR]
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            log = folder / name
            with log.open("a", encoding="utf-8") as f:
                f.write(text)
            return log
        except OSError:
            continue
    return Path(tempfile.gettempdir())
