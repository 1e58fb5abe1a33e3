#!/usr/bin/env python3
"""Benchmark: N 会员证 with photos by the product against the naive way, same inputs, same run.

    python scripts/bench_certificates.py              # N = 1000, naive sample 6
    python scripts/bench_certificates.py --n 200      # a quicker run

* product — ``kexie certificates --kind 会员证``: read the workbook, number every card in the
  ledger, draw all cards with their photos and QR codes directly as PDF (ReportLab), in batches
  of 证书每批张数 (100) per file;
* naive — for each certificate: python-docx writes a Word document with the same texts and photo,
  then one ``soffice --headless --convert-to pdf`` process converts it. Run for a sample of
  ``--naive`` certificates; its time per certificate × N is the naive time for N (LibreOffice's
  start-up dominates, so the cost is linear).

Memory: the product runs in a child process for N and for N/5; the peak resident sizes
(``ru_maxrss``) are printed and compared (goal: flat in N). Goals: ratio product / naive <= 0.05.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国秀兰志强海燕晓东丽华文博春梅振宇红霞立新雪松"
ORGS = ("丹东市医学会", "丹东市农学会", "丹东市机械工程学会", "辽东学院科协", "丹东市化工学会", "丹东市林学会")


def build_master(folder: Path, n: int, seed: int = 2010) -> Path:
    """The demo campaign with ``n`` members, each with its own photo (600 × 800 JPEG)."""
    from PIL import Image, ImageDraw

    from macros.adapters.file_engine import FileEngine
    from macros.app.new import new_campaign
    from macros.presets import demo_campaign
    from macros.schema import TABLES

    rng = random.Random(seed)
    master = new_campaign(folder / "会员.xlsx", data=demo_campaign())
    photos = folder / "照片"
    photos.mkdir()
    members = []
    for i in range(1, n + 1):
        img = Image.new("RGB", (600, 800), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
        draw = ImageDraw.Draw(img)
        draw.ellipse((180, 120, 420, 380), fill=(230, 200, 170))
        draw.rectangle((120, 420, 480, 800), fill=(40, 60, 120))
        img.save(photos / f"p{i:05d}.jpg", quality=85)
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
        members.append({"member_no": f"DD-{i:05d}", "name": name, "gender": rng.choice("男女"),
                         "org": rng.choice(ORGS), "title": "会员", "joined": "2009-05-04", "photo": f"p{i:05d}.jpg"})
    engine = FileEngine(master)
    engine.write_table(TABLES["members"], members)
    engine.save()
    return master


def product_in_child(master: Path, out: Path) -> tuple[float, int]:
    """(seconds, peak RSS in KiB) of one ``kexie certificates`` run in its own process."""
    code = (
        "import json, resource, sys, time\n"
        "from macros.cli import main\n"
        "t = time.perf_counter()\n"
        f"rc = main(['certificates', {str(master)!r}, '--kind', '会员证', '--out', {str(out)!r}, '--json'])\n"
        "print(json.dumps({'t': time.perf_counter() - t, 'rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
        " 'rc': rc}), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    stats = json.loads(proc.stderr.strip().splitlines()[-1])
    data = json.loads(proc.stdout)
    assert stats["rc"] in (0, 1) and len(data["certificates"]) > 0, proc.stderr
    return stats["t"], stats["rss"]


def naive(master: Path, out: Path, sample: int) -> float:
    """Seconds per certificate: a Word document per card, one LibreOffice process per document."""
    from docx import Document
    from docx.shared import Mm, Pt

    from macros.adapters.file_engine import FileEngine
    from macros.schema import TABLES

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("LibreOffice (soffice) is needed for the naive side")
    rows = FileEngine(master).read_table(TABLES["members"]).records()[:sample]
    out.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="kexie-bench-lo-"))
    t0 = time.perf_counter()
    for i, r in enumerate(rows):
        doc = Document()
        sec = doc.sections[0]
        sec.page_width, sec.page_height = Mm(85.6), Mm(54)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(sec, side, Mm(4))
        p = doc.add_paragraph()
        p.add_run("会 员 证").font.size = Pt(14)
        doc.add_picture(str(master.parent / "照片" / r["photo"]), width=Mm(20))
        for label, key in (("姓名", "name"), ("单位", "org"), ("会员编号", "member_no")):
            doc.add_paragraph(f"{label}：{r[key]}").runs[0].font.size = Pt(8)
        docx = out / f"c{i:05d}.docx"
        doc.save(docx)
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out), str(docx)], check=True, capture_output=True, timeout=180)
    shutil.rmtree(profile, ignore_errors=True)
    return (time.perf_counter() - t0) / max(1, len(rows))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--naive", type=int, default=6, help="certificates converted the naive way (sample)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kexie-bench-certs-"))
    try:
        t = time.perf_counter()
        small_n = max(1, args.n // 5)
        for name in ("big", "small"):
            (work / name).mkdir()
        big = build_master(work / "big", args.n)
        small = build_master(work / "small", small_n)
        print(f"inputs: {args.n} and {small_n} members with photos ({time.perf_counter() - t:.1f} s to build)")
        product_s, rss_big = product_in_child(big, work / "out-big")
        _small_s, rss_small = product_in_child(small, work / "out-small")
        pdfs = sorted((work / "out-big").glob("*.pdf"))
        size = sum(p.stat().st_size for p in pdfs)
        print(f"product: {args.n} certificates in {product_s:.2f} s ({len(pdfs)} PDF files, {size / 1e6:.1f} MB)")
        per = naive(big, work / "naive", args.naive)
        naive_s = per * args.n
        print(f"naive:   {per:.2f} s per certificate (sample of {args.naive}) -> {naive_s:.0f} s for {args.n}")
        print(f"ratio product / naive: {product_s / naive_s:.4f} (goal <= 0.05)")
        print(f"peak memory: {rss_small / 1024:.0f} MiB at N={small_n}, {rss_big / 1024:.0f} MiB at N={args.n} "
              f"(ratio {rss_big / rss_small:.2f}; goal: flat)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
