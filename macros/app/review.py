"""Use case: ``kexie review assign MASTER`` — reviewers for every entry of the review round.

Reads 征集明细 (the entries), 主题领域, 评审专家 and the earlier 评审分配, assigns N reviewers per
entry (macros.core.review_assign: never the entry's own unit, topic-matched when 设置 asks,
balanced, stable) and rewrites 评审分配. The reviewers' score forms then come from
``kexie forms``; their scores come back with ``kexie consolidate`` (macros.app.review_results).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from typing import TYPE_CHECKING

from macros.app.campaign import load_campaign
from macros.app.result import CommandResult
from macros.app.review_collect import collect_lines, collect_reviews
from macros.app.tally import refresh_stats
from macros.app.workbook import open_engine
from macros.core.normalize import display_text
from macros.core.review_assign import assign, previous_pairs
from macros.core.review_round import entries, entry_rows, review_config, reviewer_rows, reviewers
from macros.errors import ConfigError, Exit
from macros.problems import Problem, problem
from macros.schema import ASSIGNMENTS, ITEMS

if TYPE_CHECKING:  # the CLI imports this module to build its parser: keep that light
    from macros.app.campaign import Campaign
    from macros.core.review_assign import Assignment

REVIEW_TABLES = ["items", "topics", "reviewers", "criteria", "assignments"]


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="review_command", required=True, metavar="操作",
                                help="assign 分配评审专家；collect 汇总收件箱中的评分表")
    s = sub.add_parser("assign", help="为每条参评内容分配评审专家（写入“评审分配”）")
    s.add_argument("master", help="活动工作簿")
    s.add_argument("--json", action="store_true", help="以 JSON 格式输出结果")
    s = sub.add_parser("collect", help="汇总收件箱中交回的评分表（kexie consolidate 也会汇总）")
    s.add_argument("master", help="活动工作簿")
    s.add_argument("inbox", help="收件箱文件夹")
    s.add_argument("--json", action="store_true", help="以 JSON 格式输出结果")
    s.add_argument("--today", help="以该日期为今天（YYYY-MM-DD）")


def _records(campaign: "Campaign", key: str) -> list[dict[str, Any]]:
    frame = campaign.frame(key)
    out = []
    for row, rec in zip(frame.index.tolist(), frame.to_dict("records")):
        rec["_row"] = row
        out.append(rec)
    return out


@dataclass
class AssignRun:
    rows: list[dict[str, Any]] = field(default_factory=list)  # the new 评审分配
    assignment: "Assignment | None" = None
    problems: list[Problem] = field(default_factory=list)
    loads: dict[str, int] = field(default_factory=dict)
    per_entry: int = 0
    changed: int = 0  # pairs that were not in the earlier 评审分配


def plan_assignment(campaign: "Campaign") -> AssignRun:
    cfg = review_config(campaign.settings)
    run = AssignRun(problems=list(cfg.problems), per_entry=cfg.per_entry)
    items = entry_rows(_records(campaign, "items"))
    experts = reviewer_rows(_records(campaign, "reviewers"))
    if not experts:
        raise ConfigError(problem("E608").message)
    previous = previous_pairs(_records(campaign, "assignments"))
    result = assign(entries(items, _records(campaign, "topics")), reviewers(experts), cfg.per_entry,
                    topic_match=cfg.topic_match, previous=previous)
    run.assignment = result
    by_code = {r["code"]: r for r in experts}
    sheet, id_letter = ITEMS.sheet, campaign.tables["items"].letters.get("item_id", "A")
    for item in items:
        rs = result.reviewers[item["item_id"]]
        for code in rs:
            r = by_code[code]
            run.rows.append({
                "item_id": item["item_id"], "title": item.get("title"), "unit_name": item.get("unit_name"),
                "topic": item.get("topic"), "reviewer_code": code, "reviewer": display_text(r.get("name")),
                "reviewer_org": display_text(r.get("org")),
                "matched": ("是" if result.matched[(item["item_id"], code)] else "否") if cfg.topic_match else None,
            })
        where = {"sheet": sheet, "cell": f"{id_letter}{item['_row']}", "row": item["_row"],
                 "item_id": item["item_id"], "title": item.get("title") or ""}
        if item["item_id"] in result.short:
            run.problems.append(problem("W602", **where, assigned=len(rs), wanted=cfg.per_entry))
        if item["item_id"] in result.topic_fallback:
            fallback = result.topic_fallback[item["item_id"]]
            run.problems.append(problem("W601", **where, matched=len(rs) - fallback, fallback=fallback))
    run.loads = result.loads(by_code)
    run.changed = len(set(result.pairs()) - set(previous))
    return run


def assign_reviewers(engine, today=None) -> AssignRun:
    """Plan and write 评审分配; 统计 is regenerated with it (the save keeps its charts)."""
    campaign = load_campaign(engine, tables=REVIEW_TABLES)
    run = plan_assignment(campaign)
    engine.write_table(ASSIGNMENTS, run.rows)
    refresh_stats(engine, today)
    engine.save()
    return run


def _summarised(problems: list[Problem], shown: int = 5) -> list[str]:
    """Each problem's message, at most ``shown`` per code and a count of the rest (JSON has all)."""
    out, seen = [], {}
    for p in problems:
        seen[p.code] = seen.get(p.code, 0) + 1
        if seen[p.code] <= shown:
            out.append(f"[{p.code}] {p.message}")
    out += [f"[{code}] 另有 {n - shown} 条同类提示（完整列表见 --json 输出）。" for code, n in seen.items() if n > shown]
    return out


def _assign_command(args) -> CommandResult:
    run = assign_reviewers(open_engine(args))
    a = run.assignment
    loads = sorted(run.loads.values()) or [0]
    entries_n = len(a.reviewers) if a else 0
    lines = [f"已为 {entries_n} 条参评内容分配评审专家（每条 {run.per_entry} 位），写入“评审分配”。",
             f"每位专家评审 {loads[0]}–{loads[-1]} 条；与上次分配相比新增或调整 {run.changed} 处。"]
    lines += _summarised(run.problems)
    if entries_n:
        lines.append("下一步：运行 kexie forms 为每位专家生成评分表。")
    data = {
        "assignments": [{"item_id": e, "reviewers": rs} for e, rs in (a.reviewers.items() if a else [])],
        "loads": run.loads,
        "per_entry": run.per_entry,
        "kept": a.kept if a else 0,
        "changed": run.changed,
        "problems": [p.to_json() for p in run.problems],
    }
    code = Exit.DATA_PROBLEMS if run.problems else Exit.OK
    return CommandResult(data=data, exit_code=code, lines=lines)


def _collect_command(args) -> CommandResult:
    from datetime import date

    today = date.fromisoformat(args.today) if getattr(args, "today", None) else None
    result = collect_reviews(args.master, args.inbox, today=today)
    return CommandResult(data=result.to_json(), exit_code=result.exit_code, lines=collect_lines(result))


def command(args) -> CommandResult:
    if args.review_command == "assign":
        return _assign_command(args)
    if args.review_command == "collect":
        return _collect_command(args)
    raise AssertionError(args.review_command)
