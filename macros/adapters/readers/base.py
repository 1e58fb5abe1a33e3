"""The reader interface: one adapter per kind of return, recognised by content.

The consolidation pipeline (``macros.app.intake``) never names a kind of return. It lists the
inbox, fingerprints each entry and builds a ``Probe`` (path, first bytes, size, ZIP member names
or OLE stream names on demand); the first registered ``Reader`` whose ``recognise(probe)`` is
true owns the file. Before reading, each reader may do batch work once for all its files in the
main process (``prepare``: e.g. one LibreOffice run converting every Word document); then
``read(job, ctx)`` runs in a worker process and returns a ``Read``: the file's fingerprint and
metadata, its unit when proven, raw records keyed by the target table's schema keys, one row
number per record, and file-level problems. The pipeline then validates the records for the
reader's ``target`` (``macros.app.intake.targets``), records them in the ledger and rebuilds the
sheets.

A new kind of return is one module: subclass ``Reader``, set ``kind`` (stable id recorded in the
ledger and the JSON), ``label`` (Chinese name shown to people), ``target`` and ``priority``
(lower is asked first), implement ``recognise`` and ``read`` (never raising for a bad file: put
a coded ``Problem`` into ``Read.problems``), call ``register(MyReader())`` at import, and add the
module to ``BUILTIN`` in ``macros/adapters/readers/__init__.py``. Readers must be picklable
(they run in worker processes) and ``read`` must not write anywhere but ``job.workdir``.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from macros.problems import Problem

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
HEAD_BYTES = 8192


class Probe:
    """What is known of an inbox entry before any reader opens it."""

    def __init__(self, path: Path, head: bytes, size: int, data: bytes | None = None):
        self.path = path
        self.head = head  # the first HEAD_BYTES bytes (fewer for a small file)
        self.size = size
        self.data = data  # the whole content when the caller holds it (ZIP parts then come from memory)
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[tuple[str, int], bytes] = {}

    def _zipfile(self) -> zipfile.ZipFile:
        """The package, opened once per probe (from ``data`` when given, else from the path)."""
        if self._zip is None:
            self._zip = zipfile.ZipFile(io.BytesIO(self.data) if self.data is not None else self.path)
        return self._zip

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower()

    @property
    def is_zip(self) -> bool:
        return self.head.startswith(ZIP_MAGIC)

    @property
    def is_ole(self) -> bool:
        return self.head.startswith(OLE_MAGIC)

    @cached_property
    def zip_names(self) -> frozenset[str]:
        """Member names of a ZIP package (its central directory only); empty if not a ZIP."""
        if not self.is_zip:
            return frozenset()
        try:
            return frozenset(self._zipfile().namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return frozenset()

    @cached_property
    def ole_streams(self) -> frozenset[str]:
        """Lower-case stream paths of an OLE compound file; empty if not one or unreadable."""
        if not self.is_ole:
            return frozenset()
        try:
            import olefile

            with olefile.OleFileIO(self.path) as ole:
                return frozenset("/".join(s).lower() for s in ole.listdir(streams=True, storages=False))
        except Exception:  # noqa: BLE001 - a damaged compound file: the reader will say so
            return frozenset()

    @cached_property
    def sheet_parts(self) -> dict[str, str]:
        """Sheet name -> worksheet part of an .xlsx/.xlsm (its workbook.xml and rels, each at most
        1 MB declared); empty when not a workbook or when those parts cannot be read."""
        names = self.zip_names
        small = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
        if not all(n in names for n in small):
            return {}
        try:
            zf = self._zipfile()
            if any(zf.getinfo(n).file_size > 1 << 20 for n in small):
                return {}
            from macros.adapters.safe_write import _sheet_parts

            return _sheet_parts(zf)
        except Exception:  # noqa: BLE001 - bad XML, DTDs refused, damaged members: not recognised
            return {}

    def zip_member(self, name: str, limit: int = 1 << 20) -> bytes:
        """The first ``limit`` bytes of one ZIP member (b"" when absent)."""
        key = (name, limit)
        if key not in self._members:
            try:
                with self._zipfile().open(name) as fh:
                    self._members[key] = fh.read(limit)
            except (KeyError, zipfile.BadZipFile, OSError, ValueError):
                self._members[key] = b""
        return self._members[key]


@dataclass(frozen=True)
class ReadContext:
    """What readers may use to judge a file (picklable; sent once to each worker).

    ``expect`` is a ``macros.adapters.form_reader.Expect`` (campaign, secret, roster, year);
    ``limits`` a ``form_reader.Limits``."""

    expect: Any
    limits: Any


@dataclass
class Job:
    """One inbox file to read, as the identify stage found it.

    ``hints``: what the caller knows beside the file — ``unit_code`` (e.g. from the mail's
    sender), ``message_id`` — and what ``prepare`` left for ``read`` (``converted``: a path)."""

    path: Path
    kind: str
    sha256: str | None = None
    hints: dict[str, Any] = field(default_factory=dict)
    workdir: Path | None = None  # a private temporary folder of the run (batch conversions)
    cache: Path | None = None  # the campaign's cache folder (conversions kept by content), if any


@dataclass
class Read:
    """What a reader found in one file, before validation."""

    path: Path
    kind: str
    target: str = "items"
    sha256: str = ""
    size: int = 0
    mtime_ns: int = 0
    meta: dict[str, Any] = field(default_factory=dict)  # campaign_id, form_version, issued_at, …
    unit_code: str | None = None  # the roster's spelling, once the unit is known
    unit_name: str | None = None
    submitted_on: date | None = None
    records: list[dict[str, Any]] = field(default_factory=list)  # raw values by the target's keys
    rows: list[int] = field(default_factory=list)  # one row number per record (sheet row, 计策 n)
    problems: list[Problem] = field(default_factory=list)  # file-level; an error rejects the file
    frame: Any = None  # optional: the records as read (a TableData with cell letters), for validation
    source: dict[str, Any] = field(default_factory=dict)  # file, message_id: where the rows came from
    group_key: str = ""  # what a newer accepted file of the same unit replaces ("" = the unit's form)

    @property
    def rejected(self) -> bool:
        return any(p.level == "error" for p in self.problems) or not self.records


class Reader:
    """Base class of a reader adapter (see the module doc)."""

    kind: str = ""
    label: str = ""
    target: str = "items"
    priority: int = 100

    def recognise(self, probe: Probe) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def prepare(self, jobs: list[Job], ctx: ReadContext, timeout: float = 600.0) -> None:
        """Batch work before reading, in the main process (default: none)."""

    @property
    def needs_prepare(self) -> bool:
        """Whether ``prepare`` does anything: files of a reader without it are read at once."""
        return type(self).prepare is not Reader.prepare

    def read(self, job: Job, ctx: ReadContext) -> Read:  # pragma: no cover - interface
        raise NotImplementedError


_REGISTRY: dict[str, Reader] = {}


def register(reader: Reader) -> Reader:
    """Add a reader (replacing one of the same kind)."""
    if not reader.kind:
        raise ValueError("a reader needs a kind")
    _REGISTRY[reader.kind] = reader
    return reader


def unregister(kind: str) -> None:
    _REGISTRY.pop(kind, None)


def readers() -> list[Reader]:
    """Registered readers in the order they are asked (priority, then kind)."""
    return sorted(_REGISTRY.values(), key=lambda r: (r.priority, r.kind))


def reader_for(probe: Probe) -> Reader | None:
    for r in readers():
        if r.recognise(probe):
            return r
    return None


def get(kind: str) -> Reader:
    return _REGISTRY[kind]


def probe_bytes(path: Path, data: bytes) -> Probe:
    """A probe over bytes already in memory (tests, mail attachments)."""
    return Probe(path, data[:HEAD_BYTES], len(data))


__all__ = ["Job", "Probe", "Read", "ReadContext", "Reader", "get", "probe_bytes", "reader_for", "readers",
           "register", "io"]
