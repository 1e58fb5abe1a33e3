"""Benchmark: validating a 50,000-row 征集明细 must cost less than loading that workbook.

Builds (once, or reuses with --keep) the demo campaign with N generated items — realistic
values: roster units, seed topics, dates around the deadline, bodies of Chinese text, a few
planted problems — then times, in one run on the same file:

* load      — open the workbook and read every validated sheet (FileEngine: calamine + header
              location), exactly what ``kexie validate`` reads;
* validate  — all rules of macros.core.validate on what was read (pure, no I/O);

and prints validate / load (goal ≤ 0.5). ``--full`` also times the whole use case including
writing 校验结果 and the marks with openpyxl.

    .venv/bin/python scripts/bench_validate.py [--rows 50000] [--body-chars 400] [--keep FILE]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from macros.app.new import new_campaign  # noqa: E402
from macros.presets import DANDONG_TOPICS  # noqa: E402
from macros.demo.campaign import demo_campaign  # noqa: E402

SEED_TEXT = (
    "以科学发展观为指导，围绕把丹东建设成为中国最美的边境城市的总目标，突出“以开发开放促跨越式发展”"
    "这一主基调，充分发挥科协组织联系科技工作者的桥梁纽带作用和网络齐全、人才荟萃、智力密集的优势，"
    "动员组织广大科技工作者和科协系统干部群众积极为科学编制“十二五”规划建言献策。建议在2011年前"
    "完成沿江沿海经济区的基础设施建设，引进3至5个大型项目，年产值达到100亿元，GDP增长12%以上。"
)


def build(path: Path, rows: int, body_chars: int, seed: int = 20101020) -> Path:
    rng = random.Random(seed)
    data = demo_campaign()
    units = [u for u in data.tables["units"] if u["category"] != "机关部室"]
    start = date(2010, 9, 1)
    items = []
    text = SEED_TEXT * (body_chars // len(SEED_TEXT) + 2)
    for i in range(rows):
        u = units[i % len(units)]
        n = i // len(units) + 1
        off = rng.randrange(len(SEED_TEXT))
        body = text[off: off + body_chars - rng.randrange(0, body_chars // 4 + 1)]
        submitted = start + timedelta(days=rng.randrange(0, 56))  # some after 10-20: 逾期
        item = {
            "item_id": f"{u['code']}-{n:04d}", "unit_code": u["code"], "unit_name": u["name"],
            "title": f"关于{DANDONG_TOPICS[i % 20][:8]}的建议（{n}）",
            "topic": DANDONG_TOPICS[(i * 7) % 20], "author": f"献策人{i % 997}",
            "author_org": u["name"], "author_post": "工程师", "phone": u["phone"],
            "email": u["email"], "body": body, "word_count": None, "submitted_on": submitted,
            "source_file": f"{u['code']}-报送表.xlsx", "status": None,
            "score": float(60 + i % 40), "adopted": "是" if i % 5 == 0 else "否", "remark": None,
        }
        if i % 1000 == 17:  # planted problems, so validation has something to report
            item["topic"] = "重大项目谋画"
        if i % 1000 == 555:
            item["phone"] = "12345"
        items.append(item)
    data.tables["items"] = items
    return new_campaign(path, force=True, data=data)


def _normalize_modules():
    """The modules of the ``macros.core.normalize`` package (their caches are cleared per run)."""
    import importlib
    import pkgutil

    from macros.core import normalize

    return [importlib.import_module(f"macros.core.normalize.{m.name}")
            for m in pkgutil.iter_modules(normalize.__path__)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--body-chars", type=int, default=400, help="正文 length per item (default 400)")
    ap.add_argument("--keep", type=Path, help="build the workbook here once and reuse it")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs; the best is reported")
    ap.add_argument("--full", action="store_true", help="also time the whole use case with writing")
    args = ap.parse_args(argv)

    from macros.adapters.file_engine import FileEngine
    from macros.app.validate import read_for_validation, validate_workbook
    from macros.core.validate import validate_campaign

    tmpdir = None
    if args.keep and args.keep.exists():
        path = args.keep
        print(f"reusing {path}")
    else:
        if args.keep:
            path = args.keep
        else:
            tmpdir = Path(tempfile.mkdtemp(prefix="kexie-bench-"))
            path = tmpdir / "bench.xlsx"
        t = time.perf_counter()
        build(path, args.rows, args.body_chars)
        print(f"built {path} ({args.rows} rows, {path.stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - t:.1f} s")
    try:
        from macros.core import normalize

        t = time.perf_counter()
        normalize.to_simplified("預熱")  # one-time per process: OpenCC's tables
        opencc_load = time.perf_counter() - t
        caches = [getattr(mod, name) for mod in _normalize_modules() for name in dir(mod)
                  if hasattr(getattr(mod, name), "cache_clear") and name != "_t2s_converter"]
        loads, validates, counts = [], [], []
        for _ in range(args.repeat):
            for fn in caches:  # every run starts cold: no value judged by an earlier run
                fn.cache_clear()
            t0 = time.perf_counter()
            engine = FileEngine(path)
            data = read_for_validation(engine)
            t1 = time.perf_counter()
            problems = validate_campaign(data["raw_settings"], data["settings_grid"], data["tables"],
                                         sheet_names=data["sheet_names"], today=date(2010, 12, 31))
            t2 = time.perf_counter()
            loads.append(t1 - t0)
            validates.append(t2 - t1)
            counts.append(len(problems))
        rows = len(data["tables"]["items"].frame)
        load, validate = min(loads), min(validates)
        print(f"征集明细 rows: {rows}; problems found: {counts[0]}")
        print(f"load     {load:8.3f} s  (best of {args.repeat}: {', '.join(f'{x:.3f}' for x in loads)})")
        print(f"validate {validate:8.3f} s  (best of {args.repeat}: {', '.join(f'{x:.3f}' for x in validates)})")
        print(f"(one-time per process, not in either figure: loading OpenCC's tables {opencc_load:.3f} s)")
        ratio = validate / load
        print(f"validate / load = {ratio:.3f}  (goal ≤ 0.5: {'met' if ratio <= 0.5 else 'NOT met'})")
        if args.full:
            work = path.with_name("full-" + path.name)
            shutil.copy2(path, work)
            t = time.perf_counter()
            run = validate_workbook(FileEngine(work), today=date(2010, 12, 31))
            print(f"whole use case (read, validate, write 校验结果 and marks): "
                  f"{time.perf_counter() - t:.1f} s; timings {({k: round(v, 2) for k, v in run.timings.items()})}")
        return 0 if ratio <= 0.5 else 1
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
