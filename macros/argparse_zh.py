"""argparse in Chinese: headings, the help option and every usage error a person can meet.

argparse builds its messages in English; :class:`ChineseArgumentParser` renames the headings
(用法、位置参数、选项), describes ``-h`` in Chinese and translates each error message through
:data:`ERRORS` (one regular expression per argparse message), adding a "是否应为…" suggestion to
a mistyped choice. Usage errors exit 2, as the command-line contract says.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from typing import Callable, Sequence

from macros.errors import Exit

USAGE_PREFIX = "用法："
PROG = "kexie"


def suggestion(value: str, candidates: Sequence[str]) -> str:
    """"，是否应为“x”？" for the closest candidate, or ""."""
    close = difflib.get_close_matches(str(value), list(candidates), n=1, cutoff=0.5)
    if not close:
        close = difflib.get_close_matches(str(value).lower(), [c.lower() for c in candidates], n=1, cutoff=0.5)
        close = [c for c in candidates if c.lower() in close][:1]
    return f"是否应为“{close[0]}”？" if close else ""


def _quoted(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text) or [w.strip() for w in text.split(",") if w.strip()]


def _invalid_choice(m: re.Match) -> str:
    value, choices = m.group("value"), _quoted(m.group("choices"))
    what = "命令" if m.group("arg") in ("命令", "command") else f"参数 {m.group('arg')} 的取值"
    hint = suggestion(value, choices)
    return f"无效的{what}“{value}”（可选：{'、'.join(choices)}）。{hint}".rstrip()


def _required(m: re.Match) -> str:
    names = [n.strip() for n in m.group(1).split(",")]
    return "缺少必需的参数：" + "、".join(names)


TYPE_ZH = {"int": "整数", "float": "数字", "str": "文字"}

#: argparse's English message -> the Chinese one (first match wins)
ERRORS: tuple[tuple[re.Pattern, Callable[[re.Match], str]], ...] = tuple(
    (re.compile(pattern, re.S), fn) for pattern, fn in (
        (r"^argument (?P<arg>[^:]+): invalid choice: '?(?P<value>.*?)'? \(choose from (?P<choices>.*)\)$",
         _invalid_choice),
        (r"^the following arguments are required: (.*)$", _required),
        (r"^unrecognized arguments: (.*)$", lambda m: f"无法识别的参数：{m.group(1)}"),
        (r"^argument (?P<arg>[^:]+): expected one argument$", lambda m: f"参数 {m['arg']} 后面需要一个值"),
        (r"^argument (?P<arg>[^:]+): expected at most one argument$",
         lambda m: f"参数 {m['arg']} 后面至多一个值"),
        (r"^argument (?P<arg>[^:]+): expected at least one argument$",
         lambda m: f"参数 {m['arg']} 后面至少需要一个值"),
        (r"^argument (?P<arg>[^:]+): invalid (?P<type>\S+) value: '?(?P<value>.*?)'?$",
         lambda m: f"参数 {m['arg']}：“{m['value']}”不是有效的{TYPE_ZH.get(m['type'], m['type'])}"),
        (r"^argument (?P<arg>[^:]+): not allowed with argument (?P<other>.*)$",
         lambda m: f"参数 {m['arg']} 不能与 {m['other']} 同时使用"),
        (r"^argument (?P<arg>[^:]+): ignored explicit argument '?(?P<value>.*?)'?$",
         lambda m: f"参数 {m['arg']} 不接受值“{m['value']}”"),
        (r"^ambiguous option: (?P<opt>\S+) could match (?P<matches>.*)$",
         lambda m: f"选项 {m['opt']} 有歧义，可能是：{m['matches']}"),
        (r"^one of the arguments (.*) is required$", lambda m: f"必须指定以下参数之一：{m.group(1)}"),
        (r"^argument (?P<arg>[^:]+): (?P<msg>.*)$", lambda m: f"参数 {m['arg']}：{m['msg']}"),
    )
)


def translate(message: str) -> str:
    """argparse's error ``message`` in Chinese (unchanged when it is already Chinese)."""
    for pattern, fn in ERRORS:
        m = pattern.match(message)
        if m:
            return fn(m)
    return message


class ChineseHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix if prefix is not None else USAGE_PREFIX)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose every text a person reads is Chinese.

    ``fill``: a function adding the parser's arguments, called the first time the parser is
    used (parsing, help or usage) rather than when it is built — a sub-command whose arguments
    live in a module that is costly to import costs nothing until it is chosen."""

    def __init__(self, *args, fill=None, **kwargs):
        self._fill = fill
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="显示帮助并退出")

    def filled(self) -> "ChineseArgumentParser":
        """The parser with its arguments added (see ``fill``)."""
        fill, self._fill = self._fill, None
        if fill is not None:
            fill(self)
        return self

    def parse_known_args(self, args=None, namespace=None):
        return super(ChineseArgumentParser, self.filled()).parse_known_args(args, namespace)

    def format_usage(self) -> str:
        return super(ChineseArgumentParser, self.filled()).format_usage()

    def format_help(self) -> str:
        self.filled()
        # argparse ends each heading with an ASCII colon; Chinese text takes the full-width one
        return re.sub(r"^(\S[^\n]*?):\n", r"\1：\n", super().format_help(), flags=re.M)

    def error(self, message: str):  # usage errors exit 2, as the contract says
        self.print_usage(sys.stderr)
        print(f"{self.prog}：参数错误：{translate(message)}", file=sys.stderr)
        sys.exit(Exit.USAGE)
