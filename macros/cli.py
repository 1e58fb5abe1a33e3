"""The ``kexie`` command line: a thin shell over the use cases in macros.app.

Each sub-command is parsed here and handed to ``command(args) -> CommandResult`` of the module
named in HANDLERS (imported lazily, so start-up stays fast and a capability that is not built
yet says so in Chinese). The contract — commands, ``--json`` shapes, exit codes — is docs/cli.md:
with ``--json`` stdout carries exactly one JSON object and people's messages go to
stderr.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from datetime import date
from typing import Sequence

from macros.errors import Exit, KexieError

HANDLERS = {
    "demo": "macros.app.demo",
    "new": "macros.cli",
    "schema": "macros.cli",
    "codes": "macros.cli",
    "validate": "macros.app.validate",
    "forms": "macros.app.forms",
    "consolidate": "macros.app.consolidate",
    "tally": "macros.app.tally",
    "allocate": "macros.app.allocate",
    "report": "macros.app.report",
    "addin": "macros.addin_install",
    "doctor": "macros.app.doctor",
    "certificates": "macros.app.certificates",
}


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2, as the contract says
        self.print_usage(sys.stderr)
        print(f"kexie：参数错误：{message}", file=sys.stderr)
        sys.exit(Exit.USAGE)


def _date(text: str) -> date:
    from macros.core.normalize import parse_date

    value = parse_date(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"无法识别的日期：{text}（请写成 2010-10-20）")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = ChineseArgumentParser(prog="kexie", description="科协工作台：活动工作簿、报送表汇总、统计与公文生成")
    sub = p.add_subparsers(dest="command", required=True, parser_class=ChineseArgumentParser)

    s = sub.add_parser("demo", help="生成一套完整的示例活动")
    s.add_argument("--out", default="demo-output", help="输出文件夹（默认 demo-output/）")

    s = sub.add_parser("new", help="新建活动工作簿")
    s.add_argument("master", help="要新建的 .xlsx 文件")
    s.add_argument("--preset", help="预设：献策、课题、任务、指标")
    s.add_argument("--force", action="store_true", help="文件已存在时覆盖")

    s = sub.add_parser("schema", help="打印工作簿结构说明")
    s.add_argument("--markdown", action="store_true", help="Markdown 格式（默认）")

    s = sub.add_parser("codes", help="打印问题代码表")
    s.add_argument("--markdown", action="store_true", help="Markdown 格式（默认）")

    s = sub.add_parser("validate", help="校验工作簿数据")
    s.add_argument("master")
    s.add_argument("--json", action="store_true")
    s.add_argument("--today", type=_date, help="以该日期为今天（用于定时任务和测试）")

    s = sub.add_parser("forms", help="生成各单位的报送表")
    s.add_argument("master")
    s.add_argument("--out", required=True, help="报送表输出文件夹")
    s.add_argument("--all", action="store_true", help="为名册中的每个单位生成（默认只为有配额的单位）")

    s = sub.add_parser("consolidate", help="汇总收件文件夹中交回的报送表")
    s.add_argument("master")
    s.add_argument("inbox")
    s.add_argument("--json", action="store_true")
    s.add_argument("--log", help="日志文件（默认在工作簿旁的 kexie-logs/ 中）")
    s.add_argument("--today", type=_date, help="以该日期为今天")

    s = sub.add_parser("tally", help="统计配额完成情况、指标、任务和考核结果")
    s.add_argument("master")
    s.add_argument("--json", action="store_true")
    s.add_argument("--today", type=_date, help="以该日期为今天（判断任务逾期）")

    s = sub.add_parser("allocate", help="按权重把全市目标分解到各单位（最大余额法）")
    s.add_argument("--total", type=int, required=True)
    s.add_argument("--weights", required=True, help="权重表（.xlsx 或 UTF-8 .csv，列：单位、权重）")
    s.add_argument("--floor", type=int, default=0, help="每个单位至少分得的数量")
    s.add_argument("--cap", type=int, default=None, help="每个单位至多分得的数量")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("report", help="生成公文和报告（Word/PDF）")
    s.add_argument("master")
    s.add_argument("--kind", required=True,
                   help="notice、summary、reminders、compilation、assessment、tasks、targets 或 all")
    s.add_argument("--format", choices=("docx", "pdf"), default="docx")
    s.add_argument("--out", required=True)
    s.add_argument("--today", type=_date, help="以该日期为今天")

    from macros.app import certificates
    certificates.add_arguments(sub.add_parser("certificates", help="印制荣誉证书、会员证（PDF），或核验证书二维码"))

    s = sub.add_parser("addin", help="安装或卸载 Excel 加载项")
    s.add_argument("action", choices=("install", "remove"))
    s.add_argument("--file", help="install：加载项文件（默认：kexie 自带的 kexie.xlam）")
    s.add_argument("--dir", help="Excel 启动文件夹（默认：当前用户的 XLSTART）")

    from macros.app import doctor
    doctor.add_arguments(sub.add_parser("doctor", help="检查本机能否运行 kexie（Python、依赖、LibreOffice、字体、加载项）"))
    return p


# --- handlers that live here because they are one-liners ------------------------------------

def command(args):
    from macros.app.result import CommandResult

    if args.command == "new":
        from macros.app.new import new_campaign

        path = new_campaign(args.master, args.preset, args.force)
        return CommandResult(data={"master": str(path)}, lines=[f"已新建活动工作簿：{path}"])
    if args.command == "schema":
        from macros.schema import to_markdown

        return CommandResult(lines=[to_markdown().rstrip("\n")])  # print adds the last newline
    if args.command == "codes":
        from macros.problems import codes_markdown

        return CommandResult(lines=[codes_markdown().rstrip("\n")])
    raise AssertionError(args.command)


def _load(command_name: str):
    module_name = HANDLERS[command_name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise KexieError(f"“{command_name}”功能尚未安装在此版本中。") from exc
    return module


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # Chinese on any console (Windows cp936 included)
        if hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):
                pass
    args = build_parser().parse_args(argv)
    as_json = getattr(args, "json", False)
    try:
        result = _load(args.command).command(args)
    except KexieError as exc:
        if as_json:
            print(json.dumps({"error": exc.message, "exit_code": int(exc.exit_code)}, ensure_ascii=False))
        print(f"kexie：{exc.message}", file=sys.stderr)
        return int(exc.exit_code)
    if as_json:
        print(json.dumps(result.data, ensure_ascii=False, default=str))
        for line in result.lines:
            print(line, file=sys.stderr)
    else:
        for line in result.lines:
            print(line)
    return int(result.exit_code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
