"""What a run learns from the master before reading anything: the checks a return must pass
(``Setup``, sent once to every worker) and the roster's order and names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from macros.adapters.form_reader import Expect, Limits
from macros.adapters.readers import ReadContext
from macros.core.intake import Topics
from macros.core.normalize import display_text, name_key, parse_int
from macros.errors import ConfigError
from macros.schema import ITEMS, TABLES


@dataclass
class Setup:
    """Everything a worker needs to judge a file (picklable, sent once per worker)."""

    expect: Expect
    vctx: Any  # macros.core.validate.ValidationContext
    topics: Topics
    limits: Limits = Limits()
    ceilings: dict[str, int] = field(default_factory=dict)  # unit code -> most rows (每单位报送上限)

    @property
    def read(self) -> ReadContext:
        return ReadContext(self.expect, self.limits)


@dataclass
class MasterInfo:
    setup: Setup
    unit_order: list[str]  # unit codes in roster order
    unit_names: dict[str, str]  # unit code -> name
    campaign_id: str | None


text = display_text  # text as the person sees it: the one definition in normalize


def master_setup(engine, master: Path, today: date) -> MasterInfo:
    """The checks a return must pass, from the master (read only)."""
    from macros.adapters.secret import load_secret, secret_path
    from macros.core.validate import build_context

    missing = [name for name in (ITEMS.sheet, TABLES["units"].sheet) if name not in engine.sheet_names()]
    if missing:
        raise ConfigError(f"“{master.name}”不是活动工作簿（缺少工作表：{'、'.join(missing)}）。"
                          "请指定用 kexie new 新建的活动工作簿。")
    settings = engine.read_settings()
    if not text(settings.get("campaign_id")):
        raise ConfigError(f"“{master.name}”的“设置”中没有活动编号，无法核对报送表属于哪个活动。"
                          "请填回活动编号（生成报送表时的那一个）后重试。")
    tables = {key: engine.read_table(TABLES[key]) for key in ("units", "topics")}
    vctx = build_context(settings, tables, today=today)
    campaign_id = text(settings.get("campaign_id"))
    units: dict[str, tuple[str, str]] = {}
    order: list[str] = []
    names: dict[str, str] = {}
    roster = tables["units"]
    for code, name in zip(roster.column("code"), roster.column("name")):
        code_t, name_t = text(code), text(name)
        if code_t and name_key(code_t) not in units:
            units[name_key(code_t)] = (code_t, name_t or code_t)
            order.append(code_t)
            names[code_t] = name_t or code_t
    expect = Expect(campaign_id, load_secret(master), units, year=vctx.year, key_file=secret_path(master).name)
    from macros.app.intake_checks import unit_ceilings

    setup = Setup(expect, vctx, _topics(tables["topics"]), ceilings=unit_ceilings(engine, settings, roster.records()))
    return MasterInfo(setup, order, names, campaign_id)


def _topics(data) -> Topics:
    by_key: dict[str, str] = {}
    by_code: dict[int, str] = {}
    for code, topic in zip(data.column("code"), data.column("topic")):
        t = text(topic)
        if not t:
            continue
        by_key.setdefault(name_key(t), t)
        n = parse_int(code)
        if n is not None:
            by_code.setdefault(n, t)
    return Topics(by_key, by_code)
