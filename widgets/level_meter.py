"""Microphone meters: peak and RMS in dBFS with a peak-hold marker, redrawn 30 times a second.

The audio thread feeds a `LevelTracker` (a few numbers behind a lock); this widget reads it on a
GUI timer. Nothing is queued between them, so a busy GUI never delays audio.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from capture.levels import FLOOR_DBFS, Levels, LevelTracker
from capture.media import AudioBlock
from capture.source import Source

SCALE_MIN_DBFS = -60.0
REFRESH_MS = 33


def fraction(dbfs: float) -> float:
    """Position of a level on the meter scale, 0..1."""
    return min(1.0, max(0.0, (dbfs - SCALE_MIN_DBFS) / -SCALE_MIN_DBFS))


class LevelMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.tracker = LevelTracker()
        self.levels = Levels(FLOOR_DBFS, FLOOR_DBFS, FLOOR_DBFS, False)
        self._unsubscribe: Callable[[], None] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._refresh)
        self._timer.start()

    def attach(self, source: Source[AudioBlock] | None) -> None:
        """Meter the blocks of `source` (normally the console's processed audio bus)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if source is not None:
            self._unsubscribe = source.subscribe(self.tracker.feed)

    def read_from(self, tracker: LevelTracker) -> None:
        """Show the figures of a tracker fed elsewhere (the program mix's inputs)."""
        self.attach(None)
        self.tracker = tracker

    def sizeHint(self) -> QSize:
        return QSize(240, 44)

    def text(self) -> str:
        lv = self.levels
        return self.tr("Peak {peak} dBFS   RMS {rms} dBFS   Hold {hold}").format(
            peak=f"{lv.peak_dbfs:6.1f}", rms=f"{lv.rms_dbfs:6.1f}", hold=f"{lv.hold_dbfs:6.1f}"
        )

    def _refresh(self) -> None:
        self.levels = self.tracker.read()
        self.setToolTip(self.text())
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        w, h = self.width(), self.height()
        bar_h = h * 0.5
        painter.fillRect(0, 0, w, int(bar_h), QColor(30, 30, 30))
        lv = self.levels
        rms_w, peak_w = fraction(lv.rms_dbfs) * w, fraction(lv.peak_dbfs) * w
        painter.fillRect(QRectF(0, 0, peak_w, bar_h), QColor(70, 150, 70))
        painter.fillRect(QRectF(0, bar_h * 0.25, rms_w, bar_h * 0.5), QColor(120, 230, 120))
        hold_x = fraction(lv.hold_dbfs) * w
        painter.fillRect(
            QRectF(hold_x - 1, 0, 2, bar_h),
            QColor(230, 60, 60) if lv.clipped or lv.hold_dbfs > -1 else QColor(240, 200, 60),
        )
        painter.setPen(self.palette().windowText().color())
        painter.drawText(
            QRectF(0, bar_h, w, h - bar_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self.text(),
        )
        painter.end()
