"""kexie consolidate on real files: forms issued by kexie forms, filled as units fill them, and
the corrupt, encrypted, forged and hostile files an inbox also receives."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from macros.adapters.ledger import ledger_path
from macros.core.normalize import count_chars
from macros.core.tokens import form_token
from macros.schema import FORM_META_SHEET, FORM_SHEET, ITEMS
from consolidate_kit import add_staff_chart, by_file, codes, copy_camp, good_row, set_mtime

ROOT = Path(__file__).resolve().parents[1]


# --- the happy path ---------------------------------------------------------------------------

def test_ingests_forms_into_the_master(camp):
    a = camp.fill("XH01", [good_row(1), good_row(2), good_row(3)], when=datetime(2010, 10, 9, 10, 30))
    b = camp.fill("QX01", [good_row(4, body="正文" * 10)], when=datetime(2010, 10, 21, 16, 0))
    result = camp.run()
    assert result.exit_code == 0 and result.written
    files = by_file(result)
    assert files[a.name].status == "ingested" and files[a.name].rows == 3 and files[a.name].unit_code == "XH01"
    assert files[b.name].status == "ingested" and files[b.name].rows == 1
    assert result.rows_total == 4
    items = camp.items()
    assert [r["item_id"] for r in items] == ["XH01-001", "XH01-002", "XH01-003", "QX01-001"]
    first = items[0]
    assert first["unit_name"] == "丹东市医学会" and first["title"] == "关于推进丹东发展的第1条建议"
    assert first["submitted_on"] == date(2010, 10, 9)  # the file's modification date
    assert first["source_file"] == a.name
    # recomputed: the form's formula cell is never trusted (openpyxl leaves it without a value)
    assert first["word_count"] == count_chars(good_row(1)["body"])
    assert items[3]["word_count"] == 20 and items[3]["submitted_on"] == date(2010, 10, 21)
    subs = camp.submissions()
    assert [s["file"] for s in subs] == [a.name, b.name]
    assert [s["result"] for s in subs] == ["已汇总", "已汇总"] and subs[0]["rows"] == 3
    assert subs[0]["received_at"] == datetime(2010, 10, 9, 10, 30)
    assert len(subs[0]["fingerprint"]) == 16
    # the master still opens and its table covers the rows
    wb = openpyxl.load_workbook(camp.master)
    assert wb["征集明细"].tables[ITEMS.excel_name].ref == "A1:R5"
    assert (camp.master.parent / "备份").is_dir()


def test_a_rerun_ingests_nothing_twice_and_leaves_the_master_alone(camp):
    camp.fill("XH01", [good_row(1), good_row(2)])
    camp.fill("XH02", [good_row(3)])
    first = camp.run()
    assert first.written and first.exit_code == 0
    before = camp.master.read_bytes()
    backups = sorted((camp.master.parent / "备份").iterdir())
    again = camp.run()
    assert [f.status for f in again.files] == ["unchanged", "unchanged"]
    assert [f.rows for f in again.files] == [2, 1]
    assert not again.written and again.exit_code == 0 and again.rows_total == 3
    assert camp.master.read_bytes() == before
    assert sorted((camp.master.parent / "备份").iterdir()) == backups
    with camp.ledger() as ledger:
        assert len(ledger.files()) == 2 and ledger.check() == []


def test_a_newer_form_supersedes_the_older_one_whose_rows_stay_in_history(camp):
    old = camp.fill("XH01", [good_row(1), good_row(2)], name="XH01_初稿.xlsx", when=datetime(2010, 10, 8, 9))
    result = camp.run()
    assert by_file(result)[old.name].status == "ingested"
    new = camp.fill("XH01", [good_row(1), good_row(5), good_row(6)], name="XH01_修改稿.xlsx",
                    when=datetime(2010, 10, 12, 9))
    result = camp.run()
    files = by_file(result)
    assert files[old.name].status == "superseded" and files[new.name].status == "ingested"
    assert [r["title"] for r in camp.items()] == [good_row(i)["title"] for i in (1, 5, 6)]
    # 编号 of the unchanged 题目 is kept; new 题目 get new numbers
    assert [r["item_id"] for r in camp.items()] == ["XH01-001", "XH01-003", "XH01-004"]
    assert [s["result"] for s in camp.submissions()] == ["已被替代", "已汇总"]
    with camp.ledger() as ledger:
        history = ledger.db.execute("SELECT COUNT(*) FROM received_rows").fetchone()[0]
        assert history == 5 and ledger.check() == []
    # an older version arriving late does not win
    late = camp.fill("XH01", [good_row(9)], name="XH01_更早的稿.xlsx", when=datetime(2010, 10, 5, 9))
    result = camp.run()
    assert by_file(result)[late.name].status == "superseded"
    assert by_file(result)[new.name].status == "unchanged"
    assert len(camp.items()) == 3
    # both versions in one batch: the newer one is current
    assert camp.run().written is False


def test_both_versions_in_one_batch(camp):
    v1 = camp.fill("XH02", [good_row(1)], name="v1.xlsx", when=datetime(2010, 10, 8, 9))
    v2 = camp.fill("XH02", [good_row(2), good_row(3)], name="v2.xlsx", when=datetime(2010, 10, 9, 9))
    files = by_file(camp.run())
    assert files[v1.name].status == "superseded" and files[v2.name].status == "ingested"
    assert [r["title"] for r in camp.items()] == [good_row(2)["title"], good_row(3)["title"]]


def test_same_bytes_under_two_names_count_once(camp):
    a = camp.fill("XH03", [good_row(1)], name="a.xlsx", when=datetime(2010, 10, 8, 9))
    b = camp.inbox / "a的副本.xlsx"
    b.write_bytes(a.read_bytes())
    set_mtime(b, datetime(2010, 10, 8, 10))
    files = by_file(camp.run())
    assert files[a.name].status == "ingested" and files[b.name].status == "unchanged"
    assert len(camp.items()) == 1


def test_office_lock_files_in_the_inbox_are_ignored(camp):
    good = camp.fill("XH01", [good_row(1)])
    (camp.inbox / f"~${good.name}").write_bytes(b"\x00" * 165)
    (camp.inbox / f".~lock.{good.name}#").write_text("user,host", encoding="utf-8")
    (camp.inbox / "说明.txt").write_text("not a form", encoding="utf-8")
    (camp.inbox / "附件.pdf").write_bytes(b"%PDF-1.4")
    (camp.inbox / "已处理").mkdir()
    (camp.inbox / "已处理" / "旧表.xlsx").write_bytes(good.read_bytes())
    result = camp.run()
    # lock files and plain sub-folders are ignored; what kexie cannot use is reported, not skipped
    assert [f.file for f in result.files] == [good.name, "说明.txt", "附件.pdf"] and result.exit_code == 1
    files = by_file(result)
    assert codes(files["说明.txt"]) == ["E240"] and "需人工录入" in files["说明.txt"].problems[0]["message"]
    assert codes(files["附件.pdf"]) == ["E240"] and "扫描版 PDF" in files["附件.pdf"].problems[0]["message"]
    assert camp.run().exit_code == 0  # nothing new is wrong: a scheduled task returns to 0


def test_spreadsheets_in_other_formats_are_reported_not_ignored(camp):
    (camp.inbox / "XH03_丹东市机械工程学会.ods").write_bytes(b"PK\x03\x04 not really")
    (camp.inbox / "XH04_丹东市电子学会.et").write_bytes(b"\xd0\xcf\x11\xe0")
    files = by_file(camp.run())
    assert codes(files["XH03_丹东市机械工程学会.ods"]) == ["E201"] and ".ods" in files["XH03_丹东市机械工程学会.ods"].problems[0]["message"]
    assert files["XH04_丹东市电子学会.et"].status == "rejected" and "另存为 .xlsx" in files["XH04_丹东市电子学会.et"].problems[0]["message"]


# --- staff work survives ------------------------------------------------------------------------

def _staff_edit(master: Path, edits: dict[str, dict[str, object]], extra_header: str | None = None) -> None:
    """Staff type into 征集明细 in Excel: values by 编号 and header."""
    wb = openpyxl.load_workbook(master)
    ws = wb["征集明细"]
    headers = {c.value: c.column for c in ws[1] if c.value}
    if extra_header:
        col = max(headers.values()) + 1
        ws.cell(row=1, column=col, value=extra_header)
        headers[extra_header] = col
    for row in ws.iter_rows(min_row=2):
        item_id = row[headers["编号"] - 1].value
        for header, value in edits.get(item_id, {}).items():
            ws.cell(row=row[0].row, column=headers[header], value=value)
    wb.save(master)


def test_staff_columns_survive_a_resubmission_for_unchanged_titles(camp):
    camp.fill("XH01", [good_row(1), good_row(2), good_row(3)], name="v1.xlsx", when=datetime(2010, 10, 8, 9))
    camp.run()
    _staff_edit(camp.master, {
        "XH01-001": {"评分": 92.5, "是否采纳": "是", "备注": "报市政府", "责任处室": "学会部"},
        "XH01-002": {"评分": 60, "备注": "待核实"},
        "XH01-003": {"状态": "重复"},
    }, extra_header="责任处室")
    # The unit resubmits: 题目 1 typed in Traditional with odd spacing, 题目 2 reworded, 3 kept, 4 new.
    camp.fill("XH01", [good_row(1, title=" 關於推進丹東發展的第１條建議 "), good_row(2, title="完全不同的新题目"),
                       good_row(3), good_row(4)], name="v2.xlsx", when=datetime(2010, 10, 12, 9))
    result = camp.run()
    assert result.written and result.exit_code == 1  # W201: staff work left 征集明细
    items = {r["item_id"]: r for r in camp.items()}
    assert set(items) == {"XH01-001", "XH01-003", "XH01-004", "XH01-005"}
    one = items["XH01-001"]
    assert one["title"] == "關於推進丹東發展的第１條建議"  # as typed (product column)
    assert (one["score"], one["adopted"], one["remark"], one["责任处室"]) == (92.5, "是", "报市政府", "学会部")
    assert items["XH01-003"]["status"] == "重复"
    assert items["XH01-004"]["title"] == "完全不同的新题目" and items["XH01-004"]["score"] is None
    assert items["XH01-005"]["remark"] is None
    v2 = by_file(result)["v2.xlsx"]
    assert "W201" in codes(v2)
    with camp.ledger() as ledger:
        kept = ledger.staff_values()
        assert len(kept) == 1 and kept[0]["item_id"] == "XH01-002"
        assert kept[0]["staff"]["score"] == 60 and kept[0]["staff"]["remark"] == "待核实"
    # the header staff added is still there, and a re-run changes nothing
    wb = openpyxl.load_workbook(camp.master)
    assert [c.value for c in wb["征集明细"][1]][-1] == "责任处室"
    before = camp.master.read_bytes()
    again = camp.run()
    assert not again.written and camp.master.read_bytes() == before


def test_rows_staff_typed_into_the_sheet_are_kept(camp):
    camp.fill("XH01", [good_row(1)])
    camp.run()
    wb = openpyxl.load_workbook(camp.master)
    ws = wb["征集明细"]
    ws.append(["纸质-001", "XH02", "丹东市农学会", "纸质来稿：发展蚕业", "推进新农村建设", "李国华", "丹东市农学会",
               None, "0415-2134567", None, "纸质来稿正文", 6, date(2010, 10, 10), "纸质", None, 80])
    wb.save(camp.master)
    camp.fill("XH02", [good_row(2)])
    result = camp.run()
    assert result.kept_manual == 1
    ids = [r["item_id"] for r in camp.items()]
    assert ids == ["XH01-001", "XH02-001", "纸质-001"]
    assert camp.items()[-1]["score"] == 80


# --- bad rows, bad files ------------------------------------------------------------------------

def test_bad_rows_are_rejected_with_code_and_cell_the_rest_ingested(camp):
    path = camp.fill("XH04", [good_row(1), good_row(2, author=None), good_row(3, topic="发展旅游文化产业"),
                              good_row(4, phone="0415-212"), good_row(5)])
    result = camp.run()
    f = by_file(result)[path.name]
    assert f.status == "ingested" and f.rows == 2 and result.exit_code == 1
    found = {(p["code"], p["cell"]) for p in f.problems}
    assert ("E101", "C6") in found and ("E107", "B7") in found and ("E105", "F8") in found
    assert all(p["level"] in ("error", "warning") and p["message"] for p in f.problems)
    assert any("本行未汇总" in p["message"] for p in f.problems)
    assert [r["title"] for r in camp.items()] == [good_row(1)["title"], good_row(5)["title"]]
    with camp.ledger() as ledger:  # rejected rows are kept as received
        rows = ledger.db.execute("SELECT accepted, original FROM received_rows ORDER BY sheet_row").fetchall()
        assert [r[0] for r in rows] == [1, 0, 0, 0, 1]
        assert json.loads(rows[2][1])["主题领域"] == "发展旅游文化产业"


def test_traditional_chinese_and_full_width_digits(camp):
    path = camp.fill("QX02", [good_row(1, title="發展現代服務業的建議", topic="大力發展現代服務業",
                                       author_org="丹東市振興區科協", phone="０４１５－２１２７１５２",
                                       body="發展現代服務業，擴大就業。")],
                     fill_date="２０１０年１０月１８日", when=datetime(2010, 10, 20, 15))
    result = camp.run()
    f = by_file(result)[path.name]
    assert f.status == "ingested" and f.rows == 1
    assert {p["code"] for p in f.problems} <= {"W102"}  # spelling noted, nothing refused
    row = camp.items()[0]
    assert row["topic"] == "大力发展现代服务业"  # the master's own spelling
    assert row["phone"] == "0415-2127152"
    assert row["title"] == "發展現代服務業的建議" and row["author_org"] == "丹東市振興區科協"  # as typed
    assert row["submitted_on"] == date(2010, 10, 18)  # the 填表日期 typed in the form


def test_fill_date_later_than_receipt_is_ignored_with_a_warning(camp):
    path = camp.fill("QX03", [good_row(1)], fill_date=date(2010, 11, 30), when=datetime(2010, 10, 20, 15))
    f = by_file(camp.run())[path.name]
    assert "W202" in codes(f)
    assert camp.items()[0]["submitted_on"] == date(2010, 10, 20)


def test_hostile_text_stays_text(camp):
    path = camp.fill("XH05", [good_row(1, title='=HYPERLINK("http://evil.example/x","点我")',
                                       body="=cmd|' /C calc'!A0", author_post="@SUM(1+1)"),
                              good_row(2)],
                     raw_cells={"E6": '=HYPERLINK("http://evil.example/y","点这里")'})
    result = camp.run()
    assert by_file(result)[path.name].rows == 2
    items = camp.items()
    assert items[0]["title"].startswith("=HYPERLINK(") and items[0]["body"].startswith("=cmd|")
    wb = openpyxl.load_workbook(camp.master)
    ws = wb["征集明细"]
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    with zipfile.ZipFile(camp.master) as zf:
        from macros.adapters.xlsx_splice import sheet_part_of

        part = sheet_part_of(camp.master, "征集明细")
        assert b"<f>" not in zf.read(part) and b"<f " not in zf.read(part)


def _plain_workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = FORM_SHEET
    ws.append(["题目", "主题领域", "献策人", "工作单位", "职务", "联系电话", "电子邮箱", "正文"])
    ws.append(["自建表格", "提升开发开放水平", "张三", "某单位", "", "13800000000", "", "正文"])
    wb.save(path)


def _encrypt(src: Path, dest: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(src, "rb") as fh, open(dest, "wb") as out:
        OOXMLFile(fh).encrypt("123456", out)


def _zip_with(src: Path, dest: Path, extra: dict[str, bytes], replace: dict[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = (replace or {}).get(info.filename, zin.read(info.filename))
            zout.writestr(info, data)
        for name, data in extra.items():
            zout.writestr(name, data)


def test_bad_files_are_rejected_with_their_codes_and_the_batch_goes_on(camp, tmp_path):
    good = camp.fill("XH01", [good_row(1)], name="好的.xlsx")
    inbox = camp.inbox
    (inbox / "不是表格.xlsx").write_text("这只是一段文字，改了扩展名。", encoding="utf-8")
    truncated = good.read_bytes()
    (inbox / "残缺.xlsx").write_bytes(truncated[: len(truncated) // 2])
    (inbox / "网页.xls").write_text("<html><table><tr><td>1</td></tr></table></html>", encoding="utf-8")
    plain = camp.fill("XH02", [good_row(2)], dest=tmp_path / "plain_form.xlsx")
    _encrypt(plain, inbox / "加密.xlsx")
    camp.fill("XH03", [good_row(3)], name="伪造.xlsx", meta={"unit_code": "XH04", "unit_name": "丹东市电子学会"})
    camp.fill("XH06", [good_row(6)], name="其他活动.xlsx", meta={"campaign_id": "another-campaign"})
    token = form_token(camp.secret(), "ddkx2010xc12", "ZZ99", 1)
    camp.fill("XH07", [good_row(7)], name="名册外.xlsx", meta={"unit_code": "ZZ99", "token": token})
    _plain_workbook(inbox / "自建表格.xlsx")
    camp.fill("XH08", [], name="空表.xlsx")
    camp.fill("XH09", [good_row(1, author=None), good_row(2, phone="x")], name="全错.xlsx")
    # a ZIP bomb (a member inflating 20 MB of zeros from ~20 KB) and a cell-range bomb
    _zip_with(good, inbox / "压缩炸弹.xlsx", {"xl/media/zeros.bin": b"\0" * (20 << 20)})
    sparse = openpyxl.load_workbook(good)
    sparse[FORM_SHEET]["XFD1048576"] = "远处的单元格"
    sparse.save(inbox / "稀疏炸弹.xlsx")
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
           b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>')
    with zipfile.ZipFile(good) as zf:
        members = zf.namelist()
    sst = "xl/sharedStrings.xml"
    _zip_with(good, inbox / "XML炸弹.xlsx", {} if sst in members else {sst: lol}, {sst: lol} if sst in members else None)

    result = camp.run()
    files = by_file(result)
    expected = {
        "好的.xlsx": ("ingested", []),
        "不是表格.xlsx": ("rejected", ["E201"]),
        "残缺.xlsx": ("rejected", ["E201"]),
        "网页.xls": ("rejected", ["E201"]),
        "加密.xlsx": ("rejected", ["E202"]),
        "伪造.xlsx": ("rejected", ["E205"]),
        "其他活动.xlsx": ("rejected", ["E204"]),
        "名册外.xlsx": ("rejected", ["E206"]),
        "自建表格.xlsx": ("rejected", ["E203"]),
        "空表.xlsx": ("rejected", ["E211"]),
        "压缩炸弹.xlsx": ("rejected", ["E207"]),
        "稀疏炸弹.xlsx": ("rejected", ["E207"]),
        "XML炸弹.xlsx": ("rejected", ["E208"]),
    }
    for name, (status, want) in expected.items():
        assert files[name].status == status, (name, files[name])
        assert codes(files[name]) == want, (name, files[name].problems)
        if status == "rejected":  # the unit is named only once the form proved whose it is
            assert files[name].rows == 0
            assert (files[name].unit_code is None) == (name not in ("空表.xlsx", "稀疏炸弹.xlsx")), name
    everything_wrong = files["全错.xlsx"]
    assert everything_wrong.status == "rejected" and codes(everything_wrong)[-1] == "E212"
    assert result.exit_code == 1 and result.written
    assert [r["title"] for r in camp.items()] == [good_row(1)["title"]]
    subs = {s["file"]: s["result"] for s in camp.submissions()}
    assert subs["伪造.xlsx"] == "未汇总（E205 报送表校验码不符）" and subs["好的.xlsx"] == "已汇总"
    # a re-run reports the rejected files again, reads them again, records nothing new
    with camp.ledger() as ledger:
        n = len(ledger.files())
    again = camp.run()
    assert {f.file: f.status for f in again.files}["伪造.xlsx"] == "rejected"
    assert {f.file: f.status for f in again.files}["好的.xlsx"] == "unchanged"
    # still listed with their problems, but nothing new is wrong: exit 0 (docs/consolidation.md)
    assert codes(by_file(again)["伪造.xlsx"]) == ["E205"]
    assert not again.written and again.exit_code == 0
    with camp.ledger() as ledger:
        assert len(ledger.files()) == n and ledger.check() == []


def test_a_form_whose_rows_all_fail_keeps_the_units_earlier_rows(camp):
    camp.fill("XH10", [good_row(1), good_row(2)], name="v1.xlsx", when=datetime(2010, 10, 8, 9))
    camp.run()
    bad = camp.fill("XH10", [good_row(3, author=None)], name="v2.xlsx", when=datetime(2010, 10, 9, 9))
    result = camp.run()
    assert by_file(result)[bad.name].status == "rejected" and "E212" in codes(by_file(result)[bad.name])
    assert by_file(result)["v1.xlsx"].status == "unchanged"
    assert len(camp.items()) == 2


def test_missing_required_column_is_reported(camp):
    path = camp.fill("XH11", [good_row(1)], raw_cells={"C4": "联系人"})  # the unit rewrote 献策人's header
    f = by_file(camp.run())[path.name]
    assert f.status == "rejected" and codes(f) == ["E210"] and "献策人" in f.problems[0]["message"]


def test_too_many_rows_is_refused(camp):
    path = camp.fill("XH12", [good_row(i) for i in range(2001)])
    f = by_file(camp.run())[path.name]
    assert f.status == "rejected" and codes(f) == ["E209"]


def test_forms_cannot_be_verified_without_the_key_file(camp):
    """A missing key file is a configuration error: exit 2, said once (not once per file)."""
    camp.fill("XH13", [good_row(1)])
    camp.fill("XH12", [good_row(2)])
    camp.key_file().unlink()
    proc = _kexie("consolidate", str(camp.master), str(camp.inbox), "--today", "2010-10-25")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    out = proc.stdout + proc.stderr
    assert out.count(camp.key_file().name) == 1
    assert not ledger_path(camp.master).exists()


def _libreoffice_convert(src: Path, outdir: Path, soffice: str, target: str) -> Path:
    """Open ``src`` in LibreOffice headless and save it as ``target`` (a private profile)."""
    import tempfile

    filters = {"xls": "xls:MS Excel 97", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kexie-lo-") as profile:
        subprocess.run([soffice, f"-env:UserInstallation={Path(profile).resolve().as_uri()}", "--headless",
                        "--norestore", "--nologo", "--convert-to", filters[target], "--outdir", str(outdir), str(src)],
                       capture_output=True, timeout=180, check=False)
    out = outdir / f"{src.stem}.{target}"
    assert out.is_file(), f"LibreOffice did not save {out.name}"
    return out


@pytest.mark.libreoffice
@pytest.mark.parametrize("target", ["xls", "xlsx"])
def test_a_form_saved_by_libreoffice(camp, soffice, tmp_path, target):
    src = camp.fill("XH14", [good_row(1), good_row(2, phone="13912345678", topic="區域經濟合作")],
                    dest=tmp_path / "XH14.xlsx", fill_date=date(2010, 10, 14))
    converted = _libreoffice_convert(src, tmp_path / "lo", soffice, target)
    dest = camp.inbox / f"XH14_丹东市科普作家协会.{target}"
    dest.write_bytes(converted.read_bytes())
    set_mtime(dest, datetime(2010, 10, 15, 11))
    result = camp.run()
    f = by_file(result)[dest.name]
    assert f.status == "ingested" and f.rows == 2, f.problems
    items = camp.items()
    assert [r["phone"] for r in items] == ["0415-2812345", "13912345678"]
    assert items[1]["topic"] == "区域经济合作"
    assert items[0]["submitted_on"] == date(2010, 10, 14)
    assert items[0]["word_count"] == count_chars(good_row(1)["body"])


# --- refusing to write ---------------------------------------------------------------------------

def test_refuses_while_the_master_is_open_and_the_ledger_keeps_what_arrived(camp):
    camp.fill("XH01", [good_row(1), good_row(2)])
    before = camp.master.read_bytes()
    lock = camp.master.with_name(f"~${camp.master.name}")
    lock.write_bytes(b"\x00" * 165)
    result = camp.run()
    assert result.exit_code == 3 and not result.written and result.refused
    assert "打开" in result.refused
    assert camp.master.read_bytes() == before
    assert result.to_json()["written"] is False and result.files[0].status == "ingested"
    with camp.ledger() as ledger:
        assert ledger.db.execute("SELECT COUNT(*) FROM received_rows WHERE accepted = 1").fetchone()[0] == 2
    lock.unlink()
    again = camp.run()
    assert again.written and again.exit_code == 0 and again.files[0].status == "unchanged"
    assert len(camp.items()) == 2


def test_refuses_when_the_write_would_drop_a_chart_staff_made(camp):
    """Without a 统计 sheet to replace in place, the save goes through openpyxl, which would
    drop the chart: refused."""
    add_staff_chart(camp.master, drop_stats=True)
    before = camp.master.read_bytes()
    camp.fill("XH01", [good_row(1)])
    result = camp.run()
    assert result.exit_code == 3 and "图表" in result.refused
    assert camp.master.read_bytes() == before
    with camp.ledger() as ledger:
        assert len(ledger.files()) == 1


def test_a_chart_staff_made_survives_a_run_that_writes_no_sheet_through_openpyxl(camp):
    """Tables spliced and 统计 generated in one streaming pass: every other part is copied as it
    is, so the staff's chart on 单位名册 stays."""
    add_staff_chart(camp.master)
    camp.fill("XH01", [good_row(1)])
    result = camp.run()
    assert result.exit_code == 0 and result.written
    ws = openpyxl.load_workbook(camp.master)["单位名册"]
    assert len(ws._charts) == 1
    assert len(camp.items()) == 1


def test_a_ledger_of_another_campaign_is_not_mixed_in(camp):
    from macros.adapters.ledger import Ledger
    from macros.errors import ConfigError

    with Ledger(ledger_path(camp.master)) as ledger:
        ledger.set_meta_once("campaign_id", "someone-else")
    camp.fill("XH01", [good_row(1)])
    with pytest.raises(ConfigError):
        camp.run()


# --- the ledger -----------------------------------------------------------------------------------

def test_the_ledger_is_append_only_and_keeps_originals(camp):
    camp.fill("XH01", [good_row(1, phone="０４１５ ２８１２３４５")])
    camp.run()
    path = ledger_path(camp.master)
    assert path.name == "活动工作簿.kexie-ledger.sqlite" and path.parent == camp.master.parent
    with camp.ledger() as ledger:
        assert ledger.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            ledger.db.execute("UPDATE files SET status = 'rejected'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            ledger.db.execute("DELETE FROM received_rows")
        original, normalised = ledger.db.execute("SELECT original, normalised FROM received_rows").fetchone()
        assert json.loads(original)["联系电话"] == "０４１５ ２８１２３４５"
        assert json.loads(normalised)["phone"] == "0415-2812345"
        rec = ledger.files()[0]
        assert rec.status == "accepted" and rec.unit_code == "XH01" and len(rec.sha256) == 64
        assert rec.submitted_on is not None and rec.problems == []


# --- the command ----------------------------------------------------------------------------------

def _kexie(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "macros.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, timeout=300)


def test_json_on_stdout_is_only_the_contract_object(camp):
    camp.fill("XH01", [good_row(1), good_row(2, author=None)])
    (camp.inbox / "坏文件.xlsx").write_bytes(b"garbage")
    log = camp.root / "my.log"
    proc = _kexie("consolidate", str(camp.master), str(camp.inbox), "--json", "--today", "2010-10-25",
                  "--log", str(log))
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)  # the whole of stdout is one JSON object
    assert set(data) == {"written", "master", "files", "rows_total"}
    assert data["written"] is True and data["rows_total"] == 1 and data["master"] == str(camp.master)
    for f in data["files"]:
        assert set(f) == {"file", "unit_code", "status", "rows", "problems"}
        for p in f["problems"]:
            assert set(p) == {"code", "level", "message", "cell"}
    bad = next(f for f in data["files"] if f["file"] == "坏文件.xlsx")
    assert bad == {"file": "坏文件.xlsx", "unit_code": None, "status": "rejected", "rows": 0,
                   "problems": [bad["problems"][0]]} and bad["problems"][0]["code"] == "E201"
    assert "未汇总" in proc.stderr or "E201" in proc.stderr
    assert log.is_file() and "开始汇总" in log.read_text(encoding="utf-8")


def test_refusal_still_prints_the_contract_json_with_exit_3(camp):
    camp.fill("XH01", [good_row(1)])
    camp.master.with_name(f".~lock.{camp.master.name}#").write_text("x", encoding="utf-8")
    proc = _kexie("consolidate", str(camp.master), str(camp.inbox), "--json")
    assert proc.returncode == 3
    data = json.loads(proc.stdout)
    assert data["written"] is False and data["files"][0]["status"] == "ingested" and data["rows_total"] == 0
    assert (camp.master.parent / "kexie-logs").is_dir()  # default log beside the master


def test_usage_errors_exit_2(camp, tmp_path):
    proc = _kexie("consolidate", str(tmp_path / "nope.xlsx"), str(camp.inbox), "--json")
    assert proc.returncode == 2 and json.loads(proc.stdout)["exit_code"] == 2
    proc = _kexie("consolidate", str(camp.master), str(tmp_path / "no-inbox"))
    assert proc.returncode == 2 and "收件箱" in proc.stderr


def test_a_workbook_that_is_not_a_campaign_is_refused_with_exit_2(camp, tmp_path):
    from macros.app.consolidate import consolidate
    from macros.errors import ConfigError

    other = tmp_path / "随便一个表.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.save(other)
    before = other.read_bytes()
    with pytest.raises(ConfigError, match="不是活动工作簿"):
        consolidate(other, camp.inbox)
    assert other.read_bytes() == before and not ledger_path(other).exists()


def test_progress_is_reported(camp):
    for code in ("XH01", "XH02", "XH03"):
        camp.fill(code, [good_row(1)])
    seen = []
    camp.run(progress=lambda done, total, msg: seen.append((done, total)))
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)


def test_unit_name_comes_from_the_roster_and_reading_is_by_header(camp):
    """Rows inserted above the header and columns swapped by a unit are still read by name."""
    path = camp.fill("QY01", [good_row(1)])
    wb = openpyxl.load_workbook(path)
    ws = wb[FORM_SHEET]
    ws.protection.sheet = False
    ws.insert_rows(1, 2)
    ws["A1"] = "（本单位内部编号：2010-7）"
    for row in ws.iter_rows(min_row=6, max_row=ws.max_row):  # header now on row 6: swap 题目, 献策人
        row[0].value, row[2].value = row[2].value, row[0].value
    for t in list(ws.tables):
        del ws.tables[t]
    wb.save(path)
    set_mtime(path, datetime(2010, 10, 9, 9))
    f = by_file(camp.run())[path.name]
    assert f.status == "ingested", f.problems
    row = camp.items()[0]
    assert row["title"] == good_row(1)["title"] and row["author"] == "王丽娟"
    assert row["unit_name"] == "丹东港集团有限公司科协"


def test_metadata_sheet_is_found_in_any_state(camp):
    path = camp.fill("QY02", [good_row(1)])
    wb = openpyxl.load_workbook(path)
    wb[FORM_META_SHEET].sheet_state = "visible"
    wb.save(path)
    assert by_file(camp.run())[path.name].status == "ingested"


def test_reading_bounds_are_checked_before_calamine(tmp_path):
    """Unit checks of the byte-level guards (no master needed)."""
    from macros.adapters.form_reader import Expect, Limits, read_form

    expect = Expect("c", b"k" * 32, {})
    declared = tmp_path / "declared.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/big.bin", b"\0" * (3 << 20))
    declared.write_bytes(buf.getvalue())
    small = Limits(zip_total=1 << 20, zip_member=1 << 20)
    assert [p.code for p in read_form(declared, expect, small).problems] == ["E207"]
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK\x03\x04" + b"\0" * 2048)
    assert [p.code for p in read_form(big, expect, Limits(file_bytes=1024)).problems] == ["E207"]


def test_another_run_holding_the_lock_means_exit_3_and_nothing_read(camp):
    from macros.app.consolidate import consolidate

    camp.fill("XH01", [good_row(1)])
    before = camp.master.read_bytes()
    code = ("import sys,time;from pathlib import Path;from macros.adapters.safe_write import master_lock\n"
            "with master_lock(Path(sys.argv[1])):\n print('locked',flush=True);time.sleep(30)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(camp.master)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == "locked"
        result = consolidate(camp.master, camp.inbox, today=date(2010, 10, 25), lock_timeout=0.5)
    finally:
        proc.kill()
        proc.wait()
    assert result.exit_code == 3 and "另一个" in result.refused and result.files == []
    assert camp.master.read_bytes() == before
    assert not ledger_path(camp.master).exists() or camp.ledger().files() == []
    assert camp.run().written  # free again


def test_reading_in_this_process_or_in_workers_gives_the_same_master(camp, issued, tmp_path):
    for i, code in enumerate(("XH01", "XH02", "QX01", "QY03")):
        camp.fill(code, [good_row(10 * i + j) for j in range(3)])
    other = copy_camp(issued, tmp_path / "other")
    for p in camp.inbox.iterdir():
        (other.inbox / p.name).write_bytes(p.read_bytes())
        set_mtime(other.inbox / p.name, datetime.fromtimestamp(p.stat().st_mtime))
    camp.run(workers=2)
    other.run(workers=0)
    assert camp.items() == other.items()


def test_schedule_examples_are_well_formed():
    from defusedxml import ElementTree

    raw = (ROOT / "scripts" / "schedule" / "kexie-consolidate.xml").read_bytes()
    assert raw.startswith(b"\xff\xfe")  # UTF-16 LE with BOM, as Task Scheduler exports
    text = raw.decode("utf-16")
    root = ElementTree.fromstring(text.replace('encoding="UTF-16"', 'encoding="UTF-8"').encode("utf-8"))
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    assert root.find("t:Triggers/t:CalendarTrigger/t:Repetition/t:Interval", ns).text == "PT10M"
    assert root.find("t:Settings/t:MultipleInstancesPolicy", ns).text == "IgnoreNew"
    assert root.find("t:Actions/t:Exec/t:Arguments", ns).text.startswith("consolidate ")
    cron = [line for line in (ROOT / "scripts" / "schedule" / "crontab.txt").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    assert len(cron) == 1 and cron[0].startswith("*/10 * * * * ") and " consolidate " in cron[0]
    assert "%" not in cron[0]  # cron would turn it into a newline


@pytest.mark.libreoffice
def test_a_password_protected_xls_is_rejected_as_encrypted(camp, soffice, tmp_path):
    """A .xls whose workbook stream starts with a FILEPASS record (RC4), as Excel writes it."""
    import struct

    import olefile

    src = camp.fill("XH15", [good_row(1)], dest=tmp_path / "XH15.xlsx")
    xls = _libreoffice_convert(src, tmp_path / "lo", soffice, "xls")
    with olefile.OleFileIO(str(xls), write_mode=True) as ole:
        data = bytearray(ole.openstream("Workbook").read())
        kind, size = struct.unpack_from("<HH", data, 0)
        assert kind == 0x0809  # BOF
        _next, next_size = struct.unpack_from("<HH", data, 4 + size)
        struct.pack_into("<HHH", data, 4 + size, 0x002F, next_size, 0x0001)  # FILEPASS, RC4
        ole.write_stream("Workbook", bytes(data))
    dest = camp.inbox / "XH15_加密.xls"
    dest.write_bytes(xls.read_bytes())
    f = by_file(camp.run())[dest.name]
    assert f.status == "rejected" and codes(f) == ["E202"]
