#!/usr/bin/env python3
"""Benchmark: N reminder PDFs (催报通知) by the product against the naive way, same inputs, same run.

    python scripts/bench_reports.py            # N = 500
    python scripts/bench_reports.py --n 40     # a quick run

* product — ``kexie report --kind reminders --format pdf``: read the workbook, tally, render ONE
  merged document (a part per unit), convert it in one LibreOffice process, split the PDF by
  the parts' named destinations into one file per unit (plus the merged file for printing);
* naive — for every unit: docxtpl renders the same template with the same context, then one
  ``soffice --headless --convert-to pdf`` process converts that document.

Both produce one PDF per unit short of quota from the same workbook. Prints both times and the
ratio product / naive (goal: <= 0.05).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = date(2010, 10, 25)


def build_master(path: Path, n: int, seed: int = 2010) -> Path:
    """The demo campaign with a roster of ``n`` 市级学会, each short of its quota of 3."""
    from macros.app.new import new_campaign
    from macros.demo.texts import make_author, make_title
    from macros.presets import DANDONG_TOPICS
    from macros.demo.campaign import demo_campaign

    rng = random.Random(seed)
    data = demo_campaign()
    units, items = [], []
    for i in range(1, n + 1):
        code = f"XH{i:04d}"
        name = f"丹东市第{i}学会"
        units.append({"code": code, "name": name, "category": "市级学会", "contact": "联系人", "post": "秘书长",
                      "phone": "0415-2812345", "email": f"{code.lower()}@ddkx.example.cn", "quota": None,
                      "weight": 1, "note": None})
        for _ in range(rng.choice((0, 1, 1, 2))):
            topic = rng.choice(DANDONG_TOPICS)
            title = make_title(rng, topic)
            author = make_author(rng, name, "市级学会")
            items.append({
                "item_id": f"X{len(items) + 1:05d}", "unit_code": code, "unit_name": name, "title": title,
                "topic": topic, "author": author.name, "author_org": author.org, "author_post": author.post,
                "phone": author.phone, "email": author.email, "body": "正文。",
                "submitted_on": date(2010, 9, 10) + timedelta(days=rng.randint(0, 45)), "source_file": "x.xlsx",
            })
    data.tables["units"] = units
    data.tables["items"] = items
    return new_campaign(path, data=data, force=True)


def product(master: Path, out: Path) -> tuple[float, int]:
    from macros.adapters.file_engine import FileEngine
    from macros.app.campaign import load_campaign
    from macros.app.report import generate

    started = time.perf_counter()
    campaign = load_campaign(FileEngine(master))
    run = generate(campaign, ["reminders"], out, fmt="pdf", today=TODAY, master=master)
    seconds = time.perf_counter() - started
    return seconds, sum(1 for f in run.files if f.unit_code)


def naive(master: Path, out: Path, limit: int | None = None) -> tuple[float, int]:
    """docxtpl + one soffice process per document, on the same contexts."""
    from docxtpl import DocxTemplate

    from macros.adapters.file_engine import FileEngine
    from macros.adapters.pdf import find_soffice, fontconfig_file
    from macros.app.campaign import load_campaign
    from macros.app.report import reminder_contexts, template_path
    from macros.core.tally import compute_tally

    soffice = find_soffice()
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is required for the benchmark")
    profile = Path(tempfile.mkdtemp(prefix="kexie-bench-profile-"))
    env = dict(os.environ, FONTCONFIG_FILE=str(fontconfig_file()))
    docx_dir = out / "docx"
    docx_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    campaign = load_campaign(FileEngine(master))
    shared, parts = reminder_contexts(campaign, compute_tally(campaign, TODAY), TODAY)
    template = template_path("reminders", master)
    count = 0
    try:
        for part in parts[:limit] if limit else parts:
            tpl = DocxTemplate(str(template))
            tpl.render(dict(shared, **part), autoescape=True)
            docx = docx_dir / f"{part['unit']['code']}.docx"
            tpl.save(str(docx))
            subprocess.run(
                [str(soffice), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                 "--outdir", str(out), str(docx)],
                check=True, capture_output=True, env=env, timeout=300,
            )
            count += 1
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    seconds = time.perf_counter() - started
    return seconds, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="units short of quota (default 500)")
    parser.add_argument("--keep", type=Path, help="keep the outputs in this folder")
    args = parser.parse_args(argv)
    base = args.keep or Path(tempfile.mkdtemp(prefix="kexie-bench-reports-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        master = build_master(base / "master.xlsx", args.n)
        print(f"workbook: {args.n} units short of quota -> {args.n} reminder PDFs", flush=True)
        t_product, n_product = product(master, base / "product")
        print(f"product: {t_product:8.2f} s  ({n_product} PDFs + merged file; one LibreOffice process)", flush=True)
        t_naive, n_naive = naive(master, base / "naive")
        print(f"naive:   {t_naive:8.2f} s  ({n_naive} PDFs; docxtpl + one soffice process per document)", flush=True)
        if n_product != n_naive:
            print(f"warning: the two runs made different numbers of PDFs ({n_product} vs {n_naive})")
        ratio = t_product / t_naive
        print(f"ratio product/naive: {ratio:.4f}  (goal <= 0.05: {'met' if ratio <= 0.05 else 'NOT met'})")
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
