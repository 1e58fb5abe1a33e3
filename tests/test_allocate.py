"""Allocation by largest remainder with floor and cap: known answers, tie-breaks, impossible
requests, hypothesis properties, and ``kexie allocate`` on .csv/.xlsx weight files."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from macros.core.allocate import AllocationError, Share, allocate, ideal_shares

COUNTIES = [("QX01", "丹东市元宝区科协", 2), ("QX02", "丹东市振兴区科协", 3), ("QX03", "丹东市振安区科协", 2),
            ("QX04", "东港市科协", 5), ("QX05", "凤城市科协", 5), ("QX06", "宽甸满族自治县科协", 4)]


def _shares(rows=COUNTIES):
    return [Share(code, w, code) for code, _name, w in rows]


# --- known answers ----------------------------------------------------------------------------

def test_sixty_awards_over_the_counties():
    # shares 60·w/21: 5.71 8.57 5.71 14.29 14.29 11.43 → whole parts 57, three left:
    # .714 (QX01), .714 (QX03; same weight, code after QX01), then .571 (QX02)
    got = allocate(_shares(), 60)
    assert got == {"QX01": 6, "QX02": 9, "QX03": 6, "QX04": 14, "QX05": 14, "QX06": 11}
    assert sum(got.values()) == 60


def test_floor_lifts_small_units_and_the_rest_is_shared_by_weight():
    # QX01/QX03 (5.7) and then QX02 (44·3/17 = 7.8) are below 8 → 8 each; 36 over 5,5,4:
    # 12.86 12.86 10.29 → 12 12 10 + the two .857 remainders
    got = allocate(_shares(), 60, floor=8)
    assert got == {"QX01": 8, "QX02": 8, "QX03": 8, "QX04": 13, "QX05": 13, "QX06": 10}


def test_cap_limits_large_units():
    # 东港/凤城 capped at 12, then 宽甸 (13.1) too; 24 over 2,3,2: 6.86 10.29 6.86
    got = allocate(_shares(), 60, cap=12)
    assert got == {"QX01": 7, "QX02": 10, "QX03": 7, "QX04": 12, "QX05": 12, "QX06": 12}


def test_ideal_shares_are_exact_fractions():
    assert ideal_shares([2, 3, 2, 5, 5, 4], 60) == [Fraction(120, 21), Fraction(180, 21), Fraction(120, 21),
                                                    Fraction(300, 21), Fraction(300, 21), Fraction(240, 21)]


def test_tie_break_larger_remainder_then_larger_weight_then_code():
    # shares 0.5 and 1.5: equal remainders → the larger weight gets the last one
    assert allocate([Share("A", 1, "A"), Share("B", 3, "B")], 2) == {"A": 0, "B": 2}
    # equal remainders and weights → the smaller 单位编号, whatever the input order
    assert allocate([Share("B", 1, "QX02"), Share("A", 1, "QX01")], 1) == {"B": 0, "A": 1}
    assert allocate([Share("A", 1, "QX01"), Share("B", 1, "QX02")], 1) == {"A": 1, "B": 0}
    # a larger remainder beats a larger weight: 7·1/4 = 1.75 vs 7·3/4 = 5.25
    assert allocate([Share("A", 1, "A"), Share("B", 3, "B")], 7) == {"A": 2, "B": 5}


def test_zero_weight_gets_the_floor():
    assert allocate([Share("A", 0, "A"), Share("B", 1, "B")], 5, floor=1) == {"A": 1, "B": 4}
    assert allocate([Share("A", 0, "A"), Share("B", 0, "B")], 2, floor=1) == {"A": 1, "B": 1}


@pytest.mark.parametrize("kwargs, code", [
    (dict(total=60, floor=11), "E312"),  # 11 × 6 = 66 > 60
    (dict(total=60, cap=9), "E313"),  # 9 × 6 = 54 < 60
    (dict(total=60, floor=5, cap=4), "E311"),
    (dict(total=-1), "E310"),
    (dict(total=60, floor=-1), "E310"),
])
def test_impossible_requests_are_coded_errors(kwargs, code):
    with pytest.raises(AllocationError) as exc:
        allocate(_shares(), **kwargs)
    assert exc.value.code == code


def test_all_zero_weights_and_no_units_are_coded_errors():
    with pytest.raises(AllocationError) as exc:
        allocate([Share("A", 0, "A"), Share("B", 0, "B")], 5)
    assert exc.value.code == "E315"
    with pytest.raises(AllocationError) as exc:
        allocate([Share("A", 0, "A"), Share("B", 1, "B")], 5, cap=3)  # B alone cannot take 5
    assert exc.value.code == "E315"
    with pytest.raises(AllocationError) as exc:
        allocate([], 5)
    assert exc.value.code == "E314"


# --- properties -------------------------------------------------------------------------------

weights_st = st.lists(
    st.one_of(st.integers(0, 50), st.floats(0, 50, allow_nan=False, allow_infinity=False),
              st.fractions(0, 50, max_denominator=20)),
    min_size=1, max_size=12,
)


@st.composite
def requests(draw):
    weights = draw(weights_st)
    total = draw(st.integers(0, 300))
    floor = draw(st.integers(0, 10))
    cap = draw(st.one_of(st.none(), st.integers(0, 80)))
    return weights, total, floor, cap


def _run(weights, total, floor, cap, order=None):
    order = order or list(range(len(weights)))
    shares = [Share(f"U{i:02d}", weights[i], f"U{i:02d}") for i in order]
    return allocate(shares, total, floor, cap)


def _feasible(weights, total, floor, cap):
    n = len(weights)
    positive = sum(1 for w in weights if w > 0)
    if floor * n > total or (cap is not None and (floor > cap or cap * n < total)):
        return False
    if positive == 0:
        return floor * n == total
    return cap is None or cap * positive + floor * (n - positive) >= total


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_parts_sum_to_total_within_floor_and_cap(req):
    weights, total, floor, cap = req
    if not _feasible(weights, total, floor, cap):
        with pytest.raises(AllocationError):
            _run(weights, total, floor, cap)
        return
    got = _run(weights, total, floor, cap)
    assert sum(got.values()) == total
    assert all(v >= floor for v in got.values())
    if cap is not None:
        assert all(v <= cap for v in got.values())
    # each part is its ideal share rounded down or up
    ideal = ideal_shares(weights, total, floor, cap)
    for i, x in enumerate(ideal):
        assert got[f"U{i:02d}"] in (int(x), int(x) + 1) and abs(got[f"U{i:02d}"] - x) < 1


@settings(max_examples=200, deadline=None)
@given(requests(), st.randoms(use_true_random=False))
def test_deterministic_whatever_the_input_order(req, rnd):
    weights, total, floor, cap = req
    assume(_feasible(weights, total, floor, cap))
    order = list(range(len(weights)))
    rnd.shuffle(order)
    assert _run(weights, total, floor, cap) == _run(weights, total, floor, cap, order)


@settings(max_examples=300, deadline=None)
@given(requests(), st.data())
def test_monotone_in_weight(req, data):
    weights, total, floor, cap = req
    assume(_feasible(weights, total, floor, cap))
    i = data.draw(st.integers(0, len(weights) - 1))
    more = data.draw(st.integers(1, 30))
    heavier = list(weights)
    heavier[i] = Fraction(heavier[i]) + more
    assume(_feasible(heavier, total, floor, cap))
    before = _run(weights, total, floor, cap)[f"U{i:02d}"]
    after = _run(heavier, total, floor, cap)[f"U{i:02d}"]
    assert after >= before


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 20), min_size=1, max_size=10), st.integers(0, 200))
def test_proportional_without_floor_or_cap_is_quota_rule(weights, total):
    """Plain largest remainder satisfies the quota rule: floor(ideal) ≤ part ≤ ceil(ideal)."""
    got = _run(weights, total, 0, None)
    W = sum(weights)
    for i, w in enumerate(weights):
        ideal = Fraction(total * w, W)
        assert ideal - 1 < got[f"U{i:02d}"] < ideal + 1


# --- kexie allocate ---------------------------------------------------------------------------

def kexie(*args):
    return subprocess.run([sys.executable, "-m", "macros.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def _csv(path, lines, bom=True, encoding="utf-8"):
    data = "\n".join(lines) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data.encode(encoding))
    return path


def test_cli_allocates_sixty_from_a_csv_with_bom(tmp_path):
    f = _csv(tmp_path / "权重.csv", ["单位,权重"] + [f"{name},{w}" for _c, name, w in COUNTIES])
    r = kexie("allocate", "--total", "60", "--weights", str(f), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["total"] == 60
    assert out["allocation"] == {"丹东市元宝区科协": 6, "丹东市振兴区科协": 9, "丹东市振安区科协": 6,
                                 "东港市科协": 14, "凤城市科协": 14, "宽甸满族自治县科协": 11}
    assert list(out["allocation"]) == [name for _c, name, _w in COUNTIES]  # file order


def test_cli_reads_xlsx_with_codes_and_floor_cap(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["县（市）区获奖名额分配"])  # a title row above the header
    ws.append(["单位编号", "单位名称", "权重"])
    for code, name, w in reversed(COUNTIES):  # order in the file does not change the result
        ws.append([code, name, w])
    wb.save(tmp_path / "w.xlsx")
    r = kexie("allocate", "--total", "60", "--weights", str(tmp_path / "w.xlsx"), "--floor", "8", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["allocation"] == {"宽甸满族自治县科协": 10, "凤城市科协": 13, "东港市科协": 13,
                                 "丹东市振安区科协": 8, "丹东市振兴区科协": 8, "丹东市元宝区科协": 8}
    r = kexie("allocate", "--total", "60", "--weights", str(tmp_path / "w.xlsx"), "--cap", "12", "--json")
    assert json.loads(r.stdout)["allocation"]["宽甸满族自治县科协"] == 12


def test_cli_bad_rows_are_coded_problems_with_cells(tmp_path):
    f = _csv(tmp_path / "w.csv", ["单位,权重", "甲,2", "乙,abc", "丙,-1", "甲,3", ",4", "丁,2"])
    r = kexie("allocate", "--total", "10", "--weights", str(f), "--json")
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert out["allocation"] == {"甲": 5, "丁": 5} and out["total"] == 10
    got = {(p["code"], p["cell"]) for p in out["problems"]}
    assert got == {("E302", "B3"), ("E303", "B4"), ("E304", "A5"), ("E305", "B6")}
    assert all(p["level"] == "error" and p["message"] for p in out["problems"])


def test_cli_impossible_request_exits_2_with_code(tmp_path):
    f = _csv(tmp_path / "w.csv", ["单位,权重"] + [f"{name},{w}" for _c, name, w in COUNTIES])
    r = kexie("allocate", "--total", "60", "--weights", str(f), "--floor", "11", "--json")
    assert r.returncode == 2
    out = json.loads(r.stdout)
    assert out["allocation"] == {} and [p["code"] for p in out["problems"]] == ["E312"]
    assert "保底" in out["error"]
    r = kexie("allocate", "--total", "60", "--weights", str(f), "--cap", "9")
    assert r.returncode == 2 and "E313" in r.stdout


def test_cli_gbk_csv_is_read_with_a_warning(tmp_path):
    f = _csv(tmp_path / "w.csv", ["单位,权重", "甲,1", "乙,1"], bom=False, encoding="gbk")
    r = kexie("allocate", "--total", "3", "--weights", str(f), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    # a tie with no 单位编号 column: the unit as written is the key (乙 U+4E59 sorts before 甲 U+7532)
    assert out["allocation"] == {"甲": 1, "乙": 2}
    assert [p["code"] for p in out["problems"]] == ["W320"]


def test_cli_file_without_header_or_missing_is_usage_error(tmp_path):
    f = _csv(tmp_path / "w.csv", ["名称,数量", "甲,1"])
    r = kexie("allocate", "--total", "3", "--weights", str(f), "--json")
    assert r.returncode == 2 and "E301" in json.loads(r.stdout)["error"]
    r = kexie("allocate", "--total", "3", "--weights", str(tmp_path / "none.csv"))
    assert r.returncode == 2 and "找不到" in r.stderr
