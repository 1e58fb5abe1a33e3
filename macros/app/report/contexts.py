"""What each Word template receives: one context builder per document kind (see
templates/README.md), over the campaign and its tally."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable

from macros.adapters import charts
from macros.adapters.docs import Bookmark, Image, Lines, PageRef
from macros.app.campaign import Campaign
from macros.app.report.notice_kinds import notice_extras
from macros.app.report.pledges import context_pledges
from macros.app.report.review import context_awards, context_review
from macros.app.report.wording import (
    cn_date, cn_number, num, pct, period, quoted, split_items,
)
from macros.app.returns import left_out_by_unit
from macros.core.grid import row_records
from macros.core.normalize import parse_yesno, text_or_blank
from macros.core.title_lines import break_title

REMINDERS_DIR = "催报通知"
MERGED_REMINDERS = "催报通知（合并打印）"
REPLY_DAYS = 7  # reminders after the deadline ask for the items within a week
#: per-unit kinds (one part per unit, merged for printing): folder, merged file, note when none
PER_UNIT = {
    "reminders": (REMINDERS_DIR, MERGED_REMINDERS, "所有单位均已完成配额，无需催报。"),
    "returns": ("退改通知", "退改通知（合并打印）", "没有需要退回修改的材料。"),
}


def _common(campaign: Campaign, today: date) -> dict[str, Any]:
    s = campaign.settings
    organizer = text_or_blank(s.get("organizer")) or "市科学技术协会"
    department = text_or_blank(s.get("department"))
    name = text_or_blank(s.get("campaign_name")) or "征集活动"
    return {
        "campaign": name,
        "campaign_quoted": quoted(name),
        "organizer": organizer,
        "department": (department if department.startswith(organizer) else organizer + department)
        if department else organizer,
        "signature": organizer,
        "date": cn_date(today),
        "as_of": cn_date(today),
        "contact_name": text_or_blank(s.get("contact")),
        "contact_phone": text_or_blank(s.get("phone")),
        "contact_email": text_or_blank(s.get("email")),
    }


def _phases(campaign: Campaign) -> list[dict[str, Any]]:
    out = []
    for i, (_row, rec) in enumerate(row_records(campaign.frames.get("phases")), start=1):
        if not text_or_blank(rec.get("phase")):
            continue
        out.append({
            "label": f"（{cn_number(len(out) + 1)}）",
            "name": text_or_blank(rec.get("phase")),
            "period": period(rec.get("start"), rec.get("end")),
            "work": text_or_blank(rec.get("work")).rstrip("。") + ("。" if text_or_blank(rec.get("work")) else ""),
            "start": rec.get("start") if isinstance(rec.get("start"), date) else None,
            "end": rec.get("end") if isinstance(rec.get("end"), date) else None,
        })
    return out


def _recipients(campaign: Campaign) -> str:
    text = text_or_blank(campaign.settings.get("recipients"))
    if text:
        return text.rstrip("：:")
    cats = []
    for _row, rec in row_records(campaign.frames.get("quota_rules")):
        if isinstance(rec.get("min_items"), (int, float)) and rec["min_items"] > 0 and rec.get("category"):
            cats.append("各" + text_or_blank(rec["category"]))
    return "，".join(cats) or "各有关单位"


def context_notice(campaign: Campaign, tally, today: date) -> dict[str, Any]:
    s = campaign.settings
    ctx = _common(campaign, today)
    doc_date = s.get("doc_date") if isinstance(s.get("doc_date"), date) else today
    leaders: dict[str, list[str]] = {}
    for _row, rec in row_records(campaign.frames.get("leaders")):
        if text_or_blank(rec.get("name")):
            leaders.setdefault(text_or_blank(rec.get("role")) or "成员", []).append(text_or_blank(rec.get("name")))
    order = {"组长": 0, "副组长": 1, "成员": 2}
    ctx.update({
        "issuer_mark": text_or_blank(s.get("issuer_mark")) or f"{ctx['organizer']}文件",
        "doc_number": text_or_blank(s.get("doc_number")),
        "signer": text_or_blank(s.get("signer")),
        "title": text_or_blank(s.get("notice_title")) or f"关于开展{ctx['campaign_quoted']}活动的通知",
        "recipients": _recipients(campaign),
        "intro": f"为充分发挥科协组织人才荟萃、智力密集的优势，广泛动员广大科技工作者建言献策，"
                 f"{ctx['organizer']}决定开展{ctx['campaign_quoted']}活动。现将有关事项通知如下：",
        "start_date": cn_date(s.get("start_date")),
        "deadline": cn_date(s.get("deadline")),
        "phases": [{k: p[k] for k in ("label", "name", "period", "work")} for p in _phases(campaign)],
        "topics": [{"no": t.code, "name": t.topic} for t in tally.topics if t.code is not None],
        "quotas": [
            {"category": text_or_blank(rec.get("category")), "min_items": int(rec["min_items"])}
            for _row, rec in row_records(campaign.frames.get("quota_rules"))
            if isinstance(rec.get("min_items"), (int, float)) and rec["min_items"] > 0
        ],
        "word_limit": int(s["word_limit"]) if isinstance(s.get("word_limit"), (int, float)) and s["word_limit"] else "",
        "leaders": [{"role": role, "names": "、".join(names)}
                    for role, names in sorted(leaders.items(), key=lambda kv: order.get(kv[0], 3))],
        "attachments": split_items(s.get("attachments")),
        "date": cn_date(doc_date),
    })

    ctx.update(notice_extras(campaign, tally, ctx))
    return ctx


def context_summary(campaign: Campaign, tally, today: date, chart_dir: Path) -> dict[str, Any]:
    ctx = _common(campaign, today)
    t = tally.totals
    listed = [u for u in tally.units if u.quota > 0]
    categories = [
        {"category": c.category, "units": c.units, "quota": c.quota, "submitted": c.submitted,
         "valid": c.valid, "late": c.late, "shortfall": c.shortfall, "completion": pct(c.completion)}
        for c in tally.categories
    ]
    topics = [{"no": tp.code if tp.code is not None else "", "name": tp.topic, "submitted": tp.submitted,
               "valid": tp.valid} for tp in tally.topics]
    covered = [tp for tp in tally.topics if tp.valid > 0 and tp.code is not None]
    top = max(covered, key=lambda tp: tp.valid, default=None)
    phases = _phases(campaign)
    chart_dir.mkdir(parents=True, exist_ok=True)
    cat_chart = charts.completion_chart(
        [{"category": c.category, "quota": c.quota, "valid": c.valid, "completion": c.completion}
         for c in tally.categories if c.quota > 0 or c.valid > 0],
        chart_dir / "completion.png")
    topic_chart = charts.topics_chart(
        [{"no": tp.code, "name": tp.topic, "valid": tp.valid} for tp in tally.topics], chart_dir / "topics.png")
    time_chart = charts.timeline_chart(phases, chart_dir / "timeline.png", today)
    ctx.update({
        "title": f"关于{ctx['campaign_quoted']}活动开展情况的报告",
        "recipients": f"{ctx['organizer']}党组",
        "start_date": cn_date(campaign.settings.get("start_date")),
        "totals": {
            "units": len(listed), "reporting_units": sum(1 for u in tally.units if u.submitted > 0),
            "quota": t.quota, "submitted": t.submitted, "valid": t.valid, "late": t.late,
            "shortfall": t.shortfall, "completion": pct(t.completion),
            "done_units": sum(1 for u in listed if not u.short), "short_units": sum(1 for u in listed if u.short),
        },
        "categories": categories,
        "topics": topics,
        "topics_covered": len(covered),
        "top_topic": top.topic if top else "",
        "short_units": [{"code": u.code, "name": u.name, "category": u.category or "", "quota": u.quota,
                         "valid": u.valid, "shortfall": u.shortfall} for u in tally.short_units],
        "phases": [{k: p[k] for k in ("label", "name", "period", "work")} for p in phases],
        "charts": {"completion": Image(cat_chart, 150), "topics": Image(topic_chart, 150),
                   "timeline": Image(time_chart, 150)},
    })
    return ctx


def unit_part(campaign: Campaign, u, left: dict[str, list[str]]) -> dict[str, Any]:
    """One unit's part of a per-unit notice: its tally, its materials and what was left out."""
    items = campaign.frames.get("items")
    submissions = []
    for n, row in enumerate(u.item_rows, start=1):
        rec = items.loc[row].to_dict() if items is not None and row in items.index else {}
        when = rec.get("submitted_on")
        submissions.append({
            "no": n, "title": text_or_blank(rec.get("title")), "author": text_or_blank(rec.get("author")),
            "date": when.isoformat() if isinstance(when, date) else "",
            "status": text_or_blank(rec.get("status")) or "有效",
        })
    return {"code": u.code, "name": u.name, "category": u.category or "", "quota": u.quota,
            "submitted": u.submitted, "valid": u.valid, "late": u.late, "shortfall": u.shortfall,
            "submissions": submissions, "left_out": list(left.get(u.code, []))}


def reminder_contexts(campaign: Campaign, tally, today: date,
                      master: Path | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(shared context, one context per unit short of quota in roster order); ``unit.left_out``
    lists the unit's materials left out of the consolidation (from the ledger beside ``master``)."""
    s = campaign.settings
    ctx = _common(campaign, today)
    deadline = s.get("deadline") if isinstance(s.get("deadline"), date) else None
    reply_by = deadline if deadline and today <= deadline else today + timedelta(days=REPLY_DAYS)
    ctx.update({
        "issuer_mark": ctx["organizer"],
        "doc_number": "",
        "signer": "",
        "title": f"关于催报{ctx['campaign_quoted']}活动材料的通知",
        "notice_title": text_or_blank(s.get("notice_title")),
        "notice_number": text_or_blank(s.get("doc_number")),
        "reply_by": cn_date(reply_by),
    })

    left = left_out_by_unit(master)
    parts = [{"unit": unit_part(campaign, u, left)} for u in tally.short_units]
    return ctx, parts


def context_compilation(campaign: Campaign, tally, today: date) -> dict[str, Any]:
    ctx = _common(campaign, today)
    items = campaign.frames.get("items")
    roster_pos = {u.code.casefold(): i for i, u in enumerate(tally.units)}
    by_topic: dict[Any, list] = {}
    for it in tally.items:
        if it.valid:
            by_topic.setdefault(it.topic_code, []).append(it)
    groups = []
    seq = 0
    ordered = [tp for tp in tally.topics if tp.code is not None]
    if None in by_topic:  # items outside the topic list come last
        ordered.append(next(tp for tp in tally.topics if tp.code is None))
    for tp in ordered:
        members = sorted(by_topic.get(tp.code, []),
                         key=lambda it: (roster_pos.get((it.unit_code or "").casefold(), 10**6),
                                         it.submitted_on or date.max, it.row or 0))
        if not members:
            continue
        gi = len(groups) + 1
        entries = []
        for it in members:
            seq += 1
            rec = items.loc[it.row].to_dict() if items is not None and it.row in items.index else {}
            body = text_or_blank(rec.get("body"))
            entries.append({
                "no": seq, "title": it.title or "（无题目）", "author": it.author or "",
                "post": text_or_blank(rec.get("author_post")), "org": it.author_org or "",
                "unit": it.unit_name or it.unit_code or "",
                "date": cn_date(it.submitted_on),
                "paragraphs": [p.strip() for p in body.split("\n") if p.strip()] or ["（正文为空）"],
                "anchor": Bookmark(f"KexieItem{seq}", 800000 + seq),
                "page": PageRef(f"KexieItem{seq}"),
            })
        groups.append({
            "label": f"{cn_number(gi)}、", "name": tp.topic, "count": len(entries), "entries": entries,
            "anchor": Bookmark(f"KexieTopic{gi}", 700000 + gi), "page": PageRef(f"KexieTopic{gi}"),
        })
    ctx.update({"volume_title": "计策汇编", "groups": groups})
    return ctx


def context_assessment(campaign: Campaign, tally, today: date) -> dict[str, Any]:
    ctx = _common(campaign, today)
    ctx.update({
        "title": f"关于{ctx['campaign_quoted']}活动考核结果和表彰名单的通报",
        "recipients": _recipients(campaign),
        "rules": [{"item": r.item, "weight": f"{r.weight:g}", "method": r.method} for r in tally.rules],
        "results": [{"rank": u.rank, "unit": u.name, "category": u.category or "", "quota": u.quota,
                     "valid": u.valid, "late": u.late, "score": f"{u.score:.2f}", "grade": u.grade or ""}
                    for u in tally.ranking],
        "excellent_units": [{"code": u.code, "name": u.name, "score": f"{u.score:.2f}"}
                            for u in tally.excellent_units],
        "individuals": [{"name": p.author, "org": p.author_org or p.unit_name or "",
                         "titles": "；".join(f"《{t}》" for t in p.titles)} for p in tally.individuals],
    })
    ctx.update(assessment_status(campaign, tally))
    return ctx


def assessment_status(campaign: Campaign, tally) -> dict[str, Any]:
    """草稿 mark, unscored items and the commendation rule of the assessment document.

    The document is a draft while a weighted item has no scores (macros.core.commend) unless the
    clerk confirmed the results (设置 考核结果已确认 = 是; ``kexie report --final`` counts as 是 for
    its run)."""
    confirmed = parse_yesno(campaign.settings.get("results_confirmed")) == "是"
    unscored = [{"item": r.item, "method": r.method, "weight": f"{r.weight:g}"} for r in tally.unscored]
    return {
        "draft": bool(unscored) and not confirmed,
        "unscored": unscored,
        "commend_grade": tally.commend_grade,
    }


def context_tasks(campaign: Campaign, tally, today: date) -> dict[str, Any]:
    ctx = _common(campaign, today)
    ctx.update({
        "title": f"{ctx['campaign_quoted']}任务分工表",
        "tasks": [{"seq": t.seq if t.seq is not None else "", "task": t.task or "", "content": t.content or "",
                   "lead": "、".join(t.lead), "support": "、".join(t.support),
                   "period": period(t.start, t.due), "status": t.status or "未开始", "overdue": t.overdue,
                   "progress": t.progress or ""} for t in tally.tasks],
        "done": sum(1 for t in tally.tasks if (t.status or "").strip() == "已完成"),
        "overdue": sum(1 for t in tally.tasks if t.overdue),
        "loads": [{"department": d.department, "lead": d.lead, "support": d.join, "total": d.lead + d.join}
                  for d in tally.departments if d.lead or d.join],
    })
    return ctx


def context_targets(campaign: Campaign, tally, today: date) -> dict[str, Any]:
    ctx = _common(campaign, today)
    targets = []
    for i, t in enumerate(tally.targets, start=1):
        unit = t.unit or ""
        targets.append({
            "no": i, "name": t.name or "", "target": f"{t.compare if t.compare != '≥' else ''}{num(t.target)}{unit}",
            "actual": f"{num(t.actual)}{unit}" if t.actual is not None else "未填报",
            "completion": pct(t.completion), "status": t.status, "met": bool(t.done),
            "department": t.department or "",
        })
    done = sum(1 for t in targets if t["met"])
    ctx.update({"title": f"{ctx['campaign_quoted']}指标完成情况", "targets": targets, "done": done,
                "not_done": len(targets) - done,
                "pending_text": "、".join(f"{t['name']}（{'未填报' if t['actual'] == '未填报' else '完成' + t['completion']}）"
                                         for t in targets if not t["met"]),
                "periods": [{"name": p["name"], "period": p["period"], "value": num(p["value"]),
                             "completion": pct(p["completion"]), "department": p["department"] or ""}
                            for p in getattr(tally, "target_periods", [])]})
    return ctx


def return_contexts(campaign: Campaign, tally, today: date,
                    master: Path | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """退改通知: the reminders' shared context, one part per unit with left-out materials (roster order)."""
    shared, _parts = reminder_contexts(campaign, tally, today, None)
    shared = dict(shared, title=f"关于退回修改{shared.get('campaign_quoted', '')}活动材料的通知")
    left = left_out_by_unit(master)
    return shared, [{"unit": unit_part(campaign, u, left)} for u in tally.units if u.code in left]


def build_context(kind: str, campaign: Campaign, tally, today: date, work_dir: Path,
                  master: Path | None = None) -> Any:
    """The context of ``kind`` (for the per-unit kinds: ``(shared, parts)``), with ``title_lines``:
    the title broken into lines that keep words whole (macros.core.title_lines)."""
    ctx = CONTEXTS[kind](campaign, tally, today, work_dir, master)
    shared = ctx[0] if kind in PER_UNIT else ctx
    if "title" in shared:
        shared["title_lines"] = Lines(tuple(break_title(shared["title"], 31 if kind == "tasks" else 20)))
    return ctx


def _awards(campaign: Campaign, tally, today: date) -> dict[str, Any]:
    s = campaign.settings
    ctx = context_awards(campaign, tally, today, _common(campaign, today), _recipients(campaign))
    ctx.update(issuer_mark=text_or_blank(s.get("issuer_mark")) or f"{ctx['organizer']}文件",
               doc_number=text_or_blank(s.get("award_doc_number")), signer=text_or_blank(s.get("signer")))
    return ctx


#: kind → its context from (campaign, tally, today, work_dir, master); one entry per KINDS id.
CONTEXTS: dict[str, Callable[[Campaign, Any, date, Path, Path | None], Any]] = {
    "notice": lambda c, t, d, _w, _m: context_notice(c, t, d),
    "summary": lambda c, t, d, w, _m: context_summary(c, t, d, w / "charts"),
    "reminders": lambda c, t, d, _w, m: reminder_contexts(c, t, d, m),
    "compilation": lambda c, t, d, _w, _m: context_compilation(c, t, d),
    "assessment": lambda c, t, d, _w, _m: context_assessment(c, t, d),
    "tasks": lambda c, t, d, _w, _m: context_tasks(c, t, d),
    "targets": lambda c, t, d, _w, _m: context_targets(c, t, d),
    "review": lambda c, t, d, _w, _m: context_review(c, t, d, _common(c, d)),
    "awards": lambda c, t, d, _w, _m: _awards(c, t, d),
    "returns": lambda c, t, d, _w, m: return_contexts(c, t, d, m),
    "pledges": lambda c, t, d, _w, _m: context_pledges(c, t, _common(c, d)),
}
