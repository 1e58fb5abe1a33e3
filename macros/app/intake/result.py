"""What a consolidation run found: one ``FileResult`` per inbox file, and the run's summary.

``FileResult`` is also the per-file outcome a caller uses to answer the sender (回执): the
file, its kind, the unit, the status, the rows taken and the rows left out with code and row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from macros.errors import Exit

STATUS_ZH = {"ingested": "已汇总", "unchanged": "无变化", "superseded": "已被替代", "rejected": "未汇总"}


@dataclass
class FileResult:
    file: str
    unit_code: str | None
    status: str  # ingested | unchanged | superseded | rejected
    rows: int
    problems: list[dict[str, Any]] = field(default_factory=list)
    kind: str | None = None  # the reader that read it (form, word, …)
    new: bool = False  # recorded by this run (new or changed content)
    sha256: str | None = None
    left_out: list[dict[str, Any]] = field(default_factory=list)  # [{row, code, message}] rows not taken
    message_id: str | None = None

    def to_json(self, full: bool = False) -> dict[str, Any]:
        """The ``--json`` contract's file object; ``full`` adds kind, new, left_out, message_id."""
        out = {"file": self.file, "unit_code": self.unit_code, "status": self.status, "rows": self.rows,
               "problems": [{k: p.get(k) for k in ("code", "level", "message", "cell")} for p in self.problems]}
        if full:
            out.update(kind=self.kind, new=self.new, left_out=self.left_out, message_id=self.message_id)
        return out


@dataclass
class ConsolidateResult:
    master: Path
    written: bool = False
    files: list[FileResult] = field(default_factory=list)
    rows_total: int = 0
    refused: str | None = None  # the Chinese reason when the write was refused
    log_path: Path | None = None
    seconds: float = 0.0
    kept_manual: int = 0

    @property
    def outcomes(self) -> list[FileResult]:
        """The per-file outcomes (receipts are written from these)."""
        return self.files

    @property
    def exit_code(self) -> int:
        if self.refused:
            return int(Exit.REFUSED)
        if any(f.problems and f.new for f in self.files):  # only what this run newly received
            return int(Exit.DATA_PROBLEMS)
        return int(Exit.OK)

    def to_json(self) -> dict[str, Any]:
        return {"written": self.written, "master": str(self.master),
                "files": [f.to_json() for f in self.files], "rows_total": self.rows_total}

    def lines(self) -> list[str]:
        counts: dict[str, int] = {}
        for f in self.files:
            counts[f.status] = counts.get(f.status, 0) + 1
        parts = "，".join(f"{STATUS_ZH[s]} {n} 个" for s, n in counts.items()) or "没有文件"
        out = [f"收件箱中共 {len(self.files)} 个报送文件：{parts}。"]
        for f in self.files:
            if f.status == "rejected" or f.problems:
                out.append(f"  {f.file}（{STATUS_ZH[f.status]}，{f.rows} 行）：")
                for p in f.problems[:20]:
                    where = f"[{p['cell']}] " if p.get("cell") else ""
                    out.append(f"    {p['code']} {where}{p['message']}")
                if len(f.problems) > 20:
                    out.append(f"    ……另有 {len(f.problems) - 20} 个问题，详见日志。")
        if self.refused:
            out.append(f"未写入活动工作簿：{self.refused}")
            out.append("收到的内容已记入汇总台账，问题解决后重新运行即可写入。")
        elif self.written:
            out.append(f"已更新“{self.master.name}”：征集明细共 {self.rows_total} 条。")
        else:
            out.append(f"“{self.master.name}”无需更新：征集明细共 {self.rows_total} 条。")
        if self.kept_manual:
            out.append(f"征集明细中有 {self.kept_manual} 行不是由报送表汇总而来（手工录入），已原样保留。")
        if self.log_path:
            out.append(f"日志：{self.log_path}")
        return out
