"""Helpers for the consolidation tests: a campaign with its issued forms, filled as a unit would.

Forms come from the real ``kexie forms`` (macros.app.forms) once per session; each test gets a
copy of the master, its key file and the forms, and fills forms with openpyxl the way a unit
types into them (docs/forms.md is the contract).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Iterable

import openpyxl

from macros.adapters.xlsx_form import FILL_DATE_LABEL, FIRST_INPUT_ROW, HEADER_ROW
from macros.schema import FORM, FORM_META_SHEET, FORM_SHEET, ITEMS, SUBMISSIONS

MASTER_NAME = "活动工作簿.xlsx"
TOPICS = ("提升开发开放水平", "区域经济合作", "大力发展现代服务业", "推进新农村建设", "重大项目谋划")


def good_row(i: int, **over: Any) -> dict[str, Any]:
    row = {
        "title": f"关于推进丹东发展的第{i}条建议",
        "topic": TOPICS[i % len(TOPICS)],
        "author": "王丽娟",
        "author_org": "丹东市医学会",
        "author_post": "秘书长",
        "phone": "0415-2812345",
        "email": "wanglj@ddkx.example.cn",
        "body": f"建议加快沿江开发，完善基础设施，第{i}条。Plan B 3.14",
    }
    row.update(over)
    return row


def set_mtime(path: Path, when: datetime) -> None:
    ts = when.timestamp()
    os.utime(path, (ts, ts))


@dataclass
class Camp:
    root: Path
    master: Path
    forms: dict[str, Path]
    inbox: Path
    _clock: int = field(default=0)

    def key_file(self) -> Path:
        return self.master.with_name(f".{self.master.name}.kexie-key")

    def secret(self) -> bytes:
        from macros.adapters.secret import load_secret

        secret = load_secret(self.master)
        assert secret is not None
        return secret

    def next_time(self) -> datetime:
        """Strictly increasing modification times (the order in which units "send" files)."""
        self._clock += 1
        return datetime(2010, 10, 1, 9, 0) + timedelta(minutes=7 * self._clock)

    def fill(self, code: str, rows: Iterable[dict[str, Any]], name: str | None = None,
             when: datetime | None = None, fill_date: Any = None, meta: dict[str, Any] | None = None,
             raw_cells: dict[str, Any] | None = None, dest: Path | None = None) -> Path:
        """Fill unit ``code``'s form with ``rows`` and drop it in the inbox (or at ``dest``)."""
        wb = openpyxl.load_workbook(self.forms[code])
        ws = wb[FORM_SHEET]
        headers = {str(c.value).strip(): c.column for c in ws[HEADER_ROW] if c.value}
        cols = {col.key: headers[col.header] for col in FORM.columns if col.header in headers}
        for i, row in enumerate(rows):
            for key, value in row.items():
                if key in cols and value is not None:
                    cell = ws.cell(row=FIRST_INPUT_ROW + i, column=cols[key])
                    cell.value = value
                    if isinstance(value, str):
                        cell.data_type = "s"  # typed text stays text, even "=HYPERLINK(…)"
        for ref, value in (raw_cells or {}).items():
            ws[ref] = value  # e.g. a real formula
        if fill_date is not None:
            for line in ws.iter_rows(min_row=1, max_row=HEADER_ROW - 1):
                for cell in line:
                    if cell.value == FILL_DATE_LABEL:
                        target = ws.cell(row=cell.row, column=cell.column + 1)
                        target.value = fill_date
                        if isinstance(fill_date, str):
                            target.data_type = "s"
        if meta:
            m = wb[FORM_META_SHEET]
            for line in m.iter_rows(min_row=2, max_col=2):
                if line[0].value in meta:
                    line[1].value = meta[line[0].value]
        dest = dest or self.inbox / (name or self.forms[code].name)
        wb.save(dest)
        set_mtime(dest, when or self.next_time())
        return dest

    def run(self, **kw):
        from macros.app.consolidate import consolidate

        kw.setdefault("today", date(2010, 10, 25))
        kw.setdefault("log", self.root / "logs" / "consolidate.log")
        return consolidate(self.master, self.inbox, **kw)

    def items(self) -> list[dict[str, Any]]:
        from macros.adapters.file_engine import FileEngine

        return FileEngine(self.master).read_table(ITEMS).records()

    def submissions(self) -> list[dict[str, Any]]:
        from macros.adapters.file_engine import FileEngine

        return FileEngine(self.master).read_table(SUBMISSIONS).records()

    def ledger(self):
        from macros.adapters.ledger import Ledger, ledger_path

        return Ledger(ledger_path(self.master))


def issue(root: Path) -> tuple[Path, dict[str, Path]]:
    """A demo campaign master and the forms kexie issued for it."""
    from macros.app.forms import run_forms
    from macros.app.new import new_campaign
    from macros.demo.campaign import demo_campaign

    root.mkdir(parents=True, exist_ok=True)
    master = new_campaign(root / MASTER_NAME, data=demo_campaign())
    run = run_forms(master, root / "forms", issued_at=datetime(2010, 9, 1, 9, 0))
    forms = {u.code: root / "forms" / u.filename for u in run.units if (root / "forms" / u.filename).exists()}
    return master, forms


def copy_camp(template: tuple[Path, dict[str, Path]], dest: Path) -> Camp:
    master, forms = template
    dest.mkdir(parents=True, exist_ok=True)
    new_master = dest / master.name
    shutil.copy2(master, new_master)
    key = master.with_name(f".{master.name}.kexie-key")
    shutil.copy2(key, new_master.with_name(key.name))
    inbox = dest / "收件箱"
    inbox.mkdir()
    return Camp(dest, new_master, dict(forms), inbox)


def by_file(result) -> dict:
    """The run's FileResults by file name."""
    return {f.file: f for f in result.files}


def codes(file_result) -> list[str]:
    """The problem codes of one FileResult, in order."""
    return [p["code"] for p in file_result.problems]


def add_staff_chart(master: Path, drop_stats: bool = False) -> None:
    """A chart staff made on 单位名册 (which an openpyxl save would drop); with ``drop_stats`` the
    统计 sheet goes too, so that the next save must go through openpyxl."""
    from openpyxl.chart import BarChart, Reference

    wb = openpyxl.load_workbook(master)
    ws = wb["单位名册"]
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=9, min_row=1, max_row=10), titles_from_data=True)
    ws.add_chart(chart, "M2")
    if drop_stats:
        del wb["统计"]
    wb.save(master)
