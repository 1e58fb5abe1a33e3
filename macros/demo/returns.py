"""The demo's simulated returns: which units send which forms back, when, with what rows.

Pure and seeded (the same plan every run). ``plan_returns`` hands ``macros.demo.forms`` a
list of ReturnedFile — whose form to start from, the rows to type into it, the 填表日期 cell, the
file name in the inbox and the receipt time to give the file (its modification time: the
consolidation takes the receipt date from it, see docs/forms.md). The variety the demo shows:
most units return, some short of quota or late, a few with bad rows, one resubmission, one in
Traditional characters, one with full-width digits and a date typed as text, one saved as .xls,
one file that is not a workbook and one forged form.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Sequence

from macros.demo.texts import make_author, make_body, make_title

SEED = 2010
UNKNOWN_TOPIC = "发展旅游文化产业"  # not one of seed 000's 20 topics
BAD_PHONE = "0415-212"  # too short to be a number
NOT_A_WORKBOOK = (
    "此邮件附件下载失败，请联系发件人重新发送。\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n报送表附件已损坏。\r\n"
).encode("utf-8")


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    category: str | None
    quota: int
    form: str  # file name of the unit's form in the forms folder


@dataclass
class ReturnedFile:
    unit: DemoUnit  # whose form the file starts from
    filename: str  # name in the inbox (.xlsx; .xls when save_as == "xls")
    received_at: datetime  # becomes the file's modification time
    rows: list[dict[str, Any]] = field(default_factory=list)  # FORM keys (word_count left to the formula)
    fill_date: Any = None  # typed into 填表日期: a date, a text, or None (left blank)
    save_as: str = "xlsx"  # "xlsx" | "xls" (through LibreOffice)
    forge_as: DemoUnit | None = None  # write this unit's code/name into _kexie, keep the token
    raw: bytes | None = None  # a file that is not a workbook: these bytes
    story: str = ""  # what the file shows, in Chinese (for the demo's notes)


def _at(rng: random.Random, day: date) -> datetime:
    """A receipt time in office hours (never near midnight: the date must not depend on the zone)."""
    return datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59), rng.randint(0, 59)))


def _on_time_day(rng: random.Random, start: date, deadline: date) -> date:
    first = max(start, deadline - timedelta(days=25))
    span = max(0, (deadline - first).days - 1)  # before the deadline day
    return first + timedelta(days=rng.randint(0, span))


def make_rows(rng: random.Random, unit: DemoUnit, topics: Sequence[str], n: int,
              used_titles: set[str]) -> list[dict[str, Any]]:
    rows = []
    authors = [make_author(rng, unit.name, unit.category) for _ in range(max(1, n - rng.randint(0, 1)))]
    for i in range(n):
        topic = rng.choice(list(topics)) if topics else "其他"
        for _ in range(20):
            title = make_title(rng, topic)
            if title not in used_titles:
                break
        used_titles.add(title)
        a = authors[i % len(authors)]
        rows.append({
            "title": title, "topic": topic, "author": a.name, "author_org": a.org,
            "author_post": a.post, "phone": a.phone, "email": a.email,
            "body": make_body(rng, topic, title),
        })
    return rows


def _traditional(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from opencc import OpenCC

    conv = OpenCC("s2t")
    out = []
    for row in rows:
        out.append({k: (conv.convert(v) if isinstance(v, str) and k not in ("phone", "email") else v)
                    for k, v in row.items()})
    return out


_FULLWIDTH = str.maketrans({**{chr(ord("0") + i): chr(0xFF10 + i) for i in range(10)}, "-": "－"})


def _full_width_digits(text: str | None) -> str | None:
    return text.translate(_FULLWIDTH) if text else text


def _cn_fullwidth_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日".translate(_FULLWIDTH)


#: Roles, handed out in the shuffled order of the units; a small roster simply gets fewer of them,
#: a large one more "normal" units.
ROLES = ("silent", "silent_forged", "silent_broken", "resubmit", "traditional", "fullwidth",
         "xls", "bad_author", "bad_topic", "bad_phone", "bad_long", "late_short", "late",
         "late", "deadline_day", "short", "short")


def plan_returns(units: Sequence[DemoUnit], topics: Sequence[str], start: date, deadline: date,
                 word_limit: int | None = 3000, seed: int = SEED) -> list[ReturnedFile]:
    """The files the demo's inbox receives, in a stable order."""
    plan = _Plan(random.Random(seed), topics, start, deadline, word_limit)
    order = list(units)
    plan.rng.shuffle(order)
    roles = list(ROLES) + ["normal"] * max(0, len(order) - len(ROLES))
    by_role: dict[str, list[DemoUnit]] = {}
    for unit, role in zip(order, roles):
        by_role.setdefault(role, []).append(unit)
    files: list[ReturnedFile] = []
    for unit, role in zip(order, roles):
        if role.startswith("silent"):
            continue
        day = _on_time_day(plan.rng, start, deadline)
        f = ReturnedFile(unit, unit.form, _at(plan.rng, day))
        kind = "bad" if role.startswith("bad_") else "late" if role == "late_short" else role
        getattr(plan, kind)(f, day, role, files)
        files.append(f)
    files += plan.strays(by_role)
    return files


@dataclass
class _Plan:
    """One plan's random source and campaign, with one method per role: each fills in the
    unit's file ``f`` (received on ``day`` unless the role says otherwise)."""

    rng: random.Random
    topics: Sequence[str]
    start: date
    deadline: date
    word_limit: int | None
    used_titles: set[str] = field(default_factory=set)

    def rows(self, unit: DemoUnit, n: int) -> list[dict[str, Any]]:
        return make_rows(self.rng, unit, self.topics, n, self.used_titles)

    @staticmethod
    def quota_of(u: DemoUnit) -> int:
        return u.quota if u.quota > 0 else 2

    def n_normal(self, u: DemoUnit) -> int:
        return self.quota_of(u) + self.rng.choice((0, 0, 0, 1, 1, 2))

    def fill(self, day: date) -> Any:
        """填表日期 as a unit types it: often blank, else the day it was sent or the day before."""
        r = self.rng.random()
        if r < 0.3:
            return day
        if r < 0.45:
            return max(self.start, day - timedelta(days=1))
        return None

    def normal(self, f: ReturnedFile, day: date, _role: str, _files: list) -> None:
        unit = f.unit
        f.rows = self.rows(unit, self.n_normal(unit))
        f.fill_date = self.fill(day)
        if self.rng.random() < 0.3:  # saved from the mail client with its own name
            f.filename = self.rng.choice((f"{unit.name}计策报送表.xlsx", f"{unit.code}_{unit.name}(1).xlsx",
                                          f"报送表-{unit.name}-定稿.xlsx"))
        f.story = f"{unit.name}：按时报送 {len(f.rows)} 条"

    def resubmit(self, f: ReturnedFile, _day: date, _role: str, files: list) -> None:
        """A first return (into ``files``), then a corrected one that should supersede it."""
        unit = f.unit
        first_day = max(self.start, self.deadline - timedelta(days=10))
        rows = self.rows(unit, max(2, self.quota_of(unit)))
        early = ReturnedFile(unit, unit.form, _at(self.rng, first_day), rows=[dict(r) for r in rows[:-1]],
                             fill_date=first_day,
                             story=f"{unit.name}：第一次报送 {len(rows) - 1} 条（后被修改稿取代）")
        early.rows[0]["title"] = early.rows[0]["title"] + "（初稿）"
        files.append(early)
        second_day = first_day + timedelta(days=5)
        f.filename = unit.form.removesuffix(".xlsx") + "（修改稿）.xlsx"
        f.received_at = _at(self.rng, second_day)
        f.rows, f.fill_date = rows, second_day
        f.story = f"{unit.name}：重新报送修改稿 {len(rows)} 条，应取代第一次报送"

    def traditional(self, f: ReturnedFile, _day: date, _role: str, _files: list) -> None:
        f.rows = _traditional(self.rows(f.unit, self.quota_of(f.unit)))
        f.story = f"{f.unit.name}：用繁体字填写 {len(f.rows)} 条"

    def fullwidth(self, f: ReturnedFile, day: date, _role: str, _files: list) -> None:
        f.rows = self.rows(f.unit, self.quota_of(f.unit))
        for r in f.rows:
            r["phone"] = _full_width_digits(r["phone"])
        f.fill_date = _cn_fullwidth_date(day)  # typed as text with full-width digits
        f.story = f"{f.unit.name}：电话用全角数字、填表日期以文字“{f.fill_date}”填写，{len(f.rows)} 条"

    def xls(self, f: ReturnedFile, _day: date, _role: str, _files: list) -> None:
        f.rows = self.rows(f.unit, self.n_normal(f.unit))
        f.save_as = "xls"
        f.filename = f.unit.form.removesuffix(".xlsx") + ".xls"
        f.story = f"{f.unit.name}：用 LibreOffice 另存为 .xls 格式，{len(f.rows)} 条"

    def bad(self, f: ReturnedFile, day: date, role: str, _files: list) -> None:
        """One row of quota + 1 wrong: no 献策人, an unknown topic, a bad phone, a body too long."""
        name = f.unit.name
        f.rows = self.rows(f.unit, self.quota_of(f.unit) + 1)
        bad = f.rows[1]
        if role == "bad_author":
            bad["author"] = None
            f.story = f"{name}：{len(f.rows)} 条，其中 1 条缺少献策人"
        elif role == "bad_topic":
            bad["topic"] = UNKNOWN_TOPIC
            f.story = f"{name}：{len(f.rows)} 条，其中 1 条的主题领域“{UNKNOWN_TOPIC}”不在列表中"
        elif role == "bad_phone":
            bad["phone"] = BAD_PHONE
            f.story = f"{name}：{len(f.rows)} 条，其中 1 条联系电话“{BAD_PHONE}”无效"
        else:
            limit = self.word_limit or 3000
            bad["body"] = make_body(self.rng, bad["topic"], bad["title"], min_chars=limit + 150)
            f.story = f"{name}：{len(f.rows)} 条，其中 1 条正文超过 {limit} 字"
        f.fill_date = self.fill(day)

    def late(self, f: ReturnedFile, _day: date, role: str, _files: list) -> None:
        late_day = self.deadline + timedelta(days=self.rng.randint(1, 4))
        f.received_at = _at(self.rng, late_day)
        n = self.quota_of(f.unit) - 1 if role == "late_short" else self.n_normal(f.unit)
        f.rows = self.rows(f.unit, max(1, n))
        f.story = f"{f.unit.name}：逾期（{late_day.month}月{late_day.day}日收到）报送 {len(f.rows)} 条" + (
            "，且未达配额" if role == "late_short" else "")

    def deadline_day(self, f: ReturnedFile, _day: date, _role: str, _files: list) -> None:
        f.received_at = datetime.combine(self.deadline, time(16, 40, 12))
        f.rows = self.rows(f.unit, self.quota_of(f.unit))
        f.story = f"{f.unit.name}：截止当天下午报送 {len(f.rows)} 条（不算逾期）"

    def short(self, f: ReturnedFile, day: date, _role: str, _files: list) -> None:
        f.rows = self.rows(f.unit, max(1, self.quota_of(f.unit) - self.rng.choice((1, 2))))
        f.fill_date = self.fill(day)
        f.story = f"{f.unit.name}：只报送 {len(f.rows)} 条，未达配额"

    def strays(self, by_role: dict[str, list[DemoUnit]]) -> list[ReturnedFile]:
        """Files no unit should be credited for: a returning unit's filled form relabelled as a
        unit that sent nothing (forged), and a file that is not a workbook."""
        out: list[ReturnedFile] = []
        victims = by_role.get("silent_forged", [])
        donors = by_role.get("normal", [])
        if victims and donors:
            victim, donor = victims[0], donors[-1]
            day = _on_time_day(self.rng, self.start, self.deadline)
            out.append(ReturnedFile(
                donor, victim.form, _at(self.rng, day), rows=self.rows(victim, 3), forge_as=victim,
                story=f"伪造：用“{donor.name}”的报送表改写隐藏信息冒充“{victim.name}”（令牌不符，应拒收）",
            ))
        broken = by_role.get("silent_broken", [])
        if broken:
            unit = broken[0]
            out.append(ReturnedFile(unit, unit.form, _at(self.rng, _on_time_day(self.rng, self.start, self.deadline)),
                                    raw=NOT_A_WORKBOOK, story=f"{unit.name}：附件不是 Excel 工作簿（应拒收）"))
        return out


def summary(files: Sequence[ReturnedFile], units: Sequence[DemoUnit]) -> str:
    """One Chinese line describing the simulated inbox."""
    returned = {f.unit.code for f in files if f.raw is None and f.forge_as is None}
    return (f"模拟收件：{len(files)} 个文件，来自 {len(returned)} 个单位"
            f"（共 {len(units)} 个单位应报，{len(units) - len(returned)} 个未交）。")


__all__ = ["DemoUnit", "ReturnedFile", "plan_returns", "summary", "make_rows"]
