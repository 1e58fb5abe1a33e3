"""Files the package reads at run time, shipped inside it and found through importlib.resources.

- ``templates/*.docx``: the Word templates of every document kind (built by
  ``scripts/build_templates.py``; their variables are documented in ``templates/README.md``);
- ``addin/kexie.xlam``: the built Excel add-in (``scripts/build_addin.py`` from ``workbook/``);
- the fontconfig file ``macros/fonts.conf`` and ``macros/data/`` (preset texts) sit beside.

This is the ONE place these files live: the repository, an editable install and an installed
wheel all read the same copy, so nothing can drift. Staff-edited templates (the 模板 folder
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


def templates_dir() -> Path:
    """The folder of the shipped Word templates."""
    return _as_path(__name__, "templates")


def template_file(name: str) -> Path:
    return templates_dir() / name


def addin_file() -> Path:
    """The built Excel add-in (kexie.xlam) shipped with the package."""
    return _as_path(__name__, "addin", ADDIN_NAME)


def fontconfig_file() -> Path:
    """The fontconfig file with the GB/T 9704 font aliases (used for LibreOffice)."""
    return _as_path("macros", "fonts.conf")


def package_root() -> Path:
    """The folder that holds the ``macros`` package (what the add-in puts on PYTHONPATH)."""
    return _as_path("macros").parent
