"""Use case: department forms (部门报送表) of a task or indicator campaign (kexie forms).

On a campaign whose 活动类型 is 实施方案 (tasks) or 工作要点 (indicators) — or that has tasks or
indicators and no unit with a quota — ``kexie forms`` gives each 牵头/责任 department one form
(macros.adapters.dept_form) for the period of 设置 报送期次, prefilled with its tasks (状态,
进展说明, 完成日期, 材料 as the master has them) or its indicators (with the latest cumulative
value as 上期累计). Who gets a form: macros.core.dept_returns.department_forms. On a 活动方案
campaign (三比一争当) every 部室 gets a 承诺报送表 instead (macros.app.dept_forms_pledges).
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from macros.adapters.dept_form import DeptFormSpec, dept_token, form_rows, write_dept_form
from macros.adapters.safe_write import owner_files
from macros.adapters.secret import load_or_create_secret
from macros.app.dept_forms_pledges import pledge_forms
from macros.core.dept_returns import department_forms, latest_actuals
from macros.core.kind_settings import campaign_kind
from macros.core.normalize import display_text, name_key
from macros.core.safe_names import safe_filename
from macros.errors import ConfigError

KIND_OF_CAMPAIGN = {"实施方案": "tasks", "工作要点": "indicators", "活动方案": "commitments"}
FILE_LABEL = {"tasks": "任务进展", "indicators": "指标进度", "commitments": "承诺"}


def _records(campaign, key: str) -> list[dict[str, Any]]:
    frame = campaign.frame(key)
    out = []
    for row, rec in zip(frame.index.tolist(), frame.to_dict("records")):
        rec = {k: (None if isinstance(v, float) and v != v else v) for k, v in rec.items()}
        rec["_row"] = row
        out.append(rec)
    return out


def department_kind(campaign) -> str | None:
    """``tasks`` / ``indicators`` when this campaign's forms go to departments, else None."""
    kind = KIND_OF_CAMPAIGN.get(campaign_kind(campaign.settings))
    if kind:
        return kind
    quotas = [r for r in _records(campaign, "units") if isinstance(r.get("quota"), (int, float)) and r["quota"] > 0]
    rules = [r for r in _records(campaign, "quota_rules")
             if isinstance(r.get("min_items"), (int, float)) and r["min_items"] > 0]
    if quotas or rules:
        return None
    if any(display_text(r.get("task")) for r in _records(campaign, "tasks")):
        return "tasks"
    if any(display_text(r.get("name")) for r in _records(campaign, "targets")):
        return "indicators"
    return None


def run_department_forms(engine, campaign, kind: str, out_dir: str | Path, run) -> None:
    """Write the department forms into ``out_dir``; fills ``run`` (a macros.app.forms.FormsRun)."""
    started = time.perf_counter()
    master = getattr(engine, "path", None)
    s = campaign.settings
    campaign_id = display_text(s.get("campaign_id"))
    if not campaign_id or master is None:
        raise ConfigError("请先保存活动工作簿并填写“活动编号”，再生成部门报送表。")
    if kind == "commitments":
        period, planned = "", pledge_forms(engine, _records(campaign, "units"), run)
    else:
        period, planned = _planned(campaign, kind, run)
    _write_forms(Path(master), campaign, kind, period, planned, Path(out_dir), run)
    run.seconds += time.perf_counter() - started


def _planned(campaign, kind: str, run) -> tuple[str, list[tuple[str, str, list[dict[str, Any]]]]]:
    """(period, [(code, name, prefilled rows)]) of a task or indicator campaign."""
    period = display_text(campaign.settings.get("report_period")) or ""
    if not period:
        run.notes.append("“设置”中没有填写“报送期次”（如 2019年第3季度），报送表上的期次为空。")
    items = _records(campaign, "tasks" if kind == "tasks" else "targets")
    items = [r for r in items if display_text(r.get("task" if kind == "tasks" else "name"))]
    forms, problems = department_forms(kind, items, _records(campaign, "units"),
                                       "lead" if kind == "tasks" else "department")
    run.notes += [f"[{p.code}] {p.message}" for p in problems]
    latest = latest_actuals(_records(campaign, "target_progress")) if kind == "indicators" else {}
    return period, [(f.code, f.name, form_rows(kind, f.rows, lambda t: latest.get(
        name_key(display_text(t.get("name")) or ""), t.get("actual")))) for f in forms]


def _write_forms(master: Path, campaign, kind: str, period: str, planned, out: Path, run) -> None:
    s = campaign.settings
    campaign_id = display_text(s.get("campaign_id"))
    secret = load_or_create_secret(master)
    out.mkdir(parents=True, exist_ok=True)
    issued = datetime.now().replace(microsecond=0)
    for code, name, rows in planned:
        path = out / safe_filename(f"{code}_{name}_{FILE_LABEL[kind]}报送表.xlsx")
        if owner_files(path):
            run.refused.append(f"报送表“{path.name}”正在被打开，没有覆盖。")
            continue
        spec = DeptFormSpec(campaign_id, display_text(s.get("campaign_name")) or "活动", kind, code, name,
                            period, rows, dept_token(secret, campaign_id, code, kind, period), issued,
                            department=display_text(s.get("department")), deadline=s.get("deadline"))
        write_dept_form(path, spec)
        run.paths.append(path)
        run.departments.append({"unit_code": code, "unit": name, "kind": kind, "period": period,
                                "rows": len(rows), "file": str(path)})
