"""The ribbon shell: what happens when a button of the 科协工作台 tab is pressed.

workbook/kexie.bas forwards the button id: ``RunPython "import macros.ribbon;
macros.ribbon.run('<id>')"``. ``run`` looks the button up in the command registry
(macros.commands: each button names its command, fixed option values and the folders beside
the workbook it uses — 报送表, 收件箱, 文档, laid out like the demo's) and calls that command's
use case with an XlwingsEngine over the open book, so it reads unsaved edits and writes its
results into the open book (staff save it; Excel's own ``~$`` lock file is no obstacle). Data
problems and refusals come back as a Chinese alert; a bug is logged to kexie-logs/ribbon.log
beside the workbook and announced in Chinese too — never a Python traceback in the user's face.

``run_headless(action_id, path)`` runs a button on a workbook *file* through the file engine:
what Linux and some tests use.

Importing this module is light (no xlwings, pandas or use case): ``run`` first puts what runs
in Excel's status bar, then imports the registry, so a broken installation is reported in
Chinese with what to do.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from macros.app.result import CommandResult
from macros.console import log_bug
from macros.errors import Exit, KexieError

ALERT_TITLE = "科协工作台"
ALERT_MAX_LINES = 20
ALERT_MAX_CHARS = 900  # MsgBox shows at most ~1024 characters
LOG_DIR = "kexie-logs"


def buttons() -> dict[str, tuple[Any, Any]]:
    """button id -> (Button, Command) for every ribbon button, in ribbon order."""
    from macros.commands import BUTTON_COMMAND, BUTTONS

    return {b.id: (b, BUTTON_COMMAND[b.id]) for b in BUTTONS}


def folders_for(master: Path) -> dict[str, Path]:
    """The folders beside a workbook the buttons use, laid out like the demo's."""
    from macros.app.demo import DemoContext

    ctx = DemoContext(out=master.parent, master=master)
    return {"forms": ctx.forms_dir, "inbox": ctx.inbox, "reports": ctx.reports_dir}


def _result(lines: list[str], exit_code: int = Exit.OK, data: dict | None = None) -> CommandResult:
    return CommandResult(data=data or {}, exit_code=exit_code, lines=lines)


def button_options(button, command, master: Path) -> dict[str, Any]:
    """The typed option values a button runs its command with, for the workbook ``master``."""
    folders = folders_for(master)
    values = {o.key: o.initial for o in command.options}
    values.update(button.fixed)
    values.update({key: folders[folder] for key, folder in button.beside.items()})
    return values


def _missing_input(command, values: dict[str, Any], label: str):
    """A folder the command reads, created beside the workbook when missing: what to put in it."""
    for opt in command.options:
        folder = values.get(opt.key)
        if opt.folder_input and folder is not None and not Path(folder).is_dir():
            Path(folder).mkdir(parents=True)
            return _result([
                f"已在工作簿旁建立“{Path(folder).name}”文件夹：{folder}",
                f"请把各单位交回的报送表放进这个文件夹，然后再点“{label}”。",
            ])
    return None


def legacy_argv(button, master: Path) -> list[str]:
    """The command-line words a button of a legacy command amounts to for ``master``; the
    folders it names are created beside the workbook when missing."""
    folders = folders_for(master)
    words = [button.command]
    for word in button.argv:
        for key, folder in folders.items():
            if "{" + key + "}" in word:
                folder.mkdir(parents=True, exist_ok=True)
                word = word.replace("{" + key + "}", str(folder))
        words.append(word.replace("{master}", str(master)))
    return words


def _run_legacy(button, command, master: Path, engine: Any, today: date | None):
    from macros.argparse_zh import ChineseArgumentParser
    from macros.cli import run_command

    parser = ChineseArgumentParser(prog="kexie")
    command.add_to(parser.add_subparsers(dest="command", parser_class=ChineseArgumentParser))
    try:
        args = parser.parse_args(legacy_argv(button, master))
    except SystemExit:  # the button's own words do not parse: a packaging bug, said in Chinese
        return _result([f"按钮“{button.label}”的参数有误，请把此提示发给信息管理员。"], Exit.USAGE)
    if today is not None and hasattr(args, "today"):
        args.today = today
    return run_command(command, args, engine)


def execute(action_id: str, master: Path, engine: Any, today: date | None = None):
    """Run one button on ``engine`` (the workbook ``master``) and return its CommandResult.
    Data problems and refusals (KexieError) come back as a result, never as an exception."""
    found = buttons().get(action_id)
    if found is None:
        return _result([f"未知的按钮：{action_id}"], Exit.USAGE)
    button, command = found
    try:
        if command.legacy is not None:
            return _run_legacy(button, command, master, engine, today)
        values = button_options(button, command, master)
        if today is not None and "today" in values:
            values["today"] = today
        return _missing_input(command, values, button.label) or command.call(engine, values)
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
    return log_bug(master, action_id, "ribbon.log")


INSTALL_HINT = ("请重新安装科协工作台（运行安装包中的 install.cmd，或在命令提示符中用 pip 安装 kexie 后运行 "
                "kexie addin install），然后重新打开 Excel 再试。")


def _failure(exc: BaseException, full: Path | None, action_id: str):
    """The alert for an exception that is not a data problem: a broken installation or a bug."""
    if isinstance(exc, ModuleNotFoundError):
        return _result([f"科协工作台安装不完整：缺少 Python 模块“{exc.name}”。", INSTALL_HINT], Exit.USAGE)
    log = _log_bug(full, action_id)
    return _result([f"程序出错：{type(exc).__name__}: {exc}",
                    f"详细信息已记录在 {log}，请发给信息管理员。"], Exit.BUG)


def _status(app, text) -> None:
    try:
        app.status_bar = text
    except Exception:  # noqa: BLE001 - the status bar is a courtesy
        pass


def _label(action_id: str) -> str:
    found = buttons().get(action_id)
    return found[0].label if found else action_id


def run(action_id: str, book: Any = None) -> None:
    """Entry point of the ribbon callback: run button ``action_id`` on the active workbook."""
    import xlwings as xw

    book = book if book is not None else xw.Book.caller()
    app = book.app
    _status(app, f"{ALERT_TITLE}：正在加载……")
    full = Path(book.fullname) if book.fullname else None
    try:
        from macros.adapters.xlwings_engine import XlwingsEngine

        label = _label(action_id)
    except ModuleNotFoundError as exc:
        _status(app, False)
        title, text, mode = present(action_id, _failure(exc, full, action_id))
        app.alert(text, title=title, mode=mode)
        return
    if full is None or not full.is_absolute() or not full.exists():
        _status(app, False)
        app.alert("请先把工作簿保存到电脑上（文件 > 另存为），再使用科协工作台的按钮。",
                  title=f"{ALERT_TITLE} - {label}", mode="info")
        return
    engine = XlwingsEngine(book)
    screen = app.screen_updating
    try:
        app.screen_updating = False
        engine.progress(0, 1, f"正在{label}……")
        result = execute(action_id, full, engine)
    except Exception as exc:  # a bug or a broken installation, not a data problem
        result = _failure(exc, full, action_id)
    finally:
        try:
            app.screen_updating = screen
        except Exception:  # noqa: BLE001
            pass
        engine.progress(1, 1)
    title, text, mode = present(label, result)
    app.alert(text, title=title, mode=mode)
