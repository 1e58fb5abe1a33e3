"""Which font families does this PC have? (for ``kexie doctor``)

- Linux/macOS: ``fc-list : family`` (every localised family name, Chinese ones included);
- Windows: the font files of ``%WINDIR%\\Fonts`` and the per-user
  ``%LOCALAPPDATA%\\Microsoft\\Windows\\Fonts``, whose names are read from each file's name
  table (every face of a .ttc, every language: 仿宋 as well as FangSong);
- explicit folders (``kexie doctor --fonts-dir``, or ``KEXIE_FONT_DIRS`` separated by the
  system's path separator) replace both, the same file reader on every OS — this is how the
  tests show what an empty or partial fonts folder gives.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterable, Mapping, Sequence

FONT_SUFFIXES = {".ttf", ".ttc", ".otf", ".otc"}
_FAMILY_NAME_IDS = (1, 4, 16)  # family, full name, typographic family


def font_dirs(platform: str, env: Mapping[str, str]) -> list[Path]:
    """The folders Windows installs fonts into (system-wide and per user)."""
    if not platform.startswith("win"):
        return []
    windir = Path(env.get("WINDIR") or env.get("SystemRoot") or r"C:\Windows")
    dirs = [windir / "Fonts"]
    if env.get("LOCALAPPDATA"):
        dirs.append(Path(env["LOCALAPPDATA"]) / "Microsoft" / "Windows" / "Fonts")
    return dirs


def _decode(platform_id: int, raw: bytes) -> str | None:
    try:
        return raw.decode("utf-16-be") if platform_id in (0, 3) else raw.decode("latin-1")
    except UnicodeDecodeError:
        return None


def families_in_file(path: Path) -> set[str]:
    """Every family name (all faces, all languages) of one font file; empty when unreadable."""
    from matplotlib import ft2font  # noqa: PLC0415 - matplotlib is a dependency (charts)

    names: set[str] = set()
    try:
        faces = ft2font.FT2Font(str(path)).num_faces
        for index in range(faces):
            font = ft2font.FT2Font(str(path), face_index=index) if index else ft2font.FT2Font(str(path))
            names.add(font.family_name)
            for (plat, _enc, _lang, name_id), raw in font.get_sfnt().items():
                if name_id in _FAMILY_NAME_IDS:
                    text = _decode(plat, raw)
                    if text:
                        names.add(text.strip())
    except (OSError, RuntimeError, ValueError, TypeError):
        return set()
    return names


def families_in_dirs(dirs: Iterable[Path]) -> set[str]:
    names: set[str] = set()
    for folder in dirs:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if path.suffix.lower() in FONT_SUFFIXES and path.is_file():
                names |= families_in_file(path)
    return names


def fc_list_families() -> set[str] | None:
    """Families known to fontconfig, or None without fc-list."""
    fc = shutil.which("fc-list")
    if fc is None:
        return None
    try:
        out = subprocess.run([fc, ":", "family"], capture_output=True, text=True, encoding="utf-8",
                             errors="replace", timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


def installed_families(explicit_dirs: Sequence[Path] = (), *, platform: str = sys.platform,
                       env: Mapping[str, str] | None = None) -> tuple[set[str], str]:
    """(family names, where they were looked for — a Chinese phrase for the report)."""
    env = os.environ if env is None else env
    dirs = list(explicit_dirs)
    if not dirs and env.get("KEXIE_FONT_DIRS"):
        dirs = [Path(d) for d in env["KEXIE_FONT_DIRS"].split(os.pathsep) if d]
    if dirs:
        return families_in_dirs(dirs), "、".join(str(d) for d in dirs)
    if platform.startswith("win"):
        win_dirs = font_dirs(platform, env)
        return families_in_dirs(win_dirs), "、".join(str(d) for d in win_dirs)
    found = fc_list_families()
    if found is None:
        return set(), "fontconfig（未找到 fc-list）"
    return found, "fontconfig（fc-list）"
