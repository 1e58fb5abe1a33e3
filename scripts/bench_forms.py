"""Benchmark ``kexie forms``: N units (default 2000) in a demo-like master, time to write every form.

    .venv/bin/python scripts/bench_forms.py [--units 2000] [--keep DIR]

Prints the time of the whole use case (read the master, build the template once, stamp and
write N forms atomically) and the mean per form.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from macros.app.forms import run_forms  # noqa: E402
from macros.app.new import new_campaign  # noqa: E402
from macros.demo.campaign import demo_campaign  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=2000)
    ap.add_argument("--keep", help="keep the master and the forms in this folder")
    args = ap.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kexie-bench-forms-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        data = demo_campaign()
        categories = ("市级学会", "县(市)区科协", "企事业科协")
        data.tables["units"] = [
            {"code": f"U{i:05d}", "name": f"测试单位{i:05d}（{categories[i % 3]}）/分会:{i}",
             "category": categories[i % 3], "quota": None, "weight": 1}
            for i in range(1, args.units + 1)
        ]
        master = new_campaign(folder / "bench.xlsx", force=True, data=data)
        started = time.perf_counter()
        run = run_forms(master, folder / "forms")
        elapsed = time.perf_counter() - started
        size = sum(p.stat().st_size for p in run.paths)
        print(f"forms: {len(run.paths)} written in {elapsed:.2f} s "
              f"({elapsed / max(1, len(run.paths)) * 1000:.1f} ms per form, {size / 1e6:.1f} MB in total)")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
