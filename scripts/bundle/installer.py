"""kexie offline installer for Windows (run by install.cmd / uninstall.cmd; stdlib only).

install:   refuse while Excel runs → a fresh per-user venv in %LOCALAPPDATA%\\kexie\\venv →
           pip install --no-index --find-links <bundle>\\wheels kexie → kexie addin install
           (the add-in into the user's XLSTART) → the 科协工作台 console (kexie-console.cmd,
           the venv on PATH) and its Start-menu shortcut → kexie doctor.
uninstall: refuse while Excel runs → kexie addin remove → shortcut and %LOCALAPPDATA%\\kexie
           removed. Campaign workbooks are never touched (they live wherever staff keep them).

No step needs administrator rights: everything is written below the user's profile. Chinese
is printed by Python (the console API shows it whatever the code page), so the .cmd files stay
ASCII. Every path comes from ``Layout`` (the environment) and every external program goes
through ``Runner``, so the steps run on Linux under a simulated layout in the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

APP = "kexie"
SHORTCUT = "科协工作台.lnk"
CONSOLE = "kexie-console.cmd"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REFUSED = 0, 1, 2, 3

EXCEL_RUNNING = ("Excel 正在运行。请先保存工作并完全退出 Excel（包括任务栏里的所有 Excel 窗口），"
                 "然后重新运行 {script}。")


@dataclass(frozen=True)
class Layout:
    bundle: Path  # the unzipped bundle (install.cmd's folder)
    home: Path  # %LOCALAPPDATA%\kexie
    start_menu: Path  # %APPDATA%\Microsoft\Windows\Start Menu\Programs
    windows: bool = True

    @classmethod
    def from_env(cls, bundle: Path, env: Mapping[str, str], windows: bool = os.name == "nt") -> "Layout":
        profile = Path(env.get("USERPROFILE") or Path.home())
        local = Path(env.get("LOCALAPPDATA") or profile / "AppData" / "Local")
        roaming = Path(env.get("APPDATA") or profile / "AppData" / "Roaming")
        return cls(bundle, local / APP, roaming / "Microsoft" / "Windows" / "Start Menu" / "Programs", windows)

    @property
    def wheels(self) -> Path:
        return self.bundle / "wheels"

    @property
    def venv(self) -> Path:
        return self.home / "venv"

    @property
    def scripts(self) -> Path:
        return self.venv / ("Scripts" if self.windows else "bin")

    @property
    def python(self) -> Path:
        return self.scripts / ("python.exe" if self.windows else "python")

    @property
    def console(self) -> Path:
        return self.home / CONSOLE

    @property
    def shortcut(self) -> Path:
        return self.start_menu / SHORTCUT


Runner = Callable[[Sequence[str], Mapping[str, str] | None], int]


def run(argv: Sequence[str], env: Mapping[str, str] | None = None) -> int:
    return subprocess.run([str(a) for a in argv], env=None if env is None else {**os.environ, **env}).returncode


def excel_in_tasklist(output: str) -> bool:
    """``tasklist /FI "IMAGENAME eq EXCEL.EXE" /NH`` lists the process, or says no task matches."""
    return any(line.strip().upper().startswith("EXCEL.EXE") for line in output.splitlines())


def excel_running() -> bool:
    if os.name != "nt":
        return False
    try:
        out = subprocess.run(["tasklist", "/FI", "IMAGENAME eq EXCEL.EXE", "/NH"], capture_output=True,
                             text=True, errors="replace", timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return excel_in_tasklist(out)


def console_cmd(layout: Layout) -> str:
    """The 科协工作台 console: a cmd window with the venv's Scripts first on PATH (ASCII, CRLF)."""
    lines = [
        "@echo off",
        "rem kexie console: opened by the Start-menu shortcut; the kexie venv comes first on PATH.",
        "title kexie",
        'set "PATH=%~dp0venv\\Scripts;%PATH%"',
        'if exist "%USERPROFILE%\\Documents" cd /d "%USERPROFILE%\\Documents"',
        '"%~dp0venv\\Scripts\\python.exe" -m macros --help',
    ]
    return "\r\n".join(lines) + "\r\n"


SHORTCUT_PS = (
    "$s = (New-Object -ComObject WScript.Shell).CreateShortcut($env:KEXIE_LNK); "
    "$s.TargetPath = $env:ComSpec; "
    "$s.Arguments = '/k \"' + $env:KEXIE_CONSOLE + '\"'; "
    "$s.WorkingDirectory = $env:USERPROFILE; "
    "$s.Description = $env:KEXIE_LNK_DESC; "
    "$s.Save()"
)


def shortcut_command(layout: Layout) -> tuple[list[str], dict[str, str]]:
    """PowerShell creating the Start-menu shortcut; paths travel in environment variables, so
    Chinese and quotes in them never meet a command line's code page or quoting."""
    env = {"KEXIE_LNK": str(layout.shortcut), "KEXIE_CONSOLE": str(layout.console),
           "KEXIE_LNK_DESC": "科协工作台命令行"}
    return ["powershell", "-NoProfile", "-ExecutionPolicy", "Bypass", "-Command", SHORTCUT_PS], env


def say(text: str) -> None:
    print(text, flush=True)


def install(layout: Layout, runner: Runner = run, *, excel: Callable[[], bool] = excel_running) -> int:
    if excel():
        say(EXCEL_RUNNING.format(script="install.cmd"))
        return EXIT_REFUSED
    wheels = sorted(layout.wheels.glob("kexie-*.whl"))
    if not wheels:
        say(f"安装包不完整：{layout.wheels} 中没有 kexie 的安装文件。请重新解压完整的安装包。")
        return EXIT_USAGE
    say(f"正在安装科协工作台到 {layout.home} …")
    if layout.venv.exists():
        shutil.rmtree(layout.venv)  # an upgrade starts from a clean environment
    if runner([sys.executable, "-m", "venv", str(layout.venv)], None) != 0:
        say("无法创建 Python 虚拟环境。请确认 Python 安装完整（python.org 的安装程序），然后重试。")
        return EXIT_FAILED
    pip = [str(layout.python), "-m", "pip", "install", "--no-index", "--find-links", str(layout.wheels),
           "--disable-pip-version-check", "--no-warn-script-location", str(wheels[-1])]
    if runner(pip, None) != 0:
        say("安装依赖包失败（见上面的信息）。本安装包支持 64 位 Python 3.11、3.12、3.13。")
        return EXIT_FAILED
    addin_ok = runner([str(layout.python), "-m", "macros", "addin", "install"], None) == 0
    if not addin_ok:
        say("Excel 加载项没有装上（见上面的信息）；命令行可以照常使用，解决后运行 kexie addin install。")
    layout.console.write_bytes(console_cmd(layout).encode("ascii"))
    layout.start_menu.mkdir(parents=True, exist_ok=True)
    argv, env = shortcut_command(layout)
    if runner(argv, env) != 0:
        say(f"未能创建开始菜单快捷方式；可以直接双击 {layout.console} 打开科协工作台命令行。")
    (layout.home / "install.json").write_text(json.dumps(
        {"wheel": wheels[-1].name, "python": sys.version.split()[0], "addin": addin_ok}, ensure_ascii=False),
        encoding="utf-8")
    runner([str(layout.python), "-m", "macros", "doctor"], None)
    say("安装完成。开始菜单中的“科协工作台”打开命令行；重新启动 Excel 后功能区出现“科协工作台”选项卡。")
    return EXIT_OK


def uninstall(layout: Layout, runner: Runner = run, *, excel: Callable[[], bool] = excel_running) -> int:
    if excel():
        say(EXCEL_RUNNING.format(script="uninstall.cmd"))
        return EXIT_REFUSED
    if layout.python.exists():
        runner([str(layout.python), "-m", "macros", "addin", "remove"], None)
    layout.shortcut.unlink(missing_ok=True)
    if layout.home.exists():
        shutil.rmtree(layout.home, ignore_errors=True)
    say("已卸载科协工作台（活动工作簿和报送表不受影响）。")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and not stream.isatty():
            stream.reconfigure(errors="replace")
    parser = argparse.ArgumentParser(prog="installer.py")
    parser.add_argument("action", choices=("install", "uninstall"))
    parser.add_argument("--bundle", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)
    if sys.version_info[:2] < (3, 11):
        say("需要 Python 3.11 或更高版本（64 位）。请从 python.org 安装后重新运行。")
        return EXIT_USAGE
    layout = Layout.from_env(args.bundle.resolve(), os.environ)
    return (install if args.action == "install" else uninstall)(layout)


if __name__ == "__main__":
    sys.exit(main())
