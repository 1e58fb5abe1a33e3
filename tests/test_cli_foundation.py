"""The kexie console script: new, schema, demo — run as a real subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl

from macros import schema


def kexie(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "macros.cli", *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd, timeout=300)


def test_new_refuses_to_overwrite(tmp_path):
    target = tmp_path / "活动.xlsx"
    first = kexie("new", str(target), "--preset", "献策")
    assert first.returncode == 0, first.stderr
    stamp = target.read_bytes()
    second = kexie("new", str(target))
    assert second.returncode == 2
    assert "已存在" in second.stderr and "--force" in second.stderr
    assert target.read_bytes() == stamp
    third = kexie("new", str(target), "--force")
    assert third.returncode == 0
    assert openpyxl.load_workbook(target).sheetnames == list(schema.SHEET_NAMES)


def test_new_rejects_unknown_preset_and_bad_suffix(tmp_path):
    r = kexie("new", str(tmp_path / "a.xlsx"), "--preset", "不存在")
    assert r.returncode == 2 and "预设" in r.stderr
    r = kexie("new", str(tmp_path / "a.xls"))
    assert r.returncode == 2 and ".xlsx" in r.stderr


def test_usage_error_exits_2_in_chinese():
    r = kexie("new")
    assert r.returncode == 2 and "参数错误" in r.stderr


def test_schema_markdown_lists_every_sheet():
    r = kexie("schema", "--markdown")
    assert r.returncode == 0
    for name in schema.SHEET_NAMES:
        assert name in r.stdout


def test_demo_builds_the_sample_campaign(demo_run):
    assert demo_run["returncode"] == 0, demo_run["stderr"]
    master = demo_run["out"] / "献策十二五-活动工作簿.xlsx"
    assert master.exists() and str(master) in demo_run["stdout"]
    assert openpyxl.load_workbook(master).sheetnames == list(schema.SHEET_NAMES)
    _demo_summary_explains_codes(demo_run["stdout"])


def _demo_summary_explains_codes(stdout: str) -> None:
    """The demo's summary names each problem code with its Chinese title."""
    import re

    from macros.problems import CODES

    assert not re.search(r"[EW]\d{3}×", stdout), "a code without its meaning"
    found = re.findall(r"([EW]\d{3})（([^）]+)）×\d+", stdout)
    assert found, stdout
    for code, title in found:
        assert CODES[code].title == title
