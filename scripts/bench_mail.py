"""Benchmark ``kexie mail`` against a local Dovecot: first run, a run with nothing new, memory vs N.

    .venv/bin/python scripts/bench_mail.py [--messages 500] [--small N] [--keep DIR]

1. Generates a demo-like master with one unit per message, issues their forms with
   ``kexie forms`` and fills each with 2 rows (openpyxl, 2 processes; not timed); builds
   ``--messages`` messages from the units' roster addresses, each with 1–3 attachments: the
   unit's form and 0–2 small ``.docx`` proposals (python-docx), names in RFC 2231 / RFC 2047
   GBK / raw GBK in turn.
2. Starts a Dovecot on loopback (tests/mail_servers.py, as the tests do) and an SMTP server
   capturing receipts, delivers the messages into its Maildir.
3. Times ``kexie mail MASTER INBOX --json`` end to end as a subprocess (fetch, archive, save,
   consolidate, tally, receipts by SMTP) and a second run with nothing new (what a scheduler
   running every ten minutes pays). Goal: second ≤ 0.05 × first.
4. Repeats step 3's first run with ``--small`` messages on a fresh mailbox and master and
   compares the peak memory of the two (goal: flat in the number of messages).
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import quote_from_bytes

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_consolidate import _fill_one  # noqa: E402


def generate(folder: Path, n: int) -> tuple[Path, list[Path]]:
    from macros.app.forms import run_forms
    from macros.app.new import new_campaign
    from macros.demo.campaign import demo_campaign

    data = demo_campaign()
    categories = ("市级学会", "县(市)区科协", "企事业科协")
    data.tables["units"] = [
        {"code": f"U{i:05d}", "name": f"测试单位{i:05d}", "category": categories[i % 3], "quota": None, "weight": 1,
         "email": f"u{i:05d}@ddkx.example.cn"} for i in range(1, n + 1)]
    master = new_campaign(folder / "bench.xlsx", force=True, data=data)
    run = run_forms(master, folder / "forms")
    filled = folder / "filled"
    filled.mkdir(exist_ok=True)
    jobs = [(str(p), str(filled / p.name), 2, i) for i, p in enumerate(sorted(run.paths))]
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_fill_one, jobs, chunksize=16))
    return master, sorted(filled.iterdir())


def docx_bytes(i: int) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(f"关于推进第{i}项工作的建议", level=1)
    for label, value in (("献策人", f"献策人{i}"), ("工作单位", "丹东市某学会"), ("联系电话", "13904150000")):
        doc.add_paragraph(f"{label}：{value}")
    doc.add_paragraph("建议加快沿江开发，完善基础设施。" * 20)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _named(name: str, i: int) -> bytes:
    if i % 3 == 0:
        return f"Content-Disposition: attachment; filename*=UTF-8''{quote_from_bytes(name.encode(), safe='')}".encode()
    if i % 3 == 1:
        b64 = base64.b64encode(name.encode("gbk")).decode()
        return f'Content-Disposition: attachment; filename="=?GBK?B?{b64}?="'.encode()
    return b'Content-Disposition: attachment; filename="' + name.encode("gbk") + b'"'


def messages(forms: list[Path], n: int) -> list[bytes]:
    from mail_kit import message

    out = []
    for i, form in enumerate(forms[:n]):
        code = form.name.split("_", 1)[0]
        atts = [(_named(form.name, i), form.read_bytes())]
        for k in range(i % 3):  # 0–2 Word documents
            atts.append((_named(f"关于第{i}-{k}项工作的建议.docx", i + k), docx_bytes(i * 10 + k)))
        out.append(message(atts, sender=f"{code.lower()}@ddkx.example.cn", subject=f"报送材料{i}",
                           msgid=f"<bench{i}@ddkx.example.cn>"))
    return out


def cli_startup() -> float:
    """Seconds to start the kexie command without doing anything (best of 3)."""
    best = None
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import macros.cli; macros.cli.build_parser()"], cwd=ROOT, check=True)
        took = time.perf_counter() - t0
        best = took if best is None else min(best, took)
    return best


def run_once(master: Path, inbox: Path, usage: Path, env: dict) -> tuple[float, dict, dict]:
    cmd = [sys.executable, str(ROOT / "scripts" / "bench_consolidate.py"), "--_run", str(usage), "--",
           "mail", str(master), str(inbox), "--json", "--today", "2010-10-25"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, cwd=ROOT, env=env)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr.decode("utf-8", "replace")[-3000:])
        raise SystemExit(f"kexie mail failed with exit code {proc.returncode}")
    return seconds, json.loads(proc.stdout), json.loads(usage.read_text())


def scenario(folder: Path, master_src: Path, raws: list[bytes], label: str) -> dict:
    import os

    from mail_servers import ACCOUNT, PASSWORD, Dovecot, SmtpCapture, configure_master, dovecot_binary

    work = folder / label
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    master = work / master_src.name
    shutil.copy2(master_src, master)
    key = master_src.with_name(f".{master_src.name}.kexie-key")
    shutil.copy2(key, master.with_name(key.name))
    inbox = work / "收件箱"
    inbox.mkdir()
    binary = dovecot_binary()
    if binary is None:
        raise SystemExit("Dovecot (dovecot-imapd) is needed: bash scripts/setup.sh")
    dovecot, smtp = Dovecot(binary).start(), SmtpCapture()
    try:
        configure_master(master, dovecot.port, smtp.port)
        for raw in raws:
            dovecot.deliver(raw)
        env = dict(os.environ, KEXIE_MAIL_PASSWORD=PASSWORD)
        first = run_once(master, inbox, work / "usage-1.json", env)
        again = run_once(master, inbox, work / "usage-2.json", env)
        return {"first_s": first[0], "first": first[1], "first_mem": first[2], "again_s": again[0],
                "again": again[1], "receipts": len(smtp.messages), "account": ACCOUNT}
    finally:
        smtp.close()
        dovecot.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=500)
    ap.add_argument("--small", type=int, default=None, help="smaller N for the memory comparison (default N/5)")
    ap.add_argument("--keep", help="work in (and keep) this folder")
    args = ap.parse_args()
    n, small = args.messages, args.small or max(1, args.messages // 5)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kexie-bench-mail-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        master, forms = generate(folder, n)
        raws = messages(forms, n)
        atts = sum(1 + i % 3 for i in range(n))
        print(f"generated {n} messages with {atts} attachments in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        startup = cli_startup()
        big = scenario(folder, master, raws, "all")
        little = scenario(folder, master, raws[:small], "small")

        def mem(u: dict) -> str:
            return f"{u.get('self_mb', 0):.0f} MB main + {u.get('children_mb', 0):.0f} MB largest worker" if u else "n/a"

        cons = big["first"]["consolidate"] or {"files": [], "rows_total": 0}
        print(f"messages: {n}, attachments: {atts}; receipts sent: {big['receipts']}; "
              f"征集明细 rows: {cons['rows_total']}")
        print(f"kexie mail, first run (fetch+save+consolidate+receipts): {big['first_s']:7.2f} s")
        print(f"kexie mail, second run (nothing new):                    {big['again_s']:7.2f} s")
        print(f"ratio second / first:                                    {big['again_s'] / big['first_s']:7.3f}"
              "  (goal <= 0.05)")
        net = max(big["again_s"] - startup, 0.0) / max(big["first_s"] - startup, 1e-9)
        print(f"start-up of the kexie command alone (interpreter, imports, parser): {startup:.2f} s")
        print(f"ratio second / first, start-up subtracted from both:     {net:7.3f}")
        print(f"peak memory at {n} messages:  {mem(big['first_mem'])}")
        print(f"peak memory at {small} messages:  {mem(little['first_mem'])}  ({little['first_s']:.2f} s first run)")
        if big["first_mem"] and little["first_mem"]:
            print(f"memory ratio main process {n}/{small}: "
                  f"{big['first_mem']['self_mb'] / little['first_mem']['self_mb']:.2f}  (goal: flat, ~1)")
            if little["first_mem"].get("children_mb"):
                print(f"memory ratio largest worker {n}/{small}: "
                      f"{big['first_mem']['children_mb'] / little['first_mem']['children_mb']:.2f}  (goal: flat, ~1)")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
