"""The form workbook a unit fills in (报送表): built once as a template, stamped per unit.

``build_form_template(spec)`` lays the whole form out with openpyxl — 填报说明, 报送, the hidden
topic list and the very hidden ``_kexie`` metadata sheet — with the per-unit values left as
markers such as ``{{kexie.unit_name}}``. ``FormTemplate.render(values)`` then makes one unit's form by
substituting the markers in the few XML parts that hold them (shared strings, document
properties) and re-zipping: no openpyxl work per unit, so 2,000 forms take seconds.

The layout is the form contract of docs/forms.md (the consolidation reads it); keep both in step.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping, Sequence

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from macros.adapters.safe_write import replace_atomically
from macros.adapters.xlsx_cells import cell_text, xml_escape
from macros.adapters.xlsx_print import apply_page_setup
from macros.adapters.xlsx_tables import layout_table
from macros.core.form_plan import form_title
from macros.schema import FORM, FORM_INFO_SHEET, FORM_META_SHEET, FORM_SHEET, Column

# --- the layout (docs/forms.md) ---------------------------------------------------------------
TITLE_ROW = 1
UNIT_ROW = 2  # 报送单位 <name> … 单位编号 <code> … 应报/截止
DATE_ROW = 3  # 填表日期 <optional date typed by the unit> … one-line hint
HEADER_ROW = 4  # the FORM header
FIRST_INPUT_ROW = HEADER_ROW + 1
INPUT_ROWS = 100  # unlocked input rows below the header
LAST_INPUT_ROW = HEADER_ROW + INPUT_ROWS
FILL_DATE_LABEL = "填表日期"
UNIT_NAME_LABEL = "报送单位"
UNIT_CODE_LABEL = "单位编号"
TOPICS_SHEET = "主题列表"  # hidden; the topic drop-down's source
TOPICS_NAME = "kexie_topics"  # defined name of the topic list (works in Excel 2007+, WPS, LibreOffice)
META_HEADERS = ("key", "value")
META_KEYS = ("campaign_id", "unit_code", "unit_name", "form_version", "token", "issued_at", "data_sheet", "nonce")
WORD_COUNT_SPAN = 4000  # characters of 正文 the 字数 formula looks at

# Per-unit markers (the values substituted by FormTemplate.render).
MARKERS = ("unit_code", "unit_name", "token", "quota_text", "nonce")

INPUT_FILL = PatternFill("solid", fgColor="FFFFFFFF")
LOCKED_FILL = PatternFill("solid", fgColor="FFF2F2F2")
COMPUTED_FILL = PatternFill("solid", fgColor="FFE7E6E6")
OVER_LIMIT_FILL = PatternFill("solid", fgColor="FFFFC7CE")
THIN = Side(style="thin", color="FFBFBFBF")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT = Font(name="微软雅黑", size=16, bold=True, color="FF1F4E79")
LABEL_FONT = Font(name="微软雅黑", size=11, bold=True)
TEXT_FONT = Font(name="宋体", size=11)
HINT_FONT = Font(name="宋体", size=10, color="FF595959")
UNLOCKED = Protection(locked=False)


def marker(key: str) -> str:
    """An ASCII placeholder (openpyxl writes non-ASCII text as character references)."""
    return "{{kexie." + key + "}}"


_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"
_JOINERS = "._'@-"


def word_count_formula(ref: str, span: int = WORD_COUNT_SPAN) -> str:
    """Excel formula computing ``normalize.count_chars`` of the text in ``ref``.

    Every character counts 1 except whitespace (space, U+3000, tab, line breaks), and a run of
    ASCII letters/digits counts 1 as a word, joiners ``. _ ' @ -`` between letters/digits and
    ``,`` between digits staying inside the word (``3.14``, ``e-mail``, ``1,000``) — the rule of
    count_chars, position by position: a character adds 1 unless it continues a word or is a
    joiner inside one. Only functions every Excel since 2007, WPS and LibreOffice know
    (SUMPRODUCT, MID, ROW, FIND, no volatile INDIRECT); the first ``span`` characters are looked
    at. Zero-width characters and combining marks count 1 here (0 in count_chars): the
    consolidation always recomputes 字数 itself and never trusts this cell.
    """
    k = f"ROW($A$1:$A${span})"
    ch = f"MID({ref},{k},1)"
    p1 = f'MID("  "&{ref},{k}+1,1)'  # previous character (padded)
    p2 = f'MID("  "&{ref},{k},1)'  # the one before it
    n1 = f'MID({ref}&" ",{k}+1,1)'  # next character (padded)

    def isin(x: str, chars: str) -> str:
        return f'ISNUMBER(FIND({x},"{chars}"))'

    # CHAR(1): LibreOffice hands a tab back as U+0001 in a cell that also holds a line break.
    visible = (f'({ch}<>"")*({ch}<>" ")*({ch}<>"\u3000")*({ch}<>CHAR(9))*({ch}<>CHAR(10))'
               f"*({ch}<>CHAR(13))*({ch}<>CHAR(1))")
    continues = (f"{isin(ch, _ALNUM)}*({isin(p1, _ALNUM)}+{isin(p1, _JOINERS)}*{isin(p2, _ALNUM)}"
                 f'+({p1}=",")*{isin(p2, _DIGITS)}*{isin(ch, _DIGITS)})')
    inner_joiner = (f"{isin(p1, _ALNUM)}*{isin(n1, _ALNUM)}*({isin(ch, _JOINERS)}"
                    f'+({ch}=",")*{isin(p1, _DIGITS)}*{isin(n1, _DIGITS)})')
    return f'=IF(LEN({ref})=0,"",SUMPRODUCT({visible}*(1-{continues}-{inner_joiner})))'


@dataclass(frozen=True)
class FormSpec:
    """What every form of one campaign shares (from the master's 设置 and 主题领域)."""

    campaign_id: str
    campaign_name: str
    topics: Sequence[str]
    form_version: int
    issued_at: datetime
    organizer: str | None = None
    department: str | None = None
    deadline: date | None = None
    word_limit: int | None = None
    contact: str | None = None
    phone: str | None = None
    email: str | None = None
    required_headers: Sequence[str] = field(default_factory=tuple)
    optional_headers: Sequence[str] = field(default_factory=tuple)


def _cn_date(d: date | None) -> str | None:
    return f"{d.year}年{d.month}月{d.day}日" if d else None


def _set(ws, ref: str, value, font=TEXT_FONT, fill=None, align=None, border=None):
    cell = ws[ref]
    cell.value = cell_text(value) if isinstance(value, str) else value
    if isinstance(value, str):
        cell.data_type = "s"
    cell.font = font
    if fill is not None:
        cell.fill = fill
    if align is not None:
        cell.alignment = align
    if border is not None:
        cell.border = border
    return cell


def _protect(ws, *, allow_format: bool = False, allow_insert_rows: bool = False) -> None:
    """Sheet protection WITHOUT a password (a unit can always unprotect; it guards against slips)."""
    p = ws.protection
    p.sheet = True
    p.selectLockedCells = False
    p.selectUnlockedCells = False
    if allow_format:
        p.formatCells = False
        p.formatColumns = False
        p.formatRows = False
    if allow_insert_rows:
        p.insertRows = False
    p.autoFilter = False


def _info_sheet(ws, spec: FormSpec) -> None:
    ws.sheet_view.showGridLines = False
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 92
    ws.merge_cells("A1:B1")
    _set(ws, "A1", f"{form_title(spec.campaign_name)}填报说明", TITLE_FONT,
         align=Alignment(horizontal="center", vertical="center"))
    ws.row_dimensions[1].height = 30
    wrap = Alignment(wrap_text=True, vertical="top")
    r = 3
    for label, value in _info_facts(spec):
        if value in (None, ""):
            continue
        _set(ws, f"A{r}", label, LABEL_FONT, LOCKED_FILL, border=BOX)
        _set(ws, f"B{r}", value, TEXT_FONT, border=BOX, align=wrap)
        r += 1
    r += 1
    _set(ws, f"A{r}", "填写和报送方法", LABEL_FONT)
    r = _numbered(ws, r + 1, _info_steps(spec), always_fit=True)
    if spec.topics:
        _set(ws, f"A{r + 1}", "主题领域", LABEL_FONT)
        _numbered(ws, r + 2, spec.topics, always_fit=False)
    apply_page_setup(ws)
    _protect(ws)


def _word_limit_text(spec: FormSpec) -> str:
    return f"每条正文不超过 {spec.word_limit} 字" if spec.word_limit else "不限"


def _info_facts(spec: FormSpec) -> list[tuple[str, str | None]]:
    """The campaign and the unit at the top of 填报说明 (a blank value leaves its row out)."""
    return [
        ("活动名称", spec.campaign_name),
        ("主办单位", spec.organizer),
        ("承办部门", spec.department),
        (UNIT_NAME_LABEL, marker("unit_name")),
        (UNIT_CODE_LABEL, marker("unit_code")),
        ("应报数量", marker("quota_text")),
        ("截止日期", _cn_date(spec.deadline)),
        ("字数上限", _word_limit_text(spec)),
        ("联系人", spec.contact),
        ("联系电话", spec.phone),
        ("电子邮箱", spec.email),
    ]


def _info_steps(spec: FormSpec) -> list[str]:
    """填写和报送方法, one numbered step each."""
    deadline = _cn_date(spec.deadline)
    contact_bits = "，".join(
        x for x in (spec.contact and f"联系人：{spec.contact}", spec.phone and f"电话：{spec.phone}",
                    spec.email and f"电子邮箱：{spec.email}") if x
    )
    steps = [
        f"请在“{FORM_SHEET}”工作表第 {FIRST_INPUT_ROW} 行起逐行填写，每行一条（本表共 {INPUT_ROWS} 行可填写）。"
        "白色单元格可以填写；表头、报送单位等灰色单元格受保护，不能修改。",
        f"必填：{'、'.join(spec.required_headers)}；选填：{'、'.join(spec.optional_headers)}。"
        "献策人的工作单位、职务和联系方式请写完整。",
        (f"“主题领域”请从下拉列表中选择（共 {len(spec.topics)} 项，见本页下方），不要自行改写。"
         if spec.topics else "“主题领域”请填写本条内容所属的领域。"),
        "“正文”可从 Word 复制后粘贴到单元格中（单元格内换行：Excel、WPS 按 Alt+Enter，LibreOffice 按 "
        f"Ctrl+Enter）。“字数”列自动计算，不必填写；{_word_limit_text(spec)}。",
        f"“{FILL_DATE_LABEL}”请填写本表填好的日期；不填时以收到文件的日期为报送日期。",
        "可以用 Excel、WPS 或 LibreOffice 填写，保存为 .xlsx 格式（.xls 也可以）。请不要修改工作表名称、"
        "表头和列的顺序，不要删除隐藏的工作表，也不要把内容复制到新建的工作簿中——新建的工作簿无法识别报送单位。",
        ("请在" + deadline + "前" if deadline else "请按时")
        + (f"将本文件作为电子邮件附件发送至 {spec.email}" if spec.email else "将本文件报送承办部门")
        + "，邮件主题注明单位名称。需要修改时，修改后重新发送整个文件即可，以最后收到的一份为准。",
        f"本表为“{marker('unit_name')}”专用，已与贵单位绑定，请勿转给其他单位使用；其他单位请向联系人索取本单位的报送表。",
    ]
    if contact_bits:
        steps.append(f"如有疑问，请与{spec.department or '承办部门'}联系（{contact_bits}）。")
    return steps


def _numbered(ws, r: int, texts: Sequence[str], always_fit: bool) -> int:
    """Write ``texts`` as a numbered list from row ``r`` (number in A, text in B); a row is made
    tall enough for its text (``always_fit``: every row, else only those over one line).
    Returns the row after the list."""
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, text in enumerate(texts, start=1):
        _set(ws, f"A{r}", f"{i}.", TEXT_FONT, align=Alignment(horizontal="right", vertical="top"))
        _set(ws, f"B{r}", text, TEXT_FONT, align=wrap)
        if always_fit or len(text) > 46:
            ws.row_dimensions[r].height = 15 * max(1, -(-len(text) // 46))
        r += 1
    return r


def _form_sheet(ws, spec: FormSpec) -> None:
    cols: list[Column] = list(FORM.columns)
    last = get_column_letter(len(cols))
    # The topic drop-down comes from the form's own hidden list, not the master's sheet: strip the
    # vocabulary here and add the validation below.
    plain = [replace(c, vocab=None) for c in cols]
    layout_table(ws, FORM, (), header_row=HEADER_ROW, columns=plain, name=FORM.excel_name,
                 validation_rows=INPUT_ROWS)
    xt = ws.tables[FORM.excel_name]
    xt.ref = f"A{HEADER_ROW}:{last}{LAST_INPUT_ROW}"
    if xt.autoFilter is not None:
        xt.autoFilter.ref = xt.ref
    ws.row_dimensions[HEADER_ROW].height = 24
    _form_heading(ws, spec, len(cols))
    _input_rows(ws, cols)
    _input_rules(ws, spec, [c.key for c in cols])
    ws.freeze_panes = f"A{FIRST_INPUT_ROW}"
    apply_page_setup(ws, header_row=HEADER_ROW)
    _protect(ws, allow_format=True, allow_insert_rows=True)


def _form_heading(ws, spec: FormSpec, n: int) -> None:
    """Title, the unit's fixed identity (locked), 填表日期 and the one-line hint."""
    last = get_column_letter(n)
    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    _set(ws, f"A{TITLE_ROW}", form_title(spec.campaign_name), TITLE_FONT,
         align=Alignment(horizontal="center", vertical="center"))
    ws.row_dimensions[TITLE_ROW].height = 32
    label_align = Alignment(horizontal="right", vertical="center")
    value_align = Alignment(horizontal="left", vertical="center", wrap_text=True)
    name_to = get_column_letter(min(5, n))
    _set(ws, f"A{UNIT_ROW}", UNIT_NAME_LABEL, LABEL_FONT, LOCKED_FILL, label_align, BOX)
    ws.merge_cells(f"B{UNIT_ROW}:{name_to}{UNIT_ROW}")
    _set(ws, f"B{UNIT_ROW}", marker("unit_name"), LABEL_FONT, LOCKED_FILL, value_align, BOX)
    code_label = get_column_letter(min(6, n))
    code_value = get_column_letter(min(7, n))
    _set(ws, f"{code_label}{UNIT_ROW}", UNIT_CODE_LABEL, LABEL_FONT, LOCKED_FILL, label_align, BOX)
    _set(ws, f"{code_value}{UNIT_ROW}", marker("unit_code"), LABEL_FONT, LOCKED_FILL, value_align, BOX)
    if n >= 8:
        due = _cn_date(spec.deadline)
        note = f"应报：{marker('quota_text')}" + (f"；截止日期：{due}" if due else "")
        ws.merge_cells(f"H{UNIT_ROW}:{last}{UNIT_ROW}")
        _set(ws, f"H{UNIT_ROW}", note, TEXT_FONT, LOCKED_FILL, value_align, BOX)
    ws.row_dimensions[UNIT_ROW].height = 22

    _set(ws, f"A{DATE_ROW}", FILL_DATE_LABEL, LABEL_FONT, LOCKED_FILL, label_align, BOX)
    date_cell = _set(ws, f"B{DATE_ROW}", None, TEXT_FONT, INPUT_FILL, value_align, BOX)
    date_cell.number_format = "yyyy-mm-dd"
    date_cell.protection = UNLOCKED
    hint = (f"请从第 {FIRST_INPUT_ROW} 行起逐行填写，每行一条；白色单元格可填写，主题领域从下拉列表选择，"
            "字数自动计算" + (f"，正文不超过 {spec.word_limit} 字" if spec.word_limit else "") + "。详见“填报说明”。")
    ws.merge_cells(f"C{DATE_ROW}:{last}{DATE_ROW}")
    _set(ws, f"C{DATE_ROW}", hint, HINT_FONT, align=Alignment(vertical="center", wrap_text=True))
    ws.row_dimensions[DATE_ROW].height = 22


def _input_rows(ws, cols: Sequence[Column]) -> None:
    """Input rows: unlocked, bordered, text columns formatted as text; 字数 a locked formula."""
    keys = [c.key for c in cols]
    wc_idx = keys.index("word_count") if "word_count" in keys else None
    body_letter = get_column_letter(keys.index("body") + 1) if "body" in keys else None
    top_wrap = Alignment(wrap_text=True, vertical="top")
    for r in range(FIRST_INPUT_ROW, LAST_INPUT_ROW + 1):
        for j, col in enumerate(cols):
            cell = ws.cell(row=r, column=j + 1)
            cell.border = BOX
            cell.font = TEXT_FONT
            if j == wc_idx:
                if body_letter:
                    cell.value = word_count_formula(f"{body_letter}{r}")
                cell.fill = COMPUTED_FILL
                cell.number_format = "0"
                cell.alignment = Alignment(horizontal="center", vertical="top")
                continue
            cell.protection = UNLOCKED
            cell.alignment = top_wrap
            if col.type in ("phone", "email", "text", "longtext"):
                cell.number_format = "@"  # 0415…, 139… stay text as typed


def _input_rules(ws, spec: FormSpec, keys: Sequence[str]) -> None:
    """字数 over the limit shaded; 主题领域 a drop-down of the form's own topic list."""
    if "word_count" in keys and spec.word_limit:
        wl = get_column_letter(keys.index("word_count") + 1)
        ws.conditional_formatting.add(
            f"{wl}{FIRST_INPUT_ROW}:{wl}{LAST_INPUT_ROW}",
            CellIsRule(operator="greaterThan", formula=[str(int(spec.word_limit))], fill=OVER_LIMIT_FILL),
        )
    if "topic" in keys and spec.topics:
        tl = get_column_letter(keys.index("topic") + 1)
        dv = DataValidation(type="list", formula1=TOPICS_NAME, allow_blank=True, showDropDown=False)
        dv.error = "请从下拉列表中选择“主题领域”"
        dv.errorTitle = "输入值无效"
        dv.promptTitle = "主题领域"
        dv.prompt = "请从下拉列表中选择"
        dv.showErrorMessage = True
        dv.showInputMessage = True
        dv.add(f"{tl}{FIRST_INPUT_ROW}:{tl}{LAST_INPUT_ROW}")
        ws.add_data_validation(dv)


def _topics_sheet(wb, ws, topics: Sequence[str]) -> None:
    for i, topic in enumerate(topics, start=1):
        c = ws.cell(row=i, column=1, value=cell_text(topic))
        c.data_type = "s"
    ws.column_dimensions["A"].width = 80
    ws.sheet_state = "hidden"
    _protect(ws)
    if topics:
        ref = f"{quote_sheetname(TOPICS_SHEET)}!$A$1:$A${len(topics)}"
        wb.defined_names[TOPICS_NAME] = DefinedName(TOPICS_NAME, attr_text=ref)


def _meta_sheet(ws, spec: FormSpec) -> None:
    values = {
        "campaign_id": spec.campaign_id,
        "unit_code": marker("unit_code"),
        "unit_name": marker("unit_name"),
        "form_version": int(spec.form_version),
        "token": marker("token"),
        "issued_at": spec.issued_at.isoformat(timespec="seconds"),
        "data_sheet": FORM_SHEET,  # the only sheet consolidation reads
        "nonce": marker("nonce"),  # random per issued copy: tells two copies of one unit's form apart
    }
    write_meta_sheet(ws, [(key, values[key]) for key in META_KEYS])


def write_meta_sheet(ws, items: Sequence[tuple[str, Any]]) -> None:
    """The very hidden, protected ``_kexie`` sheet of every kind of form: a key/value table
    (text kept as text, never a formula) that the consolidation's readers identify forms by."""
    for j, h in enumerate(META_HEADERS, start=1):
        ws.cell(row=1, column=j, value=h)
    for i, (key, value) in enumerate(items, start=2):
        ws.cell(row=i, column=1, value=key).data_type = "s"
        c = ws.cell(row=i, column=2, value=value)
        if isinstance(value, str):
            c.data_type = "s"
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 40
    ws.sheet_state = "veryHidden"
    _protect(ws)


def build_template_workbook(spec: FormSpec) -> Workbook:
    wb = Workbook()
    info = wb.active
    info.title = FORM_INFO_SHEET
    form = wb.create_sheet(FORM_SHEET)
    topics = wb.create_sheet(TOPICS_SHEET)
    meta = wb.create_sheet(FORM_META_SHEET)
    _info_sheet(info, spec)
    _form_sheet(form, spec)
    _topics_sheet(wb, topics, list(spec.topics))
    _meta_sheet(meta, spec)
    wb.active = 0
    props = wb.properties
    props.title = f"{form_title(spec.campaign_name)}（{marker('unit_name')}）"
    props.subject = spec.campaign_name
    props.creator = spec.organizer or "kexie"
    props.lastModifiedBy = spec.organizer or "kexie"
    props.created = spec.issued_at.replace(tzinfo=None, microsecond=0)
    props.modified = props.created
    props.keywords = "kexie 报送表"
    return wb


# --- per-unit rendering ------------------------------------------------------------------------

_MARKER_RE = re.compile(rb"\{\{kexie\.([a-z_]+)\}\}")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str) -> bytes:
    """XML text for any part: escaped, non-ASCII as character references (valid in every encoding)."""
    return xml_escape(cell_text(_XML_ILLEGAL.sub("", value))).encode("ascii", "xmlcharrefreplace")


@dataclass
class FormTemplate:
    """A built form with per-unit markers; ``render`` stamps one unit's values into it."""

    entries: list[tuple[zipfile.ZipInfo, bytes]]
    stamped: set[str]  # entry names that hold markers
    date_time: tuple[int, int, int, int, int, int]

    @classmethod
    def from_workbook(cls, wb: Workbook, stamp_time: datetime) -> "FormTemplate":
        buf = io.BytesIO()
        wb.save(buf)
        markers = [marker(k).encode("utf-8") for k in MARKERS]
        entries, stamped = [], set()
        dt = (max(1980, stamp_time.year), stamp_time.month, stamp_time.day, stamp_time.hour,
              stamp_time.minute, stamp_time.second)
        with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
            for info in zf.infolist():
                data = zf.read(info)
                entries.append((info, data))
                if any(m in data for m in markers):
                    stamped.add(info.filename)
        return cls(entries, stamped, dt)

    def render(self, values: Mapping[str, str]) -> bytes:
        subs = {k.encode("ascii"): _xml_text(str(values.get(k, ""))) for k in MARKERS}

        def stamp(m: re.Match) -> bytes:
            return subs.get(m.group(1), m.group(0))

        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for info, data in self.entries:
                if info.filename in self.stamped:
                    data = _MARKER_RE.sub(stamp, data)  # one pass: values are never re-scanned
                zi = zipfile.ZipInfo(info.filename, date_time=self.date_time)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.external_attr = 0o644 << 16
                zf.writestr(zi, data)
        return out.getvalue()


def build_form_template(spec: FormSpec) -> FormTemplate:
    return FormTemplate.from_workbook(build_template_workbook(spec), spec.issued_at)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and os.replace."""
    replace_atomically(path, lambda tmp: tmp.write_bytes(data))