"""Nothing in the inbox is skipped in silence: links, FIFOs, folders named like returns, files
kexie cannot read — each reported with a code in the result, the log and 报送记录 — and the exit
code says whether this run found anything new that is wrong."""

from __future__ import annotations

import os
import sys

import pytest

from consolidate_kit import by_file, codes, good_row


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks and FIFOs need POSIX")
def test_links_fifos_and_folders_are_reported_and_never_followed_outside(camp, tmp_path):
    good = camp.fill("XH01", [good_row(1)])
    inbox = camp.inbox
    outside = tmp_path / "外面.xlsx"
    outside.write_bytes(good.read_bytes())
    os.symlink(tmp_path / "不存在.xlsx", inbox / "断链.xlsx")
    os.symlink(inbox / "环2.xlsx", inbox / "环1.xlsx")
    os.symlink(inbox / "环1.xlsx", inbox / "环2.xlsx")
    os.symlink(outside, inbox / "外链.xlsx")
    os.symlink(good, inbox / "内链.xlsx")  # inside the inbox: read (the same bytes: unchanged)
    os.mkfifo(inbox / "管道.xlsx")
    os.symlink("/dev/zero", inbox / "设备.docx")
    (inbox / "解压后.xlsx").mkdir()
    (inbox / "已处理").mkdir()  # an archive folder: not an entry to report
    (inbox / "照片.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 100)
    result = camp.run()
    files = by_file(result)
    want = {"断链.xlsx": "E241", "环1.xlsx": "E241", "环2.xlsx": "E241", "外链.xlsx": "E242",
            "管道.xlsx": "E243", "设备.docx": "E242", "解压后.xlsx": "E244", "照片.jpg": "E240"}
    for name, code in want.items():
        assert files[name].status == "rejected" and codes(files[name]) == [code], (name, files[name].problems)
    assert str(outside) in files["外链.xlsx"].problems[0]["message"]
    assert files[good.name].status == "ingested" and files["内链.xlsx"].status == "unchanged"
    assert "已处理" not in files and result.exit_code == 1
    subs = {s["file"]: s["result"] for s in camp.submissions()}
    assert all(name in subs for name in want), subs
    assert subs["管道.xlsx"].startswith("未汇总（E243") and subs["照片.jpg"] == "未汇总（E240 需人工录入）"
    log = result.log_path.read_text(encoding="utf-8")
    assert all(f"文件 {name}：" in log for name in want) and "E242" in log
    again = camp.run()  # nothing new: listed again, exit 0, no new ledger record
    assert by_file(again)["管道.xlsx"].status == "rejected" and again.exit_code == 0 and not again.written


def test_submission_record_names_the_rows_left_out_and_the_log_the_full_lines(camp):
    form = camp.fill("XH01", [good_row(1), good_row(2, phone="不知道"), good_row(3, author=None)])
    result = camp.run()
    f = by_file(result)[form.name]
    assert f.rows == 1 and [x["row"] for x in f.left_out] and {x["code"] for x in f.left_out} == {"E105", "E101"}
    subs = {s["file"]: s["result"] for s in camp.submissions()}
    rows = [x["row"] for x in f.left_out]
    assert subs[form.name] == f"已汇总（2 行未汇总：E105 第{rows[0]}行，E101 第{rows[1]}行）"
    log = result.log_path.read_text(encoding="utf-8")
    assert f"第 {rows[0]} 行" in log and "E105" in log and "E101" in log


def test_a_superseded_files_problems_stop_being_reported(camp):
    bad = camp.fill("XH01", [good_row(1, author=None)], name="第一次.xlsx")
    first = camp.run()
    assert by_file(first)[bad.name].status == "rejected" and first.exit_code == 1
    fixed = camp.fill("XH01", [good_row(1)], name="第二次.xlsx")
    second = camp.run()
    files = by_file(second)
    assert files[fixed.name].status == "ingested"
    assert files[bad.name].status == "superseded" and files[bad.name].problems == []
    assert second.exit_code == 0
