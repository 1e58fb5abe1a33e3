"""Shared fixtures: real files in tmp_path, and LibreOffice when a test needs it.

The tests' helper modules (consolidate_kit, simulated_xlwings, tally_rows) are imported by
name from this folder, which is put on sys.path here, so the suite runs the same under
``--import-mode=importlib`` and from any working directory. Under ``CI=true`` Hypothesis uses
the "ci" profile: no deadline (a shared runner is slow at times) and derandomised (two runs of a
commit test the same examples).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock
from hypothesis import settings

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

from required_tool import in_ci, required  # noqa: E402  (found through TESTS_DIR)

settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
if in_ci():
    settings.load_profile("ci")

SEEDS = Path(__file__).resolve().parent / "seeds"  # the five seed documents, see seeds/README.md


def _find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of LibreOffice's soffice. Under CI=true a missing LibreOffice fails the test."""
    return required(_find_soffice(), "LibreOffice (soffice)")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    assert SEEDS.is_dir() and len(list(SEEDS.glob("*.txt"))) == 5, "tests/seeds/ is incomplete"
    return SEEDS


@pytest.fixture(scope="session")
def demo_master_template(tmp_path_factory) -> Path:
    """A demo campaign workbook built once per session; copy it before modifying."""
    from macros.app.new import new_campaign
    from macros.demo.campaign import demo_campaign

    path = tmp_path_factory.mktemp("demo") / "master.xlsx"
    return new_campaign(path, data=demo_campaign())


@pytest.fixture
def demo_master(demo_master_template, tmp_path) -> Path:
    """A fresh copy of the demo campaign workbook in this test's tmp_path."""
    dest = tmp_path / "活动工作簿.xlsx"
    shutil.copy2(demo_master_template, dest)
    return dest


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> dict:
    """``kexie demo --out DIR`` run once for the whole session — shared by the xdist workers
    through a lock file in their common base folder — for tests that only read what it made:
    ``{"out": DIR, "returncode": …, "stdout": …, "stderr": …}``. Copy before changing a file."""
    shared = tmp_path_factory.getbasetemp().parent  # the same for every xdist worker of a run
    out, record = shared / "demo-run" / "demo", shared / "demo-run" / "result.json"
    with FileLock(str(shared / "demo-run.lock")):
        if not record.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
            kexie = Path(sys.executable).with_name("kexie")
            command = [str(kexie)] if kexie.exists() else [sys.executable, "-m", "macros.cli"]
            r = subprocess.run([*command, "demo", "--out", str(out)], capture_output=True, text=True,
                               encoding="utf-8", timeout=600)
            record.write_text(json.dumps({"returncode": r.returncode, "stdout": r.stdout, "stderr": r.stderr},
                                         ensure_ascii=False), encoding="utf-8")
    return {"out": out, **json.loads(record.read_text(encoding="utf-8"))}


@pytest.fixture(scope="session")
def issued(tmp_path_factory):
    """A campaign with its forms issued by ``kexie forms`` (consolidate_kit.issue), built once;
    read it, never change it — ``camp`` is a test's own copy."""
    from consolidate_kit import issue

    return issue(tmp_path_factory.mktemp("issued"))


@pytest.fixture
def camp(issued, tmp_path):
    """This test's own copy of the issued campaign, with an empty inbox (consolidate_kit.Camp)."""
    from consolidate_kit import copy_camp

    return copy_camp(issued, tmp_path / "campaign")
