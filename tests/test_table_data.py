"""TableData holds a located table as plain rows (no pandas); its DataFrame, built on demand,
and every pandas-free accessor tell the same table."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pandas as pd
import pytest

from macros.core.grid import TableData, locate_table, row_records
from macros.schema import FORM, TABLES

UNITS = TABLES["units"]


def _grid():
    headers = [c.header for c in UNITS.columns]
    return [
        ["单位名册"],
        headers + ["备注"],
        ["U01", "市电业局科协", "企业科协", 3] + [None] * (len(headers) - 4) + ["老单位"],
        [None] * (len(headers) + 1),  # a blank row: skipped
        ["U02", "  ", "高校科协", None] + [None] * (len(headers) - 4) + [None],
    ]


def test_rows_and_frame_agree():
    data = locate_table(_grid(), UNITS)
    assert data.found and data.header_row == 2 and data.extra == ["备注"]
    assert data.index == [3, 5] and data.n_rows == 2
    assert data.columns == UNITS.keys + ["备注"]
    assert data.column("name") == ["市电业局科协", None]  # whitespace text is blank
    assert data.value(3, "备注") == "老单位"
    records, rows = data.records(), row_records(data)

    frame = data.frame  # built now: the same table
    assert frame.index.name == "row" and frame.index.tolist() == [3, 5]
    assert all(dt == object for dt in frame.dtypes)
    assert frame.to_dict("records") == records
    assert row_records(TableData(UNITS, frame, data.letters, data.header_row)) == rows
    assert data.records() == records and data.column("name") == ["市电业局科协", None]


def test_with_cells_copies_and_ignores_unknown_cells():
    data = locate_table(_grid(), UNITS)
    changed = data.with_cells({(3, "name"): "新名称", (99, "name"): "x", (3, "nope"): "x"})
    assert changed.column("name") == ["新名称", None] and data.column("name") == ["市电业局科协", None]
    assert changed.letters == data.letters and changed.header_row == data.header_row


def test_missing_rows_columns_and_tables():
    data = locate_table(_grid(), UNITS)
    with pytest.raises(KeyError):
        data.value(4, "name")
    with pytest.raises(KeyError):
        data.value(3, "nope")
    with pytest.raises(KeyError):
        data.column("nope")
    empty = locate_table([["无关"]], FORM)
    assert not empty.found and empty.n_rows == 0 and empty.records() == [] and row_records(empty) == []
    assert empty.columns == FORM.keys and len(empty.frame) == 0 and list(empty.frame.columns) == FORM.keys


def test_a_table_made_from_a_frame_reads_the_frame():
    frame = pd.DataFrame({"code": ["U01"], "name": ["甲"], "since": [pd.Timestamp(date(2010, 8, 1))]},
                         index=pd.Index([7], name="row"))
    data = TableData(UNITS, frame, {"code": "A", "name": "B"}, 6)
    assert data.index == [7] and data.columns == ["code", "name", "since"] and data.n_rows == 1
    assert data.value(7, "name") == "甲" and data.column("code") == ["U01"]
    frame.at[7, "name"] = "乙"  # the frame is the table: a change in place is seen
    assert data.records()[0]["name"] == "乙"


def test_reading_and_validating_a_form_imports_no_pandas(tmp_path):
    """Consolidation reads forms and validates rows without pandas (its import alone costs a
    run about 0.2 s); the frame is there for the use cases that want one."""
    code = ("import sys\n"
            "from macros.core.grid import locate_table\n"
            "from macros.core.validate import validate_items\n"
            "from macros.core.validate.context import ValidationContext\n"
            "from macros.schema import FORM\n"
            "grid = [[c.header for c in FORM.columns], ['题目'] + [None] * (len(FORM.columns) - 1)]\n"
            "data = locate_table(grid, FORM)\n"
            "validate_items(data, ValidationContext())\n"
            "print('pandas' in sys.modules)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"
