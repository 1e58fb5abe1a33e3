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


def identify_one(path: Path, limit: int) -> Entry:
    """One inbox file: hashed and recognised in one read (kept in memory while recognised)."""
    sha, head, size, data = fingerprint_kept(path, limit, KEEP_BYTES)
    probe = Probe(path, head, size, data)
    try:
        found = registry.reader_for(probe)
    finally:
        probe.close()
    return Entry(path, sha, found.kind if found else None, size)


def identify(paths: list[Path], limit: int) -> list[Entry]:
    """Every path as an ``Entry``, in order (a run identifies file by file, ``IntakeRun._identify``,
    sending each file to the readers as soon as it is known)."""
    return [identify_one(p, limit) for p in paths]
