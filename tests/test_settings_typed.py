"""Settings are typed once (``macros.core.settings``): a 截止日期 written "10月20日" is the same date
for validation, the tally, the reports and consolidation."""

from __future__ import annotations

from datetime import date

from macros.adapters.file_engine import FileEngine
from macros.app.campaign import load_campaign
from macros.app.new import new_campaign
from macros.app.report import context_notice
from macros.core.settings import campaign_year, typed_settings
from macros.core.tally import compute_tally
from macros.core.validate import build_context
from macros.demo.campaign import demo_campaign
from macros.schema import TABLES


def test_date_without_year_takes_the_campaign_year():
    typed = typed_settings({"deadline": "10月20日", "start_date": "2010年9月1日", "word_limit": "3000"})
    assert typed["deadline"] == date(2010, 10, 20)
    assert typed["start_date"] == date(2010, 9, 1)
    assert typed["word_limit"] == 3000
    assert campaign_year(typed) == 2010
    # no year anywhere: the date cannot be told, for everyone alike
    assert typed_settings({"deadline": "10月20日"})["deadline"] is None


def test_every_use_case_sees_the_same_deadline(tmp_path):
    data = demo_campaign()
    data.settings["deadline"] = "10月20日"
    master = new_campaign(tmp_path / "m.xlsx", force=True, data=data)
    engine = FileEngine(master)
    assert engine.read_settings()["deadline"] == "10月20日"  # staff's text stays as typed
    campaign = load_campaign(engine)
    assert campaign.settings["deadline"] == date(2010, 10, 20)
    tables = {k: engine.read_table(TABLES[k]) for k in ("units", "topics")}
    assert build_context(engine.read_settings(), tables).deadline == date(2010, 10, 20)
    tally = compute_tally(campaign, date(2010, 10, 25))
    assert tally.deadline == date(2010, 10, 20)
    assert context_notice(campaign, tally, date(2010, 10, 25))["deadline"] == "2010年10月20日"
