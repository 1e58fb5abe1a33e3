"""What a run avoids paying for, without changing what it produces: reader processes when
nothing in the inbox is new, a second read of each file to recognise it, openpyxl parsing the old
统计 it is about to replace, the garbage collector walking everything imported."""

from __future__ import annotations

import gc
import zipfile

import openpyxl

from consolidate_kit import Camp, by_file, good_row
from macros.adapters import readers as registry
from macros.adapters.inbox import fingerprint, fingerprint_kept
from macros.adapters.readers import Probe
from macros.app.intake.identify import identify


def _intake_run(camp: Camp):
    from macros.adapters.file_engine import FileEngine
    from macros.adapters.inbox import inbox_entries
    from macros.app.intake.run import IntakeRun

    run = IntakeRun(camp.master, camp.inbox)
    run.candidates, run.special = inbox_entries(camp.inbox)
    run.engine = FileEngine(camp.master)
    return run


def test_no_reader_processes_when_every_file_is_already_accepted(camp):
    a = camp.fill("XH01", [good_row(1)])
    b = camp.fill("XH02", [good_row(2)])
    assert _intake_run(camp)._worker_count() == 2  # no ledger yet: everything is new
    first = camp.run()
    assert {by_file(first)[p.name].status for p in (a, b)} == {"ingested"}
    assert _intake_run(camp)._worker_count() == 0
    again = camp.run()
    assert {f.status for f in again.files} == {"unchanged"} and not again.written
    c = camp.fill("XH03", [good_row(3)])  # one new file: the readers are started again
    assert _intake_run(camp)._worker_count() == 2
    assert by_file(camp.run())[c.name].status == "ingested"


def _with_comment(path, length: int) -> int:
    """Give the ZIP ``length`` bytes of archive comment (readers ignore it); returns the size."""
    with zipfile.ZipFile(path, "a") as zf:
        zf.comment = b" " * length
    return path.stat().st_size


def test_a_file_changed_behind_an_unchanged_name_size_and_time_is_still_read(camp):
    import os

    path = camp.fill("XH01", [good_row(1, title="原来的题目")])
    size = _with_comment(path, 4000)
    camp.run()
    st = path.stat()
    camp.fill("XH01", [good_row(1, title="改过的题目")], dest=path)
    bare = _with_comment(path, 0)
    assert _with_comment(path, size - bare) == size  # the same size …
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # … and time
    assert _intake_run(camp)._worker_count() == 0  # the guess says nothing new …
    result = camp.run()
    assert by_file(result)[path.name].status == "ingested"  # … the hash says otherwise: read here
    assert [r["title"] for r in camp.items()] == ["改过的题目"]


def test_recognising_from_memory_gives_the_same_reader_as_from_disk(camp, tmp_path):
    form = camp.fill("XH01", [good_row(1)])
    word = tmp_path / "建议.docx"
    with zipfile.ZipFile(word, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    text = tmp_path / "说明.txt"
    text.write_text("不是表格", encoding="utf-8")
    for path in (form, word, text):
        sha, head, size = fingerprint(path, 50 << 20)
        sha2, head2, size2, data = fingerprint_kept(path, 50 << 20, 8 << 20)
        assert (sha, head, size) == (sha2, head2, size2) and data == path.read_bytes()
        from_disk = registry.reader_for(Probe(path, head, size))
        probe = Probe(path, head, size, data)
        assert registry.reader_for(probe) is from_disk
        probe.close()
    assert [e.kind for e in identify([form], 50 << 20)] == ["form"]
    # a file above the kept size is hashed whole but not kept
    sha3, head3, size3, none = fingerprint_kept(form, 50 << 20, 1000)
    assert none is None and (sha3, head3, size3) == fingerprint(form, 50 << 20)


def test_the_old_statistics_sheet_is_not_parsed_but_replaced_whole(camp):
    camp.fill("XH01", [good_row(1)])
    camp.run()
    book = openpyxl.load_workbook(camp.master)
    order = book.sheetnames
    cells_before = {(c.coordinate, c.value) for row in book["统计"].iter_rows() for c in row if c.value is not None}
    camp.fill("XH02", [good_row(2)])
    assert camp.run().written
    wb = openpyxl.load_workbook(camp.master)
    after = {(c.coordinate, c.value) for row in wb["统计"].iter_rows() for c in row if c.value is not None}
    assert after and after != cells_before  # regenerated for the new rows, not emptied
    assert wb.sheetnames == order  # same place in the book
    assert len(wb["统计"]._charts) == len(book["统计"]._charts) > 0  # charts drawn again


def test_blank_strips_only_the_named_sheet(camp):
    from macros.adapters.xlsx_splice import strip_tables

    camp.fill("XH01", [good_row(1)])
    camp.run()
    import io

    wb = openpyxl.load_workbook(io.BytesIO(strip_tables(camp.master, [], blank=["统计"])))
    orig = openpyxl.load_workbook(camp.master)
    assert wb["统计"].max_row == 1 and wb["统计"]["A1"].value is None
    for name in orig.sheetnames:
        if name != "统计":
            assert [[c.value for c in r] for r in wb[name].iter_rows()] == \
                [[c.value for c in r] for r in orig[name].iter_rows()], name


def test_a_run_leaves_the_garbage_collector_as_it_found_it(camp):
    camp.fill("XH01", [good_row(1)])
    assert gc.get_freeze_count() == 0
    camp.run()
    assert gc.get_freeze_count() == 0
    gc.freeze()  # a caller that froze objects itself keeps them frozen
    try:
        frozen = gc.get_freeze_count()
        camp.fill("XH02", [good_row(2)])
        camp.run()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_reading_starts_while_identifying_and_gives_what_one_process_gives(issued, tmp_path):
    """Forms go to the reader processes as soon as they are identified; a Word document waits
    for its reader's batch preparation; the outcomes come back in inbox order, the same as when
    everything is read in this process."""
    import shutil

    import docx

    from consolidate_kit import codes, copy_camp, set_mtime

    def fill(camp):
        units = sorted(camp.forms)[:6]
        for n, code in enumerate(units):
            form = camp.fill(code, [good_row(n * 10 + 1), good_row(n * 10 + 2)])
            for i in range(12):  # enough files for several batches
                copy = camp.inbox / f"{code}-副本{i:02d}.xlsx"
                shutil.copy2(form, copy)
                set_mtime(copy, camp.next_time())
            if n == 2:  # a Word document in the middle of the inbox order
                d = docx.Document()
                for line in ("关于加快沿江开发的建议", f"报送单位：{code}", "献策人：张三", "联系电话：0415-2812345",
                             "主题领域：提升开发开放水平", "建议加快沿江开发。"):
                    d.add_paragraph(line)
                d.save(camp.inbox / "建议.docx")
                set_mtime(camp.inbox / "建议.docx", camp.next_time())
        (camp.inbox / "说明.txt").write_text("不是表格", encoding="utf-8")
        return camp

    here, spread = fill(copy_camp(issued, tmp_path / "here")), fill(copy_camp(issued, tmp_path / "spread"))
    alone, together = here.run(workers=0), spread.run(workers=2)

    def outcome(result):
        return [(f.file, f.status, f.kind, f.unit_code, f.rows, codes(f)) for f in result.files]

    assert outcome(alone) == outcome(together)
    assert {f.kind for f in together.files} >= {"form", "word"}
    assert sum(f.status == "ingested" for f in together.files) == 7  # six forms and the document
    assert here.items() == spread.items()
