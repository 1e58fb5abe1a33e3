"""Replacements that may not come from the unit, floods of rows, rows staff deleted, a second run
that has nothing to do, and what an identical file means."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl

from macros.adapters.ledger import DDL, Ledger
from macros.adapters.safe_write import master_lock
from macros.schema import FORM_META_SHEET, ITEMS
from consolidate_kit import Camp, codes, good_row, set_mtime


def _one(result, name: str):
    return next(f for f in result.files if f.file == name)


def _meta(path: Path) -> dict:
    wb = openpyxl.load_workbook(path, read_only=True)
    out = {r[0]: r[1] for r in wb[FORM_META_SHEET].iter_rows(min_row=2, values_only=True) if r[0]}
    wb.close()
    return out


def _titles(camp: Camp) -> list[str]:
    return [r["title"] for r in camp.items()]


# --- item 1: the token proves the unit, not the file ---------------------------------------------

def test_another_units_metadata_pasted_into_a_junk_form_is_flagged(camp):
    genuine = camp.fill("XH01", [good_row(i) for i in range(3)])
    assert camp.run().written
    stolen = {k: v for k, v in _meta(camp.forms["XH01"]).items() if k in ("unit_code", "unit_name", "token", "nonce")}
    junk = camp.fill("XH05", [good_row(99, title="随便写的一条")], name="XH05_报送表.xlsx", meta=stolen)
    result = camp.run()
    f = _one(result, junk.name)
    assert f.status == "ingested" and f.unit_code == "XH01"  # the token is genuine: taken in…
    assert set(codes(f)) == {"W204", "W206"}  # …but flagged: shown unit ≠ metadata, 3 rows → 1
    subs = {s["file"]: s["result"] for s in camp.submissions()}
    assert subs[junk.name].startswith("已汇总（请核实：") and "W204" in subs[junk.name]
    assert subs[genuine.name] == "已被替代"
    assert any("W204" in line for line in result.lines())


def test_a_replacement_from_another_issued_copy_is_flagged(camp, tmp_path):
    from macros.app.forms import run_forms

    camp.fill("XH01", [good_row(i) for i in range(3)])
    camp.run()
    again = run_forms(camp.master, tmp_path / "reissued")  # the unit asked for its form again
    camp.forms = {**camp.forms, "XH01": next(p for p in again.paths if p.name.startswith("XH01"))}
    second = camp.fill("XH01", [good_row(i) for i in range(3, 6)], name="XH01_第二份.xlsx")
    f = _one(camp.run(), second.name)
    assert f.status == "ingested" and codes(f) == ["W205"]
    with camp.ledger() as ledger:
        nonces = [r.nonce for r in ledger.files()]
    assert len(set(nonces)) == 2 and all(nonces)


def test_a_replacement_sent_by_another_units_mailbox_is_flagged(camp):
    """The mail fetcher tells the sender's unit (hints); a replacement from another unit's
    mailbox is flagged although the form itself is genuine."""
    from datetime import date

    from macros.app.consolidate import consolidate

    camp.fill("XH01", [good_row(i) for i in range(3)])
    camp.run()
    second = camp.fill("XH01", [good_row(i) for i in range(3, 6)], name="XH01_转发.xlsx")
    result = consolidate(camp.master, camp.inbox, today=date(2010, 10, 25),
                         hints={second.name: {"unit_code": "XH07"}})
    f = _one(result, second.name)
    assert f.status == "ingested" and codes(f) == ["W205"] and "XH07" in f.problems[0]["message"]


def test_a_resubmission_from_the_same_copy_is_not_flagged(camp):
    camp.fill("XH01", [good_row(i) for i in range(3)])
    camp.run()
    second = camp.fill("XH01", [good_row(i) for i in range(3, 7)], name="XH01_修改稿.xlsx")
    f = _one(camp.run(), second.name)
    assert f.status == "ingested" and f.problems == []
    assert {s["result"] for s in camp.submissions()} == {"已汇总", "已被替代"}


def test_a_ledger_from_before_the_nonce_opens_and_gains_the_column(tmp_path):
    from macros.adapters.sqlite_kit import statements

    path = tmp_path / "old.kexie-ledger.sqlite"
    with sqlite3.connect(path) as db:  # the tables as first released: no added columns, no view
        for statement in statements(DDL):
            if not statement.lstrip().upper().startswith("CREATE VIEW"):
                db.execute(statement)
        assert "nonce" not in {r[1] for r in db.execute("PRAGMA table_info(files)")}
    with Ledger(path) as ledger:
        assert "nonce" in {r[1] for r in ledger.db.execute("PRAGMA table_info(files)")}
        assert ledger.files() == [] and ledger.check() == []


# --- item 11: small ones --------------------------------------------------------------------------

def test_a_flood_of_rows_beyond_the_units_ceiling_is_rejected(camp):
    from datetime import date

    from macros.adapters.file_engine import FileEngine
    from macros.app.intake.setup import master_setup

    setup = master_setup(FileEngine(camp.master), camp.master, date(2010, 10, 25)).setup
    limit = setup.ceilings["XH01"]
    assert limit >= 50
    camp.fill("XH01", [good_row(i) for i in range(3)])
    camp.run()
    flood = camp.fill("XH01", [good_row(100 + i) for i in range(limit + 1)], name="XH01_大量.xlsx")
    result = camp.run()
    f = _one(result, flood.name)
    assert f.status == "rejected" and codes(f) == ["E215"] and str(limit) in f.problems[0]["message"]
    assert len(_titles(camp)) == 3  # the unit's accepted form stays current
    with camp.ledger() as ledger:
        assert ledger.check() == []


def test_the_ceiling_setting_of_the_master_is_honoured(camp):
    wb = openpyxl.load_workbook(camp.master)
    ws = wb["设置"]
    row = next(r for r in ws.iter_rows() if r[0].value == "每单位报送上限")
    row[1].value = 2
    wb.save(camp.master)
    path = camp.fill("XH02", [good_row(i) for i in range(3)])
    f = _one(camp.run(), path.name)
    assert f.status == "rejected" and codes(f) == ["E215"]


def test_a_row_staff_deleted_comes_back_with_a_warning(camp):
    from macros.adapters.file_engine import FileEngine

    path = camp.fill("XH01", [good_row(i) for i in range(3)])
    camp.run()
    engine = FileEngine(camp.master)
    rows = engine.read_table(ITEMS).records()
    gone = rows[1]
    engine.write_table(ITEMS, [rows[0], rows[2]])  # staff deletes a row in Excel
    engine.regenerated.add("统计")  # the streaming rewrite keeps 统计 and its charts byte for byte
    engine.save()
    result = camp.run()
    f = _one(result, path.name)
    assert f.status == "unchanged" and codes(f) == ["W208"] and gone["item_id"] in f.problems[0]["message"]
    assert result.written and gone["title"] in _titles(camp)


def test_a_refused_write_is_not_mistaken_for_a_staff_deletion(camp):
    camp.fill("XH01", [good_row(i) for i in range(3)])
    camp.master.chmod(0o444)
    assert camp.run().exit_code == 3  # ids handed out, nothing written
    camp.master.chmod(0o644)
    result = camp.run()
    assert result.written and all(f.problems == [] for f in result.files)


def test_a_second_concurrent_run_with_nothing_new_writes_nothing(camp):
    """Run B reads the master, then waits for the lock while run A takes everything in: once it
    gets the lock, B must see A's master and leave it (and its backups) alone."""
    for code in ("XH01", "XH02"):
        camp.fill(code, [good_row(1), good_row(2)])
    results: dict[str, object] = {}
    with master_lock(camp.master):
        b = threading.Thread(target=lambda: results.setdefault("b", camp.run(lock_timeout=60)))
        b.start()
        time.sleep(2.0)  # B has read the master and waits for the lock
        results["a"] = camp.run()  # same thread as the lock holder: runs now
    b.join(timeout=120)
    assert results["a"].written
    assert not results["b"].written and results["b"].exit_code == 0
    backups = list((camp.master.parent / "备份").glob(f"{camp.master.stem}-*{camp.master.suffix}"))
    assert len(backups) == 1


def test_an_identical_file_with_a_new_time_stays_unchanged_as_the_docs_say(camp):
    old = camp.fill("XH01", [good_row(1)], name="XH01_初稿.xlsx")
    camp.fill("XH01", [good_row(2)], name="XH01_修改稿.xlsx")
    camp.run()
    copy = camp.inbox / "XH01_初稿（再次保存的附件）.xlsx"
    shutil.copyfile(old, copy)
    set_mtime(copy, datetime(2010, 10, 20, 9) + timedelta(days=3))
    result = camp.run()
    assert _one(result, copy.name).status == "unchanged" and not result.written
    assert _titles(camp) == [good_row(2)["title"]]
    text = (Path(__file__).resolve().parents[1] / "docs" / "consolidation.md").read_text(encoding="utf-8")
    assert "changes nothing (`unchanged`)" in text and "makes it current" not in text
