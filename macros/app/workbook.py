"""Which workbook a use case works on: the one its shell hands over.

Every use case's ``command(args)`` should get its engine from ``open_engine(args)``: the CLI
passes a file path (``args.master``) and gets a FileEngine; the ribbon (macros.ribbon) also puts
the open Excel book in ``args.engine`` (an XlwingsEngine), so the same use case reads the staff's
unsaved edits and writes its results into the open book instead of the file on disk.
"""

from __future__ import annotations

from macros.adapters.engine import WorkbookEngine


def open_engine(args) -> WorkbookEngine:
    engine = getattr(args, "engine", None)
    if engine is not None:
        return engine
    from macros.adapters.file_engine import FileEngine

    return FileEngine(args.master)
