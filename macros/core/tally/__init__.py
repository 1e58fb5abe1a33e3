"""Tallies of a campaign: quotas, 实报/有效/逾期/差额/完成率 per unit, category and topic, with
the targets, tasks and assessment results — everything ``kexie tally`` reports.

Pure: no I/O. The one entry point is :func:`compute_tally` (see its docstring for the stable
contract other use cases — the 统计 sheet, ``kexie report`` documents — rely on).

Rules
-----
* 应报 (quota) of a unit = its own 配额 in 单位名册, else its category's 最少报送数 in 配额规则
  (a category without a rule: 0, warned W302; a negative 配额: 0, warned W312).
* Items belong to the unit whose 单位编号 they carry (compared as text, ignoring case, as
  Excel's COUNTIFS does — the 统计 formulas count the same way). Items whose 单位编号 is not in
  the roster count for no unit (warned W301) but do count per topic.
* 实报 = every item row of the unit. 有效 = those whose 状态 is not 无效/重复/作废 (blank is
  有效). 逾期 = items dated after 截止日期 (the deadline day itself is on time; an undated item
  is not late); a late item still counts in 实报 and 有效. 差额 = max(0, 应报 − 有效).
  完成率 = 有效 / 应报 (not capped; None when 应报 is 0).
* Units listed: every roster unit whose quota is above 0, whose category is assessed (是否考核
  = 是), or which sent anything — roster order. Units with quota 0, not assessed and silent
  (e.g. 机关部室 in a 献策 campaign) are left out.
* Per category: the listed units of each category (vocabulary order, then others); 差额 is the
  sum of the units' shortfalls (one unit's surplus never covers another's gap).
* Per topic: items per 主题领域 in the topic list's order, matched on the exact text (case
  ignored); items whose topic is not in the list go to a last row with ``code`` None.
* Targets: macros.core.targets. Tasks: macros.core.tasks. Assessment: macros.core.assess.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from macros.core.grid import row_records
from macros.core.commend import commend_grade, unscored_rules
from macros.core.dept_returns import period_progress
from macros.core.kind_settings import campaign_kind
from macros.core.pledge_returns import missing_pledges
from macros.core.pledges import progress_ranking, select_pioneers
from macros.core.normalize import display_text
from macros.core.tasks import department_loads
from macros.problems import Problem

from macros.core.tally.records import (
    CategoryTally, ItemTally, OTHER_TOPIC, TallyResult, TopicTally, UnitTally, is_valid_status, match_key,
)
from macros.core.tally.sections import (
    Cells, individual_tally, pioneer_places, assessment, category_tally, item_tally, quota_rules, roster_tally, target_tally, task_tally, topic_list,
)

__all__ = [
    "CategoryTally", "ItemTally", "OTHER_TOPIC", "TallyResult", "TopicTally", "UnitTally",
    "compute_tally", "is_valid_status", "match_key",
]


def compute_tally(campaign: Any, today: date | None = None) -> TallyResult:
    """Compute every tally of ``campaign`` as of ``today`` (default: the real today).

    ``campaign`` is a ``macros.app.campaign.Campaign`` (or anything with ``settings`` — typed,
    schema keys — and ``frames`` — typed frames by table key, indexed by worksheet row; an
    optional ``tables`` of raw ``TableData`` gives problems their cells and lets targets read
    values with units as typed).

    Stable contract of the returned :class:`TallyResult` (fields may be added, never renamed):

    * ``today``, ``deadline`` (截止日期 or None), ``campaign_name``;
    * ``units``: :class:`UnitTally` per listed unit in roster order — ``code``, ``name``,
      ``category``, ``quota`` (应报), ``submitted`` (实报), ``valid`` (有效), ``late`` (逾期),
      ``shortfall`` (差额), ``completion`` (完成率 or None), ``adopted``, ``mean_score``,
      ``assessed``, ``points`` (考核项目 → 0–100), ``score``/``rank``/``grade`` (None unless
      assessed), ``contact``/``post``/``phone``/``email`` from the roster, ``item_rows``
      (its rows in 征集明细), ``row`` (its row in 单位名册);
    * ``short_of_quota``: codes of units with 差额 > 0; ``short_units``: those UnitTally;
    * ``categories`` (:class:`CategoryTally`) and ``totals`` (the same summed, "合计");
    * ``topics`` (:class:`TopicTally`, topic-list order; items outside the list last, code None);
    * ``items``: :class:`ItemTally` per 征集明细 row (valid/late/adopted flags, matched topic);
    * ``rules`` (usable 考核规则 rows), ``grade_thresholds``, ``ranking`` (assessed units by
      rank), ``excellent_units`` (优秀组织单位), ``excellent_quota``, ``individuals``
      (先进个人, also as ``advanced_individuals``);
    * ``targets`` (:class:`macros.core.targets.TargetResult`), ``tasks``
      (:class:`macros.core.tasks.TaskResult`), ``overdue_tasks`` (序号), ``departments``
      (:class:`macros.core.tasks.DepartmentLoad`);
    * ``problems``: data problems found while tallying (codes W30x/W31x, with cells);
    * ``to_json()``: the ``kexie tally --json`` object; ``unit(code)``: lookup.
    """
    today = today or date.today()
    settings = getattr(campaign, "settings", {}) or {}
    # typed tables by key: a Campaign's own (no pandas), or frames of a caller that has only those
    frames = getattr(campaign, "typed", None) or getattr(campaign, "frames", {}) or {}
    cells = Cells(campaign)
    problems: list[Problem] = []
    deadline = settings.get("deadline") if isinstance(settings.get("deadline"), date) else None

    rules_by_cat = quota_rules(frames.get("quota_rules"))
    roster, by_code, departments = roster_tally(frames.get("units"), rules_by_cat, cells, problems)
    topics, topic_by_key = topic_list(frames.get("topics"))
    items = item_tally(frames.get("items"), deadline, roster, by_code, topics, topic_by_key, cells, problems)
    units = [u for u in roster if u.quota > 0 or u.category_assessed or u.submitted > 0]
    categories, totals = category_tally(units)
    rules, thresholds, ranking, excellent, n_excellent = assessment(units, frames, settings, cells, problems)
    individuals = individual_tally(items, roster)
    raw_targets = cells.tables.get("targets")
    targets = target_tally(raw_targets if raw_targets is not None else frames.get("targets"), cells,
                           problems)
    tasks = task_tally(frames.get("tasks"), departments, today, cells, problems)
    loads = department_loads(tasks, departments)

    return TallyResult(
        today=today, deadline=deadline, campaign_name=display_text(settings.get("campaign_name")),
        units=units, categories=categories, totals=totals, topics=topics, items=items,
        short_of_quota=[u.code for u in units if u.short], rules=rules,
        grade_thresholds=thresholds, ranking=ranking, excellent_units=excellent,
        excellent_quota=n_excellent, individuals=individuals, targets=targets, tasks=tasks,
        overdue_tasks=[t.seq for t in tasks if t.overdue and t.seq is not None],
        departments=loads, problems=problems, commend_grade=commend_grade(settings.get("commend_min_grade")),
        unscored=unscored_rules(rules, items, {u.code.casefold() for u in ranking}) if ranking else [],
        kind=campaign_kind(settings),
        progress=progress_ranking([r for _row, r in row_records(frames.get("commitments"))], today),
        pioneers=select_pioneers([r for _row, r in row_records(frames.get("reviews"))], pioneer_places(settings)),
        target_periods=period_progress([r for _row, r in row_records(frames.get("target_progress"))], targets),
        **_pledge_returns(frames, campaign_kind(settings)),
    )


def _pledge_returns(frames, kind: str) -> dict[str, list[str]]:
    """Who returns 承诺 and who has not yet (only on a 活动方案 campaign)."""
    if kind != "活动方案":
        return {}
    units = [r for _row, r in row_records(frames.get("units"))]
    commitments = [r for _row, r in row_records(frames.get("commitments"))]
    names, missing = missing_pledges(units, commitments)
    return {"pledge_departments": names, "pledges_missing": missing}
