#!/usr/bin/env python3
"""Build the offline Windows bundle: one zip staff unzip and double-click.

    python scripts/build_bundle.py [--out dist] [--pythons 3.11 3.12 3.13] [--wheelhouse DIR]
    python scripts/build_bundle.py --check dist/wheelhouse    # only check a wheelhouse

The zip holds ``install.cmd``/``uninstall.cmd`` (scripts/bundle/, ASCII + CRLF),
``setup/installer.py`` (the steps, see its docstring), the Chinese guide, the kexie wheel and
``wheels/``: every dependency as a binary wheel for win_amd64 and each CPython version.

Why not just ``pip download --platform win_amd64``: pip evaluates environment markers against
the machine it runs on, so on Linux it silently leaves out what only Windows needs (pywin32 for
xlwings and Word, colorama for tqdm, tzdata for pandas). So every requirement is evaluated here
against the *target's* markers (``target_env``), and after each download the whole dependency
closure is walked through the wheels' own METADATA (``missing``) until nothing is missing for
any Python version. ``--check`` runs only that walk; the tests run it on small wheelhouses.
"""

from __future__ import annotations

import argparse
import email.parser
import json
import subprocess
import sys
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from packaging.requirements import Requirement
from packaging.tags import Tag
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
BUNDLE_SRC = ROOT / "scripts" / "bundle"
GUIDE = ROOT / "docs" / "install-windows.md"
PYTHONS = ("3.11", "3.12", "3.13")
PLATFORM = "win_amd64"


def target_env(python: str) -> dict[str, str]:
    """Environment markers of 64-bit CPython ``python`` on Windows."""
    return {
        "os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
        "platform_machine": "AMD64", "platform_release": "10", "platform_version": "10.0.19045",
        "implementation_name": "cpython", "platform_python_implementation": "CPython",
        "python_version": python, "python_full_version": f"{python}.0",
        "implementation_version": f"{python}.0", "extra": "",
    }


def applies(req: Requirement, python: str, extras: Iterable[str] = ("",)) -> bool:
    if req.marker is None:
        return True
    return any(req.marker.evaluate({**target_env(python), "extra": e}) for e in extras)


def root_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[Requirement]:
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return [Requirement(s) for s in data["project"]["dependencies"]]


def target_tags(python: str) -> set[Tag]:
    """The wheel tags 64-bit CPython ``python`` on Windows accepts."""
    nodot = python.replace(".", "")
    tags = {Tag(f"cp{nodot}", f"cp{nodot}", PLATFORM), Tag(f"cp{nodot}", "abi3", PLATFORM),
            Tag(f"cp{nodot}", "none", PLATFORM), Tag("py3", "none", PLATFORM)}
    for minor in range(2, int(nodot[1:]) + 1):
        tags.add(Tag(f"cp3{minor}", "abi3", PLATFORM))
    for interp in (f"cp{nodot}", f"py{nodot}", "py3", "py30"):
        tags.add(Tag(interp, "none", "any"))
    return tags


@dataclass(frozen=True)
class Wheel:
    name: str
    version: Version
    tags: frozenset[Tag]
    path: Path

    def requires(self) -> list[Requirement]:
        with zipfile.ZipFile(self.path) as z:
            meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
            msg = email.parser.Parser().parsestr(z.read(meta).decode("utf-8"))
        return [Requirement(r) for r in msg.get_all("Requires-Dist") or []]


def index(wheelhouse: Path) -> dict[str, list[Wheel]]:
    found: dict[str, list[Wheel]] = {}
    for path in sorted(wheelhouse.glob("*.whl")):
        name, version, _build, tags = parse_wheel_filename(path.name)
        found.setdefault(canonicalize_name(name), []).append(Wheel(name, version, frozenset(tags), path))
    return found


def best(wheels: dict[str, list[Wheel]], req: Requirement, python: str) -> Wheel | None:
    ok = target_tags(python)
    usable = [w for w in wheels.get(canonicalize_name(req.name), [])
              if w.tags & ok and req.specifier.contains(w.version, prereleases=True)]
    return max(usable, key=lambda w: w.version, default=None)


def missing(wheelhouse: Path, roots: Sequence[Requirement], python: str) -> list[str]:
    """Requirements of the closure of ``roots`` (markers of Windows + ``python``) that no wheel
    in ``wheelhouse`` satisfies, as requirement strings without markers."""
    wheels = index(wheelhouse)
    todo = [(r, ("",)) for r in roots]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    lacking: list[str] = []
    while todo:
        req, extras = todo.pop()
        if not applies(req, python, extras):
            continue
        key = (canonicalize_name(req.name), tuple(sorted(req.extras)))
        if key in seen:
            continue
        seen.add(key)
        wheel = best(wheels, req, python)
        if wheel is None:
            lacking.append(f"{req.name}{req.specifier}")
            continue
        todo += [(sub, ("", *req.extras)) for sub in wheel.requires()]
    return sorted(set(lacking))


def download_command(wheelhouse: Path, requirements: Sequence[str], python: str) -> list[str]:
    return [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
            "--dest", str(wheelhouse), "--platform", PLATFORM, "--python-version", python,
            "--implementation", "cp", "--only-binary=:all:", *requirements]


def fill_wheelhouse(wheelhouse: Path, roots: Sequence[Requirement], pythons: Sequence[str],
                    run: Callable[[list[str]], int] = lambda argv: subprocess.call(argv),
                    rounds: int = 5) -> dict[str, list[str]]:
    """Download until the closure is complete for every Python; returns what is still missing."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    left: dict[str, list[str]] = {}
    for python in pythons:
        # Markers evaluated for the target, then dropped: pip would evaluate them for this host.
        wanted = [f"{r.name}{'[' + ','.join(sorted(r.extras)) + ']' if r.extras else ''}{r.specifier}"
                  for r in roots if applies(r, python)]
        for _ in range(rounds):
            need = missing(wheelhouse, roots, python)
            if not need:
                break
            if run(download_command(wheelhouse, wanted if _ == 0 else need, python)) != 0:
                raise SystemExit(f"pip download failed for Python {python}")
        left[python] = missing(wheelhouse, roots, python)
    return left


def build_wheel(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
                   check=True)
    return max(out.glob("kexie-*.whl"), key=lambda p: p.stat().st_mtime)


def write_zip(zip_path: Path, kexie_wheel: Path, wheelhouse: Path, pythons: Sequence[str]) -> Path:
    top = zip_path.stem
    manifest = {"kexie": kexie_wheel.name, "pythons": list(pythons), "platform": PLATFORM,
                "wheels": sorted(p.name for p in wheelhouse.glob("*.whl"))}
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ("install.cmd", "uninstall.cmd"):
            data = (BUNDLE_SRC / name).read_bytes()
            z.writestr(f"{top}/{name}", data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        z.write(BUNDLE_SRC / "installer.py", f"{top}/setup/installer.py")
        z.write(BUNDLE_SRC / "no-python.txt", f"{top}/setup/no-python.txt")
        z.writestr(f"{top}/setup/manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        if GUIDE.is_file():  # Notepad-friendly copy of the guide (UTF-8 with BOM, CRLF)
            text = GUIDE.read_text(encoding="utf-8").replace("\n", "\r\n")
            z.writestr(f"{top}/安装说明.txt", "\ufeff" + text)
        z.write(kexie_wheel, f"{top}/wheels/{kexie_wheel.name}")
        for wheel in sorted(wheelhouse.glob("*.whl")):
            if wheel.name != kexie_wheel.name:
                z.write(wheel, f"{top}/wheels/{wheel.name}")
    return zip_path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--pythons", nargs="+", default=list(PYTHONS))
    parser.add_argument("--wheelhouse", type=Path, help="reuse this download folder (default: OUT/wheelhouse)")
    parser.add_argument("--check", type=Path, metavar="WHEELHOUSE", help="only check a wheelhouse")
    args = parser.parse_args(argv)
    roots = root_requirements()
    if args.check:
        gaps = {py: missing(args.check, roots, py) for py in args.pythons}
        for py, need in gaps.items():
            print(f"Python {py}: {'complete' if not need else 'MISSING ' + ', '.join(need)}")
        return 1 if any(gaps.values()) else 0
    start = time.monotonic()
    wheelhouse = args.wheelhouse or args.out / "wheelhouse"
    left = fill_wheelhouse(wheelhouse, roots, args.pythons)
    if any(left.values()):
        print(f"incomplete wheelhouse: {left}", file=sys.stderr)
        return 1
    kexie = build_wheel(args.out)
    version = parse_wheel_filename(kexie.name)[1]
    zip_path = write_zip(args.out / f"kexie-{version}-windows-x64.zip", kexie, wheelhouse, args.pythons)
    n = len(list(wheelhouse.glob("*.whl")))
    print(f"{zip_path}: {n} dependency wheels for Python {', '.join(args.pythons)}, "
          f"{zip_path.stat().st_size / 1e6:.1f} MB, {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
