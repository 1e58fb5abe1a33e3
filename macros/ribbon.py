"""The ribbon shell: what happens when a button of the 科协工作台 tab is pressed.

workbook/kexie.bas forwards the button id: ``RunPython "import macros.ribbon;
macros.ribbon.run('<id>')"``. ``run`` dispatches it to the *same* use case the CLI runs
(``command(args)`` of the module macros.cli.HANDLERS names), with the arguments the CLI parser
would produce for that workbook, plus ``args.engine``: an XlwingsEngine over the open book, so the
use case reads unsaved edits and writes its results into the open book (see
macros.app.workbook.open_engine). Data problems and refusals come back as a Chinese alert; a bug
is logged to kexie-logs/ribbon.log beside the workbook and announced in Chinese too — never a
Python traceback in the user's face.

``run_headless(action_id, path)`` runs a button on a workbook *file* through the file engine:
what the tests and Linux use.

The dispatch table derives from macros.actions.ACTIONS (id, label, CLI command); the folders the
buttons use beside the workbook are the demo's (报送表, 收件箱, 文档). This module imports nothing
heavy at import time: xlwings only inside ``run``, use cases only when their button is pressed,
so a use case not yet in the tree yields a Chinese message instead of an ImportError.
"""

from __future__ import annotations

import importlib
import shlex
import traceback
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from macros.actions import ACTIONS, Action
from macros.errors import Exit, KexieError

ALERT_TITLE = "科协工作台"
ALERT_MAX_LINES = 20
ALERT_MAX_CHARS = 900  # MsgBox shows at most ~1024 characters
LOG_DIR = "kexie-logs"


@dataclass(frozen=True)
class Dispatch:
    """How one ribbon button maps onto the command line."""

    action: Action
    command: str  # the kexie sub-command (a key of macros.cli.HANDLERS)
    options: tuple[str, ...]  # fixed options after the workbook, e.g. ("--kind", "notice")

    @property
    def module(self) -> str:
        from macros.cli import HANDLERS

        return HANDLERS[self.command]

    def argv(self, master: Path) -> list[str]:
        """The `kexie` arguments this button amounts to for ``master``."""
        folders = folders_for(master)
        argv = [self.command, str(master)]
        if self.command in ("consolidate", "mail"):
            argv.append(str(folders["inbox"]))
        argv += list(self.options)
        if self.command == "forms":
            argv += ["--out", str(folders["forms"])]
        elif self.command == "report":
            argv += ["--out", str(folders["reports"])]
        return argv


def _dispatch(action: Action) -> Dispatch:
    words = shlex.split(action.cli)
    if words[:1] != ["kexie"] or len(words) < 2:
        raise ValueError(f"action {action.id}: unexpected CLI {action.cli!r}")
    return Dispatch(action=action, command=words[1], options=tuple(words[2:]))


#: button id -> how to run it (one entry per ribbon button; tests check both directions)
DISPATCH: dict[str, Dispatch] = {a.id: _dispatch(a) for a in ACTIONS}


def folders_for(master: Path) -> dict[str, Path]:
    """The folders beside a workbook the buttons use, laid out like the demo's."""
    from macros.app.demo import DemoContext

    ctx = DemoContext(out=master.parent, master=master)
    return {"forms": ctx.forms_dir, "inbox": ctx.inbox, "reports": ctx.reports_dir}


def not_installed_message(label: str) -> str:
    return f"“{label}”功能尚未安装在此版本中，请更新科协工作台后再试。"


def _result(lines: list[str], exit_code: int = Exit.OK, data: dict | None = None):
    from macros.app.result import CommandResult

    return CommandResult(data=data or {}, exit_code=exit_code, lines=lines)


def _load(dispatch: Dispatch):
    name = dispatch.module
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        raise KexieError(not_installed_message(dispatch.action.label)) from exc


def execute(action_id: str, master: Path, engine: Any, today: date | None = None):
    """Run one button on ``engine`` (the workbook ``master``) and return its CommandResult.
    Data problems and refusals (KexieError) come back as a result, never as an exception."""
    dispatch = DISPATCH.get(action_id)
    if dispatch is None:
        return _result([f"未知的按钮：{action_id}"], Exit.USAGE)
    label = dispatch.action.label
    try:
        if dispatch.command == "consolidate":
            inbox = folders_for(master)["inbox"]
            if not inbox.is_dir():
                inbox.mkdir(parents=True)
                return _result([
                    f"已在工作簿旁建立“{inbox.name}”文件夹：{inbox}",
                    f"请把各单位交回的报送表放进这个文件夹，然后再点“{label}”。",
                ])
        if dispatch.command == "mail":  # mail fills the inbox: make it on first use
            folders_for(master)["inbox"].mkdir(parents=True, exist_ok=True)
        from macros.cli import build_parser

        args = build_parser().parse_args(dispatch.argv(master))
        if today is not None and hasattr(args, "today"):
            args.today = today
        args.engine = engine
        module = _load(dispatch)
        return module.command(args)
    except KexieError as exc:
        return _result([exc.message], exc.exit_code)


def run_headless(action_id: str, path: str | Path, today: date | None = None):
    """Run a button on a workbook file through the file engine (tests, Linux)."""
    from macros.adapters.file_engine import FileEngine

    master = Path(path).resolve()
    try:
        engine = FileEngine(master)
    except KexieError as exc:
        return _result([exc.message], exc.exit_code)
    return execute(action_id, master, engine, today=today)


def present(label: str, result) -> tuple[str, str, str]:
    """(title, text, mode) of the alert that reports ``result`` to the user."""
    lines = [line for line in result.lines if line and line.strip()]
    code = int(result.exit_code)
    if code == Exit.OK:
        head, mode = f"“{label}”已完成。", "info"
    elif code == Exit.DATA_PROBLEMS:
        head, mode = f"“{label}”已完成，发现数据问题：", "info"
    elif code == Exit.REFUSED:
        head, mode = f"为保护数据，“{label}”没有写入：", "critical"
    else:
        head, mode = f"“{label}”未能完成：", "critical"
    shown: list[str] = []
    size = len(head)
    for line in lines:
        if len(shown) >= ALERT_MAX_LINES or size + len(line) > ALERT_MAX_CHARS:
            break
        shown.append(line)
        size += len(line) + 1
    if len(shown) < len(lines):
        shown.append(f"……另有 {len(lines) - len(shown)} 条，详见工作簿中的结果表。")
    text = "\n".join([head, *shown]) if shown else head
    return f"{ALERT_TITLE} - {label}", text, mode


def _log_bug(master: Path | None, action_id: str) -> Path:
    """Append the current exception's traceback to kexie-logs/ribbon.log (beside the workbook
    when possible, else in the temp folder) and return the log's path."""
    import tempfile

    stamp = datetime.now().isoformat(timespec="seconds")
    text = f"--- {stamp} {action_id}\n{traceback.format_exc()}\n"
    for folder in ([master.parent / LOG_DIR] if master else []) + [Path(tempfile.gettempdir()) / LOG_DIR]:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            log = folder / "ribbon.log"
            with log.open("a", encoding="utf-8") as f:
                f.write(text)
            return log
        except OSError:
            continue
    return Path(tempfile.gettempdir())


def run(action_id: str, book: Any = None) -> None:
    """Entry point of the ribbon callback: run button ``action_id`` on the active workbook."""
    import xlwings as xw

    from macros.adapters.xlwings_engine import XlwingsEngine

    book = book if book is not None else xw.Book.caller()
    app = book.app
    dispatch = DISPATCH.get(action_id)
    label = dispatch.action.label if dispatch else action_id
    full = Path(book.fullname) if book.fullname else None
    if full is None or not full.is_absolute() or not full.exists():
        app.alert("请先把工作簿保存到电脑上（文件 > 另存为），再使用科协工作台的按钮。",
                  title=f"{ALERT_TITLE} - {label}", mode="info")
        return
    engine = XlwingsEngine(book)
    screen = app.screen_updating
    try:
        app.screen_updating = False
        engine.progress(0, 1, f"正在{label}……")
        result = execute(action_id, full, engine)
    except Exception as exc:  # a bug, not a data problem: log it, say it in Chinese
        log = _log_bug(full, action_id)
        result = _result([f"程序出错：{type(exc).__name__}: {exc}",
                          f"详细信息已记录在 {log}，请发给信息管理员。"], Exit.USAGE)
    finally:
        try:
            app.screen_updating = screen
        except Exception:
            pass
        engine.progress(1, 1)
    title, text, mode = present(label, result)
    app.alert(text, title=title, mode=mode)
