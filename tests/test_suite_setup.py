"""The suite itself: CI runs exactly the README's test command with CI=true, Hypothesis has a
CI profile, and the tests collect under ``--import-mode=importlib`` (no import that only
resolves from the repository root)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from hypothesis import settings
from required_tool import in_ci

ROOT = Path(__file__).resolve().parent.parent


def _readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n(.*?)\n```", readme, re.S)
    [command] = [c for c in commands if "pytest" in c]
    return command.strip()


def test_ci_runs_the_readme_command_with_ci_true():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    lines = [line for line in script if line.strip() and not line.startswith("#")]
    assert "export CI=true" in lines
    assert lines[-1] == _readme_test_command()
    assert lines.index("export CI=true") < len(lines) - 1


def test_the_test_command_holds_a_coverage_floor_counting_subprocesses():
    """The README's test command measures, combines and reports coverage; the report fails below a
    real floor; subprocesses and worker processes are counted."""
    command = _readme_test_command()
    assert ".venv/bin/coverage run -m pytest -n 2" in command
    assert command.endswith("&& .venv/bin/coverage combine -q && .venv/bin/coverage report")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["coverage"]
    assert config["report"]["fail_under"] >= 90
    assert config["run"]["source"] == ["macros"]
    assert "subprocess" in config["run"]["patch"] and "multiprocessing" in config["run"]["concurrency"]
    assert config["run"]["parallel"] is True


def test_hypothesis_ci_profile_is_registered_and_selected_under_ci():
    profile = settings.get_profile("ci")
    assert profile.deadline is None and profile.derandomize is True
    if in_ci():
        assert settings.default.derandomize is True and settings.default.deadline is None


def test_the_suite_collects_with_import_mode_importlib(tmp_path):
    r = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "--import-mode=importlib",
                        "-p", "no:cacheprovider", str(ROOT / "tests")],
                       capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "error" not in r.stdout.lower().split("\n")[-2], r.stdout[-2000:]
