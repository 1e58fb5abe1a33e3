"""kexie doctor: run for real on this machine, and on simulated missing things (no LibreOffice
anywhere, an empty fonts folder, a stale add-in, a missing folder, bad mailbox settings)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import openpyxl
import pytest

from macros import addin_install as ai
from macros import resources
from macros.adapters import office_locate as ol
from macros.app import doctor_checks as dc
from macros.cli import main
from macros.problems import CODES


def _doctor(*args: str) -> tuple[int, dict]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["doctor", "--json", *args])
    return code, json.loads(out.getvalue())


def _by_id(data: dict) -> dict[str, dict]:
    return {c["id"]: c for c in data["checks"]}


@pytest.mark.libreoffice
def test_this_machine_is_well(tmp_path, soffice):
    master = tmp_path / "活动.xlsx"
    code, data = _doctor(str(tmp_path))
    checks = _by_id(data)
    assert code == 0 and data["ok"] is True, data
    assert {"python", "packages", "pdf", "fonts", "gb_fonts", "addin", "folder", "mail"} <= set(checks)
    assert checks["pdf"]["status"] == "ok" and checks["fonts"]["status"] == "ok"
    assert checks["folder"]["status"] == "ok"
    assert not list(tmp_path.iterdir()), "the write check leaves nothing behind"
    assert data["counts"]["fail"] == 0
    for c in data["checks"]:
        assert c["status"] in ("ok", "warn", "fail", "skip")
        assert c["code"] is None or c["code"] in CODES
    # The GB/T 9704 fonts are commercial: here they are missing and their stand-ins are named.
    if checks["gb_fonts"]["status"] == "warn":
        assert "代替" in checks["gb_fonts"]["detail"]
    assert not master.exists()


def test_text_output_is_chinese_with_what_to_do(tmp_path):
    r = subprocess.run([sys.executable, "-m", "macros", "doctor", "--fonts-dir", str(tmp_path)],
                       capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert r.returncode == 1
    assert "kexie 环境检查" in r.stdout and "处理办法" in r.stdout and "模板所需中文字体：问题" in r.stdout


def test_an_empty_fonts_folder_fails_the_font_checks(tmp_path):
    empty = tmp_path / "fonts"
    empty.mkdir()
    code, data = _doctor("--fonts-dir", str(empty))
    checks = _by_id(data)
    assert code == 1 and data["ok"] is False
    assert checks["fonts"]["status"] == "fail" and checks["fonts"]["code"] == "E904"
    assert checks["gb_fonts"]["status"] == "fail"
    assert "fonts-noto-cjk" in checks["fonts"]["fix"]


def _font_file(family: str) -> Path | None:
    fc = shutil.which("fc-match")
    if fc is None:
        return None
    out = subprocess.run([fc, "-f", "%{file}", family], capture_output=True, text=True).stdout
    path = Path(out)
    return path if path.is_file() and family.split()[0].lower() in path.name.lower() else None


def test_a_fonts_folder_with_only_a_serif_face_names_what_stands_in(tmp_path):
    serif = _font_file("Noto Serif CJK SC")
    if serif is None:
        pytest.skip("Noto Serif CJK not installed")
    folder = tmp_path / "fonts"
    folder.mkdir()
    shutil.copy(serif, folder / serif.name)
    from macros.adapters.fonts_probe import installed_families

    families, where = installed_families([folder])
    assert "Noto Serif CJK SC" in families
    fonts = dc.check_template_fonts(families, where)
    assert fonts.status == "fail" and "黑体" in fonts.detail and "宋体" not in fonts.detail
    gb = dc.check_gb_fonts(families, where)
    assert gb.status == "fail" and "缺少 黑体" in gb.detail  # no sans face at all
    assert "方正小标宋简体（由 Noto Serif CJK SC 代替）" in gb.detail


def test_no_libreoffice_on_path_registry_or_any_drive(tmp_path):
    nowhere = ol.find_soffice(platform="win32", env={"PATH": str(tmp_path)}, registry=ol.DictRegistry(),
                              drives=[tmp_path / "C", tmp_path / "D"])
    assert nowhere is None
    check = dc.check_pdf(nowhere, word_available=False)
    assert check.status == "fail" and check.code == "E903" and "LibreOffice" in check.fix
    assert dc.check_pdf(nowhere, word_available=True).status == "ok"
    program = tmp_path / "D" / "Program Files" / "LibreOffice" / "program"
    program.mkdir(parents=True)
    (program / "soffice.exe").write_bytes(b"MZ")
    found = ol.find_soffice(platform="win32", env={"PATH": str(tmp_path)}, registry=ol.DictRegistry(),
                            drives=[tmp_path / "C", tmp_path / "D"])
    assert dc.check_pdf(found, word_available=False).status == "ok"


def _stale_addin(path: Path, xlwings: str) -> None:
    """The package's add-in with another xlwings version recorded (as an old build would)."""
    with zipfile.ZipFile(resources.addin_file()) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "docProps/core.xml":
                data = data.replace(f"xlwings {ai.installed_xlwings_version()}".encode(), f"xlwings {xlwings}".encode())
            dst.writestr(item, data)


def test_addin_installed_current_stale_and_missing(tmp_path):
    xlstart = tmp_path / "Excel" / "XLSTART"
    code, data = _doctor("--xlstart", str(xlstart))
    assert _by_id(data)["addin"]["status"] == "warn" and _by_id(data)["addin"]["code"] == "W907"
    loc = ai.AddinLocations(ai.WINDOWS, xlstart, tmp_path / "Excel" / ".kexie" / ai.CONF_NAME, None)
    ai.install(loc, addin_source=resources.addin_file(), python=Path(sys.executable), pythonpath=tmp_path)
    code, data = _doctor("--xlstart", str(xlstart))
    assert _by_id(data)["addin"]["status"] == "ok", _by_id(data)["addin"]
    _stale_addin(loc.addin_file, "0.30.0")
    code, data = _doctor("--xlstart", str(xlstart))
    addin = _by_id(data)["addin"]
    assert code == 1 and addin["status"] == "fail" and addin["code"] == "E906"
    assert "xlwings 0.30.0" in addin["detail"] and "kexie addin install" in addin["fix"]


def test_missing_campaign_folder(tmp_path):
    code, data = _doctor(str(tmp_path / "没有这个文件夹" / "活动.xlsx"))
    folder = _by_id(data)["folder"]
    assert code == 1 and folder["status"] == "fail" and folder["code"] == "E912"


def test_mailbox_settings_checked_when_set(demo_master, monkeypatch):
    monkeypatch.delenv("KEXIE_MAIL_PASSWORD", raising=False)
    wb = openpyxl.load_workbook(demo_master)
    ws = wb["设置"]
    for label, value in (("邮箱账号", "xuehuibu.example.cn"), ("收件服务器", "imap.example.cn:993"),
                         ("发件服务器", "smtp example"), ("加密方式", "SSL")):
        ws.append([label, value])
    wb.save(demo_master)
    checks = {c.id: c for c in dc.check_mail(demo_master, {})}
    assert checks["mail"].status == "warn" and checks["mail"].code == "W909"
    assert "不是邮箱地址" in checks["mail"].detail and "发件服务器" in checks["mail"].detail
    assert checks["mail_password"].status == "warn" and checks["mail_password"].code == "W910"
    good = {"邮箱账号": "xhb@example.cn", "收件服务器": "imap.example.cn:993", "发件服务器": "smtp.example.cn"}
    assert dc.mail_problems(good) == []
    checks = {c.id: c for c in dc.check_mail(demo_master, {"KEXIE_MAIL_PASSWORD": "x"})}
    assert checks["mail_password"].status == "ok"


def test_no_mail_settings_is_skipped(demo_master):
    (check,) = dc.check_mail(demo_master, {})
    assert check.status == "skip"


def test_packages_and_python():
    assert dc.check_packages().status == "ok"
    assert dc.check_packages("no-such-distribution-kexie").code == "W911"
    assert "缺少 no-such-package-kexie" in dc._requirement_problem("no-such-package-kexie>=1")
    assert dc._requirement_problem("pywin32>=306; sys_platform == 'win32'") is None or sys.platform == "win32"
    assert dc._requirement_problem("pytest>=99; extra == 'test'") is None
    assert dc.check_python((3, 10, 4)).status == "fail"
    assert dc.check_python((3, 13, 0)).status == "ok"
