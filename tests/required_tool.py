"""A system tool a test needs: under ``CI=true`` its absence fails the test, elsewhere it skips.

CI installs every tool the suite needs (scripts/setup.sh), so there a missing one is a broken
set-up, not a reason to pass quietly.
"""

from __future__ import annotations

import os


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def required(path: str | None, label: str, hint: str = "") -> str:
    """``path`` when the tool was found; otherwise fail (CI) or skip the calling test."""
    import pytest

    if path is None:
        if in_ci():
            pytest.fail(f"{label} is required in CI but was not found{hint}")
        pytest.skip(f"{label} not installed")
    return path
