"""Demo step: write every unit's form, then simulate the units' returns into the inbox.

The plan (who returns what, when) is pure and seeded (macros/demo/returns.py); this module
fills the forms with openpyxl as a unit would, saves one through LibreOffice as .xls (one batch
call with a private profile; skipped quietly without LibreOffice), writes a file that is not a
workbook and a forged form, and gives every file its simulated receipt time as modification time
(the consolidation takes the receipt date from it, docs/forms.md). The consolidation step runs
next on ``ctx.inbox``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Sequence

import openpyxl

from macros.adapters.file_engine import FileEngine
from macros.adapters.pdf import ConversionError, ConverterNotFoundError, LibreOfficeConverter
from macros.adapters.safe_write import replace_atomically
from macros.adapters.xlsx_form import FILL_DATE_LABEL, FIRST_INPUT_ROW, HEADER_ROW
from macros.app.campaign import load_campaign
from macros.core.normalize import display_text
from macros.app.forms import run_forms
from macros.demo.returns import DemoUnit, ReturnedFile, plan_returns, summary
from macros.schema import FORM, FORM_META_SHEET, FORM_SHEET

SOFFICE_TIMEOUT = 120  # seconds for the one LibreOffice batch


def _fill_form(form: Path, f: ReturnedFile, dest: Path) -> None:
    """Type ``f``'s rows into a copy of the unit's form, as a unit would in Excel, and save to ``dest``."""
    wb = openpyxl.load_workbook(form)
    ws = wb[FORM_SHEET]
    headers = {str(c.value).strip(): c.column for c in ws[HEADER_ROW] if c.value}
    cols = {col.key: headers[col.header] for col in FORM.columns if col.header in headers}
    for i, row in enumerate(f.rows):
        for key, value in row.items():
            if key == "word_count" or key not in cols or value is None:
                continue
            cell = ws.cell(row=FIRST_INPUT_ROW + i, column=cols[key])
            cell.value = value
    if f.fill_date is not None:
        for row in ws.iter_rows(min_row=1, max_row=HEADER_ROW - 1):
            for cell in row:
                if cell.value == FILL_DATE_LABEL:
                    target = ws.cell(row=cell.row, column=cell.column + 1)
                    target.value = f.fill_date
                    if isinstance(f.fill_date, str):
                        target.data_type = "s"
    if f.forge_as is not None:
        meta = wb[FORM_META_SHEET]
        for row in meta.iter_rows(min_row=2, max_col=2):
            if row[0].value == "unit_code":
                row[1].value = f.forge_as.code
            elif row[0].value == "unit_name":
                row[1].value = f.forge_as.name
    replace_atomically(dest, wb.save)


def set_mtime(path: Path, when: datetime) -> None:
    """Give a simulated return its receipt time (the consolidation takes the date from it)."""
    ts = when.timestamp()  # local time, as the consolidation reads it back
    os.utime(path, (ts, ts))


class _SaveAs(LibreOfficeConverter):
    """LibreOffice saving documents in another format: ``filter_spec`` is the --convert-to
    argument ("xls:MS Excel 97", "doc:MS Word 97")."""

    def __init__(self, filter_spec: str, soffice: Path | str | None, timeout: float):
        super().__init__(soffice, timeout=timeout)
        self.filter_spec = filter_spec

    def convert_filter(self) -> str:
        return self.filter_spec


def save_as(files: Sequence[Path], outdir: Path, filter_spec: str, suffix: str,
            soffice: Path | str | None = None, timeout: float = SOFFICE_TIMEOUT) -> dict[Path, Path]:
    """Convert ``files`` to ``suffix`` in ONE LibreOffice call with a private profile.

    Returns {source: converted} for the files that came out; {} when LibreOffice is missing,
    fails or times out (the process group is killed then).
    """
    if not files:
        return {}
    outdir.mkdir(parents=True, exist_ok=True)
    try:
        with _SaveAs(filter_spec, soffice, timeout) as conv:
            conv.run_once(files, outdir)
    except (ConverterNotFoundError, ConversionError):
        return {}
    out = {}
    for src in files:
        dest = outdir / (src.stem + suffix)
        if dest.is_file() and dest.stat().st_size > 0:
            out[src] = dest
    return out


def convert_to_xls(files: Sequence[Path], outdir: Path, soffice: Path | str | None = None,
                   timeout: float = SOFFICE_TIMEOUT) -> dict[Path, Path]:
    """``save_as`` Excel 97–2003 .xls (what a unit saving from LibreOffice or old Excel sends)."""
    return save_as(files, outdir, "xls:MS Excel 97", ".xls", soffice, timeout)


def demo_units(run, forms_dir: Path) -> list[DemoUnit]:
    written = {p.name for p in run.paths}
    return [DemoUnit(u.code, u.name, u.category, u.quota, u.filename) for u in run.units
            if u.filename in written]


def simulate_returns(forms_dir: Path, inbox: Path, units: Sequence[DemoUnit], topics: Sequence[str],
                     start: date, deadline: date, word_limit: int | None,
                     soffice: Path | str | None | bool = None) -> tuple[list[ReturnedFile], list[str]]:
    """Write the planned returns into ``inbox``; return the plan and Chinese notes.

    ``soffice=False`` skips LibreOffice (the .xls file then stays .xlsx).
    """
    plan = plan_returns(units, topics, start, deadline, word_limit)
    inbox.mkdir(parents=True, exist_ok=True)
    for f in plan:  # a re-run of the demo replaces its own files, nothing else
        for name in {f.filename, Path(f.filename).with_suffix(".xlsx").name}:
            (inbox / name).unlink(missing_ok=True)
    notes: list[str] = []
    to_xls: list[tuple[ReturnedFile, Path]] = []
    with tempfile.TemporaryDirectory(prefix="kexie-demo-") as tmp:
        staging = Path(tmp)
        for f in plan:
            if f.raw is not None:
                dest = inbox / f.filename
                dest.write_bytes(f.raw)
                set_mtime(dest, f.received_at)
                continue
            if f.save_as == "xls":
                src = staging / (Path(f.filename).stem + ".xlsx")
                _fill_form(forms_dir / f.unit.form, f, src)
                to_xls.append((f, src))
                continue
            dest = inbox / f.filename
            _fill_form(forms_dir / f.unit.form, f, dest)
            set_mtime(dest, f.received_at)
        converted: dict[Path, Path] = {}
        if to_xls and soffice is not False:
            converted = convert_to_xls([src for _f, src in to_xls], staging / "xls", soffice or None)
        for f, src in to_xls:
            if src in converted:
                dest = inbox / f.filename
                shutil.move(str(converted[src]), dest)
            else:
                dest = inbox / src.name
                shutil.move(str(src), dest)
                f.filename = dest.name
                f.story = f.story.replace("用 LibreOffice 另存为 .xls 格式", "（未找到 LibreOffice，仍为 .xlsx）")
                notes.append("未找到可用的 LibreOffice，示例中本应另存为 .xls 的报送表仍为 .xlsx。")
            set_mtime(dest, f.received_at)
    notes.insert(0, summary(plan, units))
    return plan, notes


def demo_step(ctx) -> None:
    campaign = load_campaign(_file_engine(ctx.master), tables=["topics"])
    s = campaign.settings
    deadline = s.get("deadline") or ctx.today
    start = s.get("start_date") or deadline
    issued = datetime.combine(start, time(9, 0))
    run = run_forms(ctx.master, ctx.forms_dir, issued_at=issued)
    ctx.outputs.append(("报送表（发给各单位）", ctx.forms_dir))
    topics = [t for t in (display_text(v) for v in campaign.frame("topics")["topic"].tolist()) if t]
    units = demo_units(run, ctx.forms_dir)
    plan, notes = simulate_returns(ctx.forms_dir, ctx.inbox, units, topics, start, deadline,
                                   s.get("word_limit"))
    ctx.outputs.append(("收件箱（模拟各单位交回的报送表）", ctx.inbox))
    ctx.notes.extend(notes)


def _file_engine(path: Path):
    return FileEngine(path)
