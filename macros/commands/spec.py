"""The vocabulary of the command registry: options, choices, ribbon buttons, commands.

Pure data and small converters; nothing here knows a use case or a shell. A command names its
use case by reference (``"macros.app.tally:tally_command"``, or a legacy module's dotted name),
resolved with :func:`resolve` only when the command runs or its arguments are needed, so that
building the whole command line imports no use case.
"""

from __future__ import annotations

import argparse
import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from macros.argparse_zh import suggestion


@dataclass(frozen=True)
class Choice:
    """One allowed value of an option, with the other words a person may type for it."""

    value: str
    aliases: tuple[str, ...] = ()

    def words(self) -> tuple[str, ...]:
        return (self.value, *self.aliases)


def choice_converter(what: str, choices: Sequence[Choice], *, many: bool = False,
                     extra: Sequence[str] = ()) -> Callable[[str], Any]:
    """An argparse ``type`` mapping a value or one of its aliases (any case) to the choice's
    value; ``many`` accepts a comma list (、，, too) and returns a list without repeats;
    ``extra`` words are returned as they are (e.g. "all")."""
    table: dict[str, str] = {}
    for c in choices:
        for w in c.words():
            table.setdefault(w.casefold(), c.value)
    for w in extra:
        table.setdefault(w.casefold(), w)
    shown = "、".join(c.value + (f"（{'/'.join(c.aliases)}）" if c.aliases else "") for c in choices)
    shown += "".join(f" 或 {w}" for w in extra)

    def one(word: str) -> str:
        found = table.get(word.strip().casefold())
        if found is None:
            hint = suggestion(word, [w for c in choices for w in c.words()] + list(extra))
            raise argparse.ArgumentTypeError(f"未知的{what}“{word}”。可选：{shown}。{hint}")
        return found

    def convert(text: str):
        if not many:
            return one(text)
        words = [w for w in text.replace("，", ",").replace("、", ",").split(",") if w.strip()]
        if not words:
            raise argparse.ArgumentTypeError(f"请指定{what}。可选：{shown}。")
        return list(dict.fromkeys(one(w) for w in words))

    convert.__name__ = what  # argparse names the type in its own messages
    return convert


@dataclass(frozen=True)
class Option:
    """One option of a command, as argparse and the ribbon see it.

    ``name``: "--out" for an option, "inbox" for a positional argument; ``dest`` (default: the
    name without dashes) is the keyword the use case receives. ``type`` converts the text
    (int, Path, a date parser, a choice converter…); ``flag`` makes it a switch (store_true).
    ``folder_input``: a folder the command reads (the ribbon creates it beside the workbook when
    missing and tells staff what to put there); ``shell``: read by the shell, not passed to the
    use case (``--json``)."""

    name: str
    help: str
    type: Callable[[str], Any] | None = None
    required: bool = False
    default: Any = None
    flag: bool = False
    choices: tuple[Choice, ...] = ()
    metavar: str | None = None
    dest: str | None = None
    folder_input: bool = False
    shell: bool = False  # read by the shell (e.g. --json), not passed to the use case

    @property
    def key(self) -> str:
        return self.dest or self.name.lstrip("-").replace("-", "_")

    @property
    def initial(self) -> Any:
        """The value when the option is not given (False for a switch)."""
        return False if self.flag else self.default

    @property
    def positional(self) -> bool:
        return not self.name.startswith("-")

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        kwargs: dict[str, Any] = {"help": self.help}
        if self.flag:
            parser.add_argument(self.name, action="store_true", dest=self.key, **kwargs)
            return
        convert = self.type
        if self.choices and convert is None:
            convert = choice_converter(self.metavar or "取值", self.choices)
        if convert is not None:
            kwargs["type"] = convert
        if self.metavar:
            kwargs["metavar"] = self.metavar
        if self.positional:
            parser.add_argument(self.name, **kwargs)
            return
        parser.add_argument(self.name, dest=self.key, required=self.required, default=self.default, **kwargs)


@dataclass(frozen=True)
class Button:
    """A button of the ribbon tab 科协工作台 that runs one command on the open workbook.

    ``fixed``: option values the button always uses (e.g. ``{"kinds": ["notice"]}``);
    ``beside``: option key -> folder key of :func:`macros.ribbon.folders_for` (the folders
    beside the workbook, laid out like the demo's). ``argv``: for a button of a legacy command
    only, the words after the command name, where ``{master}`` stands for the workbook and
    ``{forms}``, ``{inbox}``, ``{reports}`` for the folders beside it (created when missing).
    ``command`` and ``cli`` are filled in by the registry."""

    id: str
    label: str
    group: str
    description: str
    fixed: Mapping[str, Any] = field(default_factory=dict)
    beside: Mapping[str, str] = field(default_factory=dict)
    cli_options: str = ""  # what the fixed values are on the command line, e.g. "--kind notice"
    argv: tuple[str, ...] = ()
    command: str = ""

    @property
    def cli(self) -> str:
        """The command line that does the same, e.g. ``kexie report --kind notice``."""
        return " ".join(w for w in ("kexie", self.command, self.cli_options) if w)


def resolve(ref: Any) -> Any:
    """The object a reference names: ``"package.module:attribute"``, ``"package.module"`` (the
    module), or the object itself when it is not a string."""
    if not isinstance(ref, str):
        return ref
    module, _, attr = ref.partition(":")
    found = importlib.import_module(module)
    return getattr(found, attr) if attr else found


@dataclass(frozen=True)
class Command:
    """One ``kexie`` sub-command.

    ``run`` is the use case, by reference (``"macros.app.tally:tally_command"``, resolved when
    the command runs) or as a function: ``run(engine, **options)`` when ``workbook`` is true
    (the shell opens the engine: a file engine on the command line, the open book in Excel),
    else ``run(**options)``; it returns a CommandResult. ``legacy`` is a module (or its dotted
    name) exposing ``add_arguments(parser)`` and ``command(args)`` instead (see :func:`legacy`);
    a module named by reference is imported only when its sub-command is parsed or its help
    shown."""

    name: str
    help: str
    options: tuple[Option, ...] = ()
    run: Callable[..., Any] | str | None = None
    workbook: bool = False
    buttons: tuple[Button, ...] = ()
    legacy: Any = None
    description: str | None = None

    def use_case(self) -> Callable[..., Any]:
        return resolve(self.run)

    def legacy_module(self) -> Any:
        return resolve(self.legacy)

    def _legacy_arguments(self, parser: argparse.ArgumentParser) -> None:
        self.legacy_module().add_arguments(parser)
        for action in parser._actions:  # argparse would show the English dest, e.g. "OUT"
            if action.option_strings and action.nargs != 0 and action.metavar is None and not action.choices:
                action.metavar = "值"

    def add_to(self, sub) -> argparse.ArgumentParser:
        kwargs = {"help": self.help, "description": self.description or self.help}
        if self.legacy is not None and isinstance(self.legacy, str) and hasattr(sub._parser_class, "filled"):
            return sub.add_parser(self.name, fill=self._legacy_arguments, **kwargs)  # arguments on first use
        parser = sub.add_parser(self.name, **kwargs)
        if self.legacy is not None:
            self._legacy_arguments(parser)
            return parser
        if self.workbook:
            parser.add_argument("master", metavar="工作簿", help="活动工作簿（.xlsx 文件）")
        for opt in self.options:
            opt.add_to(parser)
        return parser

    def call(self, engine: Any, values: Mapping[str, Any]):
        """Run the use case with typed option values (a mapping of option keys)."""
        kwargs = {o.key: values.get(o.key, o.initial) for o in self.options if not o.shell}
        run = self.use_case()
        if self.workbook:
            return run(engine, **kwargs)
        return run(**kwargs)


def legacy(name: str, module: Any, help: str, buttons: tuple[Button, ...] = ()) -> Command:
    """A sub-command written as a module (or its dotted name, imported on first use) with
    ``add_arguments(parser)`` and
    ``command(args) -> CommandResult``: the parser is the module's, the use case gets the parsed
    ``args`` (``args.engine``: None on the command line — it opens its own files — and the open
    book when a ribbon button runs it; see ``macros.app.workbook.open_engine``). A button of a
    legacy command gives its command-line words in ``Button.argv``."""
    return Command(name=name, help=help, legacy=module, buttons=buttons)


def path_type(text: str) -> Path:
    return Path(text)


path_type.__name__ = "路径"
