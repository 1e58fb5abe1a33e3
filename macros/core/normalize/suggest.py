"""Suggestions: the closest choices to a mistyped value."""

from __future__ import annotations

from typing import Any, Iterable

from macros.core.normalize.text import _display, name_key


def suggest(value: Any, choices: Iterable[Any], limit: int = 3, cutoff: float = 60.0) -> list[str]:
    """The closest ``choices`` to ``value`` (at most ``limit``), best first.

    Both sides are compared by :func:`name_key`; choices whose key equals the value's key come
    first, then fuzzy matches (rapidfuzz ``WRatio``, ties broken by plain ``ratio`` and then by
    the order of ``choices``) scoring at least ``cutoff``. Returns the original choice strings.
    ``suggest("丹东市医學會", roster)`` puts ``丹东市医学会`` first.
    """
    from rapidfuzz import fuzz, process

    if limit <= 0:
        return []
    q = name_key(value)
    if not q:
        return []
    originals: list[str] = []
    keys: list[str] = []
    seen_orig: set[str] = set()
    for c in choices:
        if c is None:
            continue
        text = _display(c)
        k = name_key(text)
        if not k or text in seen_orig:
            continue
        seen_orig.add(text)
        originals.append(text)
        keys.append(k)
    out = [originals[i] for i, k in enumerate(keys) if k == q]
    if len(out) >= limit:
        return out[:limit]
    taken = set(out)
    scored = process.extract(q, keys, scorer=fuzz.WRatio, limit=None, score_cutoff=cutoff)
    scored.sort(key=lambda r: (-r[1], -fuzz.ratio(q, r[0]), r[2]))
    for _key, _score, idx in scored:
        c = originals[idx]
        if c in taken:
            continue
        taken.add(c)
        out.append(c)
        if len(out) >= limit:
            break
    return out
