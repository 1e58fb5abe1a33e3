"""Charts for the summary report (matplotlib, Agg, a Simplified-Chinese font).

No pyplot state: every chart is its own ``Figure`` drawn by the Agg canvas, so charts can be
made from any thread and never open a window. The font is the first installed of
``CJK_FAMILIES`` (Noto Sans CJK SC on Linux, Microsoft YaHei/SimHei on Windows, PingFang SC on
macOS). A chart whose text would miss glyphs raises the Chinese configuration error instead of
drawing boxes.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from macros.errors import ConfigError

__all__ = ["CJK_FAMILIES", "chart_style", "cjk_family", "completion_chart", "completion_figure", "topics_chart", "topics_figure",
           "timeline_chart"]

#: Simplified-Chinese sans faces, in order of preference.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "WenQuanYi Micro Hei",
)
DPI = 200
BLUE, GREEN, RED, GREY = "#2f5597", "#70ad47", "#c00000", "#a6a6a6"


@lru_cache(maxsize=1)
def cjk_family() -> str:
    """The first installed family of :data:`CJK_FAMILIES`."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    raise ConfigError(
        "未找到可用于图表的简体中文字体。请安装 Noto Sans CJK SC（Debian/Ubuntu：sudo apt-get install "
        "fonts-noto-cjk）或微软雅黑、黑体后重试。"
    )


def _figure(width_in: float, height_in: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: Path) -> Path:
    """Save, turning matplotlib's missing-glyph warnings into a Chinese error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(path, dpi=DPI, bbox_inches="tight", pad_inches=0.08, facecolor="white")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    if missing:
        raise ConfigError(f"图表字体缺少字形（{missing[0]}）：请安装 Noto Sans CJK SC 后重试。")
    return path


def chart_style():
    """The rc context every chart is built and drawn in (the CJK font, no minus glyph, no top/right spines)."""
    import matplotlib

    return matplotlib.rc_context({
        "font.family": "sans-serif",
        "font.sans-serif": [cjk_family(), "DejaVu Sans"],
        "axes.unicode_minus": False,
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    })


def _whole_numbers(axis) -> None:
    """A count axis: ticks on whole numbers only (never 0.5 篇)."""
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    axis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    axis.set_major_formatter(StrMethodFormatter("{x:.0f}"))


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def completion_chart(categories: Sequence[dict], path: Path) -> Path:
    """应报 vs 有效 per unit category, with the completion rate above each pair of bars.

    ``categories``: dicts with ``category``, ``quota``, ``valid`` and ``completion`` (0–1 or None).
    """
    with chart_style():
        return _save(completion_figure(categories), path)


def completion_figure(categories: Sequence[dict]):
    """The figure of :func:`completion_chart` (drawn inside the font context by the caller).

    The legend sits above the axes, outside them, so it never covers a bar or a rate label
    however high the last category is; the count axis takes whole numbers only.
    """
    fig = _figure(6.2, 2.6)
    ax = fig.add_subplot()
    names = [_short(str(c["category"]), 8) for c in categories]
    x = list(range(len(names)))
    quota = [c["quota"] for c in categories]
    valid = [c["valid"] for c in categories]
    ax.bar([i - 0.2 for i in x], quota, width=0.38, color=GREY, label="应报")
    ax.bar([i + 0.2 for i in x], valid, width=0.38, color=BLUE, label="有效")
    top = max(quota + valid + [1])
    for i, c in enumerate(categories):
        rate = c.get("completion")
        label = "—" if rate is None else f"{rate * 100:.0f}%"
        ax.text(i, max(quota[i], valid[i]) + top * 0.03, label, ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, names)
    ax.set_ylim(0, top * 1.18)
    _whole_numbers(ax.yaxis)
    ax.set_ylabel("篇（条）")
    ax.legend(frameon=False, ncols=2, loc="lower right", bbox_to_anchor=(1.0, 1.0), borderaxespad=0.2)
    if not categories:
        ax.text(0.5, 0.5, "暂无数据", transform=ax.transAxes, ha="center", va="center", color=GREY)
    return fig


def topics_chart(topics: Sequence[dict], path: Path) -> Path:
    """Valid items per topic, a horizontal bar per topic in topic-list order.

    ``topics``: dicts with ``no``, ``name`` and ``valid``.
    """
    with chart_style():
        return _save(topics_figure(topics), path)


def topics_figure(topics: Sequence[dict]):
    """The figure of :func:`topics_chart`; the count axis takes whole numbers only."""
    n = max(len(topics), 1)
    fig = _figure(6.2, min(0.26 * n + 0.8, 7.5))
    ax = fig.add_subplot()
    labels = [f"{t['no']}. {_short(str(t['name']), 16)}" if t.get("no") not in (None, "") else _short(str(t["name"]), 18)
              for t in topics]
    values = [t["valid"] for t in topics]
    y = list(range(len(labels)))
    ax.barh(y, values, color=GREEN, height=0.6)
    for i, v in enumerate(values):
        ax.text(v + max(values + [1]) * 0.01, i, str(v), va="center", fontsize=7)
    ax.set_yticks(y, labels, fontsize=7.5)
    ax.invert_yaxis()
    ax.set_xlabel("有效报送（篇）")
    ax.set_xlim(0, max(values + [1]) * 1.12)
    _whole_numbers(ax.xaxis)
    if not topics:
        ax.text(0.5, 0.5, "暂无数据", transform=ax.transAxes, ha="center", va="center", color=GREY)
    return fig


def timeline_chart(phases: Sequence[dict], path: Path, today: date | None = None) -> Path:
    """The phases of 阶段安排 as a Gantt chart, with a red line at ``today``.

    ``phases``: dicts with ``name``, ``start`` and ``end`` (dates; phases without dates are skipped).
    """
    import matplotlib.dates as mdates

    dated = [p for p in phases if isinstance(p.get("start"), date) and isinstance(p.get("end"), date)]
    with chart_style():
        n = max(len(dated), 1)
        fig = _figure(6.2, 0.45 * n + 1.0)
        ax = fig.add_subplot()
        for i, p in enumerate(dated):
            start = mdates.date2num(p["start"])
            end = mdates.date2num(p["end"] + timedelta(days=1))
            ax.barh(i, end - start, left=start, height=0.5, color=BLUE)
            ax.text(end + 0.5, i, f"{p['start'].month}月{p['start'].day}日—{p['end'].month}月{p['end'].day}日",
                    va="center", fontsize=7)
        ax.set_yticks(list(range(len(dated))), [_short(str(p["name"]), 12) for p in dated])
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
        if dated:
            first = min(mdates.date2num(p["start"]) for p in dated)
            last = max(mdates.date2num(p["end"]) for p in dated)
            span = max(last - first, 1)
            ax.set_xlim(first - span * 0.03, last + span * 0.35)
            if today is not None:
                t = mdates.date2num(today)
                if first - span * 0.03 <= t <= last + span * 0.35:
                    ax.axvline(t, color=RED, linewidth=1)
                    ax.text(t, -0.6, "今天", color=RED, ha="center", va="bottom", fontsize=7)
        else:
            ax.text(0.5, 0.5, "未填写阶段安排", transform=ax.transAxes, ha="center", va="center", color=GREY)
        return _save(fig, path)
