"""Numbers, dates and names as the documents write them (一、3月15日、20万、“…”)."""

from __future__ import annotations

from datetime import date

_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 35 → 三十五 (1–99)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def cn_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if isinstance(d, date) else ""


def md(d: date | None) -> str:
    return f"{d.month}月{d.day}日" if isinstance(d, date) else ""


def period(start: date | None, end: date | None) -> str:
    if isinstance(start, date) and isinstance(end, date):
        return f"{md(start)}至{md(end)}" if start.year == end.year else f"{cn_date(start)}至{cn_date(end)}"
    return md(start) or md(end)


def pct(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio * 100:.1f}%"


def num(value: float | None) -> str:
    """12 → "12", 2.5 → "2.5", 200000 → "20万"."""
    if value is None:
        return "—"
    if value >= 10000 and value % 10000 == 0:
        return f"{value / 10000:g}万"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}".replace(",", "")


def quoted(name: str) -> str:
    """Wrap a campaign name in “” (inner “” become ‘’, as Chinese nesting wants)."""
    inner = name.strip().strip("“”\"")
    inner = inner.replace("“", "‘").replace("”", "’")
    return f"“{inner}”"


def split_items(text: str | None) -> list[str]:
    """A cell's text as items: one per line and per "；"."""
    if not text:
        return []
    parts = []
    for line in str(text).replace("\r", "\n").split("\n"):
        parts += [p.strip() for p in line.split("；") if p.strip()]
    return parts


