"""A review round's inputs as plain data: settings, entries, reviewers and criteria.

Pure functions, no I/O: they turn typed rows of the campaign workbook (schema keys) into the
objects of :mod:`macros.core.review_assign` and :mod:`macros.core.review_scores`.

* Entries are the rows of 征集明细 that count (状态 blank or 有效) and have a 编号 — the same
  whether the campaign collects 计策, 论文 or 课题.
* Without any row in 评审标准 the score form has one criterion, 总分, out of 100.
* Settings left blank take their defaults (3 reviewers, no topic match, 去掉最高最低, no
  标准化, no 复议 flag, no awards); an unrecognised 计分方式 is warned about (W605).
* A share of an award level may be written as 0.1, 10% or 10 (a number above 1 is a percentage).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from macros.core.normalize import display_text, name_key
from macros.core.review_assign import Entry, Reviewer
from macros.core.review_scores import MEAN, TRIMMED
from macros.problems import Problem, problem
from macros.schema import AWARD_LEVELS, INVALID_ITEM_STATUSES, LIST_SEPARATORS, SETTINGS_SHEET, setting

DEFAULT_PER_ENTRY = 3
DEFAULT_CRITERION = ("总分", 100.0)


@dataclass(frozen=True)
class Criterion:
    name: str
    max_points: float
    note: str | None = None


@dataclass
class ReviewConfig:
    per_entry: int = DEFAULT_PER_ENTRY
    topic_match: bool = False
    method: str = TRIMMED
    normalize: bool = False
    recheck_spread: float | None = None
    award_counts: list[int | None] = field(default_factory=lambda: [None] * len(AWARD_LEVELS))
    award_shares: list[float | None] = field(default_factory=lambda: [None] * len(AWARD_LEVELS))
    problems: list[Problem] = field(default_factory=list)


def _yes(value: Any) -> bool:
    return value is True or display_text(value) in ("是", "true", "True", "1")


def _share(value: Any) -> float | None:
    if value is None:
        return None
    v = float(value)
    return v / 100 if v > 1 else v


def review_config(settings: Mapping[str, Any], raw: Mapping[str, Any] | None = None) -> ReviewConfig:
    """The review settings of 设置 (typed values as ``load_campaign`` gives them)."""
    cfg = ReviewConfig()
    n = settings.get("review_per_entry")
    if isinstance(n, int) and n > 0:
        cfg.per_entry = n
    cfg.topic_match = _yes(settings.get("review_topic_match"))
    cfg.normalize = _yes(settings.get("review_normalize"))
    method = display_text(settings.get("review_method"))
    if method:
        m = method.replace("一个", "").replace("和", "").replace("、", "").replace("分", "")
        if m in ("平均", "算术平均"):
            cfg.method = MEAN
        elif m in ("去掉最高最低", "去最高最低", "去掉最高最低平均"):
            cfg.method = TRIMMED
        else:
            cfg.problems.append(problem("W605", sheet=SETTINGS_SHEET, label=setting("review_method").label,
                                        text=method, default=TRIMMED, value=method))
    spread = settings.get("review_recheck_spread")
    cfg.recheck_spread = float(spread) if isinstance(spread, (int, float)) else None
    for i in range(len(AWARD_LEVELS)):
        c = settings.get(f"award{i + 1}_count")
        cfg.award_counts[i] = c if isinstance(c, int) and c >= 0 else None
        s = settings.get(f"award{i + 1}_share")
        cfg.award_shares[i] = _share(s) if isinstance(s, (int, float)) and s >= 0 else None
    return cfg


def entry_rows(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The 征集明细 rows that are reviewed (valid, with a 编号), in sheet order."""
    out = []
    for row in items:
        item_id = display_text(row.get("item_id"))
        if not item_id or display_text(row.get("status")) in INVALID_ITEM_STATUSES:
            continue
        out.append({**row, "item_id": item_id})
    return out


def entries(rows: Iterable[Mapping[str, Any]], topics: Iterable[Mapping[str, Any]] = ()) -> list[Entry]:
    codes = {name_key(t.get("topic")): display_text(t.get("code")) for t in topics if t.get("topic")}
    out = []
    for row in rows:
        units = tuple(u for u in (display_text(row.get("unit_name")), display_text(row.get("author_org"))) if u)
        topic = display_text(row.get("topic"))
        out.append(Entry(row["item_id"], units, topic, codes.get(name_key(topic)) if topic else None))
    return out


def _split(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    for sep in LIST_SEPARATORS:
        text = text.replace(sep, "\n")
    return tuple(t.strip() for t in text.split("\n") if t.strip())


def reviewer_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """评审专家 rows with a 专家编号, first occurrence of each code (duplicates are E108)."""
    seen: set[str] = set()
    out = []
    for row in rows:
        code = display_text(row.get("code"))
        if not code or code in seen:
            continue
        seen.add(code)
        out.append({**row, "code": code})
    return out


def reviewers(rows: Iterable[Mapping[str, Any]]) -> list[Reviewer]:
    return [Reviewer(r["code"], display_text(r.get("org")), _split(display_text(r.get("topics"))))
            for r in rows]


def criteria(rows: Iterable[Mapping[str, Any]]) -> list[Criterion]:
    out = []
    for row in rows:
        name = display_text(row.get("criterion"))
        mx = row.get("max_points")
        if name and isinstance(mx, (int, float)) and mx > 0:
            out.append(Criterion(name, float(mx), display_text(row.get("note"))))
    return out or [Criterion(*DEFAULT_CRITERION)]


def max_total(crit: Sequence[Criterion]) -> float:
    return sum(c.max_points for c in crit)


@dataclass(frozen=True)
class Award:
    """One awarded entry of the review round (for 获奖名单, 通报 and 荣誉证书)."""

    level: str  # 一等奖 / 二等奖 / 三等奖
    item_id: str
    title: str | None
    unit: str | None  # 报送单位
    people: str | None  # 献策人 (the author as written)
    people_org: str | None  # 工作单位
    rank: int | None
    score: float | None


def award_list(results: Iterable[Mapping[str, Any]], items: Iterable[Mapping[str, Any]]) -> list[Award]:
    """Awarded rows of 评审结果 (level order, then rank), with the author from 征集明细."""
    by_id = {display_text(r.get("item_id")): r for r in items}
    order = {level: i for i, level in enumerate(AWARD_LEVELS)}
    out = []
    for r in results:
        level, item_id = display_text(r.get("award")), display_text(r.get("item_id"))
        if not level or not item_id:
            continue
        item = by_id.get(item_id, {})
        rank = r.get("rank")
        out.append(Award(level, item_id, display_text(r.get("title")) or display_text(item.get("title")),
                         display_text(r.get("unit_name")) or display_text(item.get("unit_name")),
                         display_text(item.get("author")), display_text(item.get("author_org")),
                         int(rank) if isinstance(rank, (int, float)) else None,
                         float(r["final"]) if isinstance(r.get("final"), (int, float)) else None))
    out.sort(key=lambda a: (order.get(a.level, len(order)), a.rank if a.rank is not None else 10**9, a.item_id))
    return out
