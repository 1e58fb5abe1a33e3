"""The summary's charts measured as matplotlib draws them: count axes carry whole numbers
only, and the legend covers no bar, rate label or tick label."""

from __future__ import annotations

from matplotlib.patches import Rectangle
from matplotlib.text import Text

from macros.adapters import charts

# The last category is the highest: the case where a legend at upper right sat on its rate label.
HIGH_LAST = [
    {"category": "市级学会", "quota": 3, "valid": 2, "completion": 2 / 3},
    {"category": "县(市)区科协", "quota": 3, "valid": 1, "completion": 1 / 3},
    {"category": "企事业科协", "quota": 3, "valid": 7, "completion": 1.0},
]


def _drawn(build, data):
    with charts.chart_style():
        fig = build(data)
        fig.canvas.draw()
        return fig, fig.canvas.get_renderer()


def _tick_labels(axis) -> list[str]:
    lo, hi = axis.get_view_interval()
    return [t.get_text() for t in axis.get_ticklabels() if t.get_visible() and t.get_text()
            and lo - 1e-9 <= t.get_position()[axis.axis_name == "y"] <= hi + 1e-9]


def _assert_whole(labels: list[str]) -> None:
    assert labels, "no tick labels drawn"
    for text in labels:
        assert text.replace("−", "-").lstrip("-").isdigit(), labels


def test_completion_axis_takes_whole_numbers_and_the_legend_covers_nothing():
    for data in (HIGH_LAST, HIGH_LAST[:1], [dict(HIGH_LAST[0], quota=1, valid=1, completion=1.0)]):
        fig, renderer = _drawn(charts.completion_figure, data)
        ax = fig.axes[0]
        _assert_whole(_tick_labels(ax.yaxis))
        legend = ax.get_legend().get_window_extent(renderer)
        others = [a for a in ax.get_children() + ax.yaxis.get_ticklabels() + ax.xaxis.get_ticklabels()
                  + [ax.yaxis.label] if isinstance(a, (Text, Rectangle)) and a.get_visible()
                  and a is not ax.patch and (not isinstance(a, Text) or a.get_text())]
        bars = [a for a in others if isinstance(a, Rectangle)]
        labels = [a for a in others if isinstance(a, Text) and a.get_text().endswith("%")]
        assert len(bars) == 2 * len(data) and len(labels) == len(data)
        for artist in others:
            box = artist.get_window_extent(renderer)
            assert not legend.overlaps(box), (artist, box, legend)


def test_topics_axis_takes_whole_numbers():
    topics = [{"no": 1, "name": "工业经济", "valid": 1}, {"no": 2, "name": "现代农业", "valid": 2},
              {"no": 3, "name": "城市建设", "valid": 0}]
    for data in (topics, topics[:1]):
        fig, _renderer = _drawn(charts.topics_figure, data)
        _assert_whole(_tick_labels(fig.axes[0].xaxis))


def test_the_saved_chart_keeps_the_legend_inside_the_image(tmp_path):
    from PIL import Image

    path = charts.completion_chart(HIGH_LAST, tmp_path / "completion.png")
    with Image.open(path) as img:
        width, height = img.size
    fig, renderer = _drawn(charts.completion_figure, HIGH_LAST)
    tight = fig.get_tightbbox(renderer)  # what bbox_inches="tight" keeps, in inches
    legend = fig.axes[0].get_legend().get_window_extent(renderer).transformed(fig.dpi_scale_trans.inverted())
    assert tight.x0 <= legend.x0 and legend.x1 <= tight.x1 and tight.y0 <= legend.y0 and legend.y1 <= tight.y1
    assert abs(width / charts.DPI - (tight.width + 0.16)) < 0.05 and height > 0
