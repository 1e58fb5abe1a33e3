"""The ledger's rules, one by one: which form of a unit is current (ties included), and every
invariant ``Ledger.check()`` watches, each broken on purpose and caught."""

from __future__ import annotations

import sqlite3

import pytest

from macros.adapters.ledger import Ledger

T0 = 1_286_000_000_000_000_000  # a modification time in ns


def _file(sha: str, unit: str = "XH01", mtime_ns: int = T0, rows: int = 1, status: str = "accepted") -> dict:
    return {"sha256": sha, "name": f"{sha}.xlsx", "path": f"/inbox/{sha}.xlsx", "size": 100, "mtime_ns": mtime_ns,
            "mtime": "2010-10-02T09:00:00", "received_at": "2010-10-25T09:00:00", "unit_code": unit,
            "unit_name": unit, "campaign_id": "C1", "form_version": "1", "issued_at": None, "submitted_on": None,
            "status": status, "row_count": rows, "rows_rejected": 0, "problems": []}


def _rows(n: int, accepted: bool = True) -> list[dict]:
    return [{"sheet_row": 5 + i, "accepted": accepted, "original": {"题目": f"t{i}"},
             "normalised": {"title": f"t{i}"} if accepted else None, "title_key": f"t{i}"} for i in range(n)]


@pytest.fixture
def ledger(tmp_path):
    with Ledger(tmp_path / "m.kexie-ledger.sqlite") as led:
        yield led


def test_equal_modification_times_the_later_receipt_is_current(ledger):
    first = ledger.record_file(_file("a" * 64), _rows(1))
    second = ledger.record_file(_file("b" * 64, rows=2), _rows(2))
    assert second > first
    assert ledger.current_ids() == {second}  # g.id > f.id: the later receipt wins the tie
    assert {r.file_id for r in ledger.current_rows()} == {second}
    assert ledger.check() == []


def test_a_later_modification_time_wins_over_a_later_receipt(ledger):
    newer = ledger.record_file(_file("a" * 64, mtime_ns=T0 + 1), _rows(1))
    ledger.record_file(_file("b" * 64, mtime_ns=T0), _rows(1))
    assert ledger.current_ids() == {newer}


def test_a_rejected_file_never_becomes_current(ledger):
    ok = ledger.record_file(_file("a" * 64), _rows(1))
    ledger.record_file(_file("b" * 64, mtime_ns=T0 + 5, rows=0, status="rejected"), _rows(1, accepted=False))
    assert ledger.current_ids() == {ok}


def test_check_catches_a_row_count_that_disagrees_with_the_rows(ledger):
    fid = ledger.record_file(_file("a" * 64, rows=3), _rows(2))
    assert ledger.check() == [f"file {fid}: row_count 3 but 2 accepted rows"]


def test_check_catches_a_file_accepted_twice(ledger):
    ledger.record_file(_file("a" * 64), _rows(1))
    ledger.db.execute("DROP INDEX files_accepted_once")  # what the unique index normally prevents
    ledger.record_file(_file("a" * 64, unit="XH02"), _rows(1))
    assert ledger.check() == [f"file {'a' * 12} accepted twice"]


def test_check_catches_two_current_files_of_one_unit(ledger):
    ledger.record_file(_file("a" * 64), _rows(1))
    ledger.record_file(_file("b" * 64), _rows(1))
    ledger.db.execute("DROP VIEW current_files")  # a view without the tie-break
    ledger.db.execute("CREATE VIEW current_files AS SELECT * FROM files WHERE status = 'accepted'")
    assert ledger.check() == ["unit XH01 has two current files"]


def test_check_catches_a_damaged_database(tmp_path):
    path = tmp_path / "d.kexie-ledger.sqlite"
    with Ledger(path) as led:
        for i in range(200):
            led.record_file(_file(f"{i:064d}", unit=f"U{i}", rows=5), _rows(5))
        led.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = led.db.execute("PRAGMA page_size").fetchone()[0]
        root = led.db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'files_sha256'").fetchone()[0]
    data = bytearray(path.read_bytes())
    start = (root - 1) * page
    for at in range(start + page // 2, start + page - 8):  # scribble over the index's cells
        data[at] = 0x5A
    path.write_bytes(bytes(data))
    try:
        with Ledger(path) as led:
            found = led.check()
    except Exception as exc:  # noqa: BLE001 - damage noticed on open: said as damage (exit 2)
        assert getattr(exc, "exit_code", None) == 2 and "损坏" in exc.message
        return
    assert found and all(p.startswith(("integrity_check:", "damaged:")) for p in found), found


def test_the_ledger_stays_append_only(ledger):
    ledger.record_file(_file("a" * 64), _rows(1))
    for sql in ("UPDATE files SET status = 'rejected'", "DELETE FROM received_rows"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            ledger.db.execute(sql)
