"""The notice of each kind of campaign, and the settings a document may not go out without.

活动类型 (设置) picks what the 红头通知 says:

* 征集 (献策, 课题) — the call for submissions: time, topics, quotas, how to report;
* 实施方案 (seed 004) — a short notice 印发 the plan, then the plan: 指导思想, 重点任务 (the
  任务分工 table: 任务, 主要内容, 牵头, 配合, 时限) and 工作要求;
* 工作要点 (seed 003) — a short notice 印发 the work points, then 指导思想, 主要工作 and the
  indicators with 目标值 and 责任部门;
* 活动方案 (seed 002) — the plan itself: 总体要求, 主要内容, 方法步骤 (the phases with their
  dates and work) and 组织领导.

A section with no data is left out and the remaining headings are numbered without gaps
(``h``: section key → "一、" …). ``notice_extras`` adds these variables to the notice context.

``blocking_settings(kind, campaign)`` lists the 设置 errors an official document depends on;
``kexie report`` refuses such a document (E401) while there are any.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from macros.core.form_plan import form_title
from macros.core.kind_settings import campaign_kind
from macros.app.report.wording import md
from macros.core.normalize import text_or_blank
from macros.core.normalize import parse_yesno
from macros.core.validate import build_context, validate_settings
from macros.problems import problem
from macros.schema import setting

__all__ = ["OFFICIAL_KINDS", "attachment_list", "attachment_name", "blocking_settings", "nothing_to_show",
           "notice_extras"]

_CN = "一二三四五六七八九十"

# Section order of each kind's notice (keys of ``h``).
SECTIONS = {
    "征集": ("time", "topics", "requirements", "organisation"),
    "实施方案": ("guiding", "tasks", "plan_requirements"),
    "工作要点": ("guiding", "content", "indicators", "plan_requirements"),
    "活动方案": ("guiding", "content", "steps", "plan_requirements"),
}
HEADINGS = {
    "征集": {"time": "活动时间", "topics": "征集内容", "requirements": "报送要求", "organisation": "组织领导"},
    "实施方案": {"guiding": "指导思想", "tasks": "重点任务", "plan_requirements": "工作要求"},
    "工作要点": {"guiding": "指导思想", "content": "主要工作", "indicators": "主要指标",
                 "plan_requirements": "工作要求"},
    "活动方案": {"guiding": "总体要求", "content": "主要内容", "steps": "方法步骤",
                 "plan_requirements": "组织领导"},
}

# Documents that go out under the organisation's name, and the settings each depends on.
OFFICIAL_KINDS: dict[str, tuple[str, ...] | None] = {
    "notice": None,  # every setting
    "reminders": ("campaign_name", "organizer", "deadline", "start_date", "campaign_kind"),
    "assessment": ("campaign_name", "organizer", "excellent_units", "commend_min_grade", "results_confirmed",
                   "campaign_kind"),
    "summary": ("campaign_name", "organizer", "start_date", "deadline", "campaign_kind"),
}



def _lines(value: Any) -> list[str]:
    return [line.strip() for line in text_or_blank(value).replace("\r", "\n").split("\n") if line.strip()]


def _headed(lines: list[str]) -> list[dict[str, str]]:
    """"坚持正确方向。庆祝…" → {label: （一）, head: 坚持正确方向。, text: 庆祝…}."""
    out = []
    for i, line in enumerate(lines):
        head, sep, rest = line.partition("。")
        if not sep or len(head) > 20 or not rest:
            head, rest = "", line
        else:
            head += "。"
        out.append({"label": f"（{_CN[i] if i < 10 else i + 1}）", "head": head, "text": rest})
    return out


def fullwidth(text: str) -> str:
    """Category names in running text take full-width brackets: 县(市)区科协 → 县（市）区科协."""
    return text.replace("(", "（").replace(")", "）")


def _numbered(keys: list[str]) -> dict[str, str]:
    return {k: f"{_CN[i]}、" for i, k in enumerate(keys)}


def _limit(t) -> str:
    due = t.due if isinstance(t.due, date) else None
    return f"{md(due)}前" if due else (getattr(t, "due_text", "") or "")


def _quota_text(quotas: list[dict[str, Any]]) -> str:
    """"市级学会、县（市）区科协报送数量均不少于3篇（个）" or "…分别不少于3、5篇（个）"."""
    if not quotas:
        return ""
    names = "、".join(fullwidth(q["category"]) for q in quotas)
    counts = [q["min_items"] for q in quotas]
    if len(set(counts)) == 1:
        return f"{names}报送数量{'均' if len(counts) > 1 else ''}不少于{counts[0]}篇（个）；"
    return f"{names}报送数量分别不少于{'、'.join(str(c) for c in counts)}篇（个）；"


def notice_extras(campaign, tally, ctx: dict[str, Any]) -> dict[str, Any]:
    """Variables of the notice for every kind (see the module doc); ``ctx`` is the 征集 context."""
    s = campaign.settings
    kind = campaign_kind(s)
    tasks = [{"seq": t.seq if t.seq is not None else "", "task": t.task or "", "content": t.content or "",
              "lead": "、".join(t.lead), "support": t.support_text or "、".join(t.support), "limit": _limit(t)}
             for t in tally.tasks]
    indicators = []
    for i, t in enumerate(tally.targets, start=1):
        target = f"{t.compare if t.compare not in ('≥', None) else ''}{_num(t.target)}{t.unit or ''}"
        indicators.append({"no": i, "name": t.name or "", "target": target + ("以上" if t.compare == "≥" else ""),
                           "department": t.department or ""})
    data = {
        "guiding": text_or_blank(s.get("plan_guiding")),
        "content": _headed(_lines(s.get("plan_content"))),
        "plan_requirements": _headed(_lines(s.get("plan_requirements"))),
        "plan_tasks": tasks,
        "indicators": indicators,
        "quota_text": _quota_text(ctx.get("quotas") or []),
    }
    present = {
        "time": bool(ctx.get("start_date") or ctx.get("deadline") or ctx.get("phases")),
        "topics": bool(ctx.get("topics")),
        "requirements": True,
        "organisation": True,
        "guiding": bool(data["guiding"]),
        "content": bool(data["content"]),
        "plan_requirements": bool(data["plan_requirements"]),
        "tasks": bool(tasks),
        "indicators": bool(indicators),
        "steps": bool(ctx.get("phases")),
    }
    keys = [k for k in SECTIONS[kind] if present[k]]
    plan_title = text_or_blank(s.get("attachments")).splitlines()[0].strip("《》") if text_or_blank(s.get("attachments")) else ""
    data.update({
        "kind": kind,
        "h": {k: "" for k in present} | _numbered(keys),
        "headings": {k: "" for k in present} | {k: HEADINGS[kind][k] for k in keys},
        "plan_title": plan_title or _plan_name(kind, ctx["campaign"]),
        "intro": _intro(kind, ctx),
        "time_text": _time_text(ctx),
    })

    if parse_yesno(s.get("upward")) != "是":
        data["signer"] = ""  # GB/T 9704: 签发人 on 上行文 only
    data["cc"] = "、".join(x.strip() for x in text_or_blank(s.get("cc")).replace("，", "、").replace("\n", "、").split("、")
                          if x.strip())
    data["print_org"] = text_or_blank(s.get("print_org")) or ctx.get("organizer", "")
    data["print_date"] = ctx.get("date", "")
    department = ctx.get("department") or ""
    data["cover_text"] = (f"现将《{data['plan_title']}》印发给你们，请结合实际认真贯彻落实"
                          + (f"，并按要求将有关材料报送{department}。" if department else "。"))
    # The 征集 notice's 报送时间 paragraph points to the form units fill in: the 附件 list names it.
    refers_to_form = kind == "征集" and bool(ctx.get("deadline"))
    data["attachments"], data["form_ref"] = attachment_list(
        ctx.get("attachments") or [], form_title(ctx["campaign"]) if refers_to_form else "")
    return data


_NUMBERING = re.compile(r"^(?:附件\s*[:：]?\s*)?(?:\d+|[一二三四五六七八九十]+)\s*[.．、,，]\s*")
_END_PUNCT = "。；;，,、：:.！!"


def attachment_name(line: str) -> str:
    """A 附件 name as GB/T 9704 prints it: no number staff typed before it (the list numbers
    itself), no 书名号 around it and no punctuation after it."""
    name = _NUMBERING.sub("", line.strip()).strip().rstrip(_END_PUNCT).strip()
    if name.startswith("《") and name.endswith("》") and name.count("《") == 1:
        name = name[1:-1].strip()
    return name


def attachment_list(lines: list[str], form_name: str) -> tuple[list[str], str]:
    """(the 附件 names, how the text refers to the form: "附件2", "附件" or "" without a form).

    ``form_name`` is added after the names staff listed unless one of them already names a 报送表."""
    names = [n for n in (attachment_name(x) for x in lines) if n]
    if not form_name:
        return names, ""
    position = next((i for i, n in enumerate(names) if "报送表" in n), None)
    if position is None:
        names.append(form_name)
        position = len(names) - 1
    return names, ("附件" if len(names) == 1 else f"附件{position + 1}")


def _time_text(ctx: dict[str, Any]) -> str:
    start, end, phases = ctx.get("start_date"), ctx.get("deadline"), ctx.get("phases") or []
    parts = []
    if start and end:
        parts.append(f"活动时间为{start}至{end}")
    elif end:
        parts.append(f"活动截止时间为{end}")
    elif start:
        parts.append(f"活动自{start}开始")
    if phases:
        parts.append(f"分{len(phases)}个阶段进行" if parts else f"活动分{len(phases)}个阶段进行")
    return "，".join(parts) + "。" if parts else ""


def _plan_name(kind: str, campaign: str) -> str:
    suffix = {"工作要点": "工作要点", "活动方案": "活动方案"}.get(kind, "实施方案")
    return campaign if campaign.endswith(suffix) or campaign.endswith("方案") else campaign + suffix


def _num(v) -> str:
    if v is None:
        return "—"
    if v >= 10000 and v % 10000 == 0:
        return f"{v / 10000:g}万"
    return f"{v:g}"


def _intro(kind: str, ctx: dict[str, Any]) -> str:
    name = ctx["campaign_quoted"]
    if kind == "征集":
        return ctx["intro"]
    if kind == "活动方案":
        return f"为扎实开展{name}活动，经研究，现制定如下方案。"
    if kind == "工作要点":
        return ""  # the 指导思想 opens the work points
    return f"为扎实开展{ctx['campaign']}，结合实际，现提出如下实施方案："


def nothing_to_show(kind: str, tally, campaign=None) -> str | None:
    """Why ``kind`` has nothing to show for this campaign (``--kind all`` skips it), or None."""
    if kind in ("review", "awards") and campaign is not None:
        results = campaign.frames.get("review_results")
        if results is None or results.empty:
            return "尚无评审结果（评审专家的评分表尚未汇总），未生成" + ("评审结果汇总表。" if kind == "review" else "获奖名单通报。")
    if kind == "compilation" and not any(it.valid for it in tally.items):
        return "尚无有效的报送材料，未生成计策汇编。"
    if kind == "assessment" and not tally.ranking:
        return "没有参加考核的单位，未生成考核结果与表彰名单。"
    if kind == "tasks" and not tally.tasks:
        return "“任务分工”中没有任务，未生成任务分工表。"
    if kind == "targets" and not tally.targets:
        return "“指标”中没有指标，未生成指标完成情况。"
    if kind == "pledges" and not _has_rows(tally, "progress"):
        return "“承诺”中没有部室的承诺，未生成承诺公示表。"
    if kind == "reminders" and not tally.totals.units:
        return "本活动没有承担报送配额的单位，无需催报。"
    if kind == "summary" and not tally.totals.units and not tally.items:
        return "本活动没有承担报送配额的单位，未生成活动情况汇总报告。"
    return None


def _has_rows(tally, attr: str) -> bool:
    return any(getattr(p, "total", 1) for p in getattr(tally, attr, []))


def blocking_settings(kind: str, campaign, grid) -> list[Any]:
    """The 设置 errors that ``kind`` depends on (empty for documents that are not official)."""
    if kind not in OFFICIAL_KINDS:
        return []

    if grid is None:
        return []
    problems = validate_settings(campaign.raw_settings, grid, build_context(campaign.raw_settings, campaign.tables))
    keys = OFFICIAL_KINDS[kind]
    labels = None if keys is None else {setting(k).label for k in keys}
    return [p for p in problems if p.level == "error" and (labels is None or p.column in labels)]


def screen_kinds(kinds: list[str], campaign, grid, tally, names: dict[str, str], *, every: bool):
    """(kinds to render, notes, E401 refusals): official documents whose settings have errors
    are refused; with ``--kind all`` kinds with nothing to show are skipped (and said so)."""
    keep, notes, refusals = [], [], []
    for kind in kinds:
        if every:
            why = nothing_to_show(kind, tally, campaign)
            if why:
                notes.append(f"跳过{names[kind]}：{why}")
                continue
        errors = blocking_settings(kind, campaign, grid)
        if errors:
            labels = "、".join(dict.fromkeys(f"“{p.column}”" for p in errors))
            codes = "、".join(dict.fromkeys(p.code for p in errors))
            refusals.append(problem("E401", sheet="设置", cell=errors[0].cell, column=errors[0].column,
                                    labels=labels, codes=codes, document=f"“{names[kind]}”"))
            continue
        keep.append(kind)
    return keep, notes, refusals
