"""File attributes and process ties that differ between Windows and POSIX, behind one small API.

* ``set_hidden(path)``: the key and lock files beside a master are hidden in Explorer on Windows
  (``SetFileAttributesW`` with FILE_ATTRIBUTE_HIDDEN); on POSIX their leading dot already hides
  them, so this is a no-op there.
* ``is_read_only(path)``: the master must not be replaced when staff made it read-only — the
  write bits of its mode on POSIX (checked by hand: root bypasses ``os.access``), the read-only
  attribute on Windows.
* ``keep_attributes(src, dst)``: a replaced master keeps its mode (POSIX), its owner where we may
  set it, and its hidden/archive/… attributes on Windows.
* ``tie_to_parent()``: called in a worker process so it dies with its parent: Linux asks the
  kernel (``prctl(PR_SET_PDEATHSIG, SIGKILL)``); everywhere a daemon thread also watches the
  parent's pid and exits the worker when the parent is gone.
* ``kill_children_on_exit()``: on Windows, puts this process into a Job object with
  JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, so the workers it starts die when it dies (the handle is
  closed by the OS); a no-op elsewhere. It cannot be tested on Linux.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import threading
import time
from pathlib import Path

IS_WINDOWS = sys.platform == "win32"
FILE_ATTRIBUTE_READONLY = 0x1
FILE_ATTRIBUTE_HIDDEN = 0x2
_KEPT_ATTRIBUTES = 0x2 | 0x4 | 0x20 | 0x2000  # hidden, system, archive, not content indexed
PARENT_POLL_SECONDS = 1.0


def _win_attributes(path: Path) -> int | None:  # pragma: no cover - Windows only
    import ctypes

    value = ctypes.windll.kernel32.GetFileAttributesW(str(path))
    return None if value == 0xFFFFFFFF else int(value)


def _win_set_attributes(path: Path, value: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    return bool(ctypes.windll.kernel32.SetFileAttributesW(str(path), value))


def set_hidden(path: Path) -> None:
    """Hide ``path`` in Explorer (Windows); POSIX: nothing to do, the name starts with a dot."""
    if not IS_WINDOWS:
        return
    attrs = _win_attributes(Path(path))  # pragma: no cover - Windows only
    if attrs is not None and not attrs & FILE_ATTRIBUTE_HIDDEN:  # pragma: no cover
        _win_set_attributes(Path(path), attrs | FILE_ATTRIBUTE_HIDDEN)


def is_read_only(path: Path) -> bool:
    """True when the file is marked read-only (no write bit at all / the read-only attribute)."""
    st = os.stat(path)
    if IS_WINDOWS:  # pragma: no cover - Windows only
        return bool(getattr(st, "st_file_attributes", 0) & FILE_ATTRIBUTE_READONLY)
    return not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def keep_attributes(src: Path, dst: Path) -> None:
    """Give ``dst`` (the new file) the mode, owner and attributes of ``src`` (the one it replaces)."""
    try:
        st = os.stat(src)
    except OSError:
        return
    if IS_WINDOWS:  # pragma: no cover - Windows only
        attrs = getattr(st, "st_file_attributes", 0) & _KEPT_ATTRIBUTES
        if attrs:
            current = _win_attributes(Path(dst)) or 0
            _win_set_attributes(Path(dst), current | attrs)
        return
    shutil.copymode(src, dst)
    if hasattr(os, "chown"):
        try:
            os.chown(dst, st.st_uid, st.st_gid)
        except OSError:
            pass  # not ours to give away: the mode bits are what matter


def tie_to_parent(parent_pid: int | None = None, kernel: bool = True) -> None:
    """Make this (worker) process exit when its parent dies, however the parent died.
    ``parent_pid``: the process to follow (the run's main process — not always our direct parent:
    with the forkserver start method the workers are children of the fork server).
    ``kernel=False`` leaves out the Linux kernel's help (tests of the portable watch thread)."""
    parent = parent_pid or os.getppid()
    direct = os.getppid() == parent
    if kernel and sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if not _parent_alive(parent, direct):  # died before we asked
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent, direct), name="kexie-parent-watch", daemon=True).start()


def _parent_alive(parent: int, direct: bool) -> bool:
    if IS_WINDOWS:  # pragma: no cover - Windows only
        import ctypes

        SYNCHRONIZE = 0x00100000
        handle = ctypes.windll.kernel32.OpenProcess(SYNCHRONIZE, False, parent)
        if not handle:
            return False
        try:
            return ctypes.windll.kernel32.WaitForSingleObject(handle, 0) != 0  # 0: signalled (exited)
        finally:
            ctypes.windll.kernel32.CloseHandle(handle)
    if direct:
        return os.getppid() == parent  # re-parented to init/a subreaper once the parent is gone
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (dead, not yet reaped) counts as gone
        return Path(f"/proc/{parent}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _watch_parent(parent: int, direct: bool) -> None:
    while _parent_alive(parent, direct):
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


_JOB = None


def kill_children_on_exit() -> None:  # pragma: no cover - the Windows part is untestable here
    """Windows: a Job object that kills every process of the job when this process ends."""
    global _JOB
    if not IS_WINDOWS or _JOB is not None:
        return
    import ctypes
    from ctypes import wintypes

    class _Basic(ctypes.Structure):
        _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64), ("PerJobUserTimeLimit", ctypes.c_int64),
                    ("LimitFlags", wintypes.DWORD), ("MinimumWorkingSetSize", ctypes.c_size_t),
                    ("MaximumWorkingSetSize", ctypes.c_size_t), ("ActiveProcessLimit", wintypes.DWORD),
                    ("Affinity", ctypes.c_size_t), ("PriorityClass", wintypes.DWORD),
                    ("SchedulingClass", wintypes.DWORD)]

    class _Io(ctypes.Structure):
        _fields_ = [(n, ctypes.c_uint64) for n in ("ReadOperationCount", "WriteOperationCount",
                                                    "OtherOperationCount", "ReadTransferCount",
                                                    "WriteTransferCount", "OtherTransferCount")]

    class _Extended(ctypes.Structure):
        _fields_ = [("BasicLimitInformation", _Basic), ("IoInfo", _Io), ("ProcessMemoryLimit", ctypes.c_size_t),
                    ("JobMemoryLimit", ctypes.c_size_t), ("PeakProcessMemoryUsed", ctypes.c_size_t),
                    ("PeakJobMemoryUsed", ctypes.c_size_t)]

    kernel32 = ctypes.windll.kernel32
    job = kernel32.CreateJobObjectW(None, None)
    if not job:
        return
    info = _Extended()
    info.BasicLimitInformation.LimitFlags = 0x2000  # JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
    JobObjectExtendedLimitInformation = 9
    if not kernel32.SetInformationJobObject(job, JobObjectExtendedLimitInformation, ctypes.byref(info),
                                            ctypes.sizeof(info)):
        kernel32.CloseHandle(job)
        return
    if kernel32.AssignProcessToJobObject(job, kernel32.GetCurrentProcess()):
        _JOB = job  # kept open for the life of the process; the OS closes it when we die
    else:
        kernel32.CloseHandle(job)
