"""Rendering a run's documents: templates found, rendered, converted to PDF in one call."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Sequence

from macros import resources
from macros.adapters.docs import part_page_ranges, render_docx, render_merged
from macros.adapters.engine import WorkbookEngine
from macros.adapters.pdf import ConverterNotFoundError, find_converter, split_pdf
from macros.app.campaign import Campaign, load_campaign
from macros.app.report.contexts import PER_UNIT, build_context
from macros.app.report.notice_kinds import screen_kinds
from macros.app.report_kinds import KINDS
from macros.app.result import CommandResult
from macros.core.safe_names import safe_filename
from macros.core.tally import compute_tally
from macros.errors import ConfigError, Exit
from macros.schema import SETTINGS_SHEET

TEMPLATE_FILES = {kind: f"{kind}.docx" for kind in KINDS}
LOCAL_TEMPLATES = "模板"  # folder beside the master with staff-edited templates


@dataclass
class ReportFile:
    kind: str
    path: Path
    unit_code: str | None = None


@dataclass
class ReportRun:
    files: list[ReportFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fmt: str = "docx"
    converter: str | None = None
    seconds: float = 0.0


def template_path(kind: str, master: Path | None = None) -> Path:
    """The template for ``kind``: a staff copy (模板/ beside the master, or KEXIE_TEMPLATES) wins."""
    name = TEMPLATE_FILES[kind]
    candidates = []
    if os.environ.get("KEXIE_TEMPLATES"):
        candidates.append(Path(os.environ["KEXIE_TEMPLATES"]) / name)
    if master is not None:
        candidates.append(Path(master).parent / LOCAL_TEMPLATES / name)
    candidates.append(resources.template_file(name))
    for c in candidates:
        if c.is_file():
            return c
    raise ConfigError(f"找不到“{KINDS[kind]}”的模板 {name}：kexie 安装不完整，请重新安装（或把模板放到工作簿旁的“模板”文件夹）。")


def parse_kinds(kind: str) -> list[str]:
    words = [w.strip() for w in kind.replace("，", ",").split(",") if w.strip()]
    if words == ["all"]:
        return list(KINDS)
    unknown = [w for w in words if w not in KINDS]
    if unknown or not words:
        raise ConfigError(f"未知的文档种类：{'、'.join(unknown) or kind}。可选：{'、'.join(KINDS)} 或 all。")
    return list(dict.fromkeys(words))


def generate(
    campaign: Campaign,
    kinds: Sequence[str],
    out_dir: Path | str,
    *,
    fmt: str = "docx",
    today: date | None = None,
    master: Path | None = None,
    converter=None,
    tally=None,
) -> ReportRun:
    """Render ``kinds`` into ``out_dir`` as .docx or .pdf (one converter call for the run).

    With ``fmt="pdf"`` and no converter on the machine, the .docx files are written and
    :class:`macros.adapters.pdf.ConverterNotFoundError` (exit 2) is raised afterwards.
    """
    started = time.perf_counter()
    today = today or date.today()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tally = tally if tally is not None else compute_tally(campaign, today)
    run = ReportRun(fmt=fmt)
    own_converter = False
    if fmt == "pdf" and converter is None:
        converter = find_converter()
        own_converter = converter is not None
    want_pdf = fmt == "pdf" and converter is not None
    run.converter = getattr(converter, "name", None) if want_pdf else None
    try:
        with tempfile.TemporaryDirectory(prefix="kexie-report-") as tmp:
            work = Path(tmp)
            batch = _PdfBatch(out, work)
            for kind in kinds:
                _render_kind(kind, campaign, tally, today, master, run, out, work,
                             batch if want_pdf else None)
            if fmt == "pdf" and converter is None:
                run.seconds = time.perf_counter() - started
                names = "、".join(f.path.name for f in run.files[:3]) + ("等" if len(run.files) > 3 else "")
                raise ConverterNotFoundError(
                    f"已在 {out} 生成 Word 文档（{names}），但本机没有可生成 PDF 的程序。"
                    "请安装 LibreOffice（Debian/Ubuntu：sudo apt-get install libreoffice-writer fonts-noto-cjk；"
                    "Windows/macOS：https://zh-cn.libreoffice.org/download/）或 Microsoft Word 后重新运行。"
                )
            if want_pdf and batch.docs:
                run.files += batch.convert(converter)
    finally:
        if own_converter and hasattr(converter, "close"):
            converter.close()
    run.seconds = time.perf_counter() - started
    return run


def _render_kind(kind: str, campaign: Campaign, tally, today: date, master: Path | None,
                 run: ReportRun, out: Path, work: Path, batch: "_PdfBatch | None") -> None:
    """Render one kind: into ``out`` as .docx, or into ``work`` for ``batch`` to convert. A
    per-unit kind is one merged document (and, as .docx, one document per unit besides)."""
    template = template_path(kind, master)
    ctx = build_context(kind, campaign, tally, today, work, master)
    docx_dir = work if batch is not None else out
    if kind not in PER_UNIT:
        docx = render_docx(template, ctx, docx_dir / safe_filename(f"{KINDS[kind]}.docx"))
        if batch is not None:
            batch.add(kind, docx)
        else:
            run.files.append(ReportFile(kind, docx))
        return
    folder_name, merged_name, none_note = PER_UNIT[kind]
    shared, parts = ctx
    if not parts:
        run.notes.append(none_note)
        return
    merged_docx = render_merged(template, parts, docx_dir / f"{merged_name}.docx", shared)
    if batch is not None:
        batch.add(kind, merged_docx, parts)
        return
    run.files.append(ReportFile(kind, merged_docx))
    for part in parts:
        unit = part["unit"]
        path = out / folder_name / safe_filename(f"{unit['code']}_{unit['name']}.docx")
        render_docx(template, dict(shared, **part), path)
        run.files.append(ReportFile(kind, path, unit["code"]))


@dataclass
class _PdfBatch:
    """The run's documents waiting for one converter call; a merged per-unit document is split
    back into one PDF per unit (by its parts' page ranges) and kept whole for printing."""

    out: Path
    work: Path
    docs: list[tuple[str, Path, list[dict] | None]] = field(default_factory=list)

    def add(self, kind: str, docx: Path, parts: list[dict] | None = None) -> None:
        self.docs.append((kind, docx, parts))

    def convert(self, converter) -> list[ReportFile]:
        docx = [d for _k, d, _p in self.docs]
        produced = dict(zip(docx, converter.convert_many(docx, self.work / "pdf")))
        files: list[ReportFile] = []
        for kind, docx, parts in self.docs:  # single documents first, as they were listed
            if parts is None:
                target = self.out / docx.with_suffix(".pdf").name
                shutil.move(str(produced[docx]), target)
                files.append(ReportFile(kind, target))
        for kind, docx, parts in self.docs:
            if parts is not None:
                files += self._split(kind, produced[docx], parts)
        return files

    def _split(self, kind: str, merged_pdf: Path, parts: list[dict]) -> list[ReportFile]:
        folder_name, merged_name, _note = PER_UNIT[kind]
        ranges = part_page_ranges(merged_pdf, len(parts))
        folder = self.out / folder_name
        targets = [folder / safe_filename(f"{p['unit']['code']}_{p['unit']['name']}.pdf") for p in parts]
        split_pdf(merged_pdf, ranges, targets)
        final_merged = self.out / f"{merged_name}.pdf"
        shutil.move(str(merged_pdf), final_merged)
        return [ReportFile(kind, final_merged)] + [
            ReportFile(kind, t, p["unit"]["code"]) for t, p in zip(targets, parts)]


def report_command(engine: WorkbookEngine, kinds: Sequence[str], out: Path, fmt: str = "docx",
                   today: date | None = None, final: bool = False) -> CommandResult:
    """``kexie report`` and the document buttons, on the engine its shell opened. ``kinds``:
    ids of KINDS ("all" stands for every kind: kinds with nothing to show are skipped and said
    so). Official documents are refused (E401) while 设置 has errors they depend on; ``final``:
    the clerk confirms the assessment (考核结果已确认) for this run."""
    every = "all" in kinds
    kinds = list(KINDS) if every else parse_kinds(",".join(kinds))
    fmt = fmt or "docx"
    campaign = load_campaign(engine)
    if final:  # the clerk confirms the assessment for this run
        campaign.settings["results_confirmed"] = "是"
    today = today or date.today()
    master = engine.path

    tally = compute_tally(campaign, today)
    grid = engine.read_grid(SETTINGS_SHEET) if SETTINGS_SHEET in engine.sheet_names() else None
    kinds, skipped, refusals = screen_kinds(kinds, campaign, grid, tally, KINDS, every=every)
    if not kinds:
        lines = skipped + [f"[{p.code}] {p.message}" for p in refusals] or ["没有可生成的文档。"]
        return CommandResult(data={"out": str(out), "format": fmt, "kinds": [], "files": [],
                                   "notes": skipped, "problems": [p.to_json() for p in refusals]},
                             exit_code=Exit.DATA_PROBLEMS if refusals else Exit.OK, lines=lines)
    run = generate(campaign, kinds, out, fmt=fmt, today=today, master=master, tally=tally)
    run.notes[:0] = skipped + [f"[{p.code}] {p.message}" for p in refusals]
    out = Path(out)
    per_kind: dict[str, int] = {}
    for f in run.files:
        per_kind[f.kind] = per_kind.get(f.kind, 0) + 1
    lines = [f"已生成 {len(run.files)} 个文件（{fmt.upper()}{'，' + run.converter + ' 转换' if run.converter else ''}），"
             f"保存在：{out}（用时 {run.seconds:.1f} 秒）"]
    for kind in kinds:
        if kind in per_kind:
            extra = f"（{per_kind[kind] - 1} 个单位，另有合并打印文件）" if kind in PER_UNIT and per_kind[kind] > 1 else ""
            lines.append(f"  {KINDS[kind]}{extra}")
    lines += run.notes
    data = {
        "out": str(out),
        "format": fmt,
        "kinds": kinds,
        "files": [{"kind": f.kind, "path": str(f.path), "unit_code": f.unit_code} for f in run.files],
        "notes": run.notes,
        "problems": [p.to_json() for p in refusals],
    }
    return CommandResult(data=data, exit_code=Exit.DATA_PROBLEMS if refusals else Exit.OK, lines=lines)
