"""Where is LibreOffice? One finder shared by the PDF converter and ``kexie doctor``.

Looked for, in order: ``KEXIE_SOFFICE``; ``soffice``/``libreoffice`` on PATH; on Windows the
installer's registry keys (``HKLM``/``HKCU\\SOFTWARE\\LibreOffice\\UNO\\InstallPath``, also
under ``WOW6432Node``, and ``App Paths\\soffice.exe``), then ``%ProgramFiles%``,
``%ProgramW6432%``, ``%ProgramFiles(x86)%`` and ``Program Files``/``Program Files (x86)`` on
every other drive; on macOS the application bundles; elsewhere the usual Unix paths.

The registry sits behind :class:`Registry` (``winreg`` on Windows, a dict on other systems),
and the platform, environment, PATH lookup and drive list are parameters, so the tests walk the
Windows search on Linux with temporary folders.
"""

from __future__ import annotations

import os
import shutil
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Callable, Mapping, Protocol, Sequence

WINDOWS_PROGRAMS = ("soffice.com", "soffice.exe")  # soffice.com waits and keeps stdout
REGISTRY_KEYS = (
    ("HKLM", r"SOFTWARE\LibreOffice\UNO\InstallPath"),
    ("HKLM", r"SOFTWARE\WOW6432Node\LibreOffice\UNO\InstallPath"),
    ("HKCU", r"SOFTWARE\LibreOffice\UNO\InstallPath"),
    ("HKLM", r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\soffice.exe"),
)
PROGRAM_FOLDERS = ("Program Files", "Program Files (x86)")
MAC_SOFFICE = (
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    "~/Applications/LibreOffice.app/Contents/MacOS/soffice",
)
UNIX_SOFFICE = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/snap/bin/libreoffice",
)


class Registry(Protocol):
    def default_value(self, hive: str, key: str) -> str | None:
        """The default (unnamed) value of ``hive\\key``, or None."""
        ...


class WindowsRegistry:
    """The real registry (``winreg``, Windows only)."""

    def default_value(self, hive: str, key: str) -> str | None:
        import winreg  # noqa: PLC0415

        root = {"HKLM": winreg.HKEY_LOCAL_MACHINE, "HKCU": winreg.HKEY_CURRENT_USER}[hive]
        try:
            with winreg.OpenKey(root, key) as handle:
                value, _ = winreg.QueryValueEx(handle, "")
        except OSError:
            return None
        return str(value) if value else None


@dataclass
class DictRegistry:
    """The registry's Linux twin: ``{(hive, key): default value}``."""

    values: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def default_value(self, hive: str, key: str) -> str | None:
        return self.values.get((hive, key))


def windows_drives() -> list[Path]:
    """The drive roots of this Windows machine (C:\\ … Z:\\ that exist)."""
    if hasattr(os, "listdrives"):  # Python 3.12+
        return [Path(d) for d in os.listdrives()]
    return [Path(f"{letter}:\\") for letter in string.ascii_uppercase if Path(f"{letter}:\\").exists()]


def _program_dir(value: str) -> Path:
    """A registry value is the program folder (UNO\\InstallPath) or soffice.exe itself (App
    Paths); either way, the folder that holds soffice."""
    path = Path(value.strip('"'))
    if PureWindowsPath(value.strip('"')).suffix.lower() == ".exe":
        return path.parent
    return path


def windows_candidates(env: Mapping[str, str], registry: Registry,
                       drives: Sequence[Path]) -> list[Path]:
    folders: list[Path] = []
    for hive, key in REGISTRY_KEYS:
        value = registry.default_value(hive, key)
        if value:
            folders.append(_program_dir(value))
    for var in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"):
        if env.get(var):
            folders.append(Path(env[var]) / "LibreOffice" / "program")
    for drive in drives:
        folders += [drive / pf / "LibreOffice" / "program" for pf in PROGRAM_FOLDERS]
        folders.append(drive / "LibreOffice" / "program")
    return [folder / name for folder in folders for name in WINDOWS_PROGRAMS]


def candidates(platform: str, env: Mapping[str, str], registry: Registry | None = None,
               drives: Sequence[Path] | None = None) -> list[Path]:
    """Every place LibreOffice may be, best first (PATH aside)."""
    if platform.startswith("win"):
        return windows_candidates(env, registry or WindowsRegistry(),
                                  windows_drives() if drives is None else drives)
    if platform == "darwin":
        return [Path(p).expanduser() for p in MAC_SOFFICE]
    return [Path(p) for p in UNIX_SOFFICE]


def find_soffice(*, platform: str = sys.platform, env: Mapping[str, str] | None = None,
                 which: Callable[..., str | None] = shutil.which, registry: Registry | None = None,
                 drives: Sequence[Path] | None = None) -> Path | None:
    """The LibreOffice program to run, or None when it is not installed."""
    env = os.environ if env is None else env
    override = env.get("KEXIE_SOFFICE")
    if override and Path(override).is_file():
        return Path(override)
    for name in ("soffice", "libreoffice"):
        found = which(name, path=env.get("PATH")) if "PATH" in env else which(name)
        if found:
            return Path(found)
    for cand in candidates(platform, env, registry, drives):
        if cand.is_file():
            return cand
    return None
