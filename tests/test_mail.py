"""kexie mail against real servers on loopback: Dovecot (IMAP), aiosmtpd (SMTP), a 163-like proxy.

Under CI=true a missing Dovecot fails these tests instead of skipping them.
"""

from __future__ import annotations

import email
import json
import sys
from datetime import date, datetime, timezone
from email import policy
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from consolidate_kit import copy_camp, good_row, issue  # noqa: E402
from mail_kit import attachment, message, submission_body  # noqa: E402
from mail_servers import ACCOUNT, PASSWORD, Dovecot, Proxy163, SmtpCapture, required_dovecot  # noqa: E402

pytestmark = [pytest.mark.dovecot, pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")]
TODAY = date(2010, 10, 25)
SENT = datetime(2010, 10, 12, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def dovecot():
    server = Dovecot(required_dovecot()).start()
    yield server
    server.close()


@pytest.fixture
def smtp():
    server = SmtpCapture()
    yield server
    server.close()


@pytest.fixture(scope="session")
def issued(tmp_path_factory):
    return issue(tmp_path_factory.mktemp("mail-issued"))


def set_settings(master: Path, values: dict[str, object]) -> None:
    wb = openpyxl.load_workbook(master)
    ws = wb["设置"]
    rows = {str(r[0].value).strip(): r[0].row for r in ws.iter_rows(min_col=1, max_col=1) if r[0].value}
    for label, value in values.items():
        row = rows.get(label)
        if row is None:
            row = ws.max_row + 1
            ws.cell(row=row, column=1, value=label)
        ws.cell(row=row, column=2, value=value)
    wb.save(master)


@pytest.fixture
def camp(issued, tmp_path, dovecot, smtp, monkeypatch):
    c = copy_camp(issued, tmp_path / "campaign")
    set_settings(c.master, {"邮箱账号": ACCOUNT, "收件服务器": f"127.0.0.1:{dovecot.port}",
                            "发件服务器": f"127.0.0.1:{smtp.port}", "加密方式": "无"})
    monkeypatch.setenv("KEXIE_MAIL_PASSWORD", PASSWORD)
    monkeypatch.delenv("KEXIE_MAIL_CAFILE", raising=False)
    return c


def units(camp) -> list[str]:
    return sorted(camp.forms)


def roster_email(code: str) -> str:
    return f"{code.lower()}@ddkx.example.cn"


def form_bytes(camp, code: str, rows, tmp: Path) -> bytes:
    path = camp.fill(code, rows, dest=tmp / f"{code}.xlsx")
    return path.read_bytes()


def run(camp, **kw):
    from macros.app.mail import run_mail

    kw.setdefault("today", TODAY)
    kw.setdefault("log", camp.root / "logs" / "mail.log")
    kw.setdefault("workers", 0)
    return run_mail(camp.master, camp.inbox, **kw)


def receipts(smtp) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(raw, policy=policy.default) for _f, _to, raw in smtp.messages]


def test_fetch_consolidate_and_reply(camp, dovecot, smtp, tmp_path):
    a = units(camp)[0]
    rows = [good_row(1), good_row(2, phone="不是电话", title=""), good_row(3)]
    raw = message([attachment("计策报送表.xlsx", form_bytes(camp, a, rows, tmp_path))], sender=roster_email(a),
                  subject="报送计策三篇", msgid="<m1@ddkx.example.cn>", date=SENT)
    dovecot.deliver(raw)

    result = run(camp)

    assert [m["status"] for m in result.messages] == ["saved"]
    assert result.messages[0]["unit_code"] == a
    assert (camp.inbox / "计策报送表.xlsx").read_bytes()[:2] == b"PK"
    assert Path(result.messages[0]["eml"]).read_bytes().replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")
    files = {f.file: f for f in result.consolidation.files}
    assert files["计策报送表.xlsx"].status == "ingested" and files["计策报送表.xlsx"].rows == 2
    assert result.receipts == {"sent": 1, "written": 0, "pending": 0}
    [reply] = receipts(smtp)
    assert reply["In-Reply-To"] == "<m1@ddkx.example.cn>"
    assert "<m1@ddkx.example.cn>" in reply["References"]
    assert reply["Subject"] == "回执：报送计策三篇"
    assert reply["To"] == roster_email(a)
    body = reply.get_content()
    assert "计策报送表.xlsx" in body and "汇总 2 条" in body and "1 条未汇总" in body
    assert "第" in body and "E1" in body  # the code and row of what was left out
    assert "应报" in body and "以下材料未予汇总，请修改后重新报送" in body
    # the message stays unread on the server (BODY.PEEK)
    from imapclient import IMAPClient

    with IMAPClient("127.0.0.1", port=dovecot.port, ssl=False) as c:
        c.login(ACCOUNT, PASSWORD)
        c.select_folder("INBOX", readonly=True)
        flags = c.get_flags(c.search("ALL"))
        assert all(b"\\Seen" not in f for f in flags.values())
    [log] = (camp.root / "logs").glob("mail-*.log")
    text = log.read_text(encoding="utf-8")
    assert "收到新邮件 1 封" in text and PASSWORD not in text


def test_second_run_fetches_nothing_and_sends_nothing(camp, dovecot, smtp, tmp_path):
    a = units(camp)[0]
    dovecot.deliver(message([attachment("表.xlsx", form_bytes(camp, a, [good_row(1)], tmp_path))],
                            sender=roster_email(a), date=SENT))
    first = run(camp)
    assert len(first.messages) == 1 and first.receipts["sent"] == 1
    before = camp.master.stat().st_mtime_ns

    second = run(camp)

    assert second.messages == [] and second.consolidation is None
    assert second.receipts == {"sent": 0, "written": 0, "pending": 0}
    assert len(smtp.messages) == 1
    assert camp.master.stat().st_mtime_ns == before
    assert second.exit_code == 0


def test_uidvalidity_reset_falls_back_to_message_id(camp, dovecot, smtp, tmp_path):
    a, b = units(camp)[:2]
    dovecot.deliver(message([attachment("a.xlsx", form_bytes(camp, a, [good_row(1)], tmp_path))],
                            sender=roster_email(a), msgid="<a@x>", date=SENT))
    assert len(run(camp).messages) == 1
    dovecot.reset_uidvalidity()
    dovecot.deliver(message([attachment("b.xlsx", form_bytes(camp, b, [good_row(2)], tmp_path))],
                            sender=roster_email(b), msgid="<b@x>", date=SENT))

    again = run(camp)

    assert [m["message_id"] for m in again.messages] == ["<b@x>"]
    assert len(smtp.messages) == 2
    assert run(camp).messages == []  # the new UIDVALIDITY's UIDs are recorded


def test_163_unsafe_login_needs_id(camp, dovecot, smtp, tmp_path):
    from imapclient import IMAPClient

    proxy = Proxy163(dovecot.port)
    try:
        with IMAPClient("127.0.0.1", port=proxy.port, ssl=False) as c:  # the behaviour is real
            c.login(ACCOUNT, PASSWORD)
            with pytest.raises(Exception, match="Unsafe Login"):
                c.select_folder("INBOX")
        assert proxy.refused == 1
        set_settings(camp.master, {"收件服务器": f"127.0.0.1:{proxy.port}"})
        a = units(camp)[0]
        dovecot.deliver(message([attachment("a.xlsx", form_bytes(camp, a, [good_row(1)], tmp_path))],
                                sender=roster_email(a), date=SENT))
        result = run(camp)
        assert len(result.messages) == 1 and proxy.refused == 1
    finally:
        proxy.close()


def _cli(camp, *extra) -> tuple[int, dict]:
    import contextlib
    import io

    from macros.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["mail", str(camp.master), str(camp.inbox), "--json", "--today", "2010-10-25", *extra])
    return code, json.loads(out.getvalue())


def test_wrong_password_exit_2_workbook_untouched(camp, monkeypatch):
    monkeypatch.setenv("KEXIE_MAIL_PASSWORD", "wrong")
    before = camp.master.read_bytes()
    code, data = _cli(camp)
    assert code == 2
    assert data["error"].startswith("E502") and "请确认已开启 IMAP 服务并使用客户端授权码" in data["error"]
    assert "wrong" not in data["error"]
    assert camp.master.read_bytes() == before
    [log] = (camp.master.parent / "kexie-logs").glob("mail-*.log")
    text = log.read_text(encoding="utf-8")
    assert "E502" in text and "wrong" not in text


def test_unreachable_server_exit_2(camp):
    from mail_servers import free_port

    set_settings(camp.master, {"收件服务器": f"127.0.0.1:{free_port()}"})
    code, data = _cli(camp)
    assert code == 2 and data["error"].startswith("E501")


def test_tls_failure_exit_2(camp, dovecot):
    set_settings(camp.master, {"加密方式": "SSL", "收件服务器": f"127.0.0.1:{dovecot.port}"})  # plain port
    code, data = _cli(camp)
    assert code == 2 and data["error"].startswith("E503")


def test_no_password_exit_2(camp, monkeypatch):
    monkeypatch.delenv("KEXIE_MAIL_PASSWORD")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # a keyring holding nothing
    code, data = _cli(camp)
    assert code == 2 and data["error"].startswith("E510")


def test_plain_to_remote_server_refused(camp):
    set_settings(camp.master, {"收件服务器": "imap.163.com"})
    code, data = _cli(camp)
    assert code == 2 and data["error"].startswith("E509") and "只能用于本机" in data["error"]


def test_malformed_message_rejected_the_rest_go_on(camp, dovecot, smtp, tmp_path):
    a = units(camp)[0]
    dovecot.deliver(b"\x00\x01garbage without headers\n\n")
    dovecot.deliver(message([attachment("a.xlsx", form_bytes(camp, a, [good_row(1)], tmp_path))],
                            sender=roster_email(a), date=SENT))
    result = run(camp)
    assert sorted(m["status"] for m in result.messages) == ["rejected", "saved"]
    bad = next(m for m in result.messages if m["status"] == "rejected")
    assert bad["problems"][0]["code"] == "E506" and Path(bad["eml"]).exists()
    assert result.exit_code == 1 and len(smtp.messages) == 1
    assert run(camp).messages == []  # recorded: not fetched again


def test_smtp_failure_leaves_receipt_pending_then_sends_once(camp, dovecot, smtp, tmp_path):
    a = units(camp)[0]
    dovecot.deliver(message([attachment("a.xlsx", form_bytes(camp, a, [good_row(1)], tmp_path))],
                            sender=roster_email(a), date=SENT))
    smtp.fail_with = "552 5.2.2 Mailbox full"
    first = run(camp)
    assert first.receipts["pending"] == 1 and first.receipt_problems[0]["code"] == "W501"
    assert "邮箱空间已满" in first.receipt_problems[0]["message"]
    assert first.exit_code == 1
    smtp.fail_with = None
    second = run(camp)
    assert second.receipts == {"sent": 1, "written": 0, "pending": 0}
    third = run(camp)
    assert third.receipts["sent"] == 0 and len(smtp.messages) == 1


def test_no_receipts_writes_eml_for_review(camp, dovecot, smtp, tmp_path):
    a = units(camp)[0]
    dovecot.deliver(message([attachment("a.xlsx", form_bytes(camp, a, [good_row(1)], tmp_path))],
                            sender=roster_email(a), msgid="<r@x>", date=SENT))
    result = run(camp, receipts=False)
    assert result.receipts["written"] == 1 and smtp.messages == []
    [path] = list((camp.inbox.parent / "回执待发").glob("*.eml"))
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert msg["In-Reply-To"] == "<r@x>" and msg["Subject"].startswith("回执：")
    assert run(camp).receipts["sent"] == 0  # written for review: not sent later behind staff's back


def test_unknown_sender_and_submission_body(camp, dovecot, smtp):
    dovecot.deliver(message([], sender="stranger@example.com", subject="关于物流的建议", body=submission_body(),
                            date=SENT))
    result = run(camp)
    [m] = result.messages
    assert [p["code"] for p in m["problems"]] == ["W502"]
    assert m["files"][0]["file"] == "关于物流的建议.txt"
    assert "关于加快丹东港物流园区建设的建议" in (camp.inbox / "关于物流的建议.txt").read_text(encoding="utf-8-sig")
    [reply] = receipts(smtp)
    assert "未能根据发件地址确定报送单位" in reply.get_content()



@pytest.fixture
def dovecot_tls():
    server = Dovecot(required_dovecot(), ssl=True).start()
    yield server
    server.close()


@pytest.mark.parametrize("security", ["SSL", "STARTTLS"])
def test_encrypted_connections_with_the_servers_certificate(camp, dovecot_tls, smtp, tmp_path, monkeypatch,
                                                            security):
    port = dovecot_tls.ssl_port if security == "SSL" else dovecot_tls.port
    set_settings(camp.master, {"加密方式": security, "收件服务器": f"127.0.0.1:{port}"})
    a = units(camp)[0]
    dovecot_tls.deliver(message([attachment("a.xlsx", form_bytes(camp, a, [good_row(1)], tmp_path))],
                                sender=roster_email(a), date=SENT))
    code, data = _cli(camp)  # the self-signed certificate is not trusted: a TLS failure
    assert code == 2 and data["error"].startswith("E503")
    monkeypatch.setenv("KEXIE_MAIL_CAFILE", str(dovecot_tls.cert))
    result = run(camp, receipts=False)
    assert len(result.messages) == 1 and result.receipts["written"] == 1


def test_a_run_stopped_before_answering_is_finished_by_the_next(camp, dovecot, smtp, tmp_path):
    from macros.adapters.file_engine import FileEngine
    from macros.adapters.ledger import Ledger, ledger_path
    from macros.adapters.mail_ledger import MailLedger
    from macros.adapters.mailbox import Mailbox
    from macros.app.mail import mail_config
    from macros.app.mail_fetch import fetch_new

    a = units(camp)[0]
    dovecot.deliver(message([attachment("a.xlsx", form_bytes(camp, a, [good_row(1)], tmp_path))],
                            sender=roster_email(a), msgid="<stop@x>", date=SENT))
    # a run that got as far as fetching (then the machine went down): the first stage alone
    config = mail_config(FileEngine(camp.master).read_settings())
    with Ledger(ledger_path(camp.master)) as ledger, Mailbox(config) as box:
        assert len(fetch_new(box, MailLedger(ledger), camp.inbox, {})) == 1

    result = run(camp)

    assert result.messages == []  # nothing fetched twice
    assert [f.status for f in result.consolidation.files] == ["ingested"]
    [reply] = receipts(smtp)
    assert reply["In-Reply-To"] == "<stop@x>"


def test_no_receipt_for_an_auto_reply(camp, dovecot, smtp):
    raw = message([], sender="u@ddkx.example.cn", subject="自动回复：回执", body="我正在休假。")
    dovecot.deliver(raw.replace(b"MIME-Version: 1.0", b"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0", 1))
    assert len(run(camp).messages) == 1
    assert smtp.messages == [] and run(camp).receipts == {"sent": 0, "written": 0, "pending": 0}
