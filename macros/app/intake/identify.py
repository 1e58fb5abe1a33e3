"""The identify stage: every inbox entry fingerprinted and given to the reader that owns it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from macros.adapters import readers as registry
from macros.adapters.inbox import fingerprint_kept
from macros.adapters.readers import Job, Probe


@dataclass
class Entry:
    path: Path
    sha256: str | None  # None: unreadable or over the size limit (read again every run)
    kind: str | None  # the reader's kind; None when no reader recognises it
    size: int = 0

    def job(self, hints: dict | None = None) -> Job:
        return Job(self.path, self.kind or "form", self.sha256, dict(hints or {}))


# Files up to this size are read once: hashed, and recognised from memory (a form is tens of KB).
KEEP_BYTES = 8 << 20


def identify(paths: list[Path], limit: int) -> list[Entry]:
    out = []
    for p in paths:
        sha, head, size, data = fingerprint_kept(p, limit, KEEP_BYTES)
        probe = Probe(p, head, size, data)
        try:
            found = registry.reader_for(probe)
        finally:
            probe.close()
        out.append(Entry(p, sha, found.kind if found else None, size))
    return out
