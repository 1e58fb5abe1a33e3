"""LibreOffice headless opens the workbook kexie builds (a conversion succeeds)."""

from __future__ import annotations

import subprocess

import openpyxl
import pytest

from macros import schema


@pytest.mark.libreoffice
def test_libreoffice_converts_the_master(soffice, demo_master, tmp_path):
    out = tmp_path / "out"
    profile = (tmp_path / "profile").as_uri()
    r = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(demo_master)],
        capture_output=True, text=True, timeout=180,
    )
    assert r.returncode == 0, r.stderr
    converted = out / demo_master.name
    assert converted.exists()
    wb = openpyxl.load_workbook(converted)
    assert wb.sheetnames == list(schema.SHEET_NAMES)
    assert wb["主题领域"]["B2"].value.startswith("沿江沿海经济区建设")
