"""File names that are safe on Windows, macOS and Linux whatever a unit's name holds.

Pure functions, no I/O. Used for every file the product writes from user data
(forms ``<单位编号>_<name>.xlsx``, reminders, reports).

Rules applied by :func:`safe_filename`:

* Unicode NFC normalisation (macOS decomposes, Windows/Linux do not);
* characters forbidden on Windows (``\\ / : * ? " < > |``), control and format
  characters (C0/C1, bidi overrides, zero-width joiners, line/paragraph separators)
  and lone surrogates become ``_`` (runs collapse to one);
* runs of dots collapse to one dot, so ``..`` never survives;
* leading/trailing dots, spaces and underscores produced by replacement are removed;
* Windows reserved device names (CON, PRN, AUX, NUL, COM0-9, LPT0-9, with the
  superscript digits, CONIN$, CONOUT$) get a ``_`` prefix, case-insensitively and also
  when followed by an extension (``con.txt`` is as reserved as ``CON``);
* the result is at most ``max_len`` characters and ``max_bytes`` UTF-8 bytes (and so
  at most ``2 * max_len`` UTF-16 units); an extension (``.xlsx``, ``.pdf`` …) is
  kept when the stem is truncated;
* Chinese and other letters are kept; the result is never empty.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["safe_filename", "shown_name", "FALLBACK_NAME", "WINDOWS_RESERVED"]

#: Used when nothing usable is left of a name.
FALLBACK_NAME = "未命名"

_FORBIDDEN = set('\\/:*?"<>|')
_SUPERSCRIPT_DIGITS = "¹²³"
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{p}{d}" for p in ("COM", "LPT") for d in "0123456789" + _SUPERSCRIPT_DIGITS}
)
# Extensions we keep intact when truncating: short, ASCII alphanumerics.
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")
_REPLACEMENT = "_"


def _is_unsafe_char(ch: str) -> bool:
    if ch in _FORBIDDEN:
        return True
    cat = unicodedata.category(ch)
    # Cc control, Cf format (bidi overrides, zero-width), Cs surrogates,
    # Co private use, Cn unassigned, Zl/Zp line and paragraph separators.
    return cat in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _clean(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if _is_unsafe_char(ch):
            ch = _REPLACEMENT
        elif ch.isspace():
            ch = " "  # tabs, ideographic and other exotic spaces become a plain space
        if ch == _REPLACEMENT and out and out[-1] == _REPLACEMENT:
            continue
        out.append(ch)
    text = "".join(out)
    text = re.sub(r"\.{2,}", ".", text)
    text = re.sub(r" {2,}", " ", text)
    return text


def _strip_edges(text: str) -> str:
    return text.strip(" ._")


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _truncate(text: str, max_chars: int, max_bytes: int) -> str:
    """Cut ``text`` to both budgets without splitting a character."""
    text = text[:max_chars]
    while text and _utf8_len(text) > max_bytes:
        # Remove roughly the excess in one step, then adjust one code point at a time.
        excess = _utf8_len(text) - max_bytes
        text = text[: -max(1, excess // 4)]
    # Do not leave a dangling combining mark's base split off; drop trailing marks.
    while text and unicodedata.combining(text[-1]):
        text = text[:-1]
    return text


def _is_reserved(name: str) -> bool:
    stem = name.split(".", 1)[0].rstrip(" ")
    return stem.upper() in WINDOWS_RESERVED


def safe_filename(name: str, max_len: int = 80, *, max_bytes: int = 240) -> str:
    """Return a file name safe on Windows, macOS and Linux built from ``name``.

    ``max_len`` bounds the length in characters, ``max_bytes`` in UTF-8 bytes (Linux
    allows 255 bytes per name; the default leaves room for a temporary suffix). A
    trailing extension such as ``.xlsx`` is preserved when the stem must be cut.
    """
    if max_len < 1 or max_bytes < 4:
        raise ValueError("max_len must be >= 1 and max_bytes >= 4")
    if not isinstance(name, str):
        name = str(name)
    # Lone surrogates (from os.fsdecode of bad bytes) cannot be normalised; clean first.
    text = _strip_edges(_clean(name))
    text = _strip_edges(_clean(unicodedata.normalize("NFC", text)))

    ext = ""
    match = _EXTENSION.search(text)
    if match and match.start() > 0:
        ext = match.group(0)
        stem = _strip_edges(text[: match.start()])
        if not stem:
            stem, ext = text, ""
    else:
        stem = text

    ext_budget_chars = len(ext)
    ext_budget_bytes = _utf8_len(ext)
    if ext_budget_chars >= max_len or ext_budget_bytes >= max_bytes:
        stem, ext = stem + ext, ""  # extension does not fit: treat as plain text
        ext_budget_chars = ext_budget_bytes = 0
    stem = _strip_edges(_truncate(stem, max_len - ext_budget_chars, max_bytes - ext_budget_bytes))
    if not stem:
        stem = _truncate(FALLBACK_NAME, max_len - ext_budget_chars, max_bytes - ext_budget_bytes) or "_"
    result = stem + ext
    if _is_reserved(result):
        result = _REPLACEMENT + result
        if len(result) > max_len or _utf8_len(result) > max_bytes:
            # Drop one character of the stem to make room for the prefix.
            result = _REPLACEMENT + stem[:-1] + ext if len(stem) > 1 else _REPLACEMENT + stem
    return result


# --- names as printed ----------------------------------------------------------------------

_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def _escape_char(ch: str) -> str:
    if ch in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def shown_name(name: object) -> str:
    """A file name (or path) as it may be printed in a log line, on screen or in a message:
    control, format, line/paragraph separator and surrogate characters (Cc, Cf, Zl, Zp, Cs —
    newline, ESC, U+202E…) become visible escapes (``\\n``, ``\\x1b``, ``\\u202e``), so a name can
    neither forge a log line nor drive the terminal. A backslash is kept as is unless the name
    needed escaping (Windows paths stay readable). Everything else is kept."""
    text = str(name)
    if not any(unicodedata.category(ch) in _ESCAPED_CATEGORIES for ch in text):
        return text
    return "".join(_escape_char(ch) if ch == "\\" or unicodedata.category(ch) in _ESCAPED_CATEGORIES else ch
                   for ch in text)


_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
