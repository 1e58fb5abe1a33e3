"""Reviewers' score forms back in: ledger, 评审结果, 征集明细 评分.

``ingest_review_forms(ledger, paths, ctx)`` reads each score form (adapters.review_form_reader),
checks its rows (core.review_intake) and records the verdict in the review tables of the ledger
(adapters.review_ledger): an accepted file once, a rejected one again only when its verdict
changes. ``rebuild_review_results(engine, ledger)`` then scores the current forms
(core.review_scores), rewrites 评审结果 and writes each entry's score, on a 100-point scale,
into 征集明细 评分 — only where 评分 is blank or still holds the value kexie wrote last time;
a 评分 typed by staff is never replaced (W604, and 评审结果 评分来源 says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from macros.adapters.form_reader import Limits
from macros.adapters.review_form_reader import ReviewExpect, read_review_form
from macros.adapters.review_ledger import ReviewLedger
from macros.app.campaign import Campaign
from macros.core.intake import problem_json
from macros.core.normalize import display_text, name_key
from macros.core.review_intake import check_rows
from macros.core.review_round import Criterion, criteria, entry_rows, reviewer_rows
from macros.problems import Problem, problem

REVIEW_TABLES = ["items", "reviewers", "criteria", "assignments", "topics"]
SOURCE_KEXIE, SOURCE_STAFF = "评审得分（kexie 写入）", "工作人员填写，未覆盖"


@dataclass
class ReviewContext:
    """What checking a score form needs from the master."""

    expect: ReviewExpect
    criteria: list[Criterion]
    assigned: dict[str, set[str]]  # reviewer code -> item ids
    active: set[str]  # item ids of the entries taking part
    names: dict[str, str]  # reviewer code -> name
    limits: Limits = field(default_factory=Limits)


def review_context(campaign: Campaign, secret: bytes | None, key_file: str = "") -> ReviewContext:
    experts = reviewer_rows(campaign.frame("reviewers").to_dict("records"))
    crit = criteria(campaign.frame("criteria").to_dict("records"))
    assigned: dict[str, set[str]] = {}
    for row in campaign.frame("assignments").to_dict("records"):
        e, r = display_text(row.get("item_id")), display_text(row.get("reviewer_code"))
        if e and r:
            assigned.setdefault(r, set()).add(e)
    active = {r["item_id"] for r in entry_rows(campaign.frame("items").to_dict("records"))}
    expect = ReviewExpect(display_text(campaign.settings.get("campaign_id")), secret,
                          {name_key(r["code"]): r["code"] for r in experts}, [c.name for c in crit], key_file)
    return ReviewContext(expect, crit, assigned, active, {r["code"]: display_text(r.get("name")) or r["code"]
                                                          for r in experts})


@dataclass
class ReviewFileResult:
    file: str
    reviewer: str | None
    status: str  # ingested | unchanged | rejected (superseded is set after the run)
    rows: int
    problems: list[dict[str, Any]]
    kind: str = "review_form"
    new: bool = False
    file_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "unit_code": None, "reviewer_code": self.reviewer, "kind": self.kind,
                "status": self.status, "rows": self.rows, "problems": self.problems}


def _same_verdict(a: list[dict], b: list[dict]) -> bool:
    return [(p.get("code"), p.get("cell")) for p in a] == [(p.get("code"), p.get("cell")) for p in b]


def examine_review_form(path: Path, ctx: ReviewContext) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(file record, score rows) for the ledger; never raises for a bad file."""
    fr = read_review_form(path, ctx.expect, ctx.limits)
    rec = {"sha256": fr.sha256, "name": path.name, "path": str(path), "size": fr.size, "mtime_ns": fr.mtime_ns,
           "reviewer_code": fr.reviewer_code, "status": "rejected", "row_count": 0, "rows_rejected": 0,
           "problems": [problem_json(p) for p in fr.problems]}
    if fr.rejected:
        return rec, []
    crit = [(c.name, c.max_points) for c in ctx.criteria]
    intake = check_rows(fr.reviewer_code, fr.rows, ctx.assigned.get(fr.reviewer_code, set()), ctx.active, crit)
    rows = [{"sheet_row": s.sheet_row, "item_id": s.item_id, "accepted": True, "points": s.points,
             "total": s.total, "comment": s.comment, "problems": []} for s in intake.accepted]
    rows += [{"sheet_row": r["sheet_row"], "item_id": r["item_id"], "accepted": False,
              "points": {k: str(v) if v is not None else None for k, v in r["points"].items()},
              "total": None, "comment": r.get("comment"), "problems": [problem_json(p) for p in ps]}
             for r, ps in intake.rejected]
    rec["problems"] += [problem_json(p) for p in intake.problems]
    rec["row_count"], rec["rows_rejected"] = len(intake.accepted), len(intake.rejected)
    if intake.accepted:
        rec["status"] = "accepted"
    else:
        rec["problems"].append(problem_json(problem("E610", file=path.name)))
    return rec, rows


def ingest_review_forms(rl: ReviewLedger, paths: list[Path], ctx: ReviewContext,
                        sha_of: dict[Path, str] | None = None) -> list[ReviewFileResult]:
    accepted = rl.accepted_hashes()
    known = {f.id: f for f in rl.files()}
    out = []
    for path in paths:
        sha = (sha_of or {}).get(path)
        if sha and sha in accepted:
            f = known[accepted[sha]]
            out.append(ReviewFileResult(path.name, f.reviewer_code, "unchanged", f.row_count, [], file_id=f.id))
            continue
        rec, rows = examine_review_form(path, ctx)
        if rec["sha256"] in accepted:
            f = known[accepted[rec["sha256"]]]
            out.append(ReviewFileResult(path.name, f.reviewer_code, "unchanged", f.row_count, [], file_id=f.id))
            continue
        prev = rl.latest_by_hash(rec["sha256"]) if rec["sha256"] else None
        if rec["status"] == "rejected" and prev is not None and prev.status == "rejected" \
                and _same_verdict(prev.problems, rec["problems"]):
            out.append(ReviewFileResult(path.name, prev.reviewer_code, "rejected", 0, prev.problems))
            continue
        rec["received_at"] = datetime.now().replace(microsecond=0).isoformat(timespec="seconds")
        fid = rl.record_file(rec, rows)
        if rec["status"] == "accepted":
            accepted[rec["sha256"]] = fid
        out.append(ReviewFileResult(path.name, rec["reviewer_code"],
                                    "ingested" if rec["status"] == "accepted" else "rejected",
                                    rec["row_count"], rec["problems"], new=True, file_id=fid))
    current = rl.current_ids()
    for r in out:
        if r.status in ("ingested", "unchanged") and r.file_id not in current:
            r.status = "superseded"
    return out


@dataclass
class ResultsRun:
    results: list[Any] = field(default_factory=list)  # core.review_scores.EntryScore, ranked
    rows: list[dict[str, Any]] = field(default_factory=list)  # 评审结果
    problems: list[Problem] = field(default_factory=list)
    written: int = 0  # 评分 values written into 征集明细
    changed: bool = False


def current_scores(campaign: Campaign, rl: ReviewLedger) -> list[tuple[str, str, float]]:
    """(entry, reviewer, total) of the current forms, for pairs still assigned and entries still valid."""
    ctx_assigned: set[tuple[str, str]] = set()
    for row in campaign.frame("assignments").to_dict("records"):
        e, r = display_text(row.get("item_id")), display_text(row.get("reviewer_code"))
        if e and r:
            ctx_assigned.add((e, r))
    active = {r["item_id"] for r in entry_rows(campaign.frame("items").to_dict("records"))}
    return [(s["item_id"], s["reviewer"], float(s["total"])) for s in rl.current_scores()
            if (s["item_id"], s["reviewer"]) in ctx_assigned and s["item_id"] in active and s["total"] is not None]
