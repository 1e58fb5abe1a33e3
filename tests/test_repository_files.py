"""The repository stands alone: docs name only its own files, carry no machine paths and cite
no internal spec; tests read only files in the repository; run-time files live in one place."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", ROOT / "templates" / "README.md", ROOT / "tests" / "seeds" / "README.md",
               *(ROOT / "docs").glob("*.md")])
MACHINE_PATH = re.compile(r"(?<![\w.%~$-])/(?:work|home|root|tmp|Users|mnt|srv|opt)/[^\s`)]+")
REPO_PATH = re.compile(r"`((?:macros|scripts|docs|templates|workbook|tests)/[^`\s]*)`")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_docs_have_no_machine_paths_and_no_spec_citations(doc):
    text = doc.read_text(encoding="utf-8")
    assert not MACHINE_PATH.findall(text)
    assert not re.search(r"\bSPEC\b", text)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_docs_name_only_files_of_the_repository(doc):
    text = doc.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if "://" in target:
            continue
        assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"
    for path in REPO_PATH.findall(text):
        path = path.rstrip("/.,;:")
        pattern = path.split(" ")[0]
        if any(ch in pattern for ch in "*?"):
            assert list(ROOT.glob(pattern)), f"{doc.name} names {pattern}: nothing matches"
        else:
            assert (ROOT / pattern).exists(), f"{doc.name} names missing {pattern}"


def test_no_absolute_machine_paths_in_code_or_scripts():
    for path in [*(ROOT / "macros").rglob("*.py"), *(ROOT / "scripts").rglob("*.py"), *(ROOT / "tests").glob("*.py")]:
        if path.name == "test_repository_files.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "/work/" not in text and "shared/seeds" not in text, path
        assert "../shared" not in text, path


def test_tests_read_only_the_repository():
    for path in (ROOT / "tests").rglob("*"):
        if path.is_file() and path.suffix in (".py", ".md", ".txt") and path.name != "test_repository_files.py":
            assert "../shared" not in path.read_text(encoding="utf-8"), path
    assert len(list((ROOT / "tests" / "seeds").glob("*.txt"))) == 5


def test_preset_tasks_are_cut_from_seed_004():
    seed = unicodedata.normalize("NFC", next((ROOT / "tests" / "seeds").glob("004_*.txt")).read_text(encoding="utf-8"))
    tasks = unicodedata.normalize("NFC", (ROOT / "macros" / "data" / "seed004_tasks.txt").read_text(encoding="utf-8"))
    squash = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    for line in tasks.splitlines():
        if line.strip():
            assert squash(line)[:30] in squash(seed), line[:40]


def test_run_time_files_have_one_location():
    """Templates live in templates/ and the built add-in in workbook/ (the project's layout), and
    nowhere else: pyproject installs those two folders as the data packages
    macros.resources.templates and macros.resources.addin, so a second copy could only drift."""
    import tomllib

    from macros import resources

    assert len(list((ROOT / "templates").glob("*.docx"))) >= 7
    assert (ROOT / "workbook" / "kexie.xlam").is_file()
    stray = [p for p in (ROOT / "macros").rglob("*") if p.suffix in (".docx", ".xlam")]
    assert not stray, stray
    assert resources.templates_dir().resolve() == (ROOT / "templates").resolve()
    assert resources.addin_file().resolve() == (ROOT / "workbook" / "kexie.xlam").resolve()
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert setup["package-dir"] == {"macros.resources.templates": "templates", "macros.resources.addin": "workbook"}


def test_the_package_list_covers_every_package_of_the_tree():
    import tomllib

    from setuptools import find_packages

    listed = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    found = find_packages(str(ROOT), include=["macros*"])
    assert sorted(set(found) - set(listed)) == [], "add the new package to [tool.setuptools] packages"
    assert {"macros.resources.templates", "macros.resources.addin"} <= set(listed)


def test_license_and_gitattributes():
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    attrs = (ROOT / ".gitattributes").read_text(encoding="utf-8")
    for rule in ("*.xml text eol=lf", "*.bas text eol=lf", "*.cmd text eol=crlf", "*.xlam binary", "*.docx binary"):
        assert rule in attrs
