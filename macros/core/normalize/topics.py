"""Topics as people type them: the full text, its short head, a unique prefix or its number.

The 献策 campaign's topics are whole sentences ("沿江沿海经济区建设，主要是丹东新区、…"); units
write the head ("沿江沿海经济区建设"), the first few characters, or the number ("10", "第10项",
"l0"), in Simplified or Traditional, half- or full-width. ``TopicIndex.match`` finds the one topic
a value can mean, or the candidates when it could mean several (the caller reports an error and
suggests them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from macros.core.normalize.numeric import parse_int
from macros.core.normalize.text import display_text, fix_letter_digits, name_key, nfkc

#: how a topic was recognised, as said to people ("按…识别")
HOW_ZH = {"number": "编号", "head": "简称", "prefix": "开头几个字"}
_HEAD_RE = re.compile("[，：,:；;。]")
_NUMBER_RE = re.compile(r"^第?\s*([0-9一二三四五六七八九十〇零两]+)\s*[项條条号號个個]?$")
_MIN_PREFIX = 2  # characters of a prefix that may name a topic


@dataclass(frozen=True)
class TopicMatch:
    topic: str | None  # the one topic meant, else None
    how: str | None = None  # None: written as the topic itself; "number", "head" or "prefix"
    candidates: tuple[str, ...] = ()  # when several topics fit (topic is None)


def topic_head(topic: str) -> str:
    """The text before the first "，" or "：" (or ";", "。"); the whole topic when there is none."""
    return _HEAD_RE.split(nfkc(topic).replace("，", ","), maxsplit=1)[0].strip()


def topic_number(value: Any) -> int | None:
    """A topic's number as typed: 10, "10", "第10项", "l0", "１０", "第十项"; else None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return parse_int(value)
    text = display_text(value)
    if text is None:
        return None
    m = _NUMBER_RE.match(fix_letter_digits(nfkc(text)))
    return parse_int(m.group(1)) if m else None


class TopicIndex:
    """The campaign's topics, by matching key, head and number (built once per run)."""

    def __init__(self, topics: Iterable[tuple[int | None, str]]):
        self.by_key: dict[str, str] = {}
        self.by_code: dict[int, str] = {}
        self.by_head: dict[str, list[str]] = {}
        for code, topic in topics:
            if not topic:
                continue
            self.by_key.setdefault(name_key(topic), topic)
            if code is not None:
                self.by_code.setdefault(code, topic)
            heads = self.by_head.setdefault(name_key(topic_head(topic)), [])
            if topic not in heads:
                heads.append(topic)
        self._cache: dict[Any, TopicMatch] = {}

    def match(self, value: Any) -> TopicMatch:
        try:
            return self._cache[value]
        except KeyError:
            found = self._cache[value] = self._match(value)
            return found
        except TypeError:  # unhashable
            return self._match(value)

    def _match(self, value: Any) -> TopicMatch:
        key = name_key(value)
        if not key:
            return TopicMatch(None)
        if key in self.by_key:
            return TopicMatch(self.by_key[key])
        n = topic_number(value)
        if n is not None:
            return TopicMatch(self.by_code[n], "number") if n in self.by_code else TopicMatch(None)
        heads = self.by_head.get(key, [])
        if len(heads) == 1:
            return TopicMatch(heads[0], "head")
        if len(heads) > 1:
            return TopicMatch(None, candidates=tuple(heads))
        if len(key) < _MIN_PREFIX:
            return TopicMatch(None)
        fits = tuple(t for k, t in self.by_key.items() if k.startswith(key))
        if len(fits) == 1:
            return TopicMatch(fits[0], "prefix")
        return TopicMatch(None, candidates=fits)
