"""The lock that serialises kexie runs on one master, leaving no file behind once released.

``RunLock(path)`` holds an exclusive OS lock on ``.<master name>.kexie.lock`` beside the master;
it is re-entrant within a thread (consolidation holds it and the save inside takes it again).

Removing the lock file on release is safe because the holder unlinks it *while still holding*
the lock, and an acquirer only counts as holding the lock when the file it locked is still the
one at the path (same device and inode, at least one link). A waiter that locked the unlinked
file lets it go and tries again on the new one — so two runs never hold it together.

POSIX uses ``fcntl.flock``; Windows uses filelock's Windows lock (which already deletes its file
on release, and an open file cannot be deleted there). The file is hidden on Windows.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from macros.adapters.file_attrs import set_hidden

POLL_SECONDS = 0.05


class LockTimeout(Exception):
    pass


def lock_path(path: Path) -> Path:
    return Path(path).with_name(f".{Path(path).name}.kexie.lock")


class _PosixLock:
    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def try_acquire(self) -> bool:
        import fcntl

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        try:
            held, here = os.fstat(fd), os.stat(self.path)
            same = held.st_nlink > 0 and os.path.samestat(held, here)
        except FileNotFoundError:
            same = False
        if not same:  # the holder before us removed it: lock the new file instead
            os.close(fd)
            return False
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.unlink(self.path)  # still holding the lock: nobody can have locked the path's file
        except OSError:
            pass
        os.close(self.fd)  # closing releases the flock
        self.fd = None


class _WindowsLock:  # pragma: no cover - Windows only
    def __init__(self, path: Path):
        from filelock import FileLock

        self.lock = FileLock(str(path), timeout=0, is_singleton=False)
        self.path = path

    def try_acquire(self) -> bool:
        from filelock import Timeout

        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            return False
        set_hidden(self.path)
        return True

    def release(self) -> None:
        self.lock.release(force=True)


_held: dict[tuple[Path, int], list] = {}  # (lock file, thread) -> [lock, depth]
_guard = threading.Lock()


def acquire(path: Path, timeout: float) -> None:
    """Take the run lock of master ``path``; raise LockTimeout after ``timeout`` seconds."""
    lp = lock_path(Path(path))
    key = (lp, threading.get_ident())
    with _guard:
        if key in _held:
            _held[key][1] += 1
            return
    lock = _WindowsLock(lp) if os.name == "nt" else _PosixLock(lp)
    deadline = time.monotonic() + max(timeout, 0)
    while not lock.try_acquire():
        if time.monotonic() >= deadline:
            raise LockTimeout(str(lp))
        time.sleep(POLL_SECONDS)
    with _guard:
        _held[key] = [lock, 1]


def release(path: Path) -> None:
    lp = lock_path(Path(path))
    key = (lp, threading.get_ident())
    with _guard:
        entry = _held.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _held[key]
    entry[0].release()
