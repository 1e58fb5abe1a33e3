"""Word submissions in the inbox: real .docx made with python-docx, .doc/.wps/.rtf/.odt made from
them by LibreOffice, read by ``kexie consolidate`` into 征集明细 — and the inbox entries kexie
cannot use, each reported with a code."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml import parse_xml

from macros.core.normalize import count_chars
from macros.core.word_fields import Block, document_fields, split_fields
from consolidate_kit import by_file, codes, good_row, set_mtime

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TOPIC = "提升开发开放水平"


def proposal_doc(path: Path, *, unit: str | None = "丹东市医学会", title: str = "关于加快沿江开发的建议",
                 author: str | None = "王丽娟", phone: str | None = "0415-2812345", body: str = "建议加快沿江开发。",
                 extra: list[str] = ()) -> Path:
    d = docx.Document()
    d.add_heading(title, level=1)
    if unit:
        d.add_paragraph(f"报送单位：{unit}")
    if author:
        d.add_paragraph(f"献 策 人：{author}　　职务：秘书长")
    d.add_paragraph("工作单位:丹东市医学会")
    if phone:
        d.add_paragraph(f"联系电话：{phone}")
    d.add_paragraph(f"主题领域：{TOPIC}")
    for para in body.split("\n"):
        d.add_paragraph(para)
    for line in extra:
        d.add_paragraph(line)
    d.save(path)
    return path


def _sdt(text: str):
    return parse_xml(f'<w:sdt xmlns:w="{W_NS}"><w:sdtPr><w:alias w:val="控件"/></w:sdtPr>'
                     f'<w:sdtContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:sdtContent></w:sdt>')


def _text_box_run(text: str):
    return parse_xml(
        f'<w:r xmlns:w="{W_NS}" xmlns:v="urn:schemas-microsoft-com:vml"><w:pict>'
        f'<v:shape id="tb1" type="#_x0000_t202" style="width:200pt;height:40pt"><v:textbox><w:txbxContent>'
        f'<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>')


def table_doc(path: Path) -> Path:
    """Two 计策 in label tables, a phone in a text box, the author in a content control."""
    d = docx.Document()
    d.add_paragraph("丹东市科协金点子征集表")
    d.add_paragraph("报送单位：XH04")
    for n, (title, body) in enumerate((("关于发展电子信息产业的建议", "电子信息产业是丹东的优势。\n应当加大投入。"),
                                       ("关于建设电子产业园的建议", "建议在新区建设产业园。")), start=1):
        d.add_paragraph(f"计策{'一二'[n - 1]}")
        t = d.add_table(rows=4, cols=4)
        cells = [("题　　目", title, "主题领域", TOPIC), ("工作单位", "丹东市电子学会", "职  务", "副秘书长"),
                 ("电子邮箱", "liuzg@ddkx.example.cn", "", ""), ("正　　文", body, "", "")]
        for r, row in enumerate(cells):
            for c, text in enumerate(row):
                t.cell(r, c).text = text
        p = d.add_paragraph()
        p._p.addprevious(_sdt(f"献策人：刘志刚{n}"))  # a block content control before the text box
        p._p.append(_text_box_run("联系电话：0415-2156789"))
    d.save(path)
    return path


def soffice_convert(soffice: str, src: Path, fmt: str, out: Path) -> Path:
    profile = out / "lo-profile"
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp"}
    env.pop("DISPLAY", None)
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", fmt, "--outdir", str(out), str(src)], check=True, capture_output=True,
                   timeout=180, env=env)
    return out / f"{src.stem}.{fmt.split(':')[0]}"


# --- text → fields (pure) -------------------------------------------------------------------

def test_labels_with_synonyms_full_width_colons_and_padding():
    assert split_fields("献　策　人：张三　　职务：主任  手机:13800000000") == [
        ("author", "张三"), ("author_post", "主任"), ("phone", "13800000000")]
    assert split_fields("姓  名： 李四") == [("author", "李四")]
    assert split_fields("标题:关于发展的建议") == [("title", "关于发展的建议")]
    assert split_fields("这是正文：不是标签") is None


def test_several_proposals_share_the_fields_written_before_the_first():
    doc = document_fields([Block("报送单位：丹东市医学会"), Block("建议人：王丽娟"),
                           Block("计策一：关于加快沿江开发的建议"), Block("第一段。"), Block("第二段。"),
                           Block("计策二"), Block("题目：关于完善交通的建议"), Block("正文：交通很重要。")])
    assert doc.unit == "丹东市医学会"
    assert [(p.number, p.fields["title"], p.fields["author"]) for p in doc.proposals] == [
        (1, "关于加快沿江开发的建议", "王丽娟"), (2, "关于完善交通的建议", "王丽娟")]
    assert doc.proposals[0].body == "第一段。\n第二段。" and doc.proposals[1].body == "交通很重要。"
    assert set(doc.proposals[0].missing) == {"topic", "author_org", "phone"}


def test_an_unlabelled_heading_is_the_title_and_a_repeated_title_starts_the_next():
    doc = document_fields([Block("关于发展旅游业的建议"), Block("旅游很好。"),
                           Block("关于发展冰雪旅游的建议"), Block("冬天也很好。")])
    assert [(p.fields["title"], p.body) for p in doc.proposals] == [
        ("关于发展旅游业的建议", "旅游很好。"), ("关于发展冰雪旅游的建议", "冬天也很好。")]


def test_a_title_not_written_as_about_is_still_found_and_never_a_sentence():
    doc = document_fields([Block("丹东市科协金点子征集表"), Block("加快港口建设的对策建议"),
                           Block("献策人：王丽娟"), Block("港口是丹东的优势。"), Block("短段")])
    (p,) = doc.proposals
    assert p.fields["title"] == "加快港口建设的对策建议" and p.body == "港口是丹东的优势。\n短段"
    assert "title" not in p.missing
    doc = document_fields([Block("我们经过调研，提出三条建议。"), Block("献策人：王丽娟"), Block("一是加快建设。")])
    assert doc.proposals[0].missing[:1] == ["title"]
    assert doc.proposals[0].body == "我们经过调研，提出三条建议。\n一是加快建设。"


# --- .docx in the inbox ---------------------------------------------------------------------

def test_a_docx_becomes_rows_of_the_master(camp):
    a = proposal_doc(camp.inbox / "建议.docx", body="建议加快沿江开发。\n完善基础设施。")
    set_mtime(a, datetime(2010, 10, 9, 10, 0))
    form = camp.fill("XH01", [good_row(1)])
    result = camp.run()
    f = by_file(result)[a.name]
    assert f.status == "ingested" and f.kind == "word" and f.unit_code == "XH01" and f.rows == 1, f
    assert by_file(result)[form.name].status == "ingested"  # a unit's form and its documents coexist
    rows = {r["title"]: r for r in camp.items()}
    row = rows["关于加快沿江开发的建议"]
    assert row["author"] == "王丽娟" and row["author_post"] == "秘书长" and row["author_org"] == "丹东市医学会"
    assert row["phone"] == "0415-2812345" and row["topic"] == TOPIC and row["source_file"] == "建议.docx"
    assert row["body"] == "建议加快沿江开发。\n完善基础设施。" and row["word_count"] == count_chars(row["body"])
    assert row["remark"] is None and row["unit_name"] == "丹东市医学会"
    again = camp.run()
    assert by_file(again)[a.name].status == "unchanged" and not again.written and again.exit_code == 0


def test_a_document_after_the_units_form_is_no_replacement_of_it(camp):
    """A unit's form and a later Word document live side by side: the document is not taken for
    a resubmission of the form (no W205/W206 "替换了…报送表"), and the form's rows all stay."""
    form = camp.fill("XH01", [good_row(i) for i in range(1, 5)])
    set_mtime(form, datetime(2010, 10, 8, 9, 0))
    doc = proposal_doc(camp.inbox / "医学会补充建议.docx")
    set_mtime(doc, datetime(2010, 10, 9, 10, 0))
    result = camp.run()
    f = by_file(result)[doc.name]
    assert f.status == "ingested" and f.rows == 1 and f.unit_code == "XH01", f.problems
    assert not {"W205", "W206"} & set(codes(f)), f.problems
    assert by_file(result)[form.name].status == "ingested"
    assert sum(r["unit_code"] == "XH01" for r in camp.items()) == 5


def test_only_the_main_part_is_parsed_and_reads_as_python_docx_reads_it(tmp_path):
    """docx_blocks parses the main part alone; its blocks are those python-docx's whole-package
    tree gives, also for a package without _rels/.rels and for a macro-enabled .docm."""
    import zipfile

    from macros.adapters import word_reader
    from macros.adapters.form_guard import Limits

    doc = table_doc(tmp_path / "金点子.docx")
    via_python_docx = list(word_reader._blocks(docx.Document(str(doc)).element.body))
    assert via_python_docx and word_reader.docx_blocks(doc, Limits()) == via_python_docx

    def rewrite(target: Path, drop: str = "", replace: tuple[bytes, bytes] = (b"", b"")) -> Path:
        with zipfile.ZipFile(doc) as zin, zipfile.ZipFile(target, "w") as zout:
            for info in zin.infolist():
                if info.filename != drop:
                    data = zin.read(info)
                    zout.writestr(info, data.replace(*replace) if replace[0] else data)
        return target

    assert word_reader.docx_blocks(rewrite(tmp_path / "无关系.docx", drop="_rels/.rels"), Limits()) == via_python_docx
    docm = rewrite(tmp_path / "宏.docm", replace=(b"document.main+xml", b"document.macroEnabled.main+xml"))
    assert word_reader.docx_blocks(docm, Limits()) == via_python_docx


def test_label_tables_text_boxes_content_controls_and_two_proposals(camp):
    doc = table_doc(camp.inbox / "电子学会金点子.docx")
    result = camp.run()
    f = by_file(result)[doc.name]
    assert f.status == "ingested" and f.unit_code == "XH04" and f.rows == 2, f.problems
    rows = [r for r in camp.items() if r["source_file"] == doc.name]
    assert [r["title"] for r in rows] == ["关于发展电子信息产业的建议", "关于建设电子产业园的建议"]
    assert [r["author"] for r in rows] == ["刘志刚1", "刘志刚2"]
    assert all(r["phone"] == "0415-2156789" and r["email"] == "liuzg@ddkx.example.cn" for r in rows)
    assert rows[0]["body"] == "电子信息产业是丹东的优势。\n应当加大投入。" and rows[0]["author_post"] == "副秘书长"
    assert [r["item_id"] for r in rows] == ["XH04-001", "XH04-002"]


def test_the_unit_from_the_file_name_or_pending_never_guessed(camp):
    named = proposal_doc(camp.inbox / "丹东市机械工程学会-建议.docx", unit=None)
    coded = proposal_doc(camp.inbox / "XH05 金点子.docx", unit=None, title="关于化工园区的建议")
    nobody = proposal_doc(camp.inbox / "建议材料.docx", unit=None, title="关于无名的建议")
    stranger = proposal_doc(camp.inbox / "外单位.docx", unit="丹东市不存在协会", title="关于外单位的建议")
    result = camp.run()
    files = by_file(result)
    assert files[named.name].unit_code == "XH03" and files[coded.name].unit_code == "XH05"
    assert files[nobody.name].status == "rejected" and codes(files[nobody.name]) == ["E230"]
    assert "待确认" in files[nobody.name].problems[0]["message"]
    assert codes(files[stranger.name]) == ["E231"] and result.exit_code == 1
    subs = {s["file"]: s["result"] for s in camp.submissions()}
    assert subs[nobody.name] == "待确认（E230 无法确定报送单位）"
    assert subs[stranger.name] == "待确认（E231 报送单位不在名册中）"
    # the mail fetcher knows the sender: its unit is used
    hinted = camp.run(hints={nobody.name: {"unit_code": "XH02", "message_id": "<a1@163.com>"}})
    f = by_file(hinted)[nobody.name]
    assert f.status == "ingested" and f.unit_code == "XH02" and f.message_id == "<a1@163.com>"


def test_missing_fields_are_flagged_and_the_clerks_completion_survives(camp):
    doc = proposal_doc(camp.inbox / "医学会建议.docx", author=None, phone=None)
    result = camp.run()
    f = by_file(result)[doc.name]
    assert f.status == "ingested" and "W220" in codes(f) and result.exit_code == 1
    row = next(r for r in camp.items() if r["source_file"] == doc.name)
    assert row["author"] is None and row["remark"].startswith("待核：缺少") and "献策人" in row["remark"]
    subs = {s["file"]: s["result"] for s in camp.submissions()}
    assert subs[doc.name] == "已汇总（1 条待核：第1条）"
    # the clerk completes the row in Excel, then a new form arrives and the master is rewritten
    wb = openpyxl.load_workbook(camp.master)
    ws = wb["征集明细"]
    headers = {c.value: c.column for c in ws[1]}
    for line in ws.iter_rows(min_row=2):
        if line[headers["来源文件"] - 1].value == doc.name:
            line[headers["献策人"] - 1].value = "赵医生"
            line[headers["联系电话"] - 1].value = "0415-2800000"
            line[headers["备注"] - 1].value = "已电话核实"
    wb.save(camp.master)
    camp.fill("XH02", [good_row(5)])
    again = camp.run()
    assert again.written and again.exit_code == 0
    row = next(r for r in camp.items() if r["source_file"] == doc.name)
    assert row["author"] == "赵医生" and row["phone"] == "0415-2800000" and row["remark"] == "已电话核实"


def test_a_corrected_document_supersedes_the_old_one(camp):
    old = proposal_doc(camp.inbox / "建议-初稿.docx", body="初稿正文。")
    set_mtime(old, datetime(2010, 10, 5, 9, 0))
    other = proposal_doc(camp.inbox / "另一条.docx", title="关于发展旅游的建议", body="旅游。")
    set_mtime(other, datetime(2010, 10, 5, 9, 30))
    camp.run()
    new = proposal_doc(camp.inbox / "建议-修改稿.docx", body="修改后的正文。")
    set_mtime(new, datetime(2010, 10, 8, 9, 0))
    result = camp.run()
    files = by_file(result)
    assert files[new.name].status == "ingested" and files[old.name].status == "superseded"
    assert files[other.name].status == "unchanged"
    rows = {r["title"]: r for r in camp.items() if r["unit_code"] == "XH01"}
    assert rows["关于加快沿江开发的建议"]["body"] == "修改后的正文。"
    assert rows["关于加快沿江开发的建议"]["item_id"] == "XH01-001" and "关于发展旅游的建议" in rows


def test_doc_wps_rtf_odt_are_converted_in_one_batch(camp, soffice, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    made = {}
    for fmt, code, title in (("doc", "XH02", "关于农业科技推广的建议"), ("rtf", "XH03", "关于装备制造的建议"),
                             ("odt", "XH05", "关于精细化工的建议")):
        made[fmt] = soffice_convert(soffice, proposal_doc(src / f"{code}-{fmt}.docx", unit=code, title=title),
                                    {"doc": "doc:MS Word 97", "rtf": "rtf", "odt": "odt"}[fmt], src / fmt)
    inbox = camp.inbox
    shutil.copy(made["doc"], inbox / "农学会.doc")
    shutil.copy(made["doc"], inbox / "金山文档.wps")  # Kingsoft WPS writes the same container
    shutil.copy(made["rtf"], inbox / "机械.rtf")
    shutil.copy(made["odt"], inbox / "化工.odt")
    shutil.copy(made["odt"], inbox / "化工-改了扩展名.txt")  # by content, not by name
    result = camp.run()
    files = by_file(result)
    for name, unit in (("农学会.doc", "XH02"), ("机械.rtf", "XH03"), ("化工.odt", "XH05")):
        assert files[name].status == "ingested" and files[name].unit_code == unit, (name, files[name].problems)
    assert files["金山文档.wps"].status == "unchanged"  # the same bytes as 农学会.doc
    assert files["化工-改了扩展名.txt"].status == "unchanged" and files["化工-改了扩展名.txt"].kind == "word"
    titles = {r["title"] for r in camp.items()}
    assert {"关于农业科技推广的建议", "关于装备制造的建议", "关于精细化工的建议"} <= titles


# --- LibreOffice: conversions cached by content, one hanging document costs only itself ----------

def counting_soffice(soffice: str, folder: Path) -> tuple[Path, Path]:
    """A launcher that records each start of the real soffice, then runs it (the KEXIE_SOFFICE hook)."""
    log = folder / "soffice-starts.log"
    launcher = folder / "soffice-counting"
    launcher.write_text(f'#!/bin/sh\necho start >> "{log}"\nexec "{soffice}" "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    return launcher, log


def starts(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def corrupt_doc(good: Path, dest: Path) -> Path:
    """A Word 97 file whose WordDocument stream is noise: LibreOffice cannot open it."""
    import olefile

    shutil.copy(good, dest)
    with olefile.OleFileIO(str(dest), write_mode=True) as ole:
        size = ole.get_size("WordDocument")
        ole.write_stream("WordDocument", os.urandom(size))
    return dest


def slow_rtf(dest: Path, rows: int = 6000) -> Path:
    """A real RTF whose big table keeps LibreOffice busy for minutes."""
    cells = "".join(rf"\cellx{(j + 1) * 1000}" for j in range(8))
    body = "\n".join(r"\trowd" + cells + "".join(rf"\intbl cell {i}-{j}\cell" for j in range(8)) + r"\row"
                     for i in range(rows))
    dest.write_text(r"{\rtf1\ansi\deff0{\fonttbl{\f0 Times;}}" + body + "}", encoding="ascii")
    return dest


@pytest.mark.skipif(os.name == "nt", reason="the counting launcher is a POSIX shell script")
def test_an_unchanged_document_is_not_converted_again(camp, soffice, tmp_path, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    pending = soffice_convert(soffice, proposal_doc(src / "无单位.docx", unit=None, title="关于无名的建议"),
                              "doc:MS Word 97", src / "doc")
    shutil.copy(pending, camp.inbox / "建议材料.doc")  # no unit anywhere: 待确认, read again every run
    launcher, log = counting_soffice(soffice, tmp_path)
    monkeypatch.setenv("KEXIE_SOFFICE", str(launcher))

    first = by_file(camp.run())["建议材料.doc"]
    assert codes(first) == ["E230"] and starts(log) == 1
    cache = camp.master.with_name(f".{camp.master.stem}.kexie-cache") / "word"
    [kept] = cache.glob("*.docx")
    assert kept.stem == hashlib.sha256((camp.inbox / "建议材料.doc").read_bytes()).hexdigest()

    again = by_file(camp.run())["建议材料.doc"]
    assert codes(again) == ["E230"] and starts(log) == 1  # read from the cache: LibreOffice not started

    (camp.inbox / "建议材料.doc").write_bytes(pending.read_bytes() + b"\0" * 512)  # other bytes: converted
    camp.run()
    assert starts(log) == 2


def test_a_hanging_document_costs_only_itself(soffice, tmp_path):
    from macros.adapters.word_reader import CANNOT_OPEN, convert_batch

    src = tmp_path / "src"
    src.mkdir()
    good_doc = soffice_convert(soffice, proposal_doc(src / "a.docx", title="关于农业的建议"), "doc:MS Word 97",
                               src / "doc")
    good_rtf = soffice_convert(soffice, proposal_doc(src / "b.docx", title="关于机械的建议"), "rtf", src / "rtf")
    hanging = slow_rtf(tmp_path / "很大的表格.rtf")
    broken = corrupt_doc(good_doc, tmp_path / "损坏.doc")
    items = [(hanging, "rtf"), (broken, "doc"), (good_doc, "doc"), (good_rtf, "rtf")]  # the hanging one first

    done = convert_batch(items, tmp_path / "work", timeout=10, doc_timeout=20, cache=tmp_path / "cache")

    for good, title in ((good_doc, "关于农业的建议"), (good_rtf, "关于机械的建议")):
        assert isinstance(done[good], Path), done[good]
        assert title in "".join(p.text for p in docx.Document(str(done[good])).paragraphs)
    assert done[broken] == CANNOT_OPEN
    assert isinstance(done[hanging], str) and "超时" in done[hanging]
    assert len(list((tmp_path / "cache").glob("*.docx"))) == 2  # failures are not kept


def test_a_corrupt_doc_beside_good_ones_is_reported_with_its_code(camp, soffice, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    good = soffice_convert(soffice, proposal_doc(src / "XH02.docx", unit="XH02", title="关于农业科技推广的建议"),
                           "doc:MS Word 97", src / "doc")
    shutil.copy(good, camp.inbox / "农学会.doc")
    corrupt_doc(good, camp.inbox / "损坏的建议.doc")
    files = by_file(camp.run())
    assert files["农学会.doc"].status == "ingested"
    assert files["损坏的建议.doc"].status == "rejected" and codes(files["损坏的建议.doc"]) == ["E232"]
