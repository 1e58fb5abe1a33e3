"""The ribbon shell: every button has a registry entry and every entry a button, and every
button runs on the demo workbook — headless through the file engine, and in "Excel" (the
simulated xlwings book) with Excel's own ~$ lock file beside it — with a clear outcome."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from macros import ribbon
from macros.actions import ACTIONS
from macros.app.result import CommandResult
from macros.cli import HANDLERS

ROOT = Path(__file__).resolve().parent.parent
RIBBON_XML = ROOT / "workbook" / "ribbon.xml"
NS = {"ui": "http://schemas.microsoft.com/office/2009/07/customui"}
TODAY = date(2010, 10, 25)


def _buttons() -> dict[str, tuple[str, str]]:
    """button id -> (label, group label) from the ribbon XML."""
    out = {}
    for group in ET.parse(RIBBON_XML).getroot().iterfind(".//ui:group", NS):
        for b in group.iterfind("ui:button", NS):
            out[b.get("id")] = (b.get("label"), group.get("label"))
    return out


def test_every_button_has_a_registry_entry_and_every_entry_a_button():
    assert set(_buttons()) == set(ribbon.buttons())
    assert [a.id for a in ACTIONS] == list(ribbon.buttons())


def test_ribbon_labels_and_groups_match_the_actions():
    buttons = _buttons()
    for a in ACTIONS:
        assert buttons[a.id] == (a.label, a.group), a.id


def test_every_document_kind_has_a_button():
    from macros.app.report import KINDS

    kinds = {k for b, c in ribbon.buttons().values() if c.name == "report" for k in b.fixed["kinds"]}
    assert kinds == set(KINDS)


def test_buttons_run_the_cli_commands_with_typed_options(tmp_path):
    master = tmp_path / "活动.xlsx"
    for action_id, (button, command) in ribbon.buttons().items():
        assert HANDLERS[command.name] is command and button.command == command.name
        assert button.cli.startswith(f"kexie {command.name}")
        values = ribbon.button_options(button, command, master)
        assert set(values) == {o.key for o in command.options}
        if command.name == "report":
            assert values["kinds"] == [action_id] and values["out"] == tmp_path / "文档"
            assert button.cli == f"kexie report --kind {action_id}"
    forms = ribbon.buttons()["forms"]
    assert ribbon.button_options(*forms, master)["out"] == tmp_path / "报送表"
    consolidate = ribbon.buttons()["consolidate"]
    assert ribbon.button_options(*consolidate, master)["inbox"] == tmp_path / "收件箱"


def _check_output(action_id: str, command, result, folder: Path) -> None:
    assert isinstance(result, CommandResult)
    assert result.exit_code in (0, 1), result.lines
    if command.name == "report":
        assert list((folder / "文档").rglob("*.docx")), result.lines
    elif command.name == "forms":
        assert list((folder / "报送表").glob("*.xlsx"))
    title, text, mode = ribbon.present(ribbon.buttons()[action_id][0].label, result)
    assert ribbon.buttons()[action_id][0].label in title and text


def _mailbox(master: Path, monkeypatch):
    """收取邮件 needs a mailbox: a loopback Dovecot and SMTP server (tests/mail_servers.py)."""
    sys.path.insert(0, str(Path(__file__).parent))
    import mail_servers

    binary = mail_servers.required_dovecot()
    return mail_servers.LocalMailbox(master, monkeypatch, binary)


def _left_out_form(master: Path) -> None:
    """退改通知 is for units with materials left out: a rejected form of one unit in the ledger."""
    sys.path.insert(0, str(Path(__file__).parent))
    from test_report import record_rejected_form

    from macros.adapters.file_engine import FileEngine
    from macros.schema import TABLES

    unit = FileEngine(master).read_table(TABLES["units"]).frame["code"].tolist()[0]
    record_rejected_form(master, unit)


@pytest.mark.parametrize("action_id", [a.id for a in ACTIONS])
def test_every_button_runs_headless_on_the_demo_workbook(action_id, demo_master, monkeypatch):
    import contextlib

    _button, command = ribbon.buttons()[action_id]
    if command.name == "consolidate":
        (demo_master.parent / "收件箱").mkdir()  # an empty inbox: nothing returned yet
    if action_id == "returns":
        _left_out_form(demo_master)
    with (_mailbox(demo_master, monkeypatch) if command.name == "mail" else contextlib.nullcontext()):
        result = ribbon.run_headless(action_id, demo_master, today=TODAY)
    _check_output(action_id, command, result, demo_master.parent)


def test_consolidate_creates_the_inbox_first(demo_master):
    result = ribbon.run_headless("consolidate", demo_master)
    inbox = demo_master.parent / "收件箱"
    assert inbox.is_dir()
    assert result.exit_code == 0 and "收件箱" in result.lines[0]


def test_unknown_button_and_missing_workbook(tmp_path):
    r = ribbon.run_headless("nope", tmp_path / "x.xlsx")
    assert r.exit_code == 2 and "x.xlsx" in r.lines[0]  # the workbook is checked first
    (tmp_path / "x.xlsx").write_bytes(b"")
    r = ribbon.execute("nope", tmp_path / "x.xlsx", engine=None)
    assert r.exit_code == 2 and r.lines == ["未知的按钮：nope"]


def test_present_is_chinese_and_bounded():
    ok = ribbon.present("更新统计", CommandResult(lines=["已更新“统计”表。"]))
    assert ok == ("科协工作台 - 更新统计", "“更新统计”已完成。\n已更新“统计”表。", "info")
    many = CommandResult(exit_code=1, lines=[f"单位名册!C{i}：单位类别不在下拉列表中" for i in range(2, 200)])
    title, text, mode = ribbon.present("校验数据", many)
    assert mode == "info" and text.startswith("“校验数据”已完成，发现数据问题：")
    assert len(text) <= ribbon.ALERT_MAX_CHARS + 60 and "另有" in text
    refused = ribbon.present("汇总报送", CommandResult(exit_code=3, lines=["工作簿正被另一个程序打开。"]))
    assert refused[2] == "critical" and "保护数据" in refused[1]
    assert ribbon.present("分工表", CommandResult(exit_code=2, lines=[]))[1] == "“分工表”未能完成："
    assert "Traceback" not in text


def test_importing_the_ribbon_is_light():
    """RunPython imports macros.ribbon on every click: no xlwings, pandas or use case at import."""
    code = ("import sys, macros.ribbon; "
            "heavy = [m for m in ('xlwings', 'pandas', 'openpyxl', 'macros.app.validate') if m in sys.modules]; "
            "print(heavy)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_bas_command_reaches_run():
    """The exact Python line the VBA callback runs resolves to macros.ribbon.run."""
    bas = (ROOT / "workbook" / "kexie.bas").read_text(encoding="ascii")
    assert "import macros.ribbon; macros.ribbon.run('\" & control.Id & \"')" in bas
    assert callable(ribbon.run)


def test_bug_log_goes_beside_the_workbook(tmp_path):
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log = ribbon._log_bug(tmp_path / "活动.xlsx", "tally")
    assert log == tmp_path / "kexie-logs" / "ribbon.log"
    assert "RuntimeError: boom" in log.read_text(encoding="utf-8")


# --- run(): the Excel entry point, over the simulated xlwings object model


def test_run_on_the_open_book_ends_with_a_chinese_alert(demo_master):
    import simulated_xlwings

    book = simulated_xlwings.Book(demo_master)
    ribbon.run("tasks", book=book)
    [(prompt, title, mode)] = book.app.alerts
    assert title == "科协工作台 - 分工表"
    assert "Traceback" not in prompt and mode == "info", prompt
    assert book.app.screen_updating is True and book.app.status_bar is False


def test_run_asks_to_save_a_new_book_first(demo_master):
    import simulated_xlwings

    book = simulated_xlwings.Book(demo_master)
    book.fullname = "工作簿1"  # never saved: Excel reports just a name
    ribbon.run("validate", book=book)
    [(prompt, _, mode)] = book.app.alerts
    assert "请先把工作簿保存" in prompt and mode == "info"


def test_a_broken_installation_is_said_in_chinese_with_what_to_do(tmp_path):
    result = ribbon._failure(ModuleNotFoundError("No module named 'pandas'", name="pandas"), tmp_path / "a.xlsx",
                             "tally")
    assert result.exit_code == 2
    assert "缺少 Python 模块“pandas”" in result.lines[0] and "kexie addin install" in result.lines[1]
    assert not (tmp_path / "kexie-logs").exists()  # not a bug: nothing to log


def test_a_bug_in_a_button_is_logged_and_exits_4(tmp_path):
    try:
        raise KeyError("boom")
    except KeyError as exc:
        result = ribbon._failure(exc, tmp_path / "a.xlsx", "tally")
    assert result.exit_code == 4 and "程序出错" in result.lines[0]
    assert "KeyError" in (tmp_path / "kexie-logs" / "ribbon.log").read_text(encoding="utf-8")
