"""The error of a PDF converter that ran but did not produce every PDF (shared by
macros.adapters.pdf and macros.adapters.word_pdf without an import cycle)."""

from __future__ import annotations

from macros.errors import KexieError


class ConversionError(KexieError):
    """A converter ran but did not produce every PDF (message in Chinese, exit code 2)."""
