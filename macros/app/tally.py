"""Use case: tallies, targets, tasks and assessment of a campaign (kexie tally, button 更新统计).

* :func:`run_tally` — load, compute, write the 统计 sheet, save.
* :func:`refresh_stats` — load, compute, write 统计 **without saving**: other use cases that
  change the data (consolidation, validation…) call it before their own save, so 统计 never
  goes stale and its charts are regenerated. FileEngine reads see the rows written by
  ``write_table`` in the same session; for an engine that does not, or to tally rows not
  written yet, pass them as ``items=`` (schema keys, in sheet order).
* :func:`write_stats` — the layout step alone, for callers that already hold a TallyResult.
* :func:`tally_command` — ``kexie tally MASTER [--today D] [--json]`` and the button 更新统计.

Exit codes: 0 when the tally is done and no data problem was met; 1 when it
is done but data problems were found while tallying (items of units missing from the roster,
unreadable target values or deadlines, scoring rules that cannot be used…), listed in
``problems`` with code and cell. Units short of quota and overdue tasks are *results*, not data
problems: they are reported in ``short_of_quota`` and ``overdue_tasks`` and do not change the
exit code (a nightly run mid-campaign would otherwise always "fail"). 2 for a missing or
non-campaign workbook, 3 when the workbook cannot be written safely (open in Excel…).

``compute_tally`` and ``TallyResult`` are re-exported here from macros.core.tally.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence

from openpyxl.utils import get_column_letter

from macros.adapters.engine import WorkbookEngine
from macros.app.campaign import Campaign, load_campaign, typed_table
from macros.app.result import CommandResult
from macros.app.stats_formulas import ItemRefs, deadline_expression
from macros.app.stats_sheet import StatsLayout, build_stats_sheet
from macros.core.grid import TableData, header_key, settings_rows
from macros.core.tally import TallyResult, compute_tally
from macros.errors import ConfigError, Exit
from macros.problems import LEVEL_ZH, problem
from macros.schema import ITEMS, SETTINGS_HEADERS, SETTINGS_SHEET, SHEET_NAMES, setting

__all__ = ["TallyResult", "tally_command", "compute_tally", "refresh_stats", "run_tally", "write_stats"]


def _deadline_cell(engine: WorkbookEngine) -> str | None:
    """The A1 reference (with sheet) of 截止日期's value cell in 设置, or None."""
    if SETTINGS_SHEET not in engine.sheet_names():
        return None
    grid = engine.read_grid(SETTINGS_SHEET)
    row = settings_rows(grid).get("deadline")
    if row is None:
        return None
    value_col = None
    for line in grid[:30]:
        keys = [header_key(v) for v in line]
        if SETTINGS_HEADERS[0] in keys and SETTINGS_HEADERS[1] in keys:
            value_col = keys.index(SETTINGS_HEADERS[1])
            break
    if value_col is None:  # no header row: the value is right of the label
        label = header_key(setting("deadline").label)
        value_col = next((j for j, v in enumerate(grid[row - 1]) if header_key(v) == label), 0) + 1
    sheet = "'" + SETTINGS_SHEET.replace("'", "''") + "'"
    return f"{sheet}!${get_column_letter(value_col + 1)}${row}"


def _item_refs(engine: WorkbookEngine, campaign: Campaign, result: TallyResult) -> ItemRefs | None:
    data = campaign.tables.get("items")
    if data is None or not data.found:
        return None
    index = [int(i) for i in data.index]
    last = max(index) if index else data.header_row
    deadline = deadline_expression(result.deadline, campaign.raw_settings.get("deadline"),
                                   _deadline_cell(engine))
    return ItemRefs.from_table(data.letters, data.header_row, len(index), last, deadline)


def write_stats(engine: WorkbookEngine, campaign: Campaign, result: TallyResult) -> StatsLayout:
    """Write the 统计 sheet for ``result`` (no save); returns the layout with the Python value
    of every formula cell in ``expected``."""
    layout = build_stats_sheet(result, _item_refs(engine, campaign, result))
    engine.write_report(layout.report)
    return layout


def _with_items(campaign: Campaign, rows: Sequence[Mapping[str, Any]]) -> Campaign:
    """``campaign`` with 征集明细 replaced by ``rows`` as they are being written (same columns
    and header row as read; rows from the header down, in order)."""
    old = campaign.tables.get("items")
    header_row = old.header_row if old is not None and old.found else 1
    letters = dict(old.letters) if old is not None else {}
    keys = ITEMS.keys
    values = [[_blank_as_none(r.get(k)) for k in keys] for r in rows]
    raw = TableData(ITEMS, None, letters, header_row, missing=[k for k in keys if k not in letters],
                    index=range(header_row + 1, header_row + 1 + len(rows)), columns=keys, values=values)
    campaign.tables["items"] = raw
    campaign.typed["items"] = typed_table(ITEMS, raw, default_year=campaign.year)
    return campaign


def _blank_as_none(value: Any) -> Any:
    """NaN (and pandas' NaT) as None, as a frame read back from the sheet holds blanks."""
    if value is None or (isinstance(value, float) and value != value) or value.__class__.__name__ == "NaTType":
        return None
    return value


def refresh_stats(engine: WorkbookEngine, today: date | None = None, *, campaign: Campaign | None = None,
                  items: Sequence[Mapping[str, Any]] | None = None) -> TallyResult:
    """Recompute and rewrite 统计 without saving (see the module doc)."""
    if campaign is None:
        campaign = load_campaign(engine)
    if items is not None:
        campaign = _with_items(campaign, items)
    result = compute_tally(campaign, today or date.today())
    write_stats(engine, campaign, result)
    return result


def run_tally(engine: WorkbookEngine, today: date | None = None) -> TallyResult:
    """Load the campaign, compute every tally, write 统计 and save the workbook."""
    result = refresh_stats(engine, today)
    engine.save()
    return result


def _quota_lines(result: TallyResult) -> list[str]:
    tot = result.totals
    if not tot.units and not tot.submitted:
        return []
    lines = [f"  应报单位 {tot.units} 个，应报 {tot.quota} 条，实报 {tot.submitted} 条，有效 {tot.valid} 条，"
             f"逾期 {tot.late} 条，差额 {tot.shortfall} 条。"]
    short = result.short_units
    if short:
        names = "、".join(u.name for u in short[:10]) + ("等" if len(short) > 10 else "")
        lines.append(f"  未完成配额的单位 {len(short)} 个：{names}。")
    else:
        lines.append("  所有单位均已完成配额。")
    if result.ranking:
        top = "、".join(f"{u.name}（{u.score:g}分）" for u in result.ranking[:3])
        lines.append(f"  考核单位 {len(result.ranking)} 个，前三名：{top}。")
        for r in result.unscored:
            lines.append(f"  [W801] {problem('W801', item=r.item, method=r.method, weight=f'{r.weight:g}').message}")
    return lines


def _target_lines(result: TallyResult) -> list[str]:
    if not result.targets:
        return []
    done = sum(1 for t in result.targets if t.done)
    blank = sum(1 for t in result.targets if t.actual is None)
    return [f"  指标 {len(result.targets)} 项，已完成 {done} 项" + (f"，{blank} 项尚未填报实际值。" if blank else "。")]


def _task_lines(result: TallyResult) -> list[str]:
    if not result.tasks:
        return []
    overdue = "、".join(str(s) for s in result.overdue_tasks)
    done = sum(1 for t in result.tasks if (t.status or "").strip() == "已完成")
    return [f"  任务 {len(result.tasks)} 项，已完成 {done} 项，逾期 {len(result.overdue_tasks)} 项"
            + (f"（序号 {overdue}）。" if overdue else "。")]


def _pledge_lines(result: TallyResult) -> list[str]:
    names, missing = result.pledge_departments, result.pledges_missing
    if not names:
        return []
    line = f"  承诺：{len(names)} 个部室，已报送 {len(names) - len(missing)} 个，未报送 {len(missing)} 个"
    return [line + (f"（{'、'.join(missing)}）。" if missing else "。")]


def _summary(result: TallyResult) -> list[str]:
    """The tally's report, leading with what the campaign is about (tasks, indicators or quotas)."""
    lines = [
        f"统计完成（统计日期 {result.today.isoformat()}"
        + (f"，截止日期 {result.deadline.isoformat()}）：" if result.deadline else "，未设置截止日期）："),
    ]
    parts = [_pledge_lines, _quota_lines, _target_lines, _task_lines]
    if result.kind == "实施方案" or (result.tasks and not result.totals.units and result.kind != "工作要点"):
        parts = [_task_lines, _target_lines, _quota_lines]
    elif result.kind == "工作要点":
        parts = [_target_lines, _task_lines, _quota_lines]
    for part in parts:
        lines += part(result)
    if result.problems:
        lines.append(f"  统计中发现 {len(result.problems)} 个数据问题：")
        for p in result.problems[:50]:
            where = f"{p.sheet}!{p.cell}" if p.cell else (p.sheet or "")
            lines.append(f"    [{p.code} {LEVEL_ZH[p.level]}] {where}：{p.message}")
        if len(result.problems) > 50:
            lines.append(f"    ……另有 {len(result.problems) - 50} 个，见 --json 输出。")
    return lines


def tally_command(engine: WorkbookEngine, today: date | None = None) -> CommandResult:
    """``kexie tally`` and the button 更新统计, on the engine its shell opened."""
    if not set(engine.sheet_names()) & set(SHEET_NAMES):
        raise ConfigError(f"“{engine.name}”不是活动工作簿（没有“单位名册”“征集明细”等工作表）。"
                          "请用 kexie new 新建的工作簿。")
    result = run_tally(engine, today)
    data = result.to_json()
    data["master"] = str(engine.path) if engine.path is not None else engine.name
    data["written"] = True
    data["problems"] = [p.to_json() for p in result.problems]
    lines = _summary(result) + [f"  结果已写入“{engine.name}”的“统计”工作表。"]
    return CommandResult(data=data, exit_code=Exit.DATA_PROBLEMS if result.problems else Exit.OK,
                         lines=lines)
