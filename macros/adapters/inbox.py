"""The inbox folder on disk: which entries are returns, and their fingerprints.

``inbox_files`` lists the candidate files (oldest modification time first); ``fingerprint``
reads a file once for its SHA-256 and its first bytes (what readers recognise a file by).
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

INBOX_SUFFIXES = (".xlsx", ".xlsm", ".xls")
# Spreadsheets a unit may save by mistake: listed as rejected (E201) with the fix, not ignored.
OTHER_SUFFIXES = (".ods", ".et", ".xlsb", ".numbers", ".csv")


# Names never reported: Office/WPS/LibreOffice lock files, macOS resource forks, hidden files
# and the folder views Windows and macOS leave behind.
IGNORED_PREFIXES = ("~$", ".~lock.", "._", ".")
IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}
# A folder with a return's name is reported (E244): somebody unpacked or saved into a folder.
RETURN_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".docx", ".doc", ".wps", ".rtf", ".odt", ".pdf", ".et", ".ods")


@dataclass
class Special:
    """An inbox entry that is not a readable regular file: reported with a code, never opened."""

    path: Path
    code: str
    fields: dict[str, str]


def ignored(name: str) -> bool:
    return name.startswith(IGNORED_PREFIXES) or name.lower() in IGNORED_NAMES


def _inside(target: Path, root: Path) -> bool:
    try:
        target.relative_to(root)
        return True
    except ValueError:
        return False


def _special_kind(mode: int) -> str | None:
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO）"
    if stat.S_ISSOCK(mode):
        return "套接字"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        return "特殊文件"
    return None


def classify(path: Path, root: Path) -> Path | Special | None:
    """A regular file to read (the path), a ``Special`` entry to report, or None (ignored:
    plain sub-folders such as an archive folder of already handled files)."""
    try:
        lst = path.lstat()
    except OSError as exc:
        return Special(path, "E245", {"detail": type(exc).__name__})
    if stat.S_ISLNK(lst.st_mode):
        try:
            target = path.resolve(strict=True)
        except RuntimeError:
            return Special(path, "E241", {"detail": "循环"})
        except OSError:
            try:
                target = path.resolve(strict=False)
            except RuntimeError:
                return Special(path, "E241", {"detail": "循环"})
            if target.exists() or os.path.islink(target):
                return Special(path, "E241", {"detail": "循环"})
            return Special(path, "E241", {"detail": "指向不存在的文件"})
        if not _inside(target, root):
            return Special(path, "E242", {"target": str(target)})
        try:
            mode = target.stat().st_mode
        except OSError as exc:
            return Special(path, "E245", {"detail": type(exc).__name__})
    else:
        mode = lst.st_mode
    if stat.S_ISDIR(mode):
        return Special(path, "E244", {}) if path.suffix.lower() in RETURN_SUFFIXES else None
    kind = _special_kind(mode)
    if kind is not None:
        return Special(path, "E243", {"detail": kind})
    return path


def inbox_entries(inbox: Path) -> tuple[list[Path], list[Special]]:
    """Every entry of the inbox (not recursive): regular files to read, oldest modification time
    first (ties by name), and the entries reported without being opened."""
    root = inbox.resolve()
    files, special = [], []
    for p in inbox.iterdir():
        if ignored(p.name):
            continue
        found = classify(p, root)
        if isinstance(found, Special):
            special.append(found)
        elif found is not None:
            try:
                files.append((found.stat().st_mtime_ns, found.name, found))
            except OSError as exc:
                special.append(Special(found, "E245", {"detail": type(exc).__name__}))
    return [p for _m, _n, p in sorted(files)], sorted(special, key=lambda s: s.path.name)


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
    return fingerprint_kept(path, limit, keep=0)[:3]


def fingerprint_kept(path: Path, limit: int, keep: int) -> tuple[str | None, bytes, int, bytes | None]:
    """``fingerprint`` plus the whole content when the file has at most ``keep`` bytes (None
    otherwise): what the identify stage recognises a file by without reading it again."""
    from macros.adapters.readers.base import HEAD_BYTES  # the readers' package loads every reader

    h = hashlib.sha256()
    head = b""
    chunks: list[bytes] | None = []
    size = 0
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                if not head:
                    head = chunk[:HEAD_BYTES]
                size += len(chunk)
                if size > limit:
                    return None, head, size, None
                h.update(chunk)
                if chunks is not None and size <= keep:
                    chunks.append(chunk)
                else:
                    chunks = None
    except OSError:
        return None, head, size, None
    return h.hexdigest(), head, size, (b"".join(chunks) if chunks is not None else None)


def file_sha256(path: Path, limit: int) -> str | None:
    """SHA-256 of a file (None when it cannot be read or exceeds ``limit`` bytes)."""
    return fingerprint(path, limit)[0]


def stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None
