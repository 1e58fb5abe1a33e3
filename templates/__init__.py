"""Package data, not code: this folder is installed as ``macros.resources.templates`` (see
``[tool.setuptools.package-dir]`` in pyproject.toml), so the Word templates ship inside the wheel
and are found through importlib.resources, while the repository keeps them in ``templates/``."""
