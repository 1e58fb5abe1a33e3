"""Consolidation logic over plain data: rows of returned forms → rows of 征集明细.

Pure functions, no I/O (the adapters read forms and keep the ledger; macros/app/consolidate.py
wires them). What is decided here:

* ``clean_records`` — invisible control characters (bidi controls, zero-width characters,
  line separators; ``normalize.clean_text``) taken out of every text cell, one W248 per cell;
* ``normalise_row`` — the product values of one accepted form row (topic as in the master's
  list, phone and e-mail in canonical form, 字数 recomputed; free text kept as typed);
* ``row_problems`` — validation problems of a form (from ``macros.core.validate``) grouped by
  row, with the row number in the message and whether the row is taken in;
* ``plan_items`` — the new 征集明细: one row per accepted row of each unit's current form, with
  a stable 编号 per (unit, 题目, occurrence) and the staff columns carried over from the old
  征集明细 for rows whose unit and 题目 are unchanged; rows staff typed themselves are kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime, time
from typing import Any, Iterable, Mapping, Sequence

from macros.core.normalize import (
    TopicIndex, clean_text, count_chars, display_text, invisible_chars, name_key, normalize_email,
    normalize_phone,
)
from macros.problems import Problem, problem
from macros.schema import FORM, FORM_SHEET, ITEMS

#: columns of 征集明细 carried over from the old master (staff work) — the staff columns of the
#: schema plus 状态, which staff set to 重复/作废/无效 (validation tells them to).
CARRIED = tuple(c.key for c in ITEMS.columns if c.owner == "staff") + ("status",)
PRODUCT = tuple(c.key for c in ITEMS.columns if c.owner == "product" and c.key != "status")


def json_value(value: Any) -> Any:
    """A cell value as it can go into JSON (dates as ISO text, NaN as None)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Topics:
    """The master's topic list: canonical text by name_key, and by number; a value written as a
    topic's head, a unique prefix or its number (``normalize.TopicIndex``) reads as that topic."""

    by_key: dict[str, str]
    by_code: dict[int, str]

    @cached_property
    def index(self) -> TopicIndex:
        codes = {t: n for n, t in self.by_code.items()}
        return TopicIndex([(codes.get(t), t) for t in dict.fromkeys(self.by_key.values())]
                          + [(n, t) for n, t in self.by_code.items()])

    def canonical(self, value: Any) -> str | None:
        text = display_text(value)
        if text is None:
            return None
        found = self.by_key.get(name_key(text))
        if found is None:
            found = self.index.match(value).topic
        return found or text


def clean_records(records: Sequence[Mapping[str, Any]], rows: Sequence[int], data: Any = None,
                  sheet: str = FORM_SHEET) -> tuple[list[Mapping[str, Any]], Any, list[Problem]]:
    """``records`` (and ``data``, their ``TableData`` when the reader has one) with invisible
    characters taken out of every text value, and one W248 warning per cleaned cell.

    Records and frame are new objects only where something changed (the input is not altered)."""
    headers = {c.key: c.header for c in FORM.columns}
    out: list[Mapping[str, Any]] = list(records)
    problems: list[Problem] = []
    changed: list[tuple[int, str, str]] = []
    for i, (row, rec) in enumerate(zip(rows, records)):
        new = None
        for key, value in rec.items():
            if value.__class__ is not str:
                continue
            text, dirty = clean_text(value)
            if not dirty:
                continue
            if new is None:
                new = out[i] = dict(rec)
            new[key] = text
            changed.append((row, key, text))
            cell = data.cell(key, row) if data is not None else None
            problems.append(problem("W248", sheet=sheet, cell=cell, row=row, column=headers.get(key, key),
                                    value=value, chars="、".join(invisible_chars(value))))
    if data is not None and changed:
        data = data.with_cells({(row, key): text for row, key, text in changed})
    return out, data, problems


def normalise_row(raw: Mapping[str, Any], topics: Topics) -> dict[str, Any]:
    """Product values of one accepted form row, keyed by the schema keys of 征集明细."""
    out: dict[str, Any] = {}
    for col in FORM.columns:
        value = raw.get(col.key)
        if col.key == "word_count":
            continue
        if col.key == "topic":
            out["topic"] = topics.canonical(value)
        elif col.type == "phone":
            out[col.key] = normalize_phone(value) or display_text(value)
        elif col.type == "email":
            out[col.key] = normalize_email(value) or display_text(value)
        elif col.type == "longtext":
            text = value if isinstance(value, str) else display_text(value)
            out[col.key] = text.strip() if text and text.strip() else None
        else:
            out[col.key] = display_text(value)
    out["word_count"] = count_chars(out.get("body") or "")
    return out


def title_key(title: Any) -> str:
    return name_key(title) if title is not None else ""


# --- problems ------------------------------------------------------------------------------

@dataclass
class RowVerdict:
    row: int
    accepted: bool
    problems: list[dict[str, Any]] = field(default_factory=list)


def problem_json(p: Problem, row: int | None = None, rejected_row: bool = False) -> dict[str, Any]:
    """A problem as the --json output and the ledger carry it; row problems say which row and whether it was taken in."""
    message = p.message
    if row is not None:
        message = f"第 {row} 行：{message}"
        if rejected_row and p.level == "error":
            message += "（本行未汇总）"
    return {"code": p.code, "level": p.level, "message": message, "cell": p.cell}


def row_problems(problems: Iterable[Problem], rows: Sequence[int]) -> tuple[list[dict], dict[int, RowVerdict]]:
    """Split validation problems into file-level ones and a verdict per data row.

    A row with an error-level problem is rejected; warnings leave it accepted."""
    verdicts = {r: RowVerdict(r, True) for r in rows}
    by_row: dict[int, list[Problem]] = {}
    file_level: list[dict] = []
    for p in problems:
        if p.row in verdicts:
            by_row.setdefault(p.row, []).append(p)
        else:
            file_level.append(problem_json(p))
    for r, ps in by_row.items():
        rejected = any(p.level == "error" for p in ps)
        verdicts[r].accepted = not rejected
        verdicts[r].problems = [problem_json(p, r, rejected) for p in ps]
    return file_level, verdicts


# --- the new 征集明细 ------------------------------------------------------------------------

@dataclass
class CurrentRow:
    """An accepted row of a unit's current form, from the ledger."""

    unit_code: str
    title_key: str
    values: dict[str, Any]  # normalise_row output (plan_items completes it into the sheet row)
    submitted_on: date | None
    source_file: str
    fill: tuple[str, ...] = ()  # product fields the source left blank or doubtful: staff's value kept


@dataclass
class ItemsPlan:
    rows: list[dict[str, Any]]  # the new 征集明细, schema keys and staff column headers
    new_ids: list[tuple[str, str, str, int, int]]  # (item_id, unit, title_key, occurrence, seq)
    dropped: list[dict[str, Any]]  # rows that left 征集明细 with staff values: item_id, unit_code, title, staff
    kept_manual: int = 0  # rows staff typed themselves, kept as they are


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def occurrence_keys(rows: Iterable[tuple[str, str]]) -> list[tuple[str, str, int]]:
    """(unit, title_key) → (unit, title_key, n) numbering repeats 1, 2, … in order."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for unit, tk in rows:
        n = seen.get((unit, tk), 0) + 1
        seen[(unit, tk)] = n
        out.append((unit, tk, n))
    return out


def plan_items(current: Sequence[CurrentRow], old: Sequence[Mapping[str, Any]], extra: Sequence[str],
               ids: Mapping[tuple[str, str, int], str], max_seq: Mapping[str, int],
               unit_names: Mapping[str, str], unit_order: Sequence[str]) -> ItemsPlan:
    """The new 征集明细 from the current rows of the ledger and the old sheet.

    ``old``: the old 征集明细 rows (schema keys + ``extra`` staff column headers), in sheet order.
    ``ids``: 编号 already handed out per (unit, title_key, occurrence); ``max_seq`` the highest
    sequence number per unit. New 编号 are ``<unit>-<nnn>``, avoiding any 编号 in the old sheet.
    Staff values (``CARRIED`` and ``extra``) follow a row whose 编号 is unchanged, else whose
    unit and 题目 (name_key) and occurrence are unchanged. Old rows whose 编号 kexie never handed
    out and that match no current row were typed by staff: kept at the end, unchanged.
    """
    staff_keys = list(CARRIED) + [h for h in extra if h not in CARRIED]
    old_rows = _OldRows(old, set(ids.values()))
    numbering = _Numbering(dict(max_seq), old_rows.known_ids | old_rows.used_ids)
    order = {name_key(u): i for i, u in enumerate(unit_order)}
    indexed = sorted(range(len(current)), key=lambda i: (order.get(name_key(current[i].unit_code), len(order)),
                                                           current[i].unit_code, i))
    keys = occurrence_keys((current[i].unit_code, current[i].title_key) for i in indexed)
    rows: list[dict[str, Any]] = []
    for i, key in zip(indexed, keys):
        cur = current[i]
        unit = key[0]
        item_id = ids.get(key)
        old_i = old_rows.match(item_id, key)
        if item_id is None:
            old_id = display_text(old[old_i].get("item_id")) if old_i is not None else None
            item_id = numbering.assign(key, old_id if old_id not in old_rows.known_ids else None)
        row = cur.values  # reused, not copied: 40,000 rows stay light
        for k in ITEMS.keys:
            row.setdefault(k, None)
        row["item_id"] = item_id
        row["unit_code"] = unit
        row["unit_name"] = unit_names.get(unit) or unit
        row["submitted_on"] = cur.submitted_on
        row["source_file"] = cur.source_file
        for h in extra:
            row[h] = None
        if old_i is not None:
            for k in staff_keys:
                row[k] = old[old_i].get(k)
            _fill_from_staff(row, old[old_i], cur.fill)
        rows.append(row)
    dropped, manual = old_rows.leftovers(staff_keys, extra)
    return ItemsPlan(rows + manual, numbering.new_ids, dropped, kept_manual=len(manual))


class _OldRows:
    """The old 征集明细 rows, looked up by 编号 and by (unit, 题目, occurrence); each old row
    gives its staff values to one current row at most."""

    def __init__(self, old: Sequence[Mapping[str, Any]], known_ids: set[str]):
        self.old = old
        self.known_ids = known_ids  # 编号 kexie handed out (the ledger's)
        self.used_ids: set[str] = set()  # 编号 in the old sheet, whoever typed them
        self.by_id: dict[str, int] = {}
        self.by_key: dict[tuple[str, str, int], int] = {}
        self.matched: set[int] = set()
        keys = occurrence_keys((name_key(r.get("unit_code")) if r.get("unit_code") is not None else "",
                                title_key(display_text(r.get("title")))) for r in old)
        for i, r in enumerate(old):
            item_id = display_text(r.get("item_id"))
            if item_id:
                self.used_ids.add(item_id)
                self.by_id.setdefault(item_id, i)
            self.by_key.setdefault(keys[i], i)

    def match(self, item_id: str | None, key: tuple[str, str, int]) -> int | None:
        """The old row to carry staff values from: the one with this row's 编号, else one with
        the same unit, 题目 and occurrence that kexie did not number (typed by staff, or
        numbered under a ledger that is gone). Marks it matched."""
        unit, tk, occ = key
        old_i = self.by_id.get(item_id) if item_id else None
        if old_i is None:
            cand = self.by_key.get((name_key(unit), tk, occ))
            if cand is not None and cand not in self.matched \
                    and display_text(self.old[cand].get("item_id")) not in self.known_ids:
                old_i = cand
        if old_i is None or old_i in self.matched:
            return None
        self.matched.add(old_i)
        return old_i

    def leftovers(self, staff_keys: Sequence[str], extra: Sequence[str]
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Old rows no current row took: (dropped rows kexie numbered that held staff values,
        rows staff typed themselves, kept as they are)."""
        dropped: list[dict[str, Any]] = []
        manual: list[dict[str, Any]] = []
        for i, r in enumerate(self.old):
            if i in self.matched:
                continue
            item_id = display_text(r.get("item_id"))
            if item_id and item_id in self.known_ids:
                staff = {k: r.get(k) for k in staff_keys if not _blank(r.get(k))}
                if staff:
                    dropped.append({"item_id": item_id, "unit_code": display_text(r.get("unit_code")),
                                    "title": display_text(r.get("title")), "staff": staff})
                continue
            if all(_blank(v) for v in r.values()):
                continue
            manual.append({k: r.get(k) for k in list(ITEMS.keys) + list(extra)})
        return dropped, manual


@dataclass
class _Numbering:
    """New 编号 ``<unit>-<nnn>``: after the unit's highest number, never one already taken."""

    seq: dict[str, int]  # highest number per unit
    taken: set[str]
    assigned: set[str] = field(default_factory=set)
    new_ids: list[tuple[str, str, str, int, int]] = field(default_factory=list)

    def assign(self, key: tuple[str, str, int], old_id: str | None) -> str:
        """The 编号 for a row the ledger has none for: ``old_id`` (a 编号 in the old sheet that
        kexie did not hand out) when not given to another row yet, else the unit's next."""
        unit, tk, occ = key
        if old_id and old_id not in self.assigned:
            item_id, number = old_id, _seq_of(old_id, unit)
        else:
            number = self.seq.get(unit, 0) + 1
            item_id = f"{unit}-{number:03d}"
            while item_id in self.taken:
                number += 1
                item_id = f"{unit}-{number:03d}"
            self.seq[unit] = number
        self.taken.add(item_id)
        self.assigned.add(item_id)
        self.new_ids.append((item_id, unit, tk, occ, number))
        return item_id


def _fill_from_staff(row: dict[str, Any], old: Mapping[str, Any], keys: Sequence[str]) -> None:
    """A field flagged for review (待核) keeps what staff typed into it in 征集明细."""
    for k in keys:
        typed = old.get(k)
        if _blank(typed) or typed == row.get(k):
            continue
        if _blank(row.get(k)) or k != "body":
            row[k] = typed
            if k == "body":
                row["word_count"] = count_chars(typed)


def _seq_of(item_id: str, unit: str) -> int:
    """The number in a 编号 of the form <unit>-<n>, else 0."""
    prefix = f"{unit}-"
    tail = item_id[len(prefix):] if item_id.startswith(prefix) else ""
    return int(tail) if tail.isdigit() else 0


# --- comparing a sheet's content --------------------------------------------------------------

def canonical(value: Any) -> Any:
    """A value as it reads back from a workbook, for "has anything changed?" comparisons."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        f = float(value)
        return round(f, 9)
    if isinstance(value, datetime):
        if value.time() == time():
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    return str(value)


def same_rows(a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        for k in keys:
            if canonical(x.get(k)) != canonical(y.get(k)):
                return False
    return True
