"""Benchmark the Word intake: one LibreOffice process per batch vs one per document.

    .venv/bin/python scripts/bench_intake.py [--docs 12] [--keep DIR]

1. Makes ``--docs`` Word proposals with python-docx and converts them to Word 97–2003 ``.doc``
   once (not timed) — what units send.
2. Times ``word_reader.convert_batch`` (the way ``kexie consolidate`` converts: all documents in
   one soffice call, one private profile) against the naive way: one ``soffice`` process per
   document, each with its own fresh profile (as a per-file conversion call does).
3. Prints both and the ratio (goal ≤ 0.2).

The forms side of the intake (400 forms × 20 rows against the naive read-only pass) is measured
by ``scripts/bench_consolidate.py --forms 400``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from macros.adapters.word_reader import DocxConverter, convert_batch  # noqa: E402


def make_docs(folder: Path, n: int) -> list[Path]:
    import docx

    src = folder / "docx"
    src.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        d = docx.Document()
        d.add_heading(f"关于推进丹东发展的第{i + 1}条建议", level=1)
        d.add_paragraph("报送单位：丹东市医学会")
        d.add_paragraph("献策人：王丽娟　　职务：秘书长")
        for _ in range(8):
            d.add_paragraph("建议加快沿江开发，完善基础设施，推进产业升级。" * 6)
        p = src / f"建议{i + 1:03d}.docx"
        d.save(p)
        paths.append(p)
    out = folder / "doc"
    with DocxConverter() as conv:
        conv.convert_filter = lambda: "doc:MS Word 97"  # type: ignore[method-assign]
        conv._run(paths, out)
    return sorted(out.glob("*.doc"))


def batch(docs: list[Path], work: Path) -> float:
    t0 = time.perf_counter()
    done = convert_batch([(p, "doc") for p in docs], work)
    elapsed = time.perf_counter() - t0
    bad = [p for p, r in done.items() if not isinstance(r, Path)]
    if bad:
        raise SystemExit(f"batch conversion failed for {len(bad)} documents")
    return elapsed


def one_by_one(docs: list[Path], work: Path) -> float:
    t0 = time.perf_counter()
    for i, p in enumerate(docs):
        with DocxConverter() as conv:  # a fresh process and profile per document
            conv._run([p], work / f"{i:04d}")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=12)
    ap.add_argument("--keep", help="work in (and keep) this folder")
    args = ap.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kexie-bench-intake-"))
    try:
        docs = make_docs(folder, args.docs)
        b = batch(docs, folder / "batch")
        naive = one_by_one(docs, folder / "single")
        print(f"{len(docs)} .doc documents → .docx")
        print(f"one LibreOffice process per batch:     {b:7.2f} s")
        print(f"one LibreOffice process per document:  {naive:7.2f} s")
        print(f"ratio batch / per document:            {b / naive:7.3f}  (goal <= 0.2)")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
