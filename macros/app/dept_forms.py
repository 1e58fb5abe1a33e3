"""Use case: department forms (部门报送表) of a task or indicator campaign (kexie forms).

On a campaign whose 活动类型 is 实施方案 (tasks) or 工作要点 (indicators) — or that has tasks or
indicators and no unit with a quota — ``kexie forms`` gives each 牵头/责任 department one form
(macros.adapters.dept_form) for the period of 设置 报送期次, prefilled with its tasks (状态,
进展说明, 完成日期, 材料 as the master has them) or its indicators (with the latest cumulative
value as 上期累计). Who gets a form: macros.core.dept_returns.department_forms.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from macros.adapters.dept_form import DeptFormSpec, dept_token, form_rows, write_dept_form
from macros.adapters.safe_write import owner_files
from macros.adapters.secret import load_or_create_secret
from macros.core.dept_returns import department_forms, latest_actuals
from macros.core.kind_settings import campaign_kind
from macros.core.normalize import display_text, name_key
from macros.core.safe_names import safe_filename
from macros.errors import ConfigError

KIND_OF_CAMPAIGN = {"实施方案": "tasks", "工作要点": "indicators"}


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
    period = display_text(s.get("report_period")) or ""
    if not period:
        run.notes.append("“设置”中没有填写“报送期次”（如 2019年第3季度），报送表上的期次为空。")
    items = _records(campaign, "tasks" if kind == "tasks" else "targets")
    items = [r for r in items if display_text(r.get("task" if kind == "tasks" else "name"))]
    forms, problems = department_forms(kind, items, _records(campaign, "units"),
                                       "lead" if kind == "tasks" else "department")
    run.notes += [f"[{p.code}] {p.message}" for p in problems]
    latest = latest_actuals(_records(campaign, "target_progress")) if kind == "indicators" else {}
    secret = load_or_create_secret(Path(master))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    issued = datetime.now().replace(microsecond=0)
    for f in forms:
        path = out / safe_filename(f"{f.code}_{f.name}_{'任务进展' if kind == 'tasks' else '指标进度'}报送表.xlsx")
        if owner_files(path):
            run.refused.append(f"报送表“{path.name}”正在被打开，没有覆盖。")
            continue
        rows = form_rows(kind, f.rows, lambda t: latest.get(name_key(display_text(t.get("name")) or ""),
                                                            t.get("actual")))
        spec = DeptFormSpec(campaign_id, display_text(s.get("campaign_name")) or "活动", kind, f.code, f.name,
                            period, rows, dept_token(secret, campaign_id, f.code, kind, period), issued,
                            department=display_text(s.get("department")), deadline=s.get("deadline"))
        write_dept_form(path, spec)
        run.paths.append(path)
        run.departments.append({"unit_code": f.code, "unit": f.name, "kind": kind, "period": period,
                                "rows": len(rows), "file": str(path)})
    run.seconds += time.perf_counter() - started
