"""Install / remove the kexie Excel add-in for the current user (`kexie addin install|remove`).

What "installed" means (Windows and macOS):
- the add-in the package ships (workbook/kexie.xlam) is copied into Excel's per-user start-up folder (XLSTART), so Excel opens
  it, hidden, at every start and shows the 科协工作台 ribbon tab;
- the user config file read by the add-in's xlwings VBA module (PROJECT_NAME "kexie", see
  scripts/build_addin.py) names this Python interpreter (INTERPRETER_WIN / INTERPRETER_MAC) and
  puts the project on PYTHONPATH, so RunPython "import macros.ribbon; ..." finds our code;
- on macOS, xlwings' AppleScript (RunPython goes through AppleScriptTask there) is copied to
  ~/Library/Application Scripts/com.microsoft.Excel, like `xlwings runpython install`.

We copy the file ourselves instead of calling `xlwings addin install --file`: that command asks
a running Excel for its start-up path over COM/AppleScript, whereas the default locations below
are fixed and the logic stays testable without Excel. `--dir` covers a non-default start-up
folder (Excel: 文件 > 选项 > 高级 > 启动时打开此目录中的所有文件).

Linux has no Excel: the command says so and exits with code 2 (ConfigError). A file locked by
a running Excel gives exit code 3 (RefusedError).

All path logic takes the platform, home directory and environment as parameters
(`locations()`), so tests exercise both platforms on any OS with temporary directories.
"""

from __future__ import annotations

import codecs
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from macros.app.result import CommandResult
from macros.errors import ConfigError, RefusedError

from macros import resources

ADDIN_NAME = resources.ADDIN_NAME
CONF_NAME = "kexie.conf"  # PROJECT_NAME & ".conf" in the add-in's xlwings module
PROJECT_ROOT = resources.package_root()  # the directory that holds `macros/` (site-packages)
DEFAULT_ADDIN = resources.addin_file()
STAGING_DIR = ".kexie-staging"  # beside XLSTART, never inside it

WINDOWS = "windows"
MACOS = "macos"


def platform_kind(sys_platform: str = sys.platform) -> str | None:
    """'windows', 'macos', or None where Excel does not run (Linux and the rest)."""
    if sys_platform.startswith("win"):
        return WINDOWS
    if sys_platform == "darwin":
        return MACOS
    return None


NO_EXCEL_MESSAGE = (
    "当前系统（{name}）上没有 Microsoft Excel，无法安装科协工作台加载项。\n"
    "加载项只能在装有 Excel 的 Windows 或 macOS 电脑上安装；在本机上请直接使用命令行，"
    "例如 kexie validate 活动.xlsx、kexie tally 活动.xlsx。"
)


@dataclass(frozen=True)
class AddinLocations:
    platform: str
    startup_dir: Path  # Excel's per-user XLSTART folder
    config_file: Path  # user config read by the add-in's xlwings module
    applescript_dir: Path | None  # macOS only: where AppleScriptTask looks for scripts

    @property
    def addin_file(self) -> Path:
        return self.startup_dir / ADDIN_NAME

    @property
    def interpreter_key(self) -> str:
        return "INTERPRETER_WIN" if self.platform == WINDOWS else "INTERPRETER_MAC"


def locations(platform: str, home: Path, env: Mapping[str, str],
              startup_dir: Path | None = None) -> AddinLocations:
    """Where the add-in, its config and (macOS) the AppleScript go for one user."""
    if platform == WINDOWS:
        appdata = Path(env["APPDATA"]) if env.get("APPDATA") else home / "AppData" / "Roaming"
        profile = Path(env["USERPROFILE"]) if env.get("USERPROFILE") else home
        return AddinLocations(
            platform=WINDOWS,
            startup_dir=startup_dir or appdata / "Microsoft" / "Excel" / "XLSTART",
            # VBA: Environ("USERPROFILE") & "\." & PROJECT_NAME & "\" & PROJECT_NAME & ".conf"
            config_file=profile / ".kexie" / CONF_NAME,
            applescript_dir=None,
        )
    if platform == MACOS:
        return AddinLocations(
            platform=MACOS,
            startup_dir=startup_dir or home / "Library" / "Group Containers" / "UBF8T346G9.Office"
            / "User Content.localized" / "Startup.localized" / "Excel",
            # VBA: GetMacDir("$HOME") is the home folder *inside Excel's sandbox*.
            config_file=home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / CONF_NAME,
            applescript_dir=home / "Library" / "Application Scripts" / "com.microsoft.Excel",
        )
    raise ConfigError(NO_EXCEL_MESSAGE.format(name=platform or "未知"))


def config_encoding(platform: str) -> str:
    """The add-in reads its config with VBA `Input #`, i.e. in the ANSI code page on Windows
    (cp936 on a Chinese system, where a user folder may well have a Chinese name)."""
    if platform == WINDOWS:
        try:
            codecs.lookup("mbcs")  # exists on Windows only: the current ANSI code page
            return "mbcs"
        except LookupError:
            return "utf-8"
    return "utf-8"


# ---------------------------------------------------------------- the config file


def _parse_line(line: str) -> tuple[str, str] | None:
    """'"KEY","VALUE"' (VBA Write # format, as xlwings writes it) -> (KEY, VALUE)."""
    line = line.strip()
    if not (line.startswith('"') and line.endswith('"')):
        return None
    key, sep, value = line[1:-1].partition('","')
    return (key, value) if sep else None


def read_config(path: Path, encoding: str = "utf-8") -> dict[str, str]:
    if not path.exists():
        return {}
    values: dict[str, str] = {}
    for line in path.read_text(encoding=encoding, errors="replace").splitlines():
        parsed = _parse_line(line)
        if parsed:
            values[parsed[0]] = parsed[1]
    return values


def update_config(path: Path, set_values: Mapping[str, str], remove: tuple[str, ...] = (),
                  encoding: str = "utf-8") -> None:
    """Set or remove keys, keeping every other line as it was. Removes the file (and its
    folder, when empty) once no line is left."""
    drop = {k.upper() for k in (*set_values, *remove)}
    kept: list[str] = []
    if path.exists():
        for line in path.read_text(encoding=encoding, errors="replace").splitlines():
            parsed = _parse_line(line)
            if line.strip() and not (parsed and parsed[0].upper() in drop):
                kept.append(line)
    for key, value in set_values.items():
        if '"' in value:
            raise ConfigError(f"配置值不能包含英文双引号：{value}")
        kept.append(f'"{key}","{value}"')
    if not kept:
        if path.exists():
            path.unlink()
            try:
                path.parent.rmdir()
            except OSError:
                pass
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = ("\r\n".join(kept) + "\r\n").encode(encoding)
    except UnicodeEncodeError as exc:
        raise ConfigError(
            f"路径中含有系统编码（{encoding}）无法表示的字符：{exc.object[exc.start:exc.end]}。"
            "请把 Python 或项目放到只含中英文和数字的路径下再安装。"
        ) from exc
    path.write_bytes(data)


# ---------------------------------------------------------------- install / remove


def xlwings_applescript() -> Path:
    """The RunPython AppleScript shipped by the installed xlwings (macOS)."""
    import importlib.util

    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise ConfigError("没有安装 xlwings，请先在本 Python 环境中安装 kexie 的依赖。")
    script = Path(spec.origin).parent / f"xlwings-{_required_xlwings()}.applescript"
    if not script.is_file():
        raise ConfigError("xlwings 安装不完整：找不到 RunPython 所需的 AppleScript 文件。")
    return script


def addin_xlwings_version(addin: Path) -> str | None:
    """The xlwings version the add-in's VBA was built from (scripts/build_addin.py records it
    in docProps/core.xml), or None for an add-in that does not say."""
    import re
    import zipfile

    try:
        with zipfile.ZipFile(addin) as z:
            core = z.read("docProps/core.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    m = re.search(r"xlwings ([0-9][0-9A-Za-z.+-]*)</dc:description>", core)
    return m.group(1) if m else None


def installed_xlwings_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xlwings")
    except PackageNotFoundError:
        return None


def _required_xlwings() -> str:
    installed = installed_xlwings_version()
    if installed is None:
        raise ConfigError("没有安装 xlwings，请先在本 Python 环境中安装 kexie 的依赖。")
    return installed


def check_versions(addin_source: Path, installed: str) -> None:
    """The add-in's xlwings VBA must match the Python xlwings it calls (RunPython's arguments,
    and on macOS the AppleScript's file name, carry the version)."""
    built = addin_xlwings_version(addin_source)
    if built is not None and built != installed:
        raise ConfigError(
            f"加载项是按 xlwings {built} 生成的，而本机 Python 中的 xlwings 是 {installed}，两者必须一致。"
            "请在项目目录中运行 python scripts/build_addin.py 重新生成加载项，"
            f"或安装 xlwings {built}（pip install xlwings=={built}），然后再安装。"
        )


def staging_file(target: Path) -> Path:
    """Where ``target`` is written before it replaces the real file: a folder beside the
    target's folder (same volume, so the replace is atomic), never the folder itself — Excel
    opens every file in XLSTART at start-up, a leftover temporary file included."""
    return target.parent.parent / STAGING_DIR / f"{target.name}.tmp"


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = staging_file(target)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except PermissionError as exc:
        raise RefusedError(
            f"无法写入 {target}：文件正被占用。请先完全退出 Excel，再重新运行本命令。"
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
        try:
            tmp.parent.rmdir()
        except OSError:
            pass


def install(loc: AddinLocations, *, addin_source: Path, python: Path, pythonpath: Path,
            applescript: Path | None = None, encoding: str = "utf-8",
            xlwings_version: str | None = None) -> list[str]:
    """Install for one user; returns the Chinese lines to show. Raises KexieError.
    ``xlwings_version``: the Python xlwings the add-in will call, checked against the add-in's."""
    if not addin_source.is_file():
        raise ConfigError(
            f"找不到加载项文件 {addin_source}。kexie 安装不完整，请重新安装 kexie（开发者：运行 python scripts/build_addin.py）。"
        )
    if xlwings_version is not None:
        check_versions(addin_source, xlwings_version)
    lines: list[str] = []
    _copy(addin_source, loc.addin_file)
    lines.append(f"已把加载项复制到 Excel 启动文件夹：{loc.addin_file}")
    update_config(loc.config_file, {loc.interpreter_key: str(python), "PYTHONPATH": str(pythonpath)},
                  encoding=encoding)
    lines.append(f"已写入配置 {loc.config_file}：Python 解释器 {python}")
    if loc.applescript_dir is not None:
        if applescript is None:
            raise ConfigError("macOS 上需要 xlwings 的 AppleScript 文件才能运行按钮。")
        _copy(applescript, loc.applescript_dir / applescript.name)
        lines.append(f"已启用 RunPython（AppleScript）：{loc.applescript_dir / applescript.name}")
    quit_hint = "（Cmd+Q 完全退出）" if loc.platform == MACOS else ""
    lines.append(f"安装完成。请重新启动 Excel{quit_hint}，功能区会出现“科协工作台”选项卡。")
    return lines


def remove(loc: AddinLocations, *, encoding: str = "utf-8") -> list[str]:
    """Remove the add-in and the keys install wrote. The AppleScript stays: other xlwings
    add-ins share it."""
    lines: list[str] = []
    if loc.addin_file.exists():
        try:
            loc.addin_file.unlink()
        except PermissionError as exc:
            raise RefusedError(
                f"无法删除 {loc.addin_file}：文件正被占用。请先完全退出 Excel，再重新运行本命令。"
            ) from exc
        lines.append(f"已从 Excel 启动文件夹删除加载项：{loc.addin_file}")
    else:
        lines.append(f"加载项未安装（{loc.addin_file} 不存在）。")
    if loc.config_file.exists():
        update_config(loc.config_file, {}, remove=(loc.interpreter_key, "PYTHONPATH"),
                      encoding=encoding)
        lines.append(f"已清除配置 {loc.config_file} 中的 kexie 设置。")
    lines.append("卸载完成。重新启动 Excel 后“科协工作台”选项卡不再出现。")
    return lines


# ---------------------------------------------------------------- command line


def add_arguments(parser) -> None:
    """The options of `kexie addin` (a legacy entry of the command registry)."""
    parser.add_argument("action", choices=("install", "remove"), metavar="操作",
                        help="install（安装）或 remove（卸载）")
    parser.add_argument("--file", metavar="文件", help="install：加载项文件（默认：随 kexie 安装的 kexie.xlam）")
    parser.add_argument("--dir", metavar="文件夹", help="Excel 启动文件夹（默认：当前用户的 XLSTART）")


def command(args, *, sys_platform: str = sys.platform, home: Path | None = None,
            env: Mapping[str, str] | None = None):
    """`kexie addin install|remove [--file XLAM] [--dir STARTUP_DIR]`."""
    platform = platform_kind(sys_platform)
    if platform is None:
        raise ConfigError(NO_EXCEL_MESSAGE.format(name=sys_platform))
    startup_dir = getattr(args, "dir", None)
    loc = locations(platform, home or Path.home(), os.environ if env is None else env,
                    startup_dir=Path(startup_dir) if startup_dir else None)
    encoding = config_encoding(platform)
    if args.action == "install":
        addin_file = getattr(args, "file", None)
        lines = install(
            loc, addin_source=Path(addin_file) if addin_file else DEFAULT_ADDIN,
            python=Path(sys.executable), pythonpath=PROJECT_ROOT,
            applescript=xlwings_applescript() if platform == MACOS else None,
            encoding=encoding, xlwings_version=_required_xlwings(),
        )
    elif args.action == "remove":
        lines = remove(loc, encoding=encoding)
    else:
        raise ConfigError(f"未知的 addin 操作：{args.action}（可用：install、remove）")
    data = {"action": args.action, "addin": str(loc.addin_file), "config": str(loc.config_file)}
    return CommandResult(data=data, lines=lines)
