"""Writing beside a master on a bad day: permissions, locks, held files, a read-only folder.

Tests run as root here, and root ignores permission bits: what a staff account would meet is
checked either by mode bits (which kexie reads itself) or by running kexie without the
capabilities that let root bypass them (``setpriv``, from util-linux).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from macros.adapters import file_attrs, safe_write
from macros.adapters.ledger import Ledger, ledger_path
from macros.adapters.safe_write import lock_path, master_lock
from macros.errors import RefusedError
from consolidate_kit import Camp, good_row

ROOT = Path(__file__).resolve().parents[1]
POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX modes and setpriv")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- permissions of the master ---------------------------------------------------------------

@POSIX
def test_a_read_only_master_is_refused_with_exit_3(camp):
    camp.fill("XH01", [good_row(1)])
    camp.master.chmod(0o444)
    before = camp.master.read_bytes()
    result = camp.run()
    assert result.exit_code == 3 and "只读" in result.refused
    assert camp.master.read_bytes() == before and _mode(camp.master) == 0o444
    with camp.ledger() as ledger:  # what arrived is kept for the next run
        assert [f.unit_code for f in ledger.files()] == ["XH01"]
    camp.master.chmod(0o644)
    assert camp.run().written


@POSIX
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_a_replaced_master_keeps_its_mode(camp, mode):
    camp.fill("XH01", [good_row(1)])
    camp.master.chmod(mode)
    assert camp.run().written
    assert _mode(camp.master) == mode


def test_read_only_follows_the_mode_bits_not_os_access(tmp_path):
    f = tmp_path / "a.xlsx"
    f.write_bytes(b"x")
    f.chmod(0o444)
    assert file_attrs.is_read_only(f)  # even for root, for whom os.access says writable
    f.chmod(0o200)
    assert not file_attrs.is_read_only(f)


def test_the_windows_attribute_twins_run_here(tmp_path):
    f = tmp_path / ".x.kexie-key"
    f.write_text("k")
    file_attrs.set_hidden(f)  # a no-op on POSIX (the dot hides it), must not fail
    g = tmp_path / "g"
    g.write_text("g")
    f.chmod(0o600)
    file_attrs.keep_attributes(f, g)
    assert _mode(g) == 0o600


# --- the run lock -----------------------------------------------------------------------------

def test_no_lock_file_is_left_after_a_run(camp):
    camp.fill("XH01", [good_row(1)])
    assert camp.run().written
    assert not lock_path(camp.master).exists()
    assert [p.name for p in camp.master.parent.iterdir() if p.name.endswith(".kexie.lock")] == []


def test_the_lock_still_serialises_concurrent_holders(tmp_path):
    """Threads and processes take the lock in turn although each release removes the file:
    a log of enter/leave events never shows two holders at once."""
    master = tmp_path / "m.xlsx"
    master.write_bytes(b"x")
    events = tmp_path / "events.txt"
    code = ("import sys,time,os;from pathlib import Path;from macros.adapters.safe_write import master_lock\n"
            "for _ in range(15):\n"
            " with master_lock(Path(sys.argv[1]), timeout=60):\n"
            "  open(sys.argv[2],'a').write('+\\n');time.sleep(0.004);open(sys.argv[2],'a').write('-\\n')\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(master), str(events)], cwd=ROOT) for _ in range(4)]
    for p in procs:
        assert p.wait(timeout=120) == 0
    lines = events.read_text().split()
    assert len(lines) == 4 * 15 * 2
    depth = 0
    for e in lines:
        depth += 1 if e == "+" else -1
        assert depth in (0, 1), "two runs held the lock together"
    assert not lock_path(master).exists()


def test_a_held_lock_still_refuses_and_is_reentrant(tmp_path):
    master = tmp_path / "m.xlsx"
    master.write_bytes(b"x")
    with master_lock(master):
        with master_lock(master):  # the save inside a consolidation takes it again
            assert lock_path(master).exists()
        assert lock_path(master).exists()
        failed: list[BaseException] = []

        def other() -> None:
            try:
                with master_lock(master, timeout=0.2):
                    pass
            except RefusedError as exc:
                failed.append(exc)

        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert failed and "另一个" in failed[0].message
    assert not lock_path(master).exists()


# --- a file held by another program ------------------------------------------------------------

def _chattr(flag: str, path: Path) -> bool:
    tool = shutil.which("chattr")
    return tool is not None and subprocess.run([tool, flag, str(path)], capture_output=True).returncode == 0


@POSIX
def test_replace_is_retried_while_another_program_holds_the_master(camp, monkeypatch):
    """An immutable file makes os.replace fail with PermissionError, as a file held by an
    antivirus or a sync client does on Windows."""
    camp.fill("XH01", [good_row(1)])
    if not _chattr("+i", camp.master):
        pytest.skip("chattr +i is not available on this file system")
    monkeypatch.setattr(safe_write, "REPLACE_FIRST_WAIT", 0.05)
    monkeypatch.setattr(safe_write, "REPLACE_TRIES", 40)  # ~4 s of retries at the cap below
    real_sleep = time.sleep
    monkeypatch.setattr(safe_write.time, "sleep", lambda s: real_sleep(min(s, 0.1)))
    timer = threading.Timer(0.8, _chattr, ("-i", camp.master))
    timer.start()
    try:
        result = camp.run()
    finally:
        timer.join()
        _chattr("-i", camp.master)
    assert result.written and result.exit_code == 0
    assert [r["title"] for r in camp.items()] == [good_row(1)["title"]]


@POSIX
def test_a_master_held_for_good_means_exit_3_and_an_intact_master(camp, monkeypatch):
    camp.fill("XH01", [good_row(1)])
    before = camp.master.read_bytes()
    if not _chattr("+i", camp.master):
        pytest.skip("chattr +i is not available on this file system")
    monkeypatch.setattr(safe_write, "REPLACE_FIRST_WAIT", 0.01)
    monkeypatch.setattr(safe_write, "REPLACE_TRIES", 3)
    try:
        result = camp.run()
    finally:
        _chattr("-i", camp.master)
    assert result.exit_code == 3 and "占用" in result.refused
    assert camp.master.read_bytes() == before
    assert [p.name for p in camp.master.parent.iterdir() if ".kexie-tmp" in p.name] == []


# --- a folder the user may not write ---------------------------------------------------------

def _as_plain_user(args: list[str]) -> list[str]:
    """Run without root's bypass of permission bits (CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH)."""
    tool = shutil.which("setpriv")
    if tool is None or os.geteuid() != 0:
        pytest.skip("needs root and setpriv to simulate a user without write permission")
    caps = "-dac_override,-dac_read_search"
    return [tool, f"--bounding-set={caps}", f"--inh-caps={caps}", *args]


def _consolidate_cmd(camp: Camp) -> list[str]:
    return [sys.executable, "-m", "macros.cli", "consolidate", str(camp.master), str(camp.inbox),
            "--today", "2010-10-25", "--log", str(camp.root.parent / "outside.log")]


@POSIX
def test_a_read_only_folder_is_not_called_a_corrupt_ledger(camp):
    camp.fill("XH01", [good_row(1)])
    assert camp.run().written
    camp.fill("XH02", [good_row(2)])
    folder = camp.master.parent
    folder.chmod(0o555)
    try:
        proc = subprocess.run(_as_plain_user(_consolidate_cmd(camp)), cwd=ROOT, capture_output=True,
                              text=True, encoding="utf-8", timeout=300)
    finally:
        folder.chmod(0o755)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 3, out
    assert "不允许写入" in out and "损坏" not in out


@POSIX
def test_a_read_only_ledger_file_is_not_called_corrupt(camp):
    camp.fill("XH01", [good_row(1)])
    assert camp.run().written
    camp.fill("XH02", [good_row(2)])
    ledger_path(camp.master).chmod(0o444)
    proc = subprocess.run(_as_plain_user(_consolidate_cmd(camp)), cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 3, out
    assert "不允许写入" in out and "损坏" not in out


def test_a_corrupt_ledger_names_a_backup_that_exists(camp):
    camp.fill("XH01", [good_row(1)])
    assert camp.run().written
    backups = sorted((camp.master.parent / "备份").glob("*.kexie-ledger-*.sqlite"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as db:  # a real, complete copy
        assert db.execute("SELECT COUNT(*) FROM files").fetchone()[0] == 1
    ledger_path(camp.master).write_bytes(b"this is not a database" * 100)
    with pytest.raises(Exception) as err:
        camp.run()
    assert getattr(err.value, "exit_code", None) == 2
    assert "损坏" in err.value.message and backups[0].name in err.value.message
    assert (camp.master.parent / "备份" / backups[0].name).exists()


def test_ledger_backups_follow_changes_and_keep_the_last_few(camp):
    from macros.adapters.ledger_errors import LEDGER_BACKUPS_KEPT

    folder = camp.master.parent / "备份"
    for i in range(LEDGER_BACKUPS_KEPT + 2):
        camp.fill("XH01", [good_row(100 + i)])
        camp.run()
    assert len(list(folder.glob("*.kexie-ledger-*.sqlite"))) == LEDGER_BACKUPS_KEPT
    names = sorted(p.name for p in folder.glob("*.kexie-ledger-*.sqlite"))
    camp.run()  # nothing new: no new backup
    assert sorted(p.name for p in folder.glob("*.kexie-ledger-*.sqlite")) == names
    with Ledger(folder / names[-1]) as copy:
        assert copy.check() == []
