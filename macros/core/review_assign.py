"""Reviewer assignment (评审分配): N reviewers per entry, never from the entry's own unit.

Pure functions, no I/O. ``assign(entries, reviewers, n, ...)`` returns, for every entry, the
codes of its reviewers. The rules, in order of precedence:

1. **No own unit.** A reviewer never reviews an entry whose 报送单位 or 工作单位 is the reviewer's
   单位. Unit names are compared after normalisation (:func:`unit_key`: width, case and spaces
   folded, brackets and a trailing 科协/科学技术协会 dropped), and a name that starts with the
   other (at least 6 characters long) counts as the same unit — “丹东市农业科学院科协” is the
   unit of an expert from “丹东市农业科学院”.
2. **N per entry** where enough eligible reviewers exist; otherwise as many as there are, with a
   warning.
3. **Topic match** (when asked): reviewers whose 专业/主题 names the entry's 主题领域 come first;
   when too few match, others fill the remaining places and a warning says so.
4. **Balance**: the loads (entries per reviewer) differ by at most 1 wherever rules 1–3 allow.
5. **Stability**: a re-run keeps every earlier pair that is still valid (entry and reviewer still
   there, no own-unit conflict, no more than N). New places are filled in a deterministic order —
   entries by a hash of their 编号, candidates by rendezvous hashing (``sha256(entry|reviewer)``)
   after topic match and load — so adding an entry changes only that entry's reviewers, and
   adding a reviewer moves only the slots that balance the loads again (about E×N/R of them),
   each one from a most-loaded reviewer to the new one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from macros.core.normalize import name_key

__all__ = ["Assignment", "Entry", "Reviewer", "assign", "conflicts", "topic_matches", "unit_key"]

_BRACKETS = re.compile(r"[(（［\[【][^)）］\]】]*[)）］\]】]")
_SUFFIXES = ("科学技术协会", "科协")
PREFIX_MIN = 6  # characters a unit name must have to count as the start of another


def unit_key(name: object) -> str:
    """The normalised form of a unit name used to detect an own-unit conflict."""
    key = name_key(name) if name is not None else ""
    key = _BRACKETS.sub("", key)
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return key


def _same_unit(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= PREFIX_MIN and long_.startswith(short)


@dataclass(frozen=True)
class Entry:
    """Something reviewed: a 计策, 论文 or project (a row of 征集明细)."""

    id: str
    units: tuple[str, ...] = ()  # 报送单位, 工作单位 … as written
    topic: str | None = None  # 主题领域 as written
    topic_code: str | None = None  # its 编号 in 主题领域, when known


@dataclass(frozen=True)
class Reviewer:
    code: str
    org: str | None = None
    topics: tuple[str, ...] = ()  # 专业/主题 items: topic names or topic 编号


def conflicts(entry: Entry, reviewer: Reviewer) -> bool:
    """True when ``reviewer`` belongs to one of ``entry``'s units."""
    r = unit_key(reviewer.org)
    return any(_same_unit(unit_key(u), r) for u in entry.units if u)


def topic_matches(entry: Entry, reviewer: Reviewer) -> bool:
    """True when one of the reviewer's 专业/主题 items names the entry's topic (by 编号 or name;
    a name matches when one contains the other)."""
    if not entry.topic and not entry.topic_code:
        return False
    topic = name_key(entry.topic) if entry.topic else ""
    code = str(entry.topic_code).strip() if entry.topic_code not in (None, "") else None
    for item in reviewer.topics:
        k = name_key(item)
        if not k:
            continue
        if code is not None and k == name_key(code):
            return True
        if topic and (k == topic or (len(k) >= 2 and (k in topic or topic in k))):
            return True
    return False


def _h(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("|".join(parts).encode("utf-8")).digest()[:8], "big")


@dataclass
class Assignment:
    """The result: reviewers per entry (in rendezvous order), topic-match flags and warnings."""

    reviewers: dict[str, list[str]] = field(default_factory=dict)  # entry id -> reviewer codes
    matched: dict[tuple[str, str], bool] = field(default_factory=dict)
    short: dict[str, int] = field(default_factory=dict)  # entry id -> places left empty
    topic_fallback: dict[str, int] = field(default_factory=dict)  # entry id -> unmatched reviewers used
    kept: int = 0  # earlier pairs kept
    moved: int = 0  # pairs moved to balance the loads

    def pairs(self) -> list[tuple[str, str]]:
        return [(e, r) for e, rs in self.reviewers.items() for r in rs]

    def loads(self, codes: Iterable[str]) -> dict[str, int]:
        out = {c: 0 for c in codes}
        for _e, r in self.pairs():
            out[r] = out.get(r, 0) + 1
        return out


class _State:
    def __init__(self, entries: Sequence[Entry], reviewers: Sequence[Reviewer], n: int, topic_match: bool):
        self.entries = {e.id: e for e in entries}
        self.reviewers = {r.code: r for r in reviewers}
        self.n = n
        self.topic_match = topic_match
        self.of: dict[str, list[str]] = {e.id: [] for e in entries}
        self.load = {r.code: 0 for r in reviewers}
        self._eligible: dict[tuple[str, str], bool] = {}
        self._match: dict[tuple[str, str], bool] = {}

    def eligible(self, e: str, r: str) -> bool:
        key = (e, r)
        if key not in self._eligible:
            self._eligible[key] = not conflicts(self.entries[e], self.reviewers[r])
        return self._eligible[key]

    def match(self, e: str, r: str) -> bool:
        key = (e, r)
        if key not in self._match:
            self._match[key] = topic_matches(self.entries[e], self.reviewers[r])
        return self._match[key]

    def add(self, e: str, r: str) -> None:
        self.of[e].append(r)
        self.load[r] += 1

    def remove(self, e: str, r: str) -> None:
        self.of[e].remove(r)
        self.load[r] -= 1


def _keep(state: _State, previous: Iterable[tuple[str, str]]) -> int:
    kept = 0
    earlier: dict[str, list[str]] = {}
    for e, r in previous:
        if e in state.entries and r in state.reviewers and r not in earlier.setdefault(e, []):
            earlier[e].append(r)
    for e, rs in earlier.items():
        valid = [r for r in rs if state.eligible(e, r)]
        valid.sort(key=lambda r: -_h(e, r))  # when N shrank, keep the rendezvous winners
        for r in valid[: state.n]:
            state.add(e, r)
            kept += 1
    return kept


def _fill(state: _State) -> None:
    for e in sorted(state.entries, key=lambda x: (_h(x), x)):
        need = state.n - len(state.of[e])
        if need <= 0:
            continue
        candidates = [r for r in state.reviewers if r not in state.of[e] and state.eligible(e, r)]
        if state.topic_match:
            candidates.sort(key=lambda r: (not state.match(e, r), state.load[r], -_h(e, r), r))
        else:
            candidates.sort(key=lambda r: (state.load[r], -_h(e, r), r))
        for r in candidates[:need]:
            state.add(e, r)


def _movable(state: _State, e: str, donor: str, receiver: str) -> bool:
    if receiver in state.of[e] or not state.eligible(e, receiver):
        return False
    return not state.topic_match or state.match(e, receiver) or not state.match(e, donor)


def _balance(state: _State, limit: int) -> int:
    """Move slots from the most to the least loaded reviewers until loads differ by ≤ 1."""
    moved = 0
    by_reviewer: dict[str, list[str]] = {r: [] for r in state.reviewers}
    for e, rs in state.of.items():
        for r in rs:
            by_reviewer[r].append(e)
    while moved < limit:
        codes = sorted(state.reviewers, key=lambda r: (state.load[r], _h(r), r))
        if not codes or state.load[codes[-1]] - state.load[codes[0]] <= 1:
            break
        move = None
        for receiver in codes:
            for donor in reversed(codes):
                if state.load[donor] - state.load[receiver] < 2:
                    break
                options = [e for e in by_reviewer[donor] if _movable(state, e, donor, receiver)]
                if options:
                    move = (max(options, key=lambda e: (_h(e, receiver), e)), donor, receiver)
                    break
            if move:
                break
        if move is None:
            break
        e, donor, receiver = move
        state.remove(e, donor)
        state.add(e, receiver)
        by_reviewer[donor].remove(e)
        by_reviewer[receiver].append(e)
        moved += 1
    return moved


def assign(entries: Sequence[Entry], reviewers: Sequence[Reviewer], n: int, *,
           topic_match: bool = False, previous: Iterable[tuple[str, str]] = ()) -> Assignment:
    """Reviewers for every entry (see the module doc). ``previous`` holds the (entry id, reviewer
    code) pairs of the last run; entries and reviewers must have unique ids/codes."""
    n = max(0, int(n))
    state = _State(entries, reviewers, n, topic_match)
    out = Assignment()
    out.kept = _keep(state, previous)
    _fill(state)
    out.moved = _balance(state, limit=max(1, len(entries) * n))
    for e in state.entries:
        rs = sorted(state.of[e], key=lambda r: (-_h(e, r), r))
        out.reviewers[e] = rs
        for r in rs:
            out.matched[(e, r)] = state.match(e, r)
        if len(rs) < n:  # reported on every run, not only when the places were filled
            out.short[e] = n - len(rs)
        unmatched = sum(1 for r in rs if not out.matched[(e, r)])
        if topic_match and unmatched:
            out.topic_fallback[e] = unmatched
    return out


def previous_pairs(rows: Iterable[Mapping[str, object]]) -> list[tuple[str, str]]:
    """(entry id, reviewer code) pairs from rows of 评审分配 (keys item_id, reviewer_code)."""
    out = []
    for row in rows:
        e, r = row.get("item_id"), row.get("reviewer_code")
        if e not in (None, "") and r not in (None, ""):
            out.append((str(e).strip(), str(r).strip()))
    return out
