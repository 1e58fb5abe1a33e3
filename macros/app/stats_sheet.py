"""Lay out the 统计 sheet from a TallyResult: tables with live formulas, and native charts.

The column lists come from ``macros.schema.STATS_TABLES``. Where a number follows from
征集明细 (实报, 有效, 逾期, 差额, 完成率, per-topic counts, the assessment points, 总分, 排名,
等次) the cell holds an Excel formula over 征集明细's columns, found by header in the sheet
(COUNTIFS/AVERAGEIFS over absolute ranges such as ``'征集明细'!$B$2:$B$5001``), so the numbers
update as soon as staff edit an item's 状态, 评分 or 是否采纳, or add rows. The deadline is
read from its cell in 设置 when that cell holds a real date. Everything else (quotas, targets,
tasks, commendation lists) is a value as of the last 更新统计.

Formula semantics mirror macros.core.tally exactly — every formula cell's Python value is
recorded in ``StatsLayout.expected`` so a test can recalculate the workbook (LibreOffice) and
compare cell by cell:

* 有效: COUNTIFS with ``状态 <> 无效/重复/作废`` (blank is 有效);
* 逾期: ``报送日期 >= 截止日期 + 1`` (the deadline day, whatever its time of day, is on time);
* text criteria are matched with COUNTIFS (case-insensitive, whole cell). A criterion holding
  a wildcard character (``* ? ~``) or longer than 255 characters falls back to SUMPRODUCT,
  which matches literally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Sequence

from openpyxl.utils import get_column_letter

from macros.adapters.engine import Block, ChartSpec, Formula, ReportSheet
from macros.app.stats_pledges import pledge_blocks
from macros.app.stats_rows import NO_VALUE
from macros.app.stats_rows import col as _col
from macros.app.stats_rows import formats as _formats
from macros.app.stats_rows import pct as _pct
from macros.app.stats_rows import row as _row
from macros.app.stats_rows import widths as _widths
from macros.core.tally import TallyResult, UnitTally
from macros.schema import (
    INVALID_ITEM_STATUSES, ITEMS, STATS_ASSESSMENT, STATS_CATEGORIES,
    STATS_DEPARTMENTS, STATS_EXCELLENT, STATS_INDIVIDUALS, STATS_RULE_COLUMNS_BEFORE, STATS_SHEET,
    STATS_TARGETS, STATS_TASKS, STATS_TOPICS, STATS_UNITS, Table,
)

RANGE_SLACK = 5000  # formulas reach this many rows below the last item, for rows staff add
POINTS_FORMAT = "0.0"
MAX_WIDTH = 40
YES = "是"


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _str(text: str) -> str:
    """An Excel string literal."""
    return '"' + text.replace('"', '""') + '"'


@dataclass
class ItemRefs:
    """Where the columns of 征集明细 are, for formulas; and how to refer to the deadline."""

    letters: dict[str, str]  # schema key → column letter (as read from the sheet)
    first_row: int  # first data row
    last_row: int  # last row the ranges cover
    deadline: str | None = None  # an Excel expression for 截止日期 (cell or DATE(...)); None: unset
    sheet: str = ITEMS.sheet

    @classmethod
    def from_table(cls, letters: dict[str, str], header_row: int, n_rows: int, last_data_row: int,
                   deadline_expr: str | None) -> "ItemRefs | None":
        if header_row <= 0 or "unit_code" not in letters:
            return None
        return cls(dict(letters), header_row + 1, max(last_data_row, header_row + n_rows) + RANGE_SLACK,
                   deadline_expr)

    def rng(self, key: str) -> str | None:
        letter = self.letters.get(key)
        if letter is None:
            return None
        return f"{_quote(self.sheet)}!${letter}${self.first_row}:${letter}${self.last_row}"


def deadline_expression(deadline: date | None, raw_value: Any, cell: str | None) -> str | None:
    """The deadline as an Excel expression: its 设置 cell when that holds a real date, else a
    DATE() literal of the parsed deadline; None without a deadline."""
    if deadline is None:
        return None
    if cell and isinstance(raw_value, (date, datetime)):
        raw_day = raw_value.date() if isinstance(raw_value, datetime) else raw_value
        if raw_day == deadline:
            return cell
    return f"DATE({deadline.year},{deadline.month},{deadline.day})"


# --- formula helpers ---------------------------------------------------------------------------

class Criteria:
    """A conjunction of conditions on 征集明细 rows, rendered as COUNTIFS/AVERAGEIFS arguments
    or, when a text criterion cannot go through COUNTIFS, as SUMPRODUCT factors."""

    def __init__(self, refs: ItemRefs):
        self.refs = refs
        self.pairs: list[tuple[str, str]] = []  # (range, COUNTIFS criterion expression)
        self.factors: list[str] = []  # SUMPRODUCT factors, same conditions
        self.literal_needed = False

    def equals(self, key: str, cell: str, text: str) -> "Criteria":
        rng = self.refs.rng(key)
        self.pairs.append((rng, cell))
        self.factors.append(f"({rng}={cell})")
        if any(ch in text for ch in "*?~") or len(text) > 255:
            self.literal_needed = True
        return self

    def nonblank(self, key: str) -> "Criteria":
        rng = self.refs.rng(key)
        self.pairs.append((rng, '"<>"'))
        self.factors.append(f'({rng}<>"")')
        return self

    def valid(self) -> "Criteria":
        rng = self.refs.rng("status")
        if rng is None:  # no 状态 column: every row is 有效
            return self
        for status in INVALID_ITEM_STATUSES:
            self.pairs.append((rng, _str("<>" + status)))
            self.factors.append(f"({rng}<>{_str(status)})")
        return self

    def late(self) -> "Criteria":
        rng = self.refs.rng("submitted_on")
        assert rng is not None and self.refs.deadline is not None
        self.pairs.append((rng, f'">="&({self.refs.deadline}+1)'))
        self.factors.append(f"ISNUMBER({rng})*({rng}>={self.refs.deadline}+1)")
        return self

    def adopted(self) -> "Criteria":
        rng = self.refs.rng("adopted")
        self.pairs.append((rng, _str(YES)))
        self.factors.append(f"({rng}={_str(YES)})")
        return self

    def count(self) -> str:
        if self.literal_needed:
            return "SUMPRODUCT(" + "*".join(self.factors) + ")"
        return "COUNTIFS(" + ",".join(f"{r},{c}" for r, c in self.pairs) + ")"

    def average(self, key: str) -> str:
        rng = self.refs.rng(key)
        if self.literal_needed:
            cond = "*".join(self.factors)
            return (f"SUMPRODUCT({cond}*ISNUMBER({rng}),{rng})/SUMPRODUCT({cond}*ISNUMBER({rng}))")
        return f"AVERAGEIFS({rng}," + ",".join(f"{r},{c}" for r, c in self.pairs) + ")"


@dataclass
class Calc:
    """A formula cell and the value Python computed for it."""

    formula: str  # without the leading "="
    expected: Any


@dataclass
class StatsLayout:
    report: ReportSheet
    expected: dict[str, Any] = field(default_factory=dict)  # A1 cell → Python value of its formula
    anchors: dict[str, str] = field(default_factory=dict)  # stats table key → header cell


class _Sheet:
    def __init__(self, name: str):
        self.report = ReportSheet(name)
        self.expected: dict[str, Any] = {}
        self.anchors: dict[str, str] = {}
        self.row = 1
        self.widths: dict[int, float] = {}

    def add(self, rows: list[list[Any]], title: str | None = None, header: bool = True,
            formats: dict[int, str] | None = None, widths: dict[int, float] | None = None,
            key: str | None = None, gap: int = 2) -> int:
        """Append a block in column A; returns the worksheet row of its first data row."""
        anchor_row = self.row
        top = anchor_row + (1 if title else 0)
        out_rows = []
        for i, values in enumerate(rows):
            line = []
            for j, v in enumerate(values):
                if isinstance(v, Calc):
                    self.expected[f"{get_column_letter(j + 1)}{top + i}"] = v.expected
                    v = Formula("=" + v.formula)
                line.append(v)
            out_rows.append(line)
        self.report.blocks.append(Block(f"A{anchor_row}", out_rows, title=title, header=header,
                                        formats=dict(formats or {})))
        for j, w in (widths or {}).items():
            self.widths[j] = min(MAX_WIDTH, max(self.widths.get(j, 0), w))
        if key:
            self.anchors[key] = f"A{top}"
        self.row = top + len(rows) + gap
        return top + (1 if header else 0)

    def finish(self) -> StatsLayout:
        for block in self.report.blocks:
            block.widths = dict(self.widths)
        return StatsLayout(self.report, self.expected, self.anchors)


_LABEL_CUT = re.compile(r"[，,；;：:（(]")
LABEL_CHARS = 14


def short_label(code: Any, topic: str) -> str:
    """A chart label for a topic: its 编号 and the topic up to the first comma, at most 14 characters."""
    head = _LABEL_CUT.split(topic, 1)[0].strip() or topic
    if len(head) > LABEL_CHARS:
        head = head[: LABEL_CHARS - 1] + "…"
    return f"{code} {head}" if code not in (None, "") else head


# --- the sheet ---------------------------------------------------------------------------------

def build_stats_sheet(result: TallyResult, refs: ItemRefs | None) -> StatsLayout:
    """The 统计 sheet for ``result``; ``refs`` None writes values only (no 征集明细 found)."""
    sh = _Sheet(STATS_SHEET)
    live = ("各表中的实报、有效、逾期、差额、完成率、采纳数和考核得分、总分、排名、等次是公式，"
            "修改“征集明细”（状态、评分、是否采纳、报送日期或新增行）后自动更新；"
            "其余内容在点击“更新统计”（或运行 kexie tally）时重新生成。")
    if refs is None:
        live = "没有找到“征集明细”表，本页为点击“更新统计”时的结果。"
    info = [
        ["统计日期", result.today],
        ["截止日期", result.deadline if result.deadline else "未设置"],
        ["应报单位", f"{len(result.units)} 个，其中未完成配额 {len(result.short_of_quota)} 个"],
        ["说明", live],
    ]
    sh.add(info, title=f"{result.campaign_name or '活动'} · 统计", header=False,
           formats={1: "yyyy-mm-dd"}, gap=1)

    unit_rows = _units_block(sh, result, refs)
    _categories_block(sh, result, unit_rows)
    topic_first, topic_last = _topics_block(sh, result, refs)
    _assessment_block(sh, result, refs, unit_rows)
    _commendation_blocks(sh, result)
    _targets_block(sh, result)
    _tasks_blocks(sh, result)
    pledge_blocks(sh, result)

    width = max(len(STATS_UNITS.columns), len(STATS_TASKS.columns)) + 2
    chart_col = get_column_letter(width)
    if unit_rows:
        first, last = min(unit_rows.values()), max(unit_rows.values())
        n = last - first + 1
        name_col, quota_col = _col(STATS_UNITS, "unit"), _col(STATS_UNITS, "quota")
        sub_col, valid_col = _col(STATS_UNITS, "submitted"), _col(STATS_UNITS, "valid")
        sh.report.charts.append(ChartSpec(
            "bar", "各单位实报与应报", f"{chart_col}{first - 1}",
            categories=f"{name_col}{first}:{name_col}{last}",
            series=[("应报", f"{quota_col}{first}:{quota_col}{last}"),
                    ("实报", f"{sub_col}{first}:{sub_col}{last}"),
                    ("有效", f"{valid_col}{first}:{valid_col}{last}")],
            width_cm=18, height_cm=max(8.0, min(60.0, 0.55 * n + 3)), y_title="条数"))
    if topic_first is not None and topic_last >= topic_first:
        n = topic_last - topic_first + 1
        t_col, s_col = _col(STATS_TOPICS, "label"), _col(STATS_TOPICS, "submitted")
        v_col = _col(STATS_TOPICS, "valid")
        sh.report.charts.append(ChartSpec(
            "bar", "各主题领域报送条数", f"{chart_col}{topic_first - 1}",
            categories=f"{t_col}{topic_first}:{t_col}{topic_last}",
            series=[("实报", f"{s_col}{topic_first}:{s_col}{topic_last}"),
                    ("有效", f"{v_col}{topic_first}:{v_col}{topic_last}")],
            width_cm=18, height_cm=max(8.0, min(60.0, 0.55 * n + 3)), y_title="条数"))
    return sh.finish()


def _units_block(sh: _Sheet, result: TallyResult, refs: ItemRefs | None) -> dict[str, int]:
    """The per-unit table; returns unit code → its worksheet row."""
    t = STATS_UNITS
    first = sh.row + 2  # title, header
    rows: list[list[Any]] = [t.headers]
    where: dict[str, int] = {}
    c = {k: _col(t, k) for k in t.keys}
    for i, u in enumerate(result.units):
        r = first + i
        where[u.code] = r
        rows.append(_row(t, unit_code=u.code, unit=u.name, category=u.category, quota=u.quota,
                         **_unit_counts(u, r, c, refs)))
    sh.add(rows, title="一、按单位统计（应报、实报、有效、逾期、差额、完成率）", formats=_formats(t),
           widths=_widths(t), key=t.key)
    return where


def _unit_counts(u: UnitTally, r: int, c: dict[str, str], refs: ItemRefs | None) -> dict[str, Any]:
    shortfall = Calc(f"MAX(0,{c['quota']}{r}-{c['valid']}{r})", u.shortfall)
    completion: Any = NO_VALUE
    if u.quota > 0:
        completion = Calc(f"{c['valid']}{r}/{c['quota']}{r}", u.completion)
    if refs is None:
        return dict(submitted=u.submitted, valid=u.valid, late=u.late, shortfall=shortfall, completion=completion)
    code = f"${c['unit_code']}{r}"
    submitted = Calc(Criteria(refs).equals("unit_code", code, u.code).count(), u.submitted)
    valid = Calc(Criteria(refs).equals("unit_code", code, u.code).valid().count(), u.valid)
    late: Any = u.late
    if refs.deadline and refs.rng("submitted_on"):
        late = Calc(Criteria(refs).equals("unit_code", code, u.code).late().count(), u.late)
    return dict(submitted=submitted, valid=valid, late=late, shortfall=shortfall, completion=completion)


def _categories_block(sh: _Sheet, result: TallyResult, unit_rows: dict[str, int]) -> None:
    t = STATS_CATEGORIES
    u = {k: _col(STATS_UNITS, k) for k in STATS_UNITS.keys}
    c = {k: _col(t, k) for k in t.keys}
    rows: list[list[Any]] = [t.headers]
    first = sh.row + 2
    if unit_rows:
        lo, hi = min(unit_rows.values()), max(unit_rows.values())

        def urng(key: str) -> str:
            return f"${u[key]}${lo}:${u[key]}${hi}"
    for i, cat in enumerate(result.categories):
        r = first + i
        if not unit_rows:
            break
        crit = f"${c['category']}{r}"
        literal = any(ch in cat.category for ch in "*?~")

        def sumifs(key: str, value: int) -> Calc:
            if literal:
                return Calc(f"SUMPRODUCT(({urng('category')}={crit})*{urng(key)})", value)
            return Calc(f"SUMIFS({urng(key)},{urng('category')},{crit})", value)

        short = (Calc(f"SUMPRODUCT(({urng('category')}={crit})*({urng('shortfall')}>0))", cat.short_units)
                 if literal else
                 Calc(f"COUNTIFS({urng('category')},{crit},{urng('shortfall')},\">0\")", cat.short_units))
        completion: Any = NO_VALUE
        if cat.quota > 0:
            completion = Calc(f"{c['valid']}{r}/{c['quota']}{r}", cat.completion)
        rows.append(_row(t, category=cat.category, units=cat.units, quota=cat.quota,
                         submitted=sumifs("submitted", cat.submitted), valid=sumifs("valid", cat.valid),
                         late=sumifs("late", cat.late), shortfall=sumifs("shortfall", cat.shortfall),
                         completion=completion, short_units=short))
    if len(rows) > 1:
        r = first + len(rows) - 1
        a, b = first, r - 1
        tot = result.totals

        def total(key: str, value: int) -> Calc:
            return Calc(f"SUM({c[key]}{a}:{c[key]}{b})", value)

        completion = NO_VALUE if tot.quota == 0 else Calc(f"{c['valid']}{r}/{c['quota']}{r}", tot.completion)
        rows.append(_row(t, category="合计", units=tot.units, quota=tot.quota,
                         submitted=total("submitted", tot.submitted), valid=total("valid", tot.valid),
                         late=total("late", tot.late), shortfall=total("shortfall", tot.shortfall),
                         completion=completion, short_units=total("short_units", tot.short_units)))
    sh.add(rows, title="二、按单位类别统计", formats=_formats(t), widths=_widths(t), key=t.key)


def _topics_block(sh: _Sheet, result: TallyResult, refs: ItemRefs | None) -> tuple[int | None, int]:
    """The per-topic table; returns (first, last) rows of the listed topics (for the chart)."""
    t = STATS_TOPICS
    c = {k: _col(t, k) for k in t.keys}
    rows: list[list[Any]] = [t.headers]
    first = sh.row + 2
    listed = [tp for tp in result.topics if tp.code is not None]
    others = [tp for tp in result.topics if tp.code is None]
    for i, tp in enumerate(listed):
        r = first + i
        if refs is None or refs.rng("topic") is None:
            rows.append(_row(t, code=tp.code, topic=tp.topic, submitted=tp.submitted, valid=tp.valid,
                             late=tp.late, adopted=tp.adopted, label=short_label(tp.code, tp.topic)))
            continue
        cell = f"${c['topic']}{r}"

        def crit() -> Criteria:
            return Criteria(refs).equals("topic", cell, tp.topic)

        late: Any = tp.late
        if refs.deadline and refs.rng("submitted_on"):
            late = Calc(crit().late().count(), tp.late)
        adopted: Any = tp.adopted
        if refs.rng("adopted"):
            adopted = Calc(crit().valid().adopted().count(), tp.adopted)
        rows.append(_row(t, code=tp.code, topic=tp.topic, submitted=Calc(crit().count(), tp.submitted),
                         valid=Calc(crit().valid().count(), tp.valid), late=late, adopted=adopted,
                         label=short_label(tp.code, tp.topic)))
    last_listed = first + len(listed) - 1
    for tp in others:  # items whose topic is not in the list: all rows minus the listed ones
        r = first + len(rows) - 1
        if refs is None or refs.rng("topic") is None or refs.rng("item_id") is None or not listed:
            rows.append(_row(t, code="", topic=tp.topic, submitted=tp.submitted, valid=tp.valid, late=tp.late,
                             adopted=tp.adopted))
            continue

        def rest(key: str, crit: Criteria, value: int) -> Calc:
            return Calc(f"{crit.count()}-SUM({c[key]}{first}:{c[key]}{last_listed})", value)

        late = tp.late
        if refs.deadline and refs.rng("submitted_on"):
            late = rest("late", Criteria(refs).nonblank("item_id").late(), tp.late)
        adopted = tp.adopted
        if refs.rng("adopted"):
            adopted = rest("adopted", Criteria(refs).nonblank("item_id").valid().adopted(), tp.adopted)
        rows.append(_row(t, code="", topic=tp.topic,
                         submitted=rest("submitted", Criteria(refs).nonblank("item_id"), tp.submitted),
                         valid=rest("valid", Criteria(refs).nonblank("item_id").valid(), tp.valid), late=late,
                         adopted=adopted))
    if len(rows) > 1:
        a, b = first, first + len(rows) - 2
        sums = {key: Calc(f"SUM({c[key]}{a}:{c[key]}{b})", sum(getattr(tp, key) for tp in result.topics))
                for key in ("submitted", "valid", "late", "adopted")}
        rows.append(_row(t, code="合计", topic="", **sums))
    sh.add(rows, title="三、按主题领域统计", formats=_formats(t), widths=_widths(t), key=t.key)
    return (first if listed else None), last_listed


@dataclass(frozen=True)
class _Spliced:
    """A 统计 table with columns inserted before one of its schema columns (the 考核规则 items
    before 总分): headers, column letters, rows, formats and widths all by column key, so no
    position is written twice."""

    table: Table
    before: str  # the schema column the inserted ones precede
    inserted: tuple[str, ...]  # the inserted columns' headers

    @property
    def split(self) -> int:
        return self.table.keys.index(self.before)

    def index(self, key: str) -> int:
        """0-based sheet column of a schema column."""
        j = self.table.keys.index(key)
        return j + (len(self.inserted) if j >= self.split else 0)

    def letter(self, key: str) -> str:
        return get_column_letter(self.index(key) + 1)

    def inserted_letter(self, i: int) -> str:
        return get_column_letter(self.split + 1 + i)

    @property
    def headers(self) -> list[Any]:
        h = self.table.headers
        return h[:self.split] + list(self.inserted) + h[self.split:]

    def row(self, inserted: Sequence[Any], **values: Any) -> list[Any]:
        if len(inserted) != len(self.inserted):
            raise ValueError(f"{self.table.key}: {len(inserted)} values for {len(self.inserted)} inserted columns")
        plain = _row(self.table, **values)
        return plain[:self.split] + list(inserted) + plain[self.split:]

    def formats(self, inserted: str) -> dict[int, str]:
        out = {self.index(c.key): c.format for c in self.table.columns if c.format}
        out.update({self.split + i: inserted for i in range(len(self.inserted))})
        return out

    def widths(self, inserted: Sequence[float]) -> dict[int, float]:
        out = {self.index(c.key): c.width for c in self.table.columns}
        out.update({self.split + i: w for i, w in enumerate(inserted)})
        return out


def _assessment_block(sh: _Sheet, result: TallyResult, refs: ItemRefs | None,
                      unit_rows: dict[str, int]) -> None:
    rules = result.rules
    t = _Spliced(STATS_ASSESSMENT, STATS_RULE_COLUMNS_BEFORE, tuple(r.item for r in rules))
    u = {k: _col(STATS_UNITS, k) for k in STATS_UNITS.keys}
    rows: list[list[Any]] = [t.headers]
    first = sh.row + 2
    last = first + len(result.ranking) - 1
    weight_sum = sum(r.weight for r in rules)
    score_col = t.letter("score")
    for i, unit in enumerate(result.ranking):
        r = first + i
        ur = unit_rows[unit.code]
        valid, quota = f"{u['valid']}{ur}", f"{u['quota']}{ur}"
        code = f"${t.letter('unit_code')}{r}"
        points: list[Any] = []
        for rule in rules:
            value = unit.points[rule.item]
            formula = _points_formula(rule.method, valid, quota, code, unit, refs)
            points.append(Calc(formula, value) if formula else value)
        if rules:
            terms = "+".join(f"{_num(rule.weight)}*{t.inserted_letter(k)}{r}" for k, rule in enumerate(rules))
            score: Any = Calc(f"ROUND(({terms})/{_num(weight_sum)},2)", unit.score)
        else:
            score = Calc("0", unit.score)
        s = f"{score_col}{r}"
        rank = Calc(f"RANK({s},${score_col}${first}:${score_col}${last})", unit.rank)
        grade = _grade_formula(s, result.grade_thresholds)
        rows.append(t.row(points, rank=rank, unit_code=unit.code, unit=unit.name, category=unit.category,
                          score=score, grade=Calc(grade, unit.grade or "") if grade else (unit.grade or "")))
    if len(rows) == 1:
        rows.append(["", "本次没有参加考核的单位（配额规则中“是否考核”为“是”且应报大于 0 的单位）。"])
    weights = "；".join(f"{r.item}（{r.method}）权重 {_num(r.weight)}" for r in rules) or "考核规则为空"
    sh.add(rows, title=f"四、考核结果（{weights}；各项为 0–100 分，总分按权重加权）",
           formats=t.formats(POINTS_FORMAT),
           widths=t.widths([max(8.0, len(r.item) * 2.2) for r in rules]), key=STATS_ASSESSMENT.key)


def _num(x: float) -> str:
    return f"{x:g}" if float(x).is_integer() or len(f"{x:g}") < 12 else repr(float(x))


def _points_formula(method: str, valid: str, quota: str, code: str, unit: UnitTally,
                    refs: ItemRefs | None) -> str | None:
    if method == "数量":
        return f"IF({valid}=0,0,MIN(1,{valid}/{quota})*100)"
    if refs is None:
        return None
    if method == "及时":
        if refs.deadline and refs.rng("submitted_on"):
            late_valid = Criteria(refs).equals("unit_code", code, unit.code).valid().late().count()
            return f"IF({valid}=0,0,({valid}-{late_valid})/{valid}*100)"
        return f"IF({valid}=0,0,100)"
    if method == "质量":
        if refs.rng("score") is None:
            return f"IF({valid}=0,0,0)"
        avg = Criteria(refs).equals("unit_code", code, unit.code).valid().average("score")
        return f"IF({valid}=0,0,MAX(0,MIN(100,IFERROR({avg},0))))"
    if method == "采纳":
        if refs.rng("adopted") is None:
            return f"IF({valid}=0,0,0)"
        adopted = Criteria(refs).equals("unit_code", code, unit.code).valid().adopted().count()
        return f"IF({valid}=0,0,MIN(1,{adopted}/{quota})*100)"
    return None


def _grade_formula(score_cell: str, thresholds: Sequence[tuple[str, float]]) -> str | None:
    if not thresholds:
        return None
    formula = '""'
    for grade, minimum in sorted(thresholds, key=lambda g: g[1]):  # innermost = lowest
        formula = f"IF({score_cell}>={_num(minimum)},{_str(grade)},{formula})"
    return formula


def _commendation_blocks(sh: _Sheet, result: TallyResult) -> None:
    t = STATS_EXCELLENT
    rows: list[list[Any]] = [t.headers]
    for u in result.excellent_units:
        rows.append(_row(t, rank=u.rank, unit_code=u.code, unit=u.name, score=u.score, grade=u.grade or ""))
    if len(rows) == 1:
        rows.append(["", "（暂无：没有得分大于 0 的考核单位，或“设置”中优秀组织单位名额为空）"])
    sh.add(rows, title=f"五、优秀组织单位（考核前 {result.excellent_quota} 名，并列同计；更新统计时确定）",
           formats=_formats(t), widths=_widths(t), key=t.key)
    t = STATS_INDIVIDUALS
    rows = [t.headers]
    for p in result.individuals:
        rows.append(_row(t, author=p.author, author_org=p.author_org or "",
                         unit=p.unit_name or p.unit_code or "", adopted=p.adopted, titles="；".join(p.titles)))
    if len(rows) == 1:
        rows.append(["（暂无：还没有被采纳的计策）"])
    sh.add(rows, title="六、先进个人（有计策被采纳的献策人；更新统计时确定）", formats=_formats(t),
           widths=_widths(t), key=t.key)


def _targets_block(sh: _Sheet, result: TallyResult) -> None:
    t = STATS_TARGETS
    rows: list[list[Any]] = [t.headers]
    for i, x in enumerate(result.targets, start=1):
        rows.append(_row(t, seq=i, name=x.name, target=x.target, actual=x.actual, unit=x.unit or "",
                         compare=x.compare, completion=_pct(x.completion), status=x.status,
                         department=x.department or ""))
    if len(rows) == 1:
        rows.append(["", "（“指标”工作表中没有指标）"])
    sh.add(rows, title="七、指标完成情况", formats=_formats(t), widths=_widths(t), key=t.key)


def _tasks_blocks(sh: _Sheet, result: TallyResult) -> None:
    t = STATS_TASKS
    rows: list[list[Any]] = [t.headers]
    for x in result.tasks:
        rows.append(_row(t, seq=x.seq, task=x.task, lead="、".join(x.lead), support="、".join(x.support),
                         due=x.due, status=x.status or "", overdue="是" if x.overdue else "否",
                         days_overdue=x.days_overdue or None))
    if len(rows) == 1:
        rows.append(["", "（“任务分工”工作表中没有任务）"])
    sh.add(rows, title=f"八、任务进度（截至 {result.today.isoformat()}，逾期 {len(result.overdue_tasks)} 项）",
           formats=_formats(t), widths=_widths(t), key=t.key)
    t = STATS_DEPARTMENTS
    rows = [t.headers]
    for d in result.departments:
        rows.append(_row(t, department=d.department, lead=d.lead, join=d.join, overdue=d.overdue))
    if len(rows) == 1:
        rows.append(["（没有任务或机关部室）"])
    sh.add(rows, title="九、各部门牵头、配合任务数", formats=_formats(t), widths=_widths(t), key=t.key)
