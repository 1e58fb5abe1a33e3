"""The identify stage: every inbox entry fingerprinted and given to the reader that owns it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from macros.adapters import readers as registry
from macros.adapters.inbox import fingerprint
from macros.adapters.readers import Job, Probe


@dataclass
class Entry:
    path: Path
    sha256: str | None  # None: unreadable or over the size limit (read again every run)
    kind: str | None  # the reader's kind; None when no reader recognises it
    size: int = 0

    def job(self, hints: dict | None = None) -> Job:
        return Job(self.path, self.kind or "form", self.sha256, dict(hints or {}))


def identify(paths: list[Path], limit: int) -> list[Entry]:
    out = []
    for p in paths:
        sha, head, size = fingerprint(p, limit)
        found = registry.reader_for(Probe(p, head, size))
        out.append(Entry(p, sha, found.kind if found else None, size))
    return out
