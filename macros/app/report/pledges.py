"""Context of the 承诺公示表 (kexie report --kind pledges): each 部室's commitments — 目标任务,
完成时限, 责任人 — in 承诺 order grouped by 部室 (roster order of 机关部室 first), for posting.
A 完成时限 the 部室 wrote as text on its 承诺报送表 ("2010年12月底", kept in 时限说明) is printed as
written; ``missing`` names the 部室 with no 承诺 yet (as ``kexie tally`` counts them).
"""

from __future__ import annotations

from typing import Any

from macros.app.report.wording import cn_date
from macros.core.normalize import text_or_blank


def context_pledges(campaign, tally, common: dict[str, Any]) -> dict[str, Any]:
    frame = campaign.frames.get("commitments")
    rows = []
    if frame is not None and len(frame):
        for rec in frame.to_dict("records"):
            rec = {k: (None if isinstance(v, float) and v != v else v) for k, v in rec.items()}
            if text_or_blank(rec.get("department")) and text_or_blank(rec.get("goal")):
                rows.append(rec)
    order = {d.department: i for i, d in enumerate(tally.departments)}
    roster = [text_or_blank(r.get("name")) for r in (campaign.frames.get("units").to_dict("records")
                                               if campaign.frames.get("units") is not None else [])]
    order.update({n: len(order) + i for i, n in enumerate(roster) if n and n not in order})
    rows.sort(key=lambda r: order.get(text_or_blank(r.get("department")), len(order)))
    pledges = []
    for i, rec in enumerate(rows, start=1):
        due = rec.get("due")
        due_text = text_or_blank(rec.get("due_text")) or cn_date(due)
        pledges.append({"no": i, "department": text_or_blank(rec.get("department")), "goal": text_or_blank(rec.get("goal")),
                        "measures": text_or_blank(rec.get("measures")), "due": due_text,
                        "owner": text_or_blank(rec.get("owner"))})
    ctx = dict(common)
    ctx.update({
        "title": f"{common['campaign_quoted']}活动承诺公示表",
        "pledges": pledges,
        "departments": len({p["department"] for p in pledges}),
        "missing": list(getattr(tally, "pledges_missing", []) or []),
    })
    return ctx
