"""`kexie addin install|remove`: path logic for Windows and macOS exercised on any OS with
temporary directories (the platform is a parameter, nothing is mocked)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from macros import addin_install as ai
from macros import resources
from macros.cli import build_parser
from macros.errors import ConfigError


@pytest.fixture()
def addin_file(tmp_path) -> Path:
    f = tmp_path / "src" / "kexie.xlam"
    f.parent.mkdir()
    f.write_bytes(b"PK fake add-in")
    return f


def _args(*argv: str) -> argparse.Namespace:
    """Parsed exactly as `kexie addin ...` parses them."""
    return build_parser().parse_args(["addin", *argv])


def test_platform_kind():
    assert ai.platform_kind("win32") == ai.WINDOWS
    assert ai.platform_kind("darwin") == ai.MACOS
    assert ai.platform_kind("linux") is None


def test_windows_locations(tmp_path):
    env = {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path / "me")}
    loc = ai.locations(ai.WINDOWS, tmp_path / "ignored", env)
    assert loc.startup_dir == tmp_path / "Roaming" / "Microsoft" / "Excel" / "XLSTART"
    assert loc.addin_file == loc.startup_dir / "kexie.xlam"
    assert loc.config_file == tmp_path / "me" / ".kexie" / "kexie.conf"
    assert loc.interpreter_key == "INTERPRETER_WIN"
    assert loc.applescript_dir is None
    # Without the variables, fall back on the home folder.
    loc = ai.locations(ai.WINDOWS, tmp_path, {})
    assert loc.startup_dir == tmp_path / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART"
    assert loc.config_file == tmp_path / ".kexie" / "kexie.conf"


def test_macos_locations(tmp_path):
    loc = ai.locations(ai.MACOS, tmp_path, {})
    assert loc.startup_dir == (tmp_path / "Library" / "Group Containers" / "UBF8T346G9.Office"
                               / "User Content.localized" / "Startup.localized" / "Excel")
    assert loc.config_file == (tmp_path / "Library" / "Containers" / "com.microsoft.Excel"
                               / "Data" / "kexie.conf")
    assert loc.applescript_dir == tmp_path / "Library" / "Application Scripts" / "com.microsoft.Excel"
    assert loc.interpreter_key == "INTERPRETER_MAC"


def test_custom_startup_dir(tmp_path):
    loc = ai.locations(ai.WINDOWS, tmp_path, {}, startup_dir=tmp_path / "alt")
    assert loc.addin_file == tmp_path / "alt" / "kexie.xlam"


def test_install_and_remove_windows(tmp_path, addin_file):
    loc = ai.locations(ai.WINDOWS, tmp_path, {"APPDATA": str(tmp_path / "Roaming"),
                                              "USERPROFILE": str(tmp_path)})
    # A config the user already had keeps its other settings.
    loc.config_file.parent.mkdir(parents=True)
    loc.config_file.write_text('"SHOW CONSOLE","True"\r\n"INTERPRETER_WIN","C:\\old\\python.exe"\r\n')
    python = Path("C:/Python311/python.exe")
    lines = ai.install(loc, addin_source=addin_file, python=python, pythonpath=tmp_path / "proj")
    assert loc.addin_file.read_bytes() == addin_file.read_bytes()
    assert ai.read_config(loc.config_file) == {
        "SHOW CONSOLE": "True", "INTERPRETER_WIN": str(python), "PYTHONPATH": str(tmp_path / "proj"),
    }
    assert b"\r\n" in loc.config_file.read_bytes()  # VBA Input # format, one pair per line
    assert any("重新启动 Excel" in line for line in lines)
    # Installing again (an update) replaces the add-in and keeps one line per key.
    addin_file.write_bytes(b"PK newer add-in")
    ai.install(loc, addin_source=addin_file, python=python, pythonpath=tmp_path / "proj")
    assert loc.addin_file.read_bytes() == b"PK newer add-in"
    assert loc.config_file.read_text().count("INTERPRETER_WIN") == 1

    ai.remove(loc)
    assert not loc.addin_file.exists()
    assert ai.read_config(loc.config_file) == {"SHOW CONSOLE": "True"}


def test_remove_cleans_up_our_config_file(tmp_path, addin_file):
    loc = ai.locations(ai.WINDOWS, tmp_path, {})
    ai.install(loc, addin_source=addin_file, python=Path("py.exe"), pythonpath=tmp_path)
    ai.remove(loc)
    assert not loc.config_file.exists()
    assert not loc.config_file.parent.exists()  # the .kexie folder we created
    lines = ai.remove(loc)  # nothing installed: says so, no error
    assert any("未安装" in line for line in lines)


def test_install_macos_copies_applescript(tmp_path, addin_file):
    loc = ai.locations(ai.MACOS, tmp_path, {})
    script = tmp_path / "xlwings-9.9.9.applescript"
    script.write_text("on VbaHandler(ParameterString)\nend VbaHandler\n")
    ai.install(loc, addin_source=addin_file, python=Path("/usr/bin/python3"),
               pythonpath=tmp_path, applescript=script)
    assert loc.addin_file.exists()
    assert (loc.applescript_dir / script.name).read_text() == script.read_text()
    assert ai.read_config(loc.config_file)["INTERPRETER_MAC"] == "/usr/bin/python3"
    ai.remove(loc)
    assert not loc.addin_file.exists()
    assert (loc.applescript_dir / script.name).exists()  # shared with other xlwings add-ins


def test_install_without_built_addin_says_how_to_build(tmp_path):
    loc = ai.locations(ai.WINDOWS, tmp_path, {})
    with pytest.raises(ConfigError) as err:
        ai.install(loc, addin_source=tmp_path / "missing.xlam", python=Path("p"), pythonpath=tmp_path)
    assert err.value.exit_code == 2
    assert "build_addin.py" in err.value.message


def test_config_path_not_representable(tmp_path):
    with pytest.raises(ConfigError) as err:
        ai.update_config(tmp_path / "k.conf", {"PYTHONPATH": "C:\\用户\\张三"}, encoding="cp1252")
    assert "编码" in err.value.message


def test_command_on_linux_explains(tmp_path, addin_file):
    with pytest.raises(ConfigError) as err:
        ai.command(_args("install", "--file", str(addin_file)), sys_platform="linux",
                   home=tmp_path, env={})
    assert err.value.exit_code == 2 and "没有 Microsoft Excel" in err.value.message
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "src", "src/kexie.xlam"]  # nothing written


def test_command_install_and_remove_for_windows_user(tmp_path, addin_file):
    env = {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path)}
    result = ai.command(_args("install", "--file", str(addin_file)), sys_platform="win32",
                        home=tmp_path, env=env)
    assert result.exit_code == 0 and any("安装完成" in line for line in result.lines)
    loc = ai.locations(ai.WINDOWS, tmp_path, env)
    assert loc.addin_file.read_bytes() == addin_file.read_bytes()
    config = ai.read_config(loc.config_file, ai.config_encoding(ai.WINDOWS))
    assert config["INTERPRETER_WIN"] == sys.executable
    assert Path(config["PYTHONPATH"]) == ai.PROJECT_ROOT
    assert (Path(config["PYTHONPATH"]) / "macros" / "__init__.py").is_file()
    ai.command(_args("remove"), sys_platform="win32", home=tmp_path, env=env)
    assert not loc.addin_file.exists()


def test_command_install_to_custom_dir_on_macos(tmp_path, addin_file):
    result = ai.command(_args("install", "--file", str(addin_file), "--dir", str(tmp_path / "start")),
                        sys_platform="darwin", home=tmp_path, env={})
    assert (tmp_path / "start" / "kexie.xlam").exists()
    assert result.data["addin"] == str(tmp_path / "start" / "kexie.xlam")
    scripts = tmp_path / "Library" / "Application Scripts" / "com.microsoft.Excel"
    assert [p.name for p in scripts.iterdir()] == [ai.xlwings_applescript().name]


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="checks the no-Excel path of Linux")
def test_kexie_addin_install_on_linux_exits_2_in_chinese():
    r = subprocess.run([sys.executable, "-m", "macros.cli", "addin", "install"],
                       capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert r.returncode == 2
    assert "没有 Microsoft Excel" in r.stderr and "kexie validate" in r.stderr


def test_default_addin_is_the_committed_build():
    assert ai.DEFAULT_ADDIN == resources.addin_file()
    assert ai.DEFAULT_ADDIN.resolve() == (Path(__file__).resolve().parents[1] / "workbook" / "kexie.xlam").resolve()
    assert ai.DEFAULT_ADDIN.is_file()


def test_install_refuses_an_addin_built_for_another_xlwings(tmp_path):
    import zipfile

    addin = tmp_path / "kexie.xlam"
    with zipfile.ZipFile(addin, "w") as z:
        z.writestr("docProps/core.xml", "<x><dc:description>kexie add-in; xlwings 0.30.1</dc:description></x>")
    assert ai.addin_xlwings_version(addin) == "0.30.1"
    loc = ai.locations(ai.WINDOWS, tmp_path, {})
    with pytest.raises(ConfigError) as err:
        ai.install(loc, addin_source=addin, python=Path("p"), pythonpath=tmp_path, xlwings_version="0.37.8")
    assert "0.30.1" in err.value.message and "build_addin.py" in err.value.message
    assert not loc.addin_file.exists()
    ai.install(loc, addin_source=addin, python=Path("p"), pythonpath=tmp_path, xlwings_version="0.30.1")
    assert loc.addin_file.exists()


def test_committed_addin_matches_installed_xlwings():
    assert ai.addin_xlwings_version(ai.DEFAULT_ADDIN) == ai.installed_xlwings_version()


def test_install_stages_its_temporary_file_outside_xlstart(tmp_path, addin_file, monkeypatch):
    """Excel opens every file in XLSTART at start-up: a leftover temporary copy there would be
    opened too. The copy is staged beside the folder and cleaned up, also when it fails."""
    loc = ai.locations(ai.WINDOWS, tmp_path, {}, startup_dir=tmp_path / "Excel" / "XLSTART")
    staged = ai.staging_file(loc.addin_file)
    assert staged.parent.parent == loc.startup_dir.parent and loc.startup_dir not in staged.parents
    seen = []
    real_replace = ai.os.replace

    def watching_replace(src, dst):
        seen.append((Path(src), sorted(p.name for p in loc.startup_dir.iterdir())))
        return real_replace(src, dst)

    monkeypatch.setattr(ai.os, "replace", watching_replace)
    ai.install(loc, addin_source=addin_file, python=Path("py.exe"), pythonpath=tmp_path)
    assert seen[0][0] == staged and seen[0][1] == []  # nothing but the final file ever in XLSTART
    assert sorted(p.name for p in loc.startup_dir.iterdir()) == ["kexie.xlam"]
    assert not staged.parent.exists()

    def locked(src, dst):
        raise PermissionError(13, "in use")

    monkeypatch.setattr(ai.os, "replace", locked)
    with pytest.raises(ai.RefusedError):
        ai.install(loc, addin_source=addin_file, python=Path("py.exe"), pythonpath=tmp_path)
    assert sorted(p.name for p in loc.startup_dir.iterdir()) == ["kexie.xlam"]
    assert not staged.parent.exists()
