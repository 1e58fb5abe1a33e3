"""Reviewers' score forms (评分表), written by ``kexie forms`` when 评审分配 has rows.

One form per reviewer with the entries assigned to them in 评审分配 (in 征集明细 order), the
criteria of 评审标准 and a token bound to the reviewer (macros/adapters/review_form.py). Files
are named ``评分表_<专家编号>_<姓名>.xlsx`` and written atomically beside the units' forms; a form
open in a spreadsheet program is not replaced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from macros.adapters.review_form import ReviewEntry, ReviewFormSpec, build_review_form, excerpt, review_subject
from macros.adapters.safe_write import owner_files
from macros.adapters.secret import load_or_create_secret
from macros.adapters.xlsx_form import write_atomic
from macros.app.campaign import Campaign, load_campaign
from macros.core.normalize import display_text
from macros.core.review_round import criteria, entry_rows, reviewer_rows
from macros.core.safe_names import safe_filename
from macros.core.tokens import form_token
from macros.errors import ConfigError

REVIEW_FORM_VERSION = 1
PREFIX = "评分表"


@dataclass
class ReviewFormsRun:
    paths: list[Path] = field(default_factory=list)
    reviewers: list[dict[str, Any]] = field(default_factory=list)  # {code, name, entries, file}
    refused: list[str] = field(default_factory=list)


def review_filename(code: str, name: str | None) -> str:
    return safe_filename(f"{PREFIX}_{code}_{name or ''}.xlsx".replace("_.xlsx", ".xlsx"))


def _records(campaign: Campaign, key: str) -> list[dict[str, Any]]:
    return campaign.frame(key).to_dict("records")


def plan_review_forms(campaign: Campaign) -> list[tuple[dict[str, Any], list[ReviewEntry]]]:
    """(reviewer row, their entries) for every reviewer with at least one assignment."""
    items = {r["item_id"]: r for r in entry_rows(_records(campaign, "items"))}
    order = {item_id: i for i, item_id in enumerate(items)}
    assigned: dict[str, list[str]] = {}
    for row in _records(campaign, "assignments"):
        e, r = display_text(row.get("item_id")), display_text(row.get("reviewer_code"))
        if e in items and r and e not in assigned.setdefault(r, []):
            assigned[r].append(e)
    out = []
    for rev in reviewer_rows(_records(campaign, "reviewers")):
        ids = sorted(assigned.get(rev["code"], []), key=order.__getitem__)
        if ids:
            out.append((rev, [ReviewEntry(i, display_text(items[i].get("title")), display_text(items[i].get("topic")),
                                          excerpt(display_text(items[i].get("body")))) for i in ids]))
    return out


def _base(campaign: Campaign) -> SimpleNamespace:
    """What every score form shows from 设置 (the same values as the units' forms)."""
    s, raw = campaign.settings, campaign.raw_settings
    campaign_id = display_text(s.get("campaign_id"))
    if not campaign_id:
        raise ConfigError("“设置”工作表中没有“活动编号”，无法生成评分表。请填写活动编号（kexie new 会自动生成）后重试。")
    return SimpleNamespace(
        campaign_id=campaign_id, campaign_name=display_text(s.get("campaign_name")) or "征集活动",
        organizer=display_text(s.get("organizer")), department=display_text(s.get("department")),
        contact=display_text(s.get("contact")), phone=display_text(raw.get("phone")) or display_text(s.get("phone")),
        email=display_text(raw.get("email")) or display_text(s.get("email")))


def write_review_forms(engine, master: Path, out_dir: Path, issued_at: datetime, secret: bytes | None = None
                       ) -> ReviewFormsRun:
    """Write every reviewer's score form into ``out_dir`` (nothing when 评审分配 is empty)."""
    run = ReviewFormsRun()
    if not len(load_campaign(engine, tables=["assignments"]).frame("assignments")):
        return run  # no review round: the units' forms alone, at their usual speed
    campaign = load_campaign(engine, tables=["items", "topics", "reviewers", "criteria", "assignments"])
    plan = plan_review_forms(campaign)
    if not plan:
        return run

    secret = secret or load_or_create_secret(master)
    base = _base(campaign)
    crit = [(c.name, c.max_points, c.note) for c in criteria(_records(campaign, "criteria"))]
    out_dir.mkdir(parents=True, exist_ok=True)
    for rev, entries in plan:
        code, name = rev["code"], display_text(rev.get("name")) or rev["code"]
        spec = ReviewFormSpec(
            campaign_id=base.campaign_id, campaign_name=base.campaign_name, reviewer_code=code, reviewer_name=name,
            token=form_token(secret, base.campaign_id, review_subject(code), REVIEW_FORM_VERSION),
            form_version=REVIEW_FORM_VERSION, issued_at=issued_at, criteria=crit, entries=entries,
            organizer=base.organizer, department=base.department, contact=base.contact, phone=base.phone,
            email=base.email)
        path = out_dir / review_filename(code, name)
        if owner_files(path):
            run.refused.append(f"评分表“{path.name}”正在被 Excel、WPS 或 LibreOffice 打开，没有覆盖。")
            continue
        try:
            write_atomic(path, build_review_form(spec))
        except OSError as exc:
            run.refused.append(f"无法写入评分表“{path.name}”：{exc}")
            continue
        run.paths.append(path)
        run.reviewers.append({"code": code, "name": name, "entries": len(entries), "file": str(path)})
    return run
