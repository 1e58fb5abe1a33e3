"""The score form a reviewer fills in (评分表): one workbook per reviewer, built with openpyxl.

Layout (the reader, macros/adapters/review_form_reader.py, depends on it):

* 评分说明 — the campaign, the reviewer, how to score, each criterion with its 满分 and 说明;
* 评分 — title (row 1), 评审专家 and 专家编号 (row 2), a hint (row 3), the header (row 4):
  编号, 题目, 主题领域, 内容摘要, one column per criterion headed “<criterion>（满分 N）”, 总分,
  评语; then one row per entry assigned to the reviewer. 编号 … 内容摘要 and 总分 (a formula) are
  locked; each criterion cell takes a decimal between 0 and its 满分 (data validation);
* _kexie (very hidden) — key/value: kind = review, campaign_id, reviewer_code, reviewer_name,
  form_version, token, issued_at. The token is ``tokens.form_token`` of the subject
  ``review:<专家编号>`` (:func:`review_subject`), so it can never pass as a unit's form token.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from macros.adapters.xlsx_form import (
    BOX, COMPUTED_FILL, HINT_FONT, INPUT_FILL, LABEL_FONT, LOCKED_FILL, TEXT_FONT, TITLE_FONT, UNLOCKED,
    _protect, _set, write_meta_sheet,
)
from macros.schema import FORM_META_SHEET, REVIEW_FORM_KIND, REVIEW_FORM_SHEET

INFO_SHEET = "评分说明"
TITLE_ROW, WHO_ROW, HINT_ROW, HEADER_ROW = 1, 2, 3, 4
FIRST_ROW = HEADER_ROW + 1
FIXED_HEADERS = ("编号", "题目", "主题领域", "内容摘要")
TOTAL_HEADER, COMMENT_HEADER = "总分", "评语"
META_KEYS = ("kind", "campaign_id", "reviewer_code", "reviewer_name", "form_version", "token", "issued_at")
EXCERPT_CHARS = 300
PROPERTY_MARKER = "kexie-review-form"  # in the document's keywords and category: the inbox recognises it


def review_subject(reviewer_code: str) -> str:
    """What a reviewer's token signs in place of a unit code."""
    return f"review:{reviewer_code}"


def criterion_header(name: str, max_points: float) -> str:
    return f"{name}（满分{max_points:g}）"


@dataclass(frozen=True)
class ReviewEntry:
    item_id: str
    title: str | None
    topic: str | None
    excerpt: str | None


@dataclass(frozen=True)
class ReviewFormSpec:
    campaign_id: str
    campaign_name: str
    reviewer_code: str
    reviewer_name: str
    token: str
    form_version: int
    issued_at: datetime
    criteria: Sequence[tuple[str, float, str | None]]  # (name, 满分, 说明)
    entries: Sequence[ReviewEntry] = field(default_factory=tuple)
    organizer: str | None = None
    department: str | None = None
    deadline: date | None = None
    contact: str | None = None
    phone: str | None = None
    email: str | None = None


def excerpt(text: str | None, limit: int = EXCERPT_CHARS) -> str | None:
    if not text:
        return None
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[:limit] + "……"


def _info(ws, spec: ReviewFormSpec) -> None:
    ws.sheet_view.showGridLines = False
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 90
    ws.merge_cells("A1:B1")
    _set(ws, "A1", f"{spec.campaign_name}——评分表填写说明", TITLE_FONT, align=Alignment(horizontal="center"))
    wrap = Alignment(wrap_text=True, vertical="top")
    total = sum(m for _n, m, _d in spec.criteria)
    rows = [("评审专家", spec.reviewer_name), ("专家编号", spec.reviewer_code), ("评审条数", str(len(spec.entries))),
            ("满分合计", f"{total:g} 分"), ("主办单位", spec.organizer), ("承办部门", spec.department),
            ("联系人", spec.contact), ("联系电话", spec.phone), ("电子邮箱", spec.email)]
    if spec.deadline:
        rows.append(("交回日期", f"{spec.deadline.year}年{spec.deadline.month}月{spec.deadline.day}日前"))
    r = 3
    for label, value in rows:
        if value:
            _set(ws, f"A{r}", label, LABEL_FONT, LOCKED_FILL, border=BOX)
            _set(ws, f"B{r}", value, TEXT_FONT, border=BOX, align=wrap)
            r += 1
    r += 1
    _set(ws, f"A{r}", "评分项目", LABEL_FONT)
    r += 1
    for name, mx, note in spec.criteria:
        _set(ws, f"A{r}", f"{name}（{mx:g}分）", TEXT_FONT, border=BOX)
        _set(ws, f"B{r}", note or "", TEXT_FONT, border=BOX, align=wrap)
        r += 1
    r += 1
    steps = [
        f"请在“{REVIEW_FORM_SHEET}”工作表中逐条给分：每个评分项目填 0 到该项满分之间的数字（可有一位小数），总分自动计算。",
        "“评语”可填写对该条内容的意见和建议。编号、题目等灰色单元格受保护，不能修改。",
        "如与某条内容有利害关系，请不要评分，并在评语中注明“回避”，同时告知联系人。",
        "请不要修改工作表名称和表头，不要删除隐藏的工作表；本表已与您绑定，请勿转给他人填写。",
        "填好后保存为 .xlsx 文件，作为电子邮件附件发回。需要修改时，修改后重新发送整个文件，以最后收到的一份为准。",
    ]
    _set(ws, f"A{r}", "填写方法", LABEL_FONT)
    r += 1
    for i, text in enumerate(steps, start=1):
        _set(ws, f"A{r}", f"{i}.", TEXT_FONT, align=Alignment(horizontal="right", vertical="top"))
        _set(ws, f"B{r}", text, TEXT_FONT, align=wrap)
        ws.row_dimensions[r].height = 15 * max(1, -(-len(text) // 44))
        r += 1
    _protect(ws)


def _score_sheet(ws, spec: ReviewFormSpec) -> None:
    crit = list(spec.criteria)
    headers = [*FIXED_HEADERS, *(criterion_header(n, m) for n, m, _d in crit), TOTAL_HEADER, COMMENT_HEADER]
    last = get_column_letter(len(headers))
    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    _set(ws, f"A{TITLE_ROW}", f"{spec.campaign_name}——评分表", TITLE_FONT, align=Alignment(horizontal="center"))
    ws.row_dimensions[TITLE_ROW].height = 30
    _set(ws, f"A{WHO_ROW}", "评审专家", LABEL_FONT, LOCKED_FILL, border=BOX)
    _set(ws, f"B{WHO_ROW}", spec.reviewer_name, LABEL_FONT, LOCKED_FILL, border=BOX)
    _set(ws, f"C{WHO_ROW}", "专家编号", LABEL_FONT, LOCKED_FILL, border=BOX)
    _set(ws, f"D{WHO_ROW}", spec.reviewer_code, LABEL_FONT, LOCKED_FILL, border=BOX)
    _set(ws, f"A{HINT_ROW}", "每项填 0 到满分之间的数字，总分自动计算；详见“评分说明”。", HINT_FONT)
    widths = [14, 30, 20, 50, *([12] * len(crit)), 8, 30]
    for j, (h, w) in enumerate(zip(headers, widths), start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
        _set(ws, f"{get_column_letter(j)}{HEADER_ROW}", h, LABEL_FONT, LOCKED_FILL,
             Alignment(horizontal="center", vertical="center", wrap_text=True), BOX)
    ws.row_dimensions[HEADER_ROW].height = 32
    first_c, last_c = get_column_letter(len(FIXED_HEADERS) + 1), get_column_letter(len(FIXED_HEADERS) + len(crit))
    end = FIRST_ROW + max(len(spec.entries), 1) - 1
    top = Alignment(wrap_text=True, vertical="top")
    for i, e in enumerate(spec.entries):
        r = FIRST_ROW + i
        for j, v in enumerate((e.item_id, e.title, e.topic, e.excerpt), start=1):
            _set(ws, f"{get_column_letter(j)}{r}", v or "", TEXT_FONT, LOCKED_FILL, top, BOX)
        for j in range(len(crit)):
            c = ws.cell(row=r, column=len(FIXED_HEADERS) + 1 + j)
            c.border, c.fill, c.protection, c.number_format = BOX, INPUT_FILL, UNLOCKED, "0.0"
        total = ws.cell(row=r, column=len(FIXED_HEADERS) + len(crit) + 1)
        total.value = f'=IF(COUNT({first_c}{r}:{last_c}{r})=0,"",SUM({first_c}{r}:{last_c}{r}))'
        total.border, total.fill, total.number_format = BOX, COMPUTED_FILL, "0.0"
        comment = ws.cell(row=r, column=len(headers))
        comment.border, comment.protection, comment.alignment = BOX, UNLOCKED, top
        ws.row_dimensions[r].height = 60
    for j, (name, mx, _d) in enumerate(crit):
        letter = get_column_letter(len(FIXED_HEADERS) + 1 + j)
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2=f"{mx:g}", allow_blank=True)
        dv.error = f"“{name}”请填 0 到 {mx:g} 之间的数字"
        dv.errorTitle = "评分超出范围"
        dv.showErrorMessage = True
        dv.add(f"{letter}{FIRST_ROW}:{letter}{end}")
        ws.add_data_validation(dv)
    ws.freeze_panes = f"B{FIRST_ROW}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _protect(ws, allow_format=True)


def _meta(ws, spec: ReviewFormSpec) -> None:
    values = {"kind": REVIEW_FORM_KIND, "campaign_id": spec.campaign_id, "reviewer_code": spec.reviewer_code,
              "reviewer_name": spec.reviewer_name, "form_version": int(spec.form_version), "token": spec.token,
              "issued_at": spec.issued_at.isoformat(timespec="seconds")}
    write_meta_sheet(ws, [(key, values[key]) for key in META_KEYS])


def build_review_form(spec: ReviewFormSpec) -> bytes:
    """The reviewer's score form as .xlsx bytes."""
    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    _info(info, spec)
    _score_sheet(wb.create_sheet(REVIEW_FORM_SHEET), spec)
    _meta(wb.create_sheet(FORM_META_SHEET), spec)
    wb.active = 1
    props = wb.properties
    props.title = f"{spec.campaign_name}——评分表（{spec.reviewer_name}）"
    props.creator = spec.organizer or "kexie"
    props.keywords = f"kexie 评分表 {PROPERTY_MARKER}"
    props.category = PROPERTY_MARKER
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
