"""Benchmark ``kexie consolidate`` against the naive pandas/openpyxl read of the same files.

    .venv/bin/python scripts/bench_consolidate.py [--forms 2000] [--rows 20] [--small 500] [--keep DIR]

1. Generates a master whose roster has ``--forms`` units, issues their forms with ``kexie forms``
   and fills each with ``--rows`` rows through openpyxl, as units would (in 2 processes; not
   timed). With ``--keep DIR`` the data is kept and reused by the next run with the same sizes.
2. Times ``kexie consolidate MASTER INBOX --json`` end to end as a subprocess on a fresh copy of
   the master (interpreter start, reading and checking every file, validation, ledger, writing
   征集明细 and 报送记录, 统计) — and a second run on the same inbox (nothing new: what a
   scheduler running every ten minutes pays).
3. Times, in the same run, the naive baseline: ``pandas.read_excel(f, sheet_name="报送",
   engine="openpyxl")`` over the same files, reading only, one process.
4. Prints both, the ratio (goal ≤ 0.35), and the peak memory of the consolidation (goal ≤ 400 MB
   at 2000 files), measured again with only ``--small`` of the files to show how it grows.

The package's bytecode is compiled first, as pip does when it installs kexie on a staff PC:
pandas and openpyxl (the baseline) start from theirs, and a machine that sets
PYTHONDONTWRITEBYTECODE (as some containers do) would otherwise compile our ~110 modules from
source at every start (~0.1 s).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BODY = ("围绕建设沿江沿海经济区，建议加快丹东新区基础设施建设，完善园区配套政策，"
        "引进龙头企业，培育产业集群，提升开发开放水平。") * 4
TOPICS = ("提升开发开放水平", "区域经济合作", "大力发展现代服务业", "推进新农村建设", "重大项目谋划")


# --- data --------------------------------------------------------------------------------------

def _fill_one(job: tuple[str, str, int, int]) -> str:
    src, dest, rows, seed = job
    import openpyxl

    from macros.adapters.xlsx_form import FIRST_INPUT_ROW, HEADER_ROW
    from macros.schema import FORM, FORM_SHEET

    wb = openpyxl.load_workbook(src)
    ws = wb[FORM_SHEET]
    headers = {str(c.value).strip(): c.column for c in ws[HEADER_ROW] if c.value}
    cols = {col.key: headers[col.header] for col in FORM.columns if col.header in headers}
    for i in range(rows):
        n = seed * 1000 + i
        values = {"title": f"关于第{n}项工作的建议", "topic": TOPICS[n % len(TOPICS)], "author": f"献策人{n % 97}",
                  "author_org": "丹东市某单位", "author_post": "工程师", "phone": f"1390415{n % 10000:04d}",
                  "email": f"user{n}@ddkx.example.cn", "body": f"{BODY}（第{n}条）"}
        for key, value in values.items():
            ws.cell(row=FIRST_INPUT_ROW + i, column=cols[key], value=value)
    wb.save(dest)
    ts = 1286000000 + seed * 60  # October 2010, one minute apart
    os.utime(dest, (ts, ts))
    return dest


def generate(folder: Path, forms: int, rows: int) -> tuple[Path, Path]:
    """A master with ``forms`` units and an inbox of their filled forms (reused when present)."""
    master = folder / "bench.xlsx"
    inbox = folder / "inbox"
    stamp = folder / "generated.json"
    if stamp.is_file() and json.loads(stamp.read_text()) == {"forms": forms, "rows": rows}:
        return master, inbox
    from macros.app.forms import run_forms
    from macros.app.new import new_campaign
    from macros.demo.campaign import demo_campaign

    shutil.rmtree(inbox, ignore_errors=True)
    data = demo_campaign()
    categories = ("市级学会", "县(市)区科协", "企事业科协")
    data.tables["units"] = [
        {"code": f"U{i:05d}", "name": f"测试单位{i:05d}", "category": categories[i % 3], "quota": None, "weight": 1}
        for i in range(1, forms + 1)
    ]
    master = new_campaign(master, force=True, data=data)
    t0 = time.perf_counter()
    run = run_forms(master, folder / "forms")
    inbox.mkdir(parents=True)
    jobs = [(str(p), str(inbox / p.name), rows, i) for i, p in enumerate(sorted(run.paths))]
    with ProcessPoolExecutor(max_workers=2) as pool:
        for _ in pool.map(_fill_one, jobs, chunksize=16):
            pass
    print(f"generated {len(jobs)} forms x {rows} rows in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    stamp.write_text(json.dumps({"forms": forms, "rows": rows}))
    return master, inbox


# --- measuring ---------------------------------------------------------------------------------

def _run_cli(argv: list[str], usage_file: str) -> int:
    """Run kexie in this process and record its own and its workers' peak memory."""
    from macros.cli import main

    code = main(argv)
    try:
        import resource

        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        usage = {"self_mb": me.ru_maxrss / 1024, "children_mb": kids.ru_maxrss / 1024}
        if sys.platform == "darwin":  # bytes there
            usage = {k: v / 1024 for k, v in usage.items()}
        # CPU seconds of this process and its reader processes: on a machine shared with other
        # work, wall time swings with the load; CPU time shows the work done.
        usage["cpu_s"] = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    except ImportError:  # Windows
        usage = {}
    Path(usage_file).write_text(json.dumps(usage))
    return code


def consolidate_timed(master_src: Path, inbox: Path, work: Path, subset: int | None = None) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    master = work / master_src.name
    for p in list(work.iterdir()):
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()
    shutil.copy2(master_src, master)
    key = master_src.with_name(f".{master_src.name}.kexie-key")
    shutil.copy2(key, master.with_name(key.name))
    if subset is not None:
        box = work / "inbox"
        box.mkdir()
        for p in sorted(inbox.iterdir())[:subset]:
            os.link(p, box / p.name) if hasattr(os, "link") else shutil.copy2(p, box / p.name)
        inbox = box
    out: dict = {}
    for label in ("first", "again"):
        usage = work / f"usage-{label}.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--_run", str(usage), "--",
               "consolidate", str(master), str(inbox), "--json", "--today", "2010-10-25"]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, cwd=ROOT)
        out[f"{label}_s"] = time.perf_counter() - t0
        if proc.returncode not in (0, 1):
            sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
            raise SystemExit(f"kexie consolidate failed with exit code {proc.returncode}")
        data = json.loads(proc.stdout)
        out[f"{label}_usage"] = json.loads(usage.read_text())
        out[f"{label}_rows"] = data["rows_total"]
        out[f"{label}_written"] = data["written"]
    return out


def baseline(inbox: Path, subset: int | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of the naive read of the same files."""
    import pandas as pd

    from macros.schema import FORM_SHEET

    files = sorted(p for p in inbox.iterdir() if p.suffix == ".xlsx")[:subset]
    t0, c0 = time.perf_counter(), time.process_time()
    for f in files:
        pd.read_excel(f, sheet_name=FORM_SHEET, engine="openpyxl")
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--_run":
        return _run_cli(sys.argv[sys.argv.index("--") + 1:], sys.argv[2])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--forms", type=int, default=2000)
    ap.add_argument("--rows", type=int, default=20)
    ap.add_argument("--small", type=int, default=None, help="second, smaller N for memory growth (default forms/4)")
    ap.add_argument("--keep", help="generate into (and reuse) this folder")
    args = ap.parse_args()
    small = args.small or max(1, args.forms // 4)
    import compileall

    compileall.compile_dir(ROOT / "macros", quiet=1)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kexie-bench-consolidate-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        master, inbox = generate(folder, args.forms, args.rows)
        n = len(list(inbox.iterdir()))
        big = consolidate_timed(master, inbox, folder / "run-all")
        base, base_cpu = baseline(inbox)
        little = consolidate_timed(master, inbox, folder / "run-small", subset=small)

        def mem(u: dict) -> str:
            if not u:
                return "n/a"
            return f"{u['self_mb']:.0f} MB main + {u['children_mb']:.0f} MB largest reader"

        print(f"files: {n} forms x {args.rows} rows = {n * args.rows} rows; cores: {os.cpu_count()}")
        print(f"kexie consolidate (end to end):        {big['first_s']:7.2f} s  -> 征集明细 {big['first_rows']} rows")
        print(f"kexie consolidate again (no changes):  {big['again_s']:7.2f} s  (written: {big['again_written']})")
        print(f"baseline pandas.read_excel(openpyxl):  {base:7.2f} s  (reading only, one process)")
        print(f"ratio consolidate / baseline:          {big['first_s'] / base:7.3f}  (goal <= 0.35)")
        cpu = big["first_usage"].get("cpu_s")
        if cpu is not None:
            load = f"; load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
            print(f"CPU seconds: consolidate {cpu:.2f} (main + readers), baseline {base_cpu:.2f}; "
                  f"ratio {cpu / base_cpu:.3f}{load}")
        print(f"peak memory at {n} files:  {mem(big['first_usage'])}")
        print(f"peak memory at {min(small, n)} files:  {mem(little['first_usage'])}  "
              f"({little['first_s']:.2f} s end to end)")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
