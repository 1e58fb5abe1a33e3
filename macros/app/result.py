"""What a use case hands back to a shell (CLI or ribbon): JSON data, exit code, Chinese lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from macros.errors import Exit


@dataclass
class CommandResult:
    data: dict[str, Any] = field(default_factory=dict)  # the --json object of the command
    exit_code: int = Exit.OK
    lines: list[str] = field(default_factory=list)  # Simplified Chinese summary for people
