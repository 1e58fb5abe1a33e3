"""Reader adapters, one per kind of return (see ``base`` for the interface).

``BUILTIN`` lists the modules that register the readers kexie ships; importing this package
imports them all. A new kind of return adds its module here — nothing else in the pipeline.
"""

from __future__ import annotations

import importlib

from macros.adapters.readers.base import (  # noqa: F401 - the package's interface
    Job, Probe, Read, ReadContext, Reader, get, probe_bytes, reader_for, readers, register, unregister,
)

BUILTIN = (
    "macros.adapters.readers.spreadsheet",
    "macros.adapters.readers.word",
    "macros.adapters.readers.form",
    "macros.adapters.readers.review",
    "macros.adapters.readers.department",
    "macros.adapters.readers.unusable",
)

for _module in BUILTIN:
    importlib.import_module(_module)
