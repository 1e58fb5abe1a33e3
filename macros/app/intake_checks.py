"""Checks of a consolidation run against a bad day, kept out of the pipeline itself.

* ``unit_ceilings``: 每单位报送上限 per unit code, from 设置, 单位名册 and 配额规则;
* ``flag_replacement``: W205/W206 on a file about to replace its unit's current file of its group;
* ``warn_returning``: W208 when the rebuild puts back a row staff deleted from 征集明细 (on the
  unit's file in the inbox, else on an entry named 征集明细);
* ``backup_ledger``: a copy of the ledger in 备份/ after a run that added to it.

The decisions are pure (``macros.core.intake_guard``); this module only gathers their inputs.
"""

from __future__ import annotations

import logging
from typing import Any

from macros.adapters.ledger import Ledger
from macros.adapters.ledger_errors import ledger_backups
from macros.core.form_plan import category_quotas, effective_quota
from macros.core.intake import problem_json
from macros.core.intake_guard import replacement_problems, returning_rows, unit_ceiling
from macros.core.safe_names import shown_name
from macros.problems import problem
from macros.schema import TABLES


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def unit_ceilings(engine, settings: dict, units: list[dict]) -> dict[str, int]:
    """每单位报送上限 per unit code (see macros.core.intake_guard.unit_ceiling)."""
    try:
        rules = engine.read_table(TABLES["quota_rules"]).records()
    except Exception:  # noqa: BLE001 - no 配额规则 sheet: units' own quotas only
        rules = []
    by_category = category_quotas(rules)
    out = {}
    for rec in units:
        code = _str(rec.get("code"))
        if code:
            limit = unit_ceiling(settings.get("unit_row_limit"),
                                 effective_quota(rec.get("quota"), _str(rec.get("category")), by_category))
            if limit is not None:
                out[code] = limit
    return out


def flag_replacement(ledger: Ledger, rec: dict[str, Any], hint: dict[str, Any] | None = None) -> None:
    """W205/W206 on a file about to replace the unit's current file of its group — a form its
    form, a Word document the document of the same 题目, never one the other
    (macros.core.intake_guard); ``hint``: what the caller knows of the file — ``unit_code`` of
    its sender (mail)."""
    prev = ledger.current_of(rec.get("unit_code"), rec.get("group_key") or "")
    if prev is None or rec["mtime_ns"] < prev.mtime_ns:
        return  # the unit's first form, or an older one that will not become current
    sender = _str((hint or {}).get("unit_code"))
    found = replacement_problems(shown_name(rec["name"]), rec.get("unit_name") or rec.get("unit_code") or "",
                                 rec["row_count"], rec.get("nonce"), shown_name(prev.name), prev.row_count,
                                 prev.nonce, sender=sender, unit_code=rec.get("unit_code"))
    rec["problems"] = list(rec["problems"]) + [problem_json(p) for p in found]


def warn_returning(files: list, ledger: Ledger, rows: list[dict], old_rows: list[dict],
                   unit_names: dict[str, str]) -> None:
    """W208 on the unit's file when the rebuild puts back a row staff deleted from 征集明细."""
    news = {f.unit_code for f in files if f.status == "ingested"}
    back = returning_rows(rows, (r.get("item_id") for r in old_rows), ledger.written_item_ids(), news)
    for r in back:
        target = next((f for f in files if f.unit_code == r.get("unit_code") and f.status != "rejected"), None)
        p = problem("W208", title=_str(r.get("title")) or "", item_id=r.get("item_id"),
                    unit=unit_names.get(r.get("unit_code") or "", r.get("unit_code") or ""))
        if target is None:
            from macros.app.intake.result import FileResult

            target = FileResult("征集明细", r.get("unit_code"), "unchanged", 0)
            files.append(target)
        target.problems.append(problem_json(p))


def backup_ledger(ledger: Ledger, changed: bool, logger: logging.Logger) -> None:
    """A copy of the ledger in 备份/ after a run that added to it (or when none exists yet)."""
    if not changed and ledger_backups(ledger.path):
        return
    try:
        dest = ledger.backup()
    except Exception as exc:  # noqa: BLE001 - a backup failure never fails the run
        logger.warning("汇总台账备份失败：%s", exc)
        return
    logger.info("已备份汇总台账：%s", shown_name(dest.name))
