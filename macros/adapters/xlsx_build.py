"""Build a new campaign workbook from the schema (kexie new) with openpyxl."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from macros.adapters.xlsx_cells import set_cell
from macros.adapters.safe_write import replace_atomically
from macros.adapters.xlsx_print import apply_page_setup
from macros.adapters.xlsx_tables import HEADER_FILL, HEADER_FONT, layout_table
from macros.presets import CampaignData
from macros.schema import (
    README_SHEET, SETTINGS, SETTINGS_HEADERS, SETTINGS_SHEET, SHEETS, STATS_SHEET, tables_on,
)

TITLE_FONT = Font(name="微软雅黑", bold=True, size=16, color="FF1F4E79")
H2_FONT = Font(name="微软雅黑", bold=True, size=12)


def readme_lines(campaign_name: str | None, guide: Sequence[tuple[str, str, str]] = ()) -> list[tuple[str, str]]:
    """(style, text) lines of the 说明 sheet, generated from the schema and ``guide``: (label,
    what it does, command line) of each ribbon button."""
    lines = [("title", f"{campaign_name or '活动'} · 科协工作台活动工作簿"), ("", "")]
    lines += [
        ("h2", "怎么用"),
        ("", "1. 在“设置”中填写活动名称、起止日期、联系人等基本信息。"),
        ("", "2. 在“单位名册”“配额规则”“主题领域”等工作表中录入名册和规则；灰蓝色表头的列可以调换顺序，也可以在右侧增加自己的列。"),
        ("", "3. 点击 Excel 功能区“科协工作台”选项卡上的按钮（或在命令行运行对应的 kexie 命令）。"),
        ("", "4. “征集明细”“统计”“校验结果”“报送记录”由程序生成，请勿手工改动；“征集明细”中的评分、是否采纳、备注三列（棕色表头）由工作人员填写，重新汇总时会保留。"),
        ("", "5. 本工作簿不含宏，可以放心用邮件发送。"),
        ("", ""),
        ("h2", "工作表"),
    ]
    owner_zh = {"staff": "工作人员填写", "product": "程序生成"}
    for s in SHEETS:
        lines.append(("", f"· {s.name}（{owner_zh[s.owner]}）：{s.description}"))
    if guide:
        lines += [("", ""), ("h2", "“科协工作台”选项卡上的按钮")]
    for label, description, cli in guide:
        lines.append(("", f"· {label}：{description}（命令行：{cli}）"))
    return lines


def _readme(ws, campaign_name: str | None, guide: Sequence[tuple[str, str, str]] = ()) -> None:
    ws.column_dimensions["A"].width = 120
    for r, (style, text) in enumerate(readme_lines(campaign_name, guide), start=1):
        c = ws.cell(row=r, column=1, value=text)
        if style == "title":
            c.font = TITLE_FONT
        elif style == "h2":
            c.font = H2_FONT
        c.alignment = Alignment(wrap_text=True, vertical="top")


def _settings(ws, values: dict) -> None:
    for j, h in enumerate(SETTINGS_HEADERS, start=1):
        c = ws.cell(row=1, column=j, value=h)
        c.font, c.fill = HEADER_FONT, HEADER_FILL
    for i, st in enumerate(SETTINGS, start=2):
        ws.cell(row=i, column=1, value=st.label).font = Font(bold=st.required)
        fmt = {"date": "yyyy-mm-dd", "int": "0"}.get(st.type)
        set_cell(ws.cell(row=i, column=2), values.get(st.key), fmt)
        if fmt:
            ws.cell(row=i, column=2).number_format = fmt
        ws.cell(row=i, column=2).alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        ws.cell(row=i, column=3, value=("必填。" if st.required else "") + st.note)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 60
    ws.column_dimensions["C"].width = 50
    ws.freeze_panes = "A2"


def build_workbook(data: CampaignData, guide: Sequence[tuple[str, str, str]] = ()):
    """An openpyxl Workbook holding every sheet of the schema, filled with ``data``; ``guide``
    lists the ribbon's buttons on the 说明 sheet (see readme_lines)."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "kexie 科协工作台"
    wb.properties.title = data.settings.get("campaign_name") or "活动工作簿"
    for s in SHEETS:
        ws = wb.create_sheet(s.name)
        if s.name == README_SHEET:
            _readme(ws, data.settings.get("campaign_name"), guide)
        elif s.name == SETTINGS_SHEET:
            _settings(ws, data.settings)
        elif s.name == STATS_SHEET:
            ws["A1"] = "点击“更新统计”（或运行 kexie tally）后在此生成统计结果和图表。"
        else:
            for table in tables_on(s.name):
                layout_table(ws, table, data.tables.get(table.key, []))
            ws.freeze_panes = "A2"
        apply_page_setup(ws)
    # Let Excel recalculate formulas on open (统计 uses live formulas).
    wb.calculation.fullCalcOnLoad = True
    return wb


def write_new_workbook(path: Path, data: CampaignData, guide: Sequence[tuple[str, str, str]] = ()) -> Path:
    """Write a new workbook to ``path`` through a temporary file (no half-written master)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return replace_atomically(path, build_workbook(data, guide).save)


