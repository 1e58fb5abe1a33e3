"""Use case: the documents of a campaign (kexie report MASTER --kind K [--format docx|pdf] --out DIR).

The engine's data and the tally core (macros.core.tally.compute_tally) give the numbers; this
module turns them into the context each Word template receives (documented in
templates/README.md, kept honest by tests), renders the templates (macros.adapters.docs) and,
for PDF, converts every document of the run in ONE converter call (macros.adapters.pdf).

Reminders (催报通知) are rendered as one merged document — one part per unit short of quota,
roster order, page numbers restarting per unit — converted once and split back into one PDF
per unit by the parts' named destinations; the merged PDF is kept for printing. With
``--format docx`` each unit's reminder is also rendered on its own.

Templates come from the package (``templates/``), unless a folder ``模板`` beside the master
(or the environment variable KEXIE_TEMPLATES) holds a file of the same name: staff keep their
edited copies there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Sequence

from macros import resources
from macros.adapters import charts
from macros.adapters.docs import (
    Bookmark,
    Image,
    PageRef,
    part_page_ranges,
    render_docx,
    render_merged,
)
from macros.adapters.docs import Lines
from macros.adapters.engine import WorkbookEngine
from macros.adapters.pdf import ConverterNotFoundError, find_converter, split_pdf
from macros.app.campaign import Campaign, load_campaign
from macros.app.notice_kinds import notice_extras, screen_kinds
from macros.app.report_kinds import KINDS
from macros.app.result import CommandResult
from macros.app.returns import left_out_by_unit
from macros.core.grid import row_records
from macros.core.normalize import display_text, parse_yesno
from macros.core.safe_names import safe_filename
from macros.core.tally import compute_tally
from macros.core.title_lines import break_title
from macros.errors import ConfigError, Exit
from macros.schema import SETTINGS_SHEET

TEMPLATE_FILES = {kind: f"{kind}.docx" for kind in KINDS}
LOCAL_TEMPLATES = "模板"  # folder beside the master with staff-edited templates
REMINDERS_DIR = "催报通知"
MERGED_REMINDERS = "催报通知（合并打印）"
REPLY_DAYS = 7  # reminders after the deadline ask for the items within a week
#: per-unit kinds (one part per unit, merged for printing): folder, merged file, note when none
PER_UNIT = {
    "reminders": (REMINDERS_DIR, MERGED_REMINDERS, "所有单位均已完成配额，无需催报。"),
    "returns": ("退改通知", "退改通知（合并打印）", "没有需要退回修改的材料。"),
}

__all__ = [
    "KINDS", "ReportFile", "ReportRun", "build_context", "reminder_contexts", "generate", "report_command",
    "template_path",
]


# ----------------------------------------------------------------------------- formatting

_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 35 → 三十五 (1–99)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def cn_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if isinstance(d, date) else ""


def md(d: date | None) -> str:
    return f"{d.month}月{d.day}日" if isinstance(d, date) else ""


def period(start: date | None, end: date | None) -> str:
    if isinstance(start, date) and isinstance(end, date):
        return f"{md(start)}至{md(end)}" if start.year == end.year else f"{cn_date(start)}至{cn_date(end)}"
    return md(start) or md(end)


def pct(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio * 100:.1f}%"


def num(value: float | None) -> str:
    """12 → "12", 2.5 → "2.5", 200000 → "20万"."""
    if value is None:
        return "—"
    if value >= 10000 and value % 10000 == 0:
        return f"{value / 10000:g}万"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}".replace(",", "")


def quoted(name: str) -> str:
    """Wrap a campaign name in “” (inner “” become ‘’, as Chinese nesting wants)."""
    inner = name.strip().strip("“”\"")
    inner = inner.replace("“", "‘").replace("”", "’")
    return f"“{inner}”"


def _text(v: Any) -> str:
    return display_text(v) or ""


def _lines(text: str | None) -> list[str]:
    if not text:
        return []
    parts = []
    for line in str(text).replace("\r", "\n").split("\n"):
        parts += [p.strip() for p in line.split("；") if p.strip()]
    return parts


_records = row_records  # (worksheet row, {column: value or None when blank}) per row


# ----------------------------------------------------------------------------- contexts


def _common(campaign: Campaign, today: date) -> dict[str, Any]:
    s = campaign.settings
    organizer = _text(s.get("organizer")) or "市科学技术协会"
    department = _text(s.get("department"))
    name = _text(s.get("campaign_name")) or "征集活动"
    return {
        "campaign": name,
        "campaign_quoted": quoted(name),
        "organizer": organizer,
        "department": (department if department.startswith(organizer) else organizer + department)
        if department else organizer,
        "signature": organizer,
        "date": cn_date(today),
        "as_of": cn_date(today),
        "contact_name": _text(s.get("contact")),
        "contact_phone": _text(s.get("phone")),
        "contact_email": _text(s.get("email")),
    }


def _phases(campaign: Campaign) -> list[dict[str, Any]]:
    out = []
    for i, (_row, rec) in enumerate(_records(campaign.frames.get("phases")), start=1):
        if not _text(rec.get("phase")):
            continue
        out.append({
            "label": f"（{cn_number(len(out) + 1)}）",
            "name": _text(rec.get("phase")),
            "period": period(rec.get("start"), rec.get("end")),
            "work": _text(rec.get("work")).rstrip("。") + ("。" if _text(rec.get("work")) else ""),
            "start": rec.get("start") if isinstance(rec.get("start"), date) else None,
            "end": rec.get("end") if isinstance(rec.get("end"), date) else None,
        })
    return out


def _recipients(campaign: Campaign) -> str:
    text = _text(campaign.settings.get("recipients"))
    if text:
        return text.rstrip("：:")
    cats = []
    for _row, rec in _records(campaign.frames.get("quota_rules")):
        if isinstance(rec.get("min_items"), (int, float)) and rec["min_items"] > 0 and rec.get("category"):
            cats.append("各" + _text(rec["category"]))
    return "，".join(cats) or "各有关单位"


def context_notice(campaign: Campaign, tally, today: date) -> dict[str, Any]:
    s = campaign.settings
    ctx = _common(campaign, today)
    doc_date = s.get("doc_date") if isinstance(s.get("doc_date"), date) else today
    leaders: dict[str, list[str]] = {}
    for _row, rec in _records(campaign.frames.get("leaders")):
        if _text(rec.get("name")):
            leaders.setdefault(_text(rec.get("role")) or "成员", []).append(_text(rec.get("name")))
    order = {"组长": 0, "副组长": 1, "成员": 2}
    ctx.update({
        "issuer_mark": _text(s.get("issuer_mark")) or f"{ctx['organizer']}文件",
        "doc_number": _text(s.get("doc_number")),
        "signer": _text(s.get("signer")),
        "title": _text(s.get("notice_title")) or f"关于开展{ctx['campaign_quoted']}活动的通知",
        "recipients": _recipients(campaign),
        "intro": f"为充分发挥科协组织人才荟萃、智力密集的优势，广泛动员广大科技工作者建言献策，"
                 f"{ctx['organizer']}决定开展{ctx['campaign_quoted']}活动。现将有关事项通知如下：",
        "start_date": cn_date(s.get("start_date")),
        "deadline": cn_date(s.get("deadline")),
        "phases": [{k: p[k] for k in ("label", "name", "period", "work")} for p in _phases(campaign)],
        "topics": [{"no": t.code, "name": t.topic} for t in tally.topics if t.code is not None],
        "quotas": [
            {"category": _text(rec.get("category")), "min_items": int(rec["min_items"])}
            for _row, rec in _records(campaign.frames.get("quota_rules"))
            if isinstance(rec.get("min_items"), (int, float)) and rec["min_items"] > 0
        ],
        "word_limit": int(s["word_limit"]) if isinstance(s.get("word_limit"), (int, float)) and s["word_limit"] else "",
        "leaders": [{"role": role, "names": "、".join(names)}
                    for role, names in sorted(leaders.items(), key=lambda kv: order.get(kv[0], 3))],
        "attachments": _lines(s.get("attachments")),
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
            "no": n, "title": _text(rec.get("title")), "author": _text(rec.get("author")),
            "date": when.isoformat() if isinstance(when, date) else "",
            "status": _text(rec.get("status")) or "有效",
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
        "notice_title": _text(s.get("notice_title")),
        "notice_number": _text(s.get("doc_number")),
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
            body = _text(rec.get("body"))
            entries.append({
                "no": seq, "title": it.title or "（无题目）", "author": it.author or "",
                "post": _text(rec.get("author_post")), "org": it.author_org or "",
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
    ctx = _build_context(kind, campaign, tally, today, work_dir, master)
    shared = ctx[0] if kind in PER_UNIT else ctx
    if "title" in shared:
        shared["title_lines"] = Lines(tuple(break_title(shared["title"], 31 if kind == "tasks" else 20)))
    return ctx


def _build_context(kind: str, campaign: Campaign, tally, today: date, work_dir: Path,
                   master: Path | None = None) -> Any:
    if kind == "notice":
        return context_notice(campaign, tally, today)
    if kind == "summary":
        return context_summary(campaign, tally, today, work_dir / "charts")
    if kind == "reminders":
        return reminder_contexts(campaign, tally, today, master)
    if kind == "returns":
        return return_contexts(campaign, tally, today, master)
    if kind == "compilation":
        return context_compilation(campaign, tally, today)
    if kind == "assessment":
        return context_assessment(campaign, tally, today)
    if kind == "tasks":
        return context_tasks(campaign, tally, today)
    if kind == "targets":
        return context_targets(campaign, tally, today)
    if kind in ("review", "awards"):  # the review round (macros/app/report_review.py)
        from macros.app import report_review

        if kind == "review":
            return report_review.context_review(campaign, tally, today, _common(campaign, today))
        s = campaign.settings
        ctx = report_review.context_awards(campaign, tally, today, _common(campaign, today), _recipients(campaign))
        ctx.update(issuer_mark=_text(s.get("issuer_mark")) or f"{ctx['organizer']}文件",
                   doc_number=_text(s.get("award_doc_number")), signer=_text(s.get("signer")))
        return ctx
    if kind == "pledges":
        from macros.app.report_pledges import context_pledges

        return context_pledges(campaign, tally, _common(campaign, today))
    raise KeyError(kind)


# ----------------------------------------------------------------------------- generation


@dataclass
class ReportFile:
    kind: str
    path: Path
    unit_code: str | None = None


@dataclass
class ReportRun:
    files: list[ReportFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fmt: str = "docx"
    converter: str | None = None
    seconds: float = 0.0


def template_path(kind: str, master: Path | None = None) -> Path:
    """The template for ``kind``: a staff copy (模板/ beside the master, or KEXIE_TEMPLATES) wins."""
    name = TEMPLATE_FILES[kind]
    candidates = []
    if os.environ.get("KEXIE_TEMPLATES"):
        candidates.append(Path(os.environ["KEXIE_TEMPLATES"]) / name)
    if master is not None:
        candidates.append(Path(master).parent / LOCAL_TEMPLATES / name)
    candidates.append(resources.template_file(name))
    for c in candidates:
        if c.is_file():
            return c
    raise ConfigError(f"找不到“{KINDS[kind]}”的模板 {name}：kexie 安装不完整，请重新安装（或把模板放到工作簿旁的“模板”文件夹）。")


def parse_kinds(kind: str) -> list[str]:
    words = [w.strip() for w in kind.replace("，", ",").split(",") if w.strip()]
    if words == ["all"]:
        return list(KINDS)
    unknown = [w for w in words if w not in KINDS]
    if unknown or not words:
        raise ConfigError(f"未知的文档种类：{'、'.join(unknown) or kind}。可选：{'、'.join(KINDS)} 或 all。")
    return list(dict.fromkeys(words))


def generate(
    campaign: Campaign,
    kinds: Sequence[str],
    out_dir: Path | str,
    *,
    fmt: str = "docx",
    today: date | None = None,
    master: Path | None = None,
    converter=None,
    tally=None,
) -> ReportRun:
    """Render ``kinds`` into ``out_dir`` as .docx or .pdf (one converter call for the run).

    With ``fmt="pdf"`` and no converter on the machine, the .docx files are written and
    :class:`macros.adapters.pdf.ConverterNotFoundError` (exit 2) is raised afterwards.
    """
    started = time.perf_counter()
    today = today or date.today()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tally = tally if tally is not None else compute_tally(campaign, today)
    run = ReportRun(fmt=fmt)
    own_converter = False
    if fmt == "pdf" and converter is None:
        converter = find_converter()
        own_converter = converter is not None
    want_pdf = fmt == "pdf" and converter is not None
    run.converter = getattr(converter, "name", None) if want_pdf else None

    with tempfile.TemporaryDirectory(prefix="kexie-report-") as tmp:
        work = Path(tmp)
        docx_dir = work if want_pdf else out
        to_convert: list[Path] = []
        # (kind, docx, final pdf name or None for reminders' merged file)
        plans: list[tuple[str, Path, Path | None]] = []
        unit_plans: list[tuple[str, Path, list[dict]]] = []
        for kind in kinds:
            template = template_path(kind, master)
            ctx = build_context(kind, campaign, tally, today, work, master)
            if kind in PER_UNIT:
                folder_name, merged_name, none_note = PER_UNIT[kind]
                shared, parts = ctx
                if not parts:
                    run.notes.append(none_note)
                    continue
                merged_docx = render_merged(template, parts, docx_dir / f"{merged_name}.docx", shared)
                if want_pdf:
                    to_convert.append(merged_docx)
                    unit_plans.append((kind, merged_docx, parts))
                else:
                    run.files.append(ReportFile(kind, merged_docx))
                    folder = out / folder_name
                    for part in parts:
                        unit = part["unit"]
                        path = folder / safe_filename(f"{unit['code']}_{unit['name']}.docx")
                        render_docx(template, dict(shared, **part), path)
                        run.files.append(ReportFile(kind, path, unit["code"]))
                continue
            docx = render_docx(template, ctx, docx_dir / safe_filename(f"{KINDS[kind]}.docx"))
            if want_pdf:
                to_convert.append(docx)
                plans.append((kind, docx, out / docx.with_suffix(".pdf").name))
            else:
                run.files.append(ReportFile(kind, docx))

        if fmt == "pdf" and converter is None:
            run.seconds = time.perf_counter() - started
            names = "、".join(f.path.name for f in run.files[:3]) + ("等" if len(run.files) > 3 else "")
            raise ConverterNotFoundError(
                f"已在 {out} 生成 Word 文档（{names}），但本机没有可生成 PDF 的程序。"
                "请安装 LibreOffice（Debian/Ubuntu：sudo apt-get install libreoffice-writer fonts-noto-cjk；"
                "Windows/macOS：https://zh-cn.libreoffice.org/download/）或 Microsoft Word 后重新运行。"
            )

        if want_pdf and to_convert:
            try:
                pdfs = converter.convert_many(to_convert, work / "pdf")
            finally:
                if own_converter and hasattr(converter, "close"):
                    converter.close()
            produced = dict(zip(to_convert, pdfs))
            for kind, docx, target in plans:
                shutil.move(str(produced[docx]), target)
                run.files.append(ReportFile(kind, target))
            for kind, merged_docx, parts in unit_plans:
                folder_name, merged_name, _note = PER_UNIT[kind]
                merged_pdf = produced[merged_docx]
                ranges = part_page_ranges(merged_pdf, len(parts))
                folder = out / folder_name
                targets = [folder / safe_filename(f"{p['unit']['code']}_{p['unit']['name']}.pdf") for p in parts]
                split_pdf(merged_pdf, ranges, targets)
                final_merged = out / f"{merged_name}.pdf"
                shutil.move(str(merged_pdf), final_merged)
                run.files.append(ReportFile(kind, final_merged))
                run.files += [ReportFile(kind, t, p["unit"]["code"]) for t, p in zip(targets, parts)]
        elif own_converter and hasattr(converter, "close"):
            converter.close()
    run.seconds = time.perf_counter() - started
    return run


def report_command(engine: WorkbookEngine, kinds: Sequence[str], out: Path, fmt: str = "docx",
                   today: date | None = None, final: bool = False) -> CommandResult:
    """``kexie report`` and the document buttons, on the engine its shell opened. ``kinds``:
    ids of KINDS ("all" stands for every kind: kinds with nothing to show are skipped and said
    so). Official documents are refused (E401) while 设置 has errors they depend on; ``final``:
    the clerk confirms the assessment (考核结果已确认) for this run."""
    every = "all" in kinds
    kinds = list(KINDS) if every else parse_kinds(",".join(kinds))
    fmt = fmt or "docx"
    campaign = load_campaign(engine)
    if final:  # the clerk confirms the assessment for this run
        campaign.settings["results_confirmed"] = "是"
    today = today or date.today()
    master = engine.path

    tally = compute_tally(campaign, today)
    grid = engine.read_grid(SETTINGS_SHEET) if SETTINGS_SHEET in engine.sheet_names() else None
    kinds, skipped, refusals = screen_kinds(kinds, campaign, grid, tally, KINDS, every=every)
    if not kinds:
        lines = skipped + [f"[{p.code}] {p.message}" for p in refusals] or ["没有可生成的文档。"]
        return CommandResult(data={"out": str(out), "format": fmt, "kinds": [], "files": [],
                                   "notes": skipped, "problems": [p.to_json() for p in refusals]},
                             exit_code=Exit.DATA_PROBLEMS if refusals else Exit.OK, lines=lines)
    run = generate(campaign, kinds, out, fmt=fmt, today=today, master=master, tally=tally)
    run.notes[:0] = skipped + [f"[{p.code}] {p.message}" for p in refusals]
    out = Path(out)
    per_kind: dict[str, int] = {}
    for f in run.files:
        per_kind[f.kind] = per_kind.get(f.kind, 0) + 1
    lines = [f"已生成 {len(run.files)} 个文件（{fmt.upper()}{'，' + run.converter + ' 转换' if run.converter else ''}），"
             f"保存在：{out}（用时 {run.seconds:.1f} 秒）"]
    for kind in kinds:
        if kind in per_kind:
            extra = f"（{per_kind[kind] - 1} 个单位，另有合并打印文件）" if kind in PER_UNIT and per_kind[kind] > 1 else ""
            lines.append(f"  {KINDS[kind]}{extra}")
    lines += run.notes
    data = {
        "out": str(out),
        "format": fmt,
        "kinds": kinds,
        "files": [{"kind": f.kind, "path": str(f.path), "unit_code": f.unit_code} for f in run.files],
        "notes": run.notes,
        "problems": [p.to_json() for p in refusals],
    }
    return CommandResult(data=data, exit_code=Exit.DATA_PROBLEMS if refusals else Exit.OK, lines=lines)
