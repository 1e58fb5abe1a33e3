"""The ``kexie`` command line, built from the command registry (macros.commands).

``build_parser`` adds one sub-parser per registered command; ``main`` parses, opens the workbook
a command works on (a FileEngine on the file named) and runs the command's use case. With
``--json`` stdout carries exactly one JSON object (ASCII, so any console or pipe reads it) and
people's messages go to stderr. Exit codes: 0 done, 1 data problems, 2 usage or configuration
error, 3 refused to write to protect data, 4 unexpected error (traceback in kexie-logs/).
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from macros.argparse_zh import PROG, ChineseArgumentParser
from macros.commands import BY_NAME, COMMANDS, Command
from macros.console import log_bug, setup_streams
from macros.errors import Exit, KexieError

#: command name -> its registry entry (kept under the old name for shells and tests)
HANDLERS: dict[str, Command] = dict(BY_NAME)


def build_parser() -> argparse.ArgumentParser:
    p = ChineseArgumentParser(prog=PROG, description="科协工作台：活动工作簿、报送表汇总、统计与公文生成")
    sub = p.add_subparsers(dest="command", required=True, parser_class=ChineseArgumentParser,
                           title="命令", metavar="命令", help="要运行的命令（kexie 命令 -h 显示该命令的帮助）")
    for command in COMMANDS:
        command.add_to(sub)
    return p


def run_command(command: Command, args: argparse.Namespace, engine: Any = None):
    """Run ``command`` with the parsed ``args``; a workbook command gets ``engine`` or, when
    None, a FileEngine on ``args.master``."""
    if command.legacy is not None:
        args.engine = engine
        return command.legacy_module().command(args)
    if command.workbook and engine is None:
        from macros.adapters.file_engine import FileEngine  # pandas: only for the command that needs it

        engine = FileEngine(args.master)
    return command.call(engine, vars(args))


def _report(result, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.data, ensure_ascii=True, default=str))
        for line in result.lines:
            print(line, file=sys.stderr)
    else:
        for line in result.lines:
            print(line)


def _master_of(args) -> Path | None:
    master = getattr(args, "master", None)
    if master and Path(master).parent.is_dir():
        return Path(master).resolve()
    return None


def _run(args) -> int:
    as_json = getattr(args, "json", False)
    try:
        result = run_command(HANDLERS[args.command], args)
    except KexieError as exc:
        if as_json:
            print(json.dumps({"error": exc.message, "exit_code": int(exc.exit_code)}, ensure_ascii=True))
        print(f"{PROG}：{exc.message}", file=sys.stderr)
        return int(exc.exit_code)
    except Exception as exc:  # a bug: one Chinese line, the traceback in a log file
        log = log_bug(_master_of(args), f"kexie {args.command}")
        message = f"程序内部错误（{type(exc).__name__}），未能完成。详细信息已记录在 {log}，请发给信息管理员。"
        if as_json:
            print(json.dumps({"error": message, "exit_code": int(Exit.BUG)}, ensure_ascii=True))
        print(f"{PROG}：{message}", file=sys.stderr)
        return int(Exit.BUG)
    _report(result, as_json)
    return int(result.exit_code)


def main(argv: Sequence[str] | None = None) -> int:
    setup_streams()
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:  # --help, or a usage error already explained (exit 2)
            return int(exc.code or 0)
        code = _run(args)
        sys.stdout.flush()
        return code
    except OSError as exc:  # `kexie … | more` closed early (Windows says EINVAL): stop quietly
        if not isinstance(exc, BrokenPipeError) and exc.errno not in (errno.EPIPE, errno.EINVAL):
            raise
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return int(Exit.OK)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
