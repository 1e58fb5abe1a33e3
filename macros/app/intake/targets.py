"""The validate stage: a reader's raw records → ledger rows, per target table.

A target names where a kind of return's rows go and how they are judged. ``items`` (征集明细)
is the only target today: rows are judged by ``core.validate.validate_items`` (a row with an
error is left out, warnings keep it), normalised by ``core.intake.normalise_row`` and keyed by
their 题目. A reader for another table registers its own ``Target`` with ``register_target``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable


from macros.adapters.readers import Read
from macros.core.intake import clean_records, json_value, normalise_row, problem_json, row_problems, title_key
from macros.schema import FORM, FORM_SHEET


@dataclass
class Validated:
    rows: list[dict[str, Any]]  # ledger rows: sheet_row, accepted, original, problems, normalised, title_key
    problems: list[dict[str, Any]] = field(default_factory=list)  # every problem of the file, in order
    accepted: int = 0


@dataclass(frozen=True)
class Target:
    name: str
    validate: Callable[[Read, Any], Validated]  # (read, setup) -> Validated; pure apart from the setup
    # A target with ledger tables and sheets of its own (reviewers' score forms) takes its files
    # itself: ``stage(run, entries) -> (FileResults, changed)`` runs under the run's lock, after the
    # items are recorded and before the master is rebuilt; its sheets are saved with the rebuild.
    stage: Callable[[Any, list], tuple[list, bool]] | None = None


_TARGETS: dict[str, Target] = {}
# Modules registering further targets (imported on first use; a missing one is skipped).
BUILTIN_TARGETS = ("macros.app.review_collect",)


def register_target(target: Target) -> Target:
    _TARGETS[target.name] = target
    return target


def target(name: str) -> Target:
    load_targets()
    return _TARGETS[name]


def load_targets() -> None:
    """Import the modules registering further targets (once; the run calls it before its reader
    processes start, so they inherit them instead of each importing them on its first file)."""
    import importlib

    for module in BUILTIN_TARGETS:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def has_stage(name: str | None) -> bool:
    """The target ``name`` reads its files in a stage of its own (not in the reader processes)."""
    load_targets()
    t = _TARGETS.get(name) if name else None
    return t is not None and t.stage is not None


def staged_entries(entries: list, kind_target: Callable[[str], str]) -> dict[str, list]:
    """Entries whose reader's target has its own stage, by target name."""
    out: dict[str, list] = {}
    for e in entries:
        name = kind_target(e.kind) if e.kind else None
        if has_stage(name):
            out.setdefault(name, []).append(e)
    return out


def _frame(read: Read):
    """The records as the validator reads them: the reader's table, else one by FORM keys (its
    columns taken to sit in FORM order from column A)."""
    if read.frame is not None:
        return read.frame
    from openpyxl.utils import get_column_letter

    from macros.core.grid import TableData

    keys = list(FORM.keys)
    letters = {k: get_column_letter(i + 1) for i, k in enumerate(keys)}
    return TableData(FORM, None, letters, 1, index=read.rows, columns=keys,
                     values=[[r.get(k) for k in keys] for r in read.records])


def validate_item_rows(read: Read, setup) -> Validated:
    from macros.core.validate import validate_items

    records, frame, invisible = clean_records(read.records, read.rows, read.frame)  # W248 per cleaned cell
    read = dataclasses.replace(read, records=records, frame=frame)
    found = invisible + validate_items(_frame(read), setup.vctx, sheet=FORM_SHEET, unit_code=read.unit_code)
    general, verdicts = row_problems(found, read.rows)
    problems = [problem_json(p) for p in read.problems] + general
    header = {c.key: c.header for c in FORM.columns}
    rows: list[dict[str, Any]] = []
    accepted = 0
    for sheet_row, raw in zip(read.rows, read.records):
        verdict = verdicts[sheet_row]
        original = {header.get(k, k): json_value(v) for k, v in raw.items()}
        row: dict[str, Any] = {"sheet_row": sheet_row, "accepted": verdict.accepted, "original": original,
                               "problems": verdict.problems, "normalised": None, "title_key": None}
        if verdict.accepted:
            values = normalise_row(raw, setup.topics)
            row["normalised"] = values
            row["title_key"] = title_key(values.get("title"))
            accepted += 1
        rows.append(row)
        problems += verdict.problems
    return Validated(rows, problems, accepted)


register_target(Target("items", validate_item_rows))


# --- documents: every proposal taken in, flagged 待核 where something is missing -----------------

REVIEW_MARK = "待核"
FIELD_ZH = {c.key: c.header for c in FORM.columns}


def _review_note(missing: list[str], doubtful: list[str]) -> str:
    parts = []
    if missing:
        parts.append("缺少" + "、".join(FIELD_ZH.get(k, k) for k in missing))
    if doubtful:
        parts.append("需核对" + "、".join(FIELD_ZH.get(k, k) for k in doubtful))
    return f"{REVIEW_MARK}：" + "；".join(parts)


def validate_document_rows(read: Read, setup) -> Validated:
    """Proposals of a document (Word, a PDF with text): judged like form rows, but never left out
    for a missing or unreadable field — the row is taken in, its 备注 says 待核 and what to check,
    and the fields staff complete in 征集明细 are kept on later runs (``_fill``)."""
    from macros.core.validate import validate_items
    from macros.problems import problem

    name = read.path.name
    found = validate_items(_frame(read), setup.vctx, sheet=FORM_SHEET, unit_code=read.unit_code)
    by_row: dict[int, list] = {}
    problems = [problem_json(p) for p in read.problems]
    for p in found:
        if p.row in read.rows:
            by_row.setdefault(p.row, []).append(p)
        elif p.code not in ("W101",):  # columns a document cannot have are not its fault
            problems.append(problem_json(p))
    key_of = {c.header: c.key for c in FORM.columns}
    rows: list[dict[str, Any]] = []
    for n, raw in zip(read.rows, read.records):
        missing = [k for k in ("title", "topic", "author", "author_org", "phone", "body")
                   if raw.get(k) is None or not str(raw.get(k)).strip()]
        doubtful: list[str] = []
        row_probs: list[dict] = []
        if missing:
            fields = "、".join(FIELD_ZH[k] for k in missing)
            row_probs.append(problem_json(problem("W220", file=name, n=n, fields=fields)))
        for p in by_row.get(n, []):
            key = key_of.get(p.column or "", "")
            if p.code == "E101" and key in missing:
                continue
            if p.level == "error":
                if key and key not in doubtful:
                    doubtful.append(key)
                row_probs.append(problem_json(problem("W222", file=name, n=n, detail=p.message.rstrip("。"))))
            else:
                row_probs.append({**problem_json(p), "message": f"第 {n} 条建议：{p.message}", "cell": None})
        values = normalise_row(raw, setup.topics)
        if missing or doubtful:
            values["remark"] = _review_note(missing, doubtful)
            values["_fill"] = missing + doubtful
        original = {FIELD_ZH.get(k, k): json_value(v) for k, v in raw.items()}
        rows.append({"sheet_row": n, "accepted": True, "original": original, "problems": row_probs,
                     "normalised": values, "title_key": title_key(values.get("title"))})
        problems += row_probs
    return Validated(rows, problems, len(rows))


register_target(Target("items.document", validate_document_rows))
