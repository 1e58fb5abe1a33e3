"""The offline Windows bundle (scripts/build_bundle.py + scripts/bundle/): the wheelhouse
resolver evaluated for Windows, the .cmd files, and installer.py's steps run under a simulated
layout on this machine. The full build (pip download for three Python versions) is run by the
script itself, not here; what only Windows can show is in docs/install-windows.md."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import sys
import zipfile
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "scripts" / "bundle"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bb = _load("build_bundle", ROOT / "scripts" / "build_bundle.py")
installer = _load("kexie_installer", BUNDLE / "installer.py")


def _wheel(folder: Path, filename: str, requires: list[str] = ()) -> Path:
    """A real (tiny) wheel file with its METADATA."""
    name, version = filename.split("-")[:2]
    path = folder / filename
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{name}-{version}.dist-info/METADATA", meta)
    return path


# ---------------------------------------------------------------- resolver


def test_markers_are_evaluated_for_windows_not_for_this_host():
    roots = bb.root_requirements()
    names = {r.name.lower() for r in roots if bb.applies(r, "3.12")}
    assert {"pywin32", "xlwings", "numpy", "jinja2"} <= names
    tqdm = Requirement('colorama; platform_system == "Windows"')
    assert bb.applies(tqdm, "3.11") and not tqdm.marker.evaluate()  # what pip would do on Linux
    assert not bb.applies(Requirement("appscript; platform_system == 'Darwin'"), "3.13")


def test_closure_finds_windows_only_and_per_version_gaps(tmp_path):
    _wheel(tmp_path, "app-1.0-py3-none-any.whl",
           ['helper>=2', 'winonly; platform_system == "Windows"', 'maconly; sys_platform == "darwin"',
            'tests-only; extra == "test"', 'old; python_version < "3.11"'])
    _wheel(tmp_path, "helper-2.1-cp312-cp312-win_amd64.whl", ["shared[fast]"])
    _wheel(tmp_path, "helper-2.1-cp313-cp313-win_amd64.whl", ["shared[fast]"])
    _wheel(tmp_path, "helper-2.1-cp311-cp311-manylinux_2_17_x86_64.whl", ["shared[fast]"])
    _wheel(tmp_path, "shared-1.0-py3-none-any.whl", ['speedup; extra == "fast"'])
    _wheel(tmp_path, "speedup-1.0-cp39-abi3-win_amd64.whl")
    roots = [Requirement("app")]
    assert bb.missing(tmp_path, roots, "3.12") == ["winonly"]
    assert bb.missing(tmp_path, roots, "3.11") == ["helper>=2", "winonly"]  # Linux wheel only
    _wheel(tmp_path, "winonly-306-cp313-cp313-win_amd64.whl")
    assert bb.missing(tmp_path, roots, "3.13") == []
    assert bb.missing(tmp_path, [Requirement("app>=2")], "3.13") == ["app>=2"]


def test_fill_downloads_until_complete(tmp_path):
    """The download loop with a stand-in for pip that 'downloads' by writing wheels."""
    calls = []

    def fake_pip(argv):
        calls.append(argv)
        py = argv[argv.index("--python-version") + 1].replace(".", "")
        reqs = argv[argv.index("--only-binary=:all:") + 1:]
        for r in reqs:
            name = Requirement(r).name
            if name == "app":
                _wheel(tmp_path, "app-1.0-py3-none-any.whl", ['winonly; platform_system == "Windows"'])
            else:
                _wheel(tmp_path, f"{name}-1.0-cp{py}-cp{py}-win_amd64.whl")
        return 0

    left = bb.fill_wheelhouse(tmp_path, [Requirement("app"), Requirement("pywin32; sys_platform == 'win32'")],
                              ["3.11", "3.12"], run=fake_pip)
    assert left == {"3.11": [], "3.12": []}
    first = calls[0]
    assert first[first.index("--platform") + 1] == "win_amd64" and "--only-binary=:all:" in first
    assert first[first.index("--implementation") + 1] == "cp"
    assert "pywin32" in first  # marker evaluated for Windows and dropped before pip sees it
    assert any("winonly" in c for c in calls)  # the closure walk asked for the Windows-only dep


# ---------------------------------------------------------------- the .cmd files


@pytest.mark.parametrize("name", ["install.cmd", "uninstall.cmd"])
def test_cmd_files_are_ascii_with_crlf(name):
    data = (BUNDLE / name).read_bytes()
    data.decode("ascii")
    assert data.count(b"\r\n") == data.count(b"\n") > 5
    assert b"exit /b" in data and b"pause" in data


def test_install_cmd_steps():
    text = (BUNDLE / "install.cmd").read_text(encoding="ascii")
    for version in ("3.13", "3.12", "3.11"):
        assert version in text
    assert "py -%%V-64" in text and "struct.calcsize('P') == 8" in text  # 64-bit Python only
    assert re.search(r'%KEXIE_PY% "%~dp0setup\\installer.py" install --bundle "%~dp0\."', text)
    assert "Get-Content -Encoding UTF8 -LiteralPath $env:KEXIE_MSG" in text
    assert (BUNDLE / "no-python.txt").read_bytes().startswith(b"\xef\xbb\xbf")  # PowerShell 5.1 reads it as UTF-8
    assert "python.org" in (BUNDLE / "no-python.txt").read_text(encoding="utf-8-sig")
    uninstall = (BUNDLE / "uninstall.cmd").read_text(encoding="ascii")
    assert "%LOCALAPPDATA%\\kexie\\venv\\Scripts\\python.exe" in uninstall and " uninstall " in uninstall


def test_zip_layout(tmp_path):
    house = tmp_path / "house"
    house.mkdir()
    _wheel(house, "dep-1.0-py3-none-any.whl")
    kexie = _wheel(tmp_path, "kexie-0.1.0-py3-none-any.whl")
    out = bb.write_zip(tmp_path / "kexie-0.1.0-windows-x64.zip", kexie, house, bb.PYTHONS)
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        top = "kexie-0.1.0-windows-x64/"
        assert {top + n for n in ("install.cmd", "uninstall.cmd", "setup/installer.py", "setup/no-python.txt",
                                  "setup/manifest.json", "wheels/kexie-0.1.0-py3-none-any.whl",
                                  "wheels/dep-1.0-py3-none-any.whl", "安装说明.txt")} <= names
        assert z.read(top + "install.cmd").count(b"\r\n") > 5
        manifest = json.loads(z.read(top + "setup/manifest.json"))
        assert manifest["pythons"] == ["3.11", "3.12", "3.13"] and manifest["platform"] == "win_amd64"
        assert z.read(top + "安装说明.txt").startswith(b"\xef\xbb\xbf")


# ---------------------------------------------------------------- installer.py, simulated


def test_excel_detection_from_tasklist_output():
    assert installer.excel_in_tasklist('\r\nEXCEL.EXE                    12345 Console    1    98,765 K\r\n')
    assert not installer.excel_in_tasklist("信息: 没有运行的任务匹配指定标准。\r\n")
    assert not installer.excel_in_tasklist("INFO: No tasks are running which match the specified criteria.")


@pytest.fixture
def layout(tmp_path):
    bundle = tmp_path / "解压" / "kexie-0.1.0-windows-x64"
    (bundle / "wheels").mkdir(parents=True)
    _wheel(bundle / "wheels", "kexie-0.1.0-py3-none-any.whl")
    env = {"LOCALAPPDATA": str(tmp_path / "张三" / "Local"), "APPDATA": str(tmp_path / "张三" / "Roaming")}
    return installer.Layout.from_env(bundle, env, windows=False)


def test_layout_is_per_user(layout, tmp_path):
    assert layout.home == tmp_path / "张三" / "Local" / "kexie"
    assert layout.shortcut == (tmp_path / "张三" / "Roaming" / "Microsoft" / "Windows" / "Start Menu"
                               / "Programs" / "科协工作台.lnk")
    win = installer.Layout.from_env(layout.bundle, {"LOCALAPPDATA": "L"}, windows=True)
    assert win.python == Path("L") / "kexie" / "venv" / "Scripts" / "python.exe"


def test_install_steps_under_a_simulated_layout(layout):
    calls = []

    def runner(argv, env):
        calls.append((list(map(str, argv)), env))
        if "venv" in argv:  # the venv is really created
            import subprocess

            return subprocess.call([*map(str, argv), "--without-pip"])
        return 0

    out = io.StringIO()
    with redirect_stdout(out):
        assert installer.install(layout, runner, excel=lambda: False) == 0
    argvs = [c[0] for c in calls]
    assert argvs[0][1:] == ["-m", "venv", str(layout.venv)] and layout.python.exists()
    pip = argvs[1]
    assert pip[:4] == [str(layout.python), "-m", "pip", "install"]
    assert "--no-index" in pip and pip[pip.index("--find-links") + 1] == str(layout.wheels)
    assert pip[-1].endswith("kexie-0.1.0-py3-none-any.whl")
    assert argvs[2] == [str(layout.python), "-m", "macros", "addin", "install"]
    assert argvs[3][0] == "powershell" and "WScript.Shell" in argvs[3][-1]
    env = calls[3][1]
    assert env["KEXIE_LNK"] == str(layout.shortcut) and env["KEXIE_CONSOLE"] == str(layout.console)
    assert argvs[4] == [str(layout.python), "-m", "macros", "doctor"]
    console = layout.console.read_bytes()
    console.decode("ascii")  # a Chinese user name never reaches the .cmd: it uses %~dp0
    assert console.count(b"\r\n") == console.count(b"\n")
    assert b'set "PATH=%~dp0venv\\Scripts;%PATH%"' in console
    assert json.loads((layout.home / "install.json").read_text(encoding="utf-8"))["addin"] is True
    assert "安装完成" in out.getvalue()


def test_install_refuses_while_excel_runs(layout):
    out = io.StringIO()
    with redirect_stdout(out):
        assert installer.install(layout, lambda a, e: 0, excel=lambda: True) == 3
    assert "Excel 正在运行" in out.getvalue() and not layout.home.exists()


def test_uninstall_removes_what_install_made(layout):
    layout.home.mkdir(parents=True)
    layout.console.write_text("x")
    layout.start_menu.mkdir(parents=True)
    layout.shortcut.write_bytes(b"lnk")
    with redirect_stdout(io.StringIO()):
        assert installer.uninstall(layout, lambda a, e: 0, excel=lambda: True) == 3
        assert layout.shortcut.exists()
        assert installer.uninstall(layout, lambda a, e: 0, excel=lambda: False) == 0
    assert not layout.home.exists() and not layout.shortcut.exists()
