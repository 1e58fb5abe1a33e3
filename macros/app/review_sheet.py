"""评审结果 and 征集明细 评分 from the review ledger (see macros.app.review_results)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from macros.adapters.review_ledger import ReviewLedger
from macros.app.campaign import Campaign
from macros.app.review_results import SOURCE_KEXIE, SOURCE_STAFF, ResultsRun, current_scores
from macros.core.assess import excel_round
from macros.core.grid import is_blank
from macros.core.normalize import display_text
from macros.core.review_round import criteria, entry_rows, max_total, review_config
from macros.core.review_scores import apply_awards, score_entries
from macros.problems import problem
from macros.schema import AWARD_LEVELS, ITEMS, REVIEW_RESULTS

SAME = 0.05  # a 评分 within this of kexie's last value is kexie's


def _fmt(v: float) -> str:
    return f"{v:g}"


def plan_results(campaign: Campaign, rl: ReviewLedger) -> ResultsRun:
    cfg = review_config(campaign.settings)
    run = ResultsRun(problems=list(cfg.problems))
    items = entry_rows(campaign.frame("items").to_dict("records"))
    order = [r["item_id"] for r in items]
    run.results = score_entries(current_scores(campaign, rl), method=cfg.method, normalize=cfg.normalize,
                                recheck_spread=cfg.recheck_spread, entry_order=order)
    apply_awards(run.results, cfg.award_counts, cfg.award_shares, AWARD_LEVELS)
    full = max_total(criteria(campaign.frame("criteria").to_dict("records")))
    by_id = {r["item_id"]: r for r in items}
    assigned = {display_text(r.get("item_id")) for r in campaign.frame("assignments").to_dict("records")}
    for es in run.results:
        item = by_id.get(es.entry, {})
        run.rows.append({
            "rank": es.rank, "item_id": es.entry, "title": item.get("title"), "unit_name": item.get("unit_name"),
            "topic": item.get("topic"), "count": es.count, "scores": "、".join(_fmt(s) for s in es.scores),
            "mean": es.mean, "trimmed": es.trimmed, "normalized": es.normalised, "final": es.final,
            "spread": es.spread, "recheck": "是" if es.recheck else None, "award": es.award,
            "score_written": excel_round(es.final / full * 100, 1) if full else None,
        })
        if es.recheck:
            run.problems.append(problem("W606", sheet=REVIEW_RESULTS.sheet, item_id=es.entry,
                                        title=item.get("title") or "", spread=_fmt(es.spread),
                                        limit=_fmt(cfg.recheck_spread)))
    scored = {es.entry for es in run.results}
    for item_id in order:  # assigned but not scored yet: listed without a rank
        if item_id in assigned and item_id not in scored:
            item = by_id[item_id]
            run.rows.append({"item_id": item_id, "title": item.get("title"), "unit_name": item.get("unit_name"),
                             "topic": item.get("topic"), "count": 0})
    return run


def _item_scores(campaign: Campaign, rl: ReviewLedger, run: ResultsRun) -> list[dict[str, Any]] | None:
    """征集明细 rows (raw) with the review scores written in, or None when nothing changes."""
    data = campaign.tables["items"]
    raw = data.records()
    typed = campaign.frame("items")["score"].tolist() if len(data.frame) else []
    ids = [display_text(r.get("item_id")) for r in raw]
    last = rl.written()
    new = {row["item_id"]: row for row in run.rows if row.get("score_written") is not None}
    changed, record = False, []
    score_letter = data.letters.get("score")
    for i, item_id in enumerate(ids):
        row = new.get(item_id)
        if row is None:
            continue
        now = typed[i] if i < len(typed) else None
        mine = item_id in last and isinstance(now, (int, float)) and last[item_id] is not None \
            and abs(now - last[item_id]) < SAME
        typed_raw = raw[i].get("score")
        blank = is_blank(typed_raw)
        if blank or mine:  # anything else in 评分 (a number or text) was typed by staff
            row["provenance"] = SOURCE_KEXIE
            if now is None or abs(now - row["score_written"]) >= 1e-9:
                raw[i]["score"] = row["score_written"]
                changed = True
            if last.get(item_id) != row["score_written"]:
                record.append((item_id, row["score_written"]))
        else:
            row["provenance"] = SOURCE_STAFF
            cell = f"{score_letter}{data.frame.index[i]}" if score_letter else None
            shown = _fmt(now) if isinstance(now, (int, float)) else str(typed_raw)
            run.problems.append(problem("W604", sheet=ITEMS.sheet, cell=cell, item_id=item_id, text=shown,
                                        score=_fmt(row["score_written"]), column="评分", value=typed_raw))
    run.written = len(record)
    if record:
        rl.record_written(record, datetime.now())
    return raw if changed else None


def rebuild_review_results(engine, campaign: Campaign, rl: ReviewLedger) -> ResultsRun:
    """Write 评审结果 and 征集明细 评分 (the caller saves); nothing when there is no review round."""
    run = plan_results(campaign, rl)
    if not run.rows and not len(campaign.frame("review_results") if "review_results" in campaign.frames else []):
        return run
    items = _item_scores(campaign, rl, run)
    old = campaign.tables["review_results"].records() if "review_results" in campaign.tables else []
    keys = REVIEW_RESULTS.keys
    same = len(old) == len(run.rows) and all(
        all(_eq(o.get(k), n.get(k)) for k in keys) for o, n in zip(old, run.rows))
    if not same:
        engine.write_table(REVIEW_RESULTS, run.rows)
        run.changed = True
    if items is not None:
        engine.write_table(ITEMS, items)
        run.changed = True
    return run


def _eq(a: Any, b: Any) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-9
    return str(a).strip() == str(b).strip()
