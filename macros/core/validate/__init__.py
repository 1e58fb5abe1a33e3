"""Validation of a campaign workbook: pure functions from raw tables to a list of Problems.

Input is what the engines read (``macros.core.grid.TableData`` per schema table, the raw
settings and the grid of the 设置 sheet); output is a list of ``macros.problems.Problem``, each
with a stable code (E1xx errors, W1xx warnings; the codes and their Chinese texts are registered
in ``macros.problems``), the sheet, the cell (A1), the original value and a suggestion.

Staff values are never changed here: normalised values (``macros.core.normalize``) are used for
matching and offered as suggestions.

Entry points
------------
* ``validate_campaign(...)`` — every staff sheet plus the cross-sheet rules (``kexie validate``).
* ``build_context(raw_settings, tables)`` — the lookups the row rules need (roster, topics,
  departments, deadline, 字数上限); consolidation builds it once per run.
* ``validate_items(data, ctx)`` — the rules for rows of 征集明细 *or* of a returned form's 报送
  sheet (the ``schema.FORM`` table): consolidation calls it per form.
* ``validate_table(data, ctx)`` — the schema rules of any one table (required, types,
  vocabularies, unique keys).

Layout
------
``common`` (how values are shown in messages, the problem sink), ``context`` (the lookups),
``judge`` (one value of a column), ``tables`` (schema rules of a table), ``items`` (征集明细 and
form rows), ``sheets`` (per-sheet rules beyond the schema), ``settings``, ``campaign`` (the whole
workbook). Import from the package: ``from macros.core.validate import validate_items``.

Speed: each column is judged once per distinct value (a roster of 40 names, 20 topics and a few
hundred dates cover 50,000 rows), so validating is cheaper than reading the workbook.
"""

from __future__ import annotations

from macros.core.validate.common import shown, text_of
from macros.core.validate.context import ValidationContext, build_context
from macros.core.validate.tables import validate_table
from macros.core.validate.items import as_table_data, validate_items
from macros.core.validate.settings import settings_cells, validate_settings
from macros.core.validate.campaign import sort_problems, validate_campaign

__all__ = [
    "ValidationContext",
    "as_table_data",
    "build_context",
    "settings_cells",
    "shown",
    "sort_problems",
    "text_of",
    "validate_campaign",
    "validate_items",
    "validate_settings",
    "validate_table",
]
