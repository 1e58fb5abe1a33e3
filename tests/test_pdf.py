"""PDF adapter: one LibreOffice process for many documents, private profile, fonts embedded,
merged rendering split back by page ranges, and the no-converter configuration error."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from macros.adapters import pdf as pdfmod
from macros.adapters.docs import part_page_ranges, render_docx, render_merged
from macros.adapters.pdf import (
    ConversionError,
    ConverterNotFoundError,
    LibreOfficeConverter,
    WordConverter,
    find_converter,
    merge_pdfs,
    page_count,
    require_converter,
    split_pdf,
)
from macros.errors import Exit

ROOT = Path(__file__).resolve().parent.parent
REMINDER = ROOT / "templates" / "reminders.docx"

A4 = (595.3, 841.9)

SHARED = {
    "issuer_mark": "丹东市科学技术协会文件",
    "doc_number": "",
    "signer": "",
    "title": "关于催报计策的通知",
    "notice_title": "关于开展“献策‘十二五’，建设新丹东”活动的通知",
    "notice_number": "丹科协发〔2010〕18号",
    "campaign": "献策活动",
    "as_of": "2010年10月10日",
    "reply_by": "2010年10月25日",
    "department": "市科协学会部",
    "signature": "丹东市科协",
    "date": "2010年10月10日",
    "contact_name": "刘勇",
    "contact_phone": "2127152",
    "contact_email": "",
}


def unit(i: int, name: str, n_items: int) -> dict:
    return {
        "unit": {
            "name": name,
            "quota": 3,
            "submitted": n_items,
            "valid": n_items,
            "late": 0,
            "shortfall": max(0, 3 - n_items),
            "submissions": [
                {"no": j + 1, "title": f"{name}的第{j + 1}条计策", "author": f"作者{i}-{j}", "date": "2010-10-01",
                 "status": "有效"}
                for j in range(n_items)
            ],
        }
    }


UNITS = [unit(0, "振兴区科协", 1), unit(1, "元宝区科协", 0), unit(2, "市医学会<&>\"'", 14),
         unit(3, "东港市科协", 2), unit(4, "凤城市科协", 9)]


def pdftotext(path: Path) -> str:
    """The PDF's text with all white space removed (pdftotext spaces CJK next to digits)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return re.sub(r"\s+", "", out)


def pdffonts_rows(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def simple_docx(path: Path, text: str) -> Path:
    doc = Document()
    doc.add_paragraph(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


@pytest.fixture(scope="module")
def converted(soffice, tmp_path_factory):
    """Everything this module converts, in ONE soffice run."""
    base = tmp_path_factory.mktemp("pdf")
    a = simple_docx(base / "a" / "同名.docx", "甲文档 Alpha")
    b = simple_docx(base / "b" / "同名.docx", "乙文档 Beta")
    c = simple_docx(base / "c" / "第三.docx", "丙文档 Gamma")
    merged = render_merged(REMINDER, UNITS, base / "m" / "催报合并.docx", SHARED)
    single = render_docx(REMINDER, dict(SHARED, **UNITS[2]), base / "s" / "单份.docx")
    conv = LibreOfficeConverter(soffice)
    try:
        pdfs = conv.convert_many([a, b, c, merged, single], base / "out")
        profile = conv._profile
    finally:
        conv.close()
    return {"inputs": [a, b, c, merged, single], "pdfs": pdfs, "profile": profile, "base": base}


@pytest.mark.libreoffice
def test_many_documents_one_call_in_input_order(converted):
    pdfs = converted["pdfs"]
    assert len(pdfs) == 5
    assert [p.suffix for p in pdfs] == [".pdf"] * 5
    texts = [pdftotext(p) for p in pdfs[:3]]
    assert "甲文档" in texts[0] and "乙文档" in texts[1] and "丙文档" in texts[2]
    assert len({p.name for p in pdfs}) == 5


@pytest.mark.libreoffice
def test_same_stem_inputs_do_not_overwrite_each_other(converted):
    first, second = converted["pdfs"][:2]
    assert (first.name, second.name) == ("同名.pdf", "同名-2.pdf")
    assert "甲文档" in pdftotext(first) and "乙文档" in pdftotext(second)


@pytest.mark.libreoffice
def test_private_profile_is_removed_after_close(converted):
    assert converted["profile"] is not None
    assert not Path(converted["profile"]).exists()


@pytest.mark.libreoffice
def test_fonts_embedded_and_pages_a4(converted):
    for pdf in converted["pdfs"]:
        rows = pdffonts_rows(pdf)
        assert rows, pdf
        for row in rows:
            # columns: name type encoding emb sub uni object ID (type may have 2 words)
            assert row[-5] == "yes", (pdf.name, row)
    for pdf in converted["pdfs"][3:]:  # the templates are A4 (python-docx's default is Letter)
        for page in PdfReader(str(pdf)).pages:
            w, h = float(page.mediabox.width), float(page.mediabox.height)
            assert abs(w - A4[0]) < 1 and abs(h - A4[1]) < 1


@pytest.mark.libreoffice
def test_merged_document_splits_into_one_file_per_unit(converted, tmp_path):
    merged_pdf = converted["pdfs"][3]
    ranges = part_page_ranges(merged_pdf, len(UNITS))
    assert ranges[0][0] == 0 and ranges[-1][1] == page_count(merged_pdf)
    assert all(a < b for a, b in ranges)
    assert all(r1[1] == r2[0] for r1, r2 in zip(ranges, ranges[1:]))
    outs = split_pdf(merged_pdf, ranges, [tmp_path / f"{i}.pdf" for i in range(len(UNITS))])
    names = [u["unit"]["name"] for u in UNITS]
    for i, out in enumerate(outs):
        text = pdftotext(out)
        assert names[i] + "：" in text
        for j, other in enumerate(names):
            if j != i:
                assert other not in text, (i, other)
        # each unit's page numbers restart at 1
        assert "—1—" in text
    # the unit with 14 items spans two pages, its table continues
    assert ranges[2][1] - ranges[2][0] >= 2
    assert "第14条计策" in pdftotext(outs[2])


@pytest.mark.libreoffice
def test_escaped_user_text_survives(converted):
    text = pdftotext(converted["pdfs"][4])
    assert "市医学会<&>\"'：" in text


def test_merge_and_split_round_trip(tmp_path):
    from pypdf import PdfWriter

    paths = []
    for n in (1, 2, 3):
        w = PdfWriter()
        for _ in range(n):
            w.add_blank_page(width=A4[0], height=A4[1])
        p = tmp_path / f"{n}.pdf"
        with open(p, "wb") as fh:
            w.write(fh)
        paths.append(p)
    merged = merge_pdfs(paths, tmp_path / "all.pdf")
    assert page_count(merged) == 6
    parts = split_pdf(merged, [(0, 1), (1, 3), (3, 6)], [tmp_path / "x.pdf", tmp_path / "y.pdf", tmp_path / "z.pdf"])
    assert [page_count(p) for p in parts] == [1, 2, 3]
    with pytest.raises(ValueError):
        split_pdf(merged, [(5, 9)], [tmp_path / "bad.pdf"])


@pytest.mark.libreoffice
def test_timeout_kills_soffice_and_says_so(soffice, tmp_path):
    doc = simple_docx(tmp_path / "慢.docx", "超时")
    conv = LibreOfficeConverter(soffice, timeout=0.05)
    try:
        with pytest.raises(ConversionError) as info:
            conv.convert_many([doc], tmp_path / "out")
    finally:
        conv.close()
    assert "超时" in info.value.message


def test_missing_input_is_a_chinese_error(tmp_path):
    conv = LibreOfficeConverter(soffice=Path("/nonexistent/soffice"))
    with pytest.raises(ConversionError) as info:
        conv.convert_many([tmp_path / "无.docx"], tmp_path)
    assert "找不到" in info.value.message


def test_command_is_one_process_with_a_private_profile(tmp_path):
    one, two = LibreOfficeConverter(soffice="soffice"), LibreOfficeConverter(soffice="soffice")
    try:
        inputs = [tmp_path / f"{i}.docx" for i in range(3)]
        cmd1, cmd2 = one.command(inputs, tmp_path), two.command(inputs, tmp_path)
        assert cmd1[-3:] == [str(p) for p in inputs]
        assert "--headless" in cmd1 and "--convert-to" in cmd1
        filt = cmd1[cmd1.index("--convert-to") + 1]
        assert filt.startswith("pdf:writer_pdf_Export:") and "EmbedStandardFonts" in filt
        prof1 = [a for a in cmd1 if a.startswith("-env:UserInstallation=file://")]
        prof2 = [a for a in cmd2 if a.startswith("-env:UserInstallation=file://")]
        assert prof1 and prof2 and prof1 != prof2
    finally:
        one.close()
        two.close()


def test_subprocess_environment_points_fontconfig_at_the_package_file():
    conv = LibreOfficeConverter(soffice="soffice")
    env = conv._env()
    if os.name == "posix" and pdfmod.sys.platform != "darwin":
        assert env["FONTCONFIG_FILE"] == str(pdfmod.fontconfig_file())
        assert Path(env["FONTCONFIG_FILE"]).is_file()


def test_no_converter_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv("KEXIE_PDF", "none")
    assert find_converter() is None
    with pytest.raises(ConverterNotFoundError) as info:
        require_converter()
    assert info.value.exit_code == Exit.USAGE == 2
    assert "LibreOffice" in info.value.message and "安装" in info.value.message


def test_word_is_only_used_on_windows():
    if pdfmod.sys.platform != "win32":
        assert WordConverter.available() is False


@pytest.mark.libreoffice
def test_find_converter_picks_libreoffice_here(soffice, monkeypatch):
    monkeypatch.delenv("KEXIE_PDF", raising=False)
    conv = find_converter()
    assert conv is not None
    if pdfmod.sys.platform != "win32":
        assert isinstance(conv, LibreOfficeConverter)
        conv.close()


def test_part_ranges_from_pdf_bookmarks_as_word_exports_them(tmp_path):
    """Word turns the part bookmarks into PDF outline entries instead of named destinations."""
    from pypdf import PdfWriter

    w = PdfWriter()
    for _ in range(5):
        w.add_blank_page(width=A4[0], height=A4[1])
    for name, page in (("KexiePart1", 0), ("KexiePart2", 2), ("KexiePart3", 3), ("其他书签", 1)):
        w.add_outline_item(title=name, page_number=page)
    path = tmp_path / "word.pdf"
    with open(path, "wb") as fh:
        w.write(fh)
    assert part_page_ranges(path, 3) == [(0, 2), (2, 3), (3, 5)]
    with pytest.raises(Exception) as info:
        part_page_ranges(path, 4)
    assert "分段标记" in str(info.value)
