"""The installed ``kexie`` console script as a person meets it: Chinese help for every option,
Chinese usage errors with suggestions, any console encoding (GBK, LANG=C), ASCII ``--json``, an
unexpected error as one Chinese line with a log (exit 4), a closed pipe, ``python -m macros``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from macros.cli import build_parser
from macros.commands import COMMANDS


def _console_script() -> str:
    scripts = Path(sysconfig.get_path("scripts"))
    found = shutil.which("kexie", path=str(scripts)) or shutil.which("kexie", path=str(Path(sys.executable).parent))
    assert found, f"the kexie console script is not installed in {scripts} (run: pip install -e .)"
    return found


KEXIE = _console_script()


def kexie(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
          encoding: str = "utf-8") -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([KEXIE, *args], capture_output=True, env=full_env, cwd=cwd, timeout=300,
                          text=True, encoding=encoding, errors="strict")


def _subparsers():
    parser = build_parser()
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return parser, action.choices


def test_every_command_is_registered_and_every_option_has_help():
    parser, subs = _subparsers()
    assert list(subs) == [c.name for c in COMMANDS]
    for name, sub in subs.items():
        text = sub.format_help()
        assert text.startswith("用法：kexie " + name), text[:40]
        assert "位置参数" in text or "选项" in text
        assert "usage:" not in text and "show this help" not in text and "options:" not in text
        for action in sub._actions:
            assert action.help and action.help.strip(), f"kexie {name}: {action.dest} has no help"
            for opt in action.option_strings:
                assert opt in text, (name, opt)


def test_the_installed_script_shows_chinese_help():
    r = kexie("report", "--help")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("用法：kexie report")
    for word in ("--kind", "--format", "--out", "--today", "显示帮助并退出", "红头通知", "考核结果", "指标完成情况"):
        assert word in r.stdout


@pytest.mark.parametrize(("argv", "expected"), [
    (["consolidat"], ["无效的命令“consolidat”", "是否应为“consolidate”？"]),
    (["new", "a.xlsx", "--preset", "献"], ["没有名为“献”的预设", "是否应为“献策”？"]),
    (["report", "a.xlsx", "--kind", "notise", "--out", "o"], ["未知的文档种类“notise”", "是否应为“notice”？"]),
    (["forms", "a.xlsx"], ["缺少必需的参数：--out"]),
    (["tally", "a.xlsx", "--bogus"], ["无法识别的参数：--bogus"]),
    (["allocate", "--total", "x", "--weights", "w.csv"], ["参数 --total：“x”不是有效的整数"]),
])
def test_usage_errors_are_chinese_with_suggestions_and_exit_2(argv, expected, tmp_path):
    r = kexie(*argv, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("用法：kexie")
    for text in expected:
        assert text in r.stderr, r.stderr
    assert "usage:" not in r.stderr and "error:" not in r.stderr


def test_document_kinds_accept_their_chinese_names(demo_master, tmp_path):
    out = tmp_path / "文档"
    r = kexie("report", str(demo_master), "--kind", "红头通知,考核结果，指标", "--out", str(out),
              "--today", "2010-10-25")
    assert r.returncode == 0, r.stderr
    names = {p.name for p in out.iterdir()}
    assert {"红头通知.docx", "考核结果与表彰名单.docx", "指标完成情况.docx"} <= names


def test_a_gbk_console_reads_gbk(tmp_path):
    r = kexie("codes", env={"PYTHONIOENCODING": "gbk"}, encoding="gbk")
    assert r.returncode == 0, r.stderr
    assert "| 代码 | 级别 | 名称 |" in r.stdout and "缺少工作表" in r.stdout
    r = kexie("new", str(tmp_path / "a.xls"), env={"PYTHONIOENCODING": "gbk"}, encoding="gbk")
    assert r.returncode == 2 and "活动工作簿必须是 .xlsx 文件" in r.stderr
    assert "UnicodeEncodeError" not in r.stderr


def test_lang_c_survives(tmp_path):
    env = {"LANG": "C", "LC_ALL": "C"}
    r = kexie("schema", env=env, encoding="utf-8")
    assert r.returncode == 0, r.stderr
    assert "单位名册" in r.stdout
    r = kexie("new", str(tmp_path / "活动.xlsx"), "--preset", "献策", env=env)
    assert r.returncode == 0 and "已新建活动工作簿" in r.stdout, r.stderr
    # even without Python's own C-locale coercion (ASCII streams), Chinese comes out as UTF-8
    bare = {**env, "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}
    r = kexie("schema", env=bare, encoding="utf-8")
    assert r.returncode == 0 and "单位名册" in r.stdout, r.stderr


def test_json_is_ascii_and_valid(tmp_path):
    r = kexie("tally", str(tmp_path / "没有这个文件.xlsx"), "--json")
    assert r.returncode == 2
    assert r.stdout.isascii()
    data = json.loads(r.stdout)
    assert "找不到" in data["error"] and data["exit_code"] == 2


def test_an_unexpected_error_is_one_chinese_line_a_log_and_exit_4(tmp_path):
    weights = tmp_path / "权重.csv"
    weights.mkdir()  # a folder where a file is expected: not a case the program foresees
    r = kexie("allocate", "--total", "10", "--weights", str(weights), env={"TMPDIR": str(tmp_path)})
    assert r.returncode == 4, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kexie：程序内部错误") and "Traceback" not in r.stderr
    log = tmp_path / "kexie-logs" / "kexie.log"
    assert str(log) in lines[0]
    assert "Traceback" in log.read_text(encoding="utf-8")


def test_a_closed_pipe_ends_quietly():
    p = subprocess.Popen([KEXIE, "codes"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()  # the reader (| head, | more) is gone before kexie writes
    _out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    assert b"Traceback" not in err and b"BrokenPipe" not in err


def test_python_dash_m_macros(tmp_path):
    r = subprocess.run([sys.executable, "-m", "macros", "new", str(tmp_path / "a.xlsx")], capture_output=True,
                       text=True, encoding="utf-8", timeout=120)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "a.xlsx").is_file()
