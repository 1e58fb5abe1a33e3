"""Use case: the documents of a campaign (kexie report MASTER --kind K [--format docx|pdf] --out DIR).

The engine's data and the tally core (macros.core.tally.compute_tally) give the numbers; this
module turns them into the context each Word template receives (documented in
templates/README.md, kept honest by tests), renders the templates (macros.adapters.docs) and,
for PDF, converts every document of the run in ONE converter call (macros.adapters.pdf).

Reminders (催报通知) are rendered as one merged document — one part per unit short of quota,
roster order, page numbers restarting per unit — converted once and split back into one PDF
per unit by the parts' named destinations; the merged PDF is kept for printing. With
``--format docx`` each unit's reminder is also rendered on its own.

Templates come from the package (``templates/``), unless a folder ``模板`` beside the master
(or the environment variable KEXIE_TEMPLATES) holds a file of the same name: staff keep their
edited copies there.
"""

from macros.app.report.contexts import (
    MERGED_REMINDERS, PER_UNIT, REMINDERS_DIR, build_context, context_notice, reminder_contexts,
)
from macros.app.report.generate import (
    ReportFile, ReportRun, generate, parse_kinds, report_command, template_path,
)
from macros.app.report_kinds import KINDS

__all__ = [
    "KINDS", "MERGED_REMINDERS", "PER_UNIT", "REMINDERS_DIR", "ReportFile", "ReportRun",
    "build_context", "context_notice", "generate", "parse_kinds", "reminder_contexts",
    "report_command", "template_path",
]
