"""The command registry: one entry per command, typed options, Chinese aliases of choices, and
legacy modules (``add_arguments`` + ``command(args)``) accepted as one-line entries."""

from __future__ import annotations

import argparse
import types
from datetime import date
from pathlib import Path

import pytest

from macros.app.report import KINDS
from macros.app.result import CommandResult
from macros.argparse_zh import ChineseArgumentParser, translate
from macros.cli import HANDLERS, build_parser, run_command
from macros.commands import BUTTONS, COMMANDS, Choice, legacy
from macros.commands.spec import choice_converter
from macros.commands.table import kinds_type


def test_names_are_unique_and_buttons_know_their_command():
    assert len({c.name for c in COMMANDS}) == len(COMMANDS)
    assert len({b.id for b in BUTTONS}) == len(BUTTONS)
    for c in COMMANDS:
        assert (c.run is None) == (c.legacy is not None), c.name
        for b in c.buttons:
            assert b.command == c.name
            keys = {o.key for o in c.options}
            assert set(b.fixed) <= keys and set(b.beside) <= keys, b.id


def test_every_kind_is_accepted_by_id_title_and_chinese_name():
    for kind, title in KINDS.items():
        assert kinds_type(kind) == [kind]
        assert kinds_type(title) == [kind]
    assert kinds_type("通知，分工表、targets,notice") == ["notice", "tasks", "targets"]
    assert kinds_type("ALL") == ["all"]
    with pytest.raises(argparse.ArgumentTypeError, match="是否应为“summary”"):
        kinds_type("sumary")


def test_choices_with_aliases():
    convert = choice_converter("格式", (Choice("docx", ("word",)), Choice("pdf")))
    assert convert("Word") == "docx" and convert("PDF") == "pdf"
    with pytest.raises(argparse.ArgumentTypeError, match="未知的格式“pfd”.*是否应为“pdf”"):
        convert("pfd")


def test_options_arrive_typed(tmp_path):
    args = build_parser().parse_args(["report", str(tmp_path / "a.xlsx"), "--kind", "考核结果", "--out",
                                      str(tmp_path), "--today", "2010年10月25日", "--format", "PDF"])
    assert args.kinds == ["assessment"] and args.fmt == "pdf" and args.today == date(2010, 10, 25)
    assert args.out == tmp_path and isinstance(args.out, Path)


def test_a_legacy_module_is_one_line(tmp_path, capsys):
    module = types.ModuleType("kexie_mail_example")

    def add_arguments(parser):
        parser.add_argument("master", help="活动工作簿")
        parser.add_argument("--box", help="邮箱")

    def command(args):
        return CommandResult(data={"box": args.box, "engine": args.engine}, lines=["已收取"])

    module.add_arguments, module.command = add_arguments, command
    entry = legacy("mail", module, "收发报送邮件")
    parser = ChineseArgumentParser(prog="kexie")
    entry.add_to(parser.add_subparsers(dest="command", parser_class=ChineseArgumentParser))
    args = parser.parse_args(["mail", "a.xlsx", "--box", "收件"])
    assert run_command(entry, args).data == {"box": "收件", "engine": None}
    assert "--box 值" in parser._subparsers._group_actions[0].choices["mail"].format_help()


def test_the_shipped_legacy_entries_still_parse():
    for name in ("addin", "certificates"):
        assert HANDLERS[name].legacy is not None
    args = build_parser().parse_args(["addin", "install", "--dir", "x"])
    assert args.action == "install" and args.dir == "x"


@pytest.mark.parametrize(("english", "chinese"), [
    ("the following arguments are required: 工作簿, --out", "缺少必需的参数：工作簿、--out"),
    ("unrecognized arguments: --x y", "无法识别的参数：--x y"),
    ("argument --out: expected one argument", "参数 --out 后面需要一个值"),
    ("argument --total: invalid int value: 'x'", "参数 --total：“x”不是有效的整数"),
    ("argument 命令: invalid choice: 'tally' (choose from 'demo', 'tally')",
     "无效的命令“tally”（可选：demo、tally）。是否应为“tally”？"),
    ("ambiguous option: --f could match --format, --floor", "选项 --f 有歧义，可能是：--format, --floor"),
])
def test_argparse_messages_in_chinese(english, chinese):
    assert translate(english) == chinese


def test_a_legacy_command_can_have_a_ribbon_button(tmp_path):
    from dataclasses import replace

    from macros import ribbon
    from macros.commands import Button

    seen = {}
    module = types.ModuleType("kexie_mail_example")

    def add_arguments(parser):
        parser.add_argument("master", help="活动工作簿")
        parser.add_argument("inbox", help="收件箱")

    def command(args):
        seen.update(vars(args))
        return CommandResult(lines=["已收取"])

    module.add_arguments, module.command = add_arguments, command
    entry = legacy("mail", module, "收发报送邮件",
                   buttons=(Button("mail", "收取邮件", "报送", "收取报送邮件", argv=("{master}", "{inbox}")),))
    button = replace(entry.buttons[0], command="mail")
    master = tmp_path / "活动.xlsx"
    result = ribbon._run_legacy(button, entry, master, engine="the open book", today=None)
    assert result.lines == ["已收取"]
    assert seen["master"] == str(master) and seen["inbox"] == str(tmp_path / "收件箱")
    assert seen["engine"] == "the open book" and (tmp_path / "收件箱").is_dir()
    broken = replace(button, argv=("{master}",))  # a missing argument: a Chinese message, no exit
    assert ribbon._run_legacy(broken, entry, master, engine=None, today=None).exit_code == 2


def test_the_guide_sheet_of_a_new_workbook_lists_every_button(tmp_path):
    import openpyxl

    from macros.cli import main
    from macros.schema import README_SHEET

    assert main(["new", str(tmp_path / "活动.xlsx")]) == 0
    text = "\n".join(str(r[0]) for r in openpyxl.load_workbook(tmp_path / "活动.xlsx")[README_SHEET]
                     .iter_rows(values_only=True) if r[0])
    for b in BUTTONS:
        assert f"· {b.label}：{b.description}（命令行：{b.cli}）" in text


HEAVY = ("pandas", "numpy", "matplotlib", "docx", "docxtpl", "reportlab", "openpyxl", "xlwings")


def _imported_after(code: str) -> list[str]:
    import json
    import subprocess
    import sys

    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_command_line_and_the_button_list_load_no_heavy_library():
    """Building every parser, listing the buttons and the 说明 guide imports no use case: the
    registry names use cases by reference and resolves them when a command runs."""
    assert _imported_after("import macros.cli; macros.cli.build_parser()") == []
    assert _imported_after("import macros.ribbon, macros.actions; macros.ribbon.buttons();"
                           "from macros.commands import ribbon_guide; ribbon_guide()") == []
    # `kexie mail --help` loads the mail module (light), not the consolidation
    assert _imported_after("import contextlib, io, macros.cli\n"
                           "with contextlib.redirect_stdout(io.StringIO()):\n"
                           "    macros.cli.main(['mail', '--help'])") == []


def test_every_reference_of_the_registry_resolves():
    from macros.commands.spec import resolve

    for c in COMMANDS:
        if c.legacy is not None:
            module = c.legacy_module()
            assert callable(module.add_arguments) and callable(module.command), c.name
        else:
            assert callable(c.use_case()), c.name
    assert resolve("macros.app.report_kinds:KINDS") is KINDS
