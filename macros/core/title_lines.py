"""回行 of document titles (GB/T 9704-2012 7.3.3: a long title is broken into lines that keep
words whole, with the lines arranged symmetrically — 梯形 or 菱形). Pure.

``break_title(title, width)`` returns the lines of ``title`` for a line of ``width`` characters
(2号 title on a 156 mm text block: 20). Every break position is scored and the best split over
the fewest lines wins:

* never inside a run of digits or Latin letters, never before closing punctuation (，。、”’》）)
  or after opening punctuation (“‘《（);
* breaks inside a quotation or book title (“…”, 《…》) cost much more than outside;
* good breaks: before 关于 / 的 (…的通知), after 的, after a closing ”/》, before a word from a
  small list of words titles are made of (活动, 成立, 实施方案…);
* unequal lines cost a little per character of difference, a lower line longer than the upper
  one a little more (the upper line of a 梯形 is the longer).
"""

from __future__ import annotations

__all__ = ["break_title"]

OPENERS = "“‘《（(〈「『"
CLOSERS = "”’》）)〉」』，。、；：！？"
WORDS = ("关于", "活动", "成立", "实施方案", "工作要点", "通知", "报告", "通报", "开展", "印发", "庆祝",
         "建设", "考核", "结果", "表彰", "名单", "情况", "任务", "指标", "催报", "材料", "汇总")


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _depth(text: str) -> list[int]:
    """Quotation depth before each position (0 outside any “” or 《》)."""
    depth, out = 0, []
    for ch in text:
        out.append(depth)
        if ch in "“‘《":
            depth += 1
        elif ch in "”’》" and depth:
            depth -= 1
    out.append(depth)
    return out


def _break_cost(text: str, i: int, depth: list[int]) -> float | None:
    """Cost of a break before text[i]; None where a break is not allowed."""
    left, right = text[i - 1], text[i]
    if _is_word_char(left) and _is_word_char(right):
        return None
    if right in CLOSERS or left in OPENERS:
        return None
    cost = 4.0
    if depth[i] > 0:
        cost += 6.0 * depth[i]
    if left in "，、；：":
        cost -= 3.0
    if text.startswith("关于", i) or right == "的" and not text.startswith("的确", i):
        cost -= 4.0
    if left == "的":
        cost -= 3.0
    if left in "”》":
        cost -= 4.0
    if any(text.startswith(w, i) for w in WORDS):
        cost -= 2.5
    if any(text.endswith(w, 0, i) for w in WORDS):
        cost -= 1.5
    return cost


def break_title(title: str, width: int = 20, max_lines: int = 4) -> list[str]:
    text = (title or "").strip()
    if len(text) <= width:
        return [text] if text else []
    depth = _depth(text)

    for lines in range(2, max_lines + 1):
        scored = _plans(text, width, lines, depth)
        if scored:
            cost, cuts = min(scored)
            bounds = (0,) + cuts + (len(text),)
            return [text[a:b] for a, b in zip(bounds, bounds[1:])]
    return [text[i:i + width] for i in range(0, len(text), width)]


def _plans(text: str, width: int, lines: int, depth: list[int]) -> list[tuple[float, tuple[int, ...]]]:
    """Every split of ``text`` into ``lines`` lines of at most ``width``, with its cost."""
    n = len(text)
    out: list[tuple[float, tuple[int, ...]]] = []

    def walk(start: int, left: int, cuts: tuple[int, ...], cost: float) -> None:
        if left == 1:
            if n - start <= width:
                bounds = (0,) + cuts + (n,)
                lengths = [b - a for a, b in zip(bounds, bounds[1:])]
                shape = sum(abs(a - b) for a, b in zip(lengths, lengths[1:])) * 0.35
                shape += sum(0.6 * (b - a) for a, b in zip(lengths, lengths[1:]) if b > a)
                out.append((cost + shape, cuts))
            return
        for i in range(start + 1, min(n, start + width + 1)):
            c = _break_cost(text, i, depth)
            if c is not None:
                walk(i, left - 1, cuts + (i,), cost + c)

    walk(0, lines, (), 0.0)
    return out
