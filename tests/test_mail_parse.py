"""The message parser and the mailbox settings (pure): names in every form Chinese mail uses,
ZIP attachments under the form limits, submission bodies, providers and encryption rules."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from mail_kit import NAME, attachment, message, name_forms, submission_body, zip_bytes  # noqa: E402

from macros.adapters.form_reader import Limits
from macros.core.mail_parse import MessageError, parse_message
from macros.core.mail_settings import SettingsError, resolve, sender_units

FORMS = name_forms()
SAMPLES = Path(__file__).parent / "mail_samples"


@pytest.mark.parametrize("form", sorted(FORMS))
def test_attachment_name_forms(form):
    header, expected = FORMS[form]
    parsed = parse_message(message([(header, b"content")]), Limits())
    assert [a.name for a in parsed.attachments] == [expected]
    assert parsed.attachments[0].data == b"content"
    codes = [p.code for a in parsed.attachments for p in a.problems]
    assert codes == (["W503"] if form == "bidi_override" else [])


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.eml")), ids=lambda p: p.stem)
def test_sample_messages(path):
    expected = path.with_suffix(".names").read_text(encoding="utf-8").split()
    parsed = parse_message(path.read_bytes(), Limits())
    assert [a.name for a in parsed.attachments] == expected


def test_zip_members_named_in_gbk_are_unpacked():
    z = zip_bytes({"计策一.docx": b"one", "子目录/计策二.xlsx": b"two", "__MACOSX/._x": b""})
    parsed = parse_message(message([attachment("材料.zip", z)]), Limits())
    assert [(a.name, a.data, a.origin) for a in parsed.attachments] == [
        ("计策一.docx", b"one", "压缩包“材料.zip”"), ("计策二.xlsx", b"two", "压缩包“材料.zip”")]


def test_zip_utf8_names_and_bidi_in_member():
    z = zip_bytes({"报\u202e送.docx": b"x"}, utf8_names=True)
    [a] = parse_message(message([attachment("a.zip", z)]), Limits()).attachments
    assert a.name == "报送.docx" and [p.code for p in a.problems] == ["W503"]


def test_zip_bomb_refused_under_the_form_limits():
    z = zip_bytes({"big.docx": b"\0" * (3 * 1024 * 1024)})
    limits = Limits(zip_total=2 * 1024 * 1024, zip_member=2 * 1024 * 1024)
    [a] = parse_message(message([attachment("bomb.zip", z)]), limits).attachments
    assert a.name == "bomb.zip" and [p.code for p in a.problems] == ["E508"]
    z = zip_bytes({"ratio.docx": b"\0" * (2 * 1024 * 1024)})
    [a] = parse_message(message([attachment("ratio.zip", z)]), Limits()).attachments
    assert [p.code for p in a.problems] == ["E508"]  # compression ratio above 200


def test_zip_broken_or_nested():
    [a] = parse_message(message([attachment("x.zip", b"PK\x03\x04broken")]), Limits()).attachments
    assert [p.code for p in a.problems] == ["E507"]
    inner = zip_bytes({"a.txt": b"a"})
    [a] = parse_message(message([attachment("y.zip", zip_bytes({"内层.zip": inner}))]), Limits()).attachments
    assert a.name == "内层.zip" and [p.code for p in a.problems] == ["E507"]


def test_winmail_dat_files_are_taken_out():
    from mail_kit import tnef_bytes

    dat = tnef_bytes({"计策报送表.xlsx": b"PK\x03\x04form", "建议.docx": b"PK\x03\x04doc"})
    found = parse_message(message([attachment("winmail.dat", dat)]), Limits()).attachments
    assert [(a.name, a.data, a.origin) for a in found] == [
        ("计策报送表.xlsx", b"PK\x03\x04form", "winmail.dat"), ("建议.docx", b"PK\x03\x04doc", "winmail.dat")]


def test_winmail_dat_unreadable_is_reported():
    [a] = parse_message(message([attachment("winmail.dat", b"\x78\x9f\x3e\x22garbage")]), Limits()).attachments
    assert [p.code for p in a.problems] == ["W506"]


def test_submission_body_becomes_a_text_file():
    parsed = parse_message(message([], subject="回复：关于物流的建议", body=submission_body(), body_charset="gbk"),
                           Limits())
    [a] = parsed.attachments
    assert a.name == "关于物流的建议.txt" and a.origin == "邮件正文"
    assert "献策人：王建国" in a.data.decode("utf-8-sig")


def test_plain_note_is_not_a_submission():
    parsed = parse_message(message([], body="附件稍后发送，谢谢。"), Limits())
    assert parsed.attachments == [] and [p.code for p in parsed.problems] == ["W504"]


def test_headers_sender_and_ids():
    raw = message([attachment(NAME, b"x")], sender="XueHui@Example.ORG", msgid="<abc@x>", in_reply_to="<q@y>")
    parsed = parse_message(raw, Limits())
    assert parsed.sender == "xuehui@example.org" and parsed.sender_name == "学会办公室"
    assert parsed.message_id == "<abc@x>" and parsed.references == ["<q@y>"]
    assert parsed.subject == "报送计策"


def test_unparseable_message():
    with pytest.raises(MessageError):
        parse_message(b"", Limits())
    with pytest.raises(MessageError):
        parse_message(b"\x00\x01garbage without headers\n\n", Limits())


# --- settings ----------------------------------------------------------------------------------

@pytest.mark.parametrize("account, imap, smtp", [
    ("ddkxxhb@163.com", ("imap.163.com", 993), ("smtp.163.com", 465)),
    ("a@126.com", ("imap.126.com", 993), ("smtp.126.com", 465)),
    ("a@yeah.net", ("imap.yeah.net", 993), ("smtp.yeah.net", 465)),
    ("a@qq.com", ("imap.qq.com", 993), ("smtp.qq.com", 465)),
    ("a@139.com", ("imap.139.com", 993), ("smtp.139.com", 465)),
])
def test_provider_defaults(account, imap, smtp):
    s = resolve({"email": account})
    assert (s.account, (s.imap.host, s.imap.port), (s.smtp.host, s.smtp.port)) == (account, imap, smtp)
    assert s.imap.security == s.smtp.security == "ssl"


def test_enterprise_mail_and_explicit_servers():
    s = resolve({"mail_account": "kx@dandong.gov.cn", "imap_server": "腾讯企业邮", "smtp_server": "exmail.qq.com"})
    assert s.imap.host == "imap.exmail.qq.com" and s.smtp.host == "smtp.exmail.qq.com"
    s = resolve({"email": "a@163.com", "mail_account": "b@x.cn", "imap_server": "mail.x.cn：143",
                 "smtp_server": "mail.x.cn:587", "mail_security": "STARTTLS"})
    assert s.account == "b@x.cn" and (s.imap.port, s.smtp.port, s.imap.security) == (143, 587, "starttls")


@pytest.mark.parametrize("settings, fragment", [
    ({}, "没有填写邮箱账号"),
    ({"email": "a@unknown.example"}, "无法根据邮箱域名"),
    ({"email": "a@163.com", "mail_security": "无"}, "只能用于本机"),
    ({"email": "a@163.com", "mail_security": "加密"}, "无法识别"),
    ({"email": "a@163.com", "imap_server": "imap.163.com:99999"}, "不是有效的服务器地址"),
])
def test_settings_refused(settings, fragment):
    with pytest.raises(SettingsError, match=fragment):
        resolve(settings)


def test_plain_allowed_on_this_machine():
    s = resolve({"email": "a@x.cn", "imap_server": "127.0.0.1:1143", "smtp_server": "localhost:2525",
                 "mail_security": "无"})
    assert (s.imap.port, s.smtp.port, s.imap.security) == (1143, 2525, "none")


def test_several_addresses_per_unit():
    found = sender_units([("U1", "a@x.cn；B@X.cn, c@x.cn、d@x.cn e@x.cn"), ("U2", "a@x.cn"), ("U3", None)])
    assert found["b@x.cn"] == ["U1"] and found["e@x.cn"] == ["U1"] and found["a@x.cn"] == ["U1", "U2"]


def test_mail_schedule_examples_are_well_formed():
    from defusedxml import ElementTree

    root_dir = Path(__file__).resolve().parent.parent / "scripts" / "schedule"
    raw = (root_dir / "kexie-mail.xml").read_bytes()
    assert raw.startswith(b"\xff\xfe")
    text = raw.decode("utf-16")
    root = ElementTree.fromstring(text.replace('encoding="UTF-16"', 'encoding="UTF-8"').encode("utf-8"))
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    assert root.find("t:Triggers/t:CalendarTrigger/t:Repetition/t:Interval", ns).text == "PT10M"
    assert root.find("t:Settings/t:MultipleInstancesPolicy", ns).text == "IgnoreNew"
    assert root.find("t:Actions/t:Exec/t:Arguments", ns).text.startswith("mail ")
    cron = [line for line in (root_dir / "crontab-mail.txt").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    assert len(cron) == 1 and cron[0].startswith("*/10 * * * * ") and " mail " in cron[0] and "%" not in cron[0]


def test_roster_accepts_several_addresses_per_unit(demo_master):
    import openpyxl

    from macros.app.validate import validate_workbook
    from macros.adapters.file_engine import FileEngine

    wb = openpyxl.load_workbook(demo_master)
    ws = wb["单位名册"]
    header = next(r for r in ws.iter_rows(min_row=1, max_row=5) if any(c.value == "电子邮箱" for c in r))
    col = next(c.column for c in header if c.value == "电子邮箱")
    ws.cell(row=header[0].row + 1, column=col, value="xh@ddkx.example.cn；office@ddkx.example.cn")
    ws.cell(row=header[0].row + 2, column=col, value="xh@ddkx.example.cn；不是地址")
    wb.save(demo_master)
    problems = validate_workbook(FileEngine(demo_master), write=False).problems
    e106 = [p for p in problems if p.code == "E106" and p.sheet == "单位名册"]
    assert [p.row for p in e106] == [header[0].row + 2]


def test_server_answers_become_the_right_codes():
    """What imapclient raises for each kind of failure → the code that says what to check."""
    import socket
    import ssl

    from imapclient.exceptions import IMAPClientError, LoginError

    from macros.adapters.mailbox import MailConfig, Server, classify

    srv = Server("imap.163.com", 993, "ssl")
    cfg = MailConfig("a@163.com", "secret", srv, Server("smtp.163.com", 465, "ssl"))
    cases = [(ConnectionRefusedError(111, "Connection refused"), "connect", "E501"),
             (socket.gaierror(-2, "Name or service not known"), "connect", "E501"),
             (ssl.SSLCertVerificationError(1, "certificate verify failed"), "connect", "E503"),
             (LoginError("[AUTHENTICATIONFAILED] Authentication failed."), "login", "E502"),
             (IMAPClientError("select failed: SELECT Unsafe Login. Please contact kefu@188.com"), "select", "E505"),
             (IMAPClientError("[OVERQUOTA] Quota exceeded (mailbox for user is full)"), "fetch", "E504")]
    for exc, stage, code in cases:
        err = classify(exc, cfg, srv, stage)
        assert err.code == code, (exc, err.message)
        assert "secret" not in err.message and err.exit_code == 2
    assert "secret" not in repr(cfg)


def test_auto_replies_are_recognised():
    raw = message([], body="我正在休假。")
    assert not parse_message(raw, Limits()).automatic
    auto = raw.replace(b"MIME-Version: 1.0", b"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0", 1)
    assert parse_message(auto, Limits()).automatic
