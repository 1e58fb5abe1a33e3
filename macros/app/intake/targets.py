"""The validate stage: a reader's raw records → ledger rows, per target table.

A target names where a kind of return's rows go and how they are judged. ``items`` (征集明细)
is the only target today: rows are judged by ``core.validate.validate_items`` (a row with an
error is left out, warnings keep it), normalised by ``core.intake.normalise_row`` and keyed by
their 题目. A reader for another table registers its own ``Target`` with ``register_target``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from macros.adapters.readers import Read
from macros.core.intake import json_value, normalise_row, problem_json, row_problems, title_key
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


_TARGETS: dict[str, Target] = {}


def register_target(target: Target) -> Target:
    _TARGETS[target.name] = target
    return target


def target(name: str) -> Target:
    return _TARGETS[name]


def _frame(read: Read):
    """The records as the validator reads them: the reader's table, else a frame by FORM keys."""
    if read.frame is not None:
        return read.frame
    keys = [c.key for c in FORM.columns]
    return pd.DataFrame([{k: r.get(k) for k in keys} for r in read.records], index=read.rows, columns=keys,
                        dtype=object)


def validate_item_rows(read: Read, setup) -> Validated:
    from macros.core.validate import validate_items

    found = validate_items(_frame(read), setup.vctx, sheet=FORM_SHEET, unit_code=read.unit_code)
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
