"""字数: the office's documented character count (see the package docstring)."""

from __future__ import annotations

import re
from typing import Any

from macros.core.normalize.text import _display


_ASCII_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:(?:[._'@-]|(?<=[0-9]),(?=[0-9]))[A-Za-z0-9]+)*")
_WORD_CLASSES = bytes(
    ord("a") if chr(i).isascii() and chr(i).isalpha()
    else ord("d") if chr(i).isascii() and chr(i).isdigit()
    else ord("j") if chr(i) in "._'@-"
    else ord("c") if chr(i) == ","
    else ord(" ")
    for i in range(256)
)
_RUNS_ONLY = bytes.maketrans(b"jc", b"  ")
_MERGE_RE = re.compile(rb"[ad]j(?=[ad])|dc(?=d)")  # a single joiner inside a word
_ZERO_WIDTH_RE = re.compile(  # invisible and not whitespace (whitespace is dropped by split)
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f"
    "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u1ab0-\u1aff\u1dc0-\u1dff\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u20d0-\u20ff\u302a-\u302f\u3099\u309a\ufe00-\ufe0f\ufe20-\ufe2f\ufeff"
    "\U000e0100-\U000e01ef]"
)


def count_chars(text: Any) -> int:
    """Chinese 字数 of a text, by the documented rule (Word's 字数 for mixed text).

    * each CJK ideograph (汉字, 〇) counts 1;
    * each CJK / full-width punctuation mark counts 1; each full-width letter or digit counts 1;
    * each maximal run of ASCII letters/digits counts 1 (joiners ``. - _ ' @`` between
      letters/digits and ``,`` between digits stay inside the run: ``3.14``, ``e-mail``,
      ``1,000``, ``a@b.com`` count 1 each);
    * whitespace (including U+3000), control characters, zero-width characters and combining
      marks count 0;
    * any other visible symbol counts 1.

    ``count_chars("计策l0条，共3000字。") == 9``: 计 策 l0 条 ， 共 3000 字 。
    """
    if text is None:
        return 0
    s = text if isinstance(text, str) else _display(text)
    if not s:
        return 0
    nonspace = sum(map(len, s.split()))
    # ASCII words: map the text to a byte per character (a letter, d digit, j joiner, c comma,
    # blank otherwise) so that only the short ASCII segments go through the word pattern.
    segments = s.encode("ascii", "replace").translate(_WORD_CLASSES).split()
    n = nonspace
    if segments:
        compact = b" ".join(segments)
        alnum = compact.count(b"a") + compact.count(b"d")
        if b"j" in compact or b"c" in compact:
            runs = len(compact.translate(_RUNS_ONLY).split())
            merges = len(_MERGE_RE.findall(compact))
            # each word counts 1 instead of its letters, digits and the joiners inside it
            n -= alnum - runs + 2 * merges
        else:
            n -= alnum - len(segments)
    if _ZERO_WIDTH_RE.search(s):
        n -= len(_ZERO_WIDTH_RE.findall(s))
    return n
