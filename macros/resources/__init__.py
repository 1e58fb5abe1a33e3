"""Files the package reads at run time, shipped inside it and found through importlib.resources.

- ``macros.resources.templates``: the Word templates of every document kind — the repository's
  ``templates/`` folder, installed under this name (pyproject's ``package-dir``; built by
  ``scripts/build_templates.py``, variables documented in ``templates/README.md``);
- ``macros.resources.addin``: the built Excel add-in — ``workbook/kexie.xlam``, installed under
  this name (``scripts/build_addin.py`` builds it from the sources beside it);
- the fontconfig file ``macros/fonts.conf`` and ``macros/data/`` (preset texts) sit beside.

Each file lives in ONE place: the repository, an editable install and an installed wheel all
read the same copy, so nothing can drift. Run from a source tree that was never installed, the
repository folders are used directly. Staff-edited templates (the 模板 folder
beside the workbook, or ``KEXIE_TEMPLATES``) take precedence; see ``macros.app.report``.
"""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from importlib import resources
from pathlib import Path

ADDIN_NAME = "kexie.xlam"
_extracted = ExitStack()
atexit.register(_extracted.close)


def _as_path(package: str, *parts: str) -> Path:
    """A real file-system path of a resource; extracted to a temporary copy only when the
    package is imported from a zip file (never the case for an installed wheel)."""
    ref = resources.files(package).joinpath(*parts)
    if isinstance(ref, Path):
        return ref
    return _extracted.enter_context(resources.as_file(ref))


def _folder(package: str, source_folder: str) -> Path:
    """The folder of a data package; in a source tree that was never installed (no mapping of
    the package name onto the repository folder), the repository folder itself."""
    try:
        return _as_path(package)
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / source_folder


def templates_dir() -> Path:
    """The folder of the shipped Word templates."""
    return _folder(f"{__name__}.templates", "templates")


def template_file(name: str) -> Path:
    return templates_dir() / name


def addin_file() -> Path:
    """The built Excel add-in (kexie.xlam) shipped with the package."""
    return _folder(f"{__name__}.addin", "workbook") / ADDIN_NAME


def fontconfig_file() -> Path:
    """The fontconfig file with the GB/T 9704 font aliases (used for LibreOffice)."""
    return _as_path("macros", "fonts.conf")


def package_root() -> Path:
    """The folder that holds the ``macros`` package (what the add-in puts on PYTHONPATH)."""
    return _as_path("macros").parent
