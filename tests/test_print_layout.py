"""Print-ready workbooks: every sheet staff print has its page setup (A4, orientation, one page
wide, header row repeated), declared once in macros.schema and applied by the builder, the 统计
writer and the forms; LibreOffice prints the demo master on few pages."""

from __future__ import annotations

import subprocess
from datetime import datetime

import openpyxl
import pytest
from pypdf import PdfReader

from macros import schema
from macros.app.forms import make_forms
from macros.app.new import new_campaign
from macros.demo.campaign import demo_campaign

A4 = 9  # openpyxl / OOXML paper size code


def _check(ws, header_row: int | None = 1) -> None:
    setup = schema.page_setup(ws.title)
    assert setup is not None, ws.title
    assert int(ws.page_setup.paperSize) == A4, ws.title
    assert ws.page_setup.orientation == ("landscape" if setup.landscape else "portrait"), ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0, ws.title
    if setup.repeat_header and header_row:
        assert ws.print_title_rows == f"${header_row}:${header_row}", (ws.title, ws.print_title_rows)


def test_every_sheet_of_the_schema_has_a_page_setup():
    for s in schema.SHEETS:
        assert schema.page_setup(s.name) is not None, s.name
    assert schema.page_setup(schema.FORM_SHEET).landscape
    assert schema.page_setup(schema.FORM_META_SHEET) is None  # hidden, never printed


def test_new_workbook_reads_back_its_page_setup(demo_master):
    wb = openpyxl.load_workbook(demo_master)
    for ws in wb.worksheets:
        _check(ws)
    assert wb["征集明细"].page_setup.orientation == "landscape"
    assert wb["配额规则"].page_setup.orientation == "portrait"


def test_forms_carry_their_page_setup(tmp_path):
    master = new_campaign(tmp_path / "献策.xlsx", data=demo_campaign())
    form = make_forms(master, tmp_path / "报送表", issued_at=datetime(2010, 9, 1, 9))[0]
    wb = openpyxl.load_workbook(form)
    from macros.adapters.xlsx_form import HEADER_ROW

    _check(wb[schema.FORM_SHEET], HEADER_ROW)
    _check(wb[schema.FORM_INFO_SHEET], None)


@pytest.mark.libreoffice
def test_demo_master_prints_on_few_pages(tmp_path, soffice, demo_run):
    """The demo master after consolidation and tally: 59 pages before page setups, now one or
    two per sheet (统计 included), and the page setup survives every rewrite."""
    assert demo_run["returncode"] in (0, 1), demo_run["stderr"]
    (master,) = demo_run["out"].glob("*.xlsx")
    wb = openpyxl.load_workbook(master)
    for ws in wb.worksheets:
        _check(ws)
    out = tmp_path / "pdf"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(out), str(master)],
                   capture_output=True, timeout=180, check=True)
    pages = [p.extract_text() or "" for p in PdfReader(out / f"{master.stem}.pdf").pages]
    assert len(pages) <= 2 * len(schema.SHEETS), len(pages)
    stats_pages = [t for t in pages if f"{schema.STATS_SHEET}　第" in t]
    assert 1 <= len(stats_pages) <= 3, len(stats_pages)
