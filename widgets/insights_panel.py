"""The Insights panel: the running show as charts (pyqtgraph) — messages, questions, likes and
orders per minute with the show's moments marked, viewers, top questions, product mentions and
keyword trends — plus "Bookmark" for the host's own moments and "Report" for the post-show
report. It only draws the `LiveView`s `LiveInsights` sends (≤ 2 a second)."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.insights.charts import MARKER_COLOURS
from app.insights.live import SERIES, LiveView

COLOURS = {"messages": "#1f77b4", "questions": "#ff7f0e", "likes": "#e377c2", "orders": "#2ca02c"}
TREND_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
LABEL_CHARS = 14  # a question or product name on a bar, cut to stay readable on a laptop
CHART_HEIGHT = 170


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


class _Bars(pg.PlotWidget):
    """Horizontal bars, most first at the top, labelled on the left axis."""

    def __init__(self, title: str, colour: str) -> None:
        super().__init__(title=title)
        self.setBackground("w")
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.setMinimumHeight(CHART_HEIGHT)
        self._colour = colour
        self.labels: list[str] = []
        self.getAxis("left").setTicks([[]])

    def show_counts(self, rows: list[tuple[str, int]]) -> None:
        self.clear()
        self.labels = [_short(t) for t, _ in rows]
        if not rows:
            return
        ys = list(range(len(rows)))[::-1]
        self.addItem(
            pg.BarGraphItem(x0=0, y=ys, height=0.8, width=[n for _, n in rows], brush=self._colour)
        )
        # The text on the bar itself: a tick label beside it would take the chart's width.
        for y, label, (_, n) in zip(ys, self.labels, rows, strict=True):
            text = pg.TextItem(f"{label}  {n}", color="k", anchor=(0, 0.5))
            text.setPos(0, y)
            self.addItem(text)


class InsightsPanel(QWidget):
    bookmark_requested = Signal(str)
    report_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pg.setConfigOptions(antialias=True, foreground="k")
        self.view: LiveView | None = None
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.bookmark_text = QLineEdit()
        self.bookmark_text.setPlaceholderText(self.tr("Moment, e.g. 上链接 #3"))
        self.bookmark_button = QPushButton(self.tr("Bookmark"))
        self.bookmark_button.setToolTip(self.tr("Mark this moment on the charts and the report"))
        self.report_button = QPushButton(self.tr("Report…"))
        self.report_button.setToolTip(self.tr("Write the show's report and open it"))
        row.addWidget(self.bookmark_text, 1)
        row.addWidget(self.bookmark_button)
        row.addWidget(self.report_button)
        layout.addLayout(row)
        self.status = QLabel(self.tr("Waiting for the show's first events…"))
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.activity = self._plot(self.tr("Per minute"))
        self.activity.addLegend(offset=(5, 5))
        self.curves = {
            name: self.activity.plot([], [], pen=pg.mkPen(COLOURS[name], width=2), name=label)
            for name, label in zip(SERIES, self._series_labels(), strict=True)
        }
        self.viewers = self._plot(self.tr("Viewers"))
        self.viewer_curve = self.viewers.plot([], [], pen=pg.mkPen("#17becf", width=2))
        self.questions = _Bars(self.tr("Top questions"), "#ffc58a")
        self.mentions = _Bars(self.tr("Product mentions"), "#9fdf9f")
        self.trends = self._plot(self.tr("Keyword trends"))
        self.trends.addLegend(offset=(5, 5))
        for chart in (self.activity, self.viewers, self.questions, self.mentions, self.trends):
            layout.addWidget(chart)
        self._markers: list[Any] = []
        self.bookmark_button.clicked.connect(self._bookmark)
        self.bookmark_text.returnPressed.connect(self._bookmark)
        self.report_button.clicked.connect(self.report_requested)

    def _series_labels(self) -> list[str]:
        return [self.tr("Messages"), self.tr("Questions"), self.tr("Likes"), self.tr("Orders")]

    def _plot(self, title: str) -> pg.PlotWidget:
        plot = pg.PlotWidget(title=title)
        plot.setBackground("w")
        plot.setMinimumHeight(CHART_HEIGHT)
        plot.showGrid(x=True, y=True, alpha=0.2)
        plot.setLabel("bottom", self.tr("minute"))
        # Counts and minutes are whole and never negative: at least 5 of each on the axes, so
        # a show's first minutes (or none yet) read as counts, not 0.1 … 0.9.
        box = plot.getPlotItem().getViewBox()
        box.setLimits(xMin=0, yMin=0, minXRange=5, minYRange=5)
        box.setRange(xRange=(0, 5), yRange=(0, 5), padding=0)
        box.enableAutoRange()  # the data's own range once there is some
        return plot

    def _bookmark(self) -> None:
        label = self.bookmark_text.text().strip() or self.tr("Bookmark")
        self.bookmark_requested.emit(label)
        self.bookmark_text.clear()

    # -- drawing (GUI thread; called ≤ 2 times a second) -------------------------------------
    def show_view(self, view: LiveView) -> None:
        self.view = view
        for name, curve in self.curves.items():
            curve.setData(view.minutes, view.series[name])
        self.viewer_curve.setData([m for m, _ in view.viewers], [n for _, n in view.viewers])
        self.questions.show_counts(view.questions)
        self.mentions.show_counts(view.mentions)
        self.trends.clear()
        for i, (word, counts) in enumerate(view.trends.items()):
            pen = pg.mkPen(TREND_COLOURS[i % len(TREND_COLOURS)], width=2)
            self.trends.plot(view.minutes, counts, pen=pen, name=word)
        for line in self._markers:
            self.activity.removeItem(line)
        self._markers = []
        for minute, kind, label in view.markers:
            line = pg.InfiniteLine(
                pos=minute,
                angle=90,
                pen=pg.mkPen(
                    MARKER_COLOURS.get(kind, "#7f7f7f"), width=1, style=Qt.PenStyle.DashLine
                ),
                label=_short(label),
                labelOpts={"position": 0.9, "color": MARKER_COLOURS.get(kind, "#7f7f7f")},
            )
            self.activity.addItem(line)
            self._markers.append(line)
        self.status.setText(
            self.tr("{events} events over {minutes} min").format(
                events=f"{view.events:,}", minutes=len(view.minutes)
            )
        )

    def show_problem(self, text: str) -> None:
        self.status.setText(text)
