"""The inbox folder on disk: which entries are returns, and their fingerprints.

``inbox_files`` lists the candidate files (oldest modification time first); ``fingerprint``
reads a file once for its SHA-256 and its first bytes (what readers recognise a file by).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from macros.adapters.readers.base import HEAD_BYTES

INBOX_SUFFIXES = (".xlsx", ".xlsm", ".xls")
# Spreadsheets a unit may save by mistake: listed as rejected (E201) with the fix, not ignored.
OTHER_SUFFIXES = (".ods", ".et", ".xlsb", ".numbers", ".csv")


def is_candidate(path: Path) -> bool:
    name = path.name
    if name.startswith(("~$", ".~lock.", "._", ".")):
        return False  # Office/WPS/LibreOffice lock files, macOS resource forks, hidden files
    return path.suffix.lower() in INBOX_SUFFIXES or path.suffix.lower() in OTHER_SUFFIXES


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


def fingerprint(path: Path, limit: int) -> tuple[str | None, bytes, int]:
    """(SHA-256, first bytes, size) of a file; the hash is None when the file cannot be read or
    exceeds ``limit`` bytes (the head is then what could be read)."""
    h = hashlib.sha256()
    head = b""
    size = 0
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                if not head:
                    head = chunk[:HEAD_BYTES]
                size += len(chunk)
                if size > limit:
                    return None, head, size
                h.update(chunk)
    except OSError:
        return None, head, size
    return h.hexdigest(), head, size


def file_sha256(path: Path, limit: int) -> str | None:
    """SHA-256 of a file (None when it cannot be read or exceeds ``limit`` bytes)."""
    return fingerprint(path, limit)[0]


def stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None
