"""Take reviewers' score forms in from an inbox: ledger, 评审结果, 评分, 统计 (one locked run).

``collect_reviews(master, inbox)`` is what ``kexie consolidate`` does with the score forms it
finds, and what ``kexie review collect MASTER INBOX`` does alone. Files that are not score forms
are left to the consolidation of the units' forms and listed as such (never skipped in silence).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from macros.adapters.file_engine import FileEngine
from macros.adapters.ledger import Ledger, ledger_path
from macros.adapters.review_form_reader import peek_kind
from macros.adapters.review_ledger import ReviewLedger
from macros.adapters.safe_write import master_lock
from macros.adapters.secret import load_secret, secret_path
from macros.app.campaign import load_campaign
from macros.app.consolidate import STATUS_ZH, inbox_files
from macros.app.intake.result import FileResult
from macros.app.intake.targets import Target, Validated, register_target
from macros.app.review_results import REVIEW_TABLES, ingest_review_forms, review_context
from macros.app.review_sheet import rebuild_review_results
from macros.errors import ConfigError, Exit, RefusedError
from macros.schema import REVIEW_FORM_KIND


@dataclass
class CollectResult:
    master: Path
    files: list[Any] = field(default_factory=list)  # ReviewFileResult
    others: list[str] = field(default_factory=list)  # inbox files that are not score forms
    results: Any = None  # ResultsRun
    written: bool = False
    refused: str | None = None

    @property
    def exit_code(self) -> int:
        if self.refused:
            return Exit.REFUSED
        problems = [p for f in self.files for p in f.problems]
        if problems or (self.results is not None and self.results.problems):
            return Exit.DATA_PROBLEMS
        return Exit.OK

    def to_json(self) -> dict[str, Any]:
        res = self.results
        return {
            "written": self.written, "master": str(self.master), "files": [f.to_json() for f in self.files],
            "entries_scored": len(res.results) if res else 0,
            "awards": [{"level": es.award, "item_id": es.entry, "rank": es.rank, "final": es.final}
                       for es in (res.results if res else []) if es.award],
            "problems": [p.to_json() for p in (res.problems if res else [])],
            "refused": self.refused,
        }


def split_review_forms(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(score forms, everything else) by the form's own ``kind``."""
    mine, others = [], []
    for p in paths:
        try:
            head = p.read_bytes() if p.stat().st_size <= 50 * 2**20 else b""
        except OSError:
            others.append(p)
            continue
        (mine if head and peek_kind(head) == REVIEW_FORM_KIND else others).append(p)
    return mine, others


def collect_in_ledger(engine, master: Path, ledger, paths: list[Path], today: date | None,
                      refresh: bool = True, sha_of: dict[Path, str] | None = None) -> CollectResult:
    """Ingest ``paths`` (score forms) into ``ledger`` and rewrite the review sheets (the caller saves)."""
    result = CollectResult(master)
    campaign = load_campaign(engine, tables=REVIEW_TABLES + ["review_results"])
    rl = ReviewLedger(ledger.db)
    ctx = review_context(campaign, load_secret(master), secret_path(master).name)
    result.files = ingest_review_forms(rl, paths, ctx, sha_of)
    result.results = rebuild_review_results(engine, campaign, rl)
    if result.results.changed and refresh:
        try:
            from macros.app.tally import refresh_stats

            refresh_stats(engine, today)  # 评分 feeds the assessment
        except ModuleNotFoundError as exc:
            if exc.name != "macros.app.tally":
                raise
    return result


def collect_reviews(master: str | Path, inbox: str | Path, today: date | None = None) -> CollectResult:
    master, inbox = Path(master), Path(inbox)
    if not master.is_file():
        raise ConfigError(f"找不到活动工作簿：{master}")
    if not inbox.is_dir():
        raise ConfigError(f"找不到收件箱文件夹：{inbox}")
    mine, others = split_review_forms(inbox_files(inbox))
    engine = FileEngine(master)
    try:
        with master_lock(master, timeout=10), Ledger(ledger_path(master)) as ledger:
            result = collect_in_ledger(engine, master, ledger, mine, today)
            result.others = [p.name for p in others]
            if result.results.changed:
                engine.save()
                result.written = True
    except RefusedError as exc:
        result = CollectResult(master, refused=exc.message)
    return result


def collect_lines(result: CollectResult) -> list[str]:
    lines = []
    for f in result.files:
        who = f"（专家 {f.reviewer}）" if f.reviewer else ""
        lines.append(f"{f.file}{who}：{STATUS_ZH.get(f.status, f.status)}，{f.rows} 条评分")
        lines += [f"  {p.get('code')} {p.get('cell') or ''} {p.get('message')}" for p in f.problems]
    if result.others:
        lines.append(f"另有 {len(result.others)} 个文件不是评分表，由 kexie consolidate 汇总：" + "、".join(result.others[:10]))
    res = result.results
    if res is not None:
        lines.append(f"已评分 {len(res.results)} 条；写入征集明细评分 {res.written} 条。")
        lines += [p.message for p in res.problems]
    if result.refused:
        lines.append(f"未写入：{result.refused}")
    elif result.written:
        lines.append(f"已更新“评审结果”：{result.master}")
    return lines


# --- the consolidation's stage for score forms (kexie consolidate) -----------------------------

def intake_stage(run, entries) -> tuple[list, bool]:
    """Score forms found by ``kexie consolidate``: into the review tables of the run's ledger,
    评审结果 and 评分 written into the run's engine (saved by the run's rebuild with 统计)."""
    paths = [e.path for e in entries]
    result = collect_in_ledger(run.engine, run.master, run.ledger, paths, run.today, refresh=False,
                               sha_of={e.path: e.sha256 for e in entries if e.sha256})
    sha = {e.path.name: e.sha256 for e in entries}
    files = [FileResult(f.file, None, f.status, f.rows, list(f.problems), kind=f.kind, new=f.new,
                        sha256=sha.get(f.file)) for f in result.files]
    res = result.results
    if res is not None and res.problems and files:  # round-level warnings (复议, 评分 kept) on the first form
        from macros.core.intake import problem_json

        files[0].problems += [problem_json(p) for p in res.problems]
    run.logger.info("评分表 %s 个；已评分 %s 条", len(files), len(res.results) if res else 0)
    return files, bool(res and res.changed)


def _register() -> None:
    register_target(Target("review_scores", validate=lambda read, setup: Validated([]), stage=intake_stage))


_register()
