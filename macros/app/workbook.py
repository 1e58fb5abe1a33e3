"""Which workbook a legacy command module works on (one written as ``add_arguments`` +
``command(args)``, registered with ``macros.commands.legacy``).

``open_engine(args)`` returns ``args.engine`` when a shell set one, else a FileEngine on
``args.master``. Native registry commands never need it: their shell hands them the engine.
"""

from __future__ import annotations

from macros.adapters.engine import WorkbookEngine
from macros.adapters.file_engine import FileEngine


def open_engine(args) -> WorkbookEngine:
    engine = getattr(args, "engine", None)
    if engine is not None:
        return engine
    return FileEngine(args.master)
