"""Certificates: numbers, check codes, layouts measured in the PDF, QR codes decoded by zbarimg."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
import tally_rows
from required_tool import required
from PIL import Image

from macros.adapters.file_engine import FileEngine
from macros.adapters.secret import load_or_create_secret
from macros.app.certificates import load_layout, make_certificates, verify_code
from macros.cli import main
from macros.core.certificates import (
    FieldBox, Recipient, assign_numbers, check_code, crop_box, fill_text, fit_size, parse_payload, qr_payload,
    sheet_positions,
)
from macros.schema import TABLES

MM = 72 / 25.4
TOL = 0.5  # mm


def _tool(name: str) -> str:
    return required(shutil.which(name), name, " (scripts/setup.sh installs it)")


# --- pure parts ---------------------------------------------------------------------------------

def test_numbers_are_kept_on_reprint_and_continue_after_the_highest():
    a, b, c = (Recipient(key=k, fields={}) for k in "abc")
    first = assign_numbers([a, b], 2010, issued={}, used=[])
    assert [(r.number, new) for r, new in first] == [("2010-0001", True), ("2010-0002", True)]
    # b was printed, a's number exists but a left the list; c is new; an older year's number is kept
    again = assign_numbers([c, b, a], 2010, issued={"a": "2010-0001", "b": "2010-0002", "x": "2010-0007"},
                           used=["2010-0001", "2010-0002", "2010-0007", "2009-0044"])
    assert [(r.key, r.number, new) for r, new in again] == [
        ("c", "2010-0008", True), ("b", "2010-0002", False), ("a", "2010-0001", False)]
    assert assign_numbers([Recipient("n", {})], 2011, issued={}, used=["2010-0009"])[0][0].number == "2011-0001"


def test_check_code_detects_any_change():
    secret = b"k" * 32
    text = qr_payload(secret, "C1", "会员证", "2010-0003", "张 三", "丹东市医学会")
    p = parse_payload(text)
    assert p is not None and p.valid_with(secret)
    assert (p.number, p.name, p.unit) == ("2010-0003", "张 三", "丹东市医学会")
    assert not p.valid_with(b"x" * 32)
    forged = text.replace("张 三", "李四")
    assert not parse_payload(forged).valid_with(secret)
    assert len(check_code(secret, "C1", "会员证", "2010-0003", "张三", "u")) == 8
    assert parse_payload("hello") is None
    # a | inside a name cannot shift the fields
    tricky = parse_payload(qr_payload(secret, "C1", "荣誉证书", "2010-0001", "A|B", "U"))
    assert tricky is not None and tricky.valid_with(secret) and tricky.name == "A／B"


def test_fit_size_shrinks_to_the_minimum_and_says_when_it_does_not_fit():
    box = FieldBox("姓名", 0, 0, size=20, min_size=10, max_width=50)
    width = lambda text, size: len(text) * size * 0.3528  # noqa: E731 - 1 em per character, in mm
    assert fit_size("张三", box, width) == (20, True)
    size, fits = fit_size("张" * 10, box, width)  # 10 em at 14 pt = 49.4 mm
    assert fits and 10 <= size < 20 and width("张" * 10, size) <= 50
    assert fit_size("张" * 40, box, width) == (10, False)


def test_sheet_positions_and_crop_box():
    slots = sheet_positions(85.6, 54, 0)
    assert len(slots) == 10  # 2 × 5 credit-card-size cards on A4
    assert slots[0][0] == pytest.approx((210 - 171.2) / 2) and slots[1][0] == pytest.approx(slots[0][0] + 85.6)
    assert crop_box(400, 300, 20, 26) == (84, 0, 315, 300)  # landscape photo, portrait frame: sides cut
    assert crop_box(300, 600, 20, 26) == (0, 105, 300, 495)
    assert fill_text("职务：{职务/职称}", {"职务/职称": ""}) == ""
    assert fill_text("姓名：{姓名}", {"姓名": "王五"}) == "姓名：王五"


# --- a workbook with members ----------------------------------------------------------------------

MEMBERS = [
    {"member_no": "DD-001", "name": "王建国", "gender": "男", "org": "丹东市医学会", "title": "主任医师",
     "joined": "2008-05-04", "photo": "wang.jpg"},
    {"member_no": "DD-002", "name": "李秀兰", "gender": "女", "org": "丹东市农学会", "title": "高级农艺师",
     "joined": "2009-03-12", "photo": "missing.jpg"},
    {"member_no": "DD-003", "name": "赵", "gender": "男", "org": "辽东学院科协", "photo": "broken.jpg"},
    {"member_no": "DD-004", "name": "欧阳" + "长长长长" * 6, "org": "丹东市机械工程学会"},
    {"member_no": "DD-005", "name": "周一", "org": "甲"},
    {"member_no": "DD-005", "name": "周二", "org": "乙"},
]


@pytest.fixture
def member_master(demo_master) -> Path:
    engine = FileEngine(demo_master)
    engine.write_table(TABLES["members"], MEMBERS)
    engine.save()
    photos = demo_master.parent / "照片"
    photos.mkdir()
    Image.new("RGB", (400, 300), (40, 90, 160)).save(photos / "wang.jpg")
    (photos / "broken.jpg").write_bytes(b"not a picture")
    return demo_master


def _run(*argv: str) -> tuple[int, dict]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main([*argv, "--json"])
    return code, json.loads(out.getvalue())


def _baseline(pdf_page, text: str) -> tuple[float, float, float]:
    """(left mm, right mm, baseline mm from the top) of the first run of ``text`` on the page."""
    chars = pdf_page.chars
    joined = "".join(c["text"] for c in chars)
    i = joined.find(text)
    assert i >= 0, f"{text!r} not on the page: {joined!r}"
    first, last = chars[i], chars[i + len(text) - 1]
    height = float(pdf_page.height)
    return first["x0"] / MM, last["x1"] / MM, (height - first["matrix"][5]) / MM


def test_member_cards_positions_photos_warnings_and_numbers(member_master, tmp_path):
    out = tmp_path / "卡"
    code, data = _run("certificates", str(member_master), "--kind", "会员证", "--out", str(out))
    assert code == 1
    codes = sorted(p["code"] for p in data["problems"])
    assert codes == ["E701", "W701", "W701", "W702"], data["problems"]
    msgs = {p["code"]: p["message"] for p in data["problems"]}
    assert "DD-005" in msgs["E701"] and "欧阳" in msgs["W702"]
    assert any("李秀兰" in p["message"] for p in data["problems"] if p["code"] == "W701")
    assert [c["name"] for c in data["certificates"]] == ["王建国", "李秀兰", "赵", MEMBERS[3]["name"]]
    numbers = [c["number"] for c in data["certificates"]]
    assert numbers == ["2010-0001", "2010-0002", "2010-0003", "2010-0004"]
    [pdf] = [Path(f) for f in data["files"]]
    layout = load_layout("会员证", member_master)
    boxes = {b.name: b for b in layout.fields}
    with pdfplumber.open(pdf) as doc:
        assert len(doc.pages) == 4
        page = doc.pages[0]
        assert page.width / MM == pytest.approx(85.6, abs=0.05) and page.height / MM == pytest.approx(54, abs=0.05)
        left, _right, base = _baseline(page, "姓名：王建国")
        assert abs(left - boxes["姓名"].x) <= TOL and abs(base - boxes["姓名"].y) <= TOL
        left, right, base = _baseline(page, "会 员 证")
        assert abs((left + right) / 2 - boxes["标题"].x) <= TOL and abs(base - boxes["标题"].y) <= TOL
        [img] = page.images
        f = layout.photo
        assert abs(img["x0"] / MM - f.x) <= TOL and abs(img["top"] / MM - f.y) <= TOL
        assert abs((img["x1"] - img["x0"]) / MM - f.width) <= TOL and abs((img["bottom"] - img["top"]) / MM - f.height) <= TOL
        assert not doc.pages[1].images  # missing photo: the card without it
        assert "职务" not in doc.pages[2].extract_text()  # blank 职务/职称: the line is left off
    # a reprint keeps every number; a new member gets the next one
    engine = FileEngine(member_master)
    engine.write_table(TABLES["members"], [*MEMBERS[:4], {"member_no": "DD-006", "name": "孙七", "org": "丹东市化学会"}])
    engine.save()
    code, again = _run("certificates", str(member_master), "--kind", "会员证", "--out", str(out))
    assert [(c["name"], c["number"], c["new"]) for c in again["certificates"]] == [
        ("王建国", "2010-0001", False), ("李秀兰", "2010-0002", False), ("赵", "2010-0003", False),
        (MEMBERS[3]["name"], "2010-0004", False), ("孙七", "2010-0005", True)]


def test_qr_codes_decode_and_verify(member_master, tmp_path):
    zbarimg = _tool("zbarimg")
    pdftoppm = _tool("pdftoppm")
    code, data = _run("certificates", str(member_master), "--kind", "会员证", "--out", str(tmp_path / "q"))
    pdf = data["files"][0]
    subprocess.run([pdftoppm, "-r", "300", "-png", "-f", "1", "-l", "1", pdf, str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    decoded = subprocess.run([zbarimg, "--quiet", "--raw", "-Sqrcode.enable", str(png)], capture_output=True,
                             check=True).stdout.decode("utf-8").strip()
    payload = parse_payload(decoded)
    assert payload is not None, decoded
    assert (payload.number, payload.name, payload.unit) == ("2010-0001", "王建国", "丹东市医学会")
    assert payload.valid_with(load_or_create_secret(member_master))
    ok, lines, info = verify_code(decoded, [member_master])
    assert ok == 0 and info["valid"] and info["prints"] == 1 and "2010-0001" in lines[0]
    bad, lines, info = verify_code(decoded.replace("王建国", "王建设"), [member_master])
    assert bad == 1 and not info["valid"] and "不符" in lines[0]
    # the command line, run in the workbook's folder without --master
    proc = subprocess.run([sys.executable, "-m", "macros.cli", "certificates", "verify", decoded],
                          cwd=member_master.parent, capture_output=True, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 0, proc.stderr.decode()
    assert "证书有效" in proc.stdout.decode("utf-8")


def test_printer_offset_moves_everything(member_master, tmp_path):
    engine = FileEngine(member_master)
    engine.write_table(TABLES["printers"], [{"printer": "办公室HP", "dx": 2, "dy": -1.5}])
    engine.save()
    code, data = _run("certificates", str(member_master), "--kind", "会员证", "--out", str(tmp_path / "o"),
                      "--printer", "办公室HP")
    assert data["offset_mm"] == [2, -1.5]
    box = {b.name: b for b in load_layout("会员证", member_master).fields}["姓名"]
    with pdfplumber.open(data["files"][0]) as doc:
        left, _r, base = _baseline(doc.pages[0], "姓名：王建国")
    assert abs(left - (box.x + 2)) <= TOL and abs(base - (box.y - 1.5)) <= TOL
    code, data = _run("certificates", str(member_master), "--kind", "会员证", "--out", str(tmp_path / "o2"),
                      "--printer", "不存在的打印机")
    assert "W704" in {p["code"] for p in data["problems"]}


def test_cards_several_to_a_sheet_with_cut_marks_and_calibration(member_master, tmp_path):
    engine = FileEngine(member_master)
    engine.write_table(TABLES["members"], [{"member_no": f"N{i:03d}", "name": f"会员{i}", "org": "丹东市医学会"}
                                           for i in range(12)])
    engine.save()
    code, data = _run("certificates", str(member_master), "--kind", "会员证", "--out", str(tmp_path / "s"),
                      "--per-sheet")
    assert code == 0, data["problems"]
    slots = sheet_positions(85.6, 54, 0)
    box = {b.name: b for b in load_layout("会员证", member_master).fields}["姓名"]
    with pdfplumber.open(data["files"][0]) as doc:
        assert len(doc.pages) == 2
        page = doc.pages[0]
        assert page.width / MM == pytest.approx(210, abs=0.1)
        assert len(page.lines) >= 2 * (3 + 6)  # ticks at 3 column and 6 row boundaries, both sides
        left, _r, base = _baseline(page, "姓名：会员1")
        assert abs(left - (slots[1][0] + box.x)) <= TOL and abs(base - (slots[1][1] + box.y)) <= TOL
        assert len(doc.pages[1].images) == 0 and "会员11" in doc.pages[1].extract_text()
    code, data = _run("certificates", str(member_master), "--kind", "会员证", "--out", str(tmp_path / "c"),
                      "--calibration")
    with pdfplumber.open(data["files"][0]) as doc:
        text = doc.pages[0].extract_text()
    assert "校准" in text and "20 毫米" in text


def test_honor_certificates_from_the_tally_and_from_the_award_list(demo_master, tmp_path):
    code, data = _run("certificates", str(demo_master), "--kind", "荣誉证书", "--out", str(tmp_path / "h0"))
    assert code == 1 and [p["code"] for p in data["problems"]] == ["W703"] and not data["files"]
    tally_rows.write_items(demo_master)
    code, data = _run("certificates", str(demo_master), "--kind", "荣誉证书", "--out", str(tmp_path / "h"))
    assert code == 0, data["problems"]
    awards = {(c["name"], c["unit"]) for c in data["certificates"]}
    assert ("丹东市医学会", "丹东市医学会") in awards  # 优秀组织单位 from the tally
    assert "王建国" in {name for name, _unit in awards}  # 先进个人: an adopted 计策
    assert data["files"] and all(Path(f).exists() for f in data["files"])
    engine = FileEngine(demo_master)
    engine.write_table(TABLES["awards"], [{"award": "一等奖", "winner": "王建国", "org": "丹东市医学会",
                                           "reason": "关于发展港口物流的建议"}])
    engine.save()
    code, data = _run("certificates", str(demo_master), "--kind", "荣誉证书", "--out", str(tmp_path / "h2"))
    assert [c["name"] for c in data["certificates"]] == ["王建国"]
    layout = load_layout("荣誉证书", demo_master)
    box = {b.name: b for b in layout.fields}["获奖者"]
    with pdfplumber.open(data["files"][0]) as doc:
        page = doc.pages[0]
        assert page.width / MM == pytest.approx(297, abs=0.1)
        left, _r, base = _baseline(page, "王建国：")
        assert abs(left - box.x) <= TOL and abs(base - box.y) <= TOL
        assert "一等奖" in page.extract_text()


def _set_setting(path: Path, label: str, value) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["设置"]
    for row in ws.iter_rows(min_row=1):
        if row[0].value == label:
            row[1].value = value
            break
    else:
        raise AssertionError(label)
    wb.save(path)


def test_batches_fonts_embedded_and_layout_errors(member_master, tmp_path):
    pdffonts = _tool("pdffonts")
    engine = FileEngine(member_master)
    engine.write_table(TABLES["members"], [{"member_no": f"B{i:03d}", "name": f"会员{i}"} for i in range(5)])
    engine.save()
    _set_setting(member_master, "证书每批张数", 2)
    printed, _info = make_certificates(FileEngine(member_master), member_master, "会员证", tmp_path / "b")
    assert len(printed.certificates) == 5
    assert [f.name for f in printed.files] == [
        "会员证-2010-0001至2010-0002.pdf", "会员证-2010-0003至2010-0004.pdf", "会员证-2010-0005.pdf"]
    fonts = subprocess.run([pdffonts, str(printed.files[0])], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all(r[-5] == "yes" for r in rows), fonts  # every font embedded
    staff = member_master.parent / "模板"
    staff.mkdir()
    (staff / "证书版式-会员证.toml").write_text(
        "[card]\nwidth = '宽'\nheight = 54\n[[field]]\ntext = 'x'\nx = 1\ny = 1\n", encoding="utf-8")
    code, data = _run("certificates", str(member_master), "--kind", "会员证", "--out", str(tmp_path / "e"))
    assert code == 2 and "card.width" in data["error"] and "证书版式-会员证.toml" in data["error"]
    code, data = _run("certificates", str(member_master), "--kind", "奖状", "--out", str(tmp_path / "e"))
    assert code == 2 and "荣誉证书" in data["error"]
