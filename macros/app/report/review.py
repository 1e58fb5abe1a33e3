"""Contexts of the review round's documents: 评审结果汇总表 and the 获奖名单 通报.

Both read the 评审结果 sheet the last consolidation of the score forms wrote (and 征集明细 for
the authors); without a review round they say so in the document itself.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from macros.app.report.wording import cn_number
from macros.core.normalize import text_or_blank
from macros.core.review_round import award_list, review_config
from macros.schema import AWARD_LEVELS


def _score(v: Any) -> str:
    return f"{v:.2f}" if isinstance(v, (int, float)) and v == v else ""


def _results(campaign) -> list[dict[str, Any]]:
    frame = campaign.frames.get("review_results")
    return frame.to_dict("records") if frame is not None else []


def _round_facts(campaign) -> dict[str, Any]:
    cfg = review_config(campaign.settings)
    reviewers = campaign.frames.get("reviewers")
    assignments = campaign.frames.get("assignments")
    codes = {text_or_blank(c) for c in (assignments["reviewer_code"].tolist() if assignments is not None
                                and "reviewer_code" in assignments else [])} - {""}
    experts = len(codes) or (len([c for c in reviewers["code"].tolist() if text_or_blank(c)]) if reviewers is not None
                             and "code" in reviewers else 0)
    return {"experts": experts, "per_entry": cfg.per_entry, "method": cfg.method,
            "normalized": "是" if cfg.normalize else "否"}


def context_review(campaign, tally, today: date, common: dict[str, Any]) -> dict[str, Any]:
    rows = _results(campaign)
    ranked = [r for r in rows if isinstance(r.get("rank"), (int, float))]
    ctx = dict(common)
    ctx.update(_round_facts(campaign))
    ctx.update({
        "title": f"{common['campaign_quoted']}评审结果汇总表",
        "entries": len(ranked),
        "unscored": len(rows) - len(ranked),
        "recheck": sum(1 for r in ranked if text_or_blank(r.get("recheck")) == "是"),
        "results": [{
            "rank": int(r["rank"]), "item_id": text_or_blank(r.get("item_id")), "title": text_or_blank(r.get("title")),
            "unit": text_or_blank(r.get("unit_name")), "count": text_or_blank(r.get("count")), "scores": text_or_blank(r.get("scores")),
            "mean": _score(r.get("mean")), "trimmed": _score(r.get("trimmed")),
            "normalized": _score(r.get("normalized")), "final": _score(r.get("final")),
            "spread": _score(r.get("spread")), "recheck": "是" if text_or_blank(r.get("recheck")) == "是" else "",
            "award": text_or_blank(r.get("award")),
        } for r in ranked],
    })
    return ctx


def context_awards(campaign, tally, today: date, common: dict[str, Any], recipients: str) -> dict[str, Any]:
    items = campaign.frames.get("items")
    winners = award_list(_results(campaign), items.to_dict("records") if items is not None else [])
    ranked = [r for r in _results(campaign) if isinstance(r.get("rank"), (int, float))]
    ctx = dict(common)
    ctx.update(_round_facts(campaign))
    levels = []
    for level in AWARD_LEVELS:
        mine = [a for a in winners if a.level == level]
        if mine:
            levels.append({"label": f"{cn_number(len(levels) + 1)}、{level}（{len(mine)}项）", "name": level,
                           "count": len(mine),
                           "entries": [{"no": i, "title": a.title or "", "people": a.people or "",
                                        "org": a.people_org or a.unit or "", "unit": a.unit or "",
                                        "score": _score(a.score)} for i, a in enumerate(mine, start=1)]})
    ctx.update({
        "title": f"关于{common['campaign_quoted']}评审结果和获奖名单的通报",
        "recipients": recipients,
        "entries": len(ranked),
        "total": len(winners),
        "summary": "、".join(f"{lv['name']}{lv['count']}项" for lv in levels),
        "levels": levels,
    })
    return ctx
