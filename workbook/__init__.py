"""Package data, not code: this folder is installed as ``macros.resources.addin`` (see
``[tool.setuptools.package-dir]`` in pyproject.toml), so the built add-in ``kexie.xlam`` ships
inside the wheel and is found through importlib.resources, while the repository keeps it beside
its sources (``ribbon.xml``, ``kexie.bas``) in ``workbook/``."""
