"""Finding LibreOffice (shared by the PDF converter and kexie doctor), the Windows search walked
with temporary folders and the registry's dict twin; the Word converter's timeout."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from macros.adapters import office_locate as ol
from macros.adapters.pdf import ConversionError, find_soffice
from macros.adapters.word_pdf import run_with_timeout


def _program(folder: Path, name: str = "soffice.exe") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(b"MZ")
    return folder / name


def _no_path(name, path=None):
    return None


def test_windows_registry_install_path_wins(tmp_path):
    program = _program(tmp_path / "D" / "Apps" / "LO" / "program")
    reg = ol.DictRegistry({("HKLM", ol.REGISTRY_KEYS[0][1]): str(program.parent)})
    found = ol.find_soffice(platform="win32", env={"PATH": ""}, which=_no_path, registry=reg, drives=[])
    assert found == program


def test_windows_app_paths_value_is_the_exe_itself(tmp_path):
    program = _program(tmp_path / "LO" / "program")
    reg = ol.DictRegistry({("HKLM", ol.REGISTRY_KEYS[3][1]): f'"{program}"'})
    assert ol.find_soffice(platform="win32", env={}, which=_no_path, registry=reg, drives=[]) == program


def test_windows_program_files_and_other_drives(tmp_path):
    reg = ol.DictRegistry()
    pf = _program(tmp_path / "C" / "Program Files" / "LibreOffice" / "program", "soffice.com")
    env = {"ProgramFiles": str(tmp_path / "C" / "Program Files")}
    assert ol.find_soffice(platform="win32", env=env, which=_no_path, registry=reg, drives=[]) == pf
    other = _program(tmp_path / "E" / "Program Files (x86)" / "LibreOffice" / "program")
    drives = [tmp_path / "D", tmp_path / "E"]
    assert ol.find_soffice(platform="win32", env={}, which=_no_path, registry=reg, drives=drives) == other
    assert ol.find_soffice(platform="win32", env={}, which=_no_path, registry=reg, drives=[]) is None


def test_path_and_override_come_first(tmp_path, monkeypatch):
    program = _program(tmp_path / "bin", "soffice")
    assert ol.find_soffice(platform="linux", env={"KEXIE_SOFFICE": str(program)}) == program
    found = ol.find_soffice(platform="linux", env={"PATH": ""}, which=lambda n, path=None: None)
    assert found is None or found in [Path(p) for p in ol.UNIX_SOFFICE]


def test_the_converter_uses_the_same_finder():
    assert find_soffice() == ol.find_soffice()


def test_word_timeout_stops_and_says_so_in_chinese():
    stop = threading.Event()
    killed = []

    def hung():
        stop.wait(30)  # a Word that hangs until its process is killed
        return "late"

    def kill():
        killed.append(True)
        stop.set()

    start = time.monotonic()
    with pytest.raises(ConversionError) as err:
        run_with_timeout(hung, 0.5, kill, "Microsoft Word ")
    assert killed and time.monotonic() - start < 10
    assert "超时" in err.value.message


def test_word_worker_result_and_errors_pass_through():
    assert run_with_timeout(lambda: [1, 2], 5, lambda: None, "x") == [1, 2]
    with pytest.raises(ZeroDivisionError):
        run_with_timeout(lambda: 1 / 0, 5, lambda: None, "x")
