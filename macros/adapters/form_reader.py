"""Read a returned form (报送表) safely and fast: bytes checked first, values read by calamine.

``read_form(path, expect)`` returns a ``FormRead``: the file's fingerprint and times, the
metadata of its ``_kexie`` sheet, the raw 报送 table (``TableData``) and the file-level problems.
A file with an error-level problem is rejected as a whole; the caller validates the rows.

Before any spreadsheet library touches a file (the contract is docs/forms.md):

* size: at most ``Limits.file_bytes`` on disk;
* kind, by magic bytes: a ZIP package (.xlsx/.xlsm) or an OLE compound file (.xls); an OLE file
  holding an ``EncryptedPackage`` stream is a password-protected .xlsx, and a .xls with a FILEPASS
  record is a password-protected .xls (msoffcrypto-tool tells) — both rejected as encrypted;
* ZIP bombs: the number of members, the total declared size and every member's actual inflated
  size (streamed with a cap, so lying headers do not help) and compression ratio are bounded;
* XML bombs: no part may declare a DOCTYPE or ENTITY (Excel, WPS and LibreOffice never write
  one; calamine's parser does not expand entities either, this is defence in depth);
* rows: at most ``Limits.sheet_rows`` rows in the data sheet and ``Limits.form_rows`` data rows.

Then calamine reads values only — the cached result of a formula, never the formula, and no
macro ever runs. Identity: the ``_kexie`` sheet's campaign_id, unit_code, form_version and token
(HMAC under the campaign secret) must match the master; the unit must be in 单位名册.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from macros.adapters.form_book import FormBook, check_identity, meta_text, open_book, read_limited, too_big
from macros.adapters.form_guard import Limits, _Reject  # noqa: F401 - Limits is part of this API
from macros.adapters.xlsx_form import UNIT_CODE_LABEL, UNIT_NAME_LABEL
from macros.core.grid import TableData, header_key, is_blank, locate_table
from macros.core.normalize import name_key, parse_date, parse_int
from macros.core.safe_names import shown_name
from macros.problems import Problem, problem
from macros.schema import FORM, FORM_SHEET

FORM_DATE_LABEL = "填表日期"


@dataclass(frozen=True)
class Expect:
    """What a form must match: the master's campaign, secret and roster."""

    campaign_id: str | None
    secret: bytes | None
    units: dict[str, tuple[str, str]]  # name_key(code) -> (code, name) from 单位名册
    year: int | None = None  # the campaign's year, for 填表日期 written without one
    key_file: str = ""  # name of the key file, for the message when the secret is missing


@dataclass
class FormRead:
    path: Path
    sha256: str
    size: int
    mtime_ns: int
    meta: dict[str, Any] = field(default_factory=dict)
    unit_code: str | None = None  # the roster's spelling of the form's unit
    unit_name: str | None = None  # the roster's name of the unit
    data: TableData | None = None  # the 报送 table as read (raw values)
    form_date: date | None = None  # 填表日期, when typed and readable
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The file name as printed (control and format characters escaped)."""
        return shown_name(self.path.name)

    @property
    def rejected(self) -> bool:
        return any(p.level == "error" for p in self.problems)

    @property
    def modified(self) -> datetime:
        return datetime.fromtimestamp(self.mtime_ns / 1e9)

    def submitted_on(self) -> tuple[date, list[Problem]]:
        """The 报送日期: the 填表日期 when given, readable and not after the file's date; else the
        file's modification date (docs/forms.md). Returns the date and any warning."""
        received = self.modified.date()
        raw = self.meta.get("_form_date_raw")
        if raw is None or is_blank(raw):
            return received, []
        if self.form_date is None:
            return received, [problem("W203", file=self.name, text=_shown(raw), received=received.isoformat())]
        if self.form_date > received:
            return received, [problem("W202", file=self.name, text=_shown(raw), received=received.isoformat())]
        return self.form_date, []


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()[:40]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the spreadsheet ---------------------------------------------------------------------------

def _form_date(grid: list[list[Any]], header_row: int, year: int | None) -> Any:
    """The value typed right of the label 填表日期 in the rows above the header, or None.

    The first cell to the right that reads as a date; else the cell next to the label when it
    holds something (unreadable: the caller warns); the hint text further right is ignored."""
    label = header_key(FORM_DATE_LABEL)
    for row in grid[: max(header_row - 1, 0)]:
        for j, v in enumerate(row):
            if header_key(v) == label:
                right = row[j + 1:]
                for w in right:
                    if not is_blank(w) and parse_date(w, default_year=year) is not None:
                        return w
                return right[0] if right and not is_blank(right[0]) else None
    return None


def read_form(path: str | Path, expect: Expect, limits: Limits = Limits(),
              data: bytes | None = None) -> FormRead:
    """Read and check one returned file; never raises for a bad file (see ``FormRead.problems``)."""
    path = Path(path)
    st, data = read_limited(path, limits, data)
    if data is None:
        return FormRead(path, "", st.st_size, st.st_mtime_ns, problems=[too_big(shown_name(path.name), st.st_size)])
    result = FormRead(path, digest(data), len(data), st.st_mtime_ns)
    try:
        _read(result, data, expect, limits)
    except _Reject as rej:
        result.problems.append(rej.problem)
    return result


def _read(result: FormRead, data: bytes, expect: Expect, limits: Limits) -> None:
    with open_book(data, result.name, limits) as form:
        _identify(result, form, expect)
        _read_data(result, form, expect)


def _identify(result: FormRead, form: FormBook, expect: Expect) -> None:
    """The ``_kexie`` metadata: campaign, unit and token must match the master and roster."""
    name = result.name
    meta = result.meta = form.meta()
    token, campaign, unit = (meta_text(meta.get(k)) for k in ("token", "campaign_id", "unit_code"))
    if not token or not campaign or not unit:
        raise _Reject(problem("E203", file=name, detail="_kexie 信息表缺少活动编号、单位编号或校验码"))
    check_identity(meta, name=name, campaign_id=expect.campaign_id, secret=expect.secret,
                   key_file=expect.key_file, subject=unit, bad_token=problem("E205", file=name, unit=unit))
    known = expect.units.get(name_key(unit))
    if known is None:
        raise _Reject(problem("E206", file=name, unit=unit))
    result.unit_code, result.unit_name = known


def _read_data(result: FormRead, form: FormBook, expect: Expect) -> None:
    name, limits = result.name, form.limits
    sheet = form.data_sheet(meta_text(result.meta.get("data_sheet")) or FORM_SHEET)
    grid = form.grid(sheet)
    # Rows blank but for 字数 are not data: its formula leaves "" or 0.0 in empty rows.
    table = locate_table(grid, FORM, blank_ignoring=("word_count",))
    if not table.found or len(table.missing) >= len(FORM.columns) // 2:
        raise _Reject(problem("E203", file=name, detail=f"找不到“{sheet}”工作表的表头"))
    missing = [FORM.column(k).header for k in table.missing if FORM.column(k).required]
    if missing:
        raise _Reject(problem("E210", file=name, columns="、".join(missing)))
    if table.n_rows > limits.form_rows:
        raise _Reject(problem("E209", file=name, count=table.n_rows, limit=limits.form_rows))
    if not table.n_rows:
        raise _Reject(problem("E211", file=name))
    result.problems += visible_unit_problems(grid, table.header_row, result)
    typed_counts, table = typed_word_counts(table, name)
    result.problems += typed_counts
    result.data = table
    raw_date = _form_date(grid, table.header_row, expect.year)
    result.meta["_form_date_raw"] = raw_date
    if raw_date is not None:
        result.form_date = parse_date(raw_date, default_year=expect.year)


def visible_unit_problems(grid: list[list[Any]], header_row: int, result: FormRead) -> list[Problem]:
    """W204 when the unit shown above the table is not the unit the metadata proves: the token
    proves the unit code, not the file (another unit's hidden values may have been pasted in)."""
    shown: dict[str, Any] = {}
    for row in grid[: max(header_row - 1, 0)]:
        for j, v in enumerate(row):
            key = header_key(v)
            for label in (UNIT_CODE_LABEL, UNIT_NAME_LABEL):
                if key == header_key(label) and label not in shown:
                    shown[label] = next((w for w in row[j + 1:] if not is_blank(w)), None)
    code, unit_name = meta_text(shown.get(UNIT_CODE_LABEL)), meta_text(shown.get(UNIT_NAME_LABEL))
    differs = (code is not None and name_key(code) != name_key(result.unit_code or "")) or \
        (unit_name is not None and name_key(unit_name) != name_key(result.unit_name or ""))
    if not differs:
        return []
    return [problem("W204", file=result.name, shown=f"{unit_name or ''} {code or ''}".strip(),
                    unit=f"{result.unit_name or ''} {result.unit_code or ''}".strip())]


def typed_word_counts(table: TableData, name: str) -> tuple[list[Problem], TableData]:
    """Text typed over the 字数 formula: recomputed from 正文 anyway, so a warning (W207) and the
    cell cleared for validation — never a rejected row. Returns the warnings and the table with
    those cells cleared (``table`` itself is not changed)."""
    col = "word_count"
    if not table.has(col):
        return [], table
    out = []
    cleared = {}
    for row, v in zip(table.index, table.column(col)):
        if isinstance(v, str) and v.strip() and parse_int(v) is None:
            out.append(problem("W207", file=name, cell=table.cell(col, int(row)), row=int(row), text=v.strip()[:40]))
            cleared[(row, col)] = None
    return out, (table.with_cells(cleared) if cleared else table)


def file_mtime_ns(path: Path) -> int:
    return os.stat(path).st_mtime_ns
