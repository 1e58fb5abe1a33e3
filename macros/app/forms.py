"""Use case: one pre-filled form (报送表) per unit that has to report (kexie forms).

``make_forms(master_or_engine, out_dir)`` reads the master once (never writes it), builds the
form once as a template and stamps each unit's code, name, quota and token into it — the layout
and the hidden metadata are the form contract of docs/forms.md. Each form is written atomically
(temporary file + replace). The token is an HMAC under the campaign's secret, which stays in a
key file beside the master (macros/adapters/secret.py) and never goes into a form.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from macros.adapters.engine import WorkbookEngine
from macros.adapters.file_engine import FileEngine
from macros.adapters.safe_write import owner_files
from macros.adapters.secret import load_or_create_secret
from macros.adapters.xlsx_form import (
    FormSpec,
    FormTemplate,
    build_form_template,
    write_atomic,
)
from macros.app.campaign import Campaign, load_campaign
from macros.app.dept_forms import department_kind, run_department_forms
from macros.app.result import CommandResult
from macros.app.review_forms import write_review_forms
from macros.core.form_plan import FormUnit, plan_form_units, quota_text
from macros.core.grid import row_records
from macros.core.normalize import display_text
from macros.core.tokens import form_token
from macros.errors import ConfigError, Exit
from macros.schema import FORM, TOPICS

FORM_VERSION = 1  # version of the form layout contract (docs/forms.md); part of the token


@dataclass
class FormsRun:
    """What one run produced: the files written and Chinese notes (skipped units, open files)."""

    paths: list[Path] = field(default_factory=list)
    units: list[FormUnit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # forms not replaced because they are open
    seconds: float = 0.0
    review: Any = None  # the reviewers' score forms (macros.app.review_forms), when 评审分配 has rows
    departments: list[dict[str, Any]] = field(default_factory=list)  # department forms (macros.app.dept_forms)


def _engine(master_or_engine: Any) -> WorkbookEngine:
    if isinstance(master_or_engine, (str, Path)):
        return FileEngine(master_or_engine)
    return master_or_engine


def form_spec(campaign: Campaign, issued_at: datetime) -> FormSpec:
    s = campaign.settings
    campaign_id = display_text(s.get("campaign_id"))
    if not campaign_id:
        raise ConfigError("“设置”工作表中没有“活动编号”，无法生成报送表。请填写活动编号（kexie new 会自动生成）后重试。")
    name = display_text(s.get("campaign_name")) or "征集活动"
    topics_frame = campaign.frame("topics")
    topics = [t for t in (display_text(v) for v in topics_frame["topic"].tolist()) if t] \
        if "topic" in topics_frame else []
    seen: set[str] = set()
    topics = [t for t in topics if not (t in seen or seen.add(t))]
    word_limit = s.get("word_limit")
    return FormSpec(
        campaign_id=campaign_id,
        campaign_name=name,
        topics=topics,
        form_version=FORM_VERSION,
        issued_at=issued_at,
        organizer=display_text(s.get("organizer")),
        department=display_text(s.get("department")),
        deadline=s.get("deadline"),
        word_limit=word_limit if isinstance(word_limit, int) and word_limit > 0 else None,
        contact=display_text(s.get("contact")),
        phone=display_text(campaign.raw_settings.get("phone")) or display_text(s.get("phone")),
        email=display_text(campaign.raw_settings.get("email")) or display_text(s.get("email")),
        required_headers=[c.header for c in FORM.columns if c.required],
        optional_headers=[c.header for c in FORM.columns if not c.required and c.key != "word_count"],
    )


def _records(campaign: Campaign, key: str) -> list[dict[str, Any]]:
    frame = campaign.frame(key)
    out = []
    for row, rec in row_records(frame):
        rec["_row"] = row
        out.append(rec)
    return out


def run_forms(master_or_engine: Any, out_dir: str | Path, all_units: bool = False,
              issued_at: datetime | None = None) -> FormsRun:
    started = time.perf_counter()
    engine = _engine(master_or_engine)
    master = getattr(engine, "path", None)
    if master is None:
        raise ConfigError("请先保存活动工作簿，再生成报送表（报送表的密钥保存在工作簿所在的文件夹中）。")
    campaign = load_campaign(engine, tables=["quota_rules", "units", TOPICS.key, "tasks", "targets",
                                             "target_progress"])

    dept_kind = department_kind(campaign)
    if dept_kind is not None:  # a task or indicator campaign: one form per 牵头/责任 department
        run = FormsRun()
        run_department_forms(engine, campaign, dept_kind, out_dir, run)
        return run
    issued_at = (issued_at or datetime.now()).replace(microsecond=0)
    spec = form_spec(campaign, issued_at)
    units, notes = plan_form_units(_records(campaign, "units"), _records(campaign, "quota_rules"), all_units)
    run = FormsRun(units=units, notes=notes)

    run.review = write_review_forms(engine, Path(master), Path(out_dir), issued_at)
    run.refused += run.review.refused
    if not units:
        run.seconds = time.perf_counter() - started
        return run
    secret = load_or_create_secret(Path(master))
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"无法创建报送表文件夹“{out}”：{exc}") from exc
    template: FormTemplate = build_form_template(spec)
    for unit in units:
        path = out / unit.filename
        if owner_files(path):
            run.refused.append(f"报送表“{path.name}”正在被 Excel、WPS 或 LibreOffice 打开，没有覆盖。")
            continue
        data = template.render({
            "unit_code": unit.code,
            "unit_name": unit.name,
            "token": form_token(secret, spec.campaign_id, unit.code, spec.form_version),
            "quota_text": quota_text(unit.quota),
            "nonce": secrets.token_hex(8),
        })
        try:
            write_atomic(path, data)
        except OSError as exc:
            run.refused.append(f"无法写入报送表“{path.name}”：{exc}")
            continue
        run.paths.append(path)
    run.seconds = time.perf_counter() - started
    return run


def make_forms(engine_or_master_path: Any, out_dir: str | Path, all_units: bool = False,
               issued_at: datetime | None = None) -> list[Path]:
    """Write the forms; return their paths (roster order)."""
    return run_forms(engine_or_master_path, out_dir, all_units, issued_at).paths


def forms_command(engine: WorkbookEngine, out: Path, all_units: bool = False) -> CommandResult:
    """``kexie forms`` and the button 生成报送表, on the engine its shell opened."""
    run = run_forms(engine, out, all_units=all_units)
    lines: list[str] = []
    if run.departments:
        what = "承诺" if run.departments[0]["kind"] == "commitments" else run.departments[0]["period"] or "未设期次"
        lines.append(f"已为 {len(run.departments)} 个部门生成部门报送表（{what}），"
                     f"保存在：{Path(out)}（用时 {run.seconds:.1f} 秒）")
    elif run.paths:
        lines.append(f"已生成 {len(run.paths)} 份报送表，保存在：{Path(out)}（用时 {run.seconds:.1f} 秒）")
    elif not run.units:
        lines.append("没有需要报送的单位：单位名册为空，或各单位的配额都是 0。"
                     "如要为名册中的每个单位生成报送表，请加 --all。")
    if run.review is not None and run.review.paths:
        lines.append(f"已生成 {len(run.review.paths)} 份评审专家评分表（文件名以“评分表”开头），请分别发给各位专家。")
    lines += run.notes + run.refused
    if run.paths:
        lines.append("请把各单位的报送表分别发给对应单位；工作簿旁的密钥文件（.*.kexie-key）用于核验交回的报送表，"
                     "请与工作簿一起保存，不要外发。")
    exit_code = Exit.OK
    if run.notes:
        exit_code = Exit.DATA_PROBLEMS
    if run.refused:
        exit_code = Exit.REFUSED
    written = {p.name for p in run.paths}
    data = {
        "out": str(Path(out)),
        "forms": [{"unit_code": u.code, "unit": u.name, "quota": u.quota, "file": str(Path(out) / u.filename)}
                  for u in run.units if u.filename in written],
        "count": len(run.paths),
        "notes": run.notes + run.refused,
        "review_forms": run.review.reviewers if run.review is not None else [],
    }
    if run.departments:
        data["forms"] = run.departments
    return CommandResult(data=data, exit_code=exit_code, lines=lines)
