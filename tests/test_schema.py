"""The schema is consistent, documented, and a freshly built workbook agrees with it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from macros import schema
from macros.schema import SHEETS, TABLES, VOCABULARIES, VocabRef

DOCS = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def test_schema_is_self_consistent():
    names = [t.excel_name for t in TABLES.values()]
    assert len(names) == len(set(names))
    for t in TABLES.values():
        assert t.sheet in schema.SHEET_NAMES
        assert len(set(t.keys)) == len(t.keys)
        assert len(set(t.headers)) == len(t.headers)
        for c in t.columns:
            if c.vocab:
                v = VOCABULARIES[c.vocab]
                if isinstance(v, VocabRef):
                    TABLES[v.table].column(v.column)
    # tables sharing a sheet must not share headers (reading is by header name)
    for s in SHEETS:
        headers = [h for t in schema.tables_on(s.name) for h in t.headers]
        assert len(headers) == len(set(headers)), s.name


def test_every_spec_sheet_is_described():
    spec = ["说明", "设置", "配额规则", "单位名册", "领导小组", "阶段安排", "任务分工", "主题领域",
            "征集明细", "指标", "考核规则", "统计", "校验结果", "报送记录"]
    names = list(schema.SHEET_NAMES)
    # the first-stage sheets, in this order; second-stage sheets (会员名册…) may stand between them
    assert [n for n in names if n in spec] == spec
    assert all(schema.sheet(n).description for n in names if n not in spec)
    assert [c.header for c in schema.form_columns()] == [
        "题目", "主题领域", "献策人", "工作单位", "职务", "联系电话", "电子邮箱", "正文", "字数"]


def test_generated_reference_is_current():
    assert DOCS.read_text(encoding="utf-8") == schema.to_markdown(), (
        "docs/schema.md is stale: run `kexie schema --markdown > docs/schema.md`")


def test_built_workbook_agrees_with_schema(demo_master):
    wb = openpyxl.load_workbook(demo_master)
    assert wb.sheetnames == list(schema.SHEET_NAMES)
    for t in TABLES.values():
        ws = wb[t.sheet]
        xt = ws.tables[t.excel_name]
        first = ws.cell(row=1, column=t.first_col).coordinate
        assert xt.ref.startswith(first)
        assert [ws.cell(row=1, column=t.first_col + i).value for i in range(len(t.columns))] == t.headers
        assert ws.freeze_panes == "A2"
        for i, col in enumerate(t.columns):
            letter = openpyxl.utils.get_column_letter(t.first_col + i)
            assert ws.column_dimensions[letter].width == pytest.approx(col.width)
            if col.format:
                assert ws.cell(row=2, column=t.first_col + i).number_format == col.format
        dv_cols = set()
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                dv_cols.add(rng.min_col)
        for i, col in enumerate(t.columns):
            if col.vocab:
                assert t.first_col + i in dv_cols, f"{t.sheet}!{col.header} has no drop-down"
    topic_dv = [dv for dv in wb["征集明细"].data_validations.dataValidation
                if "主题领域" in (dv.formula1 or "")]
    assert topic_dv, "征集明细 topics drop-down must come from the 主题领域 sheet"
    assert wb["说明"]["A1"].value.endswith("活动工作簿")
    assert "vbaProject.bin" not in str(wb.vba_archive)  # no macros in the mailed workbook


def test_column_type_names_are_defined_once():
    from macros.core.normalize.coerce import _COERCERS, COERCE_TYPES
    from macros.core.validate.common import _TYPE_CODES, _TYPE_ZH
    from macros.schema import COLUMN_TYPES, SETTINGS, TABLES, TEXT_TYPES

    assert COERCE_TYPES is COLUMN_TYPES and set(_COERCERS) == set(COLUMN_TYPES)
    assert set(TEXT_TYPES) <= set(COLUMN_TYPES)
    assert set(_TYPE_CODES) | set(_TYPE_ZH) <= set(COLUMN_TYPES)
    used = {c.type for t in TABLES.values() for c in t.columns} | {s.type for s in SETTINGS}
    assert used <= set(COLUMN_TYPES)
