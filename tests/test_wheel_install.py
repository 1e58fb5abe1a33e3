"""The wheel carries everything the code reads at run time.

Builds the wheel, installs it NON-editably into a fresh virtual environment (no system
site-packages, so nothing of the repository can leak in), and from an unrelated folder runs
``kexie demo`` (every document kind to PDF), ``python -m macros`` and the add-in installation
(the Windows code path, pointed at temporary folders). Slow (about a minute, most of it pip
installing the dependencies from its cache) but required: it is the only test that sees the
package as staff get it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KINDS_PDF = ["红头通知.pdf", "活动情况汇总报告.pdf", "催报通知（合并打印）.pdf", "计策汇编.pdf",
             "考核结果与表彰名单.pdf", "任务分工表.pdf", "指标完成情况.pdf"]

pytestmark = pytest.mark.slow


def _run(cmd, cwd, timeout=300, env=None):
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                       encoding="utf-8", errors="replace", timeout=timeout, env=env)
    return r


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    r = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, ROOT], cwd=out)
    assert r.returncode == 0, r.stderr
    (whl,) = out.glob("kexie-*.whl")
    return whl


def test_wheel_holds_every_runtime_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    package_files = {p.relative_to(ROOT).as_posix() for p in (ROOT / "macros").rglob("*")
                     if p.is_file() and "__pycache__" not in p.parts}
    assert package_files <= names, sorted(package_files - names)
    assert any(n.endswith("licenses/LICENSE") for n in names)


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed (dependencies from pip's cache / the index)."""
    env_dir = tmp_path_factory.mktemp("venv") / "kexie-venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    r = _run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel],
             cwd=env_dir, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    r = _run([python, "-m", "pip", "show", "-f", "kexie"], cwd=env_dir)
    assert "Editable project location" not in r.stdout and "site-packages" in r.stdout
    return bindir


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KEXIE_TEMPLATES")}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def test_installed_wheel_runs_the_demo_from_any_folder(installed, tmp_path, soffice):
    elsewhere = tmp_path / "某个文件夹"
    elsewhere.mkdir()
    kexie = installed / ("kexie.exe" if os.name == "nt" else "kexie")
    r = _run([kexie, "demo", "--out", "示例"], cwd=elsewhere, env=_clean_env())
    assert r.returncode in (0, 1), r.stdout + r.stderr  # 1: the demo's returns carry data problems
    docs = elsewhere / "示例" / "文档"
    for name in KINDS_PDF:
        assert (docs / name).stat().st_size > 1000, name
    r = _run([installed / "python", "-c", "import macros, sys; print(macros.__file__)"],
             cwd=elsewhere, env=_clean_env())
    assert str(ROOT) not in r.stdout and "site-packages" in r.stdout


def test_python_dash_m_macros(installed, tmp_path):
    r = _run([installed / "python", "-m", "macros", "schema", "--markdown"], cwd=tmp_path, env=_clean_env())
    assert r.returncode == 0, r.stderr
    assert "单位名册" in r.stdout


ADDIN_SCRIPT = """
import sys
from argparse import Namespace
from pathlib import Path
from macros import addin_install as ai
home = Path(sys.argv[1])
env = {"APPDATA": str(home / "Roaming"), "USERPROFILE": str(home)}
args = Namespace(action="install", dir=str(home / "XLSTART"), file=None)
result = ai.command(args, sys_platform="win32", home=home, env=env)
print("\\n".join(result.lines))
"""


def test_installed_wheel_installs_the_addin(installed, tmp_path):
    """The Windows path of `kexie addin install --dir`, run on this machine with temporary
    folders: the add-in comes out of the installed package."""
    r = _run([installed / "python", "-c", ADDIN_SCRIPT, tmp_path], cwd=tmp_path, env=_clean_env())
    assert r.returncode == 0, r.stderr
    addin = tmp_path / "XLSTART" / "kexie.xlam"
    assert addin.read_bytes() == (ROOT / "workbook" / "kexie.xlam").read_bytes()
    assert sorted(p.name for p in (tmp_path / "XLSTART").iterdir()) == ["kexie.xlam"]
    conf = (tmp_path / ".kexie" / "kexie.conf").read_text(encoding="utf-8")
    assert "site-packages" in conf and str(ROOT) not in conf
