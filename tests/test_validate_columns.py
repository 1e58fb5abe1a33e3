"""A short column of plain values is judged by a dict (``_check_small``), a long one through
pandas.factorize (``_check_large``): both must give the same typed values, problems and order."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from macros.core.validate import as_table_data, build_context
from macros.core.validate.common import _Sink
from macros.core.validate.tables import SMALL_COLUMN, _check_column, _check_large, _check_small
from macros.schema import FORM, TABLES

VALUE = st.one_of(
    st.none(), st.just(float("nan")), st.sampled_from(["", "  ", "\u3000"]), st.text(max_size=8),
    st.integers(-3, 3), st.floats(-3, 3, allow_nan=False), st.booleans(), st.dates(), st.datetimes(),
    st.sampled_from(["XH01", "xh01", "丹东市医学会", "l0", "10", "第10项", "是", "否", "2010年10月20日",
                     "user@example.cn", "13904150000", "提升开发开放水平", "区域经济合作"]),
)
COLUMNS = [(t, c) for t in (TABLES["items"], TABLES["units"], TABLES["topics"], FORM) for c in t.columns]
CTX = build_context({"deadline": "10月20日", "start_date": 40422, "word_limit": "3000"},
                    {"topics": as_table_data(pd.DataFrame({"code": ["1", "10"], "topic": ["提升开发开放水平", "区域经济合作"]},
                                                          index=pd.RangeIndex(2, 4)), TABLES["topics"])},
                    today=date(2010, 10, 25))


def _judged(fn, table, col, values):
    frame = pd.DataFrame({col.key: pd.Series(values, dtype=object)}, index=pd.RangeIndex(5, 5 + len(values)))
    data = as_table_data(frame, table)
    sink = _Sink(data)
    typed = fn(col, np.array(values + [None], dtype=object)[:-1], frame.index.tolist(), CTX, sink)
    return typed, [(p.code, p.cell, p.message) for p in sink.items]


def _same(a, b) -> bool:
    return all((x is None and y is None) or (x != x and y != y) or x == y for x, y in zip(a, b, strict=True))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(COLUMNS), st.lists(VALUE, min_size=1, max_size=12))
def test_small_and_large_columns_judge_alike(table_col, values):
    table, col = table_col
    small_typed, small_problems = _judged(_check_small, table, col, values)
    large_typed, large_problems = _judged(_check_large, table, col, values)
    assert small_problems == large_problems
    assert _same(small_typed, large_typed)


def test_long_or_unusual_columns_go_through_pandas():
    table, col = TABLES["units"], TABLES["units"].column("code")
    values = [f"U{i}" for i in range(SMALL_COLUMN)] + ["U1"]  # one over: the duplicate is still found
    typed, problems = _judged(_check_column, table, col, values)
    assert [p[0] for p in problems] == ["E108"]
    assert typed[-1] == "U1"
    odd = [np.int64(3), "U3"]  # a numpy scalar: not a plain Python value
    assert _judged(_check_column, table, col, odd)[1] == _judged(_check_large, table, col, odd)[1]
