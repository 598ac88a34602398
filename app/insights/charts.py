"""The report's charts, drawn with matplotlib (Agg, no display) from `Insights`: activity per
minute with the show's moments marked, viewers, top questions, product mentions, keyword
trends. Labels are Chinese first, in a CJK font, so that nothing renders as boxes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.insights.model import MINUTE_MS, Insights

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei")
MARKER_COLOURS = {
    "bookmark": "#d62728",
    "product": "#2ca02c",
    "sale": "#8c564b",
    "lottery": "#9467bd",
    "countdown": "#ff7f0e",
    "announcement": "#7f7f7f",
}
SERIES = (
    ("messages", "弹幕 Messages", "#1f77b4"),
    ("questions", "提问 Questions", "#ff7f0e"),
    ("likes", "点赞 Likes", "#e377c2"),
    ("orders", "下单 Orders", "#2ca02c"),
)


@dataclass(frozen=True, slots=True)
class Chart:
    """One drawn chart: a file-name stem, its title, and the figure."""

    name: str
    title: str
    figure: Figure


def _matplotlib() -> None:
    """Agg backend and a CJK font family first in the sans-serif list."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    found = [f for f in CJK_FAMILIES if f in names]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [*found, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False


def _clock(minute: int) -> str:
    return dt.datetime.fromtimestamp(minute * MINUTE_MS / 1000).strftime("%H:%M")


def charts(insights: Insights) -> Iterator[Chart]:
    """Every chart of the report, in page order (figures are the caller's to close)."""
    _matplotlib()
    from matplotlib.figure import Figure

    minutes = sorted(insights.minutes)
    x = list(range(len(minutes)))
    ticks = x[:: max(1, len(x) // 10)]

    def timeline(ax: Axes, labels: bool = True) -> None:
        ax.set_xticks(ticks, [_clock(minutes[i]) for i in ticks])
        ax.set_xlim(-0.5, max(0.5, len(x) - 0.5))
        ax.grid(alpha=0.3)
        if not minutes:
            return
        for marker in insights.markers:
            at = (marker.ts // MINUTE_MS - minutes[0]) + (marker.ts % MINUTE_MS) / MINUTE_MS
            ax.axvline(at - 0.5, color=MARKER_COLOURS.get(marker.kind, "k"), ls="--", lw=1.2)
            if not labels:
                continue
            ax.annotate(
                marker.label[:16],
                (at - 0.5, 1.0),
                xycoords=("data", "axes fraction"),
                rotation=90,
                va="top",
                ha="right",
                fontsize=9,
                color=MARKER_COLOURS.get(marker.kind, "k"),
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
            )

    fig = Figure(figsize=(10, 6.5), layout="constrained")
    axes = fig.subplots(len(SERIES), 1, sharex=True)
    for i, (ax, (attr, label, colour)) in enumerate(zip(axes, SERIES, strict=True)):
        ax.bar(x, [getattr(insights.minutes[m], attr) for m in minutes], color=colour, width=0.9)
        ax.set_ylabel(label, fontsize=9)
        timeline(ax, labels=i == 0)
    axes[-1].set_xlabel("时间 Time (每分钟 per minute)")
    yield Chart("activity", "每分钟互动 Activity per minute", fig)

    fig = Figure(figsize=(10, 3), layout="constrained")
    ax = fig.subplots()
    viewers = [insights.minutes[m].viewers for m in minutes]
    ax.plot(x, [v if v is not None else float("nan") for v in viewers], color="#17becf", lw=2)
    ax.set_ylabel("在线人数 Viewers")
    timeline(ax)
    yield Chart("viewers", "在线人数 Viewers", fig)

    top = insights.questions()[:10]
    yield _bars(
        Figure,
        "questions",
        "热门问题 Top questions",
        [(c.text + (" ✓" if c.status == "answered" else ""), c.count) for c in top],
        "#ff7f0e",
        "次数 Asks",
    )
    yield _bars(
        Figure,
        "mentions",
        "商品提及 Product mentions",
        insights.mention_labels()[:10],
        "#2ca02c",
        "次数 Mentions",
    )

    fig = Figure(figsize=(10, 3.5), layout="constrained")
    ax = fig.subplots()
    words = [w for w, _n in insights.keywords.most_common(6)]
    for word, series in insights.keyword_trend(words).items():
        ax.plot(x, [n for _m, n in series], lw=1.8, label=word)
    if words:
        ax.legend(ncols=min(6, len(words)), fontsize=9, loc="upper left")
    ax.set_ylabel("每分钟 per minute")
    timeline(ax, labels=False)
    yield Chart("keywords", "关键词趋势 Keyword trends", fig)


def _bars(
    figure: type[Figure],
    name: str,
    title: str,
    items: list[tuple[str, int]],
    colour: str,
    xlabel: str,
) -> Chart:
    fig = figure(figsize=(10, 0.8 + 0.38 * max(3, len(items))), layout="constrained")
    ax = fig.subplots()
    labels = [text if len(text) <= 24 else text[:23] + "…" for text, _n in items]
    ax.barh(range(len(items)), [n for _t, n in items], color=colour)
    ax.set_yticks(range(len(items)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    if not items:
        ax.text(0.5, 0.5, "无 None", transform=ax.transAxes, ha="center", va="center")
    return Chart(name, title, fig)


def png(figure: Figure, dpi: int = 110) -> bytes:
    """`figure` as PNG bytes."""
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=dpi)
    return out.getvalue()
