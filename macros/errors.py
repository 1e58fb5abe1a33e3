"""Exit codes of the command-line contract (the README's exit code table) and the errors that carry them."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0  # done and clean
    DATA_PROBLEMS = 1  # done, data problems found (listed)
    USAGE = 2  # usage or configuration error
    REFUSED = 3  # refused to write to protect data
    BUG = 4  # an unexpected error (a bug): one Chinese line, the traceback in a log file


class KexieError(Exception):
    """An error a person must read: ``message`` is Simplified Chinese."""

    exit_code = Exit.USAGE

    def __init__(self, message: str, *, detail: str | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail


class ConfigError(KexieError):
    exit_code = Exit.USAGE


class RefusedError(KexieError):
    """Writing would risk staff data (file open elsewhere, lock held, content would be lost)."""

    exit_code = Exit.REFUSED
