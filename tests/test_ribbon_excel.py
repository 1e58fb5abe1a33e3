"""Every ribbon button pressed in "Excel": the simulated xlwings book of the workbook, open with
Excel's own ~$ lock file beside it (as it always is). Each button reads the open book —
including edits not saved yet — writes its results into the open book (never into the file on
disk, which Excel holds), and ends with a Chinese alert that is not a refusal."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from docx import Document

import simulated_xlwings
from consolidate_kit import copy_camp, good_row, issue
from macros import ribbon
from macros.actions import ACTIONS
from macros.schema import ITEMS, SETTINGS_SHEET, STATS_SHEET, SUBMISSIONS, setting

TODAY = date(2010, 10, 25)


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    return issue(tmp_path_factory.mktemp("issued"))


@pytest.fixture
def open_book(issued, tmp_path):
    """(book, camp): the master open in "Excel" with its lock file, two forms returned."""
    camp = copy_camp(issued, tmp_path / "camp")
    codes = sorted(camp.forms)[:2]
    for n, code in enumerate(codes):
        camp.fill(code, [good_row(10 * n + i) for i in range(3)])
    lock = camp.master.with_name("~$" + camp.master.name)
    lock.write_bytes(b"\x0bstaff user" + b"\x00" * 40)
    return simulated_xlwings.Book(camp.master), camp


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(book, action_id: str) -> tuple[str, str]:
    book.app.alerts.clear()
    ribbon.run(action_id, book=book)
    [(prompt, title, mode)] = book.app.alerts
    assert "Traceback" not in prompt
    assert "保护数据" not in prompt, prompt  # Excel's lock file is no reason to refuse
    assert book.app.status_bar is False and book.app.screen_updating is True
    return prompt, mode


def _sheet_rows(book, name: str) -> list[tuple]:
    return [r for r in book.wb[name].iter_rows(values_only=True) if any(v is not None for v in r)]


def _mail_servers(book, camp, monkeypatch, stack) -> None:
    """收取邮件 needs a mailbox: loopback Dovecot and SMTP, 设置 of the open book pointed at them,
    and one message carrying a third unit's form."""
    import mail_servers
    from mail_kit import attachment, message

    binary = mail_servers.required_dovecot()
    dovecot = mail_servers.Dovecot(binary).start()
    stack.callback(dovecot.close)
    smtp = mail_servers.SmtpCapture()
    stack.callback(smtp.close)
    mail_servers.configure_sheet(book.wb[SETTINGS_SHEET], dovecot.port, smtp.port)
    monkeypatch.setenv("KEXIE_MAIL_PASSWORD", mail_servers.PASSWORD)
    code = sorted(camp.forms)[2]
    form = camp.fill(code, [good_row(99)], dest=camp.root / "mailed.xlsx")
    dovecot.deliver(message([attachment("邮件报送表.xlsx", form.read_bytes())],
                            sender=f"{code.lower()}@ddkx.example.cn"))


@pytest.mark.parametrize("action_id", [a.id for a in ACTIONS])
def test_every_button_works_on_the_open_book_beside_its_lock_file(action_id, open_book, monkeypatch):
    import contextlib

    book, camp = open_book
    on_disk = _digest(camp.master)
    with contextlib.ExitStack() as stack:
        if action_id == "mail":
            _mail_servers(book, camp, monkeypatch, stack)
        if action_id == "returns":
            from test_report import record_rejected_form

            record_rejected_form(camp.master, sorted(camp.forms)[0])
        prompt, mode = _run(book, action_id)
    assert mode == "info", prompt
    folder = camp.master.parent
    if action_id == "mail":
        assert len(_sheet_rows(book, ITEMS.sheet)) >= 1 + 7, prompt  # the inbox's six rows and the mailed one
        assert "回执：已发送 1 封" in prompt, prompt
    elif action_id == "forms":
        assert list((folder / "报送表").glob("*.xlsx")), prompt
    elif action_id == "consolidate":
        items = _sheet_rows(book, ITEMS.sheet)
        assert len(items) >= 1 + 6, prompt  # header + the six rows of the two returned forms
        assert len(_sheet_rows(book, SUBMISSIONS.sheet)) >= 3
    elif action_id == "tally":
        assert len(_sheet_rows(book, STATS_SHEET)) > 5, prompt
    elif action_id == "validate":
        assert "校验" in prompt
    else:
        assert list((folder / "文档").rglob("*.docx")), prompt
    assert _digest(camp.master) == on_disk  # the file Excel holds is left to Excel


def test_a_button_reads_edits_not_saved_yet(open_book):
    book, camp = open_book
    ws = book.wb[SETTINGS_SHEET]
    label = setting("campaign_name").label
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == label)
    ws.cell(row=row, column=2).value = "尚未保存的活动名称"
    _run(book, "notice")
    [docx] = (camp.master.parent / "文档").rglob("*.docx")
    text = "\n".join(p.text for p in Document(docx).paragraphs)
    assert "尚未保存的活动名称" in text


def test_consolidate_twice_in_excel_changes_nothing_the_second_time(open_book):
    book, _camp = open_book
    _run(book, "consolidate")
    first = _sheet_rows(book, ITEMS.sheet)
    prompt, _ = _run(book, "consolidate")
    assert _sheet_rows(book, ITEMS.sheet) == first
    assert "无变化" in prompt or "无需更新" in prompt, prompt


def test_the_lock_file_is_real_enough_that_the_file_engine_refuses(open_book):
    """The same button on the *file* (what the shells used to do) meets the lock and refuses."""
    _book, camp = open_book
    result = ribbon.run_headless("tally", camp.master, today=TODAY)
    assert result.exit_code == 3, result.lines
