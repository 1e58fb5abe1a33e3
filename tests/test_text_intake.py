"""Text that cannot mislead: invisible control characters (bidi controls, zero-width characters,
line separators) are taken out of everything a form brings in, with a warning naming the cell,
and matching keys ignore them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from macros.adapters.file_engine import FileEngine
from macros.core.grid import TableData
from macros.core.intake import clean_records
from macros.core.normalize import clean_text, count_chars, invisible_chars, name_key
from macros.schema import FORM, ITEMS
from consolidate_kit import copy_camp, good_row, issue

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d",
             "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff"]
BREAKS = ["\u2028", "\u2029", "\x85"]


@pytest.mark.parametrize("ch", INVISIBLE)
def test_each_invisible_character_is_removed_and_ignored_by_name_key(ch):
    assert clean_text(f"关于{ch}建议") == ("关于建议", True)
    assert invisible_chars(f"a{ch}b{ch}") == [f"U+{ord(ch):04X}"]
    assert name_key(f"丹东市{ch}医学会") == name_key("丹东市医学会")
    assert name_key(name_key(f"{ch}ZW零宽")) == name_key(f"{ch}ZW零宽")  # still idempotent


@pytest.mark.parametrize("ch", BREAKS)
def test_line_and_paragraph_separators_read_as_line_breaks(ch):
    assert clean_text(f"第一段{ch}第二段") == ("第一段\n第二段", True)
    assert name_key(f"题{ch}目") == name_key("题目")


def test_clean_text_leaves_ordinary_text_alone():
    for text in ("", "abc", "关于推进丹东发展的建议", "第一段\n第二段\t表格", "👍 emoji", "Ａ１（全角）"):
        assert clean_text(text) == (text, False)


def test_the_zero_width_title_no_longer_escapes_the_duplicate_check():
    assert name_key("ZW\u200b零宽空格题目") == name_key("ZW零宽空格题目")


def test_clean_records_names_each_cleaned_cell_and_leaves_the_input_unchanged():
    import pandas as pd

    rows = [6, 7]
    records = [good_row(1, title="\u202e议建的展发东丹进推于关"), good_row(2)]
    keys = [c.key for c in FORM.columns]
    frame = pd.DataFrame([{k: r.get(k) for k in keys} for r in records], index=rows, columns=keys, dtype=object)
    letters = {c.key: chr(ord("A") + i) for i, c in enumerate(FORM.columns)}
    data = TableData(FORM, frame, letters, 5)
    out, cleaned, problems = clean_records(records, rows, data)
    assert out[0]["title"] == "议建的展发东丹进推于关" and out[1] is records[1]
    assert records[0]["title"].startswith("\u202e") and data.frame.at[6, "title"].startswith("\u202e")
    assert cleaned.frame.at[6, "title"] == "议建的展发东丹进推于关"
    [p] = problems
    assert (p.code, p.level, p.cell, p.row, p.column) == ("W248", "warning", f"{letters['title']}6", 6, "题目")
    assert "U+202E" in p.message
    # nothing to clean: the same objects back, no problems
    out, same, problems = clean_records([records[1]], [7], None)
    assert out == [records[1]] and same is None and problems == []


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    return issue(tmp_path_factory.mktemp("issued-text"))


def _kexie() -> list[str]:
    script = Path(sys.executable).with_name("kexie")  # the installed console script
    return [str(script)] if script.exists() else [sys.executable, "-m", "macros.cli"]


def test_bidi_override_in_a_form_title_never_reaches_the_master(issued, tmp_path):
    camp = copy_camp(issued, tmp_path / "campaign")
    title = "关于推进丹东发展的建议"
    body = "建议\u200b加快沿江开发\u2028完善基础设施。"
    form = camp.fill("XH01", [good_row(1, title="\u202e" + title, body=body, author="王\u200d丽娟"),
                              good_row(2)])
    proc = subprocess.run([*_kexie(), "consolidate", str(camp.master), str(camp.inbox), "--json",
                           "--today", "2010-10-25", "--log", str(tmp_path / "c.log")],
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 1, proc.stderr  # problems were reported (warnings only)
    data = json.loads(proc.stdout)
    [f] = [f for f in data["files"] if f["file"] == form.name]
    assert f["status"] == "ingested" and f["rows"] == 2
    warned = sorted((p["code"], p["cell"]) for p in f["problems"] if p["code"] == "W248")
    assert warned == [("W248", "A5"), ("W248", "C5"), ("W248", "H5")], f["problems"]
    assert all(p["level"] == "warning" and "第 5 行" in p["message"] for p in f["problems"] if p["code"] == "W248")
    items = FileEngine(camp.master).read_table(ITEMS).records()
    first = items[0]
    assert first["title"] == title and first["author"] == "王丽娟"
    assert first["body"] == "建议加快沿江开发\n完善基础设施。"
    assert first["word_count"] == count_chars("建议加快沿江开发\n完善基础设施。")
    everything = json.dumps(items, ensure_ascii=False, default=str)
    assert not any(ch in everything for ch in INVISIBLE + BREAKS)
