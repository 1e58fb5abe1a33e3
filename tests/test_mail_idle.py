"""A ``kexie mail`` run with nothing new does nothing it can prove useless: no pandas, no
openpyxl, no consolidation — but a file dropped into the inbox by hand, or changed there, is
still consolidated (real Dovecot and SMTP on loopback, the real command in a subprocess).

Under CI=true a missing Dovecot fails these tests instead of skipping them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from consolidate_kit import copy_camp, good_row, issue  # noqa: E402
from mail_kit import attachment, message  # noqa: E402
from mail_servers import PASSWORD, Dovecot, SmtpCapture, configure_master, required_dovecot  # noqa: E402

pytestmark = [pytest.mark.dovecot, pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")]
TODAY = date(2010, 10, 25)
SENT = datetime(2010, 10, 12, 9, 30, tzinfo=timezone.utc)
HEAVY = ("pandas", "numpy", "openpyxl", "matplotlib", "docx", "reportlab")
#: runs ``kexie mail`` as the console script does and writes which heavy libraries it loaded
PROBE = """
import json, sys
from macros.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w", encoding="utf-8") as fh:
    json.dump({"exit": code, "loaded": sorted(m for m in %r if m in sys.modules)}, fh)
""" % (HEAVY,)


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    return issue(tmp_path_factory.mktemp("mail-idle-issued"))


@pytest.fixture
def camp(issued, tmp_path, monkeypatch):
    dovecot, smtp = Dovecot(required_dovecot()).start(), SmtpCapture()
    c = copy_camp(issued, tmp_path / "campaign")
    configure_master(c.master, dovecot.port, smtp.port)
    monkeypatch.setenv("KEXIE_MAIL_PASSWORD", PASSWORD)
    monkeypatch.delenv("KEXIE_MAIL_CAFILE", raising=False)
    c.dovecot, c.smtp = dovecot, smtp
    yield c
    smtp.close()
    dovecot.close()


def kexie_mail(camp, tmp_path: Path) -> tuple[dict, dict]:
    """(the --json result, {"exit", "loaded"}) of ``kexie mail`` in a fresh interpreter."""
    probe = tmp_path / "probe.json"
    argv = ["mail", str(camp.master), str(camp.inbox), "--json", "--today", TODAY.isoformat(),
            "--log", str(camp.root / "logs" / "mail.log")]
    proc = subprocess.run([sys.executable, "-c", PROBE, str(probe), *argv], capture_output=True, text=True,
                          encoding="utf-8", timeout=300, env=dict(os.environ, KEXIE_MAIL_PASSWORD=PASSWORD))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), json.loads(probe.read_text(encoding="utf-8"))


def deliver_form(camp, code: str, rows, tmp_path: Path, msgid: str) -> None:
    data = camp.fill(code, rows, dest=tmp_path / f"{code}.xlsx").read_bytes()
    camp.dovecot.deliver(message([attachment(f"{code}报送表.xlsx", data)], sender=f"{code.lower()}@ddkx.example.cn",
                                 msgid=msgid, date=SENT))


def test_nothing_new_loads_no_table_library_and_does_not_consolidate(camp, tmp_path):
    a = sorted(camp.forms)[0]
    deliver_form(camp, a, [good_row(1), good_row(2)], tmp_path, "<idle1@x>")
    first, probe = kexie_mail(camp, tmp_path)
    assert first["consolidate"] is not None and first["written"] and probe["exit"] == 0
    before = camp.master.stat().st_mtime_ns

    again, probe = kexie_mail(camp, tmp_path)

    assert again["messages"] == [] and again["consolidate"] is None and not again["written"]
    assert again["receipts"] == {"sent": 0, "written": 0, "pending": 0}
    assert probe == {"exit": 0, "loaded": []}
    assert camp.master.stat().st_mtime_ns == before and len(camp.smtp.messages) == 1


def test_a_file_dropped_or_changed_by_hand_is_still_consolidated(camp, tmp_path):
    a, b = sorted(camp.forms)[:2]
    deliver_form(camp, a, [good_row(1)], tmp_path, "<idle2@x>")
    kexie_mail(camp, tmp_path)
    dropped = camp.fill(b, [good_row(3), good_row(4)], name="手工放入.xlsx")  # into the inbox, no mail
    (camp.inbox / "说明.txt").write_text("附件请见邮件", encoding="utf-8")  # unusable: recorded as such

    with_hand, probe = kexie_mail(camp, tmp_path)

    assert with_hand["messages"] == [] and with_hand["consolidate"] is not None
    files = {f["file"]: f for f in with_hand["consolidate"]["files"]}
    assert files[dropped.name]["status"] == "ingested" and files[dropped.name]["rows"] == 2
    assert "说明.txt" in files
    # the workbook was really opened and rewritten — and consolidating needs no pandas
    assert "openpyxl" in probe["loaded"] and "pandas" not in probe["loaded"]

    quiet, probe = kexie_mail(camp, tmp_path)  # both are recorded now, the rejected one too
    assert quiet["consolidate"] is None and probe["loaded"] == []

    camp.fill(b, [good_row(5), good_row(6), good_row(7)], name="手工放入.xlsx")  # corrected in place
    changed, _probe = kexie_mail(camp, tmp_path)
    files = {f["file"]: f for f in changed["consolidate"]["files"]}
    assert files[dropped.name]["status"] == "ingested" and files[dropped.name]["rows"] == 3
